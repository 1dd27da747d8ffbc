// Exponential back-off with jitter, as client-go's reflector: a flapping API server must not see
// every editor reconnect in the same instant.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** ±fraction of each delay, e.g. 0.2. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, jitter: 0.2 };

export class Backoff {
  private failures = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt after one more failure. */
  next(): number {
    const base = Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.failures);
    this.failures++;
    const spread = base * this.options.jitter * (2 * this.random() - 1);
    return Math.max(0, Math.round(base + spread));
  }

  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}

/**
 * A wait that `wake()` cuts short (retry) and `abort()` ends for good (stop); never leaves a timer.
 * Resolves true when the wait ran out or was woken, false when aborted.
 */
export class Sleeper {
  private timer: NodeJS.Timeout | undefined;
  private release: ((value: boolean) => void) | undefined;
  private aborted = false;

  sleep(ms: number): Promise<boolean> {
    if (this.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      this.release = (value) => {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.release = undefined;
        resolve(value);
      };
      this.timer = setTimeout(() => this.release?.(true), ms);
    });
  }

  get sleeping(): boolean {
    return this.release !== undefined;
  }

  wake(): void {
    this.release?.(true);
  }

  abort(): void {
    this.aborted = true;
    this.release?.(false);
  }
}
