// Recorded `kubectl get deploy,sts,ds,rs,pods -o json` lists of test/unit/fixtures/cluster, split by kind,
// and sequences of such lists (with events and Argo CD Applications) taken during a rollout.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ArgoApplication } from '../../../../src/core/cluster/connections';
import type { DaemonSet, Deployment, KubeEvent, KubeList, Pod, ReplicaSet, StatefulSet, WorkloadObject } from '../../../../src/core/cluster/kubeTypes';
import type { WorkloadObservation } from '../../../../src/core/cluster/workloadHealth';
import type { KubeKind } from '../../../../src/core/types';

const DIR = path.resolve(__dirname, '../../../../../test/unit/fixtures/cluster');

/** The instant the fixtures were recorded at. */
export const RECORDED_AT = Date.parse('2026-03-02T10:30:00Z');

type Item = { kind: string; metadata: { name?: string } };

export function recorded(file: string): Item[] {
  return (JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as KubeList<Item>).items;
}

/** What the informers would hold for the workload `name` of `kind`, selected by app.kubernetes.io/name. */
export function observation(file: string, kind: KubeKind, name: string): WorkloadObservation {
  const items = recorded(file);
  return {
    kind,
    name,
    selector: { 'app.kubernetes.io/name': name },
    object: items.find((i) => i.kind === kind && i.metadata.name === name) as WorkloadObject | undefined,
    replicaSets: items.filter((i) => i.kind === 'ReplicaSet') as unknown as ReplicaSet[],
    pods: items.filter((i) => i.kind === 'Pod') as unknown as Pod[],
  };
}

/** One snapshot of a recorded sequence (test/unit/fixtures/cluster/timeline-*.json), split by kind. */
export interface RecordedSnapshot {
  /** When the lists were taken (ms since the epoch). */
  at: number;
  deployments: Deployment[];
  statefulSets: StatefulSet[];
  daemonSets: DaemonSet[];
  replicaSets: ReplicaSet[];
  pods: Pod[];
  events: KubeEvent[];
  applications: ArgoApplication[];
}

/** A sequence of lists taken while something happened in the cluster, oldest first. */
export function sequence(file: string): RecordedSnapshot[] {
  const { snapshots } = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as { snapshots: (KubeList<Item> & { recordedAt: string })[] };
  return snapshots.map((s) => {
    const of = <T>(kind: string) => s.items.filter((i) => i.kind === kind) as unknown as T[];
    return {
      at: Date.parse(s.recordedAt),
      deployments: of<Deployment>('Deployment'),
      statefulSets: of<StatefulSet>('StatefulSet'),
      daemonSets: of<DaemonSet>('DaemonSet'),
      replicaSets: of<ReplicaSet>('ReplicaSet'),
      pods: of<Pod>('Pod'),
      events: of<KubeEvent>('Event'),
      applications: of<ArgoApplication>('Application'),
    };
  });
}
