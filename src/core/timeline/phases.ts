// The deployment timeline of a deployed release in one (tenant, environment): Pending → In Progress
// → Deployed → Healthy, or Failed (spec §5, issue 13). Every time comes from the objects (or the
// release's `deploy.at`), never from when the extension looked: the same objects an hour later give
// the same phases at the same times. Pure and synchronous; `now` only decides whether a window or a
// deadline has passed.
import { GitOpsHqError } from '../errors';
import type { Deployment, Pod } from '../cluster/kubeTypes';
import { labelMatcher } from '../cluster/labels';
import { lastRestartMs, podHealth } from '../cluster/podHealth';
import { eventStart, toTimelineEvent, workloadEvents } from './events';
import { argoDegradedStep, deadlineConditionStep, deadlineTimeStep, podFailureStep, type FailureStep } from './failure';
import { argoDetail, deployCommit, findApplication, recognise, short } from './recognise';
import { releaseReplicaSet, rolloutOf, type Rollout } from './rollout';
import { iso, ms } from './times';
import type { Phase, PhaseStep, Timeline, TimelineApplication, TimelineFailure, TimelineInput } from './types';

export const DEFAULT_HEALTHY_AFTER_SECONDS = 30;

const ORDER: readonly Phase[] = ['pending', 'in_progress', 'deployed', 'healthy', 'failed'];

interface Step {
  phase: Phase;
  at: number;
  detail: string;
}

export function timeline(input: TimelineInput): Timeline {
  const { release, workload, now } = input;
  const deployAt = ms(release.deploy.at);
  if (deployAt === undefined) {
    throw new GitOpsHqError('release-invalid', `Release ${release.id} has no deploy time (deploy.at): only a deployed release has a timeline.`);
  }
  const windowSeconds = input.healthyAfterSeconds ?? DEFAULT_HEALTHY_AFTER_SECONDS;
  if (!Number.isFinite(windowSeconds) || windowSeconds < 0) {
    throw new GitOpsHqError('release-invalid', `healthyAfterSeconds must be a number of seconds ≥ 0, not ${String(input.healthyAfterSeconds)}.`);
  }
  const supersededAt = ms(input.supersededAt);
  if (input.supersededAt !== undefined && supersededAt === undefined) {
    throw new GitOpsHqError('release-invalid', `supersededAt is not a time: ${input.supersededAt}`);
  }
  const cutoff = supersededAt ?? Infinity;
  const commit = deployCommit(release, input.tenant);

  const steps: Step[] = [];
  let failure: TimelineFailure | undefined;
  // Phases are dated in order: a later phase is never earlier than the one before it.
  const reach = (phase: Phase, at: number, detail: string): boolean => {
    const floor = steps[steps.length - 1]?.at ?? at;
    const when = Math.max(at, floor);
    if (when >= cutoff) return false;
    steps.push({ phase, at: when, detail });
    return true;
  };
  const failWith = (failed: FailureStep): void => {
    if (reach('failed', failed.at ?? steps[steps.length - 1]?.at ?? deployAt, failed.detail)) failure = failed.failure;
  };
  reach('pending', deployAt, commit ? `deploy commit ${short(commit)}` : 'deployed');

  const recognition = recognise(input);
  const selected = labelMatcher(workload.selector);
  const pods = input.pods.filter((p) => selected(p.metadata.labels));
  const app = findApplication(input.applications, input.project, release.environment, input.tenant);
  const argoOurs = recognition.by === 'argo' ? app : undefined;
  const object = input.object;
  let rollout: Rollout | undefined;

  if (recognition.running === true && object) {
    rollout = rolloutOf(workload.kind, object, input.replicaSets, pods);
    const superseded = supersededAt !== undefined;
    const started = rollout.started.find((t) => t >= deployAt) ?? deployAt;
    if (!reach('in_progress', started, progressDetail(rollout)) && superseded && workload.kind === 'Deployment') {
      // The objects now show the successor's rollout; this release's own ReplicaSet still dates its start.
      const own = releaseReplicaSet(object as Deployment, input.replicaSets, commit, input.imageTag);
      const created = ms(own?.metadata.creationTimestamp);
      if (own && created !== undefined) reach('in_progress', Math.max(created, deployAt), `ReplicaSet ${own.metadata.name ?? ''} created`);
    }
    const inProgress = steps.find((s) => s.phase === 'in_progress');
    let done = false;
    // A workload scaled to zero has no pod to turn Ready: it is deployed once its spec is.
    const completed = rollout.completed ?? (rollout.complete && rollout.desired === 0 ? inProgress?.at : undefined);
    if (inProgress && rollout.complete && completed !== undefined) {
      const argo = argoOurs ? `; ${argoDetail(argoOurs)}` : '';
      done = reach('deployed', completed, `${rollout.available}/${rollout.desired} available${argo}`);
    }
    const deployed = steps.find((s) => s.phase === 'deployed');
    if (done && deployed) {
      const healthyAt = quietUntil(deployed.at, windowSeconds * 1000, pods.filter(rollout.isCurrent), input.events);
      if (healthyAt <= now) reach('healthy', healthyAt, `no restarts for ${windowSeconds} s`);
    }
    // Failures of a superseded release cannot be told from its successor's in today's objects.
    const last = steps[steps.length - 1]?.phase;
    if (!superseded && inProgress && last !== 'healthy') {
      const failed = failureOf(rollout, pods, input, argoOurs, inProgress.at);
      if (failed) failWith(failed);
    }
  } else if (recognition.running === true) {
    // Argo CD synced the release but the workload object is not there (yet).
    const synced = ms(app?.status?.operationState?.finishedAt) ?? deployAt;
    reach('in_progress', Math.max(synced, deployAt), recognition.detail);
    const degraded = supersededAt === undefined && argoOurs ? argoDegradedStep(argoOurs) : undefined;
    if (degraded) failWith(degraded);
  }

  const merged = mergePrevious(steps, failure, input.previous, cutoff);
  const phase = merged.steps[merged.steps.length - 1]?.phase ?? 'pending';
  const isCurrent = rollout?.isCurrent ?? (() => false);
  const current = pods.filter(isCurrent).map((p) => podHealth(p, now, true));
  // Once Healthy, the pods of earlier templates are history: only the release's pods are listed.
  const old = phase === 'healthy' && supersededAt === undefined ? [] : pods.filter((p) => !isCurrent(p)).map((p) => podHealth(p, now, false));
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  const result: Timeline = {
    phase,
    reached: merged.steps.map((s): PhaseStep => ({ phase: s.phase, at: iso(s.at), detail: s.detail })),
    superseded: supersededAt !== undefined,
    recognition,
    pods: { current: current.sort(byName), old: old.sort(byName) },
    events: workloadEvents(input.events, {
      kind: workload.kind,
      name: object?.metadata.name ?? workload.name,
      pods: new Set(pods.map((p) => p.metadata.name ?? '')),
      replicaSets: ownedReplicaSets(object, input.replicaSets),
    }).map(toTimelineEvent),
  };
  if (merged.failure && phase === 'failed') result.failure = merged.failure;
  return result;
}

