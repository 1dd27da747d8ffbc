// One stream's lines on their way to its output channel: filtered, prefixed, masked, kept in a ring
// buffer for export, and written in batches at most every `flushMs` (an output channel append per
// line would flood the renderer). Markers (reconnecting, pods coming and going, the timeline's phase
// changes) go through the same queue, placed among the pending lines by their time.
import type { LineFilter } from './filters';
import { markerLine } from './prefixes';
import { RingBuffer } from './ringBuffer';

export interface SourceLine {
  /** `pod/container`: the filter's stack-trace state is per source. */
  source: string;
  /** `[xk2lp/app]` */
  prefix: string;
  /** Sortable time key (timestamps.ts), for placing markers. */
  key: string;
  /** The API's timestamp as sent. */
  ts: string;
  text: string;
}

export interface LogBufferOptions {
  capacity: number;
  filter: LineFilter;
  /** Hides secret values (the one masker, core/secrets). */
  mask: (text: string) => string;
  /** Show each line's timestamp after its prefix. */
  timestamps: boolean;
  /** Appends text (whole lines, each ending with \n) to the channel. */
  append: (text: string) => void;
  /** Replaces the channel's whole content (keeps the channel as bounded as the buffer). */
  replace: (text: string) => void;
  flushMs?: number;
  now?: () => number;
}

interface Pending {
  text: string;
  key: string;
  /** now() when it was queued (flush latency). */
  at: number;
}

export class LogBuffer {
  private readonly ring: RingBuffer<string>;
  private pending: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlush = -Infinity;
  private filter: LineFilter;
  private sinceReplace = 0;
  private announcedCap = false;
  private closed = false;
  private readonly flushMs: number;
  private readonly now: () => number;
  /** Lines that passed the filter / were filtered out, since the start. */
  written = 0;
  filteredOut = 0;
  /** How long the oldest line of each flush waited (ms), the last 1,000 flushes. */
  readonly latencies: number[] = [];

  constructor(private readonly options: LogBufferOptions) {
    this.ring = new RingBuffer(options.capacity);
    this.filter = options.filter;
    this.flushMs = options.flushMs ?? 100;
    this.now = options.now ?? (() => performance.now());
  }

  get currentFilter(): LineFilter {
    return this.filter;
  }

  /** From the next line on; lines already written stay. */
  setFilter(filter: LineFilter): void {
    this.filter = filter;
  }

  lines(batch: readonly SourceLine[]): void {
    if (this.closed) return;
    const at = this.now();
    for (const line of batch) {
      if (!this.filter.accepts(line.source, line.text)) {
        this.filteredOut++;
        continue;
      }
      this.written++;
      const text = this.options.timestamps ? `${line.prefix} ${line.ts} ${line.text}` : `${line.prefix} ${line.text}`;
      this.pending.push({ text: this.options.mask(text), key: line.key, at });
    }
    this.schedule();
  }

  /** A marker line; with `key`, placed before the pending lines that are later than it. */
  marker(text: string, key?: string): void {
    if (this.closed) return;
    const entry: Pending = { text: this.options.mask(markerLine(text)), key: key ?? '', at: this.now() };
    if (key === undefined) this.pending.push(entry);
    else {
      let i = this.pending.length;
      while (i > 0 && this.pending[i - 1]!.key > key) i--;
      this.pending.splice(i, 0, entry);
    }
    this.schedule();
  }

  /** The retained lines (markers included), oldest first, flushed or not. */
  retained(): string[] {
    this.flush();
    return this.ring.toArray();
  }

  get capacity(): number {
    return this.options.capacity;
  }

  /** Writes what is pending now (stop, export, tests). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const now = this.now();
    this.lastFlush = now;
    this.latencies.push(now - batch[0]!.at);
    if (this.latencies.length > 1000) this.latencies.splice(0, this.latencies.length - 1000);
    let text = '';
    for (const entry of batch) {
      this.ring.push(entry.text);
      text += `${entry.text}\n`;
    }
    if (this.ring.dropped > 0 && !this.announcedCap) {
      this.announcedCap = true;
      const note = markerLine(`more than ${this.options.capacity.toLocaleString('en-US')} lines: only the newest are kept (setting gitopshq.logs.bufferLines)`);
      this.ring.push(note);
      text += `${note}\n`;
    }
    this.sinceReplace += batch.length;
    // The channel holds at most twice the buffer: then it is rewritten with what the buffer keeps.
    if (this.sinceReplace > this.options.capacity && this.ring.dropped > 0) {
      this.sinceReplace = 0;
      this.options.replace(`${this.ring.toArray().join('\n')}\n`);
    } else {
      this.options.append(text);
    }
  }

  /** Flushes and stops accepting lines. */
  close(finalMarker?: string): void {
    if (finalMarker !== undefined) this.marker(finalMarker);
    this.flush();
    this.closed = true;
  }

  private schedule(): void {
    if (this.timer || this.pending.length === 0) return;
    const wait = Math.max(0, this.lastFlush + this.flushMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }
}
