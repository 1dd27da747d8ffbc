// The YAML path at a cursor in a block-style values file, found WITHOUT parsing the document: from
// the cursor's line, walk lines backwards by indentation until the owner of each level is found.
// Hover and completion must answer in a few milliseconds right after an edit of a 10,000-line
// file, before any re-parse; a walk touches only the lines between the cursor and its ancestors
// (plus, for list items, the previous items of the list).
//
// Each line is read as its leading structure only: indentation, `- ` markers, then an optional
// `key:` (plain, "double" or 'single' quoted). Flow collections and block scalars are not entered:
// a cursor inside one has no path.
import type { PathSegment } from '../values/paths';
import { closingQuote, isWhite, skipWhite } from '../yaml/lineLexer';

/** The lines of a document: `line(i)` without its line break (a trailing `\r` is tolerated). */
export interface LineSource {
  readonly lineCount: number;
  line(i: number): string;
}

export function linesOf(text: string): LineSource {
  const lines = text.split('\n');
  return { lineCount: lines.length, line: (i) => lines[i] ?? '' };
}

/** One element of a line's leading structure. */
export interface LineEntry {
  kind: 'dash' | 'key';
  /** Column where the entry starts (the `-`, or the key's first character or quote). */
  column: number;
  /** The key's text, unquoted (kind `key`). */
  key?: string;
  /** Column just after the key (before the colon), kind `key`. */
  end?: number;
}

export interface LineStructure {
  entries: LineEntry[];
  /** Column of the first character after the last entry (after `key:` and spaces, or `- `). */
  restColumn: number;
  /** What follows the last entry, without a trailing comment and trailing spaces. */
  rest: string;
}

/**
 * The leading structure of one line; undefined for a blank or comment-only line. `- a: b` gives
 * [dash 0, key 2 `a`] with rest `b`.
 */
export function lineStructure(raw: string): LineStructure | undefined {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  let i = skipWhite(text, 0);
  if (i >= text.length || text.charCodeAt(i) === HASH) return undefined;
  const entries: LineEntry[] = [];
  for (;;) {
    if (text.charCodeAt(i) === DASH && (i + 1 === text.length || isWhite(text.charCodeAt(i + 1)))) {
      entries.push({ kind: 'dash', column: i });
      i = skipWhite(text, i + 1);
      if (i >= text.length || text.charCodeAt(i) === HASH) return { entries, restColumn: i, rest: '' };
      continue;
    }
    break;
  }
  const key = keyAt(text, i);
  if (key) {
    entries.push({ kind: 'key', column: i, key: key.key, end: key.end });
    i = skipWhite(text, key.colon + 1);
  }
  return { entries, restColumn: i, rest: stripComment(text.slice(i)) };
}

/** A `key:` starting at `i` (followed by a space, a tab or the end of the line). */
function keyAt(text: string, i: number): { key: string; end: number; colon: number } | undefined {
  const c = text.charAt(i);
  if (c === '"' || c === "'") {
    const close = closingQuote(text, i + 1, c);
    if (close < 0) return undefined;
    const colon = skipWhite(text, close + 1);
    if (text.charAt(colon) !== ':' || !endsToken(text, colon + 1)) return undefined;
    const body = text.slice(i, close + 1);
    let key: string;
    if (c === "'") key = body.slice(1, -1).replace(/''/g, "'");
    else {
      try {
        key = JSON.parse(body) as string;
      } catch {
        key = body.slice(1, -1);
      }
    }
    return { key, end: close + 1, colon };
  }
  if (c === '' || '[]{}#&*!|>%@`,?'.includes(c)) return undefined;
  for (let j = i; j < text.length; j++) {
    const ch = text.charCodeAt(j);
    if (ch === HASH && isWhite(text.charCodeAt(j - 1))) return undefined;
    if (ch === COLON && endsToken(text, j + 1)) {
      const key = text.slice(i, j).trimEnd();
      return key === '' ? undefined : { key, end: i + key.length, colon: j };
    }
  }
  return undefined;
}

/** The YAML path of the node that holds an entry at `column` of `line`, for each kind of entry. */
export interface YamlPathAt {
  /** Path of the map (or list item) the cursor's key belongs to; [] is the top-level map. */
  parent: PathSegment[];
  /**
   * `key`: the cursor is on a key, or where one can be typed (an empty line, after `- `, a word
   * without a colon yet). `value`: after `key:` on the key's line.
   */
  kind: 'key' | 'value';
  /** The key on the cursor's line: complete (with a colon) or as typed so far; '' when none. */
  key: string;
  /** Whether the key is followed by its colon. */
  hasColon: boolean;
  /** Columns of the key on the line (start = end = cursor when none is typed). */
  keyStart: number;
  keyEnd: number;
  /** For `value`: the start column of the value and the value text up to the cursor. */
  valueStart?: number;
  valuePrefix?: string;
}

