// The project manifest `gitopshq.yaml` (spec §1): schema, defaults, semantic checks, and the
// problems at the exact line and column of the offending node.
//
// Partial results, by design: a problem inside one environment, tenant or workload drops that item
// only, so one bad workload does not hide the project. A problem anywhere else (apiVersion, kind,
// metadata, teams, variables, the shape of `spec` itself, or a YAML syntax error) leaves no project,
// because there is no honest way to guess what the author meant there.
//
// Positions cost more than the checks: on a 1,000-workload manifest (8,000 lines) building the
// `yaml` Document with its source ranges takes 100-400 ms, the checks a few tens. So a manifest is
// first read by the fast reader of yaml/valuesReader.ts (which declines anything it is not certain about:
// anchors, tags, block scalars, duplicate keys, syntax errors...) and validated as plain data. When
// that finds nothing to report, the result has no problems and the Document is built only if
// someone calls locate(). Otherwise (the reader declined, or any problem, warnings included) the
// manifest goes through the full path, which reports every problem at its exact position. Both
// paths give the same result: test/unit/core/model/manifest.test.ts compares them on every fixture.
import * as path from 'node:path';
import { z } from 'zod';
import type { FileSystemPort } from '../fileSystem';
import type { Approval, Environment, Problem, Project, Span, Workload } from '../types';
import {
  friendlyErrorMap,
  isStructurallySound,
  mapKey,
  nodeAtPath,
  parseYaml,
  plainData,
  schemaProblems,
  spanOf,
  type DataPath,
  type ParsedYaml,
} from '../yaml/yamlSource';
import { findUnquotedTemplates, quoteTemplates, unquotedTemplateProblem } from '../language/unquotedTemplates';
import { parseFast } from '../yaml/valuesReader';

export const API_VERSION = 'gitopshq.io/v1alpha1';
export const DEFAULT_VARIABLES_PATH = '.gitopshq/variables.yaml';
export const DEFAULT_TENANT = 'default';
/** Tokens a values layer template may use. */
export const LAYER_TOKENS = ['env', 'tenant', 'workload'] as const;

// The patterns are shared with media/schemas/gitopshq.schema.json; the fixture test keeps the two equal.
export const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** Kubernetes object names are DNS subdomains: labels joined by dots. */
export const KUBE_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
/** A namespace (a DNS label) in which `{tenant}` may stand for letters, e.g. `shop-{tenant}` (spec §5). */
export const NAMESPACE_PATTERN = /^([a-z0-9]|\{tenant\})(([a-z0-9-]|\{tenant\})*([a-z0-9]|\{tenant\}))?$/;
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;
export const APPROVER_PATTERN = /^(team:[a-z0-9]([a-z0-9-]*[a-z0-9])?|[^\s@]+@[^\s@]+)$/;
/** ISO 8601 date-time with a zone, e.g. 2026-12-02T00:00:00Z (seconds optional). */
export const DATE_TIME_PATTERN =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

const NAME_RULE = 'lowercase letters, digits and "-", starting and ending with a letter or digit';

const NAME_EXAMPLES = { environment: 'staging', tenant: 'acme', workload: 'payment-api' } as const;
const name = (what: 'environment' | 'tenant' | 'workload') =>
  z.string().regex(NAME_PATTERN, `${what === 'environment' ? 'An' : 'A'} ${what} name must be ${NAME_RULE} (e.g. "${NAME_EXAMPLES[what]}").`);
const relativePath = z.string().min(1);

const approvalSchema = z
  .object({
    required: z.number().int().min(0, 'Must be 0 (no approval gate) or more.').default(0),
    approvers: z
      .array(z.string().regex(APPROVER_PATTERN, 'An approver is an email address or "team:<name>".'))
      .default([]),
    requesterCanApprove: z.boolean().default(false),
  })
  .strict();

