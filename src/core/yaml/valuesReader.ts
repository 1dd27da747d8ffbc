// Helm values files as plain JSON-serialisable data, with the position of every node.
//
// Two readers give the same result:
// - a fast reader for the block YAML that values files are made of (block maps and lists, plain and
//   single-line quoted scalars, one-line flow collections, comments), about 30x faster than the
//   `yaml` library: the cold index reads tens of thousands of these files;
// - the `yaml` library (through parseYaml) for everything else, and for every file the fast reader
//   is not certain about: anchors, tags, block and multi-line scalars, documents markers, syntax
//   errors. The fast reader never guesses: on anything unusual it gives up and the library decides.
// test/unit/core/yaml/valuesReader.test.ts checks that both readers agree on values and positions.
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Origin, Problem } from '../types';
import { joinPath, setKey, type PathSegment, type PlainMap } from '../values/paths';
import { MAX_DEPTH, MAX_NODES, parseYaml, positionAt, spanOf } from './yamlSource';
import { DASH, HASH, SPACE, commentStart, isBlankAt, isCommentAt, skipWhite } from './lineLexer';

export interface ParsedValues {
  /** Absolute path of the file. */
  readonly file: string;
  /** -1 for the chart's values.yaml, else the index in the workload's `values` list. */
  readonly layer: number;
  /** The file's top-level map as plain data (`{}` for an empty file or a file with errors). Read-only. */
  readonly value: Record<string, unknown>;
  /**
   * Dotted path (see formatPath) → position of the value node, for every leaf, map and list (not
   * the root). Built on first use: most files of a cold index never need it. Read-only.
   */
  readonly origins: Map<string, Origin>;
  readonly problems: Problem[];
}

// ---------------------------------------------------------------------------------------------
// Parsing.

export function parseValuesFile(text: string, file: string, layer: number): ParsedValues {
  return parseFast(text, file, layer) ?? parseWithLibrary(text, file, layer);
}

/** The same parsed file seen as another layer (a file can be layer 0 of one workload and 1 of another). */
export function asLayer(parsed: ParsedValues, layer: number): ParsedValues {
  if (parsed.layer === layer) return parsed;
  return {
    file: parsed.file,
    layer,
    value: parsed.value,
    problems: parsed.problems,
    get origins() {
      const out = new Map<string, Origin>();
      for (const [path, o] of parsed.origins) out.set(path, { ...o, layer });
      return out;
    },
  };
}

/** The positions of a file's nodes, kept compact until someone asks for the dotted-path map. */
export class OriginTable {
  private readonly parents: number[] = [];
  private readonly segments: PathSegment[] = [];
  private readonly positions: number[] = [];
  private pathCache: string[] | undefined;

  /** Records a node below `parent` (-1 for the root) and returns its index. */
  add(parent: number, segment: PathSegment, line: number, character: number): number {
    this.parents.push(parent);
    this.segments.push(segment);
    this.positions.push(line, character);
    return this.parents.length - 1;
  }

  /** Moves a node (an alias points at its own position, not its anchor's). */
  move(index: number, line: number, character: number): void {
    this.positions[2 * index] = line;
    this.positions[2 * index + 1] = character;
  }

  toMap(file: string, layer: number): Map<string, Origin> {
    return this.appendTo(new Map(), file, layer, 0);
  }

  /** Adds every node to `out`, `lineBase` lines further down (a block read on its own, see incrementalValues). */
  appendTo(out: Map<string, Origin>, file: string, layer: number, lineBase: number): Map<string, Origin> {
    const paths = this.paths();
    for (let k = 0; k < paths.length; k++) {
      out.set(paths[k] as string, { file, line: lineBase + (this.positions[2 * k] as number), character: this.positions[2 * k + 1] as number, layer });
    }
    return out;
  }

  /** The dotted path of every node, in order; kept, as a block's table serves every version it survives. */
  private paths(): string[] {
    if (this.pathCache) return this.pathCache;
    const paths: string[] = new Array<string>(this.parents.length);
    for (let k = 0; k < this.parents.length; k++) {
      const parent = this.parents[k] as number;
      paths[k] = joinPath(parent < 0 ? '' : (paths[parent] as string), this.segments[k] as PathSegment);
    }
    this.pathCache = paths;
    return paths;
  }
}

class ValuesFile implements ParsedValues {
  private map: Map<string, Origin> | undefined;

