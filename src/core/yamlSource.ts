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
  type YAMLError,
} from 'yaml';
import { z } from 'zod';
import type { Position, Problem, Span } from './types';

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
  // prettyErrors off: we print our own positions, and its messages embed a source excerpt.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const problems: Problem[] = [
    ...doc.errors.map((e) => yamlProblem(e, 'error', doc, text, file, lineCounter)),
    ...doc.warnings.map((e) => yamlProblem(e, 'warning', doc, text, file, lineCounter)),
  ];
  return { doc, lineCounter, problems };
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
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((row[j - 1] ?? 0) + 1, (previous[j] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
