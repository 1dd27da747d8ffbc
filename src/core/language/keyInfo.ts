// Keys of values files as plain data for the editor: the completion items valid at a YAML path
// (from the chart's values.schema.json and its values.yaml defaults) and the hover of a key (its
// effective value in every environment and tenant the file applies to, with the layer that set it).
// Secrets never appear: a value a secret went into shows as SECRET_MASK.
import { propertiesAt, schemaInfoAt, valueChoices, type JsonSchema, type SchemaInfo } from '../values/chartSchema';
import { effectiveAt } from '../values/effectiveAt';
import { displayValue } from '../format';
import type { ProjectIndex } from '../model/projectIndex';
import { SECRET_MASK, type Origin } from '../types';
import { formatPath, isPlainMap, valueAt, type PathSegment, type PlainMap } from '../values/paths';
import { definitionLink, type ValuesFileContext } from './variableInfo';

export interface KeyCompletionItem {
  key: string;
  /** e.g. `integer · default 1`. */
  detail: string;
  /** Markdown: the schema's description. */
  documentation?: string;
  /** VS Code snippet syntax: `key: $0`, or for a map `key:\n\t$0` (the editor re-indents). */
  snippet: string;
  shape: 'object' | 'array' | 'scalar';
  /** Required keys sort first, then schema order, then keys only the defaults know. */
  sortText: string;
}

export interface KeyCompletionInput {
  schema?: JsonSchema | undefined;
  /** The chart's values.yaml as plain data. */
  defaults?: PlainMap | undefined;
  /** Path of the map the key is typed in. */
  parent: readonly PathSegment[];
  /** Keys already present in that map: not offered again. */
  present: ReadonlySet<string>;
}

/** The keys valid in the map at `parent`: the schema's properties, then the defaults' other keys. */
export function keyCompletions(input: KeyCompletionInput): KeyCompletionItem[] {
  const out: KeyCompletionItem[] = [];
  const seen = new Set<string>();
  const defaultsMap = valueAt(input.defaults, input.parent);
  const defaults = isPlainMap(defaultsMap) ? defaultsMap : undefined;
  const properties = input.schema === undefined ? [] : propertiesAt(input.schema, input.parent);
  properties.forEach((p, i) => {
    seen.add(p.key);
    if (input.present.has(p.key)) return;
    const chartDefault = defaults && Object.hasOwn(defaults, p.key) ? { value: defaults[p.key] } : undefined;
    const shape = p.shape !== 'scalar' ? p.shape : chartDefault ? shapeOfValue(chartDefault.value) : 'scalar';
    const item: KeyCompletionItem = {
      key: p.key,
      detail: detailOf(p, chartDefault),
      snippet: snippetFor(p.key, shape),
      shape,
      sortText: `${p.required ? 0 : 1}${String(i).padStart(4, '0')}`,
    };
    const doc = documentationOf(p);
    if (doc) item.documentation = doc;
    out.push(item);
  });
  if (defaults) {
    Object.keys(defaults).forEach((key, i) => {
      if (seen.has(key) || input.present.has(key)) return;
      const value = defaults[key];
      const shape = shapeOfValue(value);
      out.push({ key, detail: detailOf({ hasDefault: false }, { value }), snippet: snippetFor(key, shape), shape, sortText: `2${String(i).padStart(4, '0')}` });
    });
  }
  return out;
}

export interface ValueCompletionItem {
  /** As written in YAML (strings quoted when they would read as another type). */
  label: string;
  detail: string;
}

/** The enum members, or booleans, the schema allows for the value at `path`. */
export function valueCompletions(schema: JsonSchema | undefined, path: readonly PathSegment[]): ValueCompletionItem[] {
  if (schema === undefined) return [];
  const info = schemaInfoAt(schema, path);
  return valueChoices(schema, path).map((v) => ({
    label: yamlScalar(v),
    detail: info?.hasDefault && JSON.stringify(info.default) === JSON.stringify(v) ? 'default' : (info?.type ?? typeof v),
  }));
}

// ---------------------------------------------------------------------------------------------
// Hover.

export interface KeyValueRow {
  environment: string;
  /** Set when the project declares tenants. */
  tenant?: string;
  /** Set when the file serves several workloads that differ here. */
  workload?: string;
  /** The value as shown (SECRET_MASK for a secret; `unset`, `not bound`). */
  display: string;
  state: 'set' | 'unset' | 'not-bound';
  secret: boolean;
  /** The file and line that set the value. */
  origin?: Origin;
}

/**
 * One row per (environment, tenant) the file applies to: the effective value at `path` for the
 * file's workload(s), and where it was set. Rows of several workloads collapse when they agree.
 */