  constructor(
    readonly file: string,
    readonly layer: number,
    readonly value: PlainMap,
    private table: OriginTable | undefined,
    readonly problems: Problem[],
  ) {}

  get origins(): Map<string, Origin> {
    if (!this.map) {
      this.map = this.table ? this.table.toMap(this.file, this.layer) : new Map();
      this.table = undefined;
    }
    return this.map;
  }
}

// Tabs, control characters and a byte order mark: the library decides what they mean.
const UNUSUAL_CHARACTERS = /[\t\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;

/** The fast reader alone: undefined when it leaves the file to the library. For tests. */
export function parseFast(text: string, file: string, layer: number): ParsedValues | undefined {
  const read = readWhole(text, false);
  return read && new ValuesFile(file, layer, read.value, read.table, []);
}

/**
 * Where the keys of one map start, in the order they were read: line, character, line, character…
 * (the order of Object.keys too, unless a key looks like an array index).
 */
export type KeyStarts = number[];

/**
 * The fast reader on a whole file, with where the keys of every map start, for files whose keys
 * are what matters (the variables file); undefined when it leaves the file to the library.
 */
export function readKeyed(text: string): { value: PlainMap; keys: Map<PlainMap, KeyStarts> } | undefined {
  const read = readWhole(text, true);
  return read && { value: read.value, keys: read.keys ?? new Map() };
}

function readWhole(text: string, keyed: boolean): { value: PlainMap; table: OriginTable; keys: Map<PlainMap, KeyStarts> | undefined } | undefined {
  if (UNUSUAL_CHARACTERS.test(text)) return undefined;
  let source = text;
  if (source.includes('\r')) {
    if (/\r(?!\n)/.test(source)) return undefined;
    source = source.replace(/\r\n/g, '\n');
  }
  const reader = new FastReader(source.split('\n'), keyed);
  try {
    const value = reader.document();
    return { value, table: reader.table, keys: reader.keys };
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
}

/**
 * The fast reader on some lines of a file on their own (`\r` already stripped), as the incremental
 * parser reads one top-level block: undefined when it leaves them to the library.
 */
export function readLines(lines: string[]): { value: PlainMap; table: OriginTable } | undefined {
  const reader = new FastReader(lines);
  try {
    return { value: reader.document(), table: reader.table };
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
}

/** Whether the fast reader leaves a text with these characters to the library. */
export function hasUnusualCharacters(text: string): boolean {
  return UNUSUAL_CHARACTERS.test(text);
}

/** The `yaml` library reader alone. For tests. */
export function parseWithLibrary(text: string, file: string, layer: number): ParsedValues {
  const parsed = parseYaml(text, file);
  const problems = parsed.problems;
  const empty = () => new ValuesFile(file, layer, {}, undefined, problems);
  // A file with a syntax error contributes nothing but its problems: the parser's recovery is a guess.
  if (problems.some((p) => p.severity === 'error')) return empty();
  const root = parsed.doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return empty();
  if (!isMap(root)) {
    problems.push({
      file,
      span: spanOf(root, parsed.lineCounter),
      severity: 'error',
      code: 'values-not-a-map',
      message: 'A values file must be a mapping of keys to values (or empty).',
    });
    return empty();
  }
  const walker = new LibraryWalker(parsed.doc, parsed.lineCounter, text, file);
  const value = walker.node(root, -1) as PlainMap;
  return new ValuesFile(file, layer, value, walker.table, [...problems, ...walker.problems]);
}

// ---------------------------------------------------------------------------------------------
// The `yaml` library reader: document nodes → plain data and origins.

const UNQUOTED_PLACEHOLDER = /^\{\{\s*hq\.[^{}]*\}\}$/;

class LibraryWalker {
  readonly table = new OriginTable();
  readonly problems: Problem[] = [];
  private readonly active = new Set<Node>();
  private visited = 0;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly lineCounter: LineCounter,
    private readonly text: string,
    private readonly file: string,
  ) {}

  /** The plain value of `node`, whose origin entry is `self` (-1 for the root). */
  node(node: Node | null, self: number): unknown {
    if (node === null) return null;
    // parseYaml refuses files whose aliases expand past MAX_NODES; merge keys (`<<`) can still add some.
    if (++this.visited > MAX_NODES) {
      if (this.visited === MAX_NODES + 1) {
        this.problems.push({
          file: this.file,
          span: spanOf(node, this.lineCounter),
          severity: 'error',
          code: 'values-too-large',
          message: `The aliases of this file expand to more than ${MAX_NODES} values: the rest is left out.`,
        });
      }
      return null;
    }
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      let value: unknown = null;
      if (target && !this.active.has(target)) {
        this.active.add(target);
        value = this.node(target, self);
        this.active.delete(target);
      }
      this.place(self, node.range?.[0] ?? 0);
      return value;
    }
    this.place(self, node.range?.[0] ?? 0);
    if (isScalar(node)) return plainScalar(node.value);
    if (isSeq(node)) return node.items.map((item, i) => this.node(item as Node | null, this.child(self, i)));
    if (isMap(node)) {
      const placeholder = this.unquotedPlaceholder(node);
      if (placeholder !== undefined) return placeholder;
      const out: PlainMap = {};
      const merged: Node[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        if (isScalar(keyNode) && keyNode.source === '<<' && keyNode.type === 'PLAIN') {
          if (pair.value) merged.push(pair.value as Node);
          continue;
        }
        const key = this.key(keyNode);
        const entry = this.child(self, key);
        // `? key` without a value: the key is where the empty value is.
        if (pair.value === null) this.place(entry, keyNode?.range?.[0] ?? 0);
        setKey(out, key, this.node(pair.value as Node | null, entry));
      }
      for (const source of merged) this.merge(out, source, self);
      return out;
    }
    return null;
  }

  /** Merge keys (`<<: *defaults`), as Helm's YAML reader applies them: explicit keys win. */
  private merge(out: PlainMap, source: Node, self: number): void {
    const sources = isSeq(source) ? (source.items as Node[]) : [source];
    for (const item of sources) {
      const target = isAlias(item) ? item.resolve(this.doc) : item;
      if (!isMap(target)) continue;
      for (const pair of target.items) {
        if (!isPair(pair)) continue;
        const key = this.key(pair.key as Node | null);
        if (Object.hasOwn(out, key)) continue;
        setKey(out, key, this.node(pair.value as Node | null, this.child(self, key)));
      }
    }
  }

  private key(node: Node | null): string {
    if (node === null) return '';
    if (isScalar(node)) return node.value === null || node.value === undefined ? '' : String(node.value);
    const range = node.range;
    return range ? this.text.slice(range[0], range[1]).trim() : '';
  }

  /**
   * `host: {{hq.var.X}}` is valid YAML for a map inside a map, never what the author meant: it
   * reads as the string, with an `unquoted-placeholder` error whose fix is to quote it.
   */
  private unquotedPlaceholder(node: Node): string | undefined {
    if (!isCollection(node) || !node.flow || !node.range) return undefined;
    const source = this.text.slice(node.range[0], node.range[1]).trimEnd();
    if (!UNQUOTED_PLACEHOLDER.test(source)) return undefined;
    this.problems.push({
      file: this.file,
      span: spanOf([node.range[0], node.range[0] + source.length], this.lineCounter),
      severity: 'error',
      code: 'unquoted-placeholder',
      message: `Quote this placeholder: unquoted, YAML reads ${source} as a nested mapping. Write "${source}".`,
    });
    return source;
  }

  private child(parent: number, segment: PathSegment): number {
    return this.table.add(parent, segment, 0, 0);
  }

  private place(index: number, offset: number): void {
    if (index < 0) return;
    const { line, character } = positionAt(this.lineCounter, offset);
    this.table.move(index, line, character);
  }
}

function plainScalar(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return Number(value);
    case 'undefined':
      return null;
    default:
      return value === null ? null : String(value);
  }
}

