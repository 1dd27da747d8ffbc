// The editor side of the deployment timeline (issue 13): for a release (or a workload) in one tenant,
// the core timeline from the cluster's objects (the informers of its namespace, held while someone
// follows it), the release files, Git's ancestry answers (a cache an async `merge-base` fills) and
// the clock. Phases reached are remembered per release, tenant and workload, so a release superseded
// later keeps the phase it had reached. Everything that leaves is masked by the one masker.
import * as vscode from 'vscode';
import type { ConnectionState } from '../../core/cluster/clusterErrors';
import type { ResourceType, ScopeHandle, ScopeSnapshot } from '../../core/cluster/connections';
import { WORKLOAD_RESOURCES } from '../../core/cluster/connections';
import type { PodHealth } from '../../core/cluster/podHealth';
import type { Logger } from '../../core/logger';
import type { Release } from '../../core/release/types';
import { DISPLAY_MASKING, secretMasker } from '../../core/secrets/mask';
import { DEFAULT_HEALTHY_AFTER_SECONDS } from '../../core/timeline/phases';
import type { ReleaseTimeline } from '../../core/timeline/releaseTimeline';
import { supersededAt } from '../../core/timeline/releaseSelection';
import { ms } from '../../core/timeline/times';
import type { Timeline, TimelineRelease } from '../../core/timeline/types';
import type * as Kube from '../../infra/kube/index';
import { FIRST_SYNC_WAIT_MS, type ClusterService } from '../cluster/clusterService';
import type { DisposableStore } from '../lifecycle';
import type { ProjectService } from '../projectService';
import type { ReleaseService } from '../releases/releaseService';
import { AncestryCache } from './ancestryCache';
import { resolveTarget, targetKey, type ResolvedTarget, type TimelineTarget } from './timelineTarget';

export type { TimelineTarget } from './timelineTarget';

/** The timeline needs the events and Argo CD's Applications beside what the tree watches. */
export const TIMELINE_RESOURCES: readonly ResourceType[] = [...WORKLOAD_RESOURCES, 'events', 'applications'];
/** At most this often a followed timeline is computed again, however stormy the watches. */
const RECOMPUTE_INTERVAL_MS = 250;
/** Timers that wait for a window or a deadline fire this much after it, so the objects say it passed. */
const TIMER_SLACK_MS = 50;

export interface TimelineView {
  key: string;
  project: string;
  environment: string;
  tenant: string;
  tenants: string[];
  /** Absent: no deployed release, the workload's live rollout. */
  release?: Release;
  workload?: string;
  connection: ConnectionState;
  /** Why the cluster could not be asked (names the context, never a credential). */
  message?: string;
  synced: boolean;
  /** Secrets masked. */
  timeline: ReleaseTimeline;
  /** Pods per workload, new template first: the current ones, then the old ones. */
  pods: (PodHealth & { workload: string })[];
}

export type TimelineListener = (result: { view: TimelineView } | { error: unknown }) => void;

export class TimelineService implements vscode.Disposable {
  private readonly ancestry: AncestryCache;
  /** The last timelines computed, per target key and workload: phases reached keep their times. */
  private readonly previous = new Map<string, Map<string, Timeline>>();
  private readonly subscriptions = new Set<Subscription>();
  private windowSeconds = readWindow();

