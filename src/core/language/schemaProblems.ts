// Chart schema errors of effective values (after substitution) as `schema` problems of one values
// file. Each error's instance path is mapped back to the YAML line that set the value through
// provenance (EffectiveValues.sources): a file only reports what it set itself, so that an error
// shows once, where it can be fixed. The same error in several (environment, tenant, workload)
// combinations is one problem whose message names them.
import type { EffectiveValues } from '../values/effective';
import type { Origin, Problem, Span } from '../types';
import type { ResolveContext } from '../model/variables';
import { formatPath, type PathSegment } from '../values/paths';
import { contentRange, keyLineOf, lineStructure, type LineSource } from './yamlPathAt';
import { valueAt } from '../values/paths';

/** One validation error, in the shape ajv reports it (kept independent of ajv). */
export interface SchemaError {
  /** JSON pointer to the value (`/image/tag`, `` for the root). */
  instancePath: string;
  keyword: string;
  /** JSON pointer into the schema (`#/properties/image/...`). */
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
}

export interface ComboErrors {
  combo: ResolveContext;
  errors: readonly SchemaError[];
  effective: Pick<EffectiveValues, 'values' | 'sources' | 'secretPaths'>;
}

export interface SchemaProblemsInput {
  file: string;
  /** A chart's values.yaml also reports what no file set (a missing required top-level key). */
  kind: 'chart' | 'layer';
  /** The file's current lines (to place problems on keys and values). */
  lines: LineSource;
  results: readonly ComboErrors[];
  /** Every combination the file applies to (to say "every tenant" briefly). */
  combos: readonly ResolveContext[];
  /** The project's tenants when it declares them: messages name the failing ones unless all fail. */
  tenants?: readonly string[] | undefined;
}

/** The keywords reported. Branch errors under anyOf/oneOf/not/if are noise: their parent error speaks for them. */
const REPORTED = new Set([
  'type',
  'enum',
  'const',
  'required',
  'dependentRequired',
  'dependencies',
  'additionalProperties',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'anyOf',
  'oneOf',
]);
const BRANCH = /\/(anyOf|oneOf|not|if|then|else)\//;

interface Pending {
  span: Span;
  message: string;
  combos: ResolveContext[];
}

export function schemaProblems(input: SchemaProblemsInput): Problem[] {
  const pending = new Map<string, Pending>();
  for (const result of input.results) {
    for (const error of result.errors) {
      if (!REPORTED.has(error.keyword) || BRANCH.test(error.schemaPath)) continue;
      const located = locate(input, result, error);
      if (!located) continue;
      const id = `${located.span.start.line}:${located.span.start.character}:${located.span.end.line}:${located.span.end.character}\u0000${located.message}`;
      const entry = pending.get(id);
      if (!entry) pending.set(id, { ...located, combos: [result.combo] });
      else if (!entry.combos.includes(result.combo)) entry.combos.push(result.combo);
    }
  }
  const problems = [...pending.values()].map(
    (p): Problem => ({
      file: input.file,
      span: p.span,
      severity: 'error',
      code: 'schema',
      message: `${p.message} in ${where(p.combos, input)}.`,
    }),
  );
  return problems.sort((a, b) => a.span.start.line - b.span.start.line || a.span.start.character - b.span.start.character || a.message.localeCompare(b.message));
}

