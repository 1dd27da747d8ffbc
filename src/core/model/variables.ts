// HQ Variables (spec §3): the variables file, its problems, and resolution by scope precedence
// Service > Tenant > Environment > Repository.
import { isAlias, isMap, isNode, isScalar, type Document, type Node, type Pair } from 'yaml';
import { z } from 'zod';
import { NAME_PATTERN } from './manifest';
import type { Problem, Project, Resolution, Scalar, VariableDef, VariableScope } from '../types';
import { isPlainMap, type PlainMap } from '../values/paths';
import { readKeyed, type KeyStarts } from '../yaml/valuesReader';
import { friendlyErrorMap, isStructurallySound, mapKey, parseYaml, plainData, schemaProblems, spanOf, type ParsedYaml } from '../yaml/yamlSource';

export const VARIABLE_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Scopes from most to least specific: the order `resolve` tries them. */
export const SCOPE_PRECEDENCE: readonly VariableScope[] = ['svc', 'tenant', 'env', 'repo'];

export interface ResolveContext {
  environment: string;
  tenant: string;
  workload: string;
}

// ---------------------------------------------------------------------------------------------
// Schema (shared patterns with media/schemas/variables.schema.json; the fixture test keeps them equal).

const scalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  errorMap: (issue, ctx) =>
    issue.code === z.ZodIssueCode.invalid_union
      ? { message: 'Expected a scalar: a string, a number, true/false, or empty.' }
      : { message: ctx.defaultError },
});

const variableObjectSchema = z
  .object({
    value: scalarSchema.optional(),
    description: z.string().optional(),
    secret: z.boolean().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    // Only a secret may leave its value to delivery; anything else without a value is a mistake.
    if (v.value === undefined && v.secret !== true) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'A variable needs a `value` (only a `secret: true` variable may omit it).' });
    }
  });

/** A variable's value: a scalar, or `{ value, description, secret }`. */
export const variableValueSchema = z.union([scalarSchema, variableObjectSchema], {
  errorMap: (issue, ctx) =>
    issue.code === z.ZodIssueCode.invalid_union
      ? { message: 'A variable is a scalar (string, number, boolean) or a mapping { value, description, secret }.' }
      : { message: ctx.defaultError },
});

const variableKey = mapKey(
  VARIABLE_KEY_PATTERN,
  (key) => `Invalid variable key "${key}": use letters, digits and "_", not starting with a digit (e.g. DATABASE_HOST).`,
  'invalid-variable-key',
);
const nameKey = (what: string) =>
  mapKey(NAME_PATTERN, (key) => `Invalid ${what} name "${key}": lowercase letters, digits and "-", starting and ending with a letter or digit.`);

const variableMap = z.record(variableKey, variableValueSchema);

/** The structure of the variables file. An empty file is valid (no variables). */
export const variablesSchema = z
  .object({
    repo: variableMap.optional(),
    env: z.record(nameKey('environment'), variableMap).optional(),
    tenant: z.record(nameKey('tenant'), variableMap).optional(),
    svc: z.record(nameKey('tenant'), z.record(nameKey('environment'), z.record(nameKey('workload'), variableMap))).optional(),
  })
  .strict()
  .nullable();

// ---------------------------------------------------------------------------------------------
// The set of definitions, with precomputed lookups: `resolve` runs for every placeholder of every
// (tenant, environment, workload), hundreds of thousands of times on a large repository.

type KeyMap = Map<string, Resolution>;

const UNDEFINED: Resolution = Object.freeze({ defined: false, secret: false });
const SCOPE_RANK: Record<VariableScope, number> = { svc: 0, tenant: 1, env: 2, repo: 3 };

export class VariableSet {
  private readonly defs: readonly VariableDef[];
  private readonly repo: KeyMap = new Map();
  private readonly env = new Map<string, KeyMap>();
  private readonly tenant = new Map<string, KeyMap>();
  /** tenant → environment → workload → key */
  private readonly svc = new Map<string, Map<string, Map<string, KeyMap>>>();
  private readonly byKey = new Map<string, VariableDef[]>();
  private readonly keysByScope = new Map<VariableScope, string[]>();
  private readonly sortedKeys: string[];

