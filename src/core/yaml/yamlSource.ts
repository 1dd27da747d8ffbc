// Shared YAML helpers: parse once with positions, turn offsets into 0-based spans, and find the
// node behind a data path so that every problem can point at the exact line and column.
import {
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  parseDocument,
  visit,
  LineCounter,
  type Document,
  type Node,
  YAMLParseError,
  type YAMLError,
} from 'yaml';
import { z } from 'zod';
import type { Position, Problem, Span } from '../types';
import { editDistance } from '../editDistance';

export type DataPath = readonly (string | number)[];

export interface ParsedYaml {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  problems: Problem[];
}

/**
 * Parses one YAML document. Syntax errors and warnings become `yaml-syntax` problems at the range the
 * parser reports; a second document becomes `yaml-multi-document`. Duplicate keys are errors
 * (yaml's `uniqueKeys` default), because the last one silently winning is never what was meant.
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // The library takes seconds on thousands of nested `[` (each level past its stack is an error
  // it recovers from): such a file is refused before it gets there.
  const tooDeep = flowNestingBeyond(text, MAX_DEPTH);
  const doc = parseDocument(tooDeep === undefined ? text : '', { lineCounter, prettyErrors: false });
  if (tooDeep !== undefined) {
    // Nothing was parsed: count the text's lines for the problem's position.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
    doc.errors.push(new YAMLParseError([tooDeep, tooDeep + 1], 'RESOURCE_EXHAUSTION', deepMessage()));
  }
  const repeated = repeatedYamlDirective(text);
  if (repeated) doc.errors.push(new YAMLParseError(repeated, 'BAD_DIRECTIVE', 'The %YAML directive may appear only once before a document.'));
  // Nesting deep enough to exhaust the parser's stack leaves hundreds of follow-on errors: one says it all.
  const exhausted = doc.errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
  if (exhausted) doc.errors.splice(0, doc.errors.length, exhausted);
  if (isStructurallySound(doc)) {
    const over = exceedsLimits(doc);
    if (over) doc.errors.push(new YAMLParseError(over.range, 'RESOURCE_EXHAUSTION', over.message));
  }
  const problems: Problem[] = [
    ...doc.errors.map((e) => yamlProblem(e, 'error', doc, text, file, lineCounter)),
    ...doc.warnings.filter((w) => !isSpuriousWarning(w)).map((e) => yamlProblem(e, 'warning', doc, text, file, lineCounter)),
  ];
  return { doc, lineCounter, problems };
}

/**
 * Warnings about valid YAML that reads as the author meant: a custom tag (`!foo`, Helm ignores it
 * and reads the value), an anchor or alias ending in `:`. Reporting them flags correct files.
 */
function isSpuriousWarning(warning: YAMLError): boolean {
  return warning.code === 'TAG_RESOLVE_FAILED' || (warning.code === 'BAD_ALIAS' && / ending in : is ambiguous$/.test(warning.message));
}

/** The range of a second `%YAML` directive before the first document (the library accepts it; YAML 1.2 does not). */
function repeatedYamlDirective(text: string): [number, number] | undefined {
  let seen = false;
  for (let at = 0; at < text.length; ) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(at, end);
    if (/^%YAML[ \t]/.test(line)) {
      if (seen) return [at, at + line.trimEnd().length];
      seen = true;
    } else if (!/^(%|[ \t]*(#|\r?$))/.test(line)) {
      return undefined; // the prologue ends at `---` or content
    }
    at = end + 1;
  }
  return undefined;
}

/**
 * How deep a document may nest and how many nodes its aliases may expand to. Everything that reads
 * YAML data recurses (merge, compare, schema checks, the webviews): 4,000 nested `[` overflow the
 * stack, and `B0..B99: *a` chains expand exponentially. Real files stay far below both.
 */
export const MAX_DEPTH = 200;
export const MAX_NODES = 100_000;

function deepMessage(): string {
  return `Values nest more than ${MAX_DEPTH} levels deep here: GitOpsHQ does not read this file. Flatten the structure.`;
}

/**
 * Where flow collections (`[`, `{`) first nest more than `max` deep, or undefined. Counts only
 * brackets where a flow collection can start (after a space, an indicator or another bracket), and
 * skips quoted scalars and comments, so a `[` inside a word or a string never counts; it may still
 * over-count in exotic plain scalars, which only matters past `max` levels.
 */
export function flowNestingBeyond(text: string, max: number): number | undefined {
  let depth = 0;
  let canOpen = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') {
      if (canOpen && ++depth > max) return i;
      continue;
    }
    if (c === ']' || c === '}') {
      if (depth > 0) depth--;
      canOpen = false;
    } else if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === ',' || c === ':' || c === '-' || c === '?') {
      canOpen = true;
    } else if (c === '#' && canOpen) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl - 1;
    } else if ((c === '"' || c === "'") && canOpen) {
      i = closingQuoteOf(text, i);
      canOpen = false;
    } else {
      canOpen = false;
    }
  }
  return undefined;
}