export function keyRows(index: ProjectIndex, slug: string, context: Pick<ValuesFileContext, 'project' | 'combos'>, path: readonly PathSegment[]): KeyValueRow[] {
  const dotted = formatPath(path);
  const groups = new Map<string, KeyValueRow[]>();
  for (const combo of context.combos) {
    // One path's merge per combination: a full effective() would merge the whole file each time.
    const effective = effectiveAt(index, slug, combo.workload, combo.environment, combo.tenant, path);
    const row: KeyValueRow = { environment: combo.environment, display: '', state: 'set', secret: false };
    if (context.project.tenantsDeclared) row.tenant = combo.tenant;
    if (!effective.bound) {
      row.state = 'not-bound';
      row.display = 'not bound';
    } else if (effective.value === undefined) {
      row.state = 'unset';
      row.display = 'unset';
    } else {
      const secret = effective.secretPaths.some((p) => p === dotted || p.startsWith(`${dotted}.`) || p.startsWith(`${dotted}[`));
      row.secret = secret;
      row.display = secret && effective.secretPaths.includes(dotted) ? SECRET_MASK : shortValue(effective.value);
      if (effective.origin) row.origin = effective.origin;
    }
    const id = `${combo.environment}\u0000${combo.tenant}`;
    const list = groups.get(id) ?? [];
    list.push({ ...row, workload: combo.workload });
    groups.set(id, list);
  }
  const rows: KeyValueRow[] = [];
  for (const list of groups.values()) {
    const distinct = new Set(list.map((r) => `${r.display}\u0000${r.origin?.file ?? ''}\u0000${r.origin?.line ?? ''}`));
    if (distinct.size <= 1) {
      const first = { ...(list[0] as KeyValueRow) };
      delete first.workload;
      rows.push(first);
    } else rows.push(...list);
  }
  return rows;
}

export interface KeyHoverOptions {
  /** Shows the Tenant column. */
  tenants: boolean;
  /** Project root: origins show as paths relative to it. */
  root: string;
  /** Rows beyond this are summarised in one line. Default 40. */
  maxRows?: number;
}

/** The hover of a key: its path, the schema's type and description, and a row per environment (and tenant). */
export function keyHoverMarkdown(path: readonly PathSegment[], info: SchemaInfo | undefined, rows: readonly KeyValueRow[], options: KeyHoverOptions): string {
  const lines = [`**Values key** \`${formatPath(path).replace(/`/g, "'")}\`${info?.type ? ` · ${info.type}` : ''}`, ''];
  if (info?.description) lines.push(escapeText(info.description), '');
  if (info?.hasDefault) lines.push(`Schema default: \`${cell(shortValue(info.default)).replace(/`/g, "'")}\``, '');
  if (info?.enum) lines.push(`Allowed: ${info.enum.map((v) => `\`${cell(yamlScalar(v)).replace(/`/g, "'")}\``).join(', ')}`, '');
  if (rows.length === 0) {
    lines.push('_This file applies to no environment._');
    return lines.join('\n');
  }
  lines.push(options.tenants ? '| Environment | Tenant | Value | Set in |' : '| Environment | Value | Set in |');
  lines.push(options.tenants ? '|---|---|---|---|' : '|---|---|---|');
  const max = options.maxRows ?? 40;
  for (const r of rows.slice(0, max)) {
    const who = r.workload ? `${r.tenant ?? ''} (${r.workload})` : (r.tenant ?? '');
    const value = r.state === 'set' ? `\`${cell(r.display).replace(/`/g, "'")}\`` : `_${r.display}_`;
    const where = r.origin ? `[${cell(relative(options.root, r.origin.file))}:${r.origin.line + 1}](${definitionLink(r.origin)})` : '';
    lines.push(options.tenants ? `| ${cell(r.environment)} | ${cell(who)} | ${value} | ${where} |` : `| ${cell(r.environment)} | ${value} | ${where} |`);
  }
  if (rows.length > max) lines.push('', `_…and ${rows.length - max} more_`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------


const MAX_VALUE = 60;

function shortValue(value: unknown): string {
  const text = isPlainMap(value) || Array.isArray(value) ? JSON.stringify(value) : displayValue(value);
  const flat = (text ?? 'null').replace(/\s+/g, ' ');
  return flat.length > MAX_VALUE ? `${flat.slice(0, MAX_VALUE - 1)}…` : flat;
}

function shapeOfValue(value: unknown): KeyCompletionItem['shape'] {
  if (Array.isArray(value)) return value.length === 0 ? 'scalar' : 'array';
  if (isPlainMap(value)) return Object.keys(value).length === 0 ? 'scalar' : 'object';
  return 'scalar';
}

function detailOf(info: SchemaInfo, chartDefault: { value: unknown } | undefined): string {
  const parts: string[] = [];
  if (info.type) parts.push(info.type);
  if (chartDefault !== undefined) parts.push(`default ${shortValue(chartDefault.value)}`);
  else if (info.hasDefault) parts.push(`default ${shortValue(info.default)}`);
  return parts.join(' · ');
}

function documentationOf(info: SchemaInfo): string | undefined {
  const parts: string[] = [];
  if (info.description) parts.push(escapeText(info.description));
  if (info.enum) parts.push(`Allowed: ${info.enum.map((v) => `\`${yamlScalar(v)}\``).join(', ')}`);
  return parts.length > 0 ? parts.join('\n\n') : undefined;
}

function snippetFor(key: string, shape: KeyCompletionItem['shape']): string {
  const written = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(key) ? key : JSON.stringify(key);
  const escaped = written.replace(/[$}\\]/g, '\\$&');
  if (shape === 'object') return `${escaped}:\n\t$0`;
  if (shape === 'array') return `${escaped}:\n\t- $0`;
  return `${escaped}: $0`;
}

/** A scalar as YAML: strings that would read as another type (or need escaping) are double-quoted. */
export function yamlScalar(value: unknown): string {
  if (typeof value !== 'string') return value === undefined ? 'null' : JSON.stringify(value);
  const plain = /^[A-Za-z_/][A-Za-z0-9_./-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|~|y|n)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

function relative(root: string, file: string): string {
  const prefix = root.endsWith('/') || root.endsWith('\\') ? root : `${root}${file.includes('\\') ? '\\' : '/'}`;
  return file.startsWith(prefix) ? file.slice(prefix.length).replace(/\\/g, '/') : file;
}

function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function escapeText(s: string): string {
  return s.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
