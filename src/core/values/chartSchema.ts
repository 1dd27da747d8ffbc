// Reading a chart's values.schema.json for completion and hover: which keys a map may have, and
// the type, description, default and enum of a value. Only what editing needs, not validation
// (that is ajv's job, in src/infra/schema): local `$ref`s are followed, `items` and
// `prefixItems` for lists, and allOf/anyOf/oneOf one level deep (their branches' properties are
// offered together).
import type { PathSegment } from './paths';

export type JsonSchema = boolean | SchemaObject;
export type SchemaObject = { [keyword: string]: unknown };

/** What a value's schema says about it, merged over the subschemas that apply. */
export interface SchemaInfo {
  /** `string`, `integer | null`, … (undefined when the schema says nothing). */
  type?: string;
  description?: string;
  /** Whether `default` is given (it may be null or false). */
  hasDefault: boolean;
  default?: unknown;
  enum?: unknown[];
}

export interface SchemaProperty extends SchemaInfo {
  key: string;
  /** The property's value is a map / a list (for the snippet completion inserts). */
  shape: 'object' | 'array' | 'scalar';
  required: boolean;
}

/** The parsed schema, or undefined when the text is not a JSON object (or boolean). */
export function parseSchema(text: string): JsonSchema | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'boolean' || isObject(value) ? (value as JsonSchema) : undefined;
  } catch {
    return undefined;
  }
}

/** The subschemas that describe the value at `path` (several when combinators apply). */
export function schemasAt(root: JsonSchema, path: readonly PathSegment[]): SchemaObject[] {
  let current = expand(root, root);
  for (const segment of path) {
    const next: SchemaObject[] = [];
    for (const node of current) for (const child of childSchemas(node, segment)) next.push(...expand(root, child));
    if (next.length === 0) return [];
    current = next;
  }
  return current;
}

/** The properties a map at `path` may have, by key, in schema order. */
export function propertiesAt(root: JsonSchema, path: readonly PathSegment[]): SchemaProperty[] {
  const nodes = schemasAt(root, path);
  const required = new Set<string>();
  const byKey = new Map<string, SchemaObject[]>();
  for (const node of nodes) {
    if (Array.isArray(node['required'])) for (const r of node['required']) if (typeof r === 'string') required.add(r);
    const properties = node['properties'];
    if (!isObject(properties)) continue;
    for (const [key, sub] of Object.entries(properties)) {
      const list = byKey.get(key) ?? [];
      list.push(...expand(root, sub as JsonSchema));
      byKey.set(key, list);
    }
  }
  return [...byKey].map(([key, subs]) => {
    const info = infoOf(subs);
    return { key, ...info, shape: shapeOf(subs, info), required: required.has(key) };
  });
}

/** What the schema says about the value at `path`, or undefined when it says nothing. */
export function schemaInfoAt(root: JsonSchema, path: readonly PathSegment[]): SchemaInfo | undefined {
  const nodes = schemasAt(root, path);
  return nodes.length === 0 ? undefined : infoOf(nodes);
}

/** The enum members (or `true`/`false` for a boolean) a value at `path` may take. */
export function valueChoices(root: JsonSchema, path: readonly PathSegment[]): unknown[] {
  const info = schemaInfoAt(root, path);
  if (!info) return [];
  if (info.enum) return info.enum;
  if (info.type?.split(' | ').includes('boolean')) return [true, false];
  return [];
}

// ---------------------------------------------------------------------------------------------

/** Combinators and refs flattened one level: the node itself (without them) and its branches. */
function expand(root: JsonSchema, schema: JsonSchema, depth = 0): SchemaObject[] {
  if (!isObject(schema) || depth > 8) return [];
  const out: SchemaObject[] = [schema];
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const target = resolveRef(root, ref);
    // A $ref's siblings (description, default) describe the same value and win over the target's.
    if (target !== undefined) out.push(...expand(root, target, depth + 1));
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    const branches = schema[keyword];
    if (!Array.isArray(branches)) continue;
    for (const b of branches) if (depth === 0 || keyword === 'allOf') out.push(...expand(root, b as JsonSchema, depth + 1));
  }
  return out;
}

/** A local JSON pointer reference (`#/definitions/x`, `#/$defs/x`, `#`); undefined for anything else. */
function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  const hash = ref.indexOf('#');
  if (hash !== 0) return undefined;
  const pointer = ref.slice(1);
  if (pointer === '') return root;
  if (!pointer.startsWith('/')) return undefined;
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'boolean' || isObject(node) ? (node as JsonSchema) : undefined;
}

function childSchemas(node: SchemaObject, segment: PathSegment): JsonSchema[] {
  if (typeof segment === 'number') {
    const prefix = Array.isArray(node['prefixItems']) ? node['prefixItems'] : Array.isArray(node['items']) ? node['items'] : undefined;
    if (prefix) {
      if (segment < prefix.length) return [prefix[segment] as JsonSchema];
      const rest = Array.isArray(node['prefixItems']) ? node['items'] : node['additionalItems'];
      return rest === undefined ? [] : [rest as JsonSchema];
    }
    return node['items'] === undefined ? [] : [node['items'] as JsonSchema];
  }
  const properties = node['properties'];
  if (isObject(properties) && Object.hasOwn(properties, segment)) return [properties[segment] as JsonSchema];
  const out: JsonSchema[] = [];
  const patterns = node['patternProperties'];
  if (isObject(patterns)) {
    for (const [pattern, sub] of Object.entries(patterns)) {
      try {
        if (new RegExp(pattern, 'u').test(segment)) out.push(sub as JsonSchema);
      } catch {
        // An invalid pattern describes nothing.
      }
    }
  }
  if (out.length === 0 && isObject(node['additionalProperties'])) out.push(node['additionalProperties'] as JsonSchema);
  return out;
}

function infoOf(nodes: readonly SchemaObject[]): SchemaInfo {
  const info: SchemaInfo = { hasDefault: false };
  const types: string[] = [];
  for (const node of nodes) {
    const type = node['type'];
    for (const t of Array.isArray(type) ? type : [type]) if (typeof t === 'string' && !types.includes(t)) types.push(t);
    if (info.description === undefined && typeof node['description'] === 'string') info.description = node['description'];
    if (!info.hasDefault && Object.hasOwn(node, 'default')) {
      info.hasDefault = true;
      info.default = node['default'];
    }
    if (info.enum === undefined && Array.isArray(node['enum'])) info.enum = node['enum'] as unknown[];
    if (info.enum === undefined && Object.hasOwn(node, 'const')) info.enum = [node['const']];
  }
  if (types.length > 0) info.type = types.join(' | ');
  return info;
}

function shapeOf(nodes: readonly SchemaObject[], info: SchemaInfo): SchemaProperty['shape'] {
  const types = info.type?.split(' | ') ?? [];
  if (types.length === 1 && types[0] === 'object') return 'object';
  if (types.length === 1 && types[0] === 'array') return 'array';
  if (types.length === 0 && nodes.some((n) => isObject(n['properties']))) return 'object';
  return 'scalar';
}

function isObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
