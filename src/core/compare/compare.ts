// Compare two environments of a project (and one tenant), workload by workload: the effective
// values after variable substitution (or, in raw mode, as merged before substitution), the image
// tags, the HQ Variables whose resolution differs, and the findings a reviewer should see before
// promoting. Plain data, no `vscode`; the index already holds unsaved editor buffers.
//
// Decisions (docs/api.md repeats the user-facing ones):
//  - Leaves are compared. Maps recurse; lists are compared item by item (`list[n]`); a key present
//    on one side only yields one difference per leaf below it (empty maps and lists are leaves);
//    a map, list or scalar replaced by another kind is one change at that path. Values are typed:
//    8 and "8" differ.
//  - Secrets: effective values carry SECRET_MASK where a secret went in. Such a path is compared by
//    a SHA-256 of the real value (computed here, never stored in the result): the difference shows
//    the masked values and `secret: true`. A secret without a value (supplied at delivery) is
//    identified by its definition: the same definition on both sides is equal, two different
//    definitions differ.
//  - Raw mode compares the merged layers with placeholders as written (no secrets there). Findings
//    are always computed on the substituted values: they are about what would be deployed.
//  - Findings about a side are raised only when the workload is bound there.
//  - Image tags along the promotion order (the manifest's environment order): the later
//    environment normally runs the same tag as the earlier one or an older one (a promotion is
//    pending). A later environment running a HIGHER semver tag than an earlier one means the tag
//    goes backwards along the promotion order (production got something staging never ran):
//    `image-tag-backwards`, a warning. Tags that are not semver are compared as text for equality
//    only (a difference, never a finding).
//  - cross-env-value and env-name-in-value judge only what the environment itself put there: a
//    value set in a layer whose path names the environment (`{env}`), or one a placeholder
//    substituted. Chart defaults and layers shared by every environment are the same everywhere and
//    say nothing about this one. Values too common to mean anything (a single word such as
//    `debug`), a host's top-level domain (`.dev`) and path segments (`/dev`) are not matches. Each
//    message says where the value came from.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
// Only the two functions: the whole package would add ~28 KB (ranges, parsing of comparators) to the bundle.
import semverGt from 'semver/functions/gt';
import semverValid from 'semver/functions/valid';
import { stringify } from 'yaml';
import { imageTag, type EffectiveValues } from '../values/effective';
import { findEnvironment, findProject, findTenant } from '../model/lookup';
import { chartValuesFile, layerEntries } from '../values/layers';
import { mergeLayers, type MergeResult } from '../values/merge';
import { mayContainPlaceholder, scanPlaceholders, substitute, type VariableResolver } from '../values/placeholders';
import type { ProjectIndex } from '../model/projectIndex';
import { SECRET_MASK, type Origin, type Project, type Resolution, type VariableScope, type Workload } from '../types';
import type { ResolveContext, VariableSet } from '../model/variables';
import { asLayer, type ParsedValues } from '../yaml/valuesReader';
import { isPlainMap, joinPath, parsePath, valueAt } from '../values/paths';

export interface CompareOrigin {
  /** Absolute path. */
  file: string;
  /** 1-based. */
  line: number;
}

export interface Difference {
  path: string;
  /** Absent = the key does not exist on that side. */
  source?: unknown;
  target?: unknown;
  sourceOrigin?: CompareOrigin;
  targetOrigin?: CompareOrigin;
  /** `equal` only when CompareInput.includeEqual asked for equal leaves too. */
  kind: 'added' | 'removed' | 'changed' | 'equal';
  /** A secret went into the value on at least one side: the values shown are masked. */
  secret?: boolean;
}

export interface VariableDifference {
  /** `KEY`, or `SCOPE.KEY` for a pinned placeholder. */
  key: string;
  source: { defined: boolean; display: string; scope?: string };
  target: { defined: boolean; display: string; scope?: string };
}

