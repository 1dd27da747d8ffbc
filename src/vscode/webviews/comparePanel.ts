// The environment compare panel (host side): what the `gitopshq.compareEnvironments` command and the
// panel's serializer do (both registered at activation by lazyPanels.ts; this file is in
// dist/panels.js). The compare itself is core/compare.ts; the webview is webview-ui/compare/;
// both sides speak src/protocol/compare.ts and validate what they receive.
//
// - Ready handshake: notifications wait until the webview says `ready` (again after every reload:
//   retainContextWhenHidden is off, so a hidden panel's webview is destroyed and rebuilt).
// - Live: project changes (saved files and unsaved edits, already coalesced by the service) are
//   debounced again here and re-render the comparison.
// - Safety: the webview may only ask to open files inside a project root; secrets leave the host
//   only as the mask.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse as parseYaml } from 'yaml';
import { compareEnvironments, type CompareResult } from '../../core/compare';
import { Debouncer } from '../../core/debounce';
import { GitOpsHqError } from '../../core/errors';
import { DISPLAY_MASKING, logExcerpt, secretMasker } from '../../core/secrets/mask';
import { maskCompareResult } from '../../core/secrets/maskCompare';
import type { TreeNode } from '../../core/treeModel';
import type { Project } from '../../core/types';
import {
  Dispatcher,
  ErrorNotification,
  FilterCommand,
  OpenDiffCommand,
  OpenOriginCommand,
  ReadyCommand,
  RenderedCommand,
  SelectCommand,
  StateNotification,
  SwapCommand,
  message,
  webviewStateSchema,
  type NotificationType,
  type Selection,
  type StateParams,
  type WireCompareResult,
} from '../../protocol/compare';
import type { Services } from '../services';
import { effectiveUri } from './effectiveDocuments';
import { COMPARE_VIEW_TYPE } from './viewTypes';
import { webviewHtml, webviewOptions } from './webviewHtml';

const LIVE_DEBOUNCE_MS = 250;
/** How long the command waits for the webview's first `ready` before it returns anyway. */
const FIRST_STATE_TIMEOUT_MS = 15_000;

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