  /** Definitions in file order. A later definition of the same key in the same place replaces the earlier one. */
  constructor(defs: readonly VariableDef[]) {
    this.defs = defs;
    for (const def of defs) this.index(def);
    for (const list of this.byKey.values()) list.sort((a, b) => SCOPE_RANK[a.scope] - SCOPE_RANK[b.scope]);
    this.sortedKeys = [...this.byKey.keys()].sort();
    for (const scope of SCOPE_PRECEDENCE) {
      const keys = new Set(defs.filter((d) => d.scope === scope).map((d) => d.key));
      this.keysByScope.set(scope, [...keys].sort());
    }
  }

  static empty(): VariableSet {
    return new VariableSet([]);
  }

  /** Every key defined in any scope, sorted. */
  keys(): string[] {
    return [...this.sortedKeys];
  }

  /** Every definition of a key, most specific scope first (svc, tenant, env, repo), file order within a scope. */
  definitions(key: string): VariableDef[] {
    return [...(this.byKey.get(key) ?? [])];
  }

  /**
   * Every definition in file order. Secret definitions keep their value here (the logger needs it
   * to mask it): callers that show a definition must check `secret` and print SECRET_MASK.
   */
  all(): VariableDef[] {
    return [...this.defs];
  }

  /** The values of secrets that have one: for masking logs, never for display. */
  secretValues(): string[] {
    return this.defs.filter((d) => d.secret && d.value !== undefined && d.value !== null).map((d) => String(d.value));
  }

  /**
   * What `key` resolves to for (tenant, environment, workload): the most specific scope that defines
   * it, or only `pinned` when given. For a secret the Resolution carries neither the value nor a
   * definition with the value. Resolutions are shared and frozen: do not mutate them.
   */
  resolve(key: string, ctx: ResolveContext, pinned?: VariableScope): Resolution {
    if (pinned !== undefined) return this.inScope(pinned, key, ctx) ?? UNDEFINED;
    return (
      this.svc.get(ctx.tenant)?.get(ctx.environment)?.get(ctx.workload)?.get(key) ??
      this.tenant.get(ctx.tenant)?.get(key) ??
      this.env.get(ctx.environment)?.get(key) ??
      this.repo.get(key) ??
      UNDEFINED
    );
  }

  /**
   * Keys defined in one scope, sorted, for pinned completion (`{{ hq.var.env.| }}`). With a context,
   * only the keys that scope defines for it.
   */
  definedInScope(scope: VariableScope, ctx?: ResolveContext): string[] {
    if (!ctx) return [...(this.keysByScope.get(scope) ?? [])];
    const map = this.scopeMap(scope, ctx);
    return map ? [...map.keys()].sort() : [];
  }

  private inScope(scope: VariableScope, key: string, ctx: ResolveContext): Resolution | undefined {
    return this.scopeMap(scope, ctx)?.get(key);
  }

  private scopeMap(scope: VariableScope, ctx: ResolveContext): KeyMap | undefined {
    switch (scope) {
      case 'svc':
        return this.svc.get(ctx.tenant)?.get(ctx.environment)?.get(ctx.workload);
      case 'tenant':
        return this.tenant.get(ctx.tenant);
      case 'env':
        return this.env.get(ctx.environment);
      case 'repo':
        return this.repo;
    }
  }

  private index(def: VariableDef): void {
    const list = this.byKey.get(def.key);
    if (list) list.push(def);
    else this.byKey.set(def.key, [def]);
    this.mapFor(def)?.set(def.key, resolutionOf(def));
  }

