// The runtime phase of deployed releases for the Releases view and the release panel (issue 13):
// follows, per (project, environment, tenant), the latest deployed release while the Releases view is
// visible, and any release deployed since the window opened until its rollout ends, whatever is
// visible. A followed release reaching Failed raises one notification.
import * as vscode from 'vscode';
import type { Phase } from '../../core/timeline/types';
import { deployedReleases } from '../../core/timeline/releaseSelection';
import { ms } from '../../core/timeline/times';
import type { DisposableStore } from '../lifecycle';
import type { TimelineService, TimelineView } from './timelineService';

export const SHOW_TIMELINE = 'Show Timeline';
export const STREAM_LOGS = 'Stream Logs';
const LOGS_COMMAND = 'gitopshq.logs.stream';
/** A release deployed in this window is followed at most this long when nothing shows it. */
const FOLLOW_NEW_MS = 30 * 60_000;
const REFRESH_DEBOUNCE_MS = 300;

export interface RuntimePhase {
  phase: Phase;
  superseded: boolean;
  /** One line: the failure's reason and pod, or the last phase's detail. */
  detail: string;
  /** Per tenant, for the tooltip. */
  tenants: Record<string, Phase>;
}

export interface RuntimeNotice {
  project: string;
  release: string;
  tenant: string;
  message: string;
  actions: string[];
}

export class ReleaseRuntime implements vscode.Disposable {
  private readonly follows = new Map<string, vscode.Disposable>();
  private readonly views = new Map<string, TimelineView>();
  /** Releases (`slug/id`) a notification was shown for. */
  private readonly notified = new Set<string>();
  /** Releases a panel shows: `slug/id` → how many hold it. */
  private readonly held = new Map<string, number>();
  private readonly changedEmitter = new vscode.EventEmitter<{ slug: string; release: string }>();
  readonly onDidChange = this.changedEmitter.event;
  private visible = false;
  private readonly holders = new Set<string>();
  private readonly startedAt = Date.now();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The notifications shown, newest last (the integration tests read them). */
  readonly notices: RuntimeNotice[] = [];

  constructor(
    private readonly timelines: TimelineService,
    store: DisposableStore,
  ) {
    store.register(this.changedEmitter);
    store.register(timelines.releases.onDidChange(() => this.schedule()));
    store.register(timelines.projects.onDidChange(() => this.schedule()));
    this.schedule();
  }

  /**
   * Whether something that shows the latest releases' phases is visible (the Releases view, the
   * dashboard): they are followed only while one of them shows.
   */
  setVisible(visible: boolean, holder = 'releases'): void {
    if (visible) this.holders.add(holder);
    else this.holders.delete(holder);
    if (this.holders.size > 0 === this.visible) return;
    this.visible = this.holders.size > 0;
    this.schedule();
  }

  /** The followed (tenant, environment)'s latest deployed release as the cluster runs it, if followed. */
  rollout(slug: string, environment: string, tenant: string): TimelineView | undefined {
    let latest: TimelineView | undefined;
    for (const [key, view] of this.views) {
      if (!key.startsWith(`${slug}/`) || view.environment !== environment || view.tenant !== tenant || !view.release) continue;
      if (!latest || (view.release.deploy.at ?? '') > (latest.release?.deploy.at ?? '')) latest = view;
    }
    return latest;
  }

  /** Every followed (release, tenant)'s latest view. */
  followedViews(): TimelineView[] {
    return [...this.views.values()];
  }

  /** Follows a release in every tenant while the disposable lives (its panel is open). */
  watch(slug: string, id: string): vscode.Disposable {
    const key = `${slug}/${id}`;
    this.held.set(key, (this.held.get(key) ?? 0) + 1);
    this.schedule();
    return {
      dispose: () => {
        const n = (this.held.get(key) ?? 1) - 1;
        if (n > 0) this.held.set(key, n);
        else this.held.delete(key);
        this.schedule();
      },
    };
  }