// ---------------------------------------------------------------------------------------------
// The fast reader. It works line by line; every method leaves `this.i` on the first line it did
// not consume, and throws BAIL as soon as the input leaves the subset it is sure about.

const BAIL = new Error('not for the fast reader');

const DOT = 46;
const COLON = 58;
const PERCENT = 37;

/** Characters that cannot start a plain scalar here (the library decides what they mean). */
const NOT_PLAIN_START = new Set(['&', '*', '!', '|', '>', '%', '@', '`', ',', '[', ']', '{', '}', '#', '"', "'"]);
const FLOW_STOP = new Set([',', '[', ']', '{', '}']);

class FastReader {
  readonly table = new OriginTable();
  /** Only when asked for (readKeyed). */
  readonly keys: Map<PlainMap, KeyStarts> | undefined;
  private i = 0;
  private depth = 0;
  /** The indentation of the key or dash that owns the flow collection being read. */
  private flowOwner = 0;
  private flowLevel = 0;

  constructor(
    private readonly lines: string[],
    keyed = false,
  ) {
    if (keyed) this.keys = new Map();
  }

  document(): PlainMap {
    this.documentStart();
    const indent = this.nextContent();
    if (indent < 0) return {};
    if (indent !== 0 || isSeqItem(this.lines[this.i] as string, 0)) throw BAIL;
    const map = this.map(0, -1);
    if (this.nextContent() >= 0) throw BAIL;
    return map;
  }

