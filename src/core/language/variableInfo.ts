// What an HQ Variable resolves to for the (environment, tenant, workload) combinations a values file
// applies to, as plain data and Markdown for hover and completion. A layer path applies to the
// combinations whose layer list contains it; a chart's values.yaml to every combination of the
// workloads that use the chart. Secrets are always shown as SECRET_MASK.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { displayValue } from '../format';
import type { ProjectIndex } from '../model/projectIndex';
import { mayContainPlaceholder, scanPlaceholders } from '../values/placeholders';
import type { ResolveContext, VariableSet } from '../model/variables';
import { SECRET_MASK, type Origin, type Project, type VariableDef, type VariableScope } from '../types';

/** A values file of a project and the combinations it applies to, in manifest order. */
export interface ValuesFileContext {
  project: Project;
  file: string;
  /** Chart values.yaml (layer -1) or a layer path. */
  kind: 'chart' | 'layer';
  /** The workloads that use the file. */
  workloads: string[];
  /** Every (environment, tenant, workload) the file applies to: environments, then tenants, in manifest order. */
  combos: ResolveContext[];
}

/**
 * The values-file context of `file` in the project `slug`, or undefined when the file is not one of
 * its values files (the manifest, the variables file, any other YAML).
 */
export function valuesFileContext(index: ProjectIndex, slug: string, file: string): ValuesFileContext | undefined {
  const project = index.project(slug);
  if (!project) return undefined;
  const target = path.normalize(file);
  const entries = index.valuesFiles(slug).filter((f) => f.file === target);
  if (entries.length === 0) return undefined;
  const workloads = [...new Set(entries.map((e) => e.workload))];
  const chartWorkloads = new Set(entries.filter((e) => e.layer === -1).map((e) => e.workload));
  const applies = new Set(entries.flatMap((e) => (e.layer >= 0 ? [comboId(e.environment ?? '', e.tenant ?? '', e.workload)] : [])));
  const combos: ResolveContext[] = [];
  for (const env of project.environments) {
    for (const tenant of project.tenants) {
      for (const workload of workloads) {
        if (chartWorkloads.has(workload) || applies.has(comboId(env.name, tenant, workload))) {
          combos.push({ environment: env.name, tenant, workload });
        }
      }
    }
  }
  return { project, file: target, kind: chartWorkloads.size > 0 ? 'chart' : 'layer', workloads, combos };
}

function comboId(environment: string, tenant: string, workload: string): string {
  return `${environment}\u0000${tenant}\u0000${workload}`;
}

export interface VariableInfoRow {
  environment: string;
  /** Set when the project declares tenants. */
  tenant?: string;
  /** Set when the file serves several workloads and they resolve differently here. */
  workload?: string;
  defined: boolean;
  secret: boolean;
  /** The value as shown: SECRET_MASK for a secret, `undefined` when nothing defines it. */
  display: string;
  scope?: VariableScope;
  origin?: Origin;
  /** False for an (environment, tenant) the file does not apply to: shown for comparison. */
  applies?: boolean;
}

/**
 * One row per (environment, tenant) the file applies to: what `key` resolves to (in `pinned` only,
 * when given), for the file's workload(s). When the file serves several workloads that resolve
 * differently (a shared chart's values.yaml and a service-scoped definition), one row per workload.
 */
export function variableRows(
  variables: VariableSet,
  context: Pick<ValuesFileContext, 'project' | 'combos'>,
  key: string,
  pinned?: VariableScope,
): VariableInfoRow[] {
  const groups = new Map<string, ResolveContext[]>();
  for (const combo of context.combos) {
    const id = `${combo.environment}\u0000${combo.tenant}`;
    const list = groups.get(id);
    if (list) list.push(combo);
    else groups.set(id, [combo]);
  }
  const rows: VariableInfoRow[] = [];
  for (const combos of groups.values()) {
    const resolved = combos.map((combo) => row(variables, key, combo, pinned, context.project.tenantsDeclared));
    const distinct = new Set(resolved.map((r) => `${r.display}\u0000${r.scope ?? ''}\u0000${r.origin?.line ?? ''}`));
    if (distinct.size <= 1) {
      const first = resolved[0];
      if (first) rows.push(first);
    } else {
      resolved.forEach((r, i) => rows.push({ ...r, workload: combos[i]?.workload ?? '' }));
    }
  }
  return rows;
}

/**
 * The hover's rows: those the file applies to first (variableRows), then every other environment
 * and tenant of the project in promotion order, marked `applies: false`, so that a file of one
 * environment still shows what the placeholder is everywhere else.
 */
