// One resource type in one namespace of one context, kept in memory as client-go's reflector does:
// list (paged), then watch from the list's resourceVersion with bookmarks and a timeout shorter than
// the server's; a watch that ends cleanly resumes from the last resourceVersion without listing
// again; 410 Gone (status or ERROR event) lists again; other failures back off with jitter and keep
// the objects already known, flagged with the error. client-node's own informer stops for good
// after an error, hence this loop.
import { classifyClusterError, type ClusterError } from '../../core/cluster/clusterErrors';
import type { Logger } from '../../core/logger';
import { Backoff, Sleeper, type BackoffOptions } from './backoff';
import type { ContextCredentials } from './credentials';
import { apiVersion, collectionPath, type ResourceSpec } from './resources';
import { HttpStatusError, requestJson, watchStream, type WatchEvent } from './transport';

export interface InformerTuning {
  backoff: BackoffOptions;
  /** Each watch asks the server for a timeout drawn from [min, max] seconds (client-go: 5-10 min). */
  watchTimeoutSeconds: readonly [number, number];
  /** A list page, or a watch's response headers, not arriving within this: unreachable. */
  requestTimeoutMs: number;
  pageSize: number;
  random: () => number;
  /** Observes each back-off delay (tests). */
  onBackoff?: (delayMs: number, informer: string) => void;
}

type KubeObject = WatchEvent['object'];

class GoneError extends Error {
  constructor() {
    super('410 Gone');
  }
}

// A watch that the server ends at once, again and again, must not become a busy loop.
const QUICK_END_MS = 1000;

export class Informer {
  /** By namespace/name: each event is O(1). */
  readonly objects = new Map<string, KubeObject>();
  resourceVersion: string | undefined;
  /** The objects are complete (listed at least once, or the API is absent). */
  listed = false;
  /** The API is not served by this cluster (discovery said so): no objects, not an error. */
  absent = false;
  error: ClusterError | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly backoff: Backoff;
  private readonly sleeper = new Sleeper();
  private controller: AbortController | undefined;
  private started = false;
  private stopped = false;
  private needsList = true;
  private pendingNotify: NodeJS.Immediate | undefined;

  constructor(
    readonly name: string,
    private readonly credentials: ContextCredentials,
    readonly namespace: string,
    readonly resource: ResourceSpec,
    private readonly tuning: InformerTuning,
    private readonly logger: Logger,
    /** Whether the cluster serves an optional API; cached per context by the caller. */
    private readonly discover: (credentials: ContextCredentials, resource: ResourceSpec) => Promise<boolean>,
  ) {
    this.backoff = new Backoff(tuning.backoff, tuning.random);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get settled(): boolean {
    return this.listed || this.error !== undefined;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.run().catch((err: unknown) => this.logger.error(`${this.name}: informer loop failed: ${err instanceof Error ? err.message : String(err)}`));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.controller?.abort();
    this.sleeper.abort();
    if (this.pendingNotify) clearImmediate(this.pendingNotify);
    this.pendingNotify = undefined;
    this.listeners.clear();
  }

  /** Skips the back-off: connect again now. */
  retry(): void {
    if (this.stopped) return;
    this.backoff.reset();
    this.sleeper.wake();
  }

  private async run(): Promise<void> {
    let quickEnds = 0;
    while (!this.stopped) {
      const controller = new AbortController();
      this.controller = controller;
      try {
        if (this.needsList) {
          if (this.resource.optional && !(await this.discover(this.credentials, this.resource))) {
            if (this.stopped) return;
            this.objects.clear();
            [this.absent, this.listed, this.error] = [true, true, undefined];
            this.notify();
            return;
          }
          await this.list(controller.signal);
          this.needsList = false;
        }
        const began = Date.now();
        let events = 0;
        await this.watch(controller.signal, (count) => (events += count));
        if (events === 0 && Date.now() - began < QUICK_END_MS && ++quickEnds > 1) {
          if (!(await this.sleeper.sleep(this.delay()))) return;
        } else if (events > 0 || Date.now() - began >= QUICK_END_MS) {
          quickEnds = 0;
        }
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof GoneError || (err instanceof HttpStatusError && err.statusCode === 410)) {
          // The resourceVersion is older than the server keeps: start over with a fresh list.
          this.logger.debug(`${this.name}: resourceVersion ${this.resourceVersion ?? ''} expired, listing again`);
          const again = !this.needsList;
          this.needsList = true;
          if (again) continue;
        }
        this.fail(err);
        if (!(await this.sleeper.sleep(this.delay()))) return;
      }
    }
  }