/** The offset of the quote that closes the quoted scalar at `start` (or the end of the text). */
function closingQuoteOf(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return text.length;
}

/** Whether the document nests deeper than MAX_DEPTH or expands past MAX_NODES, with where and why. */
function exceedsLimits(doc: Document.Parsed): { range: [number, number]; message: string } | undefined {
  // Expanded size and height per node, memoised so that an alias costs a lookup: with aliases of
  // aliases, expanding them would itself be the exponential blow-up this guards against.
  const measured = new Map<Node, { size: number; height: number }>();
  const active = new Set<Node>();
  let deepest: Node | undefined;
  const measure = (node: unknown, depth: number): { size: number; height: number } => {
    if (!isNode(node)) return { size: 0, height: 0 };
    const target = isAlias(node) ? node.resolve(doc) : node;
    if (!isNode(target) || active.has(target)) return { size: 1, height: 1 };
    const known = measured.get(target);
    if (known) return known;
    // The walk itself recurses: stop before the stack could overflow.
    if (depth > MAX_DEPTH) {
      deepest ??= target;
      return { size: 1, height: MAX_DEPTH + 1 };
    }
    active.add(target);
    let size = 1;
    let height = 0;
    const add = (child: unknown) => {
      const m = measure(child, depth + 1);
      size = Math.min(MAX_NODES + 1, size + m.size);
      height = Math.max(height, m.height);
    };
    if (isMap(target)) {
      for (const pair of target.items) {
        add(pair.key);
        add(pair.value);
      }
    } else if (isSeq(target)) {
      for (const item of target.items) add(item);
    }
    active.delete(target);
    const result = { size, height: height + 1 };
    if (result.height > MAX_DEPTH) deepest ??= target;
    measured.set(target, result);
    return result;
  };
  const { size } = measure(doc.contents, 0);
  if (deepest) {
    const at = deepest.range?.[0] ?? 0;
    return { range: [at, at + 1], message: deepMessage() };
  }
  if (size > MAX_NODES) {
    const at = doc.contents?.range?.[0] ?? 0;
    return { range: [at, at + 1], message: `The aliases of this file expand to more than ${MAX_NODES.toLocaleString('en-US')} values: GitOpsHQ does not read it. Use fewer or smaller aliases.` };
  }
  return undefined;
}

/**
 * The plain data of a document that parseYaml reported no error for. Aliases are allowed in any
 * number: parseYaml has already capped what they expand to (the library's own cap, 100 aliases,
 * rejects ordinary files).
 */
export function plainData(doc: Document.Parsed): unknown {
  return doc.toJS({ maxAliasCount: -1 });
}

/**
 * Whether the parsed tree still means what the author wrote, so that schema checks on it are
 * worth reporting. After a duplicate key or a second document it does; after a real syntax error
 * the parser's recovery guesses, and schema messages about its guesses would only add noise.
 */
export function isStructurallySound(doc: Document.Parsed): boolean {
  return doc.errors.every((e) => e.code === 'DUPLICATE_KEY' || e.code === 'MULTIPLE_DOCS');
}

