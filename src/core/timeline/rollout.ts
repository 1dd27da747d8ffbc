// What the workload object says of its rollout, per kind, with the times the objects carry: when the
// rollout of the current template started and when it completed (as `kubectl rollout status` judges
// completion). Deployments by their new ReplicaSet and conditions, StatefulSets by `updateRevision`,
// DaemonSets by `updatedNumberScheduled` and the template generation of their pods.
import {
  type Condition,
  type DaemonSet,
  type Deployment,
  type Pod,
  type ReplicaSet,
  type StatefulSet,
  type WorkloadObject,
} from '../cluster/kubeTypes';
import { conditionTrue } from '../cluster/podHealth';
import { currentTemplate, newReplicaSet, observed } from '../cluster/workloadHealth';
import type { KubeKind } from '../types';
import { REVISION_ANNOTATION, sameCommit, templateHasTag } from './recognise';
import { earliest, latest, ms } from './times';

/** Kubernetes' default `progressDeadlineSeconds`. */
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

export interface Rollout {
  observed: boolean;
  generation?: number;
  desired: number;
  updated: number;
  available: number;
  /** Replicas of every template (Deployment: old ones still around while > updated). */
  total: number;
  /** All desired replicas updated and available, old replicas gone, the latest spec observed. */
  complete: boolean;
  /** Candidate start times of the rollout, best first (ms). */
  started: number[];
  /** When the rollout completed, if the objects say (ms). */
  completed?: number;
  /** Deployments only. */
  deadlineSeconds?: number;
  /** The observed `Progressing` condition with reason `ProgressDeadlineExceeded`. */
  deadlineExceeded?: Condition;
  newReplicaSet?: ReplicaSet;
  isCurrent: (pod: Pod) => boolean;
}

const ROLLOUT_START_REASONS = ['NewReplicaSetCreated', 'ReplicaSetUpdated'];

export function rolloutOf(kind: KubeKind, object: WorkloadObject, replicaSets: readonly ReplicaSet[], pods: readonly Pod[]): Rollout {
  const isCurrent = currentTemplate(kind, object, replicaSets);
  const current = pods.filter((p) => isCurrent(p) && p.metadata.deletionTimestamp === undefined);
  const seen = observed(object);
  const generation = object.metadata.generation;
  const base = { observed: seen, ...(generation !== undefined ? { generation } : {}), isCurrent };
  // The last new pod to turn Ready completes the rollout when no condition says when.
  const lastReady = latest(current.map((p) => readySince(p)));
  const firstNewPod = earliest(current.map((p) => p.metadata.creationTimestamp));

  if (kind === 'Deployment') {
    const d = object as Deployment;
    const s = d.status ?? {};
    const desired = d.spec?.replicas ?? 1;
    const updated = s.updatedReplicas ?? 0;
    const available = s.availableReplicas ?? 0;
    const total = s.replicas ?? 0;
    const rs = newReplicaSet(d, replicaSets);
    const progressing = s.conditions?.find((c) => c.type === 'Progressing');
    // lastTransitionTime keeps its old value across rollouts on a real cluster: only lastUpdateTime
    // with a reason the controller sets at a rollout's start dates it.
    const started = [ms(rs?.metadata.creationTimestamp), ROLLOUT_START_REASONS.includes(progressing?.reason ?? '') ? ms(progressing?.lastUpdateTime) : undefined, firstNewPod];
    const complete = seen && updated >= desired && total <= updated && available >= updated;
    const completedByCondition = progressing?.reason === 'NewReplicaSetAvailable' ? ms(progressing.lastUpdateTime) : undefined;
    const rollout: Rollout = {
      ...base,
      desired,
      updated,
      available,
      total,
      complete,
      started: started.filter((t): t is number => t !== undefined),
      deadlineSeconds: d.spec?.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS,
    };
    const completed = completedByCondition ?? lastReady;
    if (complete && completed !== undefined) rollout.completed = completed;
    if (rs) rollout.newReplicaSet = rs;
    if (seen && progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') rollout.deadlineExceeded = progressing;
    return rollout;
  }
  if (kind === 'StatefulSet') {
    const o = object as StatefulSet;
    const s = o.status ?? {};
    const desired = o.spec?.replicas ?? 1;
    const updated = s.updatedReplicas ?? 0;
    const available = s.availableReplicas ?? s.readyReplicas ?? 0;
    const revisionDone = s.currentRevision === undefined || s.updateRevision === undefined || s.currentRevision === s.updateRevision;
    const complete = seen && updated >= desired && available >= desired && (s.replicas ?? desired) <= desired && revisionDone;
    return withCompleted({ ...base, desired, updated, available, total: s.replicas ?? 0, complete, started: firstNewPod === undefined ? [] : [firstNewPod] }, lastReady);
  }
  const o = object as DaemonSet;
  const s = o.status ?? {};
  const desired = s.desiredNumberScheduled ?? 0;
  const updated = s.updatedNumberScheduled ?? 0;
  const available = s.numberAvailable ?? 0;
  const complete = seen && updated >= desired && available >= desired;
  return withCompleted({ ...base, desired, updated, available, total: s.currentNumberScheduled ?? 0, complete, started: firstNewPod === undefined ? [] : [firstNewPod] }, lastReady);
}

function withCompleted(rollout: Rollout, lastReady: number | undefined): Rollout {
  if (rollout.complete && lastReady !== undefined) rollout.completed = lastReady;
  return rollout;
}

/** When the pod last turned Ready, if it is Ready. */
export function readySince(pod: Pod): string | undefined {
  if (!conditionTrue(pod, 'Ready')) return undefined;
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
}

/**
 * The ReplicaSet that ran this release's template, even after a later rollout replaced it: the
 * Deployment controller copies the Deployment's annotations (our revision among them) to the
 * ReplicaSet it creates; else the image tag of its template.
 */
export function releaseReplicaSet(deployment: Deployment, replicaSets: readonly ReplicaSet[], commit: string | undefined, imageTag: string | undefined): ReplicaSet | undefined {
  const owned = replicaSets.filter((rs) => (rs.metadata.ownerReferences ?? []).some((r) => r.kind === 'Deployment' && (deployment.metadata.uid ? r.uid === deployment.metadata.uid : r.name === deployment.metadata.name)));
  const byCommit = commit ? owned.find((rs) => sameCommit(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? '', commit)) : undefined;
  if (byCommit) return byCommit;
  return imageTag ? owned.find((rs) => rs.spec?.template !== undefined && templateHasTag(rs.spec.template, imageTag)) : undefined;
}