export interface WorkloadComparison {
  name: string;
  bound: { source: boolean; target: boolean };
  differences: Difference[];
  imageTag: { source?: string; target?: string };
  variables: VariableDifference[];
  /** Chart folder, relative to the project root as written in the manifest. */
  chart: string;
  /** The chart's Chart.yaml `version`, when CompareInput.chartVersions has it. */
  chartVersion?: string;
}

export type FindingSeverity = 'error' | 'warning' | 'info';

export interface Finding {
  severity: FindingSeverity;
  /** Stable: undefined-variable, cross-env-value, env-name-in-value, image-tag-backwards, not-bound-in-target, not-bound-in-source, compare-failed. */
  code: string;
  message: string;
  workload?: string;
  path?: string;
  side?: 'source' | 'target';
}

export interface CompareResult {
  project: string;
  source: string;
  target: string;
  tenant: string;
  raw: boolean;
  workloads: WorkloadComparison[];
  /** Errors first, then warnings, then infos; in workload order within a severity. */
  findings: Finding[];
  summary: { workloadsChanged: number; differences: number; findings: Record<FindingSeverity, number> };
}

export interface CompareInput {
  project: string;
  source: string;
  target: string;
  /** Default: the project's first tenant. */
  tenant?: string;
  /** Compare before variable substitution. */
  raw?: boolean;
  /**
   * Also return the leaves equal on both sides, as `kind: 'equal'` (with their origins). They are
   * not counted in `summary` (differences, workloads changed).
   */
  includeEqual?: boolean;
  /** Chart.yaml versions by chart folder (as written in the manifest); read by the caller, the core stays pure. */
  chartVersions?: Readonly<Record<string, string>>;
}

/** Shown in VariableDifference.display for a variable that does not resolve. */
export const NOT_DEFINED = '(not defined)';

/** Cross-environment values shorter than this are too common to mean anything ("info", "eu"). */
const MIN_FOREIGN_VALUE_LENGTH = 4;
/** A single word or number (`debug`, `warn`, `true`, `1024`): found in too many values to mean an environment. */
const TOO_COMMON = /^(?:[A-Za-z]+|[0-9.]+)$/;

type Side = 'source' | 'target';

interface SideState {
  side: Side;
  environment: string;
  context: ResolveContext;
  bound: boolean;
  effective: EffectiveValues;
  /** The merged layers before substitution (lazy origins). */
  raw: MergeResult;
  secretPaths: Set<string>;
}

/**
 * Compares `source` and `target` for every workload of the project. Throws GitOpsHqError for an
 * unknown project, environment or tenant.
 */
export function compareEnvironments(index: ProjectIndex, input: CompareInput): CompareResult {
  const project = findProject(index, input.project);
  for (const env of [input.source, input.target]) findEnvironment(project, env);
  const tenant = findTenant(project, input.tenant);
  return new Comparison(index, project, input.source, input.target, tenant, input.raw === true, input.includeEqual === true, input.chartVersions ?? {}).run();
}

class Comparison {
  private readonly variables: VariableSet;
  private readonly findings: Finding[] = [];
  private readonly seen = new Set<string>();
  private readonly order: Map<string, number>;
  /** Per environment compared: the other environments' env-scoped string values. */
  private readonly foreign = new Map<string, ForeignValue[]>();
  /** Per environment compared: a pattern matching another environment's name as a token. */
  private readonly otherNames = new Map<string, RegExp | undefined>();

  constructor(
    private readonly index: ProjectIndex,
    private readonly project: Project,
    private readonly source: string,
    private readonly target: string,
    private readonly tenant: string,
    private readonly raw: boolean,
    private readonly includeEqual: boolean,
    private readonly chartVersions: Readonly<Record<string, string>>,
  ) {
    this.variables = index.variables(project.slug);
    this.order = new Map(project.environments.map((e, i) => [e.name, i]));
    for (const env of new Set([source, target])) {
      this.foreign.set(env, foreignValues(this.variables, env));
      this.otherNames.set(env, otherNamesPattern(project, env));
    }
  }

