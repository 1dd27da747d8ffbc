import { compareEnvironments } from '../core/compare/compare';
import { GitOpsHqError } from '../core/errors';
import { findEnvironment, findProject, findTenant, findWorkload } from '../core/model/lookup';
import type { ProjectIndex } from '../core/model/projectIndex';
import type { Project } from '../core/types';
import type { ApiClusterStatus, ApiCompareResult, ApiDifference, ApiEffectiveValues, ApiFinding, ApiFleet, ApiPodStatus, ApiResolution, ApiSource, ApiTimeline, GitOpsHqApi } from '../api/gitopshq';
import type { Fleet } from '../core/fleet/types';
import type { FleetService } from './dashboard/fleetService';
import type { EnvironmentClusterStatus } from '../core/cluster/environmentStatus';
import type { PodHealth } from '../core/cluster/podHealth';
import type { ClusterService } from './cluster/clusterService';
import { apiCommit, blameAnswer } from './history/historyApi';
import type { HistoryService } from './history/historyService';
import type { TimelineService, TimelineView } from './timeline/timelineService';

/** The object `activate()` returns: a stable, 1-based, secret-free view of the index. */
export interface InternalApi extends GitOpsHqApi {
  /** Not part of the stable API: read by the activation benchmark. */
  readonly _activation: { callMs: number; resolvedMs: number };
  /** Not part of the stable API: the live providers, for this extension's own integration tests. */
  readonly _internal: unknown;
}

export function createApi(
  index: ProjectIndex,
  extra: { activation: { callMs: number; resolvedMs: number }; internal: unknown; cluster?: ClusterService; history?: HistoryService; timeline?: TimelineService; fleet?: FleetService },
): InternalApi {
  // Thin names over core's one lookup (core/model/lookup.ts): one wording, one default tenant.
  const project = (slug: string): Project => findProject(index, slug);
  const checkEnvironment = (p: Project, environment: string): void => void findEnvironment(p, environment);
  const checkTenant = (p: Project, tenant: string | undefined): string => findTenant(p, tenant);

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
      findWorkload(p, workload);
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
    async clusterStatus(slug, environment, options): Promise<ApiClusterStatus> {
      const p = project(slug);
      checkEnvironment(p, environment);
      const tenant = checkTenant(p, options?.tenant);
      const bound = p.workloads.filter((w) => index.isBound(slug, w.name, environment, tenant)).map((w) => w.name);
      const status = await extra.cluster?.statusNow(p, environment, tenant, bound);
      return status ? apiClusterStatus(status) : { connection: 'error', message: 'The cluster connection is not available in this window.', workloads: [] };
    },
    async timeline(slug, target): Promise<ApiTimeline> {
      if (!extra.timeline) throw new GitOpsHqError('release-invalid', 'The deployment timeline is not available in this window.');
      const t = (target ?? {}) as Record<string, unknown>;
      const tenant = typeof t['tenant'] === 'string' ? { tenant: t['tenant'] } : {};
      if (typeof t['release'] === 'string') return apiTimeline(await extra.timeline.now({ project: slug, release: t['release'], ...tenant }));
      if (typeof t['environment'] === 'string' && typeof t['workload'] === 'string') {
        return apiTimeline(await extra.timeline.now({ project: slug, environment: t['environment'], workload: t['workload'], ...tenant }));
      }
      throw new GitOpsHqError('release-invalid', 'timeline() takes { release, tenant? } or { environment, workload, tenant? }.');
    },
    async fleet(): Promise<ApiFleet> {
      if (!extra.fleet) throw new GitOpsHqError('git-failed', 'The fleet is not available in this window.');
      return apiFleet(await extra.fleet.fleetNow());
    },
  };
}

/** Field by field: nothing internal (messages of pods, times) leaks into the stable shape by accident. */
function apiClusterStatus(status: EnvironmentClusterStatus): ApiClusterStatus {
  const out: ApiClusterStatus = { connection: status.connection, workloads: [] };
  if (status.context) out.context = status.context;
  if (status.namespace) out.namespace = status.namespace;
  if (status.message) out.message = status.message;
  out.workloads = status.workloads.map((w) => ({
    name: w.name,
    kind: w.kind,
    desired: w.desired,
    ready: w.ready,
    updated: w.updated,
    available: w.available,
    health: w.health,
    ...(w.reason ? { reason: w.reason } : {}),
    images: [...w.images],
    pods: w.pods.map(apiPod),
  }));
  return out;
}

/** One pod, as clusterStatus and timeline give it. */
function apiPod(pod: PodHealth): ApiPodStatus {
  return {
    name: pod.name,
    phase: pod.phase,
    ready: pod.ready,
    restarts: pod.restarts,
    ...(pod.reason ? { reason: pod.reason } : {}),
    containers: pod.containers
      .filter((c) => !c.init)
      .map((c) => ({ name: c.name, image: c.image, ready: c.ready, restarts: c.restarts, state: c.state, ...(c.reason ? { reason: c.reason } : {}) })),
  };
}

function apiTimeline(view: TimelineView): ApiTimeline {
  const t = view.timeline;
  const out: ApiTimeline = {
    phase: t.phase,
    tenant: view.tenant,
    connection: view.connection,
    phases: t.reached.map((s) => ({ phase: s.phase, at: s.at, detail: s.detail })),
    pods: view.pods.map(apiPod),
    events: t.events.map((e) => ({ at: e.at, type: e.type, reason: e.reason, message: e.message, object: e.object })),
  };
  if (t.superseded) out.superseded = true;
  if (t.failure) {
    out.reason = t.failure.reason;
    if (t.failure.pod) out.pod = t.failure.pod;
    if (t.failure.container) out.container = t.failure.container;
  }
  if (view.release) out.release = view.release.id;
  if (view.message) out.message = view.message;
  return out;
}

/** The stable shape of the fleet: field by field, so the panel's richer tiles do not leak into it. */
function apiFleet(fleet: Fleet): ApiFleet {
  return {
    projects: fleet.projects.map((p) => ({
      slug: p.slug,
      name: p.name,
      colour: p.colour,
      environments: p.environments.map((e) => ({
        name: e.name,
        tenants: e.tenants.map((t) => ({
          name: t.tenant,
          colour: t.colour,
          reasons: t.reasons.map((r) => r.text),
          ...(t.deployed ? { deployed: { ...(t.deployed.release ? { release: t.deployed.release.id } : {}), commit: t.deployed.commit, at: t.deployed.at } } : {}),
          drift: t.drift,
          pendingApprovals: t.pendingApprovals,
          mayApprove: t.mayApprove,
          unhealthy: t.unhealthy.length,
          connection: t.connection,
          ...(t.frozen ? { frozen: { ...t.frozen } } : {}),
        })),
      })),
    })),
    summary: { ...fleet.summary },
  };
}
