// A bounded queue for the Git browser's reads (issue 16): at most `maxProcesses` git processes at once
// (GitLens shows what dozens of concurrent `git log`s do to a machine), a timeout per call, cancellation
// (an AbortSignal: a queued call never starts, a running one is killed), and output that is either
// streamed to the caller chunk by chunk or collected up to a byte limit, never without bound.
import { nullLogger, type Logger } from '../../core/logger';
import { cancelled, runGitProcess, type ProcessOptions, type ProcessResult } from './gitProcess';
import { UNTRUSTED_CONFIG } from './gitRepository';

export const DEFAULT_MAX_PROCESSES = 4;
export const DEFAULT_TIMEOUT_MS = 10_000;

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

export type RunOptions = Pick<ProcessOptions, 'signal' | 'input' | 'okCodes' | 'maxBytes' | 'onData'>;
export type RunResult = Omit<ProcessResult, 'stderr'>;

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
    this.config = [...READ_CONFIG, ...(options.trusted ? [] : UNTRUSTED_CONFIG)];
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
    return runGitProcess(this.dir, args, {
      ...options,
      config: this.config,
      timeoutMs: this.timeoutMs(),
      timeoutHint: 'Raise gitopshq.git.timeoutMs, or check for a stuck git process or a slow network drive.',
      logger: this.logger,
    });
  }
}