  run(): CompareResult {
    const workloads = this.project.workloads.map((wl) => this.workloadOrFailure(wl));
    const rank: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };
    const findings = this.findings.map((f, i) => ({ f, i })).sort((a, b) => rank[a.f.severity] - rank[b.f.severity] || a.i - b.i);
    const counts: Record<FindingSeverity, number> = { error: 0, warning: 0, info: 0 };
    for (const f of this.findings) counts[f.severity]++;
    return {
      project: this.project.slug,
      source: this.source,
      target: this.target,
      tenant: this.tenant,
      raw: this.raw,
      workloads,
      findings: findings.map((x) => x.f),
      summary: {
        workloadsChanged: workloads.filter((w) => w.differences.some(isRealDifference)).length,
        differences: workloads.reduce((n, w) => n + w.differences.filter(isRealDifference).length, 0),
        findings: counts,
      },
    };
  }

  /**
   * One workload whose values cannot be computed or compared is an error finding and an empty row:
   * the other workloads are still compared (an exception would lose the whole comparison).
   */
  private workloadOrFailure(wl: Workload): WorkloadComparison {
    const findings = this.findings.length;
    try {
      return this.workload(wl);
    } catch (err) {
      this.findings.length = findings; // half a workload's findings would mislead
      const reason = err instanceof Error ? err.message : String(err);
      this.add({ severity: 'error', code: 'compare-failed', workload: wl.name, message: `Workload "${wl.name}" could not be compared: ${reason}` });
      const bound = (env: string) => this.index.isBound(this.project.slug, wl.name, env, this.tenant);
      return { name: wl.name, bound: { source: bound(this.source), target: bound(this.target) }, differences: [], imageTag: {}, variables: [], chart: wl.chart };
    }
  }

  private workload(wl: Workload): WorkloadComparison {
    const src = this.side(wl, 'source', this.source);
    const tgt = this.side(wl, 'target', this.target);
    const differences = this.raw ? diffRaw(src, tgt, this.includeEqual) : new Differ(src, tgt, this.secretFingerprint(), this.includeEqual).run();
    const shown = (s: SideState) => (this.raw ? s.raw.value : s.effective.values);
    const tags = { source: imageTag(shown(src)), target: imageTag(shown(tgt)) };
    const imageTagOut: WorkloadComparison['imageTag'] = {};
    if (tags.source !== undefined) imageTagOut.source = tags.source;
    if (tags.target !== undefined) imageTagOut.target = tags.target;
    const refs = [placeholderRefs(src.raw.value), placeholderRefs(tgt.raw.value)] as const;
    const variables = this.variableDifferences(src, tgt, refs);

    this.bindingFindings(wl, src, tgt);
    this.undefinedFindings(wl, src, tgt, refs[0]);
    this.undefinedFindings(wl, tgt, src, refs[1]);
    for (const s of [src, tgt]) if (s.bound) this.valueFindings(wl, s);
    if (src.bound && tgt.bound) this.imageTagFindings(wl, src, tgt);

    const out: WorkloadComparison = { name: wl.name, bound: { source: src.bound, target: tgt.bound }, differences, imageTag: imageTagOut, variables, chart: wl.chart };
    const chartVersion = Object.hasOwn(this.chartVersions, wl.chart) ? this.chartVersions[wl.chart] : undefined;
    if (typeof chartVersion === 'string') out.chartVersion = chartVersion;
    return out;
  }

  private side(wl: Workload, side: Side, environment: string): SideState {
    const effective = this.index.effective(this.project.slug, wl.name, environment, this.tenant);
    return {
      side,
      environment,
      context: { environment, tenant: this.tenant, workload: wl.name },
      bound: effective.bound,
      effective,
      raw: this.rawValues(wl, environment),
      secretPaths: new Set(effective.secretPaths),
    };
  }

  /** The chart's values and the existing layers merged with Helm's rules, placeholders as written. */
  private rawValues(wl: Workload, environment: string): MergeResult {
    const layers: ParsedValues[] = [];
    const chart = this.index.parsedValues(chartValuesFile(this.project, wl));
    if (chart) layers.push(asLayer(chart, -1));
    for (const { file, layer } of layerEntries(this.project, wl, environment, this.tenant)) {
      const parsed = this.index.parsedValues(file);
      if (parsed) layers.push(asLayer(parsed, layer));
    }
    return mergeLayers(layers);
  }

  // -------------------------------------------------------------------------------------------
  // Secrets: compared by a hash of the real value, which never leaves this module.

  /** The hash of the real value at a path of one side (the masked value's own hash when it holds no secret). */
  private secretFingerprint(): Fingerprint {
    return (s, path, shown) => {
      if (!s.secretPaths.has(path)) return hash(shown);
      const written = valueAt(s.raw.value, parsePath(path) ?? []);
      if (typeof written !== 'string') return hash(shown);
      const reveal: VariableResolver = (key, scope) => this.reveal(key, s.context, scope);
      return hash(substitute(written, reveal).value);
    };
  }

  /** A resolution with the secret's real value (or a stand-in naming its definition when delivery supplies it). */
  private reveal(key: string, ctx: ResolveContext, scope?: VariableScope): Resolution {
    const r = scope === undefined ? this.variables.resolve(key, ctx) : this.variables.resolve(key, ctx, scope);
    if (!r.defined || !r.secret) return r;
    const origin = r.def?.origin;
    const def = this.variables.definitions(key).find((d) => d.origin.file === origin?.file && d.origin.line === origin.line && d.origin.character === origin.character);
    const value = def?.value !== undefined ? def.value : `\u0000delivered\u0000${origin?.file ?? ''}\u0000${origin?.line ?? -1}\u0000${origin?.character ?? -1}`;
    return { defined: true, secret: false, value };
  }

  /** What a resolution is, as text that equal resolutions share (secrets by hash). */
  private identity(r: Resolution, key: string, ctx: ResolveContext, scope: VariableScope | undefined): string {
    if (!r.defined) return 'undefined';
    if (!r.secret) return `value:${typeof r.value}:${JSON.stringify(r.value ?? null)}`;
    return `secret:${hash(this.reveal(key, ctx, scope).value ?? null)}`;
  }

  // -------------------------------------------------------------------------------------------
  // HQ Variables.

  private variableDifferences(src: SideState, tgt: SideState, refs: readonly [Map<string, Ref>, Map<string, Ref>]): VariableDifference[] {
    const all = new Map([...refs[0], ...refs[1]]);
    const out: VariableDifference[] = [];
    for (const name of [...all.keys()].sort()) {
      const ref = all.get(name) as Ref;
      const a = this.resolve(ref, src.context);
      const b = this.resolve(ref, tgt.context);
      if (this.identity(a, ref.key, src.context, ref.scope) === this.identity(b, ref.key, tgt.context, ref.scope)) continue;
      out.push({ key: name, source: display(a), target: display(b) });
    }
    return out;
  }

  private resolve(ref: Ref, ctx: ResolveContext): Resolution {
    return ref.scope === undefined ? this.variables.resolve(ref.key, ctx) : this.variables.resolve(ref.key, ctx, ref.scope);
  }

  // -------------------------------------------------------------------------------------------
  // Findings.

  private add(finding: Finding): void {
    const key = [finding.code, finding.workload, finding.side, finding.path, finding.message].join('\u0000');
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.findings.push(finding);
  }

  private bindingFindings(wl: Workload, src: SideState, tgt: SideState): void {
    if (src.bound && !tgt.bound) {
      this.add({
        severity: 'warning',
        code: 'not-bound-in-target',
        message: `${wl.name} has values for ${this.source} but none for ${this.target}${this.forTenant()}: it would not be deployed there.`,
        workload: wl.name,
        side: 'target',
      });
    } else if (!src.bound && tgt.bound) {
      this.add({
        severity: 'info',
        code: 'not-bound-in-source',
        message: `${wl.name} has values for ${this.target} but none for ${this.source}${this.forTenant()}.`,
        workload: wl.name,
        side: 'source',
      });
    }
  }

  /** Placeholders of one side that do not resolve there. */
  private undefinedFindings(wl: Workload, s: SideState, other: SideState, refs: Map<string, Ref>): void {
    if (!s.bound) return;
    for (const [name, ref] of refs) {
      if (this.resolve(ref, s.context).defined) continue;
      const also = this.resolve(ref, other.context).defined ? `, though it is for ${other.environment}` : '';
      this.add({
        severity: 'error',
        code: 'undefined-variable',
        message: `${wl.name}: hq.var.${name} is not defined for ${s.environment}${this.forTenant()}${also}; ${ref.path} keeps the placeholder as written.`,
        workload: wl.name,
        path: ref.path,
        side: s.side,
      });
    }
  }

  /** Values that belong to another environment: its env-scoped variable values, or its name. */
  private valueFindings(wl: Workload, s: SideState): void {
    const foreign = this.foreign.get(s.environment) ?? [];
    const names = this.otherNames.get(s.environment);
    if (foreign.length === 0 && !names) return;
    forEachLeaf(s.effective.values, '', (path, value) => {
      if (typeof value !== 'string' || value === '' || s.secretPaths.has(path)) return;
      const why = this.ownSource(wl, s, path);
      if (!why) return;
      for (const f of foreign) {
        if (!containsToken(value, f.value)) continue;
        const own = this.variables.resolve(f.key, s.context);
        if (own.defined && !own.secret && typeof own.value === 'string' && own.value.includes(f.value)) continue;
        const how = value === f.value ? 'is' : 'contains';
        this.add({
          severity: 'error',
          code: 'cross-env-value',
          message: `${wl.name}: ${s.environment} value of ${path} ${how} "${f.value}", the ${f.environment} value of ${f.key} (${why}).`,
          workload: wl.name,
          path,
          side: s.side,
        });
        return; // one finding per value; the name check would only repeat it
      }
      if (!names || value.startsWith('/')) return;
      const name = otherName(names, stripOwnName(withoutPlaceholders(value), s.environment));
      if (name === undefined) return;
      this.add({
        severity: 'warning',
        code: 'env-name-in-value',
        message: `${wl.name}: ${s.environment} value of ${path} contains "${name}", the name of another environment (${why}).`,
        workload: wl.name,
        path,
        side: s.side,
      });
    });
  }

  /**
   * Why the value at `path` is this environment's own, for the message: the placeholder that put it
   * there, or the environment's layer that set it. Undefined for chart defaults and shared layers.
   */
  private ownSource(wl: Workload, s: SideState, at: string): string | undefined {
    const raw = valueAt(s.raw.value, parsePath(at) ?? []);
    if (typeof raw === 'string' && mayContainPlaceholder(raw)) {
      const keys = [...new Set(scanPlaceholders(raw).flatMap((m) => (m.valid && m.key !== undefined ? [m.key] : [])))];
      if (keys.length > 0) return `put there by ${keys.map((k) => `hq.var.${k}`).join(', ')}`;
    }
    const origin = s.effective.sources.get(at);
    if (!origin || origin.layer < 0 || !(wl.values[origin.layer] ?? '').includes('{env}')) return undefined;
    const file = path.relative(this.project.root, origin.file).split(path.sep).join('/');
    return `set in ${file} line ${origin.line + 1}`;
  }

  private imageTagFindings(wl: Workload, src: SideState, tgt: SideState): void {
    const a = imageTag(src.effective.values);
    const b = imageTag(tgt.effective.values);
    if (a === undefined || b === undefined || a === b) return;
    const sourceFirst = (this.order.get(src.environment) ?? 0) <= (this.order.get(tgt.environment) ?? 0);
    const [earlier, later] = sourceFirst ? [src, tgt] : [tgt, src];
    const [earlyTag, lateTag] = sourceFirst ? [a, b] : [b, a];
    if (earlier.environment === later.environment) return;
    const early = semverValid(earlyTag);
    const late = semverValid(lateTag);
    if (!early || !late || !semverGt(late, early)) return;
    const image = isPlainMap(later.effective.values['image']) ? 'image.tag' : 'image';
    this.add({
      severity: 'warning',
      code: 'image-tag-backwards',
      message: `${wl.name}: ${later.environment} runs image tag ${lateTag}, newer than ${earlyTag} in ${earlier.environment}, which comes before it in the promotion order.`,
      workload: wl.name,
      path: image,
      side: later.side,
    });
  }

  private forTenant(): string {
    return this.project.tenantsDeclared ? ` (tenant ${this.tenant})` : '';
  }
}

