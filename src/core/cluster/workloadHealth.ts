// The health of one workload from the objects the informers hold: its Deployment, StatefulSet or
// DaemonSet, the ReplicaSets (to tell the pods of the current template from old ones) and the pods.
// Pure and synchronous over small inputs (one workload's objects); time is a parameter.
import type { KubeKind } from '../types';
import {
  CONTROLLER_REVISION_HASH,
  DAEMONSET_TEMPLATE_GENERATION,
  DEPLOYMENT_REVISION,
  POD_TEMPLATE_GENERATION,
  POD_TEMPLATE_HASH,
  type Condition,
  type DaemonSet,
  type Deployment,
  type Labels,
  type Pod,
  type PodTemplateSpec,
  type ReplicaSet,
  type StatefulSet,
  type WorkloadObject,
} from './kubeTypes';
import { labelMatcher } from './labels';
import { lastRestartMs, podFailure, podHealth, type FailedReason, type PodFailure, type PodHealth } from './podHealth';

export type Health = 'healthy' | 'progressing' | 'degraded' | 'missing' | 'unknown';

export type HealthReason =
  | FailedReason
  | 'Unschedulable'
  /** Degraded: desired > 0 and not one replica ready, with no more specific reason. */
  | 'NoReadyReplicas'
  /** Progressing: a new template is being rolled out (or not yet observed by the controller). */
  | 'RolloutInProgress'
  /** Progressing: fewer replicas ready than desired, no rollout under way. */
  | 'FewerReady'
  /** Healthy, but a container restarted within the last 10 minutes (a warning colour). */
  | 'RecentRestarts'
  /** Missing: the bound workload's object is not in the cluster. */
  | 'NotFound'
  /** Unknown: the informers have not listed the objects yet. */
  | 'NotSynced';

/** Restarts more recent than this colour a healthy workload as a warning (spec §5). */
export const RECENT_RESTART_MS = 10 * 60 * 1000;

export interface WorkloadHealth {
  kind: KubeKind;
  name: string;
  desired: number;
  ready: number;
  updated: number;
  available: number;
  health: Health;
  reason?: HealthReason;
  /** One sentence for a tooltip: what is wrong, in which pod and container. */
  message?: string;
  /** The pod that gave the reason. */
  pod?: string;
  container?: string;
  /** When the reason started (RFC 3339), when the objects say. */
  since?: string;
  /** The images of the pod template, in container order. */
  images: string[];
  /** The workload's pods, current template first, then by name. */
  pods: PodHealth[];
}

export interface WorkloadObservation {
  kind: KubeKind;
  name: string;
  /** The pods of the workload are those carrying these labels (placement's selector). */
  selector: Labels;
  /** The object named `name` of kind `kind`, or undefined when the cluster has none. */
  object: WorkloadObject | undefined;
  /** The namespace's ReplicaSets; only read for a Deployment. Undefined: not known, every pod counts as current. */
  replicaSets?: readonly ReplicaSet[];
  /** The namespace's pods (or already the workload's): filtered here by `selector`. */
  pods: readonly Pod[];
  /** False while the informers have not listed yet: the health is then `unknown`. Default true. */
  synced?: boolean;
}

interface Counts {
  desired: number;
  ready: number;
  updated: number;
  available: number;
  /** Why a rollout is under way, if one is. */
  rolling: boolean;
}

