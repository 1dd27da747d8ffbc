// The timeline of a deployed release in one tenant over every workload it deploys, from one scope
// snapshot (spec §5): each workload through `timeline()`, then one story for the release (the
// phase the slowest workload reached, the first failure). Also which releases supersede which, and
// the timeline of a workload's live rollout when no release is known. Pure: the editor adapter
// brings the snapshot, Git's ancestry answers and the clock.
import type { ScopeSnapshot } from '../cluster/connections';
import type { WorkloadObject } from '../cluster/kubeTypes';
import { tenantSelector, tenantsSharingNamespace, workloadTarget, type ClusterOverrides } from '../cluster/placement';
import type { Project, Workload } from '../types';
import { timeline } from './phases';
import { REVISION_ANNOTATION } from './recognise';
import { iso, ms } from './times';
import type { AncestryPort, Phase, PhaseStep, Timeline, TimelineEvent, TimelineFailure, TimelineRelease } from './types';

export interface WorkloadTimeline {
  workload: string;
  timeline: Timeline;
}

/** One release in one tenant, all its workloads together. */
export interface ReleaseTimeline {
  phase: Phase;
  reached: PhaseStep[];
  superseded: boolean;
  failure?: TimelineFailure & { workload: string };
  workloads: WorkloadTimeline[];
  /** Every workload's events, oldest first. */
  events: (TimelineEvent & { workload: string })[];
}

export interface ReleaseTimelineInput {
  project: Pick<Project, 'slug' | 'tenants' | 'environments' | 'workloads'>;
  release: TimelineRelease;
  tenant: string;
  /** The workloads to follow (see `releaseWorkloads`). */
  workloads: readonly Workload[];
  snapshot: ScopeSnapshot;
  overrides?: ClusterOverrides;
  /** The effective `image.tag` the release gives a workload, when known. */
  imageTag?: (workload: string) => string | undefined;
  isAncestor: AncestryPort;
  now: number;
  healthyAfterSeconds?: number;
  supersededAt?: string | undefined;
  /** The last timelines computed, by workload name. */
  previous?: ReadonlyMap<string, Timeline> | undefined;
}

const PROGRESS: readonly Phase[] = ['pending', 'in_progress', 'deployed', 'healthy'];

export function releaseTimeline(input: ReleaseTimelineInput): ReleaseTimeline {
  const env = input.project.environments.find((e) => e.name === input.release.environment);
  if (!env) throw new Error(`Project ${input.project.slug} has no environment ${input.release.environment}.`);
  const { snapshot } = input;
  const shared = tenantsSharingNamespace(input.project.slug, env, input.tenant, input.project.tenants, input.overrides).length > 1;
  const podLabels = snapshot.pods.map((p) => p.metadata.labels);
  const workloads = input.workloads.map((w): WorkloadTimeline => {
    const target = workloadTarget(input.project.slug, env, input.tenant, w, input.overrides);
    return {
      workload: w.name,
      timeline: timeline({
        release: input.release,
        project: input.project.slug,
        tenant: input.tenant,
        workload: { kind: target.kind, name: target.name, selector: tenantSelector(target.selector, input.tenant, shared, podLabels) },
        object: findObject(snapshot, target.kind, target.name),
        applications: snapshot.applications,
        imageTag: input.imageTag?.(w.name),
        replicaSets: snapshot.replicaSets,
        pods: snapshot.pods,
        events: snapshot.events,
        isAncestor: input.isAncestor,
        now: input.now,
        ...(input.healthyAfterSeconds !== undefined ? { healthyAfterSeconds: input.healthyAfterSeconds } : {}),
        supersededAt: input.supersededAt,
        previous: input.previous?.get(w.name),
      }),
    };
  });
  return combine(workloads, input.supersededAt !== undefined, input.release.deploy.at ?? '');
}

/**
 * One story from several workloads: Failed as soon as one failed (its failure is the release's);
 * otherwise the least advanced phase, each phase dated when the last workload reached it.
 */
