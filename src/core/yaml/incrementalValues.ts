// Incremental re-parse of a values file being edited: only the top-level blocks an edit touches are
// read again, and the result is always the one parseValuesFile gives for the whole text.
//
// A block starts at a line whose first character is not a space, `#` or `-` (a top-level key, or
// something the fast reader gives up on) and runs to the next such line. Why reading the blocks one
// by one gives what the fast reader gives for the whole text:
//  - the fast reader reads line by line and leaves each nested value as soon as a line is indented
//    no deeper than the value's owner; its scalars and flow collections end on their own line. So
//    a top-level entry never consumes a line that starts a block (a list of that key may sit at
//    column 0, but its `-` lines do not start blocks), and at every block's first line the reader
//    is back in the top-level map;
//  - the end of a block read on its own looks like the next block's first line to every nested
//    reader (shallower than anything nested, not a `-` item), so values and positions are the same;
//  - what the whole-file reader checks beyond one block is checked here: the lines before the first
//    block (blank and comments only), duplicate top-level keys across blocks, and the characters
//    and line breaks the reader refuses (per block).
// When a block is left to the library (anchors, block scalars, document markers, syntax errors...),
// or the lines before the first block are not blank or comments, the file goes to parseValuesFile:
// the snapshot then has no `fast` result and the caller parses the whole text (off the event loop
// for large files, see ProjectIndex). The blocks are kept either way, so once the user fixes the
// error, the next edit reads one block again instead of the whole file.
// test/unit/core/yaml/incrementalValues.test.ts checks the equivalence on thousands of random edits.
import type { Origin } from '../types';
import { hasUnusualCharacters, isDocumentStart, readLines, type OriginTable, type ParsedValues } from './valuesReader';
import { type PlainMap } from '../values/paths';
import { SPACE, HASH, DASH, LF, CR } from './lineLexer';

interface BlockRead {
  readonly value: PlainMap;
  readonly table: OriginTable;
  readonly keys: readonly string[];
}

interface Block {
  /** First line (0-based). */
  readonly start: number;
  /** Undefined when the fast reader leaves the block to the library. */
  readonly read: BlockRead | undefined;
}

export interface ValuesSnapshot {
  readonly text: string;
  readonly file: string;
  readonly layer: number;
  /** Offset of the start of every line. */
  readonly lineStarts: Int32Array;
  /** Lines before the first block, and whether they are only blank lines and comments. */
  readonly preamble: number;
  readonly preambleOk: boolean;
  readonly blocks: readonly Block[];
  /** The file as parseValuesFile reads it, when the fast reader can; else undefined (parse the whole text). */
  readonly fast: ParsedValues | undefined;
}

/** A snapshot of `text` read from scratch. */
export function buildSnapshot(text: string, file: string, layer: number): ValuesSnapshot {
  const builder = new SnapshotBuilder(text, file, layer);
  while (!builder.step(Number.POSITIVE_INFINITY));
  return builder.result();
}

/**
 * The same, yielding to `pause` every `linesPerSlice` lines or so, so a large file never holds the
 * event loop for long (a block is never split, though).
 */
export async function buildSnapshotInSlices(
  text: string,
  file: string,
  layer: number,
  pause: () => Promise<void>,
  linesPerSlice = 4000,
): Promise<ValuesSnapshot> {
  const builder = new SnapshotBuilder(text, file, layer);
  while (!builder.step(linesPerSlice)) await pause();
  return builder.result();
}

/**
 * The snapshot of `text`, an edited version of `previous.text`: the blocks the edit touches are read
 * again, the others kept (and moved). Falls back to reading everything when the edit reaches the
 * lines before the first block.
 */
export function updateSnapshot(previous: ValuesSnapshot, text: string): ValuesSnapshot {
  if (text === previous.text) return previous;
  const old = previous.text;
  const prefix = commonPrefix(old, text);
  const suffix = commonSuffix(old, text, Math.min(old.length, text.length) - prefix);
  const starts = lineStartsOf(text);
  const first = lineIndexAt(previous.lineStarts, prefix);
  const oldLast = lineIndexAt(previous.lineStarts, old.length - suffix);
  const delta = starts.length - previous.lineStarts.length;
  const blocks = previous.blocks;
  if (first < previous.preamble || blocks.length === 0) return buildSnapshot(text, previous.file, previous.layer);
  let from = blockIndexAt(blocks, first);
  const to = blockIndexAt(blocks, oldLast);
  // The edit may have turned the first line of the block into a continuation of the one before.
  while (!isBlockStart(text, starts, (blocks[from] as Block).start)) {
    if (from === 0) return buildSnapshot(text, previous.file, previous.layer);
    from--;
  }
  const regionStart = (blocks[from] as Block).start;
  const regionEnd = to + 1 < blocks.length ? (blocks[to + 1] as Block).start + delta : starts.length;
  const fresh: Block[] = [];
  forEachBlock(text, starts, regionStart, regionEnd, (start, end) => fresh.push(readBlock(text, starts, start, end)));
  const later = blocks.slice(to + 1);
  const next = [...blocks.slice(0, from), ...fresh, ...(delta === 0 ? later : later.map((b) => ({ start: b.start + delta, read: b.read })))];
  return snapshotOf(text, previous.file, previous.layer, starts, previous.preamble, previous.preambleOk, next);
}