  /** The key map a definition goes into; undefined when a scoped definition lacks its names. */
  private mapFor(def: VariableDef): KeyMap | undefined {
    switch (def.scope) {
      case 'repo':
        return this.repo;
      case 'env':
        return def.environment === undefined ? undefined : child(this.env, def.environment, () => new Map());
      case 'tenant':
        return def.tenant === undefined ? undefined : child(this.tenant, def.tenant, () => new Map());
      case 'svc': {
        if (def.tenant === undefined || def.environment === undefined || def.workload === undefined) return undefined;
        const byEnv = child(this.svc, def.tenant, () => new Map<string, Map<string, KeyMap>>());
        return child(child(byEnv, def.environment, () => new Map<string, KeyMap>()), def.workload, () => new Map());
      }
    }
  }
}

function child<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** Built once per definition, so that resolving allocates nothing. Secrets lose their value here. */
function resolutionOf(def: VariableDef): Resolution {
  if (!def.secret) {
    const r: Resolution = { defined: true, secret: false, scope: def.scope, def: Object.freeze({ ...def }) };
    if (def.value !== undefined) r.value = def.value;
    return Object.freeze(r);
  }
  const { value: _hidden, ...redacted } = def;
  return Object.freeze({ defined: true, secret: true, scope: def.scope, def: Object.freeze(redacted) });
}

// ---------------------------------------------------------------------------------------------
// Parsing.

export interface VariablesResult {
  variables: VariableSet;
  problems: Problem[];
}

/**
 * Parses a variables file. Schema problems are reported on their node; each well-formed variable
 * is kept even when its neighbours are broken, so one typo does not undefine every variable. With
 * a project, sections naming unknown environments, tenants or workloads are errors and skipped.
 *
 * A valid file in plain block YAML (nearly every one) is read by the values files' fast reader:
 * the `yaml` library, zod and the node walk take 150–450 ms on 5,000 variables, on the extension
 * host's thread. Anything else (a problem to report, anchors, unusual syntax) goes to the library,
 * so problems and their positions come from one place; both paths give the same VariableSet.
 */
export function parseVariables(text: string, file: string, project?: Project): VariablesResult {
  return parseVariablesFast(text, file, project) ?? parseVariablesWithLibrary(text, file, project);
}

/** The `yaml` library path alone. For tests. */
export function parseVariablesWithLibrary(text: string, file: string, project?: Project): VariablesResult {
  const parsed = parseYaml(text, file);
  if (!isStructurallySound(parsed.doc)) return { variables: VariableSet.empty(), problems: parsed.problems };
  const problems = [...parsed.problems, ...schemaIssues(parsed, text, file)];
  const collector = new DefinitionCollector(parsed, file, project);
  const defs = collector.collect();
  return { variables: new VariableSet(defs), problems: [...problems, ...collector.problems] };
}

/** The fast path alone: undefined when the file has a problem or the fast reader leaves it to the library. For tests. */
export function parseVariablesFast(text: string, file: string, project?: Project): VariablesResult | undefined {
  const read = readKeyed(text);
  if (!read) return undefined;
  const defs = new CleanFileReader(read.keys, file, project).read(read.value);
  return defs && { variables: new VariableSet(defs), problems: [] };
}

function schemaIssues(parsed: ParsedYaml, text: string, file: string): Problem[] {
  const result = variablesSchema.safeParse(plainData(parsed.doc), { errorMap: friendlyErrorMap });
  if (result.success) return [];
  const ctx = { doc: parsed.doc, lineCounter: parsed.lineCounter, text, file, code: 'variables-schema', schema: variablesSchema };
  return schemaProblems(result.error, ctx).map((p) => p.problem);
}

interface Names {
  environment?: string;
  tenant?: string;
  workload?: string;
}

/**
 * Walks the YAML tree (not the plain data) so each definition knows its key's position. It keeps
 * what is valid and skips the rest silently: the schema pass has already reported it.
 */
class DefinitionCollector {
  readonly problems: Problem[] = [];
  private readonly defs: VariableDef[] = [];
  private readonly doc: Document.Parsed;

  constructor(
    private readonly parsed: ParsedYaml,
    private readonly file: string,
    private readonly project: Project | undefined,
  ) {
    this.doc = parsed.doc;
  }

