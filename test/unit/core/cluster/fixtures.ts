// Recorded `kubectl get deploy,sts,ds,rs,pods -o json` lists of test/unit/fixtures/cluster, split by kind.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { KubeList, Pod, ReplicaSet, WorkloadObject } from '../../../../src/core/cluster/kubeTypes';
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
