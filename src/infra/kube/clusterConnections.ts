// ClusterConnections: informers shared by every hold that needs them, one per (context settings,
// namespace, resource type). A hold binds to informers once the kubeconfig is read; a reload binds
// every hold again, and since an informer's key carries the digest of its context's cluster and
// user settings, only the contexts whose settings changed get new informers (the old ones stop at
// once); the others keep running untouched. The last hold released stops an informer idleStopMs later.
import { ClusterError, noContextError } from '../../core/cluster/clusterErrors';
import type {
  ArgoApplication,
  ClusterConnections,
  ClusterConnectionsOptions,
  ResourceType,
  ScopeHandle,
  ScopeRequest,
  ScopeSnapshot,
} from '../../core/cluster/connections';
import type { Logger } from '../../core/logger';
import type { LogSessionHandle, LogSessionRequest, LogSessionSink } from '../../core/logs/ports';
import { DEFAULT_BACKOFF } from './backoff';
import { ContextCredentials } from './credentials';
import { Discovery } from './discovery';
import { Informer, type InformerTuning } from './informer';
import { contextDigest, kubeconfigFiles, KubeconfigError, loadKubeconfig, type Kubeconfig } from './kubeconfig';
import { LogSession } from './logSession';
import { RESOURCES } from './resources';

/** Knobs for tests (small delays, observed back-off); not part of the port. */
export interface ClusterConnectionsTuning extends Partial<InformerTuning> {
  execTimeoutMs?: number;
}

const DEFAULT_TUNING: InformerTuning = {
  backoff: DEFAULT_BACKOFF,
  watchTimeoutSeconds: [300, 600],
  requestTimeoutMs: 30_000,
  pageSize: 500,
  random: Math.random,
};

interface InformerEntry {
  key: string;
  digest: string;
  informer: Informer;
  holders: Set<Hold>;
  idleTimer: NodeJS.Timeout | undefined;
}

interface Binding {
  context: string;
  namespace: string;
  failure?: ClusterError;
  entries: InformerEntry[];
}

export function createClusterConnections(options: ClusterConnectionsOptions, tuning: ClusterConnectionsTuning = {}): ClusterConnections {
  return new Connections(options, tuning);
}

class Connections implements ClusterConnections {
  private settings: Pick<ClusterConnectionsOptions, 'kubeconfig' | 'allowExecPlugins'>;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly logger: Logger;
  private readonly idleStopMs: number;
  private readonly tuning: InformerTuning;
  private readonly execTimeoutMs: number | undefined;
  private config: Kubeconfig | undefined;
  private configError: string | undefined;
  private loaded = false;
  private currentDigests = new Set<string>();
  private loading: Promise<void> | undefined;
  private generation = 0;
  private disposed = false;
  private readonly holds = new Set<Hold>();
  private readonly entries = new Map<string, InformerEntry>();
  private readonly credentials = new Map<string, ContextCredentials>();
  private readonly lifetime = new AbortController();
  private readonly discovery: Discovery;

