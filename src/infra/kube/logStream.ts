// One container's log over HTTP (`pods/{name}/log?follow&timestamps`), kept alive: every way a
// connection ends is seen here (a request error, the response's end or close, no byte for
// `idleTimeoutMs`), and the stream resumes from the last line's second with the lines of that
// second already written dropped (ResumeDedupe). While the container is still being created (the
// API's 400 "waiting to start") it retries quietly; other failures back off with jitter and give
// up after `maxAttempts`, saying why. client-node's Log.log is not used: after a dropped connection
// its output stream neither ends nor errors (see docs/logs.md).
import { classifyClusterError } from '../../core/cluster/clusterErrors';
import { LineAssembler } from '../../core/logs/lineAssembler';
import { ResumeDedupe } from '../../core/logs/resumeDedupe';
import { splitTimestamp, wholeSecond } from '../../core/logs/timestamps';
import { Backoff, Sleeper, type BackoffOptions } from './backoff';
import type { RequestTarget } from './credentials';
import { HttpStatusError, send } from './transport';

export interface TailLine {
  key: string;
  ts: string;
  text: string;
}

/** Where a tail stands, reported on every change. */
export type TailEvent =
  | { kind: 'open'; resumed: boolean; gapMs: number }
  | { kind: 'reconnecting'; reason: string; attempt: number; delayMs: number }
  | { kind: 'waiting'; reason: string }
  | { kind: 'ended'; reason: string }
  | { kind: 'failed'; reason: string };

export interface TailStart {
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
}

export interface TailOptions {
  context: string;
  server?: string;
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
  previous: boolean;
  start: TailStart;
  tuning?: Partial<TailTuning>;
}

export interface TailTuning {
  /** No byte for this long on a followed stream: the connection is presumed dead and reopened. */
  idleTimeoutMs: number;
  /** No response headers within this: unreachable. */
  requestTimeoutMs: number;
  backoff: BackoffOptions;
  /** Failures in a row before giving up. */
  maxAttempts: number;
  /** Between two asks while the container is waiting to start. */
  waitingRetryMs: number;
  maxLineChars: number;
}

export const DEFAULT_TAIL_TUNING: TailTuning = {
  idleTimeoutMs: 120_000,
  requestTimeoutMs: 30_000,
  backoff: { initialMs: 250, maxMs: 8_000, jitter: 0.2 },
  maxAttempts: 8,
  waitingRetryMs: 1_000,
  maxLineChars: 1_000_000,
};

export interface TailSink {
  lines(lines: TailLine[]): void;
  event(event: TailEvent): void;
}

/** Whether the container runs now, as the pods informer last saw it (undefined: not known). */
export type RunningProbe = () => boolean | undefined;

class CleanEnd {}

export class ContainerTail {
  private readonly dedupe = new ResumeDedupe();
  private readonly assembler: LineAssembler;
  private readonly backoff: Backoff;
  private readonly sleeper = new Sleeper();
  private readonly tuning: TailTuning;
  private controller: AbortController | undefined;
  private stopped = false;
  private done: Promise<void> | undefined;
  private openSockets = 0;
  private streaming = false;
  private socketsClosed: (() => void) | undefined;
  /** Set when the container stopped and the tail waits for it to run again. */
  private parked: (() => void) | undefined;
  /** Lines received since the start. */
  received = 0;
  /** Connections opened since the start. */
  connections = 0;

  constructor(
    private readonly target: () => Promise<RequestTarget>,
    private readonly options: TailOptions,
    private readonly sink: TailSink,
    private readonly running: RunningProbe = () => undefined,
  ) {
    this.tuning = { ...DEFAULT_TAIL_TUNING, ...options.tuning };
    this.backoff = new Backoff(this.tuning.backoff);
    this.assembler = new LineAssembler(this.tuning.maxLineChars);
  }

  /** A response is streaming now (headers received, not yet ended). */
  get open(): boolean {
    return this.streaming;
  }

  start(): void {
    this.done ??= this.run().catch((err: unknown) => this.sink.event({ kind: 'failed', reason: err instanceof Error ? err.message : String(err) }));
  }

