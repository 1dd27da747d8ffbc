// The deployment timeline panel (host side): `gitopshq.timeline.show` with a release (and tenant) or
// an environment and workload. It follows the timeline through the TimelineService (which holds the
// namespace's informers while the panel is open) and sends the whole state on every change; the
// service throttles the changes. "Stream logs" hands over to `gitopshq.logs.stream` when it exists.
import * as vscode from 'vscode';
import type { TimelineView } from '../timeline/timelineService';
import type { TimelineService } from '../timeline/timelineService';
import { parseTarget, type TimelineTarget } from '../timeline/timelineTarget';
import { toWireError } from '../../protocol/ipc';
import {
  ErrorNotification,
  OpenReleaseCommand,
  ReadyCommand,
  RenderedCommand,
  SelectTenantCommand,
  StateNotification,
  StreamLogsCommand,
  webviewStateSchema,
  type TimelineState,
} from '../../protocol/timeline';
import type { ReleaseService } from '../releases/releaseService';
import type { Services } from '../services';
import { PanelHost, PanelRegistry } from './panelHost';
import { openReleasePanel } from './releasePanel';
import { TIMELINE_VIEW_TYPE } from './viewTypes';

export const LOGS_COMMAND = 'gitopshq.logs.stream';
const TITLE_LENGTH = 48;

export interface RenderTiming {
  ms: number;
  first: boolean;
  pods: number;
  events: number;
}

const open = new PanelRegistry<TimelinePanel>();
/** Every render the webviews reported (the integration run prints them against the budget). */
const renders: RenderTiming[] = [];

export function timelineRenders(): readonly RenderTiming[] {
  return renders;
}

let latest: TimelinePanel | undefined;

/** Not for users: sends `state` to the panel opened last (the integration run's render benchmark). */
export function postTimelineState(state: TimelineState): boolean {
  if (!latest || latest.isDisposed) return false;
  latest.postState(state);
  return true;
}

export async function openTimelinePanel(s: Services, releases: ReleaseService, timelines: TimelineService, target: TimelineTarget): Promise<void> {
  await s.projects.ready;
  const resolved = timelines.resolve(target);
  const key = keyOf(target, resolved.tenant);
  await open.show(
    s,
    { viewType: TIMELINE_VIEW_TYPE, title: titleOf(resolved.workload === undefined ? resolved.release?.title : undefined, resolved.workload, resolved.environment), key },
    () => undefined,
    (panel) => (latest = new TimelinePanel(s, releases, timelines, panel, { ...target, tenant: resolved.tenant })),
  );
}

export async function restoreTimelinePanel(s: Services, releases: ReleaseService, timelines: TimelineService, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
  await s.projects.ready;
  const saved = webviewStateSchema.safeParse(state ?? {});
  const target = saved.success ? parseTarget(saved.data) : undefined;
  let ok = false;
  if (target) {
    try {
      timelines.resolve(target);
      ok = true;
    } catch {
      ok = false;
    }
  }
  open.restore(s, panel, ok && target ? { key: keyOf(target, target.tenant ?? ''), create: (p) => new TimelinePanel(s, releases, timelines, p, target) } : undefined);
}

/** The open panel's title (tests find the webview by it): the release's, or `<workload> in <environment>` for the workload form. */
export function titleOf(releaseTitle: string | undefined, workload: string | undefined, environment: string): string {
  const what = releaseTitle ?? `${workload ?? ''} in ${environment}`;
  return `Timeline: ${what.length > TITLE_LENGTH ? `${what.slice(0, TITLE_LENGTH - 1)}…` : what}`;
}

function keyOf(target: TimelineTarget, tenant: string): string {
  return 'release' in target ? `${target.project}/${target.release}/${tenant}` : `${target.project}/${target.environment}/${target.workload}/${tenant}`;
}

class TimelinePanel extends PanelHost {
  private following: vscode.Disposable | undefined;
  private last: TimelineView | undefined;
  private lastSent: TimelineState | undefined;
  /** States sent, and renders the webview reported: a delta only goes to a webview that rendered the state before it. */
  private sent = 0;
  private rendered = 0;

  constructor(
    s: Services,
    releases: ReleaseService,
    private readonly timelines: TimelineService,
    panel: vscode.WebviewPanel,
    private target: TimelineTarget,
  ) {
    super(s, panel, { title: panel.title, bundle: 'timeline', label: 'Timeline panel' });
    this.channel.dispatcher
      .on(ReadyCommand, () => {
        this.onReady();
        this.channel.markReady();
      })
      .on(SelectTenantCommand, ({ tenant }) => this.switchTenant(tenant))
      .on(StreamLogsCommand, (p) => this.guard(() => this.streamLogs(p.workload, p.pod, p.at), 'streaming logs'))
      .on(OpenReleaseCommand, ({ id }) => this.guard(() => openReleasePanel(s, releases, this.target.project, id), `opening ${id}`))
      .on(RenderedCommand, (timing) => {
        this.rendered++;
        renders.push(timing);
        s.logger.debug(`Timeline panel: rendered ${timing.pods} pods and ${timing.events} events in ${timing.ms.toFixed(1)} ms (${timing.first ? 'first' : 'update'})`);
      });
    // The logs command may be registered later (another feature's bundle): look again when the panel shows.
    this.register(panel.onDidChangeViewState(() => panel.visible && this.last && void this.send(this.last)));
    this.follow();
  }

