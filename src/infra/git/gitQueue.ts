// A bounded queue for the Git browser's reads (issue 16): at most `maxProcesses` git processes at once
// (GitLens shows what dozens of concurrent `git log`s do to a machine), a timeout per call, cancellation
// (an AbortSignal: a queued call never starts, a running one is killed), and output that is either
// streamed to the caller chunk by chunk or collected up to a byte limit, never without bound.
import { spawn } from 'node:child_process';
import { GitOpsHqError } from '../../core/errors';
import { nullLogger, type Logger } from '../../core/logger';
import { displayArgs, gitFailed, UNTRUSTED_CONFIG } from './gitRepository';

export const DEFAULT_MAX_PROCESSES = 4;
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Collected output above this fails the call (streamed output has no limit: the caller keeps what it needs). */
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/**
 * git keeps up to core.deltaBaseCacheLimit (96 MB by default) of delta bases it already expanded. A
 * path-limited `git log` over 10,000 commits filled all of it with trees it never read again, and
 * touching that much fresh memory was most of its time (0.6-0.9 s against 0.15-0.25 s with 8-16 MB in
 * the bench's repository; a real 11,000-commit repository, argo-cd, was no slower). 16 MB still holds
 * the bases of a long delta chain of large trees.
 */
export const READ_CONFIG = ['core.deltaBaseCacheLimit=16m'];

export interface QueueOptions {
  maxProcesses?: number;
  /** Read on every call, so that a settings change applies to the next one. */
  timeoutMs?: number | (() => number);
  trusted?: boolean;
  logger?: Logger;
}

export interface RunOptions {
  signal?: AbortSignal;
  input?: string | Buffer;
  okCodes?: readonly number[];
  /** Collected stdout above this many bytes fails the call with a clear error. */
  maxBytes?: number;
  /**
   * Streams stdout: called per chunk; nothing is collected. Return false to stop early (the process is
   * ended and the call resolves normally).
   */
  onData?: (chunk: Buffer) => boolean | void;
}

export interface RunResult {
  stdout: Buffer;
  code: number;
  /** The caller stopped reading (onData returned false). */
  stopped: boolean;
}

interface Job {
  args: readonly string[];
  options: RunOptions;
  resolve: (result: RunResult) => void;
  reject: (err: unknown) => void;
}

export class GitQueue {
  private readonly waiting: Job[] = [];
  private running = 0;
  /** The most processes that ran at once (tests and the bench read it). */
  peak = 0;
  private readonly maxProcesses: number;
  private readonly logger: Logger;
  private readonly config: string[];

  constructor(
    readonly dir: string,
    private readonly options: QueueOptions = {},
  ) {
    this.maxProcesses = Math.max(1, options.maxProcesses ?? DEFAULT_MAX_PROCESSES);
    this.logger = options.logger ?? nullLogger;
    this.config = [...READ_CONFIG, ...(options.trusted ? [] : UNTRUSTED_CONFIG)].flatMap((setting) => ['-c', setting]);
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    if (options.signal?.aborted) return Promise.reject(cancelled(args));
    return new Promise<RunResult>((resolve, reject) => {
      const job: Job = { args, options, resolve, reject };
      this.waiting.push(job);
      options.signal?.addEventListener(
        'abort',
        () => {
          const i = this.waiting.indexOf(job);
          if (i >= 0) {
            this.waiting.splice(i, 1);
            reject(cancelled(args));
          }
        },
        { once: true },
      );
      this.next();
    });
  }

  /** stdout as UTF-8 text. */
  async text(args: readonly string[], options: Omit<RunOptions, 'onData'> = {}): Promise<string> {
    return (await this.run(args, options)).stdout.toString('utf8');
  }

  private timeoutMs(): number {
    const t = this.options.timeoutMs;
    const value = typeof t === 'function' ? t() : t;
    return value !== undefined && Number.isFinite(value) && value > 0 ? value : DEFAULT_TIMEOUT_MS;
  }

  private next(): void {
    while (this.running < this.maxProcesses && this.waiting.length > 0) {
      const job = this.waiting.shift() as Job;
      this.running++;
      this.peak = Math.max(this.peak, this.running);
      this.start(job).then(job.resolve, job.reject).finally(() => {
        this.running--;
        this.next();
      });
    }
  }

  private start({ args, options }: Job): Promise<RunResult> {
    const command = `git ${displayArgs(args)}`;
    const timeoutMs = this.timeoutMs();
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const started = Date.now();
    return new Promise<RunResult>((resolve, reject) => {
      const child = spawn('git', [...this.config, ...args], { cwd: this.dir, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
      const chunks: Buffer[] = [];
      let bytes = 0;
      let stderr = '';
      let ended: 'timeout' | 'cancelled' | 'too-large' | 'stopped' | undefined;
      const end = (why: NonNullable<typeof ended>) => {
        if (ended) return;
        ended = why;
        child.kill();
      };
      const timer = setTimeout(() => end('timeout'), timeoutMs);
      const onAbort = () => end('cancelled');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (chunk: Buffer) => {
        if (ended) return;
        if (options.onData) {
          if (options.onData(chunk) === false) end('stopped');
          return;
        }
        bytes += chunk.length;
        if (bytes > maxBytes) return end('too-large');
        chunks.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < 16_384) stderr += chunk.toString('utf8');
      });
      child.stdin.on('error', () => undefined);
      const finish = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      child.on('error', (err) => {
        finish();
        reject(gitFailed(command, this.dir, err));
      });
      // A process we ended may leave a child holding its pipes open (a shell alias): settle on exit then.
      child.on('exit', () => {
        if (ended === 'timeout' || ended === 'cancelled') {
          child.stdout.destroy();
          child.stderr.destroy();
        }
      });
      child.on('close', (code) => {
        finish();
        const ms = Date.now() - started;
        if (ended === 'cancelled') return reject(cancelled(args));
        if (ended === 'timeout') {
          return reject(
            new GitOpsHqError(
              'git-failed',
              `${command} did not finish within ${timeoutMs / 1000} s in ${this.dir}.`,
              'Raise gitopshq.git.timeoutMs, or check for a stuck git process or a slow network drive.',
            ),
          );
        }
        if (ended === 'too-large') {
          return reject(
            new GitOpsHqError('git-failed', `${command} printed more than ${Math.round(maxBytes / 1024 / 1024)} MB in ${this.dir}; GitOpsHQ stopped reading.`, 'The file or history is too large to show here: use git in a terminal.'),
          );
        }
        const exit = code ?? -1;
        if (ended !== 'stopped' && exit !== 0 && !(options.okCodes ?? []).includes(exit)) {
          return reject(gitFailed(command, this.dir, new Error(stderr.trim() || `exit code ${exit}`)));
        }
        this.logger.trace(`${command} (${ms} ms)`);
        resolve({ stdout: Buffer.concat(chunks), code: exit, stopped: ended === 'stopped' });
      });
      child.stdin.end(options.input ?? '');
    });
  }
}

function cancelled(args: readonly string[]): GitOpsHqError {
  return new GitOpsHqError('cancelled', `git ${displayArgs(args)} was cancelled.`);
}

/** Whether an error is a cancellation (callers that moved on ignore those). */
export function isCancelled(err: unknown): boolean {
  return GitOpsHqError.is(err, 'cancelled');
}