export function combine(workloads: readonly WorkloadTimeline[], superseded: boolean, deployAt: string): ReleaseTimeline {
  const events = workloads
    .flatMap((w) => w.timeline.events.map((e) => ({ ...e, workload: w.workload })))
    .sort((a, b) => (ms(a.at) ?? 0) - (ms(b.at) ?? 0));
  const failed = workloads.find((w) => w.timeline.phase === 'failed');
  const reached: PhaseStep[] = [];
  if (workloads.length === 0) {
    reached.push({ phase: 'pending', at: deployAt, detail: 'no workload of the release runs in this environment' });
    return { phase: 'pending', reached, superseded, workloads: [], events };
  }
  const rank = (p: Phase) => PROGRESS.indexOf(p);
  const reachedBy = (w: WorkloadTimeline, p: Phase) => w.timeline.reached.find((s) => s.phase === p);
  const lowest = Math.min(...workloads.map((w) => Math.max(...w.timeline.reached.filter((s) => s.phase !== 'failed').map((s) => rank(s.phase)), 0)));
  for (const phase of PROGRESS.slice(0, lowest + 1)) {
    let last: { step: PhaseStep; workload: string } | undefined;
    for (const w of workloads) {
      const step = reachedBy(w, phase);
      if (step && (!last || (ms(step.at) ?? 0) >= (ms(last.step.at) ?? 0))) last = { step, workload: w.workload };
    }
    if (!last) continue;
    const detail = workloads.length > 1 ? `${last.workload}: ${last.step.detail}` : last.step.detail;
    reached.push({ phase, at: last.step.at, detail });
  }
  const result: ReleaseTimeline = { phase: reached[reached.length - 1]?.phase ?? 'pending', reached, superseded, workloads: [...workloads], events };
  if (failed) {
    const step = reachedBy(failed, 'failed');
    if (step) {
      const floor = ms(reached[reached.length - 1]?.at) ?? 0;
      reached.push({ phase: 'failed', at: iso(Math.max(ms(step.at) ?? 0, floor)), detail: workloads.length > 1 ? `${failed.workload}: ${step.detail}` : step.detail });
      result.phase = 'failed';
      if (failed.timeline.failure) result.failure = { ...failed.timeline.failure, workload: failed.workload };
    }
  }
  return result;
}

/**
 * A stand-in release for a workload's live rollout when no release is known: "deployed" when its
 * current template's ReplicaSet (or the object) was created, recognised by its own image tag.
 */
export function liveRelease(environment: string, object: WorkloadObject | undefined, snapshot: Pick<ScopeSnapshot, 'replicaSets'>): { release: TimelineRelease; imageTag?: string } | undefined {
  if (!object) return undefined;
  const owned = snapshot.replicaSets.filter((rs) => (rs.metadata.ownerReferences ?? []).some((r) => r.uid === object.metadata.uid || (!r.uid && r.name === object.metadata.name)));
  const newest = owned.map((rs) => ms(rs.metadata.creationTimestamp)).filter((t): t is number => t !== undefined).sort((a, b) => b - a)[0];
  const at = newest ?? ms(object.metadata.creationTimestamp);
  if (at === undefined) return undefined;
  const image = object.spec?.template?.spec?.containers?.[0]?.image ?? '';
  const tag = /:([^:/@]+)(?:@.*)?$/.exec(image)?.[1];
  const commit = object.metadata.annotations?.[REVISION_ANNOTATION] ?? null;
  return { release: { id: 'live', environment, deploy: { commit, at: iso(at) } }, ...(tag ? { imageTag: tag } : {}) };
}

function findObject(snapshot: ScopeSnapshot, kind: Workload['kube']['kind'], name: string): WorkloadObject | undefined {
  const list: readonly WorkloadObject[] = kind === 'StatefulSet' ? snapshot.statefulSets : kind === 'DaemonSet' ? snapshot.daemonSets : snapshot.deployments;
  return list.find((o) => o.metadata.name === name);
}