  private delay(): number {
    const delay = this.backoff.next();
    this.tuning.onBackoff?.(delay, this.name);
    return delay;
  }

  private fail(err: unknown): void {
    const error = classifyClusterError(err, {
      context: this.credentials.context,
      ...(this.credentials.server !== undefined ? { server: this.credentials.server } : {}),
      verb: this.needsList ? 'list' : 'watch',
      resource: this.resource.resource,
      namespace: this.namespace,
    });
    if (error.kind === 'unauthorized') this.credentials.refused();
    const changed = this.error?.message !== error.message;
    this.error = error;
    if (changed) this.logger.warn(`${this.name}: ${error.message}`);
    this.notify();
  }

  private async list(signal: AbortSignal): Promise<void> {
    const path = collectionPath(this.resource, this.namespace);
    const objects = new Map<string, KubeObject>();
    let resourceVersion = '';
    let continueToken: string | undefined;
    do {
      const target = await this.credentials.target();
      const query: Record<string, string> = { limit: String(this.tuning.pageSize) };
      if (continueToken !== undefined) query.continue = continueToken;
      const page = (await requestJson(target, path, query, signal, this.tuning.requestTimeoutMs)) as {
        metadata?: { resourceVersion?: string; continue?: string };
        items?: KubeObject[];
      };
      for (const item of page.items ?? []) {
        // A list's items carry no kind/apiVersion (kubernetes#3030); the watch's do: make them alike.
        item.kind ??= this.resource.kind;
        item.apiVersion ??= apiVersion(this.resource);
        objects.set(keyOf(item), item);
      }
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken !== undefined && !signal.aborted);
    if (signal.aborted) return;
    this.objects.clear();
    for (const [key, object] of objects) this.objects.set(key, object);
    this.resourceVersion = resourceVersion;
    [this.listed, this.error] = [true, undefined];
    this.backoff.reset();
    this.notify();
  }

  private async watch(signal: AbortSignal, counted: (events: number) => void): Promise<void> {
    const target = await this.credentials.target();
    const [min, max] = this.tuning.watchTimeoutSeconds;
    const timeoutSeconds = Math.round(min + (max - min) * this.tuning.random());
    const query: Record<string, string> = {
      watch: 'true',
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(timeoutSeconds),
      ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}),
    };
    await watchStream(target, collectionPath(this.resource, this.namespace), query, signal, {
      connectTimeoutMs: this.tuning.requestTimeoutMs,
      deadlineMs: timeoutSeconds * 1000 + this.tuning.requestTimeoutMs,
      onOpen: () => {
        this.backoff.reset();
        if (this.error !== undefined) {
          this.error = undefined;
          this.notify();
        }
      },
    }, (events) => {
      counted(events.length);
      this.apply(events);
    });
  }

  private apply(events: WatchEvent[]): void {
    let changed = false;
    try {
      for (const event of events) {
        const object = event.object;
        switch (event.type) {
          case 'ADDED':
          case 'MODIFIED':
            this.objects.set(keyOf(object), object);
            changed = true;
            break;
          case 'DELETED':
            changed = this.objects.delete(keyOf(object)) || changed;
            break;
          case 'BOOKMARK':
            break;
          case 'ERROR':
            if (object.code === 410) throw new GoneError();
            throw new HttpStatusError(typeof object.code === 'number' ? object.code : 500, object);
          default:
            continue;
        }
        const rv = object.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
      }
    } finally {
      if (changed) this.notifySoon();
    }
  }

  // Chunks that arrive in one turn of the event loop (a burst reads as many TLS records) make one
  // onChange: the listeners' work is then per burst, not per event.
  private notifySoon(): void {
    this.pendingNotify ??= setImmediate(() => {
      this.pendingNotify = undefined;
      this.notify();
    });
  }

  private notify(): void {
    if (this.pendingNotify) {
      clearImmediate(this.pendingNotify);
      this.pendingNotify = undefined;
    }
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (err) {
        this.logger.error(`${this.name}: a change listener threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

function keyOf(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