// ---------------------------------------------------------------------------------------------
// Differences.

type Fingerprint = (s: SideState, path: string, shown: unknown) => string;

/** Walks both sides' substituted values; paths that hold a secret on either side compare by hash. */
class Differ {
  private readonly out: Difference[] = [];
  private readonly hasSecrets: boolean;

  constructor(
    private readonly src: SideState,
    private readonly tgt: SideState,
    private readonly fingerprint: Fingerprint,
    private readonly includeEqual: boolean,
  ) {
    this.hasSecrets = src.secretPaths.size > 0 || tgt.secretPaths.size > 0;
  }

  run(): Difference[] {
    diffTrees(
      this.src.effective.values,
      this.tgt.effective.values,
      this.out,
      this.hasSecrets ? (path, a, b) => this.equalSecret(path, a, b) : undefined,
      this.includeEqual,
    );
    if (this.out.length > 0) {
      attachOrigins(this.out, this.src.effective.sources, this.tgt.effective.sources);
      if (this.hasSecrets) for (const d of this.out) if (this.src.secretPaths.has(d.path) || this.tgt.secretPaths.has(d.path)) d.secret = true;
    }
    return this.out;
  }

  /** For a leaf present on both sides: equal by value, or (when a secret is involved) by hash. Undefined = not a secret path. */
  private equalSecret(path: string, a: unknown, b: unknown): boolean | undefined {
    if (!this.src.secretPaths.has(path) && !this.tgt.secretPaths.has(path)) return undefined;
    return this.fingerprint(this.src, path, a) === this.fingerprint(this.tgt, path, b);
  }
}