/** Where the error goes in this file, and what it says (without the combinations); undefined when another file set the value. */
function locate(input: SchemaProblemsInput, result: ComboErrors, error: SchemaError): { span: Span; message: string } | undefined {
  const { values, sources, secretPaths } = result.effective;
  const at = pointerSegments(error.instancePath, values);
  if (!at) return undefined;
  const dotted = formatPath(at);
  // A secret's real value is not known here (it shows as SECRET_MASK): nothing to say about it.
  if (secretPaths.includes(dotted)) return undefined;
  const name = dotted === '' ? 'The values' : `\`${dotted}\``;

  if (error.keyword === 'required' || error.keyword === 'dependentRequired' || error.keyword === 'dependencies') {
    const missing = String(error.params['missingProperty'] ?? '');
    const text = dotted === '' ? `The values miss the required top-level key "${missing}"` : `${name} is missing the required key "${missing}"`;
    if (dotted === '') return input.kind === 'chart' ? { span: lineSpan(input.lines, firstContentLine(input.lines)), message: text } : undefined;
    // The map is reported where it was last written: that file decides what it holds.
    const origin = sources.get(dotted);
    if (!origin || origin.file !== input.file) return undefined;
    return { span: nodeSpan(input.lines, origin, true), message: text };
  }

  let subject = at;
  let message: string;
  if (error.keyword === 'additionalProperties') {
    const extra = String(error.params['additionalProperty'] ?? '');
    subject = [...at, extra];
    message = `\`${formatPath(subject)}\` is not allowed: the chart's schema defines no such key${dotted === '' ? '' : ` in \`${dotted}\``}`;
  } else if (error.keyword === 'enum') {
    const allowed = Array.isArray(error.params['allowedValues']) ? (error.params['allowedValues'] as unknown[]) : [];
    message = `${name} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  } else {
    message = `${name} ${error.message ?? `does not match the schema (${error.keyword})`}`;
  }
  const origin = sources.get(formatPath(subject));
  if (!origin || origin.file !== input.file) return undefined;
  const value = valueAt(values, subject);
  const compound = typeof value === 'object' && value !== null;
  return { span: nodeSpan(input.lines, origin, compound), message };
}

/** `/image/tag` → ['image', 'tag'], list indexes as numbers where the value is a list. */
function pointerSegments(pointer: string, values: unknown): PathSegment[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  const out: PathSegment[] = [];
  let node: unknown = values;
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const i = Number(part);
      if (!Number.isInteger(i)) return undefined;
      out.push(i);
      node = node[i];
    } else {
      out.push(part);
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
    }
  }
  return out;
}

/**
 * The span of a node that starts at `origin`: for a map or list, its key (the block starts on the
 * next line); for a scalar, its line from the key to the end of the value.
 */
function nodeSpan(lines: LineSource, origin: Origin, compound: boolean): Span {
  if (compound) {
    const key = keyLineOf(lines, origin.line, origin.character);
    if (key) return { start: { line: key.line, character: key.start }, end: { line: key.line, character: key.end } };
  }
  const text = origin.line < lines.lineCount ? lines.line(origin.line) : '';
  const entries = lineStructure(text)?.entries ?? [];
  const key = entries.filter((e) => e.kind === 'key' && e.column < origin.character).pop();
  const range = contentRange(text, key ? key.column : Math.min(origin.character, text.length));
  return { start: { line: origin.line, character: range.start }, end: { line: origin.line, character: Math.max(range.end, range.start) } };
}

function firstContentLine(lines: LineSource): number {
  for (let l = 0; l < lines.lineCount; l++) if (lineStructure(lines.line(l))) return l;
  return 0;
}

function lineSpan(lines: LineSource, line: number): Span {
  const range = contentRange(line < lines.lineCount ? lines.line(line) : '');
  return { start: { line, character: range.start }, end: { line, character: range.end } };
}

/**
 * `dev, production (acme)`: environments in manifest order; tenants named when only some of the
 * project's tenants fail there; workloads when the file serves several and only some fail.
 */
function where(failing: readonly ResolveContext[], input: SchemaProblemsInput): string {
  const environments: string[] = [];
  for (const c of input.combos) if (!environments.includes(c.environment)) environments.push(c.environment);
  const workloads = new Set(input.combos.map((c) => c.workload));
  const parts: string[] = [];
  for (const env of environments) {
    const here = failing.filter((c) => c.environment === env);
    if (here.length === 0) continue;
    const tenants = [...new Set(here.map((c) => c.tenant))];
    let part = env;
    if (input.tenants && tenants.length < input.tenants.length) part += ` (${tenants.join(', ')})`;
    parts.push(part);
  }
  let text = parts.join(', ');
  const failingWorkloads = [...new Set(failing.map((c) => c.workload))];
  if (workloads.size > 1 && failingWorkloads.length < workloads.size) text += ` for ${failingWorkloads.join(', ')}`;
  return text;
}
