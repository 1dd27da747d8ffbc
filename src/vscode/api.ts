import { compareEnvironments } from '../core/compare';
import { GitOpsHqError } from '../core/errors';
import type { ProjectIndex } from '../core/projectIndex';
import type { Project } from '../core/types';
import { apiCommit, blameAnswer } from './history/historyApi';
import type { HistoryService } from './history/historyService';
import type { ApiCompareResult, ApiDifference, ApiEffectiveValues, ApiFinding, ApiResolution, ApiSource, GitOpsHqApi } from '../api/gitopshq';

/** The object `activate()` returns: a stable, 1-based, secret-free view of the index. */
export interface InternalApi extends GitOpsHqApi {
  /** Not part of the stable API: read by the activation benchmark. */
  readonly _activation: { callMs: number; resolvedMs: number };
  /** Not part of the stable API: the live providers, for this extension's own integration tests. */
  readonly _internal: unknown;
}

export function createApi(
  index: ProjectIndex,
  extra: { activation: { callMs: number; resolvedMs: number }; internal: unknown; history?: HistoryService },
): InternalApi {
  const project = (slug: string): Project => {
    const p = index.project(slug);
    if (!p) throw new GitOpsHqError('project-not-found', `No GitOpsHQ project with slug "${slug}" is loaded.`);
    return p;
  };
  const checkEnvironment = (p: Project, environment: string) => {
    if (!p.environments.some((e) => e.name === environment)) {
      throw new GitOpsHqError(
        'environment-not-found',
        `Project ${p.slug} has no environment "${environment}" (it has ${p.environments.map((e) => e.name).join(', ')}).`,
      );
    }
  };
  const checkTenant = (p: Project, tenant: string | undefined): string => {
    const t = tenant ?? p.tenants[0]!;
    if (!p.tenants.includes(t)) {
      throw new GitOpsHqError('tenant-not-found', `Project ${p.slug} has no tenant "${t}" (it has ${p.tenants.join(', ')}).`);
    }
    return t;
  };

  return {
    version: 1,
    get _activation() {
      return extra.activation;
    },
    get _internal() {
      return extra.internal;
    },
    projects: () =>
      index.projects().flatMap((entry) =>
        entry.project
          ? [
              {
                slug: entry.project.slug,
                name: entry.project.name,
                root: entry.project.root,
                environments: entry.project.environments.map((e) => e.name),
                tenants: [...entry.project.tenants],
                workloads: entry.project.workloads.map((w) => w.name),
              },
            ]
          : [],
      ),
    resolveVariable(slug, key, context): ApiResolution {
      const p = project(slug);
      checkEnvironment(p, context.environment);
      const tenant = checkTenant(p, context.tenant);
      const r = index.variables(slug).resolve(key, { environment: context.environment, tenant, workload: context.workload ?? '' });
      const out: ApiResolution = { defined: r.defined, secret: r.secret };
      if (r.defined && !r.secret && r.value !== undefined) out.value = r.value;
      if (r.scope) out.scope = r.scope;
      if (r.def) out.source = { file: r.def.origin.file, line: r.def.origin.line + 1 };
      return out;
    },
    effectiveValues(slug, workload, environment, tenant): ApiEffectiveValues {
      const p = project(slug);
      checkEnvironment(p, environment);
      const t = checkTenant(p, tenant);
      if (!p.workloads.some((w) => w.name === workload)) {
        throw new GitOpsHqError('workload-not-found', `Project ${slug} has no workload "${workload}".`);
      }
      const effective = index.effective(slug, workload, environment, t);
      const sources: Record<string, ApiSource> = {};
      for (const [dotted, origin] of effective.sources) sources[dotted] = { file: origin.file, line: origin.line + 1 };
      // A deep copy: callers must not be able to change the index's cached values.
      return { values: structuredClone(effective.values), sources, unresolved: [...effective.unresolved] };
    },
    async history(target, options) {
      if (!extra.history) throw new GitOpsHqError('git-failed', 'The Git browser is not available.');
      const page = await extra.history.page(target, { skip: options?.skip ?? 0, limit: options?.limit ?? 200 });
      return { commits: page.entries.map(apiCommit) };
    },
    async blame(file, line) {
      if (!extra.history) throw new GitOpsHqError('git-failed', 'The Git browser is not available.');
      if (!Number.isInteger(line) || line < 0) throw new GitOpsHqError('git-failed', `blame() needs a 0-based line number, got ${String(line)}.`);
      return blameAnswer(await extra.history.blame(file, line));
    },
    compare(slug, source, target, options): ApiCompareResult {
      const p = project(slug);
      checkEnvironment(p, source);
      checkEnvironment(p, target);
      const tenant = checkTenant(p, options?.tenant);
      const result = compareEnvironments(index, { project: slug, source, target, tenant, raw: options?.raw === true });
      return {
        workloads: result.workloads.map((w) => ({
          name: w.name,
          differences: w.differences.map((d) => {
            const out: ApiDifference = { path: d.path };
            if ('source' in d) out.source = d.source;
            if ('target' in d) out.target = d.target;
            if (d.sourceOrigin) out.sourceOrigin = { ...d.sourceOrigin };
            if (d.targetOrigin) out.targetOrigin = { ...d.targetOrigin };
            return out;
          }),
          imageTag: { ...w.imageTag },
        })),
        findings: result.findings.map((f) => {
          const out: ApiFinding = { severity: f.severity, message: f.message };
          if (f.workload !== undefined) out.workload = f.workload;
          if (f.path !== undefined) out.path = f.path;
          return out;
        }),
      };
    },
  };
}
