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

/** Lines the channel keeps after a trim: a rewrite must stay cheap (one message to the renderer). */
const TRIMMED_CHANNEL_LINES = 5_000;
/** Lines per channel append: a big flush is written in slices, one per turn of the event loop. */
const APPEND_SLICE_LINES = 500;

export class LogBuffer {
  private readonly ring: RingBuffer<string>;
  /** Pending lines and their time keys (parallel arrays: no object per line). */
  private texts: string[] = [];
  private keys: string[] = [];
  /** now() when the oldest pending line was queued (flush latency). */
  private firstAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlush = -Infinity;
  private filter: LineFilter;
  private sinceTrim = 0;
  private announcedCap = false;
  private closed = false;
  private readonly flushMs: number;
  private readonly now: () => number;
  /** Lines that passed the filter / were filtered out, since the start. */
  written = 0;
  filteredOut = 0;
  /** How long the oldest line of each flush waited (ms), the last 1,000 flushes. */
  readonly latencies: number[] = [];
  /** Sees every flushed line (benchmarks check a flood line by line without retaining it). */
  tap: ((lines: readonly string[]) => void) | undefined;
  /** Slices of flushed lines not yet appended to the channel, oldest first. */
  private readonly outbox: string[][] = [];
  private draining: ReturnType<typeof setImmediate> | undefined;

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
    const formatted: string[] = [];
    const keys: string[] = [];
    for (const line of batch) {
      if (!this.filter.accepts(line.source, line.text)) {
        this.filteredOut++;
        continue;
      }
      formatted.push(this.options.timestamps ? `${line.prefix} ${line.ts} ${line.text}` : `${line.prefix} ${line.text}`);
      keys.push(line.key);
    }
    if (formatted.length === 0) return;
    this.written += formatted.length;
    // One masking pass per batch; the masker keeps line breaks, so the lines still line up.
    let masked = this.options.mask(formatted.join('\n')).split('\n');
    if (masked.length !== formatted.length) masked = formatted.map((t) => this.options.mask(t));
    if (this.texts.length === 0) this.firstAt = this.now();
    for (let i = 0; i < masked.length; i++) {
      this.texts.push(masked[i]!);
      this.keys.push(keys[i]!);
    }
    this.schedule();
  }

  /** A marker line; with `key`, placed before the pending lines that are later than it. */
  marker(text: string, key?: string): void {
    if (this.closed) return;
    const line = this.options.mask(markerLine(text));
    if (this.texts.length === 0) this.firstAt = this.now();
    if (key === undefined) {
      this.texts.push(line);
      this.keys.push('');
    } else {
      let i = this.keys.length;
      while (i > 0 && this.keys[i - 1]! > key) i--;
      this.texts.splice(i, 0, line);
      this.keys.splice(i, 0, key);
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
    if (this.texts.length === 0) return;
    const batch = this.texts;
    this.texts = [];
    this.keys = [];
    const now = this.now();
    this.lastFlush = now;
    this.latencies.push(now - this.firstAt);
    if (this.latencies.length > 1000) this.latencies.splice(0, this.latencies.length - 1000);
    for (const text of batch) this.ring.push(text);
    if (this.ring.dropped > 0 && !this.announcedCap) {
      this.announcedCap = true;
      const note = markerLine(`more than ${this.options.capacity.toLocaleString('en-US')} lines: only the newest are kept for export (setting gitopshq.logs.bufferLines)`);
      this.ring.push(note);
      batch.push(note);
    }
    this.tap?.(batch);
    this.sinceTrim += batch.length;
    // The channel must not grow without bound either: past twice the buffer, it is rewritten with
    // the newest lines only (a few thousand: one cheap message), saying where the rest is.
    if (this.sinceTrim > 2 * this.options.capacity) {
      this.sinceTrim = 0;
      const all = this.ring.toArray();
      const keep = all.slice(-Math.min(TRIMMED_CHANNEL_LINES, all.length));
      const note = markerLine(`channel trimmed to the newest ${keep.length.toLocaleString('en-US')} lines; Export Log Stream writes the newest ${all.length.toLocaleString('en-US')}`);
      this.outbox.length = 0;
      this.options.replace(`${note}\n${keep.join('\n')}\n`);
    } else {
      for (let i = 0; i < batch.length; i += APPEND_SLICE_LINES) this.outbox.push(batch.slice(i, i + APPEND_SLICE_LINES));
      this.drain();
    }
  }

  /** Appends one slice now and the rest on the next turns: the editor stays responsive under a flood. */
  private drain(): void {
    if (this.draining) return;
    const slice = this.outbox.shift();
    if (!slice) return;
    this.options.append(`${slice.join('\n')}\n`);
    if (this.outbox.length > 0) {
      this.draining = setImmediate(() => {
        this.draining = undefined;
        this.drain();
      });
    }
  }

  /** Appends everything still queued at once (stop, export). */
  private drainAll(): void {
    if (this.draining) clearImmediate(this.draining);
    this.draining = undefined;
    while (this.outbox.length > 0) this.options.append(`${this.outbox.shift()!.join('\n')}\n`);
  }

  /** Flushes and stops accepting lines. */
  close(finalMarker?: string): void {
    if (finalMarker !== undefined) this.marker(finalMarker);
    this.flush();
    this.drainAll();
    this.closed = true;
  }

  private schedule(): void {
    if (this.timer || this.texts.length === 0) return;
    const wait = Math.max(0, this.lastFlush + this.flushMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }
}
