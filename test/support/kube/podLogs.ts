// Pod logs as the API server and kubelet serve them (`GET /api/v1/namespaces/{ns}/pods/{name}/log`):
// one log per container instance (containerID), so a restart starts a new log and `previous` reads
// the last terminated one; `timestamps` prefixes RFC3339Nano as Go writes it (trailing zeros of the
// fraction trimmed); `sinceTime` is cut to whole seconds (the apiserver passes it on with
// time.RFC3339); `sinceSeconds`, `tailLines`, `limitBytes`; `follow` keeps the chunked response open
// until the container stops; the kubelet's refusals (waiting to start, no previous container) are
// 400 BadRequest with its wording. Tests cut, end or stall the streams on demand and generate load.
import type * as http from 'node:http';
import type { KubeObject } from './selectors';
import { ApiError, badRequest, notFound } from './status';
import type { Change, Store } from './store';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Entry {
  nanos: bigint;
  /** The RFC3339Nano stamp, formatted once. */
  ts: string;
  text: string;
}

interface InstanceLog {
  entries: Entry[];
  /** Absolute index of entries[0] (older entries were rotated away). */
  base: number;
  followers: Set<Follower>;
  /** The container instance stopped: followers end after the last line. */
  ended: boolean;
}

interface Follower {
  res: http.ServerResponse;
  log: InstanceLog;
  cursor: number;
  timestamps: boolean;
  pumping: boolean;
}

export interface LoadOptions {
  namespace: string;
  pods: string[];
  container?: string;
  /** In total, over all pods. */
  linesPerSecond: number;
  durationMs: number;
  /** Extra text after the sequence number, to make lines longer. */
  padding?: number;
}

export interface LoadResult {
  /** Lines written per pod: `seq=<n>` runs 1..count in each pod's lines. */
  counts: Map<string, number>;
  done: Promise<void>;
  stop(): void;
}

export interface PodLogHooks {
  /** Lines a container instance writes when it starts (the demo's startup banner). */
  started?: (pod: KubeObject, container: string) => string[];
  /** Lines an instance writes just before it stops with `exitCode` (the demo's crash and stack trace). */
  lastWords?: (pod: KubeObject, container: string, exitCode: number) => string[];
}

/** Lines kept per container instance, as the kubelet's log rotation keeps a bounded file. */
const MAX_ENTRIES = 1_000_000;
const CHUNK_BYTES = 32 * 1024;

