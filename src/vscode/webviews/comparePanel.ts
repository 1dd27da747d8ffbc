// The environment compare panel (host side): what the `gitopshq.compareEnvironments` command and the
// panel's serializer do (both registered at activation by lazyPanels.ts; this file is in
// dist/panels.js). The compare itself is core/compare/compare.ts; the webview is webview-ui/compare/;
// both sides speak src/protocol/compare.ts. PanelHost does the handshake, the queue and the debounce.
//
// - Live: project changes (saved files and unsaved edits, already coalesced by the service) are
//   debounced again here and re-render the comparison.
// - Safety: the webview may only ask to open files inside a project root; secrets leave the host
//   only as the mask.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { compareEnvironments, type CompareResult } from '../../core/compare/compare';
import { DISPLAY_MASKING, secretMasker } from '../../core/secrets/mask';
import { maskCompareResult } from '../../core/secrets/maskCompare';
import {
  ErrorNotification,
  FilterCommand,
  OpenDiffCommand,
  OpenOriginCommand,
  ReadyCommand,
  RenderedCommand,
  SelectCommand,
  StateNotification,
  SwapCommand,
  webviewStateSchema,
  type Selection,
  type WireCompareResult,
} from '../../protocol/compare';
import type { Services } from '../services';
import { ChartVersions } from './chartVersions';
import { askSelection, checkSelection, compareTitle, defaultSelection, fromNode, isCompareArgs, isEnvironmentNode } from './compareSelection';
import { effectiveUri } from './effectiveDocuments';
import { createPanel, PanelHost, restoredPanel } from './panelHost';
import { COMPARE_VIEW_TYPE } from './viewTypes';

export type { CompareArgs } from './compareSelection';

const LIVE_DEBOUNCE_MS = 250;

export interface RenderTiming {
  ms: number;
  rows: number;
  differences: number;
}

/** Read by this extension's integration tests through `_internal.compare`. */
export interface CompareInternals {
  lastRender(): RenderTiming | undefined;
  panelTitle(): string | undefined;
}

/** The command's and the serializer's work; one per activation, created on first use. */
export interface CompareFeature extends CompareInternals {
  open(arg?: unknown): Promise<Selection | undefined>;
  restore(panel: vscode.WebviewPanel, state: unknown): Promise<void>;
}

export function createCompare(s: Services): CompareFeature {
  let current: ComparePanel | undefined;
  let lastRender: RenderTiming | undefined;
  const chartVersions = new ChartVersions(s);

  const show = async (selection: Selection, existing?: vscode.WebviewPanel, differencesOnly = true): Promise<void> => {
    if (current && !existing) {
      current.reveal();
      await current.select(selection);
      return;
    }
    const panel = existing ?? createPanel(s, COMPARE_VIEW_TYPE, compareTitle(selection));
    const created = new ComparePanel(s, panel, selection, chartVersions, differencesOnly, (timing) => (lastRender = timing));
    current = created;
    panel.onDidDispose(() => {
      if (current === created) current = undefined;
    });
    await created.firstState();
  };

  return {
    async open(arg?: unknown) {
      await s.projects.ready;
      const selection = isCompareArgs(arg) ? checkSelection(s, arg) : isEnvironmentNode(arg) ? fromNode(s, arg) : await askSelection(s);
      if (!selection) return undefined;
      await show(selection);
      return selection;
    },
    async restore(panel, state) {
      await s.projects.ready;
      restoredPanel(s, panel);
      const parsed = webviewStateSchema.safeParse(state ?? {});
      let selection: Selection | undefined;
      const differencesOnly = parsed.success ? (parsed.data.filters?.differencesOnly ?? true) : true;
      try {
        const saved = parsed.success ? parsed.data.selection : undefined;
        selection = saved ? checkSelection(s, saved) : defaultSelection(s);
      } catch (err) {
        s.logger.warn(`Compare panel: the saved selection is no longer valid (${String(err)}); using the default`);
        selection = defaultSelection(s);
      }
      if (!selection) {
        panel.dispose();
        return;
      }
      await show(selection, panel, differencesOnly);
    },
    lastRender: () => lastRender,
    panelTitle: () => current?.title,
  };
}

class ComparePanel extends PanelHost {
  /** Bumped by every update: an update that finished reading Chart.yaml files after a newer one started posts nothing. */
  private generation = 0;

