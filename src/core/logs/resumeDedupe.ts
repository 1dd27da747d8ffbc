// Resuming a log after a dropped connection: the API's `sinceTime` has whole-second precision, so the
// lines of the last received second come again. The ones already written are a prefix of that
// replay; they are dropped one for one by (timestamp, text), so a line the container really wrote
// twice is kept twice, and the first line not already seen ends the replay.
import { secondOf } from './timestamps';

export class ResumeDedupe {
  private second = '';
  /** (key \u0000 text) → how many of them were written within `second`. */
  private seen = new Map<string, number>();
  private lastKey: string | undefined;
  private replay: Map<string, number> | undefined;

  /** The key of the last line written (where a resume starts from), if any. */
  get last(): string | undefined {
    return this.lastKey;
  }

  /** A connection is about to resume from the start of the last second: replayed lines follow. */
  resume(): void {
    this.replay = this.seen.size > 0 ? new Map(this.seen) : undefined;
  }

  /** True when the line is new (write it); false when it is a replay of a line already written. */
  accept(key: string, text: string): boolean {
    if (this.replay) {
      const id = `${key}\u0000${text}`;
      const count = this.replay.get(id);
      if (count !== undefined && key <= (this.lastKey ?? '')) {
        if (count <= 1) this.replay.delete(id);
        else this.replay.set(id, count - 1);
        if (this.replay.size === 0) this.replay = undefined;
        return false;
      }
      // The first line not seen before: the replay is over.
      this.replay = undefined;
      // Before the replayed second: everything there was written already (a server that ignored sinceTime).
      if (secondOf(key) < this.second) return false;
    }
    const second = secondOf(key);
    if (second !== this.second) {
      this.second = second;
      this.seen = new Map();
    }
    const id = `${key}\u0000${text}`;
    this.seen.set(id, (this.seen.get(id) ?? 0) + 1);
    if (this.lastKey === undefined || key > this.lastKey) this.lastKey = key;
    return true;
  }
}