const environmentSchema = z
  .object({
    name: name('environment'),
    cluster: z
      .object({
        context: z.string().min(1).optional(),
        namespace: z.string().regex(NAMESPACE_PATTERN, `A namespace must be ${NAME_RULE}; {tenant} may stand for the tenant's name.`).optional(),
      })
      .strict()
      .optional(),
    approval: approvalSchema.default({}),
    freeze: z
      .object({
        reason: z.string().min(1),
        until: z
          .string()
          .regex(DATE_TIME_PATTERN, 'Must be an ISO date-time with a zone, e.g. 2026-12-02T00:00:00Z (quotes optional).')
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const valuesSchema = z.union([relativePath, z.array(relativePath).min(1, 'List at least one values layer.')], {
  errorMap: (issue, ctx) =>
    issue.code === z.ZodIssueCode.invalid_union
      ? { message: 'Expected a path template or a list of them, e.g. values/{env}/{workload}.yaml.' }
      : { message: ctx.defaultError },
});

const kubeSchema = z
  .object({
    kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']).default('Deployment'),
    name: z.string().regex(KUBE_NAME_PATTERN, 'Must be a Kubernetes object name (lowercase letters, digits, "-" and ".").').optional(),
    selector: z
      .record(z.string().min(1), z.string())
      .refine((labels) => Object.keys(labels).length > 0, 'List at least one label, or leave `selector` out for the default app.kubernetes.io/name=<name>.')
      .optional(),
  })
  .strict();

const workloadSchema = z
  .object({
    name: name('workload'),
    chart: relativePath,
    values: valuesSchema,
    kube: kubeSchema.optional(),
  })
  .strict();

const specSchema = z
  .object({
    environments: z.array(environmentSchema).min(1, 'List at least one environment: their order is the promotion order.'),
    tenants: z.array(name('tenant')).min(1, 'List at least one tenant, or leave `tenants` out for a single `default` tenant.').optional(),
    teams: z.record(mapKey(NAME_PATTERN, (key) => `Invalid team name "${key}": use ${NAME_RULE}.`), z.array(z.string().regex(EMAIL_PATTERN, 'A team member is an email address.'))).optional(),
    variables: relativePath.optional(),
    workloads: z.array(workloadSchema).default([]),
  })
  .strict();

/** The structure of gitopshq.yaml (no cross-field checks: those are problems with their own codes). */
export const manifestSchema = z
  .object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('Project'),
    metadata: z
      .object({
        name: z.string().min(1).optional(),
        slug: z.string().regex(NAME_PATTERN, `A slug must be ${NAME_RULE} (e.g. "payment-service").`),
      })
      .strict(),
    spec: specSchema,
  })
  .strict();

export type ManifestData = z.output<typeof manifestSchema>;
type EnvironmentData = z.output<typeof environmentSchema>;
type WorkloadData = z.output<typeof workloadSchema>;

/** Where project items came from in the manifest, for problems found later (missing files). */
export interface ManifestSource {
  /** Index in `spec.environments` by environment name (first occurrence). */
  environments: ReadonlyMap<string, number>;
  /** Index in `spec.workloads` by workload name (first occurrence). */
  workloads: ReadonlyMap<string, number>;
  /** True when the manifest names a variables file; false when the default applies. */
  variablesDeclared: boolean;
}

export interface ManifestResult {
  /** Absent when the manifest has errors outside single environments, tenants or workloads. */
  project?: Project;
  problems: Problem[];
  /** The span of the node at a data path (its value, or its key when the value is empty). */
  locate(path: readonly (string | number)[]): Span | undefined;
  source?: ManifestSource;
}

/** A problem and the list item it belongs to, if any: an error there drops only that item. */
interface Finding {
  problem: Problem;
  owner?: ItemRef;
}

type ItemList = 'environments' | 'tenants' | 'workloads';
interface ItemRef {
  list: ItemList;
  index: number;
}

export function parseManifest(text: string, manifestPath: string): ManifestResult {
  const file = path.resolve(manifestPath);
  const positions = lazyYaml(text, file);
  return parseClean(text, file, positions) ?? parseWithPositions(text, file, positions);
}

/** The full path alone, positions first (for tests: both paths must agree). */
export function parseManifestWithPositions(text: string, manifestPath: string): ManifestResult {
  const file = path.resolve(manifestPath);
  return parseWithPositions(text, file, lazyYaml(text, file));
}

/** The parsed Document with positions, built on first use. */
function lazyYaml(text: string, file: string): () => ParsedYaml {
  let parsed: ParsedYaml | undefined;
  return () => (parsed ??= parseYaml(text, file));
}

/**
 * The fast path, for a manifest without any problem: the fast reader's plain data, the schema and
 * the cross-field checks, no Document. Undefined when the reader declines the text or anything is
 * to report: the full path then places the problems.
 */
function parseClean(text: string, file: string, positions: () => ParsedYaml): ManifestResult | undefined {
  const raw = parseFast(text, file, 0)?.value;
  // An empty document (no keys) is a problem: reported by the full path.
  if (!raw || Object.keys(raw).length === 0) return undefined;
  const result = manifestSchema.safeParse(raw);
  if (!result.success) return undefined;
  if (new ManifestChecker(positions, text, file).semanticsOfValid(result.data).length > 0) return undefined;
  return { project: toProject(result.data, file), problems: [], locate: (p) => locateIn(positions(), p), source: sourceOf(raw) };
}

function parseWithPositions(text: string, file: string, positions: () => ParsedYaml): ManifestResult {
  const parsed = positions();
  const locate = (p: readonly (string | number)[]) => locateIn(parsed, p);
  if (!isStructurallySound(parsed.doc)) return unquotedTemplatesResult(text, file) ?? { problems: parsed.problems, locate };

  const raw: unknown = plainData(parsed.doc);
  if (raw === null || raw === undefined) return { problems: [...parsed.problems, emptyManifestProblem(file)], locate };

  // YAML problems that remain (duplicate keys, a second document) have no owner: they leave no project.
  const check = new ManifestChecker(positions, text, file);
  const findings: Finding[] = [...parsed.problems.map((problem) => ({ problem })), ...check.schema(raw), ...check.semantics(raw)];

  const source = sourceOf(raw);
  const project = buildProject(raw, findings, file);
  const result: ManifestResult = { problems: findings.map((f) => f.problem), locate, source };
  if (project) result.project = project;
  return result;
}

/**
 * A manifest whose syntax errors come from unquoted path templates in flow lists: one problem per
 * template (its fix quotes it), and the problems of the text as it reads once they are quoted, in
 * place of the cascade of syntax errors. No project until they are quoted.
 */
function unquotedTemplatesResult(text: string, file: string): ManifestResult | undefined {
  const templates = findUnquotedTemplates(text, LAYER_TOKENS);
  if (templates.length === 0) return undefined;
  const fixed = quoteTemplates(text, templates);
  const quoted = parseWithPositions(fixed, file, lazyYaml(fixed, file));
  if (quoted.problems.some((p) => p.code === 'yaml-syntax')) return undefined;
  const onTemplateLines = new Set(templates.map((t) => t.line));
  // Columns after a template moved by its quotes: a problem of the quoted text on that line would be misplaced.
  const rest = quoted.problems.filter((p) => !onTemplateLines.has(p.span.start.line));
  return { problems: [...templates.map((t) => unquotedTemplateProblem(file, t)), ...rest], locate: quoted.locate };
}

function emptyManifestProblem(file: string): Problem {
  return {
    file,
    span: zeroSpan(),
    severity: 'error',
    code: 'manifest-schema',
    message: `The manifest is empty: it needs apiVersion: ${API_VERSION}, kind: Project, metadata and spec.`,
  };
}

function locateIn(parsed: ParsedYaml, p: DataPath): Span | undefined {
  const { node, keyNode } = nodeAtPath(parsed.doc, p);
  const empty = node?.range && node.range[0] === node.range[1];
  const target = node && !empty ? node : keyNode ?? node;
  return target ? spanOf(target, parsed.lineCounter) : undefined;
}

/** The checks of one manifest: schema issues and the cross-field rules the schema cannot express. */
class ManifestChecker {
  constructor(
    /** Positions are only needed to place a problem: built on first use. */
    private readonly positions: () => ParsedYaml,
    private readonly text: string,
    private readonly file: string,
  ) {}

  private get parsed(): ParsedYaml {
    return this.positions();
  }

  schema(raw: unknown): Finding[] {
    const result = manifestSchema.safeParse(raw, { errorMap: friendlyErrorMap });
    if (result.success) return [];
    const { doc, lineCounter } = this.parsed;
    const ctx = { doc, lineCounter, text: this.text, file: this.file, code: 'manifest-schema', schema: manifestSchema };
    return schemaProblems(result.error, ctx).map(({ problem, path: p }) => withOwner({ problem }, ownerOf(p)));
  }

  /** The cross-field checks on raw data: items that fail their own schema are left to schema(). */
  semantics(raw: unknown): Finding[] {
    const spec = field(raw, 'spec');
    const teams = specSchema.shape.teams.safeParse(field(spec, 'teams'));
    return this.crossChecks({
      envs: items(spec, 'environments', environmentSchema),
      workloads: items(spec, 'workloads', workloadSchema),
      tenants: items(spec, 'tenants', name('tenant')),
      teams: teams.success ? teams.data ?? {} : undefined,
      variables: field(spec, 'variables'),
    });
  }

  /** semantics() of data that passed the whole schema: every item is valid, nothing to parse again. */
  semanticsOfValid(data: ManifestData): Finding[] {
    const spec = data.spec;
    return this.crossChecks({
      envs: spec.environments.map((e, i) => [i, e]),
      workloads: spec.workloads.map((w, i) => [i, w]),
      tenants: (spec.tenants ?? []).map((t, i) => [i, t]),
      teams: spec.teams ?? {},
      variables: spec.variables,
    });
  }

  private crossChecks(c: {
    envs: [number, EnvironmentData][];
    workloads: [number, WorkloadData][];
    tenants: [number, string][];
    /** Undefined when `teams` is broken: approvers are not checked then. */
    teams: Record<string, string[]> | undefined;
    variables: unknown;
  }): Finding[] {
    const teams = c.teams;
    return [
      ...this.duplicates('environments', 'Environment', c.envs.map(([i, e]) => [i, e.name])),
      ...this.duplicates('tenants', 'Tenant', c.tenants),
      ...this.duplicates('workloads', 'Workload', c.workloads.map(([i, w]) => [i, w.name])),
      ...(teams ? c.envs.flatMap(([i, env]) => this.approvers(i, env, teams)) : []),
      ...c.workloads.flatMap(([i, w]) => this.workloadPaths(i, w)),
      ...this.variablesPath(c.variables),
    ];
  }

  /** `duplicate-name` at each later occurrence, naming the line of the first. */
  private duplicates(list: ItemList, label: string, named: [number, string][]): Finding[] {
    const first = new Map<string, number>();
    const findings: Finding[] = [];
    for (const [index, itemName] of named) {
      const firstIndex = first.get(itemName);
      if (firstIndex === undefined) {
        first.set(itemName, index);
        continue;
      }
      const itemPath = list === 'tenants' ? ['spec', list, index] : ['spec', list, index, 'name'];
      const firstPath = list === 'tenants' ? ['spec', list, firstIndex] : ['spec', list, firstIndex, 'name'];
      const firstLine = (this.span(firstPath)?.start.line ?? 0) + 1;
      findings.push({
        problem: this.problem(itemPath, 'error', 'duplicate-name', `${label} "${itemName}" is already declared on line ${firstLine}: names must be unique.`),
        owner: { list, index },
      });
    }
    return findings;
  }

  /** `unknown-team` for `team:x` without a team x, and `approval-unreachable` when too few people can approve. */
  private approvers(index: number, env: EnvironmentData, teams: Record<string, string[]>): Finding[] {
    const findings: Finding[] = [];
    const people = new Set<string>();
    let computable = true;
    env.approval.approvers.forEach((approver, j) => {
      if (!approver.startsWith('team:')) {
        people.add(approver.toLowerCase());
        return;
      }
      const team = approver.slice('team:'.length);
      const members = teams[team];
      if (members) {
        for (const m of members) people.add(m.toLowerCase());
        return;
      }
      computable = false;
      const known = Object.keys(teams);
      const hint = known.length > 0 ? `declared teams: ${known.join(', ')}` : 'the manifest declares no `teams`';
      const at = ['spec', 'environments', index, 'approval', 'approvers', j];
      findings.push({ problem: this.problem(at, 'warning', 'unknown-team', `Unknown team "${team}" (${hint}): nobody can approve through it.`) });
    });
    const { required } = env.approval;
    if (computable && required > people.size) {
      const at = ['spec', 'environments', index, 'approval', 'required'];
      const who = people.size === 0 ? 'nobody is listed in approvers' : `only ${people.size} ${people.size === 1 ? 'person' : 'people'} can approve`;
      findings.push({
        problem: this.problem(at, 'warning', 'approval-unreachable', `Environment "${env.name}" requires ${required} approval(s) but ${who}: releases there can never be approved.`),
      });
    }
    return findings;
  }

  /** `path-escape` for the chart and each layer, `unknown-token` for layer tokens other than {env} {tenant} {workload}. */
  private workloadPaths(index: number, w: WorkloadData): Finding[] {
    const owner: ItemRef = { list: 'workloads', index };
    const base = ['spec', 'workloads', index];
    const findings: Finding[] = [];
    const chartEscape = this.escape([...base, 'chart'], w.chart, 'chart');
    if (chartEscape) findings.push({ problem: chartEscape, owner });
    const layers = typeof w.values === 'string' ? [w.values] : w.values;
    layers.forEach((layer, j) => {
      const at = typeof w.values === 'string' ? [...base, 'values'] : [...base, 'values', j];
      const escape = this.escape(at, layer, 'values layer');
      if (escape) findings.push({ problem: escape, owner });
      for (const problem of this.unknownTokens(at, layer)) findings.push({ problem, owner });
    });
    return findings;
  }

  private variablesPath(value: unknown): Finding[] {
    if (typeof value !== 'string' || value.length === 0) return [];
    const problem = this.escape(['spec', 'variables'], value, 'variables file');
    return problem ? [{ problem }] : [];
  }

  private escape(at: DataPath, written: string, what: string): Problem | undefined {
    const message = pathEscapeMessage(written, what, path.dirname(this.file));
    return message ? this.problem(at, 'error', 'path-escape', message) : undefined;
  }

  private unknownTokens(at: DataPath, template: string): Problem[] {
    const problems: Problem[] = [];
    for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
      const token = match[1] ?? '';
      if ((LAYER_TOKENS as readonly string[]).includes(token)) continue;
      const span = this.tokenSpan(at, match[0]) ?? this.span(at);
      if (!span) continue;
      problems.push({
        file: this.file,
        span,
        severity: 'error',
        code: 'unknown-token',
        message: `Unknown token "${match[0]}" in values layer "${template}": use {env}, {tenant} or {workload}.`,
      });
    }
    return problems;
  }

  /** The exact span of a token inside a scalar, when the source spells it verbatim (plain or simply quoted). */
  private tokenSpan(at: DataPath, token: string): Span | undefined {
    const { node } = nodeAtPath(this.parsed.doc, at);
    const range = node?.range;
    if (!range) return undefined;
    const offset = this.text.slice(range[0], range[1]).indexOf(token);
    if (offset < 0) return undefined;
    const start = range[0] + offset;
    return spanOf([start, start + token.length], this.parsed.lineCounter);
  }

  private span(at: DataPath): Span | undefined {
    return locateIn(this.parsed, at);
  }

  private problem(at: DataPath, severity: Problem['severity'], code: string, message: string): Problem {
    const span = this.span(at) ?? zeroSpan();
    return { file: this.file, span, severity, code, message };
  }
}

/**
 * Why a manifest path is not allowed, with what to write instead; undefined when it is fine.
 * Paths are relative to the project root and must stay inside it: absolute paths would break on
 * every other machine, and `..` would let a project read (and release) files it does not own.
 */
export function pathEscapeMessage(written: string, what: string, root: string): string | undefined {
  const slashed = written.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:\//.test(slashed) || path.isAbsolute(written)) {
    const inside = path.relative(root, written);
    const fix =
      !inside.startsWith('..') && !path.isAbsolute(inside) && inside !== ''
        ? `write "${inside.split(path.sep).join('/')}" instead`
        : 'move it inside the project and write its path relative to the folder that holds gitopshq.yaml';
    return `The ${what} "${written}" is an absolute path: paths are relative to the project root; ${fix}.`;
  }
  const normalized = path.posix.normalize(slashed);
  if (normalized === '..' || normalized.startsWith('../')) {
    const suggestion = normalized.replace(/^(\.\.\/)+/, '');
    const fix = suggestion && suggestion !== '..' ? `move it into the project and write e.g. "${suggestion}"` : 'move it into the project';
    return `The ${what} "${written}" leaves the project root: paths must stay inside the folder that holds gitopshq.yaml; ${fix}.`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Building the project from the parts without errors.

function buildProject(raw: unknown, findings: readonly Finding[], file: string): Project | undefined {
  const errors = findings.filter((f) => f.problem.severity === 'error');
  if (errors.some((f) => !f.owner)) return undefined;
  const dropped = new Set(errors.map((f) => `${f.owner?.list}:${f.owner?.index}`));
  const pruned = pruneItems(raw, dropped);
  const result = manifestSchema.safeParse(pruned);
  // Fails only when pruning emptied a list that must not be empty (every environment was broken).
  return result.success ? toProject(result.data, file) : undefined;
}

function pruneItems(raw: unknown, dropped: ReadonlySet<string>): unknown {
  const spec = field(raw, 'spec');
  if (!isRecord(raw) || !isRecord(spec)) return raw;
  const prunedSpec: Record<string, unknown> = { ...spec };
  for (const list of ['environments', 'tenants', 'workloads'] as const) {
    const value = spec[list];
    if (Array.isArray(value)) prunedSpec[list] = value.filter((_, i) => !dropped.has(`${list}:${i}`));
  }
  return { ...raw, spec: prunedSpec };
}

function toProject(m: ManifestData, manifestPath: string): Project {
  const root = path.dirname(manifestPath);
  return {
    root,
    manifestPath,
    name: m.metadata.name ?? m.metadata.slug,
    slug: m.metadata.slug,
    environments: m.spec.environments.map(toEnvironment),
    tenants: m.spec.tenants ?? [DEFAULT_TENANT],
    tenantsDeclared: m.spec.tenants !== undefined,
    teams: m.spec.teams ?? {},
    variablesPath: path.join(root, m.spec.variables ?? DEFAULT_VARIABLES_PATH),
    workloads: m.spec.workloads.map(toWorkload),
  };
}

function toEnvironment(e: EnvironmentData): Environment {
  const approval: Approval = { ...e.approval };
  const env: Environment = { name: e.name, approval };
  if (e.cluster) {
    env.cluster = {};
    if (e.cluster.context !== undefined) env.cluster.context = e.cluster.context;
    if (e.cluster.namespace !== undefined) env.cluster.namespace = e.cluster.namespace;
  }
  if (e.freeze) env.freeze = e.freeze.until === undefined ? { reason: e.freeze.reason } : { reason: e.freeze.reason, until: e.freeze.until };
  return env;
}

function toWorkload(w: WorkloadData): Workload {
  const kubeName = w.kube?.name ?? w.name;
  return {
    name: w.name,
    chart: w.chart,
    values: typeof w.values === 'string' ? [w.values] : w.values,
    kube: {
      kind: w.kube?.kind ?? 'Deployment',
      name: kubeName,
      selector: w.kube?.selector ?? { 'app.kubernetes.io/name': kubeName },
    },
  };
}

function sourceOf(raw: unknown): ManifestSource {
  const spec = field(raw, 'spec');
  return {
    environments: indexByName(field(spec, 'environments')),
    workloads: indexByName(field(spec, 'workloads')),
    variablesDeclared: isRecord(spec) && 'variables' in spec,
  };
}

function indexByName(list: unknown): Map<string, number> {
  const byName = new Map<string, number>();
  if (!Array.isArray(list)) return byName;
  list.forEach((item, i) => {
    const itemName = field(item, 'name');
    if (typeof itemName === 'string' && !byName.has(itemName)) byName.set(itemName, i);
  });
  return byName;
}

// ---------------------------------------------------------------------------------------------
// Files the manifest names.

/**
 * Checks the files the manifest names: `missing-chart` (error, at the chart) when the chart folder
 * does not exist, `missing-chart-values` (warning) when it has no values.yaml, and
 * `missing-variables-file` (error) when an explicitly named variables file does not exist. The
 * default variables file may be absent: a project without variables is normal.
 */
export async function checkManifestFiles(result: ManifestResult, fs: FileSystemPort): Promise<Problem[]> {
  const project = result.project;
  if (!project) return [];
  const checks = project.workloads.map((w, i) => checkChart(project, w, result.source?.workloads.get(w.name) ?? i, result, fs));
  if (result.source?.variablesDeclared) checks.push(checkVariablesFile(project, result, fs));
  return (await Promise.all(checks)).flat();
}

async function checkChart(project: Project, w: Workload, index: number, result: ManifestResult, fs: FileSystemPort): Promise<Problem[]> {
  const chartDir = path.join(project.root, w.chart);
  // Located only for a problem: locate() may have to build the manifest's Document.
  const span = () => result.locate(['spec', 'workloads', index, 'chart']) ?? zeroSpan();
  const file = project.manifestPath;
  if (!(await fs.isDirectory(chartDir))) {
    return [{ file, span: span(), severity: 'error', code: 'missing-chart', message: `Chart folder "${w.chart}" of workload "${w.name}" does not exist (looked in ${chartDir}).` }];
  }
  if ((await fs.readFile(path.join(chartDir, 'values.yaml'))) === undefined) {
    return [{ file, span: span(), severity: 'warning', code: 'missing-chart-values', message: `Chart "${w.chart}" has no values.yaml: workload "${w.name}" starts from empty defaults.` }];
  }
  return [];
}

async function checkVariablesFile(project: Project, result: ManifestResult, fs: FileSystemPort): Promise<Problem[]> {
  if ((await fs.readFile(project.variablesPath)) !== undefined) return [];
  const span = result.locate(['spec', 'variables']) ?? zeroSpan();
  const relative = path.relative(project.root, project.variablesPath).split(path.sep).join('/');
  return [{
    file: project.manifestPath,
    span,
    severity: 'error',
    code: 'missing-variables-file',
    message: `Variables file "${relative}" does not exist: create it, or remove \`variables\` to use the default ${DEFAULT_VARIABLES_PATH}.`,
  }];
}

// ---------------------------------------------------------------------------------------------
// Small helpers over plain YAML data.

function zeroSpan(): Span {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

/** The items of a list that pass their own schema, with their index in the manifest. */
function items<T extends z.ZodTypeAny>(spec: unknown, list: string, schema: T): [number, z.output<T>][] {
  const value = field(spec, list);
  if (!Array.isArray(value)) return [];
  const valid: [number, z.output<T>][] = [];
  value.forEach((item, i) => {
    const r = schema.safeParse(item);
    if (r.success) valid.push([i, r.data as z.output<T>]);
  });
  return valid;
}

/** The list item a schema issue is inside, when it is inside one (`spec.workloads[2]...`). */
function ownerOf(p: DataPath): ItemRef | undefined {
  const [root, list, index] = p;
  if (root !== 'spec' || typeof index !== 'number') return undefined;
  return list === 'environments' || list === 'tenants' || list === 'workloads' ? { list, index } : undefined;
}

function withOwner(finding: Finding, owner: ItemRef | undefined): Finding {
  return owner ? { ...finding, owner } : finding;
}