export function workloadHealth(observation: WorkloadObservation, now: number | Date): WorkloadHealth {
  const at = typeof now === 'number' ? now : now.getTime();
  const { kind, name, object } = observation;
  const base = { kind, name, desired: 0, ready: 0, updated: 0, available: 0, images: [] as string[], pods: [] as PodHealth[] };
  if (observation.synced === false) {
    return { ...base, health: 'unknown', reason: 'NotSynced', message: `The cluster's ${kind}s are not listed yet.` };
  }
  if (object === undefined) {
    return { ...base, health: 'missing', reason: 'NotFound', message: `No ${kind} named "${name}" in the cluster.` };
  }
  const counts = countsOf(kind, object);
  const isCurrent = currentTemplate(kind, object, observation.replicaSets);
  const selected = labelMatcher(observation.selector);
  const pods = observation.pods.filter((p) => selected(p.metadata.labels));
  const summaries = pods.map((p) => ({ pod: p, health: podHealth(p, at, isCurrent(p)) }));
  summaries.sort((a, b) => Number(b.health.current) - Number(a.health.current) || a.health.name.localeCompare(b.health.name));
  const result: WorkloadHealth = {
    ...base,
    desired: counts.desired,
    ready: counts.ready,
    updated: counts.updated,
    available: counts.available,
    images: (templateOf(object)?.spec?.containers ?? []).map((c) => c.image ?? ''),
    pods: summaries.map((s) => s.health),
    health: 'healthy',
  };
  // Pods leaving (old template or being deleted) cannot make the workload fail.
  const current = summaries.filter((s) => s.health.current && !s.health.terminating);
  const failing = firstFailure(current, (f) => f.reason !== 'Unschedulable');
  const unschedulable = firstFailure(current, (f) => f.reason === 'Unschedulable');

  if (failing) return withReason(result, 'degraded', failing.failure.reason, failing.pod, failing.failure);
  const deadline = progressDeadline(object);
  if (deadline) {
    const detail = deadline.message ? { message: deadline.message } : {};
    return withReason(result, 'degraded', 'ProgressDeadlineExceeded', undefined, { ...detail, since: deadline.lastUpdateTime ?? deadline.lastTransitionTime });
  }
  if (counts.desired > 0 && counts.ready === 0) {
    if (unschedulable) return withReason(result, 'degraded', 'Unschedulable', unschedulable.pod, unschedulable.failure);
    const notReady = current.find((s) => !s.health.ready);
    return withReason(result, 'degraded', 'NoReadyReplicas', notReady?.health.name, {});
  }
  if (unschedulable) return withReason(result, 'progressing', 'Unschedulable', unschedulable.pod, unschedulable.failure);
  if (counts.rolling) return withReason(result, 'progressing', 'RolloutInProgress', undefined, { since: progressingSince(object) });
  if (counts.ready < counts.desired) {
    const notReady = current.find((s) => !s.health.ready);
    return withReason(result, 'progressing', 'FewerReady', notReady?.health.name, {});
  }
  const restart = recentRestart(current.map((s) => s.pod), at);
  if (restart) {
    return withReason(result, 'healthy', 'RecentRestarts', restart.pod, { container: restart.container, since: new Date(restart.at).toISOString() });
  }
  return result;
}

function withReason(
  result: WorkloadHealth,
  health: Health,
  reason: HealthReason,
  pod: string | undefined,
  detail: { container?: string; message?: string; since?: string | undefined },
): WorkloadHealth {
  result.health = health;
  result.reason = reason;
  if (pod) result.pod = pod;
  if (detail.container) result.container = detail.container;
  if (detail.since) result.since = detail.since;
  result.message = describe(result, detail.message);
  return result;
}

function describe(h: WorkloadHealth, kubeletMessage: string | undefined): string {
  const where = h.pod ? ` in pod ${h.pod}${h.container ? `, container ${h.container}` : ''}` : '';
  const words = kubeletMessage ? `: ${kubeletMessage}` : '';
  switch (h.reason) {
    case 'ProgressDeadlineExceeded':
      return `The rollout did not progress in time${words}`;
    case 'NoReadyReplicas':
      return `None of ${h.desired} desired replicas is ready${where}.`;
    case 'RolloutInProgress':
      return `Rolling out: ${h.updated} of ${h.desired} updated, ${h.ready} ready.`;
    case 'FewerReady':
      return `${h.ready} of ${h.desired} replicas ready${where}.`;
    case 'RecentRestarts':
      return `Restarted within the last 10 minutes${where}.`;
    default:
      return `${h.reason ?? 'Unknown'}${where}${words}`;
  }
}

function firstFailure(
  pods: { pod: Pod; health: PodHealth }[],
  wanted: (f: PodFailure) => boolean,
): { pod: string; failure: PodFailure } | undefined {
  for (const s of pods) {
    const failure = podFailure(s.pod);
    if (failure && wanted(failure)) return { pod: s.health.name, failure };
  }
  return undefined;
}

function recentRestart(pods: Pod[], now: number): { pod: string; container: string; at: number } | undefined {
  let latest: { pod: string; container: string; at: number } | undefined;
  for (const pod of pods) {
    const restart = lastRestartMs(pod);
    if (!restart || now - restart.at > RECENT_RESTART_MS) continue;
    if (!latest || restart.at > latest.at) latest = { pod: pod.metadata.name ?? '', ...restart };
  }
  return latest;
}

export function observed(object: WorkloadObject): boolean {
  const generation = object.metadata.generation;
  const seen = object.status?.observedGeneration;
  return generation === undefined || (seen !== undefined && seen >= generation);
}

