// The editor's fleet (issue 14): the core fleet model fed from the caches the extension already holds
// (ProjectService's Git state and workload errors, the release files, the cluster's informers), kept
// current by their change events and announced, coalesced, to the dashboard panel, the status bar
// and the API. Lives in the main bundle: the status bar needs it from activation, and computing it
// loads nothing (the cluster side is asked only while something visible holds the connections).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Debouncer } from '../../core/debounce';
import { computeFleet } from '../../core/fleet/fleetModel';
import type { Fleet, FleetBrokenProject, FleetSources, RolloutPort } from '../../core/fleet/types';
import type { EnvironmentClusterStatus } from '../../core/cluster/environmentStatus';
import type { Logger } from '../../core/logger';
import { loadedProjects } from '../../core/model/lookup';
import type { Project } from '../../core/types';
import type { ClusterService } from '../cluster/clusterService';
import type { DisposableStore } from '../lifecycle';
import type { ProjectService } from '../projectService';
import type { ReleaseService } from '../releases/releaseService';
import { ClusterStatusCache } from '../views/clusterStatusCache';

/** Git, release and cluster events arrive in bursts; one fleet per this much quiet. */
const CHANGE_DEBOUNCE_MS = 100;
/** The holder name under which the dashboard keeps the cluster connections open. */
const DASHBOARD_HOLDER = 'dashboard';

export class FleetService implements vscode.Disposable {
  private cached: Fleet | undefined;
  private readonly clusterStatus: ClusterStatusCache;
  private rollout: RolloutPort | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** The fleet may have changed (coalesced: at most one event per 100 ms of quiet). */
  readonly onDidChange = this.changed.event;
  private readonly debouncer: Debouncer;
  /** Fleets computed so far (tests and the benchmark count them). */
  computed = 0;

  constructor(
    private readonly projects: ProjectService,
    private readonly releases: ReleaseService,
    private readonly cluster: ClusterService,
    private readonly logger: Logger,
    store: DisposableStore,
  ) {
    this.clusterStatus = new ClusterStatusCache((project, env, tenant, bound) => cluster.status(project, env, tenant, bound));
    this.debouncer = new Debouncer(CHANGE_DEBOUNCE_MS, () => this.changed.fire(), (err) => logger.error('Fleet update failed', err));
    store.register(this.changed);
    store.register({ dispose: () => this.debouncer.dispose() });
    store.register(projects.onDidChange(() => this.invalidate()));
    store.register(releases.onDidChange(() => this.invalidate()));
    store.register(
      cluster.onDidChange((change) => {
        this.clusterStatus.invalidate(change.keys);
        this.invalidate();
      }),
    );
  }

  /** The fleet from the caches as they are now (computed once per change). */
  fleet(): Fleet {
    this.cached ??= this.compute((project, env, tenant, bound) => this.clusterStatus.get(project, env, tenant, bound));
    return this.cached;
  }

  /**
   * The API's answer: waits for Git and the release files, and asks every environment's cluster
   * (at most 10 s for a first list, as `clusterStatus` does), so it does not depend on what is open.
   */
  async fleetNow(): Promise<Fleet> {
    await this.releases.settled();
    const statuses = new Map<string, EnvironmentClusterStatus | undefined>();
    const asks: Promise<void>[] = [];
    for (const project of loadedProjects(this.projects.index)) {
      for (const env of project.environments) {
        for (const tenant of project.tenants) {
          const bound = this.bound(project, env.name, tenant);
          asks.push(
            this.cluster.statusNow(project, env.name, tenant, bound).then(
              (status) => void statuses.set(`${project.slug}/${env.name}/${tenant}`, status),
              (err: unknown) => this.logger.warn(`Fleet: the cluster of ${project.slug}/${env.name}/${tenant} could not be asked: ${String(err)}`),
            ),
          );
        }
      }
    }
    await Promise.all(asks);
    return this.compute((project, env, tenant) => statuses.get(`${project.slug}/${env}/${tenant}`));
  }

  /** Told when the dashboard shows or hides (the timeline then follows the latest releases). */
  onVisible: ((visible: boolean) => void) | undefined;

  /** The timeline's seam (issue 13): what it observes of rollouts colours the tiles. */
  setRolloutPort(port: RolloutPort | undefined): void {
    this.rollout = port;
    this.invalidate();
  }

  /** Something that shows the fleet's cluster side is visible (the dashboard panel): hold the connections. */
  setVisible(visible: boolean): void {
    this.cluster.setVisible(visible, DASHBOARD_HOLDER);
    this.onVisible?.(visible);
    if (visible) this.invalidate();
  }

  /** Resolves once a pending change event has fired (tests). */
  async settled(): Promise<void> {
    await this.releases.settled();
    await this.debouncer.idle();
  }

  /** Recomputes now and announces it (the timeline's seam calls this when its phases move). */
  invalidate(): void {
    this.cached = undefined;
    this.debouncer.trigger();
  }

  dispose(): void {
    this.debouncer.dispose();
  }

  private bound(project: Project, environment: string, tenant: string): string[] {
    return project.workloads.filter((w) => this.projects.index.isBound(project.slug, w.name, environment, tenant)).map((w) => w.name);
  }

  private compute(cluster: FleetSources['cluster']): Fleet {
    const index = this.projects.index;
    const broken: FleetBrokenProject[] = index
      .projects()
      .filter((e) => !e.project)
      .map((e) => ({ manifestPath: e.manifestPath, label: path.basename(e.root), errors: e.problems.filter((p) => p.severity === 'error').length }));
    const sources: FleetSources = {
      projects: loadedProjects(index),
      broken,
      deployState: (slug, env, tenant) => this.projects.deployState(slug, env, tenant),
      workloadErrors: (slug, env, tenant) => this.projects.workloadErrors.get(slug, env, tenant),
      bound: (project, env, tenant) => this.bound(project, env, tenant),
      cluster,
      releases: (slug) => this.releases.releases(slug).flatMap((e) => (e.release ? [e.release] : [])),
      mayApprove: (slug, release) => this.releases.cachedAllowed(slug, release).includes('approve'),
      identity: (slug) => this.releases.cachedIdentity(slug),
      now: new Date(),
      ...(this.rollout ? { rollout: this.rollout } : {}),
    };
    this.computed++;
    return computeFleet(sources);
  }
}
