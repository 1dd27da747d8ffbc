// Placeholder and value diagnostics of a values file (spec §3), as plain data:
//   invalid-placeholder  (error)   a `{{ hq.… }}` form that does not follow the grammar
//   undefined-variable   (error)   a key that does not resolve in some (environment, tenant, workload) of the file
//   hardcoded-env-value  (hint)    a literal that is this environment's value of a variable
//   cross-env-value      (warning) a literal that is another environment's value of a variable
//
// Text-based and line-local on purpose: it needs no YAML parse (so it runs on every keystroke of a
// dirty buffer and on files with syntax errors), it is linear in the text, and the problems of a
// top-level block depend on that block's text only. Callers may therefore check a large file one
// block at a time (topLevelBlocks + checkRange) and cache the result per block text. The only state
// carried from line to line (block scalars, multi-line quoted scalars) never crosses a top-level key.
//
// Secrets: their values are compared through a hash only; messages and fixes name the key, never
// the value.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { scanPlaceholders, type PlaceholderMatch } from '../values/placeholders';
import { SECRET_MASK, type Problem, type Scalar, type Span, type VariableScope } from '../types';
import type { ResolveContext, VariableSet } from '../model/variables';
import { resolvePlain } from '../yaml/valuesReader';
import { placeholderFix, replaceInScalar, type ScalarStyle, type TextFix } from './valueFixes';
import type { ValuesFileContext } from './variableInfo';
import { CR, DASH, HASH, LF, SPACE, TAB, closingQuote, commentStart, isBlankAt, isCommentAt, skipWhite, trimWhiteEnd } from '../yaml/lineLexer';
import { editDistance } from '../editDistance';

export type { TextFix } from './valueFixes';

export const VALUE_CHECK_CODES = ['invalid-placeholder', 'undefined-variable', 'hardcoded-env-value', 'cross-env-value'] as const;

/** A problem of this module, with what quick fixes need. */
export interface ValueProblem extends Problem {
  /** The variable concerned (undefined-variable, hardcoded-env-value, cross-env-value). */
  key?: string;
  /** Edits in this file that resolve the problem. */
  fixes?: TextFix[];
  /** undefined-variable: the combinations where the key does not resolve. */
  missing?: ResolveContext[];
  /** undefined-variable: the pinned scope of the placeholder. */
  pinned?: VariableScope;
}

/** A top-level block of a values file: a line at column 0 and everything up to the next one. */
export interface TopLevelBlock {
  /** Offset of the block's first character (a line start). */
  start: number;
  /** Offset just after the block (the next block's start, or the text's length). */
  end: number;
  /** 0-based line of `start`. */
  line: number;
}

/**
 * Splits a values file into top-level blocks: a new block starts at every line whose first
 * character is content (not a space, tab, `#` or line break). Comments and blank lines before a
 * key belong to the previous block. Linear, allocation-light (one object per block).
 */
export function topLevelBlocks(text: string): TopLevelBlock[] {
  const out: TopLevelBlock[] = [];
  let start = 0;
  let startLine = 0;
  let line = 0;
  let at = 0;
  while (at < text.length) {
    const c = text.charCodeAt(at);
    if (at > start && c !== SPACE && c !== TAB && c !== HASH && c !== LF && c !== CR) {
      out.push({ start, end: at, line: startLine });
      start = at;
      startLine = line;
    }
    const nl = text.indexOf('\n', at);
    if (nl < 0) break;
    at = nl + 1;
    line++;
  }
  out.push({ start, end: text.length, line: startLine });
  return out;
}

/** Checks a whole values file: every block, in order. */
export function checkValuesFile(ctx: ValuesFileContext, text: string, variables: VariableSet): ValueProblem[] {
  return new ValueChecker(ctx, variables).checkRange(text);
}

// ---------------------------------------------------------------------------------------------