function diffRaw(src: SideState, tgt: SideState, includeEqual: boolean): Difference[] {
  const out: Difference[] = [];
  diffTrees(src.raw.value, tgt.raw.value, out, undefined, includeEqual);
  if (out.length > 0) attachOrigins(out, src.raw.origins, tgt.raw.origins);
  return out;
}

type SecretEquality = (path: string, a: unknown, b: unknown) => boolean | undefined;

/** A difference that is one (not an equal leaf listed on request). */
export function isRealDifference(d: Difference): boolean {
  return d.kind !== 'equal';
}

function diffTrees(a: unknown, b: unknown, out: Difference[], secretEqual: SecretEquality | undefined, includeEqual: boolean): void {
  const visit = (x: unknown, y: unknown, path: string): void => {
    const bothEmpty =
      (isPlainMap(x) && isPlainMap(y) && Object.keys(x).length === 0 && Object.keys(y).length === 0) ||
      (Array.isArray(x) && Array.isArray(y) && x.length === 0 && y.length === 0);
    if (bothEmpty) {
      // Empty maps and lists are leaves: equal.
      if (includeEqual && path !== '') out.push({ path, source: copy(x), target: copy(y), kind: 'equal' });
      return;
    }
    if (isPlainMap(x) && isPlainMap(y)) {
      for (const key of Object.keys(x)) {
        const child = joinPath(path, key);
        if (Object.hasOwn(y, key)) visit(x[key], y[key], child);
        else leaves(x[key], child, (p, v) => out.push({ path: p, source: copy(v), kind: 'removed' }));
      }
      for (const key of Object.keys(y)) {
        if (!Object.hasOwn(x, key)) leaves(y[key], joinPath(path, key), (p, v) => out.push({ path: p, target: copy(v), kind: 'added' }));
      }
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      const n = Math.max(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const child = joinPath(path, i);
        if (i >= y.length) leaves(x[i], child, (p, v) => out.push({ path: p, source: copy(v), kind: 'removed' }));
        else if (i >= x.length) leaves(y[i], child, (p, v) => out.push({ path: p, target: copy(v), kind: 'added' }));
        else visit(x[i], y[i], child);
      }
      return;
    }
    const secret = secretEqual?.(path, x, y);
    const equal = secret ?? sameLeaf(x, y);
    if (!equal) out.push({ path, source: copy(x), target: copy(y), kind: 'changed' });
    else if (includeEqual && path !== '') out.push({ path, source: copy(x), target: copy(y), kind: 'equal' });
  };
  visit(a, b, '');
}

