// A workload's logs: every pod its selector matches (the pods informer, shared with the tree), each
// container its own ContainerTail, pods attached as they appear and let go when they are gone, up
// to `maxPods`. The session ends by itself when the scope's context changes under it (a kubeconfig
// edit that points the context elsewhere): its credentials would no longer be the user's intent.
import type { ClusterError } from '../../core/cluster/clusterErrors';
import type { ScopeHandle } from '../../core/cluster/connections';
import type { Pod } from '../../core/cluster/kubeTypes';
import { labelMatcher } from '../../core/cluster/labels';
import { tenantSelector } from '../../core/cluster/placement';
import type { SourceLine } from '../../core/logs/logBuffer';
import type { LogSessionHandle, LogSessionRequest, LogSessionSink, LogWindow } from '../../core/logs/ports';
import { linePrefix, shortPodName } from '../../core/logs/prefixes';
import type { ContextCredentials } from './credentials';
import { ContainerTail, type TailEvent, type TailTuning } from './logStream';

export interface SessionDeps {
  /** Holds the pods informer of the scope; onChange after every change of its pods. */
  openPods(onChange: () => void): ScopeHandle;
  /** The scope's credentials as the kubeconfig now says, with an identity that changes when the context's settings change. */
  resolve(): Promise<{ credentials: ContextCredentials; digest: string; namespace: string } | { failure: ClusterError }>;
}

interface Attached {
  name: string;
  short: string;
  tails: Map<string, ContainerTail>;
}

export class LogSession implements LogSessionHandle {
  private hold: ScopeHandle | undefined;
  private credentials: ContextCredentials | undefined;
  private digest = '';
  private namespace = '';
  private readonly attached = new Map<string, Attached>();
  private stopped = false;
  private evaluated = false;
  private announcedCap = false;
  private announcedNone = false;
  private listError = '';
  private scheduled: NodeJS.Immediate | undefined;
  /** Tails that reached the end of their log (without follow, or the previous container). */
  private finished = 0;
  private readonly tuning: Partial<TailTuning>;

  constructor(
    private readonly request: LogSessionRequest,
    private readonly sink: LogSessionSink,
    private readonly deps: SessionDeps,
  ) {
    const t = request.tuning ?? {};
    this.tuning = {
      ...(t.idleTimeoutMs !== undefined ? { idleTimeoutMs: t.idleTimeoutMs } : {}),
      ...(t.maxAttempts !== undefined ? { maxAttempts: t.maxAttempts } : {}),
      ...(t.backoffInitialMs !== undefined || t.backoffMaxMs !== undefined
        ? { backoff: { initialMs: t.backoffInitialMs ?? 250, maxMs: t.backoffMaxMs ?? 8000, jitter: 0.2 } }
        : {}),
    };
  }

  get openConnections(): number {
    let open = 0;
    for (const pod of this.attached.values()) for (const tail of pod.tails.values()) if (tail.open) open++;
    return open;
  }

  get pods(): readonly string[] {
    return [...this.attached.keys()];
  }

  async start(): Promise<void> {
    const resolved = await this.deps.resolve();
    if (this.stopped) return;
    if ('failure' in resolved) {
      this.sink.marker(resolved.failure.message);
      this.sink.failed(resolved.failure.message);
      return;
    }
    [this.credentials, this.digest, this.namespace] = [resolved.credentials, resolved.digest, resolved.namespace];
    this.hold = this.deps.openPods(() => this.schedule());
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.hold?.dispose();
    this.hold = undefined;
    const tails = [...this.attached.values()].flatMap((p) => [...p.tails.values()]);
    await Promise.all(tails.map((t) => t.stop()));
  }

  retry(): void {
    for (const pod of this.attached.values()) for (const tail of pod.tails.values()) tail.retry();
  }

