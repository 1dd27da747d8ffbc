// The fleet dashboard (host side), `gitopshq.dashboard.show`: the fleet of FleetService filtered
// (only mine, only problems, text), sent whole when the layout changes and as the changed tiles
// otherwise, so a live update of one tile re-renders one tile. The tiles' actions run the commands
// that exist: the tree, compare, create release, the release panel, and the timeline and logs
// commands when those features are installed. Lives in dist/panels.js.
import * as vscode from 'vscode';
import { filterFleet, type FleetFilter } from '../../core/fleet/fleetModel';
import type { Fleet, FleetTile } from '../../core/fleet/types';
import { changedTiles, layoutKey, mergedColumns } from '../../core/fleet/view';
import {
  ActionCommand,
  ErrorNotification,
  FilterCommand,
  PatchNotification,
  ReadyCommand,
  RenderedCommand,
  StateNotification,
  webviewStateSchema,
  type DashboardFilter,
  type StateParams,
  type WireTile,
} from '../../protocol/dashboard';
import { toWireError } from '../../protocol/ipc';
import type { Services } from '../services';
import { PanelHost, PanelRegistry } from '../webviews/panelHost';
import { DASHBOARD_VIEW_TYPE } from '../webviews/viewTypes';
import type { DashboardHooks, RenderTiming } from './dashboardHooks';

export const DASHBOARD_TITLE = 'Fleet Dashboard';
export const TIMELINE_COMMAND = 'gitopshq.timeline.show';
export const LOGS_COMMAND = 'gitopshq.logs.stream';
const LIVE_DEBOUNCE_MS = 20;
const DRIFT_PATHS_SENT = 20;

const open = new PanelRegistry<DashboardPanel>();

const NO_FILTER: DashboardFilter = { mine: false, problems: false, text: '' };

export async function openDashboard(s: Services, hooks: DashboardHooks, filter?: DashboardFilter): Promise<void> {
  await s.projects.ready;
  await open.show(
    s,
    { viewType: DASHBOARD_VIEW_TYPE, title: DASHBOARD_TITLE },
    (known) => {
      if (filter) known.setFilter(filter);
    },
    (panel) => new DashboardPanel(s, hooks, panel, filter ?? NO_FILTER),
  );
}

export function restoreDashboard(s: Services, hooks: DashboardHooks, panel: vscode.WebviewPanel, state: unknown): void {
  const saved = webviewStateSchema.safeParse(state ?? {});
  const filter = saved.success && saved.data.filter ? saved.data.filter : NO_FILTER;
  open.restore(s, panel, { key: '', create: (p) => new DashboardPanel(s, hooks, p, filter) });
}

/** The open dashboard's filter and what it shows (tests). */
export function openDashboardState(): { filter: DashboardFilter; shown: Fleet | undefined } | undefined {
  const panel = open.get();
  return panel && { filter: panel.currentFilter, shown: panel.shown };
}

function wireTile(t: FleetTile): WireTile {
  const out: WireTile = { ...t, driftPaths: t.driftPaths.slice(0, DRIFT_PATHS_SENT), connection: t.connection };
  return out;
}

class DashboardPanel extends PanelHost {
  /** JSON of each tile last sent, by id: what a patch compares with. */
  private sent = new Map<string, string>();
  private layout: string | undefined;
  shown: Fleet | undefined;

  constructor(
    s: Services,
    private readonly hooks: DashboardHooks,
    panel: vscode.WebviewPanel,
    private filter: DashboardFilter,
  ) {
    super(s, panel, { title: DASHBOARD_TITLE, bundle: 'dashboard', label: 'Dashboard' });
    // Open counts as visible: the cluster connections stay while the panel does.
    hooks.fleet.setVisible(true);
    this.register({ dispose: () => hooks.fleet.setVisible(false) });
    this.channel.dispatcher
      .on(ReadyCommand, (p) => {
        // A reloaded webview restores its filters: render those rather than the last state.
        if (p.filter) this.filter = p.filter;
        this.layout = undefined;
        this.channel.markReady(!p.filter);
        this.guard(() => this.update(), 'update');
      })
      .on(FilterCommand, (p) => this.setFilter(p.filter))
      .on(ActionCommand, (p) => this.guard(() => this.act(p), `${p.action} on ${p.project}/${p.environment}/${p.tenant}`))
      .on(RenderedCommand, (p) => hooks.rendered(p as RenderTiming));
    this.liveUpdates(LIVE_DEBOUNCE_MS, () => this.update(), [hooks.fleet.onDidChange]);
  }