/** Equal scalars (typed: 8 and "8" differ), or two empty maps / two empty lists. */
function sameLeaf(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (isPlainMap(a) && isPlainMap(b)) return Object.keys(a).length === 0 && Object.keys(b).length === 0;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === 0 && b.length === 0;
  return false;
}

/** Visits every leaf below a node (empty maps and lists are leaves; the node itself when it is one). */
function leaves(node: unknown, path: string, visit: (path: string, value: unknown) => void): void {
  if (isPlainMap(node)) {
    const keys = Object.keys(node);
    if (keys.length === 0) visit(path, node);
    for (const key of keys) leaves(node[key], joinPath(path, key), visit);
  } else if (Array.isArray(node)) {
    if (node.length === 0) visit(path, node);
    node.forEach((item, i) => leaves(item, joinPath(path, i), visit));
  } else {
    visit(path, node);
  }
}

function forEachLeaf(node: unknown, path: string, visit: (path: string, value: unknown) => void): void {
  if (isPlainMap(node)) for (const key of Object.keys(node)) forEachLeaf(node[key], joinPath(path, key), visit);
  else if (Array.isArray(node)) node.forEach((item, i) => forEachLeaf(item, joinPath(path, i), visit));
  else if (path !== '') visit(path, node);
}

function attachOrigins(out: Difference[], sources: Map<string, Origin>, targets: Map<string, Origin>): void {
  for (const d of out) {
    const s = d.kind === 'added' ? undefined : sources.get(d.path);
    const t = d.kind === 'removed' ? undefined : targets.get(d.path);
    if (s) d.sourceOrigin = { file: s.file, line: s.line + 1 };
    if (t) d.targetOrigin = { file: t.file, line: t.line + 1 };
  }
}