  protected override failed(err: unknown): void {
    this.post(ErrorNotification, toWireError(err));
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  postState(state: TimelineState): void {
    this.sendState(state);
  }

  /**
   * Sends the state; when the events only grew since the last state the webview rendered (it said
   * so), only the new ones. Anything else (not rendered yet, a reload) gets the whole state.
   */
  private sendState(state: TimelineState): void {
    const before = this.rendered === this.sent ? this.lastSent : undefined;
    this.lastSent = state;
    this.sent++;
    const same = before !== undefined && before.events.length <= state.events.length && state.events.length > 0 && sameEvents(before.events, state.events);
    this.post(StateNotification, same ? { ...state, events: state.events.slice(before.events.length), eventsFrom: before.events.length } : state);
  }

  protected override onDispose(): void {
    this.following?.dispose();
  }

  private follow(): void {
    this.following?.dispose();
    this.following = this.timelines.follow(this.target, (result) => {
      if (this.disposed) return;
      if ('error' in result) {
        this.failed(result.error);
        return;
      }
      this.last = result.view;
      void this.send(result.view);
    });
  }

  private onReady(): void {
    // A webview (re)loaded has no events: it gets the whole last state, and deltas only after it rendered one.
    this.rendered = this.sent = 0;
    if (this.lastSent) {
      const whole = this.lastSent;
      this.lastSent = undefined;
      this.sendState(whole);
    }
  }

  private switchTenant(tenant: string): void {
    if (tenant === this.target.tenant) return;
    this.target = { ...this.target, tenant };
    this.follow();
  }

  private async send(view: TimelineView): Promise<void> {
    const logs = (await vscode.commands.getCommands(true)).includes(LOGS_COMMAND);
    if (this.disposed) return;
    this.panel.title = titleOf(view.workload === undefined ? view.release?.title : undefined, view.workload, view.environment);
    this.sendState(toState(view, logs, this.timelines.healthyAfterSeconds));
  }

  private async streamLogs(workload: string, pod: string | undefined, at: string): Promise<void> {
    const view = this.last;
    if (!view) return;
    const moment = Date.parse(at);
    const sinceTime = new Date((Number.isFinite(moment) ? moment : Date.now()) - 60_000).toISOString();
    await vscode.commands.executeCommand(LOGS_COMMAND, { project: view.project, environment: view.environment, workload, tenant: view.tenant, ...(pod ? { pod } : {}), sinceTime });
  }
}

/** `before` is a prefix of `after` (same events, same order, counts unchanged). */
function sameEvents(before: TimelineState['events'], after: TimelineState['events']): boolean {
  for (let i = 0; i < before.length; i++) {
    const a = before[i]!;
    const b = after[i]!;
    if (a.at !== b.at || a.count !== b.count || a.reason !== b.reason || a.object !== b.object || a.message !== b.message || a.type !== b.type || a.workload !== b.workload) return false;
  }
  return true;
}

/** The view as the webview gets it: only what it shows. */
export function toState(view: TimelineView, logs: boolean, healthyAfterSeconds: number): TimelineState {
  const t = view.timeline;
  const r = view.release;
  const state: TimelineState = {
    project: view.project,
    environment: view.environment,
    tenant: view.tenant,
    tenants: view.tenants,
    connection: view.connection,
    synced: view.synced,
    phase: t.phase,
    superseded: t.superseded,
    reached: t.reached.map((s) => ({ phase: s.phase, at: s.at, detail: s.detail })),
    workloads: t.workloads.map((w) => ({ name: w.workload, phase: w.timeline.phase, recognition: w.timeline.recognition.detail })),
    pods: view.pods.map((p) => {
      const failing = p.containers.find((c) => c.reason && c.reason === p.reason) ?? p.containers.find((c) => c.state === 'waiting' && c.reason);
      return {
        workload: p.workload,
        name: p.name,
        phase: p.phase,
        ready: p.ready,
        restarts: p.restarts,
        ...(p.reason ? { reason: p.reason } : {}),
        ...(failing?.message ? { message: failing.message } : {}),
        ...(p.node ? { node: p.node } : {}),
        ...(p.createdAt ? { createdAt: p.createdAt } : {}),
        current: p.current,
        terminating: p.terminating,
        images: p.containers.filter((c) => !c.init).map((c) => c.image),
      };
    }),
    events: t.events.map((e) => ({ workload: e.workload, at: e.at, type: e.type, reason: e.reason, message: e.message, object: e.object, count: e.count })),
    logs,
    healthyAfterSeconds,
  };
  if (view.workload) state.workload = view.workload;
  if (view.message) state.message = view.message;
  if (t.failure) {
    const f = t.failure;
    state.failure = { workload: f.workload, reason: f.reason, ...(f.pod ? { pod: f.pod } : {}), ...(f.container ? { container: f.container } : {}), ...(f.message ? { message: f.message } : {}) };
  }
  if (r) {
    state.release = {
      id: r.id,
      title: r.title,
      author: r.createdBy,
      approvers: r.approvals.filter((a) => a.decision === 'approve').map((a) => a.by),
      ...(r.deploy.commits?.[view.tenant] ?? r.deploy.commit ? { deployCommit: (r.deploy.commits?.[view.tenant] ?? r.deploy.commit)! } : {}),
      ...(r.deploy.at ? { deployAt: r.deploy.at } : {}),
    };
  }
  return state;
}