  constructor(
    s: Services,
    panel: vscode.WebviewPanel,
    private selection: Selection,
    private readonly chartVersions: ChartVersions,
    /** The webview's "Differences only" filter: false = equal values are computed and sent too. */
    private differencesOnly: boolean,
    private readonly onRendered: (timing: RenderTiming) => void,
  ) {
    super(s, panel, { title: compareTitle(selection), bundle: 'compare', label: 'Compare panel' });
    this.channel.dispatcher
      .on(ReadyCommand, (p) => {
        const differencesOnly = p.differencesOnly ?? true;
        // The reloaded webview restored another filter than the state held back: recompute rather than resend.
        const stale = differencesOnly !== this.differencesOnly;
        this.channel.markReady(!stale);
        if (stale) this.setFilter(differencesOnly);
      })
      .on(FilterCommand, (p) => {
        if (p.differencesOnly !== this.differencesOnly) this.setFilter(p.differencesOnly);
      })
      .on(SelectCommand, (p) => this.guard(() => this.select({ ...this.selection, ...p })))
      .on(SwapCommand, () => this.guard(() => this.select({ ...this.selection, source: this.selection.target, target: this.selection.source })))
      .on(OpenOriginCommand, (p) => this.guard(() => this.openOrigin(p.file, p.line)))
      .on(OpenDiffCommand, (p) => this.guard(() => this.openDiff(p.workload)))
      .on(RenderedCommand, (p) => {
        this.onRendered(p);
        s.logger.debug(`Compare panel: rendered ${p.rows} rows of ${p.differences} differences in ${p.ms.toFixed(1)} ms`);
      });
    this.liveUpdates(LIVE_DEBOUNCE_MS, () => this.update(), [s.projects.onDidChange]);
    this.guard(() => this.update());
  }

  async select(selection: Selection): Promise<void> {
    this.selection = checkSelection(this.s, selection);
    this.panel.title = compareTitle(this.selection);
    await this.update();
  }

  protected override failed(err: unknown): void {
    // The webview keeps showing the last state (its pickers return to it) with the error above.
    this.post(ErrorNotification, { message: err instanceof Error ? err.message : String(err) });
  }

  private setFilter(differencesOnly: boolean): void {
    this.differencesOnly = differencesOnly;
    this.guard(() => this.update());
  }

  private async update(): Promise<void> {
    if (this.disposed) return;
    const generation = ++this.generation;
    const { selection, differencesOnly } = this;
    const known = this.s.projects.index.project(selection.project);
    if (!known) return this.gone(selection.project);
    const chartVersions = await this.chartVersions.of(known);
    if (this.disposed || generation !== this.generation) return; // a newer update is on its way
    // The index may have changed while the Chart.yaml files were read: compare what it holds now.
    const project = this.s.projects.index.project(selection.project);
    if (!project) return this.gone(selection.project);
    const { source, target, tenant } = selection;
    let result: CompareResult;
    try {
      result = compareEnvironments(this.s.projects.index, { project: project.slug, source, target, tenant, includeEqual: !differencesOnly, chartVersions });
    } catch (err) {
      // Also on the live path, which has no guard: the webview says why it shows the last state.
      this.s.logger.error('Compare panel: compare failed', err);
      this.failed(err);
      return;
    }
    this.post(StateNotification, {
      selection,
      root: project.root,
      environments: project.environments.map((e) => e.name),
      tenants: [...project.tenants],
      differencesOnly,
      result: maskCompareResult(result, secretMasker(this.s.projects.secretValues(), DISPLAY_MASKING)) as WireCompareResult,
    });
  }

  private gone(slug: string): void {
    this.post(ErrorNotification, { message: `Project ${slug} is no longer in the workspace.` });
  }

  private async openOrigin(file: string, line: number): Promise<void> {
    // Never open a path the webview made up: only absolute files inside a known project root.
    const normalized = path.normalize(file);
    if (!path.isAbsolute(normalized) || !this.s.projects.index.projectOf(normalized)) {
      this.s.logger.warn(`Compare panel: refused to open ${JSON.stringify(file)}: not inside a project`);
      return;
    }
    const position = new vscode.Position(Math.max(0, line - 1), 0);
    await vscode.window.showTextDocument(vscode.Uri.file(normalized), { selection: new vscode.Range(position, position), viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  private async openDiff(workload: string): Promise<void> {
    const { project, source, target, tenant } = this.selection;
    const p = this.s.projects.index.project(project);
    if (!p?.workloads.some((w) => w.name === workload)) {
      this.s.logger.warn(`Compare panel: no workload ${JSON.stringify(workload)} in ${project}`);
      return;
    }
    const left = effectiveUri({ project, tenant, environment: source, workload });
    const right = effectiveUri({ project, tenant, environment: target, workload });
    await vscode.commands.executeCommand('vscode.diff', left, right, `${workload}: ${source} ↔ ${target} (${tenant})`, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }
}