export function formatRfc3339Nano(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

export function parseRfc3339(value: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
}

export class PodLogs {
  /** `${ns}/${pod}/${container}/${containerID}` */
  private readonly logs = new Map<string, InstanceLog>();
  /** Running containerIDs last seen, `${ns}/${pod}/${container}` → id. */
  private readonly running = new Map<string, string>();
  private readonly responses = new Set<http.ServerResponse>();
  private readonly loads = new Set<() => void>();
  private lastNanos = 0n;
  private stalled = false;
  /** Writes are split into chunks of this many bytes (exercises clients' reassembly); 0: as they come. */
  chunkBytes = 0;
  hooks: PodLogHooks = {};

  constructor(private readonly store: Store) {
    store.subscribe('pods', (change) => this.podChanged(change));
  }

  /** Open log responses (follow or not). */
  get openStreams(): number {
    return this.responses.size;
  }

  /**
   * Appends lines to the running instance of a container (its first container by default). `at`
   * gives them a timestamp (equal ones allowed); by default the clock, strictly increasing.
   */
  append(namespace: string, podName: string, lines: string | string[], options: { container?: string; at?: string | bigint } = {}): void {
    const pod = this.store.peek('pods', namespace, podName);
    if (!pod) throw new Error(`pod ${namespace}/${podName} not found`);
    const container = options.container ?? ((pod.spec as Any).containers[0].name as string);
    const status = containerStatus(pod, container);
    const id = status?.state?.running ? (status.containerID as string | undefined) : undefined;
    if (!id) throw new Error(`container ${container} of ${namespace}/${podName} is not running`);
    this.write(this.instance(namespace, podName, container, id), lines, options.at);
  }

  /** Every log response ends cleanly now (a server's request timeout, the kubelet's idle timeout). Returns how many. */
  closeAll(): number {
    const count = this.responses.size;
    for (const res of [...this.responses]) res.end();
    return count;
  }

  /** Every log connection is cut without an end (a load balancer dies). Returns how many. */
  cut(): number {
    const count = this.responses.size;
    for (const res of [...this.responses]) res.socket?.destroy();
    return count;
  }

  /** While stalled, followers get nothing although the connection stays open (a silently dead path). */
  stall(on: boolean): void {
    this.stalled = on;
    if (!on) for (const log of this.logs.values()) for (const f of log.followers) this.pump(f);
  }

  /**
   * Writes `linesPerSecond` lines spread over `pods` for `durationMs`, each `seq=<n>` numbered per
   * pod from 1, so a reader can prove that nothing was lost or repeated.
   */
  generate(options: LoadOptions): LoadResult {
    const counts = new Map(options.pods.map((p) => [p, 0]));
    const padding = 'x'.repeat(options.padding ?? 40);
    const started = Date.now();
    const perPodPerMs = options.linesPerSecond / options.pods.length / 1000;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      this.loads.delete(stop);
      finish();
    };
    this.loads.add(stop);
    const tick = () => {
      const elapsed = Math.min(Date.now() - started, options.durationMs);
      for (const pod of options.pods) {
        const due = Math.floor(elapsed * perPodPerMs);
        let written = counts.get(pod)!;
        if (due <= written) continue;
        const lines: string[] = [];
        while (written < due) lines.push(`seq=${++written} pod=${pod} ${padding}`);
        try {
          this.append(options.namespace, pod, lines, options.container !== undefined ? { container: options.container } : {});
          counts.set(pod, written);
        } catch {
          // The pod is gone or not running: its lines are not written.
        }
      }
      if (stopped) return;
      if (elapsed >= options.durationMs) stop();
      else timer = setTimeout(tick, 10);
    };
    tick();
    return { counts, done, stop };
  }

  stopLoads(): void {
    for (const stop of [...this.loads]) stop();
  }

  /** GET pods/{name}/log */
  serve(req: http.IncomingMessage, res: http.ServerResponse, namespace: string, podName: string, params: URLSearchParams): void {
    const pod = this.store.peek('pods', namespace, podName);
    if (!pod) throw notFound('', 'pods', podName);
    const container = validateContainer(params.get('container') ?? '', pod);
    const previous = bool(params.get('previous'));
    const follow = bool(params.get('follow'));
    const timestamps = bool(params.get('timestamps'));
    const tailLines = intParam(params, 'tailLines', 0);
    const sinceSeconds = intParam(params, 'sinceSeconds', 1);
    const limitBytes = intParam(params, 'limitBytes', 1);
    const sinceTimeText = params.get('sinceTime');
    if (sinceTimeText !== null && sinceSeconds !== undefined) throw badRequest('PodLogOptions "" is invalid: [sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified]');
    let since: bigint | undefined;
    if (sinceTimeText !== null) {
      const parsed = parseRfc3339(sinceTimeText);
      if (parsed === undefined) throw badRequest(`parsing time "${sinceTimeText}" as "2006-01-02T15:04:05Z07:00": cannot parse "${sinceTimeText}" as "2006"`);
      // The apiserver passes sinceTime to the kubelet formatted with time.RFC3339: whole seconds.
      since = (parsed / 1_000_000_000n) * 1_000_000_000n;
    } else if (sinceSeconds !== undefined) {
      since = BigInt(Date.now() - sinceSeconds * 1000) * 1_000_000n;
    }
    // The apiserver streams nothing for a pod not yet bound to a node.
    if (!(pod.spec as Any).nodeName) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end();
      return;
    }
    const id = kubeletContainerId(pod, container, previous);
    const log = this.instance(namespace, podName, container, id);
    let start = 0;
    if (since !== undefined) start = lowerBound(log.entries, since);
    if (tailLines !== undefined) start = Math.max(start, log.entries.length - tailLines);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    this.responses.add(res);
    const forget = () => {
      this.responses.delete(res);
      log.followers.delete(follower);
    };
    res.on('close', forget);
    res.on('finish', forget);
    req.on('close', forget);
    const running = !previous && this.running.get(`${namespace}/${podName}/${container}`) === id && !log.ended;
    const follower: Follower = { res, log, cursor: log.base + start, timestamps, pumping: false };
    if (limitBytes !== undefined) {
      // Rare in practice and never followed by our clients: write what fits and end.
      let text = '';
      for (let i = start; i < log.entries.length && Buffer.byteLength(text) < limitBytes; i++) text += render(log.entries[i]!, timestamps);
      res.end(Buffer.from(text).subarray(0, limitBytes));
      return;
    }
    if (follow && running) log.followers.add(follower);
    this.pump(follower, !(follow && running));
  }

  private instance(namespace: string, pod: string, container: string, id: string): InstanceLog {
    const key = `${namespace}/${pod}/${container}/${id}`;
    let log = this.logs.get(key);
    if (!log) {
      log = { entries: [], base: 0, followers: new Set(), ended: false };
      this.logs.set(key, log);
    }
    return log;
  }

  private write(log: InstanceLog, lines: string | string[], at: string | bigint | undefined): void {
    const given = typeof at === 'string' ? parseRfc3339(at) : at;
    if (typeof at === 'string' && given === undefined) throw new Error(`not an RFC3339 time: ${at}`);
    for (const raw of Array.isArray(lines) ? lines : [lines]) {
      // A line with newlines is several lines, as a container writing them would make.
      for (const text of raw.split('\n')) {
        let nanos = given;
        if (nanos === undefined) {
          const now = BigInt(Date.now()) * 1_000_000n;
          nanos = this.lastNanos = now > this.lastNanos ? now : this.lastNanos + 1n;
        }
        log.entries.push({ nanos, ts: formatRfc3339Nano(nanos), text });
      }
    }
    if (log.entries.length > MAX_ENTRIES) {
      const dropped = log.entries.length - MAX_ENTRIES;
      log.entries.splice(0, dropped);
      log.base += dropped;
    }
    for (const follower of log.followers) this.pump(follower);
  }

  /** Writes what the follower has not had yet, in chunks, respecting back-pressure. */
  private pump(f: Follower, endAfter = false): void {
    if (f.pumping) return;
    const { res, log } = f;
    if (res.destroyed || res.writableEnded) return;
    if (this.stalled && !endAfter) return;
    f.pumping = true;
    try {
      if (f.cursor < log.base) f.cursor = log.base;
      while (f.cursor < log.base + log.entries.length) {
        let text = '';
        const end = log.base + log.entries.length;
        while (f.cursor < end && text.length < CHUNK_BYTES) text += render(log.entries[f.cursor++ - log.base]!, f.timestamps);
        const ok = this.send(res, text);
        if (!ok) {
          res.once('drain', () => this.pump(f, endAfter));
          return;
        }
      }
      if (endAfter || log.ended) res.end();
    } finally {
      f.pumping = false;
    }
  }

  private send(res: http.ServerResponse, text: string): boolean {
    if (this.chunkBytes <= 0) return res.write(text);
    const bytes = Buffer.from(text);
    let ok = true;
    for (let i = 0; i < bytes.length; i += this.chunkBytes) ok = res.write(bytes.subarray(i, i + this.chunkBytes));
    return ok;
  }

  /** A container instance that stops ends its followers; a new one starts a new log. */
  private podChanged(change: Change): void {
    const pod = change.object;
    const namespace = pod.metadata.namespace ?? '';
    const containers = ((pod.spec as Any)?.containers ?? []) as Any[];
    for (const c of containers) {
      const key = `${namespace}/${pod.metadata.name}/${c.name as string}`;
      const status = change.type === 'DELETED' ? undefined : containerStatus(pod, c.name as string);
      const now = status?.state?.running ? (status.containerID as string | undefined) : undefined;
      const before = this.running.get(key);
      if (before === now) continue;
      if (before !== undefined) {
        const log = this.logs.get(`${key}/${before}`);
        if (log) {
          const exitCode = (status?.lastState?.terminated?.containerID === before ? status.lastState.terminated.exitCode : status?.state?.terminated?.exitCode) as number | undefined;
          if (exitCode !== undefined && exitCode !== 0 && this.hooks.lastWords) this.write(log, this.hooks.lastWords(pod, c.name as string, exitCode), undefined);
          log.ended = true;
          for (const f of [...log.followers]) this.pump(f, true);
        }
        this.running.delete(key);
      }
      if (now !== undefined) {
        this.running.set(key, now);
        const lines = this.hooks.started?.(pod, c.name as string) ?? [];
        if (lines.length > 0) this.write(this.instance(namespace, pod.metadata.name, c.name as string, now), lines, undefined);
      }
    }
    if (change.type === 'DELETED') {
      for (const key of [...this.logs.keys()]) if (key.startsWith(`${namespace}/${pod.metadata.name}/`)) this.logs.delete(key);
    }
  }
}