  constructor(options: ClusterConnectionsOptions, tuning: ClusterConnectionsTuning) {
    this.settings = { allowExecPlugins: options.allowExecPlugins, ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}) };
    this.env = options.env ?? process.env;
    this.logger = options.logger;
    this.idleStopMs = options.idleStopMs ?? 60_000;
    const { execTimeoutMs, ...informerTuning } = tuning;
    this.tuning = { ...DEFAULT_TUNING, ...stripUndefined(informerTuning) };
    this.execTimeoutMs = execTimeoutMs;
    this.discovery = new Discovery(this.tuning.requestTimeoutMs, this.lifetime.signal);
  }

  open(scope: ScopeRequest, types: readonly ResourceType[], onChange: () => void): ScopeHandle {
    const hold = new Hold(this, { ...scope }, [...new Set(types)], onChange, this.logger);
    if (this.disposed) return hold;
    this.holds.add(hold);
    if (this.loaded) this.bind(hold);
    else this.ensureLoaded();
    return hold;
  }

  async contexts(): Promise<{ current?: string; contexts: { name: string; cluster?: string; namespace?: string }[]; files: string[] }> {
    const config = await loadKubeconfig(this.source());
    const result: { current?: string; contexts: { name: string; cluster?: string; namespace?: string }[]; files: string[] } = {
      contexts: [...config.contexts.values()].map((c) => ({ name: c.name, ...(c.cluster ? { cluster: c.cluster } : {}), ...(c.namespace ? { namespace: c.namespace } : {}) })),
      files: config.files,
    };
    if (config.current !== undefined) result.current = config.current;
    return result;
  }

  async configure(options: Pick<ClusterConnectionsOptions, 'kubeconfig' | 'allowExecPlugins'>): Promise<void> {
    this.settings = { allowExecPlugins: options.allowExecPlugins, ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}) };
    await this.reload();
  }

  reload(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.loading = this.load();
    return this.loading;
  }

  retry(scope?: ScopeRequest): void {
    let reload = false;
    for (const hold of this.holds) {
      const binding = hold.binding;
      if (!binding || (scope && !matches(scope, binding, this.config?.current))) continue;
      // A kubeconfig problem is fixed in the file: read it again.
      if (binding.failure && binding.failure.kind !== 'exec-plugin') reload = true;
      for (const entry of binding.entries) {
        if (entry.informer.error) entry.informer.retry();
      }
    }
    if (reload) void this.reload();
  }

  files(): string[] {
    return this.config?.candidates ?? kubeconfigFiles(this.source()).files;
  }

  streamLogs(request: LogSessionRequest, sink: LogSessionSink): LogSessionHandle {
    const session = new LogSession(request, sink, {
      openPods: (onChange) => this.open(request.scope, ['pods'], onChange),
      resolve: async () => {
        this.ensureLoaded();
        await this.loading;
        const resolved = this.resolve(request.scope);
        if (resolved.failure) return { failure: resolved.failure };
        return { credentials: resolved.credentials!, digest: resolved.digest!, namespace: resolved.namespace };
      },
    });
    void session.start();
    return session;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.generation++;
    this.lifetime.abort();
    for (const hold of this.holds) hold.close();
    this.holds.clear();
    for (const entry of this.entries.values()) this.stopEntry(entry);
    this.credentials.clear();
  }

  /** @internal */
  release(hold: Hold): void {
    if (!this.holds.delete(hold)) return;
    for (const entry of hold.binding?.entries ?? []) this.releaseEntry(entry, hold);
  }

  /** @internal */
  snapshotOf(hold: Hold): ScopeSnapshot {
    const binding = hold.binding;
    const snapshot: ScopeSnapshot = {
      context: hold.context,
      namespace: hold.namespace,
      connection: 'connected',
      synced: false,
      deployments: [],
      statefulSets: [],
      daemonSets: [],
      replicaSets: [],
      pods: [],
      events: [],
    };
    if (!binding) return snapshot;
    if (binding.failure) {
      snapshot.connection = binding.failure.kind;
      snapshot.error = binding.failure;
      return snapshot;
    }
    let synced = true;
    for (const entry of binding.entries) {
      const informer = entry.informer;
      synced &&= informer.listed;
      if (informer.error && !snapshot.error) {
        snapshot.connection = informer.error.kind;
        snapshot.error = informer.error;
      }
      const objects = [...informer.objects.values()] as never[];
      switch (informer.resource.type) {
        case 'deployments': snapshot.deployments = objects; break;
        case 'statefulsets': snapshot.statefulSets = objects; break;
        case 'daemonsets': snapshot.daemonSets = objects; break;
        case 'replicasets': snapshot.replicaSets = objects; break;
        case 'pods': snapshot.pods = objects; break;
        case 'events': snapshot.events = objects; break;
        case 'applications':
          if (!informer.absent) snapshot.applications = objects as ArgoApplication[];
          break;
      }
    }
    snapshot.synced = synced;
    return snapshot;
  }

  private source(): { kubeconfig?: string; env: Readonly<Record<string, string | undefined>> } {
    return { env: this.env, ...(this.settings.kubeconfig !== undefined ? { kubeconfig: this.settings.kubeconfig } : {}) };
  }

  private ensureLoaded(): void {
    this.loading ??= this.load();
  }

  private async load(): Promise<void> {
    const generation = ++this.generation;
    let config: Kubeconfig | undefined;
    let error: string | undefined;
    try {
      config = await loadKubeconfig(this.source());
    } catch (err) {
      error = err instanceof KubeconfigError ? err.message : `Cannot read the kubeconfig: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    }
    if (generation !== this.generation || this.disposed) return;
    [this.config, this.configError, this.loaded] = [config, error, true];
    this.currentDigests = new Set(config ? [...config.contexts.keys()].map((name) => this.digestOf(config, name)) : []);
    if (error) this.logger.warn(error);
    for (const hold of [...this.holds]) this.bind(hold);
    // Informers of settings that changed are obsolete: stop them now rather than after idleStopMs.
    for (const entry of [...this.entries.values()]) {
      if (entry.holders.size === 0 && !this.currentDigests.has(entry.digest)) this.stopEntry(entry);
    }
    this.forgetUnused();
  }

  /** Points a hold at the informers its scope now resolves to; acquires before releasing, so shared informers never stop in between. */
  private bind(hold: Hold): void {
    const previous = hold.binding;
    const resolved = this.resolve(hold.request);
    const binding: Binding = { context: resolved.context, namespace: resolved.namespace, entries: [] };
    if (resolved.failure) binding.failure = resolved.failure;
    else {
      for (const type of hold.types) binding.entries.push(this.acquire(resolved.digest!, resolved.credentials!, resolved.namespace, type, hold));
    }
    hold.binding = binding;
    for (const entry of previous?.entries ?? []) {
      if (!binding.entries.includes(entry)) this.releaseEntry(entry, hold);
    }
    hold.changed();
  }

  private resolve(request: ScopeRequest): { context: string; namespace: string; failure?: ClusterError; digest?: string; credentials?: ContextCredentials } {
    const requested = { context: request.context ?? '', namespace: request.namespace ?? 'default' };
    if (this.configError !== undefined || !this.config) {
      const message = this.configError ?? 'The kubeconfig could not be read.';
      return { ...requested, failure: new ClusterError('error', message, requested.context, undefined, 'Fix the gitopshq.kubeconfig setting or the file, then Retry.') };
    }
    const config = this.config;
    const where = (config.files.length > 0 ? config.files : config.candidates).join(', ');
    const context = request.context ?? config.current;
    if (context === undefined || context === '') {
      const message = config.files.length === 0
        ? `No kubeconfig found (looked for ${where}).`
        : `No context chosen, and the kubeconfig (${where}) has no current-context.`;
      return { ...requested, failure: new ClusterError('no-context', message, '', undefined, 'Select Context... to choose one of the kubeconfig\'s contexts for this environment.') };
    }
    const ctx = config.contexts.get(context);
    if (!ctx) return { ...requested, context, failure: noContextError(context, where) };
    const namespace = request.namespace ?? ctx.namespace ?? 'default';
    const digest = this.digestOf(config, context);
    let credentials = this.credentials.get(digest);
    if (!credentials) {
      credentials = new ContextCredentials(context, config, this.settings.allowExecPlugins, this.logger, this.execTimeoutMs);
      this.credentials.set(digest, credentials);
    }
    const failure = credentials.preflight();
    if (failure) return { context, namespace, failure };
    return { context, namespace, digest, credentials };
  }

  private acquire(digest: string, credentials: ContextCredentials, namespace: string, type: ResourceType, hold: Hold): InformerEntry {
    const key = `${digest}\u0000${namespace}\u0000${type}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const name = `${credentials.context}/${namespace}/${type}`;
      const informer = new Informer(name, credentials, namespace, RESOURCES[type], this.tuning, this.logger,
        (c, resource) => this.discovery.serves(digest, c, resource));
      entry = { key, digest, informer, holders: new Set(), idleTimer: undefined };
      const created = entry;
      informer.onChange(() => {
        for (const holder of [...created.holders]) holder.changed();
      });
      this.entries.set(key, entry);
    }
    if (entry.idleTimer) {
      clearTimeout(entry.idleTimer);
      entry.idleTimer = undefined;
    }
    entry.holders.add(hold);
    entry.informer.start();
    return entry;
  }

  private releaseEntry(entry: InformerEntry, hold: Hold): void {
    entry.holders.delete(hold);
    if (entry.holders.size > 0 || entry.idleTimer) return;
    entry.idleTimer = setTimeout(() => this.stopEntry(entry), this.idleStopMs);
    entry.idleTimer.unref();
  }

  private stopEntry(entry: InformerEntry): void {
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    entry.informer.stop();
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    this.forgetUnused();
  }

  /** Credentials (and their cached exec credential) and discovery answers of settings nothing uses any more. */
  private forgetUnused(): void {
    if (!this.loaded) return;
    const used = new Set<string>();
    for (const entry of this.entries.values()) used.add(entry.digest);
    for (const digest of [...this.credentials.keys()]) {
      // Credentials of the current settings stay for the next open (their exec credential is cached).
      if (!used.has(digest) && !this.currentDigests.has(digest)) this.credentials.delete(digest);
    }
    this.discovery.retain(used);
  }

  private digestOf(config: Kubeconfig, context: string): string {
    const user = config.contexts.get(context)?.user;
    const usesExec = user !== undefined && typeof config.users.get(user)?.exec === 'object';
    return contextDigest(config, context, usesExec ? `exec-allowed:${this.settings.allowExecPlugins}` : '');
  }
}