  /** Skips a `---` that opens the document (after blank and comment lines only). */
  private documentStart(): void {
    for (let k = this.i; k < this.lines.length; k++) {
      const line = this.lines[k] as string;
      const col = skipWhite(line, 0);
      if (col === line.length || line.charCodeAt(col) === HASH) continue;
      if (isDocumentStart(line)) this.i = k + 1;
      return;
    }
  }

  /** Skips blank and comment lines; the indentation of the next content line, or -1 at the end. */
  private nextContent(): number {
    const lines = this.lines;
    for (; this.i < lines.length; this.i++) {
      const line = lines[this.i] as string;
      let col = 0;
      while (line.charCodeAt(col) === SPACE) col++;
      if (col === line.length || line.charCodeAt(col) === HASH) continue;
      // Document markers and directives.
      if (col === 0 && (line.startsWith('---') || line.startsWith('...') || line.charCodeAt(0) === PERCENT)) throw BAIL;
      return col;
    }
    return -1;
  }

  /** A block map whose first key starts at (this.i, col); `self` is its origin entry. */
  private map(col: number, self: number): PlainMap {
    this.enter();
    const out: PlainMap = {};
    const starts: KeyStarts | undefined = this.keys ? [] : undefined;
    if (starts) this.keys?.set(out, starts);
    for (let first = true; ; first = false) {
      if (!first) {
        const indent = this.nextContent();
        if (indent < col) break;
        if (indent > col) throw BAIL;
      }
      const line = this.lines[this.i] as string;
      if (isSeqItem(line, col)) throw BAIL;
      const entry = readKey(line, col);
      if (entry === undefined) throw BAIL;
      const key = entry.key;
      if (key === '__proto__' || Object.hasOwn(out, key)) throw BAIL;
      starts?.push(this.i, col);
      out[key] = this.valueAfter(line, entry.afterColon, col, this.table.add(self, key, 0, 0), true);
    }
    this.depth--;
    return out;
  }

