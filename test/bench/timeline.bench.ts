// Phase derivation of the deployment timeline (issue 13: ≤ 5 ms in the bench) for a release whose
// workload has 50 pods and 500 events: the recorded storefront rollout scaled up, once half-way
// (25 new pods, 25 old) and once Healthy, as the panel recomputes it on every live update.
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import type { Deployment, KubeEvent, KubeList, Pod, ReplicaSet } from '../../src/core/cluster/kubeTypes';
import { timeline } from '../../src/core/timeline/phases';
import type { TimelineInput } from '../../src/core/timeline/types';
import type { BenchResult } from './projectIndex.bench';
import { median, round } from './stats';

const FIXTURE = path.resolve(__dirname, '../../../test/unit/fixtures/cluster/timeline-rollout.json');
const C2 = '1a410efbd13591db07496601ebc7a059dd55cfe9';
const RUNS = 200;

type Item = { kind: string; metadata: { name?: string } };

function scaled(index: number, newPods: number, oldPods: number): TimelineInput {
  const { snapshots } = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { snapshots: (KubeList<Item> & { recordedAt: string })[] };
  const s = snapshots[index]!;
  const of = <T>(kind: string) => s.items.filter((i) => i.kind === kind) as unknown as T[];
  const deployment = of<Deployment>('Deployment')[0]!;
  const replicaSets = of<ReplicaSet>('ReplicaSet');
  const pods = of<Pod>('Pod');
  const template = (prefix: string) => pods.find((p) => p.metadata.name!.startsWith(prefix))!;
  const clone = (p: Pod, i: number): Pod => {
    const c = JSON.parse(JSON.stringify(p)) as Pod;
    c.metadata.name = `${p.metadata.name!.slice(0, -5)}${i.toString(36).padStart(5, 'a')}`;
    delete c.metadata.deletionTimestamp;
    return c;
  };
  const newOne = template('storefront-7d9c5b8f6-');
  const oldOne = JSON.parse(JSON.stringify(newOne)) as Pod;
  oldOne.metadata.name = 'storefront-6f8b7c9d4-aaaaa';
  oldOne.metadata.labels!['pod-template-hash'] = '6f8b7c9d4';
  oldOne.metadata.ownerReferences![0]!.name = 'storefront-6f8b7c9d4';
  oldOne.metadata.ownerReferences![0]!.uid = replicaSets.find((r) => r.metadata.name === 'storefront-6f8b7c9d4')!.metadata.uid!;
  const all = [...Array.from({ length: newPods }, (_, i) => clone(newOne, i)), ...Array.from({ length: oldPods }, (_, i) => clone(oldOne, i))];
  deployment.spec!.replicas = 50;
  Object.assign(deployment.status!, { replicas: newPods + oldPods, updatedReplicas: newPods, readyReplicas: newPods + oldPods, availableReplicas: newPods + oldPods });
  const base = of<KubeEvent>('Event');
  const events = Array.from({ length: 500 }, (_, i) => {
    const e = JSON.parse(JSON.stringify(base[i % base.length])) as KubeEvent;
    if (e.involvedObject.kind === 'Pod') e.involvedObject.name = all[i % all.length]!.metadata.name!;
    e.metadata.name = `${e.involvedObject.name}.${i}`;
    return e;
  });
  return {
    release: { id: 'rel_bench', environment: 'production', deploy: { commit: C2, at: '2026-03-02T10:00:00Z' } },
    project: 'shop',
    tenant: 'acme',
    workload: { kind: 'Deployment', name: 'storefront', selector: { 'app.kubernetes.io/name': 'storefront' } },
    object: deployment,
    replicaSets,
    pods: all,
    events,
    imageTag: '3.2.0',
    isAncestor: () => true,
    now: Date.parse(s.recordedAt),
  };
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const cases: [string, TimelineInput, string][] = [
    ['rolling', scaled(2, 25, 25), 'in_progress'],
    ['healthy', scaled(4, 50, 0), 'healthy'],
  ];
  for (const [name, input, expected] of cases) {
    const first = timeline(input);
    if (first.phase !== expected || first.pods.current.length + first.pods.old.length !== 50 || first.events.length !== 500) {
      throw new Error(`timeline bench ${name}: unexpected ${first.phase}, ${first.pods.current.length}+${first.pods.old.length} pods, ${first.events.length} events`);
    }
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      timeline({ ...input, previous: first });
      times.push(performance.now() - started);
    }
    results.push({ name: `timeline.phases.${name}.50pods.500events`, value: round(median(times)), unit: 'ms', budget: 5 });
  }
  return results;
}