/** Literal values shorter than this (trimmed) are too common to mean anything ("eu", "on"). */
const MIN_LITERAL_LENGTH = 4;
/** Numbers need at least this many digits to be worth a hint (`replicas: 3` is no variable). */
const MIN_NUMBER_DIGITS = 3;
/** Tokens of one scalar tried as embedded values; beyond it only single tokens are tried. */
const MAX_RUN_TOKENS = 24;
/** Values in messages are cut to this many characters. */
const MAX_SHOWN = 60;

/** Words that are configuration vocabulary, not environment-specific values. */
const COMMON_WORDS = new Set(
  [
    'true', 'false', 'yes', 'no', 'on', 'off', 'null', 'none', 'nil', 'info', 'debug', 'warn', 'warning', 'error', 'trace',
    'fatal', 'always', 'never', 'ifnotpresent', 'default', 'enabled', 'disabled', 'enable', 'disable', 'auto', 'latest',
    'stable', 'main', 'master', 'http', 'https', 'grpc', 'tcp', 'udp', 'local', 'localhost', 'test', 'json', 'text',
    'yaml', 'clusterip', 'nodeport', 'loadbalancer', 'prefix', 'exact', 'retain', 'delete', 'recreate', 'rollingupdate',
    'readwriteonce', 'readwritemany', 'readonlymany', 'standard', 'premium', 'public', 'private', 'internal', 'external',
    'admin', 'user', 'root', 'empty', 'unknown', 'value',
  ],
);

const SCOPE_RANK: Record<VariableScope, number> = { svc: 0, tenant: 1, env: 2, repo: 3 };

interface OwnHit {
  key: string;
  secret: boolean;
  number: boolean;
  rank: number;
}

interface ForeignHit {
  key: string;
  environment: string;
  /** The tenants of the file where `environment` has this value (all of them when the project has none). */
  tenants: string[];
  secret: boolean;
}

/** What the literal checks compare against, for a file that applies to exactly one environment. */
interface LiteralIndex {
  environment: string;
  /** Value text (or a secret's hash key) → variables whose value is that in every combination of the file. */
  own: Map<string, OwnHit[]>;
  /** Value texts of any variable in any combination of the file: never "another environment's value". */
  ownAny: Set<string>;
  /** Value text (or hash key) → other environments' variables with that value. */
  foreign: Map<string, ForeignHit[]>;
  /** Lengths and first two characters of every indexed value (not secrets): most candidates fail these without a string. */
  lengths: Set<number>;
  prefixes: Set<number>;
  secretLengths: Set<number>;
}

interface Segment {
  /** Offsets in the line. */
  start: number;
  end: number;
  style: ScalarStyle | 'flow' | 'continuation';
}

interface UndefinedInfo {
  missing: ResolveContext[];
  message: string;
  suggestion?: string;
}

/**
 * The checks for one values file and one set of variables. Build one per (file context, variables)
 * and reuse it: it caches per-key resolutions and the literal index.
 */