function failureOf(rollout: Rollout, pods: readonly Pod[], input: TimelineInput, argo: TimelineApplication | undefined, startedAt: number): FailureStep | undefined {
  const fromPods = podFailureStep(pods.filter(rollout.isCurrent), input.events);
  if (fromPods) return fromPods;
  if (rollout.deadlineExceeded) return deadlineConditionStep(rollout.deadlineExceeded, startedAt, rollout.deadlineSeconds);
  const degraded = argo ? argoDegradedStep(argo) : undefined;
  if (degraded) return degraded;
  if (!rollout.complete && rollout.deadlineSeconds !== undefined) return deadlineTimeStep(startedAt, rollout.deadlineSeconds, input.now);
  return undefined;
}

function progressDetail(r: Rollout): string {
  const counts = `${r.updated}/${r.desired} updated`;
  if (r.generation === undefined) return counts;
  return r.observed ? `generation ${r.generation} observed, ${counts}` : `generation ${r.generation} not observed yet`;
}

/**
 * The end of the first quiet window after Deployed: a restart of a release pod or a Warning event
 * about one inside the window starts it again from that moment. Disturbances after a quiet window
 * do not move it, so Healthy keeps its time.
 */
function quietUntil(deployedAt: number, windowMs: number, currentPods: readonly Pod[], events: TimelineInput['events']): number {
  const names = new Set(currentPods.map((p) => p.metadata.name ?? ''));
  const disturbances: { start: number; end: number }[] = [];
  for (const pod of currentPods) {
    const restart = lastRestartMs(pod);
    if (restart) disturbances.push({ start: restart.at, end: restart.at });
  }
  for (const e of events) {
    if (e.type !== 'Warning' || e.involvedObject.kind !== 'Pod' || !names.has(e.involvedObject.name ?? '')) continue;
    const start = eventStart(e);
    const end = ms(e.eventTime) ?? ms(e.lastTimestamp) ?? start;
    if (start !== undefined && end !== undefined) disturbances.push({ start, end: Math.max(start, end) });
  }
  disturbances.sort((a, b) => a.start - b.start);
  let quietFrom = deployedAt;
  for (const d of disturbances) {
    if (d.end < quietFrom) continue;
    if (d.start >= quietFrom + windowMs) break;
    quietFrom = Math.max(quietFrom, d.end);
  }
  return quietFrom + windowMs;
}

/**
 * Phases an earlier computation saw keep their times (a time never goes backwards); a timeline that
 * ended (Healthy or Failed) stays as it ended. Without `previous`, the objects alone decide.
 */
function mergePrevious(steps: Step[], failure: TimelineFailure | undefined, previous: Timeline | undefined, cutoff: number): { steps: Step[]; failure?: TimelineFailure } {
  if (!previous) return failure ? { steps, failure } : { steps };
  const before = previous.reached
    .map((s) => ({ phase: s.phase, at: ms(s.at) ?? 0, detail: s.detail }))
    .filter((s) => s.at < cutoff);
  const ended = before[before.length - 1]?.phase;
  if (ended === 'healthy' || ended === 'failed') {
    const kept = ended === 'failed' && previous.failure ? { failure: previous.failure } : {};
    return { steps: before, ...kept };
  }
  const merged: Step[] = [];
  for (const phase of ORDER) {
    const now = steps.find((s) => s.phase === phase);
    const then = before.find((s) => s.phase === phase);
    if (now && then) merged.push({ phase, at: Math.max(now.at, then.at), detail: now.detail });
    else if (now ?? then) merged.push((now ?? then)!);
  }
  for (let i = 1; i < merged.length; i++) merged[i]!.at = Math.max(merged[i]!.at, merged[i - 1]!.at);
  return failure ? { steps: merged, failure } : { steps: merged };
}

function ownedReplicaSets(object: TimelineInput['object'], replicaSets: TimelineInput['replicaSets']) {
  if (!object || object.kind === 'StatefulSet' || object.kind === 'DaemonSet') return [];
  const uid = object.metadata.uid;
  return replicaSets.filter((rs) => (rs.metadata.ownerReferences ?? []).some((r) => r.kind === 'Deployment' && (uid ? r.uid === uid : r.name === object.metadata.name)));
}