  get currentFilter(): DashboardFilter {
    return this.filter;
  }

  setFilter(filter: DashboardFilter): void {
    this.filter = filter;
    this.layout = undefined;
    this.guard(() => this.update(), 'update');
  }

  protected override failed(err: unknown): void {
    this.post(ErrorNotification, toWireError(err));
  }

  private async update(): Promise<void> {
    if (this.disposed) return;
    const all = this.hooks.fleet.fleet();
    const filter: FleetFilter = { mine: this.filter.mine, problems: this.filter.problems, text: this.filter.text };
    const fleet = filterFleet(all, filter);
    const layout = layoutKey(fleet);
    const key = (t: FleetTile) => JSON.stringify(t);
    if (layout === this.layout) {
      const tiles = changedTiles(this.sent, fleet, key);
      if (tiles.length === 0) return;
      for (const t of tiles) this.sent.set(t.id, key(t));
      this.shown = fleet;
      this.post(PatchNotification, {
        tiles: tiles.map(wireTile),
        projects: fleet.projects.map((p) => ({ slug: p.slug, colour: p.colour })),
        summary: fleet.summary,
        total: all.summary,
      });
      return;
    }
    const commands = new Set(await vscode.commands.getCommands(true));
    if (this.disposed) return;
    this.layout = layout;
    this.shown = fleet;
    this.sent = new Map();
    for (const p of fleet.projects) for (const e of p.environments) for (const t of e.tenants) this.sent.set(t.id, key(t));
    const state: StateParams = {
      filter: this.filter,
      columns: mergedColumns(fleet.projects.map((p) => p.environments.map((e) => e.name))),
      projects: fleet.projects.map((p) => {
        const project = this.s.projects.index.project(p.slug);
        const order = project?.environments.map((e) => e.name) ?? [];
        return {
          slug: p.slug,
          name: p.name,
          colour: p.colour,
          mine: p.mine,
          environments: p.environments.map((e) => {
            const next = order[order.indexOf(e.name) + 1];
            return { name: e.name, required: e.required, ...(next && order.indexOf(e.name) >= 0 ? { next } : {}), tenants: e.tenants.map(wireTile) };
          }),
        };
      }),
      broken: fleet.broken,
      summary: fleet.summary,
      total: all.summary,
      commands: { timeline: commands.has(TIMELINE_COMMAND), logs: commands.has(LOGS_COMMAND) },
    };
    this.post(StateNotification, state);
  }

  private async act(p: { action: string; project: string; environment: string; tenant: string; release?: string | undefined; workload?: string | undefined }): Promise<void> {
    const project = this.s.projects.index.project(p.project);
    if (!project) throw new Error(`Project ${p.project} is not loaded any more.`);
    const order = project.environments.map((e) => e.name);
    switch (p.action) {
      case 'openInTree':
        await this.hooks.reveal(p.project, p.environment, p.tenant);
        return;
      case 'compare': {
        const target = order[order.indexOf(p.environment) + 1];
        if (!target) throw new Error(`${p.environment} is the last environment of ${p.project}: there is nothing to compare it with.`);
        await vscode.commands.executeCommand('gitopshq.compareEnvironments', { project: p.project, source: p.environment, target, tenant: p.tenant });
        return;
      }
      case 'createRelease':
        await vscode.commands.executeCommand('gitopshq.release.create', { project: p.project, environment: p.environment });
        return;
      case 'approve':
      case 'openRelease':
        // Approving happens in the release panel, where the changes and the policy are in view.
        if (!p.release) throw new Error('No release to open.');
        await vscode.commands.executeCommand('gitopshq.release.show', { project: p.project, id: p.release });
        return;
      case 'timeline':
        await vscode.commands.executeCommand(
          TIMELINE_COMMAND,
          p.release ? { project: p.project, release: p.release, tenant: p.tenant } : { project: p.project, environment: p.environment, workload: p.workload ?? project.workloads[0]?.name, tenant: p.tenant },
        );
        return;
      case 'logs': {
        const workload = p.workload ?? project.workloads.find((w) => this.s.projects.index.isBound(p.project, w.name, p.environment, p.tenant))?.name;
        if (!workload) throw new Error(`No workload is bound in ${p.environment}/${p.tenant}.`);
        await vscode.commands.executeCommand(LOGS_COMMAND, { project: p.project, environment: p.environment, workload, tenant: p.tenant });
        return;
      }
    }
  }
}