  collect(): VariableDef[] {
    const root = this.doc.contents;
    if (!isMap(root)) return this.defs;
    for (const pair of root.items) {
      const section = keyOf(pair);
      const value = nodeOf(this.doc, pair.value);
      if (section === 'repo') this.variables(value, 'repo', {});
      else if (section === 'env') this.named(value, 'environment', (env, node) => this.variables(node, 'env', { environment: env }));
      else if (section === 'tenant') this.named(value, 'tenant', (tenant, node) => this.variables(node, 'tenant', { tenant }));
      else if (section === 'svc') this.svc(value);
    }
    return this.defs;
  }

  private svc(node: Node | undefined): void {
    this.named(node, 'tenant', (tenant, byEnv) =>
      this.named(byEnv, 'environment', (environment, byWorkload) =>
        this.named(byWorkload, 'workload', (workload, vars) => this.variables(vars, 'svc', { tenant, environment, workload })),
      ),
    );
  }

  /** Visits the entries of a map keyed by environment / tenant / workload names that exist. */
  private named(node: Node | undefined, kind: keyof Names, visit: (name: string, value: Node | undefined) => void): void {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const name = keyOf(pair);
      if (name === undefined || !NAME_PATTERN.test(name)) continue;
      if (!this.known(kind, name, pair.key)) continue;
      visit(name, nodeOf(this.doc, pair.value));
    }
  }

  private known(kind: keyof Names, name: string, keyNode: unknown): boolean {
    const declared = this.declared(kind);
    if (!declared || declared.includes(name)) return true;
    const list = declared.length > 0 ? declared.join(', ') : 'none';
    this.problems.push({
      file: this.file,
      span: spanOf(isNode(keyNode) ? keyNode : [0, 0], this.parsed.lineCounter),
      severity: 'error',
      code: `unknown-${kind}`,
      message: `Unknown ${kind} "${name}": the project declares ${list}.`,
    });
    return false;
  }

  private declared(kind: keyof Names): string[] | undefined {
    if (!this.project) return undefined;
    if (kind === 'environment') return this.project.environments.map((e) => e.name);
    if (kind === 'tenant') return this.project.tenants;
    return this.project.workloads.map((w) => w.name);
  }

  private variables(node: Node | undefined, scope: VariableScope, names: Names): void {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = keyOf(pair);
      if (key === undefined || !VARIABLE_KEY_PATTERN.test(key) || !isNode(pair.key)) continue;
      const raw: unknown = isNode(pair.value) ? pair.value.toJS(this.doc, { maxAliasCount: -1 }) : pair.value;
      const value = variableValueSchema.safeParse(raw);
      if (!value.success) continue;
      this.defs.push(this.definition(key, pair.key, scope, names, value.data));
    }
  }

  private definition(key: string, keyNode: Node, scope: VariableScope, names: Names, data: z.output<typeof variableValueSchema>): VariableDef {
    const { start } = spanOf(keyNode, this.parsed.lineCounter);
    const def: VariableDef = {
      key,
      scope,
      secret: false,
      origin: { file: this.file, line: start.line, character: start.character, layer: -1 },
      ...names,
    };
    if (isScalarValue(data)) {
      def.value = data;
      return def;
    }
    def.secret = data.secret === true;
    if (data.value !== undefined) def.value = data.value;
    if (data.description !== undefined) def.description = data.description;
    return def;
  }
}

/** Thrown by CleanFileReader at the first thing the library path would report. */
const NOT_CLEAN = new Error('not a clean variables file');
/** Names JavaScript orders before the others in an object: their definitions would leave file order. */
const INDEX_LIKE = /^[0-9]+$/;

/**
 * The definitions of a variables file read as plain data, when the file is valid: what
 * variablesSchema accepts and names the project declares, else undefined. It is no more lenient
 * than the schema (a unit test checks it against zod on valid and broken files): whatever it
 * doubts goes to the library path, which reports it.
 */
class CleanFileReader {
  private readonly defs: VariableDef[] = [];

  constructor(
    private readonly keys: Map<PlainMap, KeyStarts>,
    private readonly file: string,
    private readonly project: Project | undefined,
  ) {}