function countsOf(kind: KubeKind, object: WorkloadObject): Counts {
  const pending = !observed(object);
  if (kind === 'DaemonSet') {
    const s = (object as DaemonSet).status ?? {};
    const desired = s.desiredNumberScheduled ?? 0;
    const updated = s.updatedNumberScheduled ?? 0;
    const available = s.numberAvailable ?? 0;
    return { desired, ready: s.numberReady ?? 0, updated, available, rolling: pending || updated < desired || available < desired };
  }
  if (kind === 'StatefulSet') {
    const o = object as StatefulSet;
    const s = o.status ?? {};
    const desired = o.spec?.replicas ?? 1;
    const updated = s.updatedReplicas ?? 0;
    const revisionPending = s.updateRevision !== undefined && s.currentRevision !== undefined && s.updateRevision !== s.currentRevision;
    return { desired, ready: s.readyReplicas ?? 0, updated, available: s.availableReplicas ?? s.readyReplicas ?? 0, rolling: pending || revisionPending || updated < desired };
  }
  const o = object as Deployment;
  const s = o.status ?? {};
  const desired = o.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  // As `kubectl rollout status`: not all updated, old replicas still around, or new ones not yet available.
  const rolling = pending || updated < desired || (s.replicas ?? 0) > updated || available < updated;
  return { desired, ready: s.readyReplicas ?? 0, updated, available, rolling };
}

function progressDeadline(object: WorkloadObject): Condition | undefined {
  // A condition from before the controller saw the latest spec speaks of the previous rollout.
  if (!observed(object)) return undefined;
  const c = object.status?.conditions?.find((x) => x.type === 'Progressing');
  return c?.status === 'False' && c.reason === 'ProgressDeadlineExceeded' ? c : undefined;
}

function progressingSince(object: WorkloadObject): string | undefined {
  const c = object.status?.conditions?.find((x) => x.type === 'Progressing');
  return c?.lastTransitionTime;
}

function templateOf(object: WorkloadObject): PodTemplateSpec | undefined {
  return object.spec?.template;
}

/** Which pods run the object's current template. */
export function currentTemplate(kind: KubeKind, object: WorkloadObject, replicaSets: readonly ReplicaSet[] | undefined): (pod: Pod) => boolean {
  const all = () => true;
  if (kind === 'Deployment') {
    if (replicaSets === undefined) return all;
    const rs = newReplicaSet(object as Deployment, replicaSets);
    // No ReplicaSet for the current template yet: every pod there is an old one.
    if (!rs) return () => false;
    const hash = rs.metadata.labels?.[POD_TEMPLATE_HASH];
    return (pod) => ownedBy(pod.metadata.ownerReferences, rs) || (hash !== undefined && pod.metadata.labels?.[POD_TEMPLATE_HASH] === hash);
  }
  if (kind === 'StatefulSet') {
    const revision = (object as StatefulSet).status?.updateRevision;
    return revision === undefined ? all : (pod) => pod.metadata.labels?.[CONTROLLER_REVISION_HASH] === revision;
  }
  // A DaemonSet's status names no revision; its pods carry the template generation the API server
  // stamps on the DaemonSet as an annotation.
  const generation = object.metadata.annotations?.[DAEMONSET_TEMPLATE_GENERATION];
  return generation === undefined ? all : (pod) => pod.metadata.labels?.[POD_TEMPLATE_GENERATION] === generation;
}

/**
 * The ReplicaSet of the Deployment's current template, found as the controller does (same template
 * but for the pod-template-hash label), else by the revision annotation both carry.
 */
export function newReplicaSet(deployment: Deployment, replicaSets: readonly ReplicaSet[]): ReplicaSet | undefined {
  const owned = replicaSets.filter((rs) => ownedBy(rs.metadata.ownerReferences, deployment));
  const wanted = canonicalTemplate(deployment.spec?.template);
  const byTemplate = owned.find((rs) => canonicalTemplate(rs.spec?.template) === wanted);
  if (byTemplate) return byTemplate;
  const revision = deployment.metadata.annotations?.[DEPLOYMENT_REVISION];
  // The revision annotation lags a spec change until the controller observes it.
  if (revision === undefined || !observed(deployment)) return undefined;
  return owned.find((rs) => rs.metadata.annotations?.[DEPLOYMENT_REVISION] === revision);
}

function ownedBy(refs: readonly { uid: string; name: string; kind: string }[] | undefined, owner: { metadata: { uid?: string; name?: string }; kind?: string }): boolean {
  return (refs ?? []).some((r) => (owner.metadata.uid ? r.uid === owner.metadata.uid : r.name === owner.metadata.name) && (owner.kind === undefined || r.kind === owner.kind));
}

// Informers replace an object on change and never mutate it, so a template's text can be kept with it.
const canonicalTemplates = new WeakMap<PodTemplateSpec, string>();

function canonicalTemplate(template: PodTemplateSpec | undefined): string {
  if (!template) return '';
  let text = canonicalTemplates.get(template);
  if (text === undefined) {
    const labels = { ...(template.metadata?.labels ?? {}) };
    delete labels[POD_TEMPLATE_HASH];
    text = canonical({ ...template, metadata: { ...template.metadata, labels } });
    canonicalTemplates.set(template, text);
  }
  return text;
}

/** JSON with keys sorted: the API server's defaulting may order fields differently in the two templates. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
