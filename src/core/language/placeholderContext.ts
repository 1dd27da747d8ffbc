// Where the cursor is with respect to HQ Variable placeholders (spec §3), for hover, definition
// and completion. Line-local: only the cursor's line is scanned, so this is fast on any file size.
// Offsets in and out are offsets in the text given (the whole document, or just one line).
import { PLACEHOLDER_SCOPES, scanPlaceholders, type PlaceholderMatch } from '../values/placeholders';
import type { VariableScope } from '../types';

/** The line of `text` that holds `offset`: its start offset and content (without the line break). */
export function lineAt(text: string, offset: number): { start: number; text: string } {
  const at = Math.max(0, Math.min(offset, text.length));
  const start = text.lastIndexOf('\n', at - 1) + 1;
  let end = text.indexOf('\n', at);
  if (end < 0) end = text.length;
  if (end > start && text.charCodeAt(end - 1) === 13) end--;
  return { start, text: text.slice(start, end) };
}

/**
 * The placeholder (valid or not) under `offset`, with offsets in `text`. A cursor just after the
 * closing `}}` still counts (Go to Definition with the cursor at the end of the word).
 */
export function placeholderAt(text: string, offset: number): PlaceholderMatch | undefined {
  const line = lineAt(text, offset);
  if (!line.text.includes('{{')) return undefined;
  const rel = offset - line.start;
  const matches = scanPlaceholders(line.text);
  const hit = matches.find((m) => m.start <= rel && rel < m.end) ?? matches.find((m) => m.end === rel);
  if (!hit) return undefined;
  return { ...hit, start: hit.start + line.start, end: hit.end + line.start };
}

export interface TextEditAt {
  offset: number;
  text: string;
}

export interface PlaceholderCompletionContext {
  /** Offset of the `{{` being completed. */
  open: number;
  /**
   * `key`: after `{{ hq.var.` (or `{{ hq.var.SCOPE.`): complete a key (and, unpinned, a scope).
   * `start`: right after `{{ ` with at most a partial `hq.var.` typed: every item inserts `hq.var.` too.
   */
  mode: 'key' | 'start';
  /** The scope of a pinned placeholder being typed (`{{ hq.var.env.`). */
  scope?: VariableScope;
  /** What is typed of the key so far (in `start` mode: what is typed after `{{ `). */
  partial: string;
  /** The range an item replaces: the partial word, through the rest of the word after the cursor. */
  replace: { start: number; end: number };
  /** Appended after the chosen key: the missing `}}` (in the placeholder's spacing style) and closing quote. */
  suffix: string;
  /** Edits outside `replace`: an opening quote for an unquoted placeholder, a closing quote after an existing `}}`. */
  extraEdits: TextEditAt[];
  /** Whether the scope keywords make sense here (unpinned `key` mode). */
  offerScopes: boolean;
}