function yamlProblem(
  error: YAMLError,
  severity: 'error' | 'warning',
  doc: Document.Parsed,
  text: string,
  file: string,
  lineCounter: LineCounter,
): Problem {
  const [start, end] = error.pos;
  if (error.code === 'MULTIPLE_DOCS') {
    // The reported range covers the whole second document: underline its first line only.
    return {
      file,
      severity: 'error',
      code: 'yaml-multi-document',
      span: spanOf([start, endOfLine(text, start)], lineCounter),
      message: 'This file must hold one YAML document: remove the `---` separator and everything after it, or merge it into the first document.',
    };
  }
  if (error.code === 'RESOURCE_EXHAUSTION') {
    // Ours (too deep, too many aliases) or the library's own stack overflow on deep flow nesting.
    const message = /^Maximum call stack/.test(error.message)
      ? `Values nest too deep here: GitOpsHQ does not read this file. Flatten the structure.`
      : error.message;
    return { file, severity: 'error', code: 'yaml-limits', span: spanOf([start, Math.max(start, end)], lineCounter), message };
  }
  if (error.code === 'DUPLICATE_KEY') {
    // yaml reports the key's first character: underline the whole key and name it.
    const key = keyNodeAt(doc, start);
    const range: [number, number] = key?.range ? [key.range[0], key.range[1]] : [start, end];
    const name = isScalar(key) ? String(key.value) : text.slice(range[0], range[1]);
    const message = `Duplicate key "${name}": keys of a mapping must be unique.`;
    return { file, severity, code: 'yaml-syntax', span: spanOf(range, lineCounter), message };
  }
  return { file, severity, code: 'yaml-syntax', span: spanOf([start, end], lineCounter), message: error.message };
}

function keyNodeAt(doc: Document.Parsed, offset: number): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isNode(pair.key) && pair.key.range?.[0] === offset) {
        found = pair.key;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function endOfLine(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  const end = nl < 0 ? text.length : nl;
  return end > offset && text[end - 1] === '\r' ? end - 1 : end;
}

/** 0-based position of a character offset. */
export function positionAt(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line: line - 1, character: col - 1 };
}

/**
 * The span of a node's value (without a trailing comment), or of `[start, end]` offsets.
 * A node without a source range (built, not parsed) maps to the start of the file.
 */
export function spanOf(target: Node | readonly [number, number] | readonly number[], lineCounter: LineCounter): Span {
  const range = isNode(target) ? target.range : target;
  const start = range?.[0] ?? 0;
  const end = Math.max(start, range?.[1] ?? start);
  const startPos = positionAt(lineCounter, start);
  const endPos = positionAt(lineCounter, end);
  // A block collection's range ends after its last newline: end the span on its last line instead.
  const previousLineStart = lineCounter.lineStarts[endPos.line - 1];
  if (endPos.character === 0 && endPos.line > startPos.line && previousLineStart !== undefined) {
    return { start: startPos, end: { line: endPos.line - 1, character: Math.max(0, end - 1 - previousLineStart) } };
  }
  return { start: startPos, end: endPos };
}

/**
 * The span from a node's start to the end of its first line: for a multi-line mapping, underlining
 * the first entry says "this one" without painting the whole block.
 */
export function headSpanOf(node: Node, text: string, lineCounter: LineCounter): Span {
  const start = node.range?.[0] ?? 0;
  const end = Math.min(node.range?.[1] ?? start, endOfLine(text, start));
  return spanOf([start, Math.max(start, end)], lineCounter);
}

/**
 * The node at a data path (map keys by their string form, sequence items by index), and for a
 * map entry its key node: a problem about a value points at the value, one about a missing or
 * unknown key points at the key. Aliases are followed to their anchored node.
 */
export function nodeAtPath(doc: Document.Parsed, path: DataPath): { node?: Node; keyNode?: Node } {
  let node: Node | undefined = deref(doc, doc.contents ?? undefined);
  let keyNode: Node | undefined;
  for (const segment of path) {
    const next = childOf(doc, node, segment);
    if (!next) return {};
    node = next.node;
    keyNode = next.keyNode;
  }
  return { ...(node ? { node } : {}), ...(keyNode ? { keyNode } : {}) };
}

/** How many leading segments of `path` exist in the document (0 = not even the first). */
export function existingDepth(doc: Document.Parsed, path: DataPath): number {
  let node: Node | undefined = deref(doc, doc.contents ?? undefined);
  for (let i = 0; i < path.length; i++) {
    const next = childOf(doc, node, path[i] as string | number);
    if (!next) return i;
    node = next.node;
  }
  return path.length;
}

function childOf(
  doc: Document.Parsed,
  node: Node | undefined,
  segment: string | number,
): { node: Node | undefined; keyNode?: Node } | undefined {
  if (isMap(node)) {
    const wanted = String(segment);
    for (const pair of node.items) {
      const key = isNode(pair.key) ? pair.key : undefined;
      const keyValue = isScalar(key) ? key.value : pair.key;
      if (String(keyValue) !== wanted) continue;
      const value = isNode(pair.value) ? deref(doc, pair.value) : undefined;
      return key ? { node: value, keyNode: key } : { node: value };
    }
    return undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return isNode(item) ? { node: deref(doc, item) } : undefined;
  }
  return undefined;
}

