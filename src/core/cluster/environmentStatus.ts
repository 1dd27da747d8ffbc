// The cluster status of one (project, environment, tenant): each bound workload's health from the
// informers' snapshot of its namespace. What the tree, `clusterStatus` and later the dashboard show.
import type { Environment, Project, Workload } from '../types';
import type { ConnectionState } from './clusterErrors';
import type { ScopeSnapshot } from './connections';
import { environmentColour, type HealthColour } from './healthColours';
import type { WorkloadObject } from './kubeTypes';
import { environmentPlacement, tenantSelector, tenantsSharingNamespace, workloadTarget, type ClusterOverrides, type EnvironmentPlacement } from './placement';
import { workloadHealth, type WorkloadHealth } from './workloadHealth';

export interface EnvironmentClusterStatus {
  connection: ConnectionState;
  /** The context and namespace asked (the snapshot's, once resolved). */
  context?: string;
  namespace?: string;
  /** Why the connection is not `connected`, for the user: names the context, never a credential. */
  message?: string;
  /** What to do about it, when known. */
  hint?: string;
  /** False until every informer listed: the workloads are then `unknown`. */
  synced: boolean;
  workloads: WorkloadHealth[];
  /** The colour of the cluster side (connection and workloads), spec §5. */
  colour: HealthColour;
  /** Why it is not green, worst first. */
  causes: string[];
}

export interface EnvironmentStatusInput {
  project: Pick<Project, 'slug' | 'tenants'>;
  environment: Pick<Environment, 'name' | 'cluster'>;
  tenant: string;
  /** The workloads bound in (environment, tenant): the others are not deployed there. */
  workloads: readonly Pick<Workload, 'name' | 'kube'>[];
  overrides?: ClusterOverrides;
  /** The snapshot of the placement's scope, or undefined before the Kubernetes bundle answered. */
  snapshot: ScopeSnapshot | undefined;
  now: number;
}

export function environmentStatus(input: EnvironmentStatusInput): EnvironmentClusterStatus {
  const { project, environment, tenant, overrides, snapshot } = input;
  const placement = environmentPlacement(project.slug, environment, tenant, overrides);
  const where = locate(placement, snapshot);
  if (snapshot === undefined) return connectingStatus(placement, input.workloads);
  if (snapshot.connection !== 'connected' && !snapshot.synced) {
    const status: EnvironmentClusterStatus = { connection: snapshot.connection, ...where, synced: false, workloads: [], colour: 'yellow', causes: [`cluster: ${snapshot.connection}`] };
    if (snapshot.error) status.message = snapshot.error.message;
    if (snapshot.error?.hint) status.hint = snapshot.error.hint;
    return status;
  }
  const shared = tenantsSharingNamespace(project.slug, environment, tenant, project.tenants, overrides).length > 1;
  const podLabels = snapshot.pods.map((p) => p.metadata.labels);
  const workloads = input.workloads.map((w) => {
    const target = workloadTarget(project.slug, environment, tenant, w, overrides);
    return workloadHealth(
      {
        kind: target.kind,
        name: target.name,
        selector: tenantSelector(target.selector, tenant, shared, podLabels),
        object: findObject(snapshot, target.kind, target.name),
        replicaSets: snapshot.replicaSets,
        pods: snapshot.pods,
        synced: snapshot.synced,
      },
      input.now,
    );
  });
  const named = rename(workloads, input.workloads);
  // A cluster that answered once and then dropped keeps its last objects: the problem still shows.
  const { colour, causes } = environmentColour({ workloads: named, connection: snapshot.connection });
  const status: EnvironmentClusterStatus = { connection: snapshot.connection, ...where, synced: snapshot.synced, workloads: named, colour, causes };
  if (snapshot.error) status.message = snapshot.error.message;
  if (snapshot.error?.hint) status.hint = snapshot.error.hint;
  return status;
}

/**
 * Before the informers answer: every bound workload `unknown`. Kept apart from the derivation so the
 * editor can say "connecting" without loading the Kubernetes bundle that carries the rest of this file.
 */
export function connectingStatus(placement: EnvironmentPlacement, workloads: EnvironmentStatusInput['workloads']): EnvironmentClusterStatus {
  return {
    connection: 'connected',
    ...locate(placement, undefined),
    synced: false,
    workloads: workloads.map((w) => ({ kind: w.kube.kind, name: w.name, desired: 0, ready: 0, updated: 0, available: 0, health: 'unknown', reason: 'NotSynced', images: [], pods: [] })),
    colour: 'yellow',
    causes: ['cluster: connecting'],
  };
}

function locate(placement: EnvironmentPlacement, snapshot: ScopeSnapshot | undefined): { context?: string; namespace?: string } {
  const context = snapshot?.context ?? placement.context;
  const namespace = snapshot?.namespace ?? placement.namespace;
  return { ...(context ? { context } : {}), ...(namespace ? { namespace } : {}) };
}

/** Health speaks of the Kubernetes object; the tree and the API speak of the workload's name in the manifest. */
function rename(health: WorkloadHealth[], workloads: EnvironmentStatusInput['workloads']): WorkloadHealth[] {
  return health.map((h, i) => (workloads[i]!.name === h.name ? h : { ...h, name: workloads[i]!.name }));
}

function findObject(snapshot: ScopeSnapshot, kind: Workload['kube']['kind'], name: string): WorkloadObject | undefined {
  const list: readonly WorkloadObject[] = kind === 'StatefulSet' ? snapshot.statefulSets : kind === 'DaemonSet' ? snapshot.daemonSets : snapshot.deployments;
  return list.find((o) => o.metadata.name === name);
}
