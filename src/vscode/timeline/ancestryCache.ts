// The timeline core asks Git's ancestry synchronously (AncestryPort: undefined = not known yet). This
// cache answers from what `git merge-base --is-ancestor` said before, and on a miss asks it in the
// background and calls `learned` when the answer is in, so the caller computes again. Commits never
// change, so answers never go stale; a failure (a commit not fetched here) is asked again after a while.

/** How long a question Git could not answer (an unknown commit) waits before it is asked again. */
const RETRY_MS = 60_000;
const MAX_ENTRIES = 4096;

type Ask = (slug: string, ancestor: string, descendant: string) => Promise<boolean>;

export class AncestryCache {
  private readonly known = new Map<string, boolean>();
  private readonly asking = new Set<string>();
  private readonly failedAt = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly ask: Ask,
    private readonly learned: () => void,
  ) {}

  /** The port for one project's repository. */
  port(slug: string): (ancestor: string, descendant: string) => boolean | undefined {
    return (ancestor, descendant) => {
      const key = `${slug}\u0000${ancestor}\u0000${descendant}`;
      const answer = this.known.get(key);
      if (answer !== undefined || this.asking.has(key)) return answer;
      const failed = this.failedAt.get(key);
      if (failed !== undefined && Date.now() - failed < RETRY_MS) return undefined;
      this.asking.add(key);
      const asked = this.ask(slug, ancestor, descendant);
      this.inFlight.add(asked);
      void asked.finally(() => this.inFlight.delete(asked)).catch(() => undefined);
      asked.then(
        (value) => {
          this.asking.delete(key);
          this.failedAt.delete(key);
          if (this.known.size >= MAX_ENTRIES) this.known.clear();
          this.known.set(key, value);
          this.learned();
        },
        () => {
          this.asking.delete(key);
          this.failedAt.set(key, Date.now());
        },
      );
      return undefined;
    };
  }

  /** Resolves once every question asked so far has its answer (or failed). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
