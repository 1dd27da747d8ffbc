// Why a rollout failed (spec §5 "Failed"), with the moment the objects give and one line that names
// the pod, the reason and what the kubelet or the controller said.
import type { Condition, KubeEvent, Pod } from '../cluster/kubeTypes';
import { podFailure } from '../cluster/podHealth';
import { argoDetail } from './recognise';
import { eventTime } from './events';
import { ms } from './times';
import type { TimelineApplication, TimelineFailure } from './types';

export interface FailureStep {
  failure: TimelineFailure;
  /** ms since the epoch, when the objects say. */
  at: number | undefined;
  detail: string;
}

const IMAGE_REASONS = ['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName'];

/** The first failing pod of the release's template (terminating pods excluded), by name. */
export function podFailureStep(currentPods: readonly Pod[], events: readonly KubeEvent[]): FailureStep | undefined {
  const pods = currentPods.filter((p) => p.metadata.deletionTimestamp === undefined).sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const pod of pods) {
    const f = podFailure(pod);
    if (!f || f.reason === 'Unschedulable') continue;
    const name = pod.metadata.name ?? '';
    const failure: TimelineFailure = { reason: f.reason, pod: name };
    if (f.container !== undefined) failure.container = f.container;
    if (f.message) failure.message = f.message;
    // The first warning about the pod (a failed pull, a back-off) dates the failure better than the Ready condition.
    const at = firstWarning(events, name) ?? ms(f.since) ?? ms(pod.status?.startTime) ?? ms(pod.metadata.creationTimestamp);
    return { failure, at, detail: `pod ${name} ${f.reason} (${explain(pod, f.reason, f.container, f.message, events)})` };
  }
  return undefined;
}

/**
 * The controller's verdict, dated when the deadline passed if that is earlier (the controller writes
 * the condition at its next sync): the live view, which fails the rollout at the deadline before the
 * condition, and a view opened later then agree.
 */
export function deadlineConditionStep(condition: Condition, startedAt: number, deadlineSeconds: number | undefined): FailureStep {
  const failure: TimelineFailure = { reason: 'ProgressDeadlineExceeded' };
  if (condition.message) failure.message = condition.message;
  const said = ms(condition.lastUpdateTime) ?? ms(condition.lastTransitionTime);
  const due = deadlineSeconds === undefined ? undefined : startedAt + deadlineSeconds * 1000;
  return {
    failure,
    at: said === undefined ? due : due === undefined ? said : Math.min(said, due),
    detail: `ProgressDeadlineExceeded${condition.message ? `: ${condition.message}` : ''}`,
  };
}

/** In Progress for longer than the deadline, before the controller says so (it checks only when it syncs). */
export function deadlineTimeStep(startedAt: number, deadlineSeconds: number, now: number): FailureStep | undefined {
  const at = startedAt + deadlineSeconds * 1000;
  if (at > now) return undefined;
  return {
    failure: { reason: 'ProgressDeadlineExceeded', message: `The rollout did not complete within progressDeadlineSeconds (${deadlineSeconds} s).` },
    at,
    detail: `In Progress for more than ${deadlineSeconds} s (progressDeadlineSeconds)`,
  };
}

export function argoDegradedStep(app: TimelineApplication): FailureStep | undefined {
  const health = app.status?.health;
  if (health?.status !== 'Degraded') return undefined;
  const failure: TimelineFailure = { reason: 'Degraded' };
  if (health.message) failure.message = health.message;
  return {
    failure,
    at: ms(health.lastTransitionTime) ?? ms(app.status?.operationState?.finishedAt),
    detail: `${argoDetail(app)}${health.message ? ` (${health.message})` : ''}`,
  };
}

function explain(pod: Pod, reason: string, container: string | undefined, message: string | undefined, events: readonly KubeEvent[]): string {
  const c = (pod.spec?.containers ?? []).find((x) => x.name === container) ?? (pod.spec?.initContainers ?? []).find((x) => x.name === container);
  if (IMAGE_REASONS.includes(reason)) {
    const image = c?.image ?? pod.status?.containerStatuses?.find((s) => s.name === container)?.image ?? 'unknown';
    // The back-off's own message only repeats the image; the pull's failure (in the events) says why.
    const words = [message ?? '', ...podWarnings(events, pod.metadata.name ?? '').map((e) => e.message ?? '')].join('\n');
    if (/not found|manifest unknown|does not exist/i.test(words)) return `image ${image} not found`;
    if (/unauthorized|denied|authentication required/i.test(words)) return `image ${image}: access denied`;
    if (reason === 'InvalidImageName') return `image ${image}: invalid name`;
    return `image ${image}`;
  }
  const where = container ? `container ${container}` : 'pod';
  if (reason === 'OOMKilled') return `${where} over its memory limit`;
  if (reason === 'CrashLoopBackOff') {
    const exit = pod.status?.containerStatuses?.find((s) => s.name === container)?.lastState?.terminated?.exitCode;
    return `${where}${exit !== undefined ? ` exited with code ${exit}` : ' keeps crashing'}`;
  }
  return message ? `${where}: ${message}` : where;
}

function podWarnings(events: readonly KubeEvent[], pod: string): KubeEvent[] {
  return events.filter((e) => e.type === 'Warning' && e.involvedObject.kind === 'Pod' && e.involvedObject.name === pod);
}

function firstWarning(events: readonly KubeEvent[], pod: string): number | undefined {
  let first: number | undefined;
  // A failing readiness probe is not the failure: it warns about every pod that starts slowly.
  for (const e of podWarnings(events, pod).filter((x) => x.reason !== 'Unhealthy')) {
    const at = ms(e.firstTimestamp) ?? eventTime(e);
    if (at !== undefined && (first === undefined || at < first)) first = at;
  }
  return first;
}