/** `{ project, source, target, tenant? }`: the scripted form of the command. */
export interface CompareArgs {
  project: string;
  source: string;
  target: string;
  tenant?: string;
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
    const panel =
      existing ??
      vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, title(selection), vscode.ViewColumn.Active, webviewOptions(s.context.extensionUri));
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
      const selection = isArgs(arg) ? checkSelection(s, arg) : isEnvironmentNode(arg) ? fromNode(s, arg) : await ask(s);
      if (!selection) return undefined;
      await show(selection);
      return selection;
    },
    async restore(panel, state) {
      await s.projects.ready;
      panel.webview.options = webviewOptions(s.context.extensionUri);
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

// -----------------------------------------------------------------------------------------------

class ComparePanel {
  private ready = false;
  /** The message the webview has not received yet (only the latest counts). */
  private pending: { method: string; params: unknown } | undefined;
  /** The last state sent: a reloaded webview (shown again, or reloaded by the user) gets it again. */
  private lastState: { method: string; params: unknown } | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly live: Debouncer;
  private firstPosted!: () => void;
  private readonly firstPostedPromise = new Promise<void>((resolve) => (this.firstPosted = resolve));
  private disposed = false;
  /** Bumped by every update: an update that finished reading Chart.yaml files after a newer one started posts nothing. */
  private generation = 0;

  constructor(
    private readonly s: Services,
    private readonly panel: vscode.WebviewPanel,
    private selection: Selection,
    private readonly chartVersions: ChartVersions,
    /** The webview's "Differences only" filter: false = equal values are computed and sent too. */
    private differencesOnly: boolean,
    private readonly onRendered: (timing: RenderTiming) => void,
  ) {
    panel.title = title(selection);
    panel.iconPath = vscode.Uri.joinPath(s.context.extensionUri, 'media', 'gitopshq.svg');
    panel.webview.html = webviewHtml(panel.webview, s.context.extensionUri, { title: panel.title, bundle: 'compare', css: true });

    const dispatcher = new Dispatcher((reason, raw) =>
      s.logger.warn(`Compare panel: dropped a message from the webview: ${reason}:`, logExcerpt(raw, 200)),
    )
      .on(ReadyCommand, (p) => {
        this.ready = true;
        const differencesOnly = p.differencesOnly ?? true;
        if (differencesOnly !== this.differencesOnly) {
          // The reloaded webview restored another filter than the state held back: recompute.
          this.differencesOnly = differencesOnly;
          this.guard(() => this.update());
          return;
        }
        if (!this.pending && this.lastState) this.pending = this.lastState;
        this.flush();
      })
      .on(FilterCommand, (p) => {
        if (p.differencesOnly === this.differencesOnly) return;
        this.differencesOnly = p.differencesOnly;
        this.guard(() => this.update());
      })
      .on(SelectCommand, (p) => this.guard(() => this.select({ ...this.selection, ...p })))
      .on(SwapCommand, () => this.guard(() => this.select({ ...this.selection, source: this.selection.target, target: this.selection.source })))
      .on(OpenOriginCommand, (p) => this.guard(() => this.openOrigin(p.file, p.line)))
      .on(OpenDiffCommand, (p) => this.guard(() => this.openDiff(p.workload)))
      .on(RenderedCommand, (p) => {
        this.onRendered(p);
        s.logger.debug(`Compare panel: rendered ${p.rows} rows of ${p.differences} differences in ${p.ms.toFixed(1)} ms`);
      });
    this.disposables.push(panel.webview.onDidReceiveMessage((m: unknown) => dispatcher.dispatch(m)));
    // A hidden panel's webview is gone (no retained context): hold messages until it says ready again.
    this.disposables.push(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
    );
    this.live = new Debouncer(LIVE_DEBOUNCE_MS, () => this.update(), (err) => s.logger.error('Compare panel: live update failed', err));
    this.disposables.push(s.projects.onDidChange(() => this.live.trigger()));
    this.disposables.push(panel.onDidDispose(() => this.dispose()));
    this.guard(() => this.update());
  }

  get title(): string {
    return this.panel.title;
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** Resolves once the first state reached the webview (or after a time-out). */
  firstState(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.s.logger.warn('Compare panel: the webview did not report ready in time');
        resolve();
      }, FIRST_STATE_TIMEOUT_MS);
    });
    return Promise.race([this.firstPostedPromise, timeout]).finally(() => clearTimeout(timer));
  }

  async select(selection: Selection): Promise<void> {
    this.selection = checkSelection(this.s, selection);
    this.panel.title = title(this.selection);
    await this.update();
  }

  private async update(): Promise<void> {
    if (this.disposed) return;
    const generation = ++this.generation;
    const selection = this.selection;
    const differencesOnly = this.differencesOnly;
    const known = this.s.projects.index.project(selection.project);
    if (!known) {
      this.post(ErrorNotification, { message: `Project ${selection.project} is no longer in the workspace.` });
      return;
    }
    const chartVersions = await this.chartVersions.of(known);
    if (this.disposed || generation !== this.generation) return; // a newer update is on its way
    // The index may have changed while the Chart.yaml files were read: compare what it holds now.
    const project = this.s.projects.index.project(selection.project);
    if (!project) {
      this.post(ErrorNotification, { message: `Project ${selection.project} is no longer in the workspace.` });
      return;
    }
    let result: CompareResult;
    try {
      result = compareEnvironments(this.s.projects.index, {
        project: selection.project,
        source: selection.source,
        target: selection.target,
        tenant: selection.tenant,
        includeEqual: !differencesOnly,
        chartVersions,
      });
    } catch (err) {
      this.s.logger.error('Compare panel: compare failed', err);
      this.post(ErrorNotification, { message: err instanceof Error ? err.message : String(err) });
      return;
    }
    const state: StateParams = {
      selection,
      root: project.root,
      environments: project.environments.map((e) => e.name),
      tenants: [...project.tenants],
      differencesOnly,
      result: maskCompareResult(result, secretMasker(this.s.projects.secretValues(), DISPLAY_MASKING)) as WireCompareResult,
    };
    this.post(StateNotification, state);
  }

  private post<M extends string, P>(type: NotificationType<M, P>, params: P): void {
    // Only the latest matters: a newer state replaces one the webview has not received yet.
    this.pending = message(type, params);
    if (type.method === StateNotification.method) this.lastState = this.pending;
    this.flush();
  }

  private flush(): void {
    if (!this.ready || !this.pending || this.disposed) return;
    const m = this.pending;
    this.pending = undefined;
    void this.panel.webview.postMessage(m).then((delivered) => {
      if (delivered) {
        if (m.method === StateNotification.method) this.firstPosted();
      } else if (!this.pending) {
        this.pending = m; // the webview went away meanwhile: send it again after the next ready
        this.ready = false;
      }
    });
  }

  private async openOrigin(file: string, line: number): Promise<void> {
    // Never open a path the webview made up: only absolute files inside a known project root.
    const normalized = path.normalize(file);
    if (!path.isAbsolute(normalized) || !this.s.projects.index.projectOf(normalized)) {
      this.s.logger.warn(`Compare panel: refused to open ${JSON.stringify(file)}: not inside a project`);
      return;
    }
    const position = new vscode.Position(Math.max(0, line - 1), 0);
    await vscode.window.showTextDocument(vscode.Uri.file(normalized), {
      selection: new vscode.Range(position, position),
      viewColumn: vscode.ViewColumn.Beside,
      preview: true,
    });
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
    await vscode.commands.executeCommand('vscode.diff', left, right, `${workload}: ${source} ↔ ${target} (${tenant})`, {
      viewColumn: vscode.ViewColumn.Beside,
      preview: true,
    });
  }

  private guard(task: () => Promise<void>): void {
    task().catch((err: unknown) => {
      this.s.logger.error('Compare panel: action failed', err);
      // The webview keeps showing the last state (its pickers return to it) with the error above.
      this.post(ErrorNotification, { message: err instanceof Error ? err.message : String(err) });
    });
  }

  private dispose(): void {
    this.disposed = true;
    this.live.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

// -----------------------------------------------------------------------------------------------
// Chart versions.

/**
 * The `version` of each chart's Chart.yaml, read with vscode.workspace.fs and cached per file;
 * the cache is dropped whenever the projects change (a Chart.yaml saved or edited included).
 */
class ChartVersions {
  private readonly cache = new Map<string, Promise<string | undefined>>();

  constructor(private readonly s: Services) {
    s.store.register(s.projects.onDidChange(() => this.cache.clear()));
  }

  /** Chart folder (as written in the manifest) → version, for the charts that have one. */
  async of(project: Project): Promise<Record<string, string>> {
    const charts = [...new Set(project.workloads.map((w) => w.chart))];
    const versions = await Promise.all(charts.map((chart) => this.read(path.join(project.root, chart, 'Chart.yaml'))));
    const out: Record<string, string> = {};
    charts.forEach((chart, i) => {
      const version = versions[i];
      if (version !== undefined) out[chart] = version;
    });
    return out;
  }

  private read(file: string): Promise<string | undefined> {
    let entry = this.cache.get(file);
    if (!entry) {
      entry = (async () => {
        try {
          const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(file));
          const chart: unknown = parseYaml(new TextDecoder().decode(bytes));
          const version = chart && typeof chart === 'object' ? (chart as Record<string, unknown>)['version'] : undefined;
          return typeof version === 'string' || typeof version === 'number' ? String(version) : undefined;
        } catch (err) {
          // A missing or unparsable Chart.yaml: no version shown (the chart's own diagnostics tell why).
          this.s.logger.debug(`Compare panel: no chart version from ${file} (${String(err)})`);
          return undefined;
        }
      })();
      this.cache.set(file, entry);
    }
    return entry;
  }
}

