// The sentences a tile says about itself (issue 14: "reasons are sentences a person reads"). One
// function per cause, each returning the cause's colour by the rules the tree uses: workloads by
// workloadColour (spec §5), Git by §4 (drift a warning, unresolved values action needed).
import { plural } from '../format';
import type { EnvironmentClusterStatus } from '../cluster/environmentStatus';
import { workloadColour } from '../cluster/healthColours';
import { ERROR_LABELS } from '../cluster/treeParts';
import type { WorkloadHealth } from '../cluster/workloadHealth';
import type { Release } from '../release/types';
import type { FleetReason, FleetTile, RolloutObservation } from './types';

const list = (names: readonly string[]) => (names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`);

export function unresolvedReason(workloads: readonly string[]): FleetReason {
  const text =
    workloads.length === 1
      ? `${workloads[0]!} has values that do not resolve (an undefined variable or an invalid layer)`
      : `${workloads.length} workloads have values that do not resolve: ${list(workloads)}`;
  return { colour: 'red', kind: 'unresolved', text };
}

export function gitErrorReason(message: string): FleetReason {
  return { colour: 'red', kind: 'git', text: `Git could not be read: ${message}` };
}

export function neverDeployedReason(environment: string, tenant: string): FleetReason {
  return { colour: 'yellow', kind: 'never-deployed', text: `Never deployed (no branch gitopshq/deployed/${tenant}/${environment})` };
}

export function driftReason(count: number): FleetReason {
  return { colour: 'yellow', kind: 'drift', text: `${plural(count, 'change')} not deployed` };
}

export function approvalReason(pending: number, mine: number): FleetReason {
  const waits = pending === 1 ? 'release waits' : 'releases wait';
  if (mine === pending) return { colour: 'yellow', kind: 'approval', text: `${pending} ${waits} for your approval` };
  if (mine === 0) return { colour: 'yellow', kind: 'approval', text: `${pending} ${waits} for approval` };
  return { colour: 'yellow', kind: 'approval', text: `${pending} ${waits} for approval (${mine} for yours)` };
}

export function releaseReason(release: Release): FleetReason {
  if (release.state === 'failed') {
    const why = [...release.history].reverse().find((h) => h.state === 'failed')?.comment;
    return { colour: 'red', kind: 'release', text: `Release “${release.title}” failed${why ? `: ${why}` : ''}` };
  }
  return { colour: 'yellow', kind: 'release', text: `Release “${release.title}” is being deployed` };
}

/** The timeline's observation (the seam): a rollout under way warns, a failed one needs action. */
export function rolloutReason(r: RolloutObservation): FleetReason | undefined {
  const name = r.release ? `Release “${r.release.title ?? r.release.id}”` : 'A release';
  if (r.phase === 'in_progress') return { colour: 'yellow', kind: 'rollout', text: `${name} is rolling out in the cluster` };
  if (r.phase !== 'failed') return undefined;
  const where = r.failure?.pod ? ` in pod ${r.failure.pod}${r.failure.container ? `, container ${r.failure.container}` : ''}` : '';
  return { colour: 'red', kind: 'rollout', text: `${name} failed in the cluster${r.failure ? `: ${r.failure.reason}${where}` : ''}` };
}

/** A bound workload that is not healthy: its name, the pod's reason (CrashLoopBackOff…) and where. */
export function workloadReason(w: WorkloadHealth): { reason: FleetReason; unhealthy: FleetTile['unhealthy'][number] } | undefined {
  const colour = workloadColour(w);
  if (colour === 'green' || w.health === 'unknown') return undefined;
  const where = w.pod ? ` (pod ${w.pod}${w.container ? `, container ${w.container}` : ''})` : '';
  let text: string;
  switch (w.reason) {
    case 'RolloutInProgress':
      text = `${w.name} is rolling out (${w.ready}/${w.desired} ready)`;
      break;
    case 'FewerReady':
      text = `${w.name}: ${w.ready} of ${w.desired} ready`;
      break;
    case 'NoReadyReplicas':
      text = `${w.name}: none of ${w.desired} ready`;
      break;
    case 'RecentRestarts':
      text = `${w.name} restarted in the last 10 minutes${where}`;
      break;
    case 'NotFound':
      text = `${w.name} is not in the cluster`;
      break;
    default:
      text = `${w.name}: ${w.reason ?? w.health}${where}`;
  }
  const unhealthy: FleetTile['unhealthy'][number] = { workload: w.name, colour, reason: w.reason ?? w.health };
  if (w.message) unhealthy.message = w.message;
  return { reason: { colour, kind: 'workload', text }, unhealthy };
}

export function connectionReason(status: EnvironmentClusterStatus): FleetReason {
  const label = status.connection === 'connected' ? 'Cluster connected' : ERROR_LABELS[status.connection];
  return { colour: 'yellow', kind: 'connection', text: `${label}${status.context ? ` (context ${status.context})` : ''}` };
}

/** What a green tile says. */
export function greenSentence(tile: Pick<FleetTile, 'git' | 'connection'>, healthy: number | undefined): string {
  const git = tile.git === 'deployed' ? 'In sync with main' : tile.git === 'no-git' ? 'Not a Git repository' : 'Reading Git…';
  if (healthy === undefined) return tile.connection === 'unknown' ? `${git} · cluster not asked yet` : git;
  return `${git} · ${healthy === 0 ? 'no workload bound' : `${plural(healthy, 'workload')} healthy`}`;
}