/**
 * The path at (line, character): the parent path of the key there and where the cursor is.
 * Undefined in a comment, inside a flow collection or quoted value that spans the cursor's
 * structure, inside a block scalar, and in a document that is not a block map at that point.
 */
export function yamlPathAt(lines: LineSource, line: number, character: number): YamlPathAt | undefined {
  const raw = lines.line(line);
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const at = Math.min(character, text.length);
  if (inComment(text, at)) return undefined;
  const structure = lineStructure(text);
  const entries = structure?.entries ?? [];
  const last = entries[entries.length - 1];

  if (last?.kind === 'key' && at > (last.end ?? 0)) {
    // After `key:`: a value position (or the colon itself).
    const parent = ownerPath(lines, line, last.column, entries.slice(0, -1));
    if (!parent) return undefined;
    const restColumn = structure?.restColumn ?? text.length;
    if (text.slice(restColumn, at).trimStart().startsWith('{') || text.slice(restColumn, at).startsWith('[')) return undefined;
    return {
      parent,
      kind: 'value',
      key: last.key ?? '',
      hasColon: true,
      keyStart: last.column,
      keyEnd: last.end ?? last.column,
      valueStart: restColumn,
      valuePrefix: text.slice(Math.min(restColumn, at), at),
    };
  }
  if (last?.kind === 'key' && at >= last.column) {
    const parent = ownerPath(lines, line, last.column, entries.slice(0, -1));
    if (!parent) return undefined;
    return { parent, kind: 'key', key: last.key ?? '', hasColon: true, keyStart: last.column, keyEnd: last.end ?? last.column };
  }

  // No `key:` at the cursor: a key being typed (a plain word) or an empty position.
  const dashes = entries.filter((e) => e.kind === 'dash' && e.column < at);
  const lastDash = dashes[dashes.length - 1];
  const wordStart = lastDash ? (structure?.restColumn ?? at) : skipWhite(text, 0);
  const typed = text.slice(Math.min(wordStart, at), at);
  if (typed !== '' && !/^[A-Za-z0-9_.\-/"']*$/.test(typed)) return undefined;
  let wordEnd = at;
  while (wordEnd < text.length && /[A-Za-z0-9_.\-/]/.test(text.charAt(wordEnd))) wordEnd++;
  if (text.slice(wordEnd).trim() !== '' && !text.slice(wordEnd).trimStart().startsWith('#')) return undefined;
  const column = typed === '' && !lastDash ? at : Math.min(wordStart, at);
  const parent = ownerPath(lines, line, column, dashes);
  if (!parent) return undefined;
  return { parent, kind: 'key', key: text.slice(column, wordEnd), hasColon: false, keyStart: column, keyEnd: wordEnd };
}

/**
 * The path of the node that holds an entry at `column` of `line`, given the entries left of it
 * on that line. Undefined when the structure cannot be read (a block scalar, a flow collection).
 */
function ownerPath(lines: LineSource, line: number, column: number, before: readonly LineEntry[]): PathSegment[] | undefined {
  const owner = findOwner(lines, line, column, before, 'key');
  if (owner === 'invalid') return undefined;
  if (!owner) return [];
  return segmentsOf(lines, owner.line, owner.entry, owner.before);
}

interface Owner {
  line: number;
  entry: LineEntry;
  /** Entries left of `entry` on its line. */
  before: LineEntry[];
}

/** The full path of an entry (a key: its path; a dash: the list item's path). */
function segmentsOf(lines: LineSource, line: number, entry: LineEntry, before: readonly LineEntry[]): PathSegment[] | undefined {
  const parent = findOwner(lines, line, entry.column, before, entry.kind);
  if (parent === 'invalid') return undefined;
  const head = parent ? segmentsOf(lines, parent.line, parent.entry, parent.before) : [];
  if (!head) return undefined;
  if (entry.kind === 'key') return [...head, entry.key ?? ''];
  return [...head, previousItems(lines, line, entry.column)];
}

/**
 * The entry that owns an entry of `kind` at (line, column): the rightmost entry left of it on its
 * own line, else the nearest line above with an entry left of `column` (its rightmost such entry),
 * or a key at the same column without an inline value when `kind` is a dash (`key:\n- item`).
 */
function findOwner(
  lines: LineSource,
  line: number,
  column: number,
  before: readonly LineEntry[],
  kind: LineEntry['kind'],
): Owner | undefined | 'invalid' {
  const left = before[before.length - 1];
  if (left) return { line, entry: left, before: before.slice(0, -1) };
  if (column === 0 && kind === 'key') return undefined;
  for (let l = line - 1; l >= 0; l--) {
    const raw = lines.line(l);
    const indent = skipWhite(raw, 0);
    // Cheap checks first, without reading the line: deeper lines are a sibling's content, and for
    // a key every entry of a line at its own column is at that column or right of it.
    if (indent > column || (indent === column && kind === 'key')) continue;
    const s = lineStructure(raw);
    if (!s || s.entries.length === 0) continue;
    let pick = -1;
    for (let k = s.entries.length - 1; k >= 0; k--) {
      const e = s.entries[k] as LineEntry;
      if (e.column < column || (kind === 'dash' && e.kind === 'key' && e.column === column && k === s.entries.length - 1)) {
        pick = k;
        break;
      }
    }
    if (pick < 0) continue; // a sibling at the same column
    const entry = s.entries[pick] as LineEntry;
    if (entry.kind === 'key' && pick === s.entries.length - 1 && s.rest !== '') {
      // A key with an inline value owns nothing below it: the line is inside a block scalar
      // (`key: |`) or a multi-line flow collection, which have no path.
      return 'invalid';
    }
    return { line: l, entry, before: s.entries.slice(0, pick) };
  }
  return undefined;
}

/** The index of the list item whose dash is at (line, column): how many items of the same list precede it. */
function previousItems(lines: LineSource, line: number, column: number): number {
  let count = 0;
  for (let l = line - 1; l >= 0; l--) {
    const raw = lines.line(l);
    if (skipWhite(raw, 0) > column) continue;
    const s = lineStructure(raw);
    if (!s) continue;
    let sibling = false;
    let stop = false;
    for (const e of s.entries) {
      if (e.column === column && e.kind === 'dash') sibling = true;
      else if (e.column < column || (e.column === column && e.kind === 'key')) stop = true;
    }
    if (sibling) count++;
    if (stop) break;
  }
  return count;
}

/**
 * The keys of the map that holds the entry at (line, column) with `parent` entries left of it on
 * that line: the siblings above and below, and the keys on the item's dash line. Excludes the
 * key on `line` itself.
 */
export function siblingKeys(lines: LineSource, line: number, column: number): Set<string> {
  const keys = new Set<string>();
  const scan = (l: number): 'stop' | 'go' => {
    const raw = lines.line(l);
    if (skipWhite(raw, 0) > column) return 'go';
    const s = lineStructure(raw);
    if (!s) return 'go';
    let stop = false;
    for (const e of s.entries) {
      if (e.column === column && e.kind === 'key') keys.add(e.key ?? '');
      else if (e.column < column) stop = true;
    }
    return stop ? 'stop' : 'go';
  };
  // A dash left of the column on the line itself starts a new list item (`  - |`): the map begins
  // here, and the keys above belong to the previous items.
  const own = lineStructure(lines.line(line));
  const startsItem = own?.entries.some((e) => e.kind === 'dash' && e.column < column) ?? false;
  if (!startsItem) for (let l = line - 1; l >= 0; l--) if (scan(l) === 'stop') break;
  for (let l = line + 1; l < lines.lineCount; l++) {
    const raw = lines.line(l);
    const indent = skipWhite(raw, 0);
    if (indent > column) continue;
    const s = lineStructure(raw);
    if (!s) continue;
    // A dash left of the column starts the next item of the list: a different map.
    if ((s.entries[0]?.column ?? 0) < column) break;
    if (scan(l) === 'stop') break;
  }
  return keys;
}

/**
 * The line (and its structure) of the key that owns the block starting at (line, column), e.g.
 * the `image:` line for the origin of `image` (its first child). Used to place a problem about a
 * map or list on its key rather than on its first entry.
 */
export function keyLineOf(lines: LineSource, line: number, column: number): { line: number; start: number; end: number } | undefined {
  const s = lineStructure(lines.line(line));
  const before = (s?.entries ?? []).filter((e) => e.column < column);
  const owner = findOwner(lines, line, column, before, s?.entries.find((e) => e.column === column)?.kind ?? 'key');
  if (!owner || owner === 'invalid') return undefined;
  const end = owner.entry.kind === 'key' ? (owner.entry.end ?? owner.entry.column) : owner.entry.column + 1;
  return { line: owner.line, start: owner.entry.column, end };
}

/** Columns of the content of a line: its first entry to the end of its value, comment excluded. */
export function contentRange(raw: string, from?: number): { start: number; end: number } {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const start = from ?? skipWhite(text, 0);
  const kept = stripComment(text.slice(start));
  return { start, end: start + kept.length };
}

// ---------------------------------------------------------------------------------------------

const HASH = 35;
const DASH = 45;
const COLON = 58;



function endsToken(text: string, i: number): boolean {
  return i >= text.length || isWhite(text.charCodeAt(i)) || text.charCodeAt(i) === 13;
}


/** A value without its trailing comment (a `#` after a space, outside quotes) and trailing spaces. */
function stripComment(value: string): string {
  let quote = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = '';
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(value.charAt(i - 1)))) {
      quote = c;
    } else if (c === '#' && (i === 0 || isWhite(value.charCodeAt(i - 1)))) {
      return value.slice(0, i).trimEnd();
    }
  }
  return value.trimEnd();
}

/** Whether column `at` of a line is inside a comment. */
function inComment(text: string, at: number): boolean {
  const kept = stripComment(text.slice(0, at));
  const rest = text.slice(0, at);
  return kept.length < rest.trimEnd().length || /^\s*#/.test(rest);
}