/** Values of the result never share objects with the index's cache. */
function copy(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? structuredClone(value) : value;
}


function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value ?? null)).digest('base64');
}

// ---------------------------------------------------------------------------------------------
// Placeholders and variables.

interface Ref {
  key: string;
  scope?: VariableScope;
  /** The first path that uses it. */
  path: string;
}

/** Every valid placeholder in a tree of values, by `KEY` or `SCOPE.KEY`, with the first path that uses it. */
function placeholderRefs(values: unknown): Map<string, Ref> {
  const out = new Map<string, Ref>();
  forEachLeaf(values, '', (path, value) => {
    if (typeof value !== 'string' || !mayContainPlaceholder(value)) return;
    for (const m of scanPlaceholders(value)) {
      if (!m.valid || m.key === undefined) continue;
      const name = m.scope === undefined ? m.key : `${m.scope}.${m.key}`;
      if (out.has(name)) continue;
      const ref: Ref = { key: m.key, path };
      if (m.scope !== undefined) ref.scope = m.scope;
      out.set(name, ref);
    }
  });
  return out;
}

function display(r: Resolution): VariableDifference['source'] {
  if (!r.defined) return { defined: false, display: NOT_DEFINED };
  const shown = r.secret ? SECRET_MASK : r.value === undefined || r.value === null ? 'null' : String(r.value);
  const out: VariableDifference['source'] = { defined: true, display: shown };
  if (r.scope) out.scope = r.scope;
  return out;
}