// -----------------------------------------------------------------------------------------------
// Selections.

function title(selection: Selection): string {
  return `Compare ${selection.source} ↔ ${selection.target}`;
}

function isArgs(arg: unknown): arg is CompareArgs {
  if (!arg || typeof arg !== 'object') return false;
  const a = arg as Record<string, unknown>;
  return typeof a['project'] === 'string' && typeof a['source'] === 'string' && typeof a['target'] === 'string';
}

function isEnvironmentNode(arg: unknown): arg is Extract<TreeNode, { kind: 'environment' | 'tenant' }> {
  if (!arg || typeof arg !== 'object') return false;
  const a = arg as Record<string, unknown>;
  return (a['kind'] === 'environment' || a['kind'] === 'tenant') && typeof a['slug'] === 'string' && typeof a['environment'] === 'string';
}

function projectOrThrow(s: Services, slug: string): Project {
  const project = s.projects.index.project(slug);
  if (!project) throw new GitOpsHqError('project-not-found', `No GitOpsHQ project with slug "${slug}" is loaded.`);
  return project;
}

/** The selection with the tenant filled in; throws a typed error for anything unknown. */
function checkSelection(s: Services, args: CompareArgs): Selection {
  const project = projectOrThrow(s, args.project);
  const names = project.environments.map((e) => e.name);
  for (const env of [args.source, args.target]) {
    if (!names.includes(env)) {
      throw new GitOpsHqError('environment-not-found', `Project ${project.slug} has no environment "${env}" (it has ${names.join(', ')}).`);
    }
  }
  const tenant = args.tenant ?? project.tenants[0]!;
  if (!project.tenants.includes(tenant)) {
    throw new GitOpsHqError('tenant-not-found', `Project ${project.slug} has no tenant "${tenant}" (it has ${project.tenants.join(', ')}).`);
  }
  return { project: project.slug, source: args.source, target: args.target, tenant };
}