function deref(doc: Document.Parsed, node: Node | undefined): Node | undefined {
  if (!isAlias(node)) return node;
  const target = node.resolve(doc);
  return isNode(target) ? target : undefined;
}

// ---------------------------------------------------------------------------------------------
// Schema issues on YAML nodes: the manifest and the variables file are validated with zod on the
// document's plain data; these helpers put each issue back on the node it is about.

/** A problem from schema validation, with the data path it is about (for callers that group them). */
export interface SchemaProblem {
  problem: Problem;
  path: DataPath;
}

export interface SchemaProblemContext {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  text: string;
  file: string;
  /** Problem code for schema issues, e.g. `manifest-schema`. */
  code: string;
  /** The schema that produced the issues: used to suggest the key meant by an unknown one. */
  schema: z.ZodTypeAny;
}

/** Marks a map-key issue (see `mapKey`): point at the key, optionally with its own problem code. */
interface MapKeyParams {
  mapKey: true;
  problemCode?: string;
}

/**
 * A string schema for the keys of a `z.record` whose issues point at the key itself rather than at
 * its value (zod reports both under the same path).
 */
export function mapKey(pattern: RegExp, message: (key: string) => string, problemCode?: string): z.ZodEffects<z.ZodString> {
  const params: MapKeyParams = problemCode === undefined ? { mapKey: true } : { mapKey: true, problemCode };
  return z.string().superRefine((key, ctx) => {
    if (!pattern.test(key)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: message(key), params });
  });
}

/** Messages in the words of a YAML author: mappings and lists, not objects and arrays. */
export const friendlyErrorMap: z.ZodErrorMap = (issue, ctx) => {
  switch (issue.code) {
    case z.ZodIssueCode.invalid_type:
      if (issue.received === 'undefined') return { message: `Missing required key "${String(issue.path.at(-1))}".` };
      return { message: `Expected ${describeType(issue.expected)}, got ${describeType(issue.received)}.` };
    case z.ZodIssueCode.invalid_literal:
      return { message: `Expected ${JSON.stringify(issue.expected)}, got ${showValue(ctx.data)}.` };
    case z.ZodIssueCode.invalid_enum_value:
      return { message: `Expected one of ${issue.options.map(String).join(', ')}; got ${showValue(issue.received)}.` };
    case z.ZodIssueCode.too_small:
      if (issue.type === 'string') return { message: 'Must not be empty.' };
      if (issue.type === 'array') return { message: `List at least ${String(issue.minimum)} item(s).` };
      return { message: `Must be ${String(issue.minimum)} or more.` };
    default:
      return { message: ctx.defaultError };
  }
};

function describeType(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    number: 'a number',
    integer: 'a whole number',
    float: 'a decimal number',
    boolean: 'true or false',
    null: 'an empty value',
    date: 'a date',
  };
  return names[type] ?? type;
}

function showValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'a mapping';
  return JSON.stringify(value);
}

/** Turns a zod error into problems placed on the offending nodes. */
export function schemaProblems(error: z.ZodError, ctx: SchemaProblemContext): SchemaProblem[] {
  return error.issues.flatMap(flattenUnion).flatMap((issue) => issueProblems(issue, ctx));
}

/**
 * A failed union reports every branch; the useful one is the branch whose type matched (its issues
 * are about the content). When no branch matched, the union's own message ("a path or a list of
 * paths") is the right one.
 */
function flattenUnion(issue: z.ZodIssue): z.ZodIssue[] {
  if (issue.code !== z.ZodIssueCode.invalid_union) return [issue];
  // A nested union that failed outright (a scalar union given a list) did not match either.
  const mismatch = (i: z.ZodIssue) => i.code === z.ZodIssueCode.invalid_type || i.code === z.ZodIssueCode.invalid_union;
  const matched = issue.unionErrors.find((branch) =>
    branch.issues.some((i) => i.path.length > issue.path.length || !mismatch(i)),
  );
  return matched ? matched.issues.flatMap(flattenUnion) : [issue];
}