  constructor(
    readonly projects: ProjectService,
    readonly releases: ReleaseService,
    private readonly cluster: ClusterService,
    readonly logger: Logger,
    store: DisposableStore,
  ) {
    this.ancestry = new AncestryCache(
      (slug, a, d) => releases.isAncestor(slug, a, d),
      () => this.recomputeAll(),
    );
    store.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('gitopshq.healthyAfterSeconds')) return;
        this.windowSeconds = readWindow();
        this.recomputeAll();
      }),
    );
    store.register(releases.onDidChange(() => this.recomputeAll()));
  }

  /** `gitopshq.healthyAfterSeconds` as it is now. */
  get healthyAfterSeconds(): number {
    return this.windowSeconds;
  }

  resolve(target: TimelineTarget): ResolvedTarget {
    return resolveTarget(this.projects.index, (slug) => this.releaseList(slug), target);
  }

  /**
   * Follows a timeline: `listener` gets a view after the first list and after every change
   * (throttled), and when a stabilisation window or a progress deadline passes. The namespace's
   * informers run until the returned disposable is disposed.
   */
  follow(target: TimelineTarget, listener: TimelineListener): vscode.Disposable {
    const sub = new Subscription(this, target, listener);
    this.subscriptions.add(sub);
    sub.start();
    return { dispose: () => { this.subscriptions.delete(sub); sub.dispose(); } };
  }

  /** One answer (the API): waits for the first list (at most 10 s) and for Git's ancestry answers. */
  async now(target: TimelineTarget): Promise<TimelineView> {
    const resolved = this.resolve(target);
    const { handle, kube } = await this.open(resolved, () => undefined);
    try {
      await handle.whenSettled(FIRST_SYNC_WAIT_MS);
      let view = this.compute(resolved, handle.snapshot(), kube);
      // A recognition Git has not answered yet: wait for the answers (a few ms) and compute again.
      for (let i = 0; i < 20 && view.timeline.workloads.some((w) => w.timeline.recognition.running === undefined); i++) {
        await this.ancestry.idle();
        await new Promise((r) => setTimeout(r, 25));
        view = this.compute(this.resolve(target), handle.snapshot(), kube);
      }
      return view;
    } finally {
      handle.dispose();
    }
  }

  /** @internal For subscriptions. */
  open(resolved: ResolvedTarget, onChange: () => void): Promise<{ handle: ScopeHandle; kube: typeof Kube }> {
    return this.cluster.openScope(resolved.project, resolved.environment, resolved.tenant, TIMELINE_RESOURCES, onChange);
  }

  /** @internal The view from one snapshot; remembers the phases reached. */
  compute(resolved: ResolvedTarget, snapshot: ScopeSnapshot, kube: typeof Kube): TimelineView {
    const { project, environment, tenant } = resolved;
    const key = targetKey(resolved);
    const now = Date.now();
    const base = {
      key,
      project: project.slug,
      environment,
      tenant,
      tenants: resolved.tenants,
      ...(resolved.release ? { release: resolved.release } : {}),
      ...(resolved.workload !== undefined ? { workload: resolved.workload } : {}),
      connection: snapshot.connection,
      ...(snapshot.error ? { message: snapshot.error.message } : {}),
      synced: snapshot.synced,
    };
    let release: TimelineRelease | undefined = resolved.release;
    let imageTag: (w: string) => string | undefined = () => undefined;
    if (resolved.release) {
      const r = resolved.release;
      // The working tree's image tag is the release's only while the release is the latest there (a fallback rule).
      imageTag = (w) => (this.isLatest(project.slug, r, tenant, w) ? this.projects.index.imageTag(project.slug, w, environment, tenant) : undefined);
    } else {
      const w = resolved.workloads[0]!;
      const object = findObject(snapshot, w);
      const live = kube.liveRelease(environment, object, snapshot);
      if (live) {
        release = live.release;
        imageTag = () => live.imageTag;
      }
    }
    const superseded = resolved.release ? supersededAt(resolved.release, tenant, this.releaseList(project.slug)) : undefined;
    let timeline: ReleaseTimeline;
    if (!release || !snapshot.synced) {
      const why = !snapshot.synced ? (snapshot.connection === 'connected' ? 'waiting for the cluster' : `cluster: ${snapshot.connection}`) : 'the workload is not in the cluster';
      timeline = { phase: 'pending', reached: release?.deploy.at ? [{ phase: 'pending', at: release.deploy.at, detail: why }] : [], superseded: superseded !== undefined, workloads: [], events: [] };
    } else {
      timeline = kube.releaseTimeline({
        project,
        release,
        tenant,
        workloads: resolved.workloads,
        snapshot,
        overrides: this.cluster.clusterOverrides,
        imageTag,
        isAncestor: this.ancestry.port(project.slug),
        now,
        healthyAfterSeconds: this.windowSeconds,
        supersededAt: superseded,
        previous: resolved.release ? this.previous.get(key) : undefined,
      });
      if (resolved.release) this.previous.set(key, new Map(timeline.workloads.map((w) => [w.workload, w.timeline])));
    }
    const pods = timeline.workloads.flatMap((w) => [...w.timeline.pods.current, ...w.timeline.pods.old].map((p) => ({ ...p, workload: w.workload })));
    const masker = secretMasker(this.projects.secretValues(), DISPLAY_MASKING);
    return masker.deep({ ...base, timeline, pods });
  }

  /** When a followed timeline must be computed again without any object change: a window or a deadline ends. */
  nextDeadline(view: TimelineView): number | undefined {
    let next: number | undefined;
    const consider = (t: number | undefined) => {
      if (t !== undefined && t > Date.now() && (next === undefined || t < next)) next = t;
    };
    for (const w of view.timeline.workloads) {
      const last = w.timeline.reached[w.timeline.reached.length - 1];
      if (!last || w.timeline.superseded) continue;
      if (last.phase === 'deployed') consider((ms(last.at) ?? 0) + this.windowSeconds * 1000 + TIMER_SLACK_MS);
    }
    return next;
  }

  releaseList(slug: string): Release[] {
    return this.releases.releases(slug).flatMap((e) => (e.release ? [e.release] : []));
  }

  idleAncestry(): Promise<void> {
    return this.ancestry.idle();
  }

  dispose(): void {
    for (const sub of this.subscriptions) sub.dispose();
    this.subscriptions.clear();
  }

  /** No later deployed release of (environment, tenant) deploys `workload`. */
  private isLatest(slug: string, release: Release, tenant: string, workload: string): boolean {
    const others = this.releaseList(slug).filter((r) => r.changes.some((c) => c.workload === undefined || c.workload === workload));
    return supersededAt(release, tenant, others) === undefined;
  }

  private recomputeAll(): void {
    for (const sub of this.subscriptions) sub.changed();
  }
}