  /** Deeper than the library path allows: it reports the file (and nothing recurses that deep). */
  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw BAIL;
  }

  /** A block list whose first `-` is at (this.i, col). */
  private seq(col: number, self: number): unknown[] {
    this.enter();
    const out: unknown[] = [];
    for (let first = true; ; first = false) {
      if (!first) {
        const indent = this.nextContent();
        if (indent < col) break;
        if (indent > col) throw BAIL;
      }
      const line = this.lines[this.i] as string;
      if (!isSeqItem(line, col)) break;
      const item = this.table.add(self, out.length, 0, 0);
      const p = skipWhite(line, col + 1);
      if (p === line.length || line.charCodeAt(p) === HASH) {
        out.push(this.valueAfter(line, col + 1, col, item, false));
      } else if (isSeqItem(line, p)) {
        throw BAIL;
      } else if (line[p] === '|' || line[p] === '>' || readKey(line, p) === undefined) {
        out.push(this.inline(line, p, item, col));
      } else {
        this.place(item, this.i, p);
        out.push(this.map(p, item));
      }
    }
    this.depth--;
    return out;
  }

  /**
   * The value after `key:` or `-` on the current line, from `p`. `owner` is the indentation of
   * the key or dash. A list may sit at the same indentation as its key (`env:\n- name: x`), never
   * at that of its dash. An empty value is placed where the library places it: after the spaces.
   */
  private valueAfter(line: string, p: number, owner: number, self: number, inMap: boolean): unknown {
    p = skipWhite(line, p);
    if (p < line.length && line.charCodeAt(p) !== HASH) return this.inline(line, p, self, owner);
    const here = this.i;
    this.i++;
    const indent = this.nextContent();
    if (indent > owner || (inMap && indent === owner && isSeqItem(this.lines[this.i] as string, indent))) {
      const next = this.lines[this.i] as string;
      // `key:` with `{}`, `[...]` or a quoted string on the next line.
      if (indent > owner && '[{"\''.includes(next[indent] as string)) return this.inline(next, indent, self, owner);
      this.place(self, this.i, indent);
      return isSeqItem(this.lines[this.i] as string, indent) ? this.seq(indent, self) : this.map(indent, self);
    }
    this.place(self, here, p);
    return null;
  }

  /**
   * A scalar or flow collection at `p` (only a comment may follow it): on this line, or for a flow
   * collection or block scalar, over the following lines too. `owner` is the indentation of the
   * key or dash it belongs to.
   */
  private inline(line: string, p: number, self: number, owner: number): unknown {
    this.place(self, this.i, p);
    const c = line[p] as string;
    let value: unknown;
    let end: number;
    if (c === '"') [value, end] = readDoubleQuoted(line, p);
    else if (c === "'") [value, end] = readSingleQuoted(line, p);
    else if (c === '|' || c === '>') return this.blockScalar(line, p, owner);
    else if (c === '[' || c === '{') {
      this.flowOwner = owner;
      [value, end] = this.flow(line, p, self);
      line = this.lines[this.i] as string; // the line of the closing bracket
    } else {
      if (NOT_PLAIN_START.has(c) || (isIndicator(c) && isBlankAt(line, p + 1))) throw BAIL;
      end = commentStart(line, p);
      const text = line.slice(p, end).trimEnd();
      if (text.endsWith(':') || text.includes(': ')) throw BAIL;
      value = resolvePlain(text);
    }
    if (!onlyCommentAfter(line, end)) throw BAIL;
    this.i++;
    return value;
  }

  /** A one-line flow collection at `p`: its value and the offset after its closing bracket. */
  private flow(line: string, p: number, self: number): [unknown, number] {
    this.enter();
    this.flowLevel++;
    const list: unknown[] | undefined = line[p] === '[' ? [] : undefined;
    const map: PlainMap = {};
    const starts: KeyStarts | undefined = this.keys && !list ? [] : undefined;
    if (starts) this.keys?.set(map, starts);
    const close = list ? ']' : '}';
    let j = skipWhite(line, p + 1);
    if (atLineEnd(line, j)) [line, j] = this.flowBreak(close);
    while (line[j] !== close) {
      let item: number;
      let key: string | undefined;
      if (list) {
        item = this.table.add(self, list.length, this.i, j);
      } else {
        starts?.push(this.i, j);
        const [k, afterColon] = readFlowKey(line, j);
        if (k === '__proto__' || Object.hasOwn(map, k)) throw BAIL;
        key = k;
        j = skipWhite(line, afterColon);
        if (j >= line.length || line[j] === ',' || line[j] === '}') throw BAIL;
        item = this.table.add(self, k, this.i, j);
      }
      const [value, end] = this.flowItem(line, j, item);
      line = this.lines[this.i] as string; // a nested collection may have ended on a later line
      if (key === undefined) list?.push(value);
      else map[key] = value;
      j = skipWhite(line, end);
      if (atLineEnd(line, j)) [line, j] = this.flowBreak(close);
      if (line[j] === ',') {
        j = skipWhite(line, j + 1);
        if (atLineEnd(line, j)) [line, j] = this.flowBreak(close);
      } else if (line[j] !== close) {
        throw BAIL;
      }
    }
    this.depth--;
    this.flowLevel--;
    return [list ?? map, j + 1];
  }

  /**
   * The next line with content inside a flow collection, and where its content starts. Lines must
   * be indented deeper than the owner; the closing bracket of the outermost collection may sit at
   * the owner's indentation. Anything else is for the library.
   */
  private flowBreak(close: string): [string, number] {
    for (;;) {
      this.i++;
      const line = this.lines[this.i];
      if (line === undefined) throw BAIL;
      const col = skipWhite(line, 0);
      if (col === line.length || line.charCodeAt(col) === HASH) continue;
      if (col < this.flowOwner || (col === this.flowOwner && (line[col] !== close || this.flowLevel !== 1))) throw BAIL;
      if (col === 0 && (line.startsWith('---') || line.startsWith('...'))) throw BAIL;
      return [line, col];
    }
  }

  /**
   * A literal (`|`) or folded (`>`) block scalar whose header is at `p`, with optional chomping
   * (`-`, `+`): its lines are those indented deeper than `owner`, at the indentation of the first.
   * Explicit indentation, a folded text with more-indented lines, or spaces-only lines longer than
   * the indentation are for the library.
   */
  private blockScalar(header: string, p: number, owner: number): string {
    const parsed = /^([|>])([-+]?)(?: +#.*)? *$/.exec(header.slice(p));
    if (!parsed) throw BAIL;
    const folded = parsed[1] === '>';
    const chomp = parsed[2];
    const lines = this.lines;
    // The text's last element after its final line break is not a line.
    const last = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
    let indent = -1;
    const body: string[] = [];
    let k = this.i + 1;
    let trailing = 0;
    for (; k < last; k++) {
      const line = lines[k] as string;
      const col = skipWhite(line, 0);
      if (col === line.length) {
        if (indent >= 0 ? col > indent : false) throw BAIL;
        trailing++;
        continue;
      }
      if (indent < 0) {
        if (col <= owner) break;
        // Leading spaces-only lines longer than the indentation are an error the library reports.
        for (let b = this.i + 1; b < k; b++) if ((lines[b] as string).length > col) throw BAIL;
        indent = col;
      } else if (col < indent) {
        break;
      }
      if (folded && col > indent) throw BAIL;
      for (; trailing > 0; trailing--) body.push('');
      body.push(line.slice(indent));
    }
    if (indent < 0) throw BAIL;
    this.i = k;
    let text = '';
    if (folded) {
      let empties = 0;
      let started = false;
      for (const line of body) {
        if (line === '') {
          empties++;
          continue;
        }
        text += started ? (empties === 0 ? ' ' : '\n'.repeat(empties)) : '\n'.repeat(empties);
        text += line;
        started = true;
        empties = 0;
      }
    } else {
      text = body.join('\n');
    }
    if (chomp === '-') return text;
    return chomp === '+' ? text + '\n'.repeat(1 + trailing) : text + '\n';
  }

  private flowItem(line: string, j: number, self: number): [unknown, number] {
    const c = line[j];
    if (c === undefined) throw BAIL;
    if (c === '[' || c === '{') return this.flow(line, j, self);
    if (c === '"') return readDoubleQuoted(line, j);
    if (c === "'") return readSingleQuoted(line, j);
    if (NOT_PLAIN_START.has(c) || (isIndicator(c) && isFlowBlank(line, j + 1))) throw BAIL;
    let k = j;
    for (; k < line.length; k++) {
      const ch = line[k] as string;
      if (FLOW_STOP.has(ch)) break;
      if (isCommentAt(line, k)) break; // a comment: the collection goes on below
      if (ch === ':' && isFlowBlank(line, k + 1)) throw BAIL;
    }
    if (line[k] === '[' || line[k] === '{') throw BAIL;
    return [resolvePlain(line.slice(j, k).trimEnd()), k];
  }

  private place(index: number, line: number, character: number): void {
    if (index >= 0) this.table.move(index, line, character);
  }
}

