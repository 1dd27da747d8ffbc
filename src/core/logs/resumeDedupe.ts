// Resuming a log after a dropped connection: the API's `sinceTime` has whole-second precision, so the
// lines of the last received second come again. The ones already written are a prefix of that
// replay, in the same order (one container's log is one file): they are matched one for one by
// (timestamp, text), so a line the container really wrote twice is kept twice, and the first line
// that differs ends the replay. Only the last second's lines are remembered, in an array: no key
// strings per line (this runs for every line of a flood).

interface Seen {
  key: string;
  text: string;
}

export class ResumeDedupe {
  private second = '';
  private seen: Seen[] = [];
  private lastKey: string | undefined;
  private replay: Seen[] | undefined;
  private replayAt = 0;

  /** The key of the last line written (where a resume starts from), if any. */
  get last(): string | undefined {
    return this.lastKey;
  }

  /** A connection is about to resume from the start of the last second: replayed lines follow. */
  resume(): void {
    this.replay = this.seen.length > 0 ? this.seen.slice() : undefined;
    this.replayAt = 0;
  }

  /** True when the line is new (write it); false when it is a replay of a line already written. */
  accept(key: string, text: string): boolean {
    if (this.replay) {
      const expected = this.replay[this.replayAt];
      if (expected && expected.key === key && expected.text === text) {
        if (++this.replayAt >= this.replay.length) this.replay = undefined;
        return false;
      }
      // The first line not seen before: the replay is over.
      this.replay = undefined;
      // Before the replayed second: everything there was written already (a server that ignored sinceTime).
      if (this.second !== '' && key < this.second) return false;
    }
    if (this.second === '' || !key.startsWith(this.second)) {
      this.second = key.slice(0, 19);
      this.seen = [];
    }
    this.seen.push({ key, text });
    if (this.lastKey === undefined || key > this.lastKey) this.lastKey = key;
    return true;
  }
}