/** The environment after `environment` in promotion order (the one before it for the last). */
function nextInPromotion(project: Project, environment: string): string {
  const names = project.environments.map((e) => e.name);
  const i = names.indexOf(environment);
  return names[i + 1] ?? names[i - 1] ?? environment;
}

function fromNode(s: Services, node: { slug: string; environment: string; tenant?: string }): Selection {
  const project = projectOrThrow(s, node.slug);
  return checkSelection(s, {
    project: node.slug,
    source: node.environment,
    target: nextInPromotion(project, node.environment),
    ...(node.tenant ? { tenant: node.tenant } : {}),
  });
}

function defaultSelection(s: Services): Selection | undefined {
  const project = s.projects.index.projects().find((e) => e.project)?.project;
  const first = project?.environments[0]?.name;
  if (!project || !first) return undefined;
  return { project: project.slug, source: first, target: nextInPromotion(project, first), tenant: project.tenants[0]! };
}

async function ask(s: Services): Promise<Selection | undefined> {
  const projects = s.projects.index.projects().flatMap((e) => (e.project ? [e.project] : []));
  if (projects.length === 0) throw new GitOpsHqError('project-not-found', 'No GitOpsHQ project in this workspace.', 'Initialize one first.');
  const project =
    projects.length === 1
      ? projects[0]!
      : await pickOne('Compare: project', projects.map((p) => ({ label: p.name, description: p.slug, value: p })));
  if (!project) return undefined;
  const envs = project.environments.map((e) => e.name);
  if (envs.length < 2) throw new GitOpsHqError('environment-not-found', `Project ${project.slug} has only one environment: nothing to compare.`);
  const source = await pickOne('Compare: source environment', envs.map((e) => ({ label: e, value: e })), envs[0]);
  if (!source) return undefined;
  const target = await pickOne(
    `Compare ${source} with…`,
    envs.map((e) => ({ label: e, value: e, ...(e === source ? { description: 'same as source' } : {}) })),
    nextInPromotion(project, source),
  );
  if (!target) return undefined;
  const tenant =
    project.tenants.length > 1 ? await pickOne('Compare: tenant', project.tenants.map((t) => ({ label: t, value: t })), project.tenants[0]) : project.tenants[0];
  if (!tenant) return undefined;
  return { project: project.slug, source, target, tenant };
}

/** A QuickPick whose active item is the default; undefined when cancelled. */
function pickOne<T>(placeholder: string, items: (vscode.QuickPickItem & { value: T })[], preferred?: T): Promise<T | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { value: T }>();
    qp.placeholder = placeholder;
    qp.items = items;
    const active = items.find((i) => i.value === preferred);
    if (active) qp.activeItems = [active];
    let done = false;
    qp.onDidAccept(() => {
      done = true;
      resolve(qp.selectedItems[0]?.value ?? qp.activeItems[0]?.value);
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
