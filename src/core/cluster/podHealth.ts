// One pod as the tree and the API show it (kubectl's STATUS column, roughly), and the failure a pod
// can give its workload (spec §5 "Failed" reasons, plus Unschedulable).
import type { ContainerStatus, Pod } from './kubeTypes';

/** Waiting reasons that do not clear by themselves: the workload needs action. */
export const FAILED_WAITING_REASONS = ['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'InvalidImageName'] as const;
export type FailedReason = (typeof FAILED_WAITING_REASONS)[number] | 'OOMKilled' | 'ProgressDeadlineExceeded';

export type ContainerStateName = 'waiting' | 'running' | 'terminated' | 'unknown';

export interface ContainerHealth {
  name: string;
  image: string;
  ready: boolean;
  restarts: number;
  state: ContainerStateName;
  /** The waiting or terminated reason, e.g. `CrashLoopBackOff`, `ContainerCreating`, `OOMKilled`. */
  reason?: string;
  /** The kubelet's message for that state, as it wrote it. */
  message?: string;
  /** The reason of the previous run's end, when the container restarted (e.g. `OOMKilled`, `Error`). */
  lastTerminationReason?: string;
  /** When the container last restarted (RFC 3339), when known. */
  lastRestartAt?: string;
  /** An init container. */
  init?: true;
}

export interface PodHealth {
  name: string;
  phase: string;
  ready: boolean;
  /** Restarts of the regular containers, summed. */
  restarts: number;
  /** What is wrong or under way, e.g. `CrashLoopBackOff`, `Unschedulable`, `ContainerCreating`, `Terminating`, `Evicted`. */
  reason?: string;
  node?: string;
  createdAt?: string;
  ageSeconds?: number;
  /** Runs the workload's current template (false: a pod of a previous revision on its way out). */
  current: boolean;
  terminating: boolean;
  containers: ContainerHealth[];
}

/** What a failing pod says: the reason, which container, the kubelet's words and since when. */
export interface PodFailure {
  reason: FailedReason | 'Unschedulable';
  container?: string;
  message?: string;
  since?: string;
}

export function podHealth(pod: Pod, now: number, current: boolean): PodHealth {
  const status = pod.status ?? {};
  const containers = (status.containerStatuses ?? []).map((c) => containerHealth(c));
  const inits = (status.initContainerStatuses ?? []).map((c) => ({ ...containerHealth(c), init: true as const }));
  const terminating = pod.metadata.deletionTimestamp !== undefined;
  const result: PodHealth = {
    name: pod.metadata.name ?? '',
    phase: status.phase ?? 'Unknown',
    ready: conditionTrue(pod, 'Ready'),
    restarts: containers.reduce((sum, c) => sum + c.restarts, 0),
    current,
    terminating,
    // Declared containers without a status yet (just scheduled) still show, with their image.
    containers: [...inits.filter((c) => c.state !== 'terminated' || c.reason !== 'Completed'), ...withDeclared(pod, containers)],
  };
  const reason = terminating ? 'Terminating' : (podFailure(pod)?.reason ?? status.reason ?? progressReason(inits, containers));
  if (reason) result.reason = reason;
  if (pod.spec?.nodeName) result.node = pod.spec.nodeName;
  const created = pod.metadata.creationTimestamp;
  if (created) {
    result.createdAt = created;
    const age = Math.floor((now - Date.parse(created)) / 1000);
    if (Number.isFinite(age)) result.ageSeconds = Math.max(0, age);
  }
  return result;
}

/**
 * The failure this pod gives its workload, if any. OOMKilled wins over the CrashLoopBackOff it
 * causes: the back-off is the symptom, the memory limit the cause the user must change.
 */
export function podFailure(pod: Pod): PodFailure | undefined {
  const status = pod.status ?? {};
  for (const c of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]) {
    const waiting = c.state?.waiting;
    const terminated = c.state?.terminated;
    const last = c.lastState?.terminated;
    if (terminated?.reason === 'OOMKilled') return failure('OOMKilled', c.name, terminated.message, terminated.finishedAt);
    if (waiting?.reason === 'CrashLoopBackOff' && last?.reason === 'OOMKilled') return failure('OOMKilled', c.name, last.message, last.finishedAt);
    const reason = waiting?.reason;
    if (reason && (FAILED_WAITING_REASONS as readonly string[]).includes(reason)) {
      return failure(reason as FailedReason, c.name, waiting?.message, notReadySince(pod) ?? last?.finishedAt);
    }
  }
  // Between two back-off waits a crash-looping container runs (not ready) for a moment: the kubelet
  // then reports no CrashLoopBackOff, but it is the same loop, and a workload must not flicker from
  // red to "no ready replicas" and back with every restart.
  for (const c of status.containerStatuses ?? []) {
    const last = c.lastState?.terminated;
    const crashed = last !== undefined && (last.exitCode ?? 0) !== 0 && last.reason !== 'Completed';
    if (!c.ready && (c.restartCount ?? 0) >= 2 && crashed && !c.state?.waiting) {
      const how = `restarted ${c.restartCount} times; its last run ended with exit code ${last.exitCode ?? '?'}${last.reason ? ` (${last.reason})` : ''}`;
      return failure('CrashLoopBackOff', c.name, `Crash loop: ${how}.`, notReadySince(pod) ?? last.finishedAt);
    }
  }
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') return failure('Unschedulable', undefined, scheduled.message, scheduled.lastTransitionTime);
  return undefined;
}