  read(root: PlainMap): VariableDef[] | undefined {
    try {
      for (const [section, value] of Object.entries(root)) {
        if (section === 'repo') this.variables(value, 'repo', {});
        else if (section === 'env') this.named(value, 'environment', (env, node) => this.variables(node, 'env', { environment: env }));
        else if (section === 'tenant') this.named(value, 'tenant', (tenant, node) => this.variables(node, 'tenant', { tenant }));
        else if (section === 'svc') this.svc(value);
        else throw NOT_CLEAN;
      }
      return this.defs;
    } catch (err) {
      if (err === NOT_CLEAN) return undefined;
      throw err;
    }
  }

  private svc(value: unknown): void {
    this.named(value, 'tenant', (tenant, byEnv) =>
      this.named(byEnv, 'environment', (environment, byWorkload) =>
        this.named(byWorkload, 'workload', (workload, vars) => this.variables(vars, 'svc', { tenant, environment, workload })),
      ),
    );
  }

  private named(value: unknown, kind: keyof Names, visit: (name: string, value: unknown) => void): void {
    if (!isPlainMap(value)) throw NOT_CLEAN;
    for (const [name, child] of Object.entries(value)) {
      if (!NAME_PATTERN.test(name) || INDEX_LIKE.test(name) || !this.declared(kind, name)) throw NOT_CLEAN;
      visit(name, child);
    }
  }

  private declared(kind: keyof Names, name: string): boolean {
    const project = this.project;
    if (!project) return true;
    if (kind === 'environment') return project.environments.some((e) => e.name === name);
    if (kind === 'tenant') return project.tenants.includes(name);
    return project.workloads.some((w) => w.name === name);
  }

  private variables(value: unknown, scope: VariableScope, names: Names): void {
    if (!isPlainMap(value)) throw NOT_CLEAN;
    const starts = this.keys.get(value);
    const entries = Object.entries(value);
    // A variable key never looks like an array index, so the keys are in file order (see KeyStarts).
    if (!starts || starts.length !== 2 * entries.length) throw NOT_CLEAN;
    for (let k = 0; k < entries.length; k++) {
      const [key, raw] = entries[k] as [string, unknown];
      if (!VARIABLE_KEY_PATTERN.test(key)) throw NOT_CLEAN;
      const origin = { file: this.file, line: starts[2 * k] as number, character: starts[2 * k + 1] as number, layer: -1 };
      const def: VariableDef = { key, scope, secret: false, origin, ...names };
      if (isCleanScalar(raw)) {
        def.value = raw;
      } else {
        if (!isPlainMap(raw) || !isCleanObject(raw)) throw NOT_CLEAN;
        def.secret = raw['secret'] === true;
        if (raw['value'] !== undefined) def.value = raw['value'] as Scalar;
        if (raw['description'] !== undefined) def.description = raw['description'] as string;
      }
      this.defs.push(def);
    }
  }
}

/** What scalarSchema accepts (z.number() refuses NaN). */
function isCleanScalar(value: unknown): value is Scalar {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && !Number.isNaN(value));
}

/** What variableObjectSchema accepts. */
function isCleanObject(map: PlainMap): boolean {
  for (const [key, value] of Object.entries(map)) {
    if (key === 'value' ? !isCleanScalar(value) : key === 'description' ? typeof value !== 'string' : key === 'secret' ? typeof value !== 'boolean' : true) return false;
  }
  return map['value'] !== undefined || map['secret'] === true;
}

function isScalarValue(value: unknown): value is Scalar {
  return value === null || typeof value !== 'object';
}

function keyOf(pair: Pair<unknown, unknown>): string | undefined {
  const key = pair.key;
  if (isScalar(key)) return key.value === null || key.value === undefined ? undefined : String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function nodeOf(doc: Document.Parsed, value: unknown): Node | undefined {
  if (!isNode(value)) return undefined;
  // Aliases point at an anchored map elsewhere in the file: follow them so anchors work as authors expect.
  const resolved: unknown = isAlias(value) ? value.resolve(doc) : value;
  return isNode(resolved) ? resolved : undefined;
}