// ---------------------------------------------------------------------------------------------

class SnapshotBuilder {
  private readonly starts: Int32Array;
  private readonly preamble: number;
  private readonly preambleOk: boolean;
  private readonly blocks: Block[] = [];
  private line: number;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly layer: number,
  ) {
    this.starts = lineStartsOf(text);
    let first = 0;
    while (first < this.starts.length && !isBlockStart(text, this.starts, first)) first++;
    this.preamble = first;
    this.preambleOk = isBlankOrComments(text.slice(0, first < this.starts.length ? (this.starts[first] as number) : text.length));
    this.line = first;
  }

  /** Reads blocks for about `lines` lines; whether everything is read. */
  step(lines: number): boolean {
    const limit = this.line + lines;
    const n = this.starts.length;
    while (this.line < n && this.line < limit) {
      const start = this.line;
      let end = start + 1;
      while (end < n && !isBlockStart(this.text, this.starts, end)) end++;
      this.blocks.push(readBlock(this.text, this.starts, start, end));
      this.line = end;
    }
    return this.line >= n;
  }

  result(): ValuesSnapshot {
    return snapshotOf(this.text, this.file, this.layer, this.starts, this.preamble, this.preambleOk, this.blocks);
  }
}

function snapshotOf(
  text: string,
  file: string,
  layer: number,
  lineStarts: Int32Array,
  preamble: number,
  preambleOk: boolean,
  blocks: readonly Block[],
): ValuesSnapshot {
  return { text, file, layer, lineStarts, preamble, preambleOk, blocks, fast: preambleOk ? combine(blocks, file, layer) : undefined };
}

/** The blocks as one file, or undefined when one is left to the library or two define the same key. */
function combine(blocks: readonly Block[], file: string, layer: number): ParsedValues | undefined {
  const value: PlainMap = {};
  for (const block of blocks) {
    const read = block.read;
    if (!read) return undefined;
    // The fast reader never accepts `__proto__`: plain assignment is safe.
    for (const key of read.keys) {
      if (Object.hasOwn(value, key)) return undefined;
      value[key] = read.value[key];
    }
  }
  return new BlockValues(file, layer, value, blocks);
}

/** A file read block by block. */
class BlockValues implements ParsedValues {
  readonly problems = [];
  private map: Map<string, Origin> | undefined;

  constructor(
    readonly file: string,
    readonly layer: number,
    readonly value: PlainMap,
    private readonly blocks: readonly Block[],
  ) {}

  get origins(): Map<string, Origin> {
    this.map ??= new BlockOrigins(this.file, this.layer, this.blocks);
    return this.map;
  }
}

/**
 * The origins of a file read block by block. After an edit, hover and diagnostics look up a few
 * paths (get, has): those build the map of the path's block only, not the whole file's (~60,000
 * entries for 50,000 lines). Anything else (size, iteration, changes) builds the whole map first.
 */
class BlockOrigins extends Map<string, Origin> {
  private complete = false;
  private byKey: Map<string, Block> | undefined;
  private readonly partial = new Map<Block, Map<string, Origin>>();

  constructor(
    private readonly file: string,
    private readonly layer: number,
    private readonly blocks: readonly Block[],
  ) {
    super();
    // `size` is an accessor of Map.prototype that reads the internal entries.
    Object.defineProperty(this, 'size', { get: () => this.whole().sizeOfWhole() });
  }

  override get(path: string): Origin | undefined {
    if (this.complete) return super.get(path);
    return this.blockMap(path)?.get(path);
  }

  override has(path: string): boolean {
    if (this.complete) return super.has(path);
    return this.blockMap(path)?.has(path) ?? false;
  }

  override set(path: string, origin: Origin): this {
    // Map's constructor calls set before the fields exist.
    if (this.blocks) this.whole();
    return super.set(path, origin);
  }

  override delete(path: string): boolean {
    return this.whole().superDelete(path);
  }

  override clear(): void {
    this.whole();
    super.clear();
  }

  override forEach(fn: (value: Origin, key: string, map: Map<string, Origin>) => void, thisArg?: unknown): void {
    this.whole();
    super.forEach((value, key) => fn.call(thisArg, value, key, this));
  }

  override entries(): MapIterator<[string, Origin]> {
    return this.whole().superEntries();
  }

  override keys(): MapIterator<string> {
    return this.whole().superKeys();
  }

  override values(): MapIterator<Origin> {
    return this.whole().superValues();
  }

  override [Symbol.iterator](): MapIterator<[string, Origin]> {
    return this.whole().superEntries();
  }