  /** Stops and resolves once the connection is closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    this.sleeper.abort();
    this.parked?.();
    if (this.openSockets > 0) await new Promise<void>((resolve) => (this.socketsClosed = resolve));
    await this.done;
  }

  /** Skips the back-off (Retry) or the wait for a restart. */
  retry(): void {
    this.backoff.reset();
    this.sleeper.wake();
    this.parked?.();
  }

  /** The pod changed (the informer): a parked tail checks whether its container runs again. */
  poke(): void {
    if (this.parked && this.running() !== false) this.parked();
  }

  private async run(): Promise<void> {
    let attempts = 0;
    let gapStarted: number | undefined;
    while (!this.stopped) {
      const query = this.query();
      let openedAt: number | undefined;
      try {
        await this.connect(query, () => {
          openedAt = Date.now();
          attempts = 0;
          this.backoff.reset();
          this.sink.event({ kind: 'open', resumed: gapStarted !== undefined, gapMs: gapStarted !== undefined ? openedAt - gapStarted : 0 });
          gapStarted = undefined;
        });
        // A clean end: the log is complete, or the container stopped, or the server ended the stream.
        if (this.stopped) return;
        if (!this.options.follow || this.options.previous) {
          this.sink.event({ kind: 'ended', reason: 'end of log' });
          return;
        }
        if (this.running() === false) {
          this.sink.event({ kind: 'waiting', reason: 'the container stopped; waiting for it to run again' });
          await this.park();
          gapStarted = Date.now();
          continue;
        }
        // Still running (a server timeout, the kubelet's idle timeout): resume at once, unless it keeps ending at once.
        gapStarted ??= Date.now();
        if (openedAt !== undefined && Date.now() - openedAt > 1000) continue;
        attempts++;
        const delay = this.backoff.next();
        this.sink.event({ kind: 'reconnecting', reason: 'the server ended the stream', attempt: attempts, delayMs: delay });
        if (!(await this.sleeper.sleep(delay))) return;
      } catch (err) {
        if (this.stopped) return;
        const status = err instanceof HttpStatusError ? err.statusCode : undefined;
        const message = statusMessage(err);
        if (status === 400 && /waiting to start|ContainerCreating|PodInitializing/i.test(message)) {
          // Not an error: the pod was just created. Its first line comes once it runs.
          if (gapStarted === undefined) this.sink.event({ kind: 'waiting', reason: message });
          gapStarted ??= Date.now();
          if (!(await this.sleeper.sleep(this.tuning.waitingRetryMs))) return;
          continue;
        }
        if (status === 404) {
          this.sink.event({ kind: 'ended', reason: 'the pod is gone' });
          return;
        }
        if (status === 400) {
          this.sink.event({ kind: 'failed', reason: message });
          return;
        }
        const reason = status !== undefined || !(err instanceof Error)
          ? classifyClusterError(err, { context: this.options.context, ...(this.options.server !== undefined ? { server: this.options.server } : {}), verb: 'get', resource: 'pods/log', namespace: this.options.namespace }).message
          : describe(err);
        attempts++;
        gapStarted ??= Date.now();
        if (attempts > this.tuning.maxAttempts) {
          this.sink.event({ kind: 'failed', reason: `gave up after ${attempts - 1} attempts: ${reason}` });
          await this.park();
          attempts = 0;
          continue;
        }
        const delay = attempts === 1 ? 0 : this.backoff.next();
        this.sink.event({ kind: 'reconnecting', reason, attempt: attempts, delayMs: delay });
        if (delay > 0 && !(await this.sleeper.sleep(delay))) return;
      }
    }
  }