function render(entry: Entry, timestamps: boolean): string {
  return timestamps ? `${entry.ts} ${entry.text}\n` : `${entry.text}\n`;
}

function bool(value: string | null): boolean {
  return value === 'true' || value === '1';
}

function intParam(params: URLSearchParams, name: string, min: number): number | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw badRequest(`${name}: Invalid value: "${value}": must be an integer`);
  if (n < min) throw badRequest(`PodLogOptions "" is invalid: ${name}: Invalid value: ${n}: must be ${min === 0 ? 'greater than or equal to 0' : 'greater than 0'}`);
  return n;
}

function lowerBound(entries: Entry[], nanos: bigint): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.nanos < nanos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function containerStatus(pod: Readonly<KubeObject>, container: string): Any | undefined {
  return (((pod.status as Any)?.containerStatuses ?? []) as Any[]).find((s) => s.name === container);
}

/** The apiserver's validateContainer: the only container by default, else it must be named and exist. */
function validateContainer(container: string, pod: Readonly<KubeObject>): string {
  const names = (((pod.spec as Any).containers ?? []) as Any[]).map((c) => c.name as string);
  if (container === '') {
    if (names.length === 1) return names[0]!;
    if (names.length === 0) throw badRequest(`a container name must be specified for pod ${pod.metadata.name}`);
    throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]`);
  }
  if (!names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  return container;
}

/** The kubelet's validateContainerLogStatus: which instance's log, or its 400. */
function kubeletContainerId(pod: Readonly<KubeObject>, container: string, previous: boolean): string {
  const name = pod.metadata.name;
  const status = containerStatus(pod, container);
  if (!status) throw badRequest(`container "${container}" in pod "${name}" is waiting to start - no logs yet`);
  const last = status.lastState?.terminated;
  const { waiting, running, terminated } = (status.state ?? {}) as Any;
  if (previous) {
    if (!last?.containerID) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    return last.containerID as string;
  }
  if (running) return status.containerID as string;
  if (terminated) {
    if (terminated.containerID) return terminated.containerID as string;
    if (last?.containerID) return last.containerID as string;
    throw badRequest(`container "${container}" in pod "${name}" is terminated`);
  }
  if (last) {
    if (!last.containerID) throw badRequest(`container "${container}" in pod "${name}" is terminated`);
    return last.containerID as string;
  }
  if (waiting) {
    if (waiting.reason === 'ErrImagePull') throw badRequest(`container "${container}" in pod "${name}" is waiting to start: image can't be pulled`);
    if (waiting.reason === 'ImagePullBackOff') throw badRequest(`container "${container}" in pod "${name}" is waiting to start: trying and failing to pull image`);
    throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${waiting.reason as string}`);
  }
  throw new ApiError(400, 'BadRequest', `container "${container}" in pod "${name}" is waiting to start - no logs yet`);
}