function issueProblems(issue: z.ZodIssue, ctx: SchemaProblemContext): SchemaProblem[] {
  if (issue.code === z.ZodIssueCode.unrecognized_keys) {
    return issue.keys.map((key) => unknownKeyProblem(issue.path, key, ctx));
  }
  const params = issue.code === z.ZodIssueCode.custom ? (issue.params as Partial<MapKeyParams> | undefined) : undefined;
  const { node, keyNode } = nodeAtPath(ctx.doc, issue.path);
  let span: Span;
  if (params?.mapKey && keyNode) span = spanOf(keyNode, ctx.lineCounter);
  else if (isMissing(issue)) span = missingKeySpan(issue.path, ctx);
  else span = valueSpan(node, keyNode, issue.path, ctx);
  const code = params?.problemCode ?? ctx.code;
  const message = isMissing(issue) ? missingKeyMessage(issue.path) : withPath(issue.path, issue.message);
  return [{ path: issue.path, problem: { file: ctx.file, span, severity: 'error', code, message } }];
}

function isMissing(issue: z.ZodIssue): boolean {
  return issue.code === z.ZodIssueCode.invalid_type && issue.received === 'undefined';
}

function missingKeyMessage(path: DataPath): string {
  const parent = path.slice(0, -1);
  return `Missing required key "${String(path.at(-1))}"${parent.length > 0 ? ` in ${formatPath(parent)}` : ''}.`;
}

function unknownKeyProblem(parent: DataPath, key: string, ctx: SchemaProblemContext): SchemaProblem {
  const path = [...parent, key];
  const { keyNode } = nodeAtPath(ctx.doc, path);
  const allowed = allowedKeysAt(ctx.schema, parent);
  const guess = closest(key, allowed);
  const where = parent.length > 0 ? ` in ${formatPath(parent)}` : '';
  const hint = guess ? ` Did you mean "${guess}"?` : allowed.length > 0 ? ` Allowed: ${allowed.join(', ')}.` : '';
  return {
    path,
    problem: {
      file: ctx.file,
      span: keyNode ? spanOf(keyNode, ctx.lineCounter) : missingKeySpan(path, ctx),
      severity: 'error',
      code: ctx.code,
      message: `Unknown key "${key}"${where}.${hint}`,
    },
  };
}

/** A missing key is reported on its parent's key (`metadata:`), or on the first line of the parent mapping. */
function missingKeySpan(path: DataPath, ctx: SchemaProblemContext): Span {
  const depth = existingDepth(ctx.doc, path.slice(0, -1));
  const { node, keyNode } = nodeAtPath(ctx.doc, path.slice(0, depth));
  if (keyNode) return spanOf(keyNode, ctx.lineCounter);
  if (node) return headSpanOf(node, ctx.text, ctx.lineCounter);
  return spanOf([0, endOfLine(ctx.text, 0)], ctx.lineCounter);
}

/** The value's span; for an empty value (`slug:` with nothing after it) the key, which is visible. */
function valueSpan(node: Node | undefined, keyNode: Node | undefined, path: DataPath, ctx: SchemaProblemContext): Span {
  const empty = !node || (node.range !== undefined && node.range !== null && node.range[0] === node.range[1]);
  if (empty && keyNode) return spanOf(keyNode, ctx.lineCounter);
  if (node) return spanOf(node, ctx.lineCounter);
  return missingKeySpan(path, ctx);
}

/** `spec.environments[1].approval.required` */
export function formatPath(path: DataPath): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function withPath(path: DataPath, message: string): string {
  return path.length > 0 ? `${formatPath(path)}: ${message}` : message;
}

/** The keys an object schema allows at a data path, for "did you mean" hints. */
export function allowedKeysAt(schema: z.ZodTypeAny, path: DataPath): string[] {
  let current: z.ZodTypeAny | undefined = unwrap(schema);
  for (const segment of path) {
    if (current instanceof z.ZodObject) current = (current.shape as Record<string, z.ZodTypeAny>)[String(segment)];
    else if (current instanceof z.ZodArray) current = current.element as z.ZodTypeAny;
    else if (current instanceof z.ZodRecord) current = current.valueSchema as z.ZodTypeAny;
    else return [];
    current = current ? unwrap(current) : undefined;
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape as object) : [];
}

function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return unwrap(schema.unwrap() as z.ZodTypeAny);
  if (schema instanceof z.ZodDefault) return unwrap(schema.removeDefault() as z.ZodTypeAny);
  if (schema instanceof z.ZodEffects) return unwrap(schema.innerType() as z.ZodTypeAny);
  if (schema instanceof z.ZodUnion) {
    const objects = (schema.options as z.ZodTypeAny[]).map(unwrap).filter((o) => o instanceof z.ZodObject);
    return objects[0] ?? schema;
  }
  return schema;
}

/** The allowed key nearest to a typo (edit distance ≤ 2, or a case difference). */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate, bestDistance);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