  /** Waits for retry(), poke() with the container running, or stop(). */
  private park(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.parked = () => {
        this.parked = undefined;
        resolve();
      };
      if (this.stopped) this.parked();
    });
  }

  private query(): Record<string, string> {
    const query: Record<string, string> = { container: this.options.container, timestamps: 'true' };
    if (this.options.follow && !this.options.previous) query.follow = 'true';
    if (this.options.previous) query.previous = 'true';
    const last = this.dedupe.last;
    if (last !== undefined) {
      // Resume: from the start of the last line's second (the API's precision); the replay is dropped.
      query.sinceTime = wholeSecond(last);
      this.dedupe.resume();
      return query;
    }
    // Nothing received yet: the first request's window again (a pod that appeared: its whole log).
    const start = this.options.start;
    if (start.sinceTime !== undefined) query.sinceTime = start.sinceTime;
    else if (start.sinceSeconds !== undefined) query.sinceSeconds = String(start.sinceSeconds);
    if (start.tailLines !== undefined) query.tailLines = String(start.tailLines);
    return query;
  }

  private async connect(query: Record<string, string>, onOpen: () => void): Promise<void> {
    const target = await this.target();
    if (this.stopped) return;
    const controller = new AbortController();
    this.controller = controller;
    this.assembler.reset();
    const path = `/api/v1/namespaces/${encodeURIComponent(this.options.namespace)}/pods/${encodeURIComponent(this.options.pod)}/log`;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      let idle: NodeJS.Timeout | undefined;
      const settle = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        if (err === undefined || err instanceof CleanEnd) resolve();
        else reject(err);
      };
      this.connections++;
      this.openSockets++;
      const req = send(target, path, query, controller.signal, (res) => {
        req.setTimeout(0);
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => settle(new HttpStatusError(status, parseJson(Buffer.concat(chunks).toString('utf8').slice(0, 64 * 1024)))));
          res.on('error', settle);
          return;
        }
        this.streaming = true;
        res.on('close', () => (this.streaming = false));
        onOpen();
        const armIdle = () => {
          if (!this.options.follow) return;
          clearTimeout(idle);
          idle = setTimeout(() => req.destroy(Object.assign(new Error(`no data for ${Math.round(this.tuning.idleTimeoutMs / 1000)} s`), { code: 'ETIMEDOUT' })), this.tuning.idleTimeoutMs);
        };
        armIdle();
        let ended = false;
        res.on('data', (chunk: Buffer) => {
          armIdle();
          this.deliver(this.assembler.push(chunk));
        });
        res.on('end', () => {
          ended = true;
          // A clean end: the last line may lack its newline (a log that ends without one).
          this.deliver(this.assembler.finish());
          settle(new CleanEnd());
        });
        res.on('error', settle);
        res.on('close', () => {
          // A response that closes without 'end' was cut: its partial last line comes again on resume.
          if (!ended) settle(Object.assign(new Error('the connection was cut'), { code: 'ECONNRESET' }));
        });
      }, settle);
      req.setTimeout(this.tuning.requestTimeoutMs, () => req.destroy(Object.assign(new Error('no answer from the server'), { code: 'ETIMEDOUT' })));
      req.on('close', () => {
        this.openSockets--;
        if (this.openSockets === 0) this.socketsClosed?.();
        settle(Object.assign(new Error('the connection was closed'), { code: 'ECONNRESET' }));
      });
    });
  }

  private deliver(assembled: string[]): void {
    if (assembled.length === 0 || this.stopped) return;
    const lines: TailLine[] = [];
    for (const raw of assembled) {
      const stamped = splitTimestamp(raw);
      const line = stamped ?? { ts: '', key: this.dedupe.last ?? '', text: raw };
      if (stamped && !this.dedupe.accept(stamped.key, stamped.text)) continue;
      lines.push({ key: line.key, ts: line.ts, text: line.text });
    }
    this.received += lines.length;
    if (lines.length > 0) this.sink.lines(lines);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The Status message of an HTTP error (the kubelet's wording), else the error's. */
function statusMessage(err: unknown): string {
  if (err instanceof HttpStatusError) {
    const body = err.body as { message?: unknown } | string | undefined;
    if (body && typeof body === 'object' && typeof body.message === 'string') return body.message;
    if (typeof body === 'string' && body !== '') return body.slice(0, 300);
    return err.message;
  }
  return describe(err);
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
}