export function conditionTrue(pod: Pod, type: string): boolean {
  return pod.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}

/** When the pod last restarted one of its containers (ms since the epoch), if it ever did. */
export function lastRestartMs(pod: Pod): { at: number; container: string } | undefined {
  let latest: { at: number; container: string } | undefined;
  for (const c of pod.status?.containerStatuses ?? []) {
    const at = restartTime(c);
    if (at === undefined) continue;
    const ms = Date.parse(at);
    if (Number.isFinite(ms) && (latest === undefined || ms > latest.at)) latest = { at: ms, container: c.name };
  }
  return latest;
}

function failure(reason: PodFailure['reason'], container: string | undefined, message: string | undefined, since: string | undefined): PodFailure {
  const f: PodFailure = { reason };
  if (container !== undefined) f.container = container;
  if (message) f.message = message;
  if (since) f.since = since;
  return f;
}

function notReadySince(pod: Pod): string | undefined {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'False' ? ready.lastTransitionTime : undefined;
}

// The restart happened when the previous run ended; a running container that restarted started then.
function restartTime(c: ContainerStatus): string | undefined {
  if (!c.restartCount) return undefined;
  return c.lastState?.terminated?.finishedAt ?? c.state?.running?.startedAt;
}

function containerHealth(c: ContainerStatus): ContainerHealth {
  const state: ContainerStateName = c.state?.running ? 'running' : c.state?.waiting ? 'waiting' : c.state?.terminated ? 'terminated' : 'unknown';
  const h: ContainerHealth = { name: c.name, image: c.image ?? '', ready: c.ready === true, restarts: c.restartCount ?? 0, state };
  const detail = c.state?.waiting ?? c.state?.terminated;
  if (detail?.reason) h.reason = detail.reason;
  if (detail?.message) h.message = detail.message;
  if (c.lastState?.terminated?.reason) h.lastTerminationReason = c.lastState.terminated.reason;
  const restarted = restartTime(c);
  if (restarted) h.lastRestartAt = restarted;
  return h;
}

function withDeclared(pod: Pod, statuses: ContainerHealth[]): ContainerHealth[] {
  const declared = pod.spec?.containers ?? [];
  if (statuses.length >= declared.length) return statuses;
  const known = new Set(statuses.map((c) => c.name));
  const missing = declared
    .filter((c) => !known.has(c.name))
    .map((c): ContainerHealth => ({ name: c.name, image: c.image ?? '', ready: false, restarts: 0, state: 'unknown' }));
  return [...statuses, ...missing];
}

function progressReason(inits: ContainerHealth[], containers: ContainerHealth[]): string | undefined {
  for (const c of [...inits, ...containers]) {
    if (c.state === 'waiting' && c.reason) return c.reason;
  }
  for (const c of containers) {
    if (c.state === 'terminated' && c.reason) return c.reason;
  }
  return undefined;
}
