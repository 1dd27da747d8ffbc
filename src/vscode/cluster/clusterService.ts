import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClusterConnections, ResourceType, ScopeHandle, ScopeRequest } from '../../core/cluster/connections';
import { WORKLOAD_RESOURCES } from '../../core/cluster/connections';
import { connectingStatus, type EnvironmentClusterStatus } from '../../core/cluster/environmentStatus';
import type * as Kube from '../../infra/kube/index';
import { labelMatcher } from '../../core/cluster/labels';
import { environmentPlacement, parseClusterOverrides, tenantSelector, tenantsSharingNamespace, workloadTarget, type ClusterOverrides } from '../../core/cluster/placement';
import type { LogSessionHandle, LogSessionRequest, LogSessionSink } from '../../core/logs/ports';
import type { Logger } from '../../core/logger';
import type { Project, Workload } from '../../core/types';
import { loadKube } from '../kubeContexts';
import type { DisposableStore } from '../lifecycle';
import type { ProjectService } from '../projectService';

/** At most this many change events per second reach the views, however stormy the watches (issue: ≤ 4 tree refreshes/s). */
const CHANGE_INTERVAL_MS = 250;
/** `clusterStatus` waits at most this long for the first list. */
export const FIRST_SYNC_WAIT_MS = 10_000;
const KUBECONFIG_DEBOUNCE_MS = 300;

export interface ClusterChange {
  /** `<slug>/<environment>/<tenant>` of every combination whose status may have changed; empty: all. */
  keys: Set<string>;
}

interface Scope {
  request: ScopeRequest;
  /** Open while the views show one of the combinations placed in this scope. */
  handle?: ScopeHandle;
  /** `<slug>/<environment>/<tenant>` placed here. */
  combos: Set<string>;
}

export function comboKey(slug: string, environment: string, tenant: string): string {
  return `${slug}/${environment}/${tenant}`;
}

/**
 * The editor's side of the cluster connection: settings, Workspace Trust, the kubeconfig watch, and
 * which scopes are held open. The views ask `status()` synchronously (it answers from the informers'
 * caches); the first ask loads dist/kube.js in the background. Informers run while the Projects view
 * is visible and shows the environment, and stop a minute after (the pool's idle stop).
 */
export class ClusterService implements vscode.Disposable {
  private connections: ClusterConnections | undefined;
  /** dist/kube.js once loaded: the client and the health derivation. */
  private kube: typeof Kube | undefined;
  private loading: Promise<ClusterConnections> | undefined;
  private overrides: ClusterOverrides = {};
  private readonly scopes = new Map<string, Scope>();
  private visible = false;
  private readonly holders = new Set<string>();
  private readonly changeEmitter = new vscode.EventEmitter<ClusterChange>();
  /** Throttled: at most one event per 250 ms, carrying every change since the last. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly kubeconfigEmitter = new vscode.EventEmitter<void>();
  /** The kubeconfig was read again (its file or the setting changed). */
  readonly onDidChangeKubeconfig = this.kubeconfigEmitter.event;
  private pending: Set<string> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFired = 0;
  private kubeconfigWatchers: vscode.Disposable[] = [];
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  /** The settings the connections run with, to notice a change before its event arrives. */
  private appliedOptions = '';
  /** Where every (project, environment, tenant) runs, as last seen: scopes are rebuilt only when it changes. */
  private placements = '';
  private configuring: Promise<void> = Promise.resolve();
  /** Changes fired so far (the benchmark counts tree refreshes through it). */
  fired = 0;