const KEY_MODE = /\{\{(\s*)hq\.var\.(?:(repo|env|tenant|svc)\.)?([A-Za-z0-9_]*)$/;
const START_MODE = /\{\{(\s*)(h|hq|hq\.|hq\.v|hq\.va|hq\.var)?$/;
const WORD_CHAR = /[A-Za-z0-9_]/;

/**
 * The completion context when `offset` is inside an unfinished `{{ hq.var.…` form, else undefined
 * (outside braces, inside a Helm template, in a comment, after the key's closing `}}`).
 */
export function completionContextAt(text: string, offset: number): PlaceholderCompletionContext | undefined {
  const line = lineAt(text, offset);
  const rel = offset - line.start;
  const before = line.text.slice(0, rel);
  const openRel = before.lastIndexOf('{{');
  if (openRel < 0) return undefined;
  const head = before.slice(openRel);

  let mode: 'key' | 'start';
  let spaced: boolean;
  let scope: VariableScope | undefined;
  let partial: string;
  const key = KEY_MODE.exec(head);
  if (key) {
    mode = 'key';
    spaced = (key[1] ?? '').length > 0;
    const pinned = key[2];
    if (pinned !== undefined && (PLACEHOLDER_SCOPES as readonly string[]).includes(pinned)) scope = pinned as VariableScope;
    partial = key[3] ?? '';
  } else {
    const start = START_MODE.exec(head);
    if (!start) return undefined;
    mode = 'start';
    spaced = (start[1] ?? '').length > 0;
    partial = start[2] ?? '';
  }

  const quoting = quoteState(line.text, openRel);
  if (quoting.comment) return undefined;

  // The word after the cursor is replaced too (completing in the middle of an existing key).
  let endRel = rel;
  while (endRel < line.text.length && WORD_CHAR.test(line.text.charAt(endRel))) endRel++;
  const rest = line.text.slice(endRel);
  const closing = /^\s*\}\}/.exec(rest);

  let suffix = '';
  const extraEdits: TextEditAt[] = [];
  if (!closing) suffix += spaced ? ' }}' : '}}';
  if (quoting.quote !== undefined) {
    // Inside a quoted scalar: close it when the rest of the line does not.
    const afterClose = closing ? rest.slice(closing[0].length) : rest;
    if (!hasClosingQuote(afterClose, quoting.quote)) {
      if (closing) extraEdits.push({ offset: line.start + endRel + closing[0].length, text: quoting.quote });
      else suffix += quoting.quote;
    }
  } else if (quoting.bareStart) {
    // `key: {{hq.var.X}}` is a YAML map, never what the author meant (spec §3): quote it.
    extraEdits.push({ offset: line.start + openRel, text: '"' });
    if (closing) extraEdits.push({ offset: line.start + endRel + closing[0].length, text: '"' });
    else suffix += '"';
  }

  const replaceStart = line.start + rel - partial.length;
  const context: PlaceholderCompletionContext = {
    open: line.start + openRel,
    mode,
    partial,
    replace: { start: replaceStart, end: line.start + endRel },
    suffix,
    extraEdits,
    offerScopes: mode === 'key' && scope === undefined,
  };
  if (scope !== undefined) context.scope = scope;
  return context;
}

interface QuoteState {
  /** The quote character of the scalar the `{{` is in, if quoted. */
  quote?: '"' | "'";
  /** An unquoted placeholder that starts the scalar (`key: {{…` or `- {{…`). */
  bareStart: boolean;
  /** The `{{` is in a comment. */
  comment: boolean;
}

/** Whether position `at` of a YAML line is in a quoted scalar, and which quote (a single-line approximation). */
function quoteState(line: string, at: number): QuoteState {
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < at; i++) {
    const c = line.charAt(i);
    if (quote === '"') {
      if (c === '\\') i++;
      else if (c === '"') quote = undefined;
    } else if (quote === "'") {
      if (c === "'") {
        if (line.charAt(i + 1) === "'") i++;
        else quote = undefined;
      }
    } else if (c === '#' && (i === 0 || /\s/.test(line.charAt(i - 1)))) {
      return { bareStart: false, comment: true };
    } else if ((c === '"' || c === "'") && startsScalar(line, i)) {
      quote = c;
    }
  }
  if (quote !== undefined) return { quote, bareStart: false, comment: false };
  return { bareStart: startsScalar(line, at), comment: false };
}

/** Whether a scalar starts at `i`: after `key: `, `- `, `[`, `{`, `,` or at the start of the line's content. */
function startsScalar(line: string, i: number): boolean {
  const before = line.slice(0, i).trimEnd();
  if (before === '') return true;
  if (before.length === i) return false; // no space in between: the quote is inside a plain scalar
  const last = before.charAt(before.length - 1);
  return last === ':' || last === '-' || last === '[' || last === ',' || last === '{' || last === '?';
}

function hasClosingQuote(rest: string, quote: '"' | "'"): boolean {
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charAt(i);
    if (quote === '"' && c === '\\') {
      i++;
      continue;
    }
    if (c === quote) {
      if (quote === "'" && rest.charAt(i + 1) === "'") {
        i++;
        continue;
      }
      return true;
    }
  }
  return false;
}