  /** The runtime phase of a release over its tenants, when followed (or followed before). */
  phase(slug: string, id: string): RuntimePhase | undefined {
    const tenants: Record<string, Phase> = {};
    let worst: TimelineView | undefined;
    const rank = (p: Phase) => (p === 'failed' ? -1 : ['pending', 'in_progress', 'deployed', 'healthy'].indexOf(p));
    for (const [key, view] of this.views) {
      if (!key.startsWith(`${slug}/${id}/`)) continue;
      tenants[view.tenant] = view.timeline.phase;
      if (!worst || rank(view.timeline.phase) < rank(worst.timeline.phase)) worst = view;
    }
    if (!worst) return undefined;
    const t = worst.timeline;
    const last = t.reached[t.reached.length - 1];
    const detail = t.failure ? `${t.failure.reason}${t.failure.pod ? ` (pod ${t.failure.pod})` : ''}` : (last?.detail ?? '');
    return { phase: t.phase, superseded: t.superseded, detail, tenants };
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const f of this.follows.values()) f.dispose();
    this.follows.clear();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refollow();
    }, REFRESH_DEBOUNCE_MS);
  }

  /** Which (release, tenant)s to follow now; starts and stops follows to match. */
  private refollow(): void {
    const wanted = new Map<string, { project: string; release: string; tenant: string }>();
    for (const entry of this.timelines.projects.index.projects()) {
      const project = entry.project;
      if (!project) continue;
      const releases = this.timelines.releaseList(project.slug);
      for (const env of project.environments) {
        for (const tenant of project.tenants) {
          const deployed = deployedReleases(releases, env.name, tenant);
          const latest = deployed[0];
          if (latest && this.visible) wanted.set(`${project.slug}/${latest.id}/${tenant}`, { project: project.slug, release: latest.id, tenant });
          for (const r of deployed) {
            const at = ms(r.deploy.at) ?? 0;
            const key = `${project.slug}/${r.id}/${tenant}`;
            if (this.held.has(`${project.slug}/${r.id}`)) wanted.set(key, { project: project.slug, release: r.id, tenant });
            const ended = ['healthy', 'failed'].includes(this.views.get(key)?.timeline.phase ?? '');
            if (at >= this.startedAt - 5_000 && Date.now() - at < FOLLOW_NEW_MS && !ended) wanted.set(key, { project: project.slug, release: r.id, tenant });
          }
        }
      }
    }
    for (const [key, follow] of this.follows) {
      if (wanted.has(key)) continue;
      follow.dispose();
      this.follows.delete(key);
    }
    for (const [key, target] of wanted) {
      if (this.follows.has(key)) continue;
      this.follows.set(
        key,
        this.timelines.follow(target, (result) => {
          if ('error' in result) {
            this.timelines.logger.debug(`Release runtime: ${key}: ${result.error instanceof Error ? result.error.message : String(result.error)}`);
            return;
          }
          this.update(key, result.view);
        }),
      );
    }
  }

  private update(key: string, view: TimelineView): void {
    const before = this.views.get(key);
    this.views.set(key, view);
    const [slug = '', release = ''] = key.split('/');
    if (before?.timeline.phase !== view.timeline.phase || before?.timeline.superseded !== view.timeline.superseded) this.changedEmitter.fire({ slug, release });
    // A failure older than this window is history: the view shows it, no pop-up.
    const failedAt = ms(view.timeline.reached.find((s) => s.phase === 'failed')?.at) ?? 0;
    // One notification per release, whichever of its tenants failed first.
    const once = `${slug}/${release}`;
    if (view.timeline.phase === 'failed' && !view.timeline.superseded && !this.notified.has(once) && failedAt >= this.startedAt - 60_000) {
      this.notified.add(once);
      void this.notify(view);
    }
    // A rollout that ended needs no follow unless the view shows it.
    if (before?.timeline.phase !== view.timeline.phase && ['healthy', 'failed'].includes(view.timeline.phase)) this.schedule();
  }

  private async notify(view: TimelineView): Promise<void> {
    const t = view.timeline;
    const f = t.failure;
    const title = view.release?.title ?? view.workload ?? '';
    const where = view.tenants.length > 1 ? `${view.environment} (${view.tenant})` : view.environment;
    const message = `Release "${title}" failed in ${where}: ${f ? `${f.reason}${f.pod ? ` in pod ${f.pod}` : ''}` : 'see its timeline'}.`;
    const logs = (await vscode.commands.getCommands(true)).includes(LOGS_COMMAND);
    const actions = logs ? [SHOW_TIMELINE, STREAM_LOGS] : [SHOW_TIMELINE];
    const release = view.release?.id ?? '';
    this.notices.push({ project: view.project, release, tenant: view.tenant, message, actions });
    const choice = await vscode.window.showErrorMessage(message, ...actions);
    if (choice === SHOW_TIMELINE) await vscode.commands.executeCommand('gitopshq.timeline.show', { project: view.project, release, tenant: view.tenant });
    if (choice === STREAM_LOGS) {
      const failedAt = Date.parse(t.reached.find((s) => s.phase === 'failed')?.at ?? '') || Date.now();
      await vscode.commands.executeCommand(LOGS_COMMAND, {
        project: view.project,
        environment: view.environment,
        workload: f?.workload ?? view.timeline.workloads[0]?.workload ?? '',
        tenant: view.tenant,
        ...(f?.pod ? { pod: f.pod } : {}),
        sinceTime: new Date(failedAt - 60_000).toISOString(),
      });
    }
  }
}