function readWindow(): number {
  const value = vscode.workspace.getConfiguration('gitopshq').get<number>('healthyAfterSeconds', DEFAULT_HEALTHY_AFTER_SECONDS);
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : DEFAULT_HEALTHY_AFTER_SECONDS;
}

function findObject(snapshot: ScopeSnapshot, w: ResolvedTarget['workloads'][number]) {
  const list = w.kube.kind === 'StatefulSet' ? snapshot.statefulSets : w.kube.kind === 'DaemonSet' ? snapshot.daemonSets : snapshot.deployments;
  return list.find((o) => o.metadata.name === w.kube.name);
}

/** One follower: its scope hold, the throttle, the window timer. */
class Subscription {
  private handle: ScopeHandle | undefined;
  private kube: typeof Kube | undefined;
  private disposed = false;
  private throttle: ReturnType<typeof setTimeout> | undefined;
  private windowTimer: ReturnType<typeof setTimeout> | undefined;
  private lastRun = 0;

  constructor(
    private readonly service: TimelineService,
    private readonly target: TimelineTarget,
    private readonly listener: TimelineListener,
  ) {}

  start(): void {
    let resolved: ResolvedTarget;
    try {
      resolved = this.service.resolve(this.target);
    } catch (err) {
      this.listener({ error: err });
      return;
    }
    this.service.open(resolved, () => this.changed()).then(
      ({ handle, kube }) => {
        if (this.disposed) {
          handle.dispose();
          return;
        }
        this.handle = handle;
        this.kube = kube;
        this.run();
      },
      (err: unknown) => this.listener({ error: err }),
    );
  }

  changed(): void {
    if (this.disposed || !this.handle || this.throttle) return;
    const wait = Math.max(0, this.lastRun + RECOMPUTE_INTERVAL_MS - Date.now());
    this.throttle = setTimeout(() => {
      this.throttle = undefined;
      this.run();
    }, wait);
  }

  dispose(): void {
    this.disposed = true;
    if (this.throttle) clearTimeout(this.throttle);
    if (this.windowTimer) clearTimeout(this.windowTimer);
    this.handle?.dispose();
    this.handle = undefined;
  }

  private run(): void {
    if (this.disposed || !this.handle || !this.kube) return;
    this.lastRun = Date.now();
    let view: TimelineView;
    try {
      view = this.service.compute(this.service.resolve(this.target), this.handle.snapshot(), this.kube);
    } catch (err) {
      this.listener({ error: err });
      return;
    }
    this.listener({ view });
    if (this.windowTimer) clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
    const next = this.service.nextDeadline(view);
    if (next !== undefined) this.windowTimer = setTimeout(() => this.run(), next - Date.now());
  }
}
