// What the tree says about the cluster: the words added to an environment's or tenant's row, a
// workload's replicas and health, and the error node of an environment whose cluster cannot be asked.
import { plural, relativeTime } from '../format';
import type { ClusterErrorKind } from './clusterErrors';
import type { EnvironmentClusterStatus } from './environmentStatus';
import { workloadColour, type HealthColour } from './healthColours';
import type { WorkloadHealth } from './workloadHealth';

export interface RowParts {
  /** Undefined: the cluster adds nothing to the row's colour (not listed yet). */
  colour?: HealthColour;
  /** Appended to the row's description, when there is something to say. */
  description?: string;
  tooltip: string[];
}

export const ERROR_LABELS: Record<ClusterErrorKind, string> = {
  'no-context': 'Context not in kubeconfig',
  unreachable: 'Cluster unreachable',
  unauthorized: 'Not authorized by the cluster',
  forbidden: 'Forbidden by the cluster',
  tls: 'TLS error talking to the cluster',
  'exec-plugin': 'Credential plugin failed',
  error: 'Cluster error',
};

function where(status: EnvironmentClusterStatus): string {
  return `context ${status.context ?? '(current)'}, namespace ${status.namespace ?? '(the context\u2019s)'}`;
}

/** The environment's (or tenant's) row: the first problem in the description, all of them in the tooltip. */
export function clusterStatusParts(status: EnvironmentClusterStatus | undefined): RowParts {
  if (!status) return { tooltip: [] };
  if (status.connection !== 'connected') {
    return { colour: 'yellow', description: `cluster: ${status.connection}`, tooltip: [`Cluster (${where(status)}): ${status.message ?? status.connection}`] };
  }
  if (!status.synced) return { description: 'cluster: connecting…', tooltip: [`Cluster (${where(status)}): connecting…`] };
  const notGreen = status.workloads.filter((w) => workloadColour(w) !== 'green');
  const tooltip = [`Cluster (${where(status)}): ${status.workloads.length - notGreen.length}/${plural(status.workloads.length, 'workload')} healthy`];
  for (const w of notGreen) tooltip.push(`  • ${w.name}: ${w.message ?? w.reason ?? w.health}`);
  const first = notGreen.find((w) => workloadColour(w) === 'red') ?? notGreen[0];
  const parts: RowParts = { colour: status.colour, tooltip };
  if (first) parts.description = `${first.name} ${first.reason ?? first.health}${notGreen.length > 1 ? ` +${notGreen.length - 1}` : ''}`;
  return parts;
}

/** A workload's row: `2/3` ready of desired and its health, from the environment's status. */
export function workloadClusterParts(status: EnvironmentClusterStatus | undefined, workload: string, now: Date): RowParts {
  if (!status || status.connection !== 'connected' || !status.synced) return { tooltip: [] };
  const w = status.workloads.find((x) => x.name === workload);
  if (!w) return { tooltip: [] };
  const colour = workloadColour(w);
  const tooltip = [`Cluster: ${w.kind} ${w.health}${w.reason ? ` (${w.reason})` : ''}, ${w.ready}/${w.desired} ready, ${w.updated} updated, ${w.available} available`];
  if (w.message) tooltip.push(w.message);
  if (w.pod) tooltip.push(`Pod: ${w.pod}${w.container ? `, container ${w.container}` : ''}`);
  if (w.since) tooltip.push(`Since ${relativeTime(new Date(w.since), now)} (${w.since})`);
  if (w.pods.length > 0) tooltip.push(`Pods:\n${w.pods.map((p) => `  • ${podLine(p)}`).join('\n')}`);
  const description = w.health === 'missing' ? 'not in cluster' : `${w.ready}/${w.desired}${w.reason && colour !== 'green' ? ` ${w.reason}` : ''}`;
  return { colour, description, tooltip };
}

function podLine(p: WorkloadHealth['pods'][number]): string {
  const bits = [p.phase, p.ready ? 'ready' : 'not ready'];
  if (p.restarts > 0) bits.push(plural(p.restarts, 'restart'));
  if (p.reason) bits.push(p.reason);
  if (!p.current) bits.push('old revision');
  return `${p.name}: ${bits.join(', ')}`;
}

/** The error node: undefined while the cluster answers (or before it was asked). */
export function clusterNodeParts(status: EnvironmentClusterStatus | undefined): { label: string; description: string; tooltip: string } | undefined {
  if (!status || status.connection === 'connected') return undefined;
  const label = ERROR_LABELS[status.connection];
  const tooltip = [status.message ?? label, status.hint, 'Select Context… picks another context for this environment; Retry connects again now.']
    .filter(Boolean)
    .join('\n');
  return { label, description: status.context ?? '', tooltip };
}