function matches(scope: ScopeRequest, binding: Binding, current: string | undefined): boolean {
  const context = scope.context ?? current;
  return (context === undefined || binding.context === context) && (scope.namespace === undefined || binding.namespace === scope.namespace);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

class Hold implements ScopeHandle {
  binding: Binding | undefined;
  private closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly owner: Connections,
    readonly request: ScopeRequest,
    readonly types: readonly ResourceType[],
    private readonly onChange: () => void,
    private readonly logger: Logger,
  ) {}

  get context(): string {
    return this.binding?.context ?? this.request.context ?? '';
  }

  get namespace(): string {
    return this.binding?.namespace ?? this.request.namespace ?? 'default';
  }

  snapshot(): ScopeSnapshot {
    return this.owner.snapshotOf(this);
  }

  whenSettled(timeoutMs: number): Promise<void> {
    if (this.closed || this.settled()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  dispose(): void {
    if (this.closed) return;
    this.owner.release(this);
    this.close();
  }

  /** @internal */
  close(): void {
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter();
  }

  /** @internal */
  changed(): void {
    if (this.closed) return;
    if (this.waiters.size > 0 && this.settled()) {
      for (const waiter of [...this.waiters]) waiter();
    }
    try {
      this.onChange();
    } catch (err) {
      this.logger.error(`A cluster change listener threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private settled(): boolean {
    const binding = this.binding;
    if (!binding) return false;
    return binding.failure !== undefined || binding.entries.every((entry) => entry.informer.settled);
  }
}