export class ValueChecker {
  private readonly undefinedCache = new Map<string, UndefinedInfo | null>();
  private literals: LiteralIndex | null | undefined;
  private readonly variablesFile: string;
  /** Token offsets of the scalar being checked, reused: the literal check runs on every line. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  constructor(
    readonly ctx: ValuesFileContext,
    readonly variables: VariableSet,
  ) {
    this.variablesFile = path.relative(ctx.project.root, ctx.project.variablesPath) || ctx.project.variablesPath;
  }

  /**
   * The problems of `text[start, end)`, where `start` is a line start at line `firstLine` of the
   * document (both default to the whole text). Give whole top-level blocks (topLevelBlocks): a
   * block scalar or multi-line string cut in the middle is read as ordinary lines.
   */
  checkRange(text: string, start = 0, end = text.length, firstLine = 0): ValueProblem[] {
    const out: ValueProblem[] = [];
    let blockOwner = -1;
    let openQuote: '"' | "'" | undefined;
    let lineNo = firstLine;
    for (let at = start; at < end; lineNo++) {
      let nl = text.indexOf('\n', at);
      if (nl < 0 || nl > end) nl = end;
      const lineEnd = nl > at && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      const line = text.slice(at, lineEnd);
      at = nl + 1;

      if (openQuote) {
        const close = closingQuote(line, 0, openQuote);
        this.segment(line, lineNo, { start: 0, end: close < 0 ? line.length : close, style: 'continuation' }, out);
        if (close >= 0) openQuote = undefined;
        continue;
      }
      let indent = 0;
      while (line.charCodeAt(indent) === SPACE) indent++;
      if (blockOwner >= 0) {
        if (indent === line.length || indent > blockOwner) {
          if (indent < line.length) this.segment(line, lineNo, { start: indent, end: line.length, style: 'block' }, out);
          continue;
        }
        blockOwner = -1;
      }
      if (indent === line.length || line.charCodeAt(indent) === HASH) continue;

      let p = indent;
      let owner = indent;
      while (line.charCodeAt(p) === DASH && isBlankAt(line, p + 1)) {
        owner = p;
        p = skipWhite(line, p + 1);
      }
      const afterKey = keyEnd(line, p);
      if (afterKey >= 0) {
        owner = p;
        p = skipWhite(line, afterKey);
      }
      // Anchors and tags before the value.
      while (p < line.length && (line[p] === '&' || line[p] === '!')) {
        const space = line.indexOf(' ', p);
        p = space < 0 ? line.length : skipWhite(line, space);
      }
      if (p >= line.length || line.charCodeAt(p) === HASH) continue;
      const c = line[p];
      if (c === '*' || (c === '?' && isBlankAt(line, p + 1))) continue;
      if (c === '|' || c === '>') {
        blockOwner = owner;
        continue;
      }
      if (c === '"' || c === "'") {
        const close = closingQuote(line, p + 1, c);
        if (close < 0) {
          openQuote = c;
          this.segment(line, lineNo, { start: p + 1, end: line.length, style: 'continuation' }, out);
        } else {
          this.segment(line, lineNo, { start: p + 1, end: close, style: c === '"' ? 'double' : 'single' }, out);
        }
        continue;
      }
      const stop = trimWhiteEnd(line, commentStart(line, p), p);
      this.segment(line, lineNo, { start: p, end: stop, style: c === '{' || c === '[' ? 'flow' : 'plain' }, out);
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------

  private segment(line: string, lineNo: number, seg: Segment, out: ValueProblem[]): void {
    if (seg.end <= seg.start) return;
    const content = line.slice(seg.start, seg.end);
    const matches = content.includes('{{') && content.includes('hq.') ? scanPlaceholders(content) : [];
    for (const m of matches) this.placeholder(content, m, seg.start, lineNo, out);
    if (seg.style === 'flow' || seg.style === 'continuation') return;
    const literals = this.literalIndex();
    if (!literals) return;
    if (matches.length === 0) {
      this.literal(literals, line, lineNo, seg, seg.start, seg.end, true, out);
      return;
    }
    let from = seg.start;
    for (const m of matches) {
      this.literal(literals, line, lineNo, seg, from, seg.start + m.start, false, out);
      from = seg.start + m.end;
    }
    this.literal(literals, line, lineNo, seg, from, seg.end, false, out);
  }

  private placeholder(content: string, m: PlaceholderMatch, base: number, lineNo: number, out: ValueProblem[]): void {
    const span = lineSpan(lineNo, base + m.start, base + m.end);
    const written = content.slice(m.start, m.end);
    if (!m.valid || m.key === undefined) {
      const suggestion = suggestPlaceholder(written);
      const known = suggestion !== undefined && this.variables.definitions(suggestion.key).length > 0;
      const example = suggestion && known ? `Did you mean ${suggestion.text}?` : `A valid form is ${spaced(written, 'hq.var.KEY')} or ${spaced(written, 'hq.var.SCOPE.KEY')}.`;
      const problem: ValueProblem = {
        file: this.ctx.file,
        span,
        severity: 'error',
        code: 'invalid-placeholder',
        message: `${m.error ?? 'Invalid HQ Variable placeholder.'} ${example}`,
      };
      if (suggestion && known) problem.fixes = [placeholderFix(span, suggestion.text, true)];
      out.push(problem);
      return;
    }
    const info = this.undefinedInfo(m.key, m.scope);
    if (!info) return;
    const problem: ValueProblem = {
      file: this.ctx.file,
      span,
      severity: 'error',
      code: 'undefined-variable',
      message: info.message,
      key: m.key,
      missing: info.missing,
    };
    if (m.scope) problem.pinned = m.scope;
    if (info.suggestion) {
      const fixed = written.replace(new RegExp(`\\b${m.key}(\\s*\\}\\})$`), `${info.suggestion}$1`);
      problem.fixes = [placeholderFix(span, fixed, false)];
    }
    out.push(problem);
  }

  /** Why `key` (pinned to `scope`) does not resolve everywhere this file applies, or null. */
  private undefinedInfo(key: string, scope: VariableScope | undefined): UndefinedInfo | null {
    const id = scope ? `${scope}.${key}` : key;
    const cached = this.undefinedCache.get(id);
    if (cached !== undefined) return cached;
    const missing = this.ctx.combos.filter((c) => !this.variables.resolve(key, c, scope).defined);
    let info: UndefinedInfo | null = null;
    if (missing.length > 0) {
      const where = describeCombos(missing, this.ctx);
      const everywhere = missing.length === this.ctx.combos.length;
      let message: string;
      if (scope) {
        message = `HQ Variable ${key} has no ${scope}-scope definition for ${where}: a placeholder pinned to "${scope}" looks in that scope only.`;
      } else if (everywhere && this.variables.definitions(key).length === 0) {
        message = `HQ Variable ${key} is not defined (needed in ${where}): no scope of ${this.variablesFile} defines it.`;
      } else {
        message = `HQ Variable ${key} is not defined in ${where}: no svc, tenant, env or repo definition applies there.`;
      }
      info = { missing, message };
      if (this.variables.definitions(key).length === 0) {
        const near = nearestKey(key, this.variables.keys());
        if (near && this.ctx.combos.every((c) => this.variables.resolve(near, c, scope).defined)) {
          info.suggestion = near;
          info.message += ` Did you mean ${near}?`;
        }
      }
      if (!info.suggestion) info.message += ` Define it in ${this.variablesFile}.`;
    }
    this.undefinedCache.set(id, info);
    return info;
  }

  /**
   * Literal checks on `line[from, to)`, a piece of a scalar outside any placeholder. `whole`: the
   * piece is the entire scalar, so its typed value may match too.
   */
  private literal(idx: LiteralIndex, line: string, lineNo: number, seg: Segment, from: number, to: number, whole: boolean, out: ValueProblem[]): void {
    while (from < to && line.charCodeAt(from) === SPACE) from++;
    while (to > from && line.charCodeAt(to - 1) === SPACE) to--;
    if (to - from < MIN_NUMBER_DIGITS) return;
    const style = seg.style as ScalarStyle;
    const raw = line.slice(from, to);
    if (whole) {
      const typed = wholeValue(raw, style);
      if (typed === undefined) return; // escapes: the raw text is not the value
      if (typeof typed === 'string' || typeof typed === 'number') {
        const text = String(typed);
        if (this.report(idx, line, lineNo, seg, from, to, text, typeof typed === 'number', true, out)) return;
      }
      if (typeof typed !== 'string') return;
    } else if (style !== 'plain' && style !== 'block' && raw.includes(style === 'double' ? '\\' : "''")) {
      return;
    }
    // Embedded values: runs of tokens between delimiters (`postgres://HOST:5432/db`).
    const starts = this.starts;
    const ends = this.ends;
    starts.length = 0;
    ends.length = 0;
    let k = from;
    while (k < to) {
      while (k < to && isDelimiter(line.charCodeAt(k))) k++;
      if (k >= to) break;
      starts.push(k);
      while (k < to && !isDelimiter(line.charCodeAt(k))) k++;
      ends.push(k);
    }
    const n = starts.length;
    for (let i = 0; i < n; i++) {
      const s = starts[i] as number;
      const last = n > MAX_RUN_TOKENS ? i : n - 1;
      for (let j = last; j >= i; j--) {
        const e = ends[j] as number;
        if (whole && s === from && e === to) continue; // tried with its type above
        const len = e - s;
        if (len < MIN_NUMBER_DIGITS) continue;
        if (!idx.secretLengths.has(len) && !(idx.lengths.has(len) && idx.prefixes.has(prefixOf(line, s)))) continue;
        const text = line.slice(s, e);
        if (this.report(idx, line, lineNo, seg, s, e, text, false, false, out)) {
          i = j;
          break;
        }
      }
    }
  }

  /** Reports `text` at line[s, e) when it is a variable's value; whether it did. */
  private report(
    idx: LiteralIndex,
    line: string,
    lineNo: number,
    seg: Segment,
    s: number,
    e: number,
    text: string,
    number: boolean,
    whole: boolean,
    out: ValueProblem[],
  ): boolean {
    const own = lookup(idx, idx.own, text)?.filter((h) => !whole || h.number === number || h.secret);
    const style = seg.style as ScalarStyle;
    if (own && own.length > 0) {
      if (number && !own.some((h) => h.secret) && digits(text) < MIN_NUMBER_DIGITS) return false;
      const hit = [...own].sort((a, b) => a.rank - b.rank || a.key.localeCompare(b.key))[0] as OwnHit;
      const usage = `{{hq.var.${hit.key}}}`;
      const message = hit.secret
        ? `This value equals the secret HQ Variable ${hit.key}${idx.environment ? ` in ${idx.environment}` : ''}: keep secrets out of values files; use ${usage}`
        : `This value equals HQ Variable ${hit.key} in ${idx.environment}; use ${usage}`;
      out.push({
        file: this.ctx.file,
        span: lineSpan(lineNo, s, e),
        severity: hit.secret ? 'warning' : 'hint',
        code: 'hardcoded-env-value',
        message,
        key: hit.key,
        fixes: [replaceInScalar(line, lineNo, seg.start, seg.end, style, s, e, hit.key, true)],
      });
      return true;
    }
    if (number || isNumeric(text)) return false;
    const hashKey = idx.secretLengths.has(text.length) ? secretKey(text) : undefined;
    if (idx.ownAny.has(text) || (hashKey !== undefined && idx.ownAny.has(hashKey))) return false;
    const foreign = lookup(idx, idx.foreign, text);
    if (!foreign || foreign.length === 0) return false;
    const key = foreign[0]?.key as string;
    const hits = foreign.filter((h) => h.key === key);
    const where = hits.map((h) => (this.ctx.project.tenantsDeclared && h.tenants.length < this.tenantCount() ? `${h.environment} (${h.tenants.join(', ')})` : h.environment));
    const here = this.ownDisplay(key);
    const secret = hits.some((h) => h.secret);
    const what = secret ? `the secret HQ Variable ${key}` : `HQ Variable ${key}`;
    const ownPart = here.defined
      ? `in ${idx.environment} it is ${here.display}: use {{hq.var.${key}}}`
      : `${idx.environment} does not define ${key}`;
    const problem: ValueProblem = {
      file: this.ctx.file,
      span: lineSpan(lineNo, s, e),
      severity: 'warning',
      code: 'cross-env-value',
      message: `This value is the ${joinList(where)} value of ${what}; ${ownPart}.`,
      key,
    };
    if (here.defined) problem.fixes = [replaceInScalar(line, lineNo, seg.start, seg.end, style, s, e, key, false)];
    out.push(problem);
    return true;
  }

  private tenantCount(): number {
    return new Set(this.ctx.combos.map((c) => c.tenant)).size;
  }

  /** This environment's value of `key` as shown in a message: masked for a secret, joined when it differs per tenant. */
  private ownDisplay(key: string): { defined: boolean; display: string } {
    const shown = new Set<string>();
    for (const c of this.ctx.combos) {
      const r = this.variables.resolve(key, c);
      if (!r.defined) return { defined: false, display: '' };
      shown.add(r.secret ? SECRET_MASK : truncate(String(r.value ?? '')));
    }
    return { defined: shown.size > 0, display: [...shown].join(' / ') };
  }

  /**
   * Built on first use. A file of one environment gets every check; a file shared by several (a base
   * layer) only the secrets check: whose value a plain literal "is" depends on the environment there,
   * but a secret's value never belongs in a values file. Null when there is nothing to look for.
   */
  private literalIndex(): LiteralIndex | null {
    if (this.literals !== undefined) return this.literals;
    const envs = new Set(this.ctx.combos.map((c) => c.environment));
    if (envs.size === 1) this.literals = buildLiteralIndex(this.ctx, this.variables, [...envs][0] as string);
    else this.literals = envs.size > 1 ? buildSecretIndex(this.variables) : null;
    return this.literals;
  }
}

// ---------------------------------------------------------------------------------------------
// The literal index.

/** Every secret's value (by hash), for a file shared by several environments; null without secrets. */
function buildSecretIndex(variables: VariableSet): LiteralIndex | null {
  // No environment in the message: the file serves several and the secret may be scoped to any of them.
  const idx: LiteralIndex = { environment: '', own: new Map(), ownAny: new Set(), foreign: new Map(), lengths: new Set(), prefixes: new Set(), secretLengths: new Set() };
  for (const d of variables.all()) {
    if (!d.secret || (typeof d.value !== 'string' && typeof d.value !== 'number')) continue;
    const text = String(d.value);
    if (!isDistinctive(text, typeof d.value === 'number', true)) continue;
    const key = secretKey(text);
    idx.secretLengths.add(text.length);
    idx.ownAny.add(key);
    if (!idx.own.get(key)?.some((h) => h.key === d.key)) push(idx.own, key, { key: d.key, secret: true, number: typeof d.value === 'number', rank: SCOPE_RANK[d.scope] });
  }
  return idx.own.size > 0 ? idx : null;
}

function buildLiteralIndex(ctx: ValuesFileContext, variables: VariableSet, environment: string): LiteralIndex {
  const idx: LiteralIndex = { environment, own: new Map(), ownAny: new Set(), foreign: new Map(), lengths: new Set(), prefixes: new Set(), secretLengths: new Set() };
  // Resolutions of secrets carry no value: find it through the definition's position.
  const secretValues = new Map<string, Scalar>();
  for (const d of variables.all()) {
    if (d.secret && d.value !== undefined && d.value !== null) secretValues.set(defId(d.key, d.scope, d.origin.line, d.origin.character), d.value);
  }
  const reveal = (key: string, combo: ResolveContext): { text: string; secret: boolean; number: boolean } | undefined => {
    const r = variables.resolve(key, combo);
    if (!r.defined) return undefined;
    let value: Scalar | undefined = r.value;
    if (r.secret) value = r.def ? secretValues.get(defId(key, r.def.scope, r.def.origin.line, r.def.origin.character)) : undefined;
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    return { text: String(value), secret: r.secret, number: typeof value === 'number' };
  };
  const indexKey = (text: string, secret: boolean): string => {
    if (!secret) {
      idx.lengths.add(text.length);
      idx.prefixes.add(prefixOf(text, 0));
      return text;
    }
    idx.secretLengths.add(text.length);
    return secretKey(text);
  };
  const pairs = uniquePairs(ctx.combos);
  const others = ctx.project.environments.map((e) => e.name).filter((e) => e !== environment);
  for (const key of variables.keys()) {
    let same: { text: string; secret: boolean; number: boolean } | undefined;
    let agree = true;
    let rank = 3;
    for (const combo of ctx.combos) {
      const v = reveal(key, combo);
      if (!v) {
        agree = false;
        continue;
      }
      idx.ownAny.add(v.secret ? secretKey(v.text) : v.text);
      if (!same) same = v;
      else if (same.text !== v.text || same.number !== v.number) agree = false;
      rank = Math.min(rank, SCOPE_RANK[variables.resolve(key, combo).scope ?? 'repo']);
    }
    if (agree && same && isDistinctive(same.text, same.number, same.secret)) {
      push(idx.own, indexKey(same.text, same.secret), { key, secret: same.secret, number: same.number, rank });
    }
    for (const environment of others) {
      const byText = new Map<string, ForeignHit>();
      for (const pair of pairs) {
        const v = reveal(key, { environment, tenant: pair.tenant, workload: pair.workload });
        if (!v || v.number || !isDistinctive(v.text, false, v.secret) || isNumeric(v.text)) continue;
        const id = indexKey(v.text, v.secret);
        const hit = byText.get(id);
        if (hit) {
          if (!hit.tenants.includes(pair.tenant)) hit.tenants.push(pair.tenant);
        } else {
          const created: ForeignHit = { key, environment, tenants: [pair.tenant], secret: v.secret };
          byText.set(id, created);
          push(idx.foreign, id, created);
        }
      }
    }
  }
  return idx;
}

function lookup<T>(idx: LiteralIndex, map: Map<string, T[]>, text: string): T[] | undefined {
  const direct = idx.lengths.has(text.length) ? map.get(text) : undefined;
  if (direct) return direct;
  return idx.secretLengths.has(text.length) ? map.get(secretKey(text)) : undefined;
}

function prefixOf(text: string, at: number): number {
  return (text.charCodeAt(at) << 16) | (text.charCodeAt(at + 1) & 0xffff);
}

/** Secrets are indexed by a hash: the index (cached for the life of a document) never holds their values. */
function secretKey(text: string): string {
  return `\u0000${createHash('sha256').update(text).digest('base64')}`;
}

function defId(key: string, scope: string, line: number, character: number): string {
  return `${key}\u0000${scope}\u0000${line}\u0000${character}`;
}

function uniquePairs(combos: readonly ResolveContext[]): { tenant: string; workload: string }[] {
  const seen = new Set<string>();
  const out: { tenant: string; workload: string }[] = [];
  for (const c of combos) {
    const id = `${c.tenant}\u0000${c.workload}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ tenant: c.tenant, workload: c.workload });
  }
  return out;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Whether a value is specific enough that a literal equal to it is probably that variable. */
function isDistinctive(text: string, number: boolean, secret: boolean): boolean {
  const trimmed = text.trim();
  if (trimmed.length < MIN_LITERAL_LENGTH && !(number && digits(trimmed) >= MIN_NUMBER_DIGITS)) return false;
  if (trimmed !== text) return false; // padded values never come from a plain literal
  if (secret) return true;
  if (number) return digits(trimmed) >= MIN_NUMBER_DIGITS;
  return !COMMON_WORDS.has(trimmed.toLowerCase());
}

function digits(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

function isNumeric(text: string): boolean {
  return /^[-+]?[0-9.]+$/.test(text);
}

/** The value of a whole scalar as YAML reads it; undefined when escapes make the raw text differ. */
function wholeValue(raw: string, style: ScalarStyle): Scalar | undefined {
  if (style === 'plain') return resolvePlain(raw);
  if (style === 'double') return raw.includes('\\') ? undefined : raw;
  if (style === 'single') return raw.includes("''") ? undefined : raw;
  return raw;
}

// ---------------------------------------------------------------------------------------------
// Messages and suggestions.

/** `dev, staging (globex)`: environments in manifest order, tenants when only some of them. */
function describeCombos(combos: readonly ResolveContext[], ctx: ValuesFileContext): string {
  const byEnv = new Map<string, Set<string>>();
  const workloads = new Set<string>();
  for (const c of combos) {
    const set = byEnv.get(c.environment) ?? new Set<string>();
    set.add(c.tenant);
    byEnv.set(c.environment, set);
    workloads.add(c.workload);
  }
  const parts: string[] = [];
  for (const [env, tenants] of byEnv) {
    const all = new Set(ctx.combos.filter((c) => c.environment === env).map((c) => c.tenant));
    parts.push(ctx.project.tenantsDeclared && tenants.size < all.size ? `${env} (${[...tenants].join(', ')})` : env);
  }
  const partial = ctx.workloads.length > 1 && workloads.size < ctx.workloads.length;
  return joinList(parts) + (partial ? ` for ${joinList([...workloads])}` : '');
}

function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

function truncate(s: string): string {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > MAX_SHOWN ? `${flat.slice(0, MAX_SHOWN - 1)}…` : flat;
}

/** `{{ hq.var.KEY }}` in the spacing style of what was written. */
function spaced(written: string, body: string): string {
  return /^\{\{\s/.test(written) ? `{{ ${body} }}` : `{{${body}}}`;
}

const SCOPES = new Set(['repo', 'env', 'tenant', 'svc']);
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The valid placeholder a malformed one most likely meant: `{{hq.var.prod.X}}` → `{{hq.var.X}}`,
 * `{{ hq.vars.DB-HOST }}` → `{{ hq.var.DB_HOST }}`, `{{hq.var.X` → `{{hq.var.X}}`.
 */
export function suggestPlaceholder(written: string): { key: string; text: string } | undefined {
  const body = written.replace(/^\{\{/, '').replace(/\}\}$/, '').replace(/\}$/, '').trim();
  const parts = body.split('.').map((p) => p.trim());
  if (parts[0] !== 'hq') return undefined;
  parts.shift();
  if (parts.length > 0 && /^var(s|iables?)?$/i.test(parts[0] ?? '')) parts.shift();
  const rest = parts.filter((p) => p !== '');
  if (rest.length === 0) return undefined;
  const scope = rest.length > 1 && SCOPES.has(rest[0] ?? '') ? rest[0] : undefined;
  let key = (rest[rest.length - 1] ?? '').replace(/[^A-Za-z0-9_]+/g, '_');
  if (/^[0-9]/.test(key)) key = `_${key}`;
  if (!KEY.test(key)) return undefined;
  const text = spaced(written, scope ? `hq.var.${scope}.${key}` : `hq.var.${key}`);
  return text === written ? undefined : { key, text };
}

const MAX_TYPO_DISTANCE = 2;

/** The one key within edit distance 2 of `key` (case-insensitive match first), or undefined. */
function nearestKey(key: string, keys: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const exact = keys.find((k) => k.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = MAX_TYPO_DISTANCE + 1;
  let ties = 0;
  for (const k of keys) {
    if (Math.abs(k.length - key.length) > MAX_TYPO_DISTANCE) continue;
    const d = editDistance(lower, k.toLowerCase(), MAX_TYPO_DISTANCE + 1);
    if (d > MAX_TYPO_DISTANCE) continue;
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
      ties = 0;
    } else if (d === bestDistance) {
      ties++;
    }
  }
  return ties === 0 ? best : undefined;
}


// ---------------------------------------------------------------------------------------------
// Line scanning.


function lineSpan(line: number, start: number, end: number): Span {
  return { start: { line, character: start }, end: { line, character: end } };
}





/** The offset just after a block map key's `:` at `p`, or -1 when the text at `p` is a value. */
function keyEnd(line: string, p: number): number {
  const c = line[p];
  if (c === '"' || c === "'") {
    const close = closingQuote(line, p + 1, c);
    if (close < 0) return -1;
    const j = skipWhite(line, close + 1);
    return line[j] === ':' && isBlankAt(line, j + 1) ? j + 1 : -1;
  }
  if (c === '{' || c === '[' || c === '|' || c === '>' || c === '*') return -1;
  for (let k = p + 1; k < line.length; k++) {
    const code = line.charCodeAt(k);
    if (isCommentAt(line, k)) return -1;
    if (code === 58 /* : */ && isBlankAt(line, k + 1)) return k + 1;
  }
  return -1;
}



/** Characters that separate the parts of a URL, a connection string or a list in one scalar. */
function isDelimiter(c: number): boolean {
  return (
    c === SPACE || c === TAB || c === 47 /* / */ || c === 58 /* : */ || c === 64 /* @ */ || c === 63 /* ? */ ||
    c === 61 /* = */ || c === 38 /* & */ || c === 44 /* , */ || c === 59 /* ; */ || c === 34 /* " */ || c === 39 /* ' */ ||
    c === 40 /* ( */ || c === 41 /* ) */ || c === 60 /* < */ || c === 62 /* > */ || c === 124 /* | */
  );
}