export function hoverRows(
  variables: VariableSet,
  context: Pick<ValuesFileContext, 'project' | 'combos' | 'workloads'>,
  key: string,
  pinned?: VariableScope,
): VariableInfoRow[] {
  const own = variableRows(variables, context, key, pinned);
  const covered = new Set(context.combos.map((c) => `${c.environment}\u0000${c.tenant}`));
  const others: ResolveContext[] = [];
  for (const env of context.project.environments) {
    for (const tenant of context.project.tenants) {
      if (covered.has(`${env.name}\u0000${tenant}`)) continue;
      for (const workload of context.workloads) others.push({ environment: env.name, tenant, workload });
    }
  }
  if (others.length === 0) return own;
  const rest = variableRows(variables, { project: context.project, combos: others }, key, pinned).map((r) => ({ ...r, applies: false }));
  return [...own, ...rest];
}

function row(variables: VariableSet, key: string, ctx: ResolveContext, pinned: VariableScope | undefined, tenants: boolean): VariableInfoRow {
  const r = variables.resolve(key, ctx, pinned);
  const out: VariableInfoRow = {
    environment: ctx.environment,
    defined: r.defined,
    secret: r.secret,
    display: !r.defined ? 'undefined' : r.secret ? SECRET_MASK : displayValue(r.value ?? null),
  };
  if (tenants) out.tenant = ctx.tenant;
  if (r.scope) out.scope = r.scope;
  if (r.def) out.origin = r.def.origin;
  return out;
}

/** The variable's general description: from its least specific definition that has one. */
export function variableDescription(variables: VariableSet, key: string): string | undefined {
  const defs = variables.definitions(key);
  for (let i = defs.length - 1; i >= 0; i--) {
    const description = defs[i]?.description;
    if (description) return description;
  }
  return undefined;
}

export interface HoverOptions {
  pinned?: VariableScope;
  description?: string;
  /** Whether to show the Tenant column (the project declares tenants). Default: when a row has a tenant. */
  tenants?: boolean;
  /** Rows beyond this are summarised in one line. Default 40. */
  maxRows?: number;
}

const MAX_CELL = 60;

/**
 * The hover of a placeholder: the key, its description, and a table of what it resolves to (where
 * the file applies first, then elsewhere, marked), with a link per row to the winning definition. Undefined rows are bold, with
 * a warning sign. Values never include a secret (rows carry SECRET_MASK).
 */
export function hoverMarkdown(rows: readonly VariableInfoRow[], key: string, options: HoverOptions = {}): string {
  const tenants = options.tenants ?? rows.some((r) => r.tenant !== undefined);
  const pinned = options.pinned ? ` (pinned to the \`${options.pinned}\` scope)` : '';
  const secret = rows.some((r) => r.secret) ? ' · secret' : '';
  const lines = [`**HQ Variable** \`${key}\`${pinned}${secret}`, ''];
  if (options.description) lines.push(escapeText(options.description), '');
  if (rows.length === 0) {
    lines.push('_This file applies to no environment._');
    return lines.join('\n');
  }
  if (rows.every((r) => r.applies === false)) lines.push('_This file applies to no environment._', '');
  lines.push(tenants ? '| Environment | Tenant | Value | Scope |' : '| Environment | Value | Scope |');
  lines.push(tenants ? '|---|---|---|---|' : '|---|---|---|');
  const max = options.maxRows ?? 40;
  for (const r of rows.slice(0, max)) {
    const who = r.workload ? `${r.tenant ?? ''} (${r.workload})` : (r.tenant ?? '');
    const value = r.defined ? `\`${cell(truncate(r.display, MAX_CELL)).replace(/`/g, "'")}\`` : '**⚠ undefined**';
    const scope = r.scope ? (r.origin ? `[${r.scope}](${definitionLink(r.origin)})` : r.scope) : '';
    const name = r.defined ? cell(r.environment) : `**${cell(r.environment)}**`;
    const envCell = r.applies === false ? `${name} _(not from this file)_` : name;
    lines.push(tenants ? `| ${envCell} | ${cell(who)} | ${value} | ${scope} |` : `| ${envCell} | ${value} | ${scope} |`);
  }
  if (rows.length > max) lines.push('', `_…and ${rows.length - max} more_`);
  return lines.join('\n');
}

/** `file:///abs/path#L12` (1-based line): VS Code opens such links in a hover at that line. */
export function definitionLink(origin: Pick<Origin, 'file' | 'line'>): string {
  return `${pathToFileURL(origin.file).href}#L${origin.line + 1}`;
}

