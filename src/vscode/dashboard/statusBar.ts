// The fleet in the status bar (issue 14): healthy, warning and action-needed counts with their icons,
// hidden while no project is open; a click opens the dashboard; the tooltip lists what needs action.
import * as vscode from 'vscode';
import { problems, summaryText } from '../../core/fleet/fleetModel';
import type { Fleet } from '../../core/fleet/types';
import type { DisposableStore } from '../lifecycle';
import type { FleetService } from './fleetService';

export const SHOW_DASHBOARD_COMMAND = 'gitopshq.dashboard.show';
/** How many problem tiles the tooltip lists before "and N more". */
const TOOLTIP_TILES = 12;

export function fleetStatusText(fleet: Fleet): string {
  const { green, yellow, red } = fleet.summary;
  return `$(pass-filled) ${green}  $(warning) ${yellow}  $(error) ${red}`;
}

export function fleetTooltip(fleet: Fleet): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: [SHOW_DASHBOARD_COMMAND] };
  md.appendMarkdown(`**GitOpsHQ fleet**: ${summaryText(fleet.summary)}\n\n`);
  const icon = { red: '$(error)', yellow: '$(warning)', green: '$(pass-filled)' } as const;
  const lines: string[] = fleet.broken.map((b) => `- $(error) ${escape(b.label)}: the manifest has ${b.errors} error(s)`);
  for (const t of problems(fleet)) lines.push(`- ${icon[t.colour]} **${escape(`${t.project} ${t.environment}/${t.tenant}`)}**: ${escape(t.sentence)}`);
  if (lines.length === 0) md.appendMarkdown('Everything is healthy and in sync.\n\n');
  else {
    md.appendMarkdown(`${lines.slice(0, TOOLTIP_TILES).join('\n')}\n`);
    if (lines.length > TOOLTIP_TILES) md.appendMarkdown(`- and ${lines.length - TOOLTIP_TILES} more\n`);
    md.appendMarkdown('\n');
  }
  md.appendMarkdown(`[Open the Fleet Dashboard](command:${SHOW_DASHBOARD_COMMAND})`);
  return md;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

export class FleetStatusBar {
  readonly item: vscode.StatusBarItem;

  constructor(
    private readonly fleet: FleetService,
    private readonly hasProjects: () => boolean,
    store: DisposableStore,
  ) {
    this.item = store.register(vscode.window.createStatusBarItem('gitopshq.fleet', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'GitOpsHQ Fleet';
    this.item.command = SHOW_DASHBOARD_COMMAND;
    store.register(fleet.onDidChange(() => this.update()));
    this.update();
  }

  update(): void {
    if (!this.hasProjects()) {
      this.item.hide();
      return;
    }
    const fleet = this.fleet.fleet();
    this.item.text = fleetStatusText(fleet);
    this.item.tooltip = fleetTooltip(fleet);
    this.item.accessibilityInformation = { label: `GitOpsHQ fleet: ${summaryText(fleet.summary)}`, role: 'button' };
    this.item.show();
  }
}