interface ForeignValue {
  key: string;
  environment: string;
  value: string;
}

/** The string values of env-scoped variables of every environment but `environment` (not secrets), longest first. */
function foreignValues(variables: VariableSet, environment: string): ForeignValue[] {
  const out: ForeignValue[] = [];
  for (const key of variables.keys()) {
    for (const def of variables.definitions(key)) {
      if (def.scope !== 'env' || def.secret || def.environment === undefined || def.environment === environment) continue;
      if (typeof def.value !== 'string' || def.value.trim().length < MIN_FOREIGN_VALUE_LENGTH || TOO_COMMON.test(def.value.trim())) continue;
      out.push({ key, environment: def.environment, value: def.value });
    }
  }
  return out.sort((a, b) => b.value.length - a.value.length);
}

/**
 * The first match of another environment's name that means the environment: not a host's
 * top-level domain (`operator.dev/`, `example.dev`) nor a file system path segment (`/mnt/dev`,
 * `^/(dev|proc)`).
 */
function otherName(pattern: RegExp, value: string): string | undefined {
  const global = new RegExp(pattern.source, 'gi');
  for (const m of value.matchAll(global)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    const before = value.slice(0, start);
    const after = value.charAt(end);
    if (before.endsWith('.') && (after === '' || after === '/' || after === ':' || /\s/.test(after))) continue;
    // A file system path segment (`/mnt/dev`, `^/(dev|proc)`); a URL's path still counts.
    if (/\/\(?$/.test(before) && !value.includes('://')) continue;
    return m[1] ?? m[0];
  }
  return undefined;
}

/** Whether `needle` occurs in `value` as a whole token (not inside a longer word or number). */
function containsToken(value: string, needle: string): boolean {
  for (let at = value.indexOf(needle); at >= 0; at = value.indexOf(needle, at + 1)) {
    const before = value.charAt(at - 1);
    const after = value.charAt(at + needle.length);
    if (!/[A-Za-z0-9]/.test(before) && !/[A-Za-z0-9]/.test(after)) return true;
  }
  return false;
}

/** Matches another environment's name as a whole token (not inside a longer word), case-insensitive. */
function otherNamesPattern(project: Project, environment: string): RegExp | undefined {
  const others = project.environments.map((e) => e.name).filter((n) => n !== environment);
  if (others.length === 0) return undefined;
  const alternatives = others.sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'));
  return new RegExp(`(?<![a-z0-9])(${alternatives.join('|')})(?![a-z0-9])`, 'i');
}

/** Blanks `{{ hq.… }}` forms left as written: a variable named STAGING_URL is not a staging value. */
function withoutPlaceholders(value: string): string {
  if (!mayContainPlaceholder(value)) return value;
  let out = '';
  let last = 0;
  for (const m of scanPlaceholders(value)) {
    out += value.slice(last, m.start) + ' ';
    last = m.end;
  }
  return out + value.slice(last);
}

/** Blanks the environment's own name, so that `prod` is not found inside `prod-eu` when comparing prod-eu. */
function stripOwnName(value: string, environment: string): string {
  const lower = value.toLowerCase();
  const own = environment.toLowerCase();
  if (!lower.includes(own)) return value;
  return lower.split(own).join(' '.repeat(own.length));
}

// ---------------------------------------------------------------------------------------------
// Rendering.

/** Effective values as YAML for a text diff (keys in the values' own order). */
export function renderEffectiveYaml(values: unknown): string {
  return stringify(values, { lineWidth: 0 });
}