/** `---` alone or before a comment. */
export function isDocumentStart(line: string): boolean {
  return line.startsWith('---') && onlyCommentAfter(line, 3) && (line.length === 3 || line.charCodeAt(3) === SPACE);
}

/** Whether only spaces or a comment are left on the line from `j` (after a space or at the start). */
function atLineEnd(line: string, j: number): boolean {
  return j >= line.length || isCommentAt(line, j);
}

function isSeqItem(line: string, col: number): boolean {
  return line.charCodeAt(col) === DASH && isBlankAt(line, col + 1);
}


function isFlowBlank(line: string, i: number): boolean {
  return i >= line.length || line[i] === ' ' || line[i] === ',' || line[i] === ']' || line[i] === '}';
}

function isIndicator(c: string): boolean {
  return c === '-' || c === '?' || c === ':';
}



function onlyCommentAfter(line: string, end: number): boolean {
  const j = skipWhite(line, end);
  return j >= line.length || (line.charCodeAt(j) === HASH && j > end);
}

/**
 * The key of a block map entry at `p` and the offset after its `:`; undefined when the text at `p`
 * is not a `key:` (but a plain or quoted scalar).
 */
function readKey(line: string, p: number): { key: string; afterColon: number } | undefined {
  const c = line[p] as string;
  if (c === '"' || c === "'") {
    const [key, end] = c === '"' ? readDoubleQuoted(line, p) : readSingleQuoted(line, p);
    const j = skipWhite(line, end);
    if (line.charCodeAt(j) === COLON && isBlankAt(line, j + 1)) return { key, afterColon: j + 1 };
    if (onlyCommentAfter(line, end)) return undefined;
    throw BAIL;
  }
  if (c === '[' || c === '{') return undefined;
  if (NOT_PLAIN_START.has(c) || (isIndicator(c) && isBlankAt(line, p + 1))) throw BAIL;
  for (let k = p + 1; k < line.length; k++) {
    const code = line.charCodeAt(k);
    if (isCommentAt(line, k)) return undefined;
    if (code === COLON && isBlankAt(line, k + 1)) {
      const key = line.slice(p, k).trimEnd();
      if (key.length > 1000 || key === '<<' || typeof resolvePlain(key) !== 'string') throw BAIL;
      return { key, afterColon: k + 1 };
    }
  }
  return undefined;
}