  // Informer callbacks come in bursts (and the first one from inside open()): evaluate once per turn.
  private schedule(): void {
    if (this.stopped) return;
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      void this.evaluate().catch((err: unknown) => this.sink.marker(`log session error: ${err instanceof Error ? err.message : String(err)}`));
    });
  }

  private async evaluate(): Promise<void> {
    if (this.stopped || !this.hold) return;
    const resolved = await this.deps.resolve();
    if (this.stopped) return;
    if ('failure' in resolved || resolved.digest !== this.digest || resolved.namespace !== this.namespace) {
      await this.end('the cluster context changed');
      return;
    }
    const snapshot = this.hold.snapshot();
    if (!snapshot.synced) {
      const message = snapshot.error?.message ?? '';
      if (message !== '' && message !== this.listError) this.sink.marker(`cannot list the pods: ${message}`);
      this.listError = message;
      return;
    }
    const pods = this.matching(snapshot.pods);
    const names = new Set(pods.map((p) => p.metadata.name!));
    for (const [name, pod] of [...this.attached]) {
      if (names.has(name)) continue;
      this.attached.delete(name);
      this.sink.marker(`pod ${pod.short} is gone`);
      void Promise.all([...pod.tails.values()].map((t) => t.stop()));
    }
    const initial = !this.evaluated;
    this.evaluated = true;
    if (pods.length === 0 && !this.announcedNone) {
      this.announcedNone = true;
      const selector = Object.entries(this.request.selector).map(([k, v]) => `${k}=${v}`).join(',');
      this.sink.marker(`no pod matches ${selector} in ${snapshot.namespace} yet; waiting for pods to appear`);
    }
    let left = 0;
    for (const pod of pods) {
      const name = pod.metadata.name!;
      const existing = this.attached.get(name);
      if (existing) {
        for (const tail of existing.tails.values()) tail.poke();
        continue;
      }
      if (this.attached.size >= this.request.maxPods) {
        left++;
        continue;
      }
      this.attach(pod, initial ? this.request.start : {}, !initial);
    }
    if (left > 0 && !this.announcedCap) {
      this.announcedCap = true;
      this.sink.marker(`${this.attached.size + left} pods match: streaming ${this.attached.size} (setting gitopshq.logs.maxPods)`);
    }
  }

  private async end(reason: string): Promise<void> {
    this.sink.marker(`${reason}: the stream ended`);
    await this.stop();
    this.sink.ended(reason);
  }

  private tailCount(): number {
    let count = 0;
    for (const pod of this.attached.values()) count += pod.tails.size;
    return count;
  }

  private async complete(): Promise<void> {
    if (this.stopped) return;
    this.sink.marker('end of the logs');
    await this.stop();
    this.sink.ended('end of the logs');
  }

  private matching(pods: readonly Pod[]): Pod[] {
    let selector = this.request.selector;
    if (this.request.tenant) selector = tenantSelector(selector, this.request.tenant.name, this.request.tenant.shared, pods.map((p) => p.metadata.labels));
    const matches = labelMatcher(selector);
    const only = this.request.pods ? new Set(this.request.pods) : undefined;
    return pods
      .filter((p) => matches(p.metadata.labels) && (!only || only.has(p.metadata.name!)))
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name!.localeCompare(b.metadata.name!));
  }

  private attach(pod: Pod, start: LogWindow, appeared: boolean): void {
    const name = pod.metadata.name!;
    const all = (pod.spec?.containers ?? []).map((c) => c.name);
    const containers = this.request.containers ? all.filter((c) => this.request.containers!.includes(c)) : all;
    const short = shortPodName(name, (pod.metadata as { generateName?: string }).generateName);
    const entry: Attached = { name, short, tails: new Map() };
    this.attached.set(name, entry);
    if (appeared) this.sink.marker(`pod ${short} appeared`);
    if (containers.length === 0) {
      this.sink.marker(`pod ${short} has none of the containers ${this.request.containers!.join(', ')}`);
      return;
    }
    const showContainer = containers.length > 1;
    const credentials = this.credentials!;
    for (const container of containers) {
      const prefix = linePrefix(short, container, showContainer);
      const source = `${name}/${container}`;
      const tail = new ContainerTail(() => credentials.target(), {
        context: credentials.context,
        ...(credentials.server !== undefined ? { server: credentials.server } : {}),
        namespace: this.namespace,
        pod: name,
        container,
        follow: this.request.follow,
        previous: this.request.previous,
        start,
        tuning: this.tuning,
      }, {
        lines: (lines) => this.sink.lines(lines.map((l): SourceLine => ({ source, prefix, key: l.key, ts: l.ts, text: l.text }))),
        event: (event) => this.report(prefix, event),
      }, () => this.running(name, container));
      entry.tails.set(container, tail);
      tail.start();
    }
  }

  private running(pod: string, container: string): boolean | undefined {
    const found = this.hold?.snapshot().pods.find((p) => p.metadata.name === pod);
    const status = found?.status?.containerStatuses?.find((s) => s.name === container);
    if (!status?.state) return undefined;
    return status.state.running !== undefined;
  }

  private report(prefix: string, event: TailEvent): void {
    switch (event.kind) {
      case 'open':
        if (event.resumed) this.sink.marker(`${prefix} resumed after ${(event.gapMs / 1000).toFixed(1)} s`);
        break;
      case 'reconnecting':
        if (event.attempt === 1) this.sink.marker(`${prefix} reconnecting… (${event.reason})`);
        break;
      case 'waiting':
        this.sink.marker(`${prefix} ${event.reason}`);
        break;
      case 'ended':
        this.sink.marker(`${prefix} ${event.reason}`);
        this.finished++;
        // Without follow (or for the previous container) the stream is complete once every log is read.
        if ((!this.request.follow || this.request.previous) && this.finished >= this.tailCount()) void this.complete();
        break;
      case 'failed':
        this.sink.marker(`${prefix} ${event.reason}`);
        this.sink.failed(event.reason);
        break;
    }
  }
}