  private sizeOfWhole(): number {
    return super.size;
  }

  private superDelete(path: string): boolean {
    return super.delete(path);
  }

  private superEntries(): MapIterator<[string, Origin]> {
    return super.entries();
  }

  private superKeys(): MapIterator<string> {
    return super.keys();
  }

  private superValues(): MapIterator<Origin> {
    return super.values();
  }

  private whole(): this {
    if (this.complete) return this;
    this.complete = true;
    for (const block of this.blocks) {
      const done = this.partial.get(block);
      if (done) for (const [path, origin] of done) super.set(path, origin);
      else block.read?.table.appendTo(this as Map<string, Origin>, this.file, this.layer, block.start);
    }
    this.partial.clear();
    return this;
  }

  /** The origins of the block that holds `path`. */
  private blockMap(path: string): Map<string, Origin> | undefined {
    if (!this.byKey) {
      this.byKey = new Map();
      for (const block of this.blocks) for (const key of block.read?.keys ?? []) this.byKey.set(key, block);
    }
    const key = topLevelKey(path);
    const block = key === undefined ? undefined : this.byKey.get(key);
    if (!block?.read) return undefined;
    let map = this.partial.get(block);
    if (!map) {
      map = block.read.table.appendTo(new Map(), this.file, this.layer, block.start);
      this.partial.set(block, map);
    }
    return map;
  }
}

/** The first segment of a dotted path (see formatPath), when it is a key. */
function topLevelKey(path: string): string | undefined {
  if (path.startsWith('["')) {
    for (let i = 2; i < path.length; i++) {
      if (path[i] === '\\') i++;
      else if (path[i] === '"') {
        try {
          return JSON.parse(path.slice(1, i + 1)) as string;
        } catch {
          return undefined;
        }
      }
    }
    return undefined;
  }
  let end = 0;
  while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
  return end === 0 ? undefined : path.slice(0, end);
}

/** Reads lines [start, end) on their own. */
function readBlock(text: string, starts: Int32Array, start: number, end: number): Block {
  const from = starts[start] as number;
  const to = end < starts.length ? (starts[end] as number) : text.length;
  const source = text.slice(from, to);
  // What parseFast refuses in a whole text: lone carriage returns and unusual characters.
  if (hasUnusualCharacters(source)) return { start, read: undefined };
  const lines = source.split('\n');
  if (source.includes('\r')) {
    if (/\r(?!\n)/.test(source)) return { start, read: undefined };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
    }
  }
  const read = readLines(lines);
  return { start, read: read && { value: read.value, table: read.table, keys: Object.keys(read.value) } };
}

/** Calls `fn` for each block of lines [start, end); `start` must start a block. */
function forEachBlock(text: string, starts: Int32Array, start: number, end: number, fn: (start: number, end: number) => void): void {
  let line = start;
  while (line < end) {
    let next = line + 1;
    while (next < end && !isBlockStart(text, starts, next)) next++;
    fn(line, next);
    line = next;
  }
}

const CLOSE_BRACKET = 93;
const CLOSE_BRACE = 125;

function isBlockStart(text: string, starts: Int32Array, line: number): boolean {
  const at = starts[line] as number;
  if (at >= text.length) return false;
  const c = text.charCodeAt(at);
  // `]` or `}` at column 0 closes a flow collection opened by a top-level key: part of its block.
  return c !== SPACE && c !== HASH && c !== DASH && c !== LF && c !== CR && c !== CLOSE_BRACKET && c !== CLOSE_BRACE;
}

/** Whether the fast reader skips all of `text`: blank and comment lines and one leading `---`, nothing it refuses. */
function isBlankOrComments(text: string): boolean {
  if (hasUnusualCharacters(text) || /\r(?!\n)/.test(text)) return false;
  let started = false;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let col = 0;
    while (line.charCodeAt(col) === SPACE) col++;
    if (col === line.length || line.charCodeAt(col) === HASH) continue;
    if (started || !isDocumentStart(line)) return false;
    started = true;
  }
  return true;
}

function lineStartsOf(text: string): Int32Array {
  let count = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  const starts = new Int32Array(count);
  let k = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
  return starts;
}

/** The line that holds `offset`. */
function lineIndexAt(starts: Int32Array, offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The block that holds `line` (at or after the first block's start). */
function blockIndexAt(blocks: readonly Block[], line: number): number {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((blocks[mid] as Block).start <= line) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Compared a chunk at a time first: one string comparison is far cheaper than a character loop. */
const CHUNK = 4096;

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i + CHUNK <= n && a.slice(i, i + CHUNK) === b.slice(i, i + CHUNK)) i += CHUNK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

function commonSuffix(a: string, b: string, max: number): number {
  let i = 0;
  while (i + CHUNK <= max && a.slice(a.length - i - CHUNK, a.length - i) === b.slice(b.length - i - CHUNK, b.length - i)) i += CHUNK;
  while (i < max && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}
