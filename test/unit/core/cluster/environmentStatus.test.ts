import * as assert from 'node:assert/strict';
import { ClusterError } from '../../../../src/core/cluster/clusterErrors';
import type { ScopeSnapshot } from '../../../../src/core/cluster/connections';
import { environmentStatus, type EnvironmentStatusInput } from '../../../../src/core/cluster/environmentStatus';
import type { Deployment, Pod, ReplicaSet } from '../../../../src/core/cluster/kubeTypes';
import { clusterNodeParts, clusterStatusParts, workloadClusterParts } from '../../../../src/core/cluster/treeParts';
import { RECORDED_AT, recorded } from './fixtures';

/** The informers' snapshot of namespace shop-acme, from one recorded `kubectl get -o json`. */
function snapshot(file: string, extra: Partial<ScopeSnapshot> = {}): ScopeSnapshot {
  const items = recorded(file);
  return {
    context: 'kind-shop',
    namespace: 'shop-acme',
    connection: 'connected',
    synced: true,
    deployments: items.filter((i) => i.kind === 'Deployment') as unknown as Deployment[],
    statefulSets: [],
    daemonSets: [],
    replicaSets: items.filter((i) => i.kind === 'ReplicaSet') as unknown as ReplicaSet[],
    pods: items.filter((i) => i.kind === 'Pod') as unknown as Pod[],
    events: [],
    ...extra,
  };
}

const api = { name: 'api', kube: { kind: 'Deployment' as const, name: 'api', selector: { 'app.kubernetes.io/name': 'api' } } };
const worker = { name: 'worker', kube: { kind: 'Deployment' as const, name: 'worker', selector: { 'app.kubernetes.io/name': 'worker' } } };

function input(snap: ScopeSnapshot | undefined, over: Partial<EnvironmentStatusInput> = {}): EnvironmentStatusInput {
  return {
    project: { slug: 'shop', tenants: ['acme', 'globex'] },
    environment: { name: 'dev', cluster: { context: 'kind-shop', namespace: 'shop-{tenant}' } },
    tenant: 'acme',
    workloads: [api],
    snapshot: snap,
    now: RECORDED_AT,
    ...over,
  };
}

describe('environmentStatus', () => {
  it('a healthy namespace: connected, green, the workload with its replicas and pods', () => {
    const s = environmentStatus(input(snapshot('deployment-healthy.json')));
    assert.equal(s.connection, 'connected');
    assert.equal(s.colour, 'green');
    assert.deepEqual(s.causes, []);
    assert.deepEqual([s.context, s.namespace], ['kind-shop', 'shop-acme']);
    assert.deepEqual(s.workloads.map((w) => [w.name, w.health, `${w.ready}/${w.desired}`, w.pods.length]), [['api', 'healthy', '3/3', 3]]);
  });

  it('a crash loop makes the environment red, naming the workload and the reason', () => {
    const s = environmentStatus(input(snapshot('deployment-crashloopbackoff.json')));
    assert.equal(s.colour, 'red');
    assert.deepEqual(s.causes, ['api: CrashLoopBackOff']);
    assert.equal(s.workloads[0]!.pod, 'api-7b9c8d6f5-q2r8v');
  });

  it('a bound workload whose object is not in the cluster is missing: a warning', () => {
    const s = environmentStatus(input(snapshot('deployment-healthy.json'), { workloads: [api, worker] }));
    assert.deepEqual(s.workloads.map((w) => [w.name, w.health, w.reason]), [['api', 'healthy', undefined], ['worker', 'missing', 'NotFound']]);
    assert.equal(s.colour, 'yellow');
  });

  it('reports the manifest name of a workload whose object has another name', () => {
    const renamed = { name: 'storefront', kube: api.kube };
    const s = environmentStatus(input(snapshot('deployment-healthy.json'), { workloads: [renamed] }));
    assert.deepEqual(s.workloads.map((w) => [w.name, w.health]), [['storefront', 'healthy']]);
  });

  it('a connection that never listed: the error kind and message, no workloads, yellow', () => {
    const error = new ClusterError('unreachable', 'Cannot reach the cluster of context kind-shop at https://10.0.0.1:6443: connection refused.', 'kind-shop', 'https://10.0.0.1:6443', 'Is the cluster running?');
    const s = environmentStatus(input(snapshot('deployment-healthy.json', { connection: 'unreachable', synced: false, error, deployments: [], pods: [], replicaSets: [] })));
    assert.equal(s.connection, 'unreachable');
    assert.equal(s.message, error.message);
    assert.equal(s.hint, 'Is the cluster running?');
    assert.deepEqual(s.workloads, []);
    assert.deepEqual([s.colour, s.causes], ['yellow', ['cluster: unreachable']]);
  });

  it('a connection lost after listing keeps the last objects and says the connection is the problem', () => {
    const error = new ClusterError('unreachable', 'lost', 'kind-shop');
    const s = environmentStatus(input(snapshot('deployment-crashloopbackoff.json', { connection: 'unreachable', error })));
    assert.equal(s.workloads.length, 1);
    assert.deepEqual([s.colour, s.causes], ['yellow', ['cluster: unreachable']]);
  });

  it('before the Kubernetes bundle answered: unknown workloads, not synced, the placement from the manifest', () => {
    const s = environmentStatus(input(undefined));
    assert.equal(s.synced, false);
    assert.deepEqual([s.context, s.namespace], ['kind-shop', 'shop-acme']);
    assert.deepEqual(s.workloads.map((w) => [w.name, w.health]), [['api', 'unknown']]);
  });

  it('tenants sharing a namespace see only their pods when the pods carry gitopshq.io/tenant', () => {
    const shared = { name: 'dev', cluster: { context: 'kind-shop', namespace: 'shop-acme' } };
    const acme = environmentStatus(input(snapshot('deployment-healthy.json'), { environment: shared }));
    const globex = environmentStatus(input(snapshot('deployment-healthy.json'), { environment: shared, tenant: 'globex' }));
    assert.equal(acme.workloads[0]!.pods.length, 3);
    assert.equal(globex.workloads[0]!.pods.length, 0, "the recorded pods are acme's");
  });

  it('the user override moves the environment to another context and namespace', () => {
    const s = environmentStatus(input(undefined, { overrides: { 'shop/dev': { context: 'minikube', namespace: 'mine-{tenant}' } } }));
    assert.deepEqual([s.context, s.namespace], ['minikube', 'mine-acme']);
  });
});