/** The key of a flow map entry at `j` and the offset after its `:`. */
function readFlowKey(line: string, j: number): [string, number] {
  const c = line[j];
  if (c === undefined) throw BAIL;
  if (c === '"' || c === "'") {
    const [key, end] = c === '"' ? readDoubleQuoted(line, j) : readSingleQuoted(line, j);
    const k = skipWhite(line, end);
    if (line[k] === ':' && isFlowBlank(line, k + 1)) return [key, k + 1];
    throw BAIL;
  }
  if (NOT_PLAIN_START.has(c) || (isIndicator(c) && isFlowBlank(line, j + 1))) throw BAIL;
  for (let k = j + 1; k < line.length; k++) {
    const ch = line[k] as string;
    if (FLOW_STOP.has(ch) || (ch === '#' && line.charCodeAt(k - 1) === SPACE)) throw BAIL;
    if (ch === ':' && isFlowBlank(line, k + 1)) {
      const key = line.slice(j, k).trimEnd();
      if (typeof resolvePlain(key) !== 'string') throw BAIL;
      return [key, k + 1];
    }
  }
  throw BAIL;
}

/** A double-quoted scalar that closes on this line, with JSON's escapes only, and the offset after it. */
function readDoubleQuoted(line: string, p: number): [string, number] {
  let escaped = false;
  for (let k = p + 1; k < line.length; k++) {
    const ch = line.charCodeAt(k);
    if (ch === 92 /* \ */) {
      escaped = true;
      const next = line[k + 1];
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(line.slice(k + 2, k + 6))) throw BAIL;
        k += 5;
      } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
        k++;
      } else {
        throw BAIL;
      }
    } else if (ch === 34 /* " */) {
      if (!escaped) return [line.slice(p + 1, k), k + 1];
      try {
        return [JSON.parse(line.slice(p, k + 1)) as string, k + 1];
      } catch {
        throw BAIL;
      }
    }
  }
  throw BAIL;
}

/** A single-quoted scalar that closes on this line (`''` is a quote), and the offset after it. */
function readSingleQuoted(line: string, p: number): [string, number] {
  for (let k = p + 1; k < line.length; k++) {
    if (line.charCodeAt(k) !== 39 /* ' */) continue;
    if (line.charCodeAt(k + 1) === 39) {
      k++;
      continue;
    }
    return [line.slice(p + 1, k).replace(/''/g, "'"), k + 1];
  }
  throw BAIL;
}

// The YAML 1.2 core schema, as the `yaml` library resolves plain scalars (same tests, same order).
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A plain scalar's value under the core schema. */
export function resolvePlain(text: string): string | number | boolean | null {
  const c = text.charCodeAt(0);
  // Most values start with a letter that no null, boolean or number can start with.
  const mayBeSpecial =
    text.length === 0 || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === DOT || c === 126 || 'nNtTfF'.includes(text[0] as string);
  if (!mayBeSpecial) return text;
  if (NULL.test(text)) return null;
  if (BOOL.test(text)) return c === 116 || c === 84;
  if (INT_OCT.test(text)) return parseInt(text.substring(2), 8);
  if (INT.test(text)) return parseInt(text, 10);
  if (INT_HEX.test(text)) return parseInt(text.substring(2), 16);
  if (FLOAT_NAN.test(text)) {
    if (text.slice(-3).toLowerCase() === 'nan') return NaN;
    return text[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (FLOAT_EXP.test(text) || FLOAT.test(text)) return parseFloat(text);
  return text;
}