/**
 * One line summarising the values per environment for a completion item's detail, e.g.
 * `dev: dev-db.int… · staging: staging-db… · production: prod-db.in…`. Several distinct values in
 * one environment (tenants, workloads) are joined with `/`.
 */
export function completionDetail(rows: readonly VariableInfoRow[], width = 14): string {
  const byEnv = new Map<string, string[]>();
  for (const r of rows) {
    const shown = r.defined ? truncate(r.display, width) : 'undefined';
    const list = byEnv.get(r.environment);
    if (!list) byEnv.set(r.environment, [shown]);
    else if (!list.includes(shown)) list.push(shown);
  }
  return [...byEnv].map(([env, values]) => `${env}: ${values.join(' / ')}`).join(' · ');
}

/** Completion details by VariableSet (replaced whenever the variables file changes), then by file context and pin. */
const detailCache = new WeakMap<VariableSet, Map<string, Map<string, string>>>();
/** Contexts kept per VariableSet: a few open values files each. */
const MAX_CONTEXTS = 32;

/**
 * completionDetail(variableRows(...)) for `key`, cached: editing a values file changes neither the
 * variables nor (usually) the combinations the file applies to, so the completion after an edit
 * reuses the details of the previous one instead of resolving every key in every combination.
 */
export function cachedCompletionDetail(
  variables: VariableSet,
  context: Pick<ValuesFileContext, 'project' | 'combos'>,
  key: string,
  pinned?: VariableScope,
): string {
  let byContext = detailCache.get(variables);
  if (!byContext) {
    byContext = new Map();
    detailCache.set(variables, byContext);
  }
  const id = `${pinned ?? ''}\u0001${context.project.tenantsDeclared ? 1 : 0}\u0001${context.combos.map((c) => comboId(c.environment, c.tenant, c.workload)).join('\u0001')}`;
  let details = byContext.get(id);
  if (!details) {
    if (byContext.size >= MAX_CONTEXTS) byContext.clear();
    details = new Map();
    byContext.set(id, details);
  }
  let detail = details.get(key);
  if (detail === undefined) {
    detail = completionDetail(variableRows(variables, context, key, pinned));
    details.set(key, detail);
  }
  return detail;
}

/**
 * Where Go to Definition goes: the definitions that win for the file's combinations, in their order
 * (the file's first environment in promotion order first), then every other definition of the key
 * (most specific first) so that Peek shows them all. A pinned placeholder only looks at its own scope.
 */
export function definitionTargets(
  variables: VariableSet,
  key: string,
  pinned: VariableScope | undefined,
  combos: readonly ResolveContext[],
): VariableDef[] {
  const defs = variables.definitions(key).filter((d) => pinned === undefined || d.scope === pinned);
  const head: VariableDef[] = [];
  for (const combo of combos) {
    const winner = variables.resolve(key, combo, pinned).def;
    if (!winner) continue;
    const def = defs.find((d) => d.origin.file === winner.origin.file && d.origin.line === winner.origin.line && d.scope === winner.scope);
    if (def && !head.includes(def)) head.push(def);
  }
  return [...head, ...defs.filter((d) => !head.includes(d))];
}

/** The keys completion offers: every key, or for a pinned scope those defined in it. */
export function completionKeys(variables: VariableSet, pinned?: VariableScope): string[] {
  return pinned === undefined ? variables.keys() : variables.definedInScope(pinned);
}

/** The scope keywords, in precedence order from the least specific (as users read them). */
export const SCOPE_KEYWORDS: readonly { scope: VariableScope; detail: string }[] = [
  { scope: 'repo', detail: 'Repository scope: one value for every environment, tenant and workload' },
  { scope: 'env', detail: 'Environment scope: the value of the current environment' },
  { scope: 'tenant', detail: 'Tenant scope: the value of the current tenant' },
  { scope: 'svc', detail: 'Service scope: the value for this tenant, environment and workload' },
];

/** Offsets of every valid placeholder of `key` in `text` (for Find All References). */
export function placeholderRanges(text: string, key: string): { start: number; end: number }[] {
  if (!text.includes(key) || !mayContainPlaceholder(text)) return [];
  return scanPlaceholders(text)
    .filter((m) => m.valid && m.key === key)
    .map((m) => ({ start: m.start, end: m.end }));
}

function truncate(s: string, width: number): string {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > width ? `${flat.slice(0, Math.max(1, width - 1))}…` : flat;
}

/** A table cell: pipes and line breaks would break the row. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Author text in Markdown: keep it readable but stop HTML from rendering. */
function escapeText(s: string): string {
  return s.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