  constructor(
    private readonly projects: ProjectService,
    private readonly logger: Logger,
    store: DisposableStore,
  ) {
    store.register(this.changeEmitter);
    store.register(this.kubeconfigEmitter);
    this.readOverrides();
    store.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('gitopshq.clusters')) {
          this.readOverrides();
          this.placements = this.placementSignature();
          this.replace();
        }
        if (e.affectsConfiguration('gitopshq.kubeconfig')) void this.reconfigure();
      }),
    );
    store.register(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reconfigure()));
    // A manifest edit can move an environment to another context or namespace; a values edit cannot.
    store.register(
      projects.onDidChange(() => {
        const signature = this.placementSignature();
        if (signature === this.placements) return;
        this.placements = signature;
        this.replace();
      }),
    );
  }

  /**
   * Whether something that shows the cluster is visible: informers run only while one does. Each
   * holder (the Projects view, the fleet dashboard) says so for itself under its own name.
   */
  setVisible(visible: boolean, holder = 'projects'): void {
    if (visible) this.holders.add(holder);
    else this.holders.delete(holder);
    visible = this.holders.size > 0;
    if (this.visible === visible) return;
    this.visible = visible;
    for (const scope of this.scopes.values()) {
      if (visible) this.hold(scope);
      else this.release(scope);
    }
  }

  /**
   * The cluster side of one (project, environment, tenant) from the caches (undefined for an unknown
   * environment). Asking marks it shown: its informers start while the view is visible.
   */
  status(project: Project, environment: string, tenant: string, bound: readonly string[]): EnvironmentClusterStatus | undefined {
    const env = project.environments.find((e) => e.name === environment);
    if (!env) return undefined;
    const scope = this.scopeFor(this.request(project, env, tenant), comboKey(project.slug, environment, tenant));
    if (this.visible) this.hold(scope);
    const workloads = project.workloads.filter((w) => bound.includes(w.name));
    // Not held (the view is hidden): the cluster side is not known, and the rows say nothing of it.
    if (!scope.handle) return undefined;
    if (!this.kube) return connectingStatus(environmentPlacement(project.slug, env, tenant, this.overrides), workloads);
    return this.kube.environmentStatus({ project, environment: env, tenant, workloads, overrides: this.overrides, snapshot: scope.handle.snapshot(), now: Date.now() });
  }

  /**
   * The API's answer: opens the scope if needed, waits for its first list (at most 10 s), answers
   * from the cache. A cluster problem is the `connection` field, never an exception.
   */
  async statusNow(project: Project, environment: string, tenant: string, bound: readonly string[]): Promise<EnvironmentClusterStatus | undefined> {
    const env = project.environments.find((e) => e.name === environment);
    if (!env) return undefined;
    const connections = await this.current();
    const handle = connections.open(this.request(project, env, tenant), WORKLOAD_RESOURCES, () => undefined);
    try {
      await handle.whenSettled(FIRST_SYNC_WAIT_MS);
      return this.kube!.environmentStatus({
        project,
        environment: env,
        tenant,
        workloads: project.workloads.filter((w) => bound.includes(w.name)),
        overrides: this.overrides,
        snapshot: handle.snapshot(),
        now: Date.now(),
      });
    } finally {
      handle.dispose();
    }
  }

  /**
   * Holds the informers of `types` where (project, environment, tenant) runs, for a feature that
   * follows it outside the tree (the deployment timeline): they run until the handle is disposed.
   * `onChange` is not throttled here. Resolves with the loaded Kubernetes bundle too.
   */
  async openScope(project: Project, environment: string, tenant: string, types: readonly ResourceType[], onChange: () => void): Promise<{ handle: ScopeHandle; kube: typeof Kube }> {
    const env = project.environments.find((e) => e.name === environment);
    if (!env) throw new Error(`Project ${project.slug} has no environment ${environment}.`);
    const connections = await this.current();
    return { handle: connections.open(this.request(project, env, tenant), types, onChange), kube: this.kube! };
  }

  /** Restarts failed connections now: one combination's, or all. */
  async retry(target?: { project: string; environment: string; tenant?: string }): Promise<void> {
    const connections = await this.load();
    if (!target) {
      connections.retry();
      return;
    }
    const project = this.projects.index.project(target.project);
    const env = project?.environments.find((e) => e.name === target.environment);
    if (!project || !env) return;
    for (const tenant of target.tenant ? [target.tenant] : project.tenants) connections.retry(this.request(project, env, tenant));
  }

  /** Where a workload's pods are (spec §5): the scope, the selector and whether tenants share the namespace. */
  logTarget(project: Project, env: Project['environments'][number], tenant: string, workload: Workload): Pick<LogSessionRequest, 'scope' | 'selector' | 'tenant'> & { where: string } {
    this.readOverrides();
    const target = workloadTarget(project.slug, env, tenant, workload, this.overrides);
    const shared = tenantsSharingNamespace(project.slug, env, tenant, project.tenants, this.overrides).length > 1;
    const scope = this.request(project, env, tenant);
    return { scope, selector: target.selector, tenant: { name: tenant, shared }, where: keyOf(scope) };
  }

  /** Streams a workload's logs (the connections are loaded on first use). */
  async streamLogs(request: LogSessionRequest, sink: LogSessionSink): Promise<LogSessionHandle> {
    return (await this.current()).streamLogs(request, sink);
  }

  /** The pods of a workload now and their containers (quick picks), after the first list (at most 10 s). */
  async workloadPods(project: Project, env: Project['environments'][number], tenant: string, workload: Workload): Promise<{ name: string; containers: string[]; phase: string }[]> {
    const target = this.logTarget(project, env, tenant, workload);
    const connections = await this.current();
    const handle = connections.open(target.scope, ['pods'], () => undefined);
    try {
      await handle.whenSettled(FIRST_SYNC_WAIT_MS);
      const snapshot = handle.snapshot();
      if (snapshot.error && !snapshot.synced) throw snapshot.error;
      const pods = snapshot.pods;
      const selector = tenantSelector(target.selector, tenant, target.tenant?.shared ?? false, pods.map((p) => p.metadata.labels));
      const matches = labelMatcher(selector);
      return pods
        .filter((p) => matches(p.metadata.labels))
        .map((p) => ({ name: p.metadata.name ?? '', containers: (p.spec?.containers ?? []).map((c) => c.name), phase: p.status?.phase ?? '' }))
        .sort((a, b) => a.name.localeCompare(b.name));
    } finally {
      handle.dispose();
    }
  }

  async contexts(): Promise<Awaited<ReturnType<ClusterConnections['contexts']>>> {
    return (await this.current()).contexts();
  }

  /** The kubeconfig files in use (the first one is what "Open Kubeconfig" opens). */
  async kubeconfigFiles(): Promise<string[]> {
    return (await this.current()).files();
  }

  /** The connections under the settings as they are now, even if their change event is still on its way. */
  private async current(): Promise<ClusterConnections> {
    this.readOverrides();
    const connections = await this.load();
    await this.reconfigure();
    return connections;
  }

  get clusterOverrides(): ClusterOverrides {
    return this.overrides;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    for (const w of this.kubeconfigWatchers) w.dispose();
    for (const scope of this.scopes.values()) this.release(scope);
    this.scopes.clear();
    this.connections?.dispose();
  }

  private placementSignature(): string {
    const parts: string[] = [];
    for (const entry of this.projects.index.projects()) {
      const project = entry.project;
      if (!project) continue;
      for (const env of project.environments) {
        for (const tenant of project.tenants) parts.push(`${comboKey(project.slug, env.name, tenant)}=${keyOf(this.request(project, env, tenant))}`);
      }
    }
    return parts.join('\n');
  }

  /** Where (project, environment, tenant) runs; without a context anywhere, the kubeconfig's current one (spec §5). */
  private request(project: Project, env: Project['environments'][number], tenant: string): ScopeRequest {
    const p = environmentPlacement(project.slug, env, tenant, this.overrides);
    return { ...(p.context ? { context: p.context } : {}), ...(p.namespace ? { namespace: p.namespace } : {}) };
  }

  private scopeFor(request: ScopeRequest, combo: string): Scope {
    const key = keyOf(request);
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = { request, combos: new Set() };
      this.scopes.set(key, scope);
    }
    scope.combos.add(combo);
    return scope;
  }

  private hold(scope: Scope): void {
    if (scope.handle || this.disposed) return;
    if (this.connections) {
      scope.handle = this.connections.open(scope.request, WORKLOAD_RESOURCES, () => this.changed(scope.combos));
      return;
    }
    void this.load().then(
      () => {
        if (this.visible && this.scopes.has(keyOf(scope.request)) && !scope.handle) {
          scope.handle = this.connections!.open(scope.request, WORKLOAD_RESOURCES, () => this.changed(scope.combos));
          this.changed(scope.combos);
        }
      },
      (err: unknown) => this.logger.error('Could not load the Kubernetes client', err),
    );
  }

  private release(scope: Scope): void {
    scope.handle?.dispose();
    delete scope.handle;
  }

  /** Placement may have changed (settings, manifest): drop every scope; the next `status()` calls rebuild them. */
  private replace(): void {
    for (const scope of this.scopes.values()) this.release(scope);
    this.scopes.clear();
    this.changed(undefined);
  }

  private changed(combos: Set<string> | undefined): void {
    if (this.disposed) return;
    if (combos === undefined) this.pending = new Set();
    else if (this.pending === undefined) this.pending = new Set(combos);
    else if (this.pending.size > 0) for (const c of combos) this.pending.add(c);
    if (this.timer) return;
    this.schedule();
  }

  private schedule(): void {
    const wait = Math.max(0, this.lastFired + CHANGE_INTERVAL_MS - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A timer may fire a little before the interval has passed by the clock (and Date.now() is
      // whole milliseconds): five changes could then fall in one second, as the storm benchmark saw.
      if (performance.now() - this.lastFired < CHANGE_INTERVAL_MS) {
        this.schedule();
        return;
      }
      const keys = this.pending ?? new Set<string>();
      this.pending = undefined;
      this.fired++;
      this.changeEmitter.fire({ keys });
      // From the end of the views' work: a refresh that took long must not bring the next one closer.
      this.lastFired = performance.now();
    }, wait);
  }

  private readOverrides(): void {
    const { overrides, problems } = parseClusterOverrides(vscode.workspace.getConfiguration('gitopshq').get('clusters'));
    this.overrides = overrides;
    for (const problem of problems) this.logger.warn(problem);
  }

  private kubeconfigSetting(): string | undefined {
    const value = vscode.workspace.getConfiguration('gitopshq').get<string>('kubeconfig')?.trim();
    if (!value) return undefined;
    return value === '~' || value.startsWith('~/') ? path.join(os.homedir(), value.slice(1)) : value;
  }

  private options() {
    const kubeconfig = this.kubeconfigSetting();
    return { ...(kubeconfig ? { kubeconfig } : {}), allowExecPlugins: vscode.workspace.isTrusted };
  }

  private load(): Promise<ClusterConnections> {
    this.loading ??= loadKube().then((kube) => {
      const options = this.options();
      this.appliedOptions = JSON.stringify(options);
      this.kube = kube;
      const connections = kube.createClusterConnections({ ...options, logger: this.logger });
      if (this.disposed) connections.dispose();
      this.connections = connections;
      this.watchKubeconfig();
      return connections;
    });
    return this.loading;
  }

  private reconfigure(): Promise<void> {
    if (!this.connections) return Promise.resolve();
    const options = this.options();
    if (this.appliedOptions !== JSON.stringify(options)) {
      this.appliedOptions = JSON.stringify(options);
      const connections = this.connections;
      // Chained: a caller that arrives while the kubeconfig is being read again waits for it.
      this.configuring = this.configuring
        .then(async () => {
          await connections.configure(options);
          this.watchKubeconfig();
          this.kubeconfigEmitter.fire();
          this.changed(undefined);
        })
        .catch((err: unknown) => this.logger.error('Could not apply the new cluster settings', err));
    }
    return this.configuring;
  }

  /** The kubeconfig files are outside the workspace: a watcher per file's folder, filtered to its name. */
  private watchKubeconfig(): void {
    for (const w of this.kubeconfigWatchers) w.dispose();
    this.kubeconfigWatchers = [];
    for (const file of this.connections?.files() ?? []) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
      const onChange = () => this.kubeconfigChanged();
      watcher.onDidChange(onChange);
      watcher.onDidCreate(onChange);
      watcher.onDidDelete(onChange);
      this.kubeconfigWatchers.push(watcher);
    }
  }

  private kubeconfigChanged(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      void this.connections?.reload().then(
        () => {
          this.kubeconfigEmitter.fire();
          this.changed(undefined);
        },
        (err: unknown) => this.logger.warn(`Could not read the kubeconfig again: ${err instanceof Error ? err.message : String(err)}`),
      );
    }, KUBECONFIG_DEBOUNCE_MS);
  }
}

function keyOf(request: ScopeRequest): string {
  return `${request.context ?? ''}\u0000${request.namespace ?? ''}`;
}