describe('tree parts of the cluster status', () => {
  const now = new Date(RECORDED_AT);

  it('a healthy environment adds no words to its row, and says so in the tooltip', () => {
    const parts = clusterStatusParts(environmentStatus(input(snapshot('deployment-healthy.json'))));
    assert.equal(parts.colour, 'green');
    assert.equal(parts.description, undefined);
    assert.deepEqual(parts.tooltip, ['Cluster (context kind-shop, namespace shop-acme): 1/1 workload healthy']);
  });

  it('a failing workload is named on the row; the workload row shows ready/desired and the reason', () => {
    const status = environmentStatus(input(snapshot('deployment-crashloopbackoff.json'), { workloads: [api, worker] }));
    const parts = clusterStatusParts(status);
    assert.equal(parts.colour, 'red');
    assert.equal(parts.description, 'api CrashLoopBackOff +1');
    const row = workloadClusterParts(status, 'api', now);
    assert.equal(row.colour, 'red');
    assert.match(row.description ?? '', /^\d+\/3 CrashLoopBackOff$/);
    assert.ok(row.tooltip.some((l) => l.includes('api-7b9c8d6f5-q2r8v')), row.tooltip.join('\n'));
    assert.equal(workloadClusterParts(status, 'worker', now).description, 'not in cluster');
  });

  it('a healthy workload row is its replicas only', () => {
    const row = workloadClusterParts(environmentStatus(input(snapshot('deployment-healthy.json'))), 'api', now);
    assert.deepEqual([row.colour, row.description], ['green', '3/3']);
  });

  it('the error node: label by kind, the context, the message and what to do; none while connected', () => {
    const error = new ClusterError('unauthorized', 'The cluster of context kind-shop refused the credentials (401).', 'kind-shop');
    const status = environmentStatus(input(snapshot('deployment-healthy.json', { connection: 'unauthorized', synced: false, error })));
    const node = clusterNodeParts(status);
    assert.equal(node?.label, 'Not authorized by the cluster');
    assert.equal(node?.description, 'kind-shop');
    assert.match(node?.tooltip ?? '', /refused the credentials[\s\S]*Select Context/);
    assert.equal(clusterNodeParts(environmentStatus(input(snapshot('deployment-healthy.json')))), undefined);
    assert.equal(clusterStatusParts(status).description, 'cluster: unauthorized');
  });

  it('while connecting, the row says so and keeps its colour', () => {
    const parts = clusterStatusParts(environmentStatus(input(undefined)));
    assert.equal(parts.colour, undefined);
    assert.equal(parts.description, 'cluster: connecting…');
  });
});
