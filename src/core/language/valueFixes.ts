// Quick-fix edits for values-file problems, as plain data (spans in the file, text to put there),
// so that the editor adapter only converts them and the unit tests can apply them to text.
import type { Span } from '../types';

/** An edit that resolves a problem. */
export interface TextFix {
  title: string;
  span: Span;
  newText: string;
  /** The obvious fix (VS Code applies it with "Auto Fix"). */
  preferred: boolean;
}

/** How a scalar is written: the literal checks and their fixes depend on it. */
export type ScalarStyle = 'plain' | 'double' | 'single' | 'block';

/** A YAML double-quoted scalar holding `content` exactly. */
export function doubleQuoted(content: string): string {
  let out = '"';
  for (const ch of content) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return `${out}"`;
}

/** Replaces a malformed or misspelt placeholder with `text`. */
export function placeholderFix(span: Span, text: string, preferred: boolean): TextFix {
  return { title: `Change to ${text}`, span, newText: text, preferred };
}

/**
 * Replaces `line[s, e)`, a literal inside the scalar `line[segStart, segEnd)`, with the placeholder
 * of `key`. Inside quotes or a block scalar only the literal changes; a plain scalar becomes a
 * double-quoted one, since a placeholder is not safe unquoted (`{{` starts a flow mapping).
 */
export function replaceInScalar(
  line: string,
  lineNo: number,
  segStart: number,
  segEnd: number,
  style: ScalarStyle,
  s: number,
  e: number,
  key: string,
  preferred: boolean,
): TextFix {
  const placeholder = `{{hq.var.${key}}}`;
  const title = `Replace with ${placeholder}`;
  if (style !== 'plain') return { title, span: lineSpan(lineNo, s, e), newText: placeholder, preferred };
  const content = line.slice(segStart, s) + placeholder + line.slice(e, segEnd);
  return { title, span: lineSpan(lineNo, segStart, segEnd), newText: doubleQuoted(content), preferred };
}

/**
 * The fix of an `unquoted-placeholder` problem: the scalar at `line[start, end)` double-quoted.
 * Undefined when there is nothing to quote or it is quoted already.
 */
export function quoteScalarFix(line: string, lineNo: number, start: number, end: number): TextFix | undefined {
  const text = line.slice(start, end);
  if (text.trim() === '' || text.startsWith('"') || text.startsWith("'")) return undefined;
  return { title: `Quote ${text}`, span: lineSpan(lineNo, start, end), newText: doubleQuoted(text), preferred: true };
}

// ---------------------------------------------------------------------------------------------
// Defining a variable in the variables file (spec §3).

export type DefineTarget = { scope: 'repo' } | { scope: 'env'; environment: string } | { scope: 'tenant'; tenant: string };

export interface InsertEdit {
  offset: number;
  text: string;
  /** 0-based line of the new `KEY:` once inserted, and the columns of its value. */
  line: number;
  valueStart: number;
  valueEnd: number;
}

const EMPTY_VALUE = '""';

/**
 * Where and what to insert in a variables file so that `key` is defined (as `""`, for the user to
 * fill in) in `target`: below the existing section and name when they exist (block style, in the
 * file's indentation), else a new section at the end. Undefined when the section or name is
 * written in flow style (`staging: { A: 1 }`), which a line insert cannot extend safely.
 */
export function defineVariableEdit(text: string, key: string, target: DefineTarget): InsertEdit | undefined {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const section = lines.findIndex((l) => new RegExp(`^${target.scope}\\s*:\\s*(#.*)?$`).test(l));
  const name = target.scope === 'env' ? target.environment : target.scope === 'tenant' ? target.tenant : undefined;
  if (section < 0) {
    if (lines.some((l) => new RegExp(`^${target.scope}\\s*:`).test(l))) return undefined;
    const body = name === undefined ? [`  ${key}: ${EMPTY_VALUE}`] : [`  ${name}:`, `    ${key}: ${EMPTY_VALUE}`];
    return appendLines(text, lines, [`${target.scope}:`, ...body]);
  }
  const sectionEnd = blockEnd(lines, section, 0);
  const childIndent = firstIndent(lines, section + 1, sectionEnd) ?? 2;
  if (name === undefined) return insertAfter(text, lastContent(lines, section, sectionEnd), [`${' '.repeat(childIndent)}${key}: ${EMPTY_VALUE}`]);
  const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  const child = lines.findIndex((l, i) => i > section && i < sectionEnd && new RegExp(`^ {${childIndent}}${escaped}\\s*:`).test(l));
  if (child < 0) {
    const pad = ' '.repeat(childIndent);
    return insertAfter(text, lastContent(lines, section, sectionEnd), [`${pad}${name}:`, `${pad}${pad}${key}: ${EMPTY_VALUE}`]);
  }
  if (!/^\s*[^:]+:\s*(#.*)?$/.test(lines[child] ?? '')) return undefined; // flow style or a scalar
  const childEnd = blockEnd(lines, child, childIndent);
  const grandIndent = firstIndent(lines, child + 1, childEnd) ?? childIndent * 2;
  return insertAfter(text, lastContent(lines, child, childEnd), [`${' '.repeat(grandIndent)}${key}: ${EMPTY_VALUE}`]);
}

/** The first line after `start` that is content at an indentation ≤ `indent` (or the line count). */
function blockEnd(lines: readonly string[], start: number, indent: number): number {
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i] as string;
    const col = l.search(/\S/);
    if (col < 0 || l[col] === '#') continue;
    if (col <= indent) return i;
  }
  return lines.length;
}

function firstIndent(lines: readonly string[], from: number, to: number): number | undefined {
  for (let i = from; i < to; i++) {
    const l = lines[i] as string;
    const col = l.search(/\S/);
    if (col >= 0 && l[col] !== '#') return col;
  }
  return undefined;
}

/** The last content line in (start, end), or `start` when the block is empty. */
function lastContent(lines: readonly string[], start: number, end: number): number {
  for (let i = end - 1; i > start; i--) {
    const l = lines[i] as string;
    const col = l.search(/\S/);
    if (col >= 0 && l[col] !== '#') return i;
  }
  return start;
}

function insertAfter(text: string, after: number, add: string[]): InsertEdit {
  const offset = lineEndOffset(text, after);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return withValue({ offset, text: add.map((l) => eol + l).join(''), line: after + add.length, valueStart: 0, valueEnd: 0 }, add);
}

function appendLines(text: string, lines: readonly string[], add: string[]): InsertEdit {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const needsBreak = text.length > 0 && !text.endsWith('\n');
  const insert = (needsBreak ? eol : '') + add.join(eol) + eol;
  const first = needsBreak ? lines.length : lines.length - 1;
  return withValue({ offset: text.length, text: insert, line: first + add.length - 1, valueStart: 0, valueEnd: 0 }, add);
}

function withValue(edit: InsertEdit, add: string[]): InsertEdit {
  const last = add[add.length - 1] ?? '';
  edit.valueEnd = last.length;
  edit.valueStart = last.length - EMPTY_VALUE.length;
  return edit;
}

function lineEndOffset(text: string, line: number): number {
  let at = 0;
  for (let i = 0; i < line; i++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  const nl = text.indexOf('\n', at);
  const end = nl < 0 ? text.length : nl;
  return end > at && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
}

function lineSpan(line: number, start: number, end: number): Span {
  return { start: { line, character: start }, end: { line, character: end } };
}
