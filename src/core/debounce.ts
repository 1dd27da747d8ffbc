// Coalesces bursts (watcher events, keystrokes) into one run, and never runs two at once:
// a trigger during a run schedules exactly one more run after it.
export class Debouncer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  private disposed = false;

  constructor(
    private readonly delayMs: number,
    private readonly task: () => Promise<void> | void,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  trigger(): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running) this.rerun = true;
      else this.running = this.loop();
    }, this.delayMs);
  }

  /** Resolves when no run is scheduled or in progress (commands and tests that need fresh state). */
  async idle(): Promise<void> {
    while (this.timer || this.running) {
      if (this.running) await this.running;
      else await new Promise((r) => setTimeout(r, this.delayMs));
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.rerun = false;
        try {
          await this.task();
        } catch (err) {
          this.onError(err);
        }
      } while (this.rerun && !this.disposed);
    } finally {
      this.running = undefined;
    }
  }
}
