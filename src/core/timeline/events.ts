// The Kubernetes events of one workload (the object, its ReplicaSets and its pods, including pods
// already deleted), oldest first, with one time each.
import type { KubeEvent, ReplicaSet } from '../cluster/kubeTypes';
import type { KubeKind } from '../types';
import { iso, ms } from './times';
import type { TimelineEvent } from './types';

export interface WorkloadEventScope {
  kind: KubeKind;
  name: string;
  /** Names of the workload's pods (current and old). */
  pods: ReadonlySet<string>;
  /** The workload's ReplicaSets (Deployments). */
  replicaSets: readonly ReplicaSet[];
}

/** When the event last happened: `eventTime` (events.k8s.io), else `lastTimestamp`, else the first. */
export function eventTime(e: KubeEvent): number | undefined {
  return ms(e.eventTime) ?? ms(e.lastTimestamp) ?? ms(e.firstTimestamp) ?? ms(e.metadata.creationTimestamp);
}

/** When a repeated event first happened. */
export function eventStart(e: KubeEvent): number | undefined {
  return ms(e.firstTimestamp) ?? eventTime(e);
}

export function workloadEvents(events: readonly KubeEvent[], scope: WorkloadEventScope): { event: KubeEvent; at: number }[] {
  const rsNames = new Set(scope.replicaSets.map((rs) => rs.metadata.name ?? ''));
  // Pods already deleted keep their events for a while: recognise them by the names their controller gives.
  const podName = podNamePattern(scope.kind, scope.name, [...rsNames]);
  const ours = (e: KubeEvent): boolean => {
    const o = e.involvedObject;
    const name = o.name ?? '';
    if (o.kind === scope.kind) return name === scope.name;
    if (o.kind === 'ReplicaSet') return rsNames.has(name);
    if (o.kind === 'Pod') return scope.pods.has(name) || podName.test(name);
    return false;
  };
  const selected: { event: KubeEvent; at: number }[] = [];
  for (const event of events) {
    if (!ours(event)) continue;
    const at = eventTime(event);
    if (at !== undefined) selected.push({ event, at });
  }
  return selected.sort((a, b) => a.at - b.at);
}

export function toTimelineEvent(e: { event: KubeEvent; at: number }): TimelineEvent {
  const o = e.event.involvedObject;
  return {
    at: iso(e.at),
    type: e.event.type ?? 'Normal',
    reason: e.event.reason ?? '',
    message: e.event.message ?? '',
    object: `${o.kind ?? ''}/${o.name ?? ''}`,
    count: e.event.count ?? 1,
  };
}

function podNamePattern(kind: KubeKind, name: string, replicaSets: string[]): RegExp {
  const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (kind === 'StatefulSet') return new RegExp(`^${quote(name)}-\\d+$`);
  if (kind === 'DaemonSet') return new RegExp(`^${quote(name)}-[a-z0-9]{5}$`);
  if (replicaSets.length === 0) return /$^/;
  return new RegExp(`^(?:${replicaSets.map(quote).join('|')})-[a-z0-9]{5}$`);
}
