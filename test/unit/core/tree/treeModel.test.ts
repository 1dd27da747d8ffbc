import * as assert from 'node:assert/strict';
import { ProjectIndex } from '../../../../src/core/model/projectIndex';
import { TreeModel, type ClusterLookup, type TreeNode } from '../../../../src/core/tree/treeModel';
import type { EnvironmentClusterStatus } from '../../../../src/core/cluster/environmentStatus';
import type { WorkloadHealth } from '../../../../src/core/cluster/workloadHealth';
import type { DeployState } from '../../../../src/core/types';
import { variablesTable } from '../../../../src/core/model/variablesTable';
import { WorkloadErrors } from '../../../../src/core/model/workloadErrors';
import { MemoryFileSystem } from '../../../support/memoryFileSystem';

const P = '/ws/shop';

function files(tenants = 'tenants: [acme, globex]'): Record<string, string> {
  return {
    [`${P}/gitopshq.yaml`]: `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: Shop, slug: shop }
spec:
  environments:
    - name: dev
    - name: production
      approval: { required: 2, approvers: [lead@example.com, boss@example.com] }
  ${tenants}
  workloads:
    - name: web
      chart: charts/web
      values:
        - values/{env}/{workload}.yaml
        - values/{env}/{tenant}/{workload}.yaml
    - name: batch
      chart: charts/web
      values: values/{env}/{workload}.yaml
`,
    [`${P}/.gitopshq/variables.yaml`]: 'repo:\n  HOST: shop.example.com\n  TOKEN: { value: t0k3n-value, secret: true }\nenv:\n  production:\n    HOST: shop.prod.example.com\ntenant:\n  acme:\n    REGION: eu\n',
    [`${P}/charts/web/Chart.yaml`]: 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
    [`${P}/charts/web/values.yaml`]: 'image:\n  tag: latest\n',
    [`${P}/values/dev/web.yaml`]: 'image:\n  tag: "1.2.0"\nhost: "{{hq.var.HOST}}"\n',
    [`${P}/values/production/web.yaml`]: 'image:\n  tag: "1.1.0"\nregion: "{{hq.var.REGION}}"\n',
    [`${P}/values/dev/batch.yaml`]: 'image:\n  tag: "0.3.0"\n',
  };
}

const deployed = (drift: string[]): DeployState => ({
  kind: 'deployed',
  drift,
  deployed: { branch: 'b', sha: 'a'.repeat(40), shortSha: 'aaaaaaa', authorName: 'Dana', authorEmail: 'dana@example.com', date: new Date('2026-11-24T12:00:00Z'), subject: 'deploy' },
});

async function model(states: Record<string, DeployState> = {}, tenants?: string, cluster?: ClusterLookup) {
  const index = new ProjectIndex(new MemoryFileSystem(files(tenants)));
  await index.scan(['/ws']);
  let computed = 0;
  const errors = new WorkloadErrors(index, () => computed++);
  const tree = new TreeModel(
    index,
    (_slug, env, tenant) => states[`${tenant}/${env}`],
    (slug, env, tenant) => errors.get(slug, env, tenant),
    () => new Date('2026-11-26T12:00:00Z'),
    undefined,
    cluster,
  );
  return { index, tree, errors, computed: () => computed };
}

const labels = (nodes: TreeNode[]) => nodes.map((n) => n.label);

describe('TreeModel', () => {
  it('lists environments in promotion order, then tenants, then workloads with their image tags', async () => {
    const { tree } = await model();
    const [project] = tree.roots();
    assert.equal(project?.label, 'Shop');
    assert.equal(project?.id, 'project:shop');
    const envs = tree.children(project!);
    assert.deepEqual(labels(envs), ['dev', 'production']);
    const tenants = tree.children(envs[0]!);
    assert.deepEqual(labels(tenants), ['acme', 'globex']);
    const workloads = tree.children(tenants[0]!);
    assert.deepEqual(
      workloads.map((w) => [w.label, w.description]),
      [
        ['web', '1.2.0'],
        ['batch', '0.3.0'],
      ],
    );
    assert.equal(workloads[0]?.id, 'workload:shop/dev/acme/web');
  });

  it('greys a workload that has no layer in an environment and points a click at the most specific layer', async () => {
    const { tree } = await model();
    const prodAcme = tree.children(tree.children(tree.children(tree.roots()[0]!)[1]!)[0]!);
    const batch = prodAcme.find((w) => w.label === 'batch');
    assert.equal(batch?.kind === 'workload' && batch.bound, false);
    assert.equal(batch?.description, 'not bound');
    const web = prodAcme.find((w) => w.label === 'web');
    assert.equal(web?.kind === 'workload' && web.valuesFile, `${P}/values/production/web.yaml`);
  });

  it('describes deployed commits and drift, and colours by them', async () => {
    const { tree } = await model({ 'acme/dev': deployed([]), 'globex/dev': deployed(['values/dev/web.yaml', 'values/dev/batch.yaml']) });
    const dev = tree.children(tree.roots()[0]!)[0]!;
    assert.equal(dev.description, '2 tenants · 1 with changes pending');
    assert.equal(dev.health, 'warning');
    const [acme, globex] = tree.children(dev);
    assert.equal(acme?.description, 'aaaaaaa · Dana · 2 days ago');
    assert.equal(acme?.health, 'ok');
    assert.equal(globex?.description, 'aaaaaaa · Dana · 2 days ago · 2 changes pending');
    assert.match(globex!.tooltip, /values\/dev\/web\.yaml/);
    const production = tree.children(tree.roots()[0]!)[1]!;
    assert.match(production.tooltip, /2 approvals required/);
  });

  it('says never deployed when the deployed branch is absent', async () => {
    const { tree } = await model({ 'acme/production': { kind: 'never-deployed' }, 'globex/production': deployed([]) });
    const production = tree.children(tree.roots()[0]!)[1]!;
    assert.equal(production.description, '2 tenants · 1 never deployed');
    assert.equal(tree.children(production)[0]?.description, 'never deployed');
  });

  it('without declared tenants, an environment holds the workloads directly', async () => {
    const { tree } = await model({ 'default/dev': deployed([]) }, '');
    const dev = tree.children(tree.roots()[0]!)[0]!;
    assert.equal(dev.kind === 'environment' && dev.tenant, 'default');
    assert.equal(dev.description, 'aaaaaaa · Dana · 2 days ago');
    assert.deepEqual(labels(tree.children(dev)), ['web', 'batch']);
  });

  it('turns red, after the background check, where a variable does not resolve', async () => {
    const { tree, errors, computed } = await model({ 'acme/production': deployed([]), 'globex/production': deployed([]) });
    const production = () => tree.children(tree.roots()[0]!)[1]!;
    // REGION is defined for acme only: globex's web in production cannot resolve it.
    assert.equal(production().health, 'ok', 'not known yet: the tree does not wait');
    await errors.idle();
    assert.ok(computed() > 0, 'the tree is told to refresh');
    assert.equal(production().health, 'error');
    const [acme, globex] = tree.children(production());
    assert.equal(acme?.health, 'ok');
    assert.match(globex!.description, /1 workload with errors/);
    const web = tree.children(globex!).find((w) => w.label === 'web');
    assert.match(web!.description, /1 unresolved variable/);
  });

  it('gives each node its parent, for reveal', async () => {
    const { tree } = await model();
    const dev = tree.children(tree.roots()[0]!)[0]!;
    const acme = tree.children(dev)[0]!;
    const web = tree.children(acme)[0]!;
    assert.equal(tree.parent(web)?.id, acme.id);
    assert.equal(tree.parent(acme)?.id, dev.id);
    assert.equal(tree.parent(dev)?.id, 'project:shop');
  });

  it('lists a workload layers, missing ones included', async () => {
    const { tree } = await model();
    const web = tree.children(tree.children(tree.children(tree.roots()[0]!)[0]!)[0]!)[0]!;
    const layers = tree.children(web);
    assert.deepEqual(
      layers.map((l) => [l.label, l.description]),
      [
        ['charts/web/values.yaml', 'chart defaults'],
        ['values/dev/web.yaml', 'layer 1'],
        ['values/dev/acme/web.yaml', 'layer 2 · missing'],
      ],
    );
  });
});

describe('variablesTable', () => {
  it('gives every key its value per environment and tenant with the winning scope, secrets masked', async () => {
    const { index } = await model();
    const project = index.project('shop')!;
    const table = variablesTable(project, index.variables('shop'));
    assert.deepEqual(table.map((e) => e.key), ['HOST', 'REGION', 'TOKEN']);
    const host = table.find((e) => e.key === 'HOST')!;
    assert.deepEqual(
      host.rows.map((r) => `${r.environment}/${r.tenant}=${r.display}@${r.scope}`),
      ['dev/acme=shop.example.com@repo', 'dev/globex=shop.example.com@repo', 'production/acme=shop.prod.example.com@env', 'production/globex=shop.prod.example.com@env'],
    );
    const region = table.find((e) => e.key === 'REGION')!;
    assert.deepEqual(region.rows.map((r) => r.defined), [true, false, true, false]);
    assert.equal(region.rows[1]?.display, 'undefined');
    const token = table.find((e) => e.key === 'TOKEN')!;
    assert.equal(token.secret, true);
    assert.ok(!JSON.stringify(token.rows).includes('t0k3n-value'));
    assert.equal(token.rows[0]?.display, '••••••');
  });

  it('filters keys case-insensitively', async () => {
    const { index } = await model();
    assert.deepEqual(variablesTable(index.project('shop')!, index.variables('shop'), 'reg').map((e) => e.key), ['REGION']);
  });
});

describe('TreeModel with the cluster', () => {
  const health = (name: string, over: Partial<WorkloadHealth>): WorkloadHealth => ({
    kind: 'Deployment', name, desired: 2, ready: 2, updated: 2, available: 2, health: 'healthy', images: [], pods: [], ...over,
  });
  const connected = (workloads: WorkloadHealth[]): EnvironmentClusterStatus => ({
    connection: 'connected', context: 'kind-shop', namespace: 'shop', synced: true, workloads, colour: 'green', causes: [],
  });

  it('shows replicas on workloads, turns a crash-looping tenant and its environment red, asks only for bound workloads', async () => {
    const asked: string[] = [];
    const lookup: ClusterLookup = (_project, env, tenant, bound) => {
      asked.push(`${env}/${tenant}: ${bound.join(',')}`);
      if (env !== 'dev') return undefined;
      const web = tenant === 'acme' ? health('web', { ready: 1, health: 'degraded', reason: 'CrashLoopBackOff' }) : health('web', {});
      return { ...connected([web, health('batch', {})]), ...(tenant === 'acme' ? { colour: 'red' as const, causes: ['web: CrashLoopBackOff'] } : {}) };
    };
    const { tree } = await model({ 'acme/dev': deployed([]), 'globex/dev': deployed([]) }, undefined, lookup);
    const dev = tree.children(tree.roots()[0]!)[0]!;
    assert.equal(dev.health, 'error');
    const [acme, globex] = tree.children(dev);
    assert.equal(acme!.health, 'error');
    assert.match(acme!.description, / · web CrashLoopBackOff$/);
    assert.equal(globex!.health, 'ok');
    const workloads = tree.children(acme!);
    assert.deepEqual(workloads.map((w) => [w.label, w.description, w.health]), [
      ['web', '1/2 CrashLoopBackOff · 1.2.0', 'error'],
      ['batch', '2/2 · 0.3.0', 'ok'],
    ]);
    assert.ok(asked.includes('dev/acme: web,batch'));
    assert.ok(asked.includes('production/acme: web'), 'batch has no production layer: not bound, not asked');
  });

  it('an unreachable cluster keeps the Git information and adds one error node before the workloads', async () => {
    const lookup: ClusterLookup = () => ({
      connection: 'unreachable', context: 'kind-shop', namespace: 'shop', message: 'Cannot reach the cluster of context kind-shop.', synced: false, workloads: [], colour: 'yellow', causes: ['cluster: unreachable'],
    });
    const { tree } = await model({ 'acme/dev': deployed([]) }, undefined, lookup);
    const acme = tree.children(tree.children(tree.roots()[0]!)[0]!)[0]!;
    assert.match(acme.description, /^aaaaaaa · Dana · .* · cluster: unreachable$/);
    assert.equal(acme.health, 'warning');
    const children = tree.children(acme);
    assert.deepEqual(children.map((c) => [c.kind, c.label]), [['clusterError', 'Cluster unreachable'], ['workload', 'web'], ['workload', 'batch']]);
    assert.equal(children[0]!.description, 'kind-shop');
    assert.equal(tree.parent(children[0]!)?.id, acme.id);
    assert.deepEqual(tree.children(children[1]!).length, 3, 'workloads keep their layers');
  });

  it('clusterNodes lists the rows a change of one (environment, tenant) can alter', async () => {
    const { tree } = await model({}, undefined, () => connected([health('web', {}), health('batch', {})]));
    assert.deepEqual(tree.clusterNodes('shop', 'dev', 'acme').map((n) => n.id), [
      'project:shop', 'env:shop/dev', 'tenant:shop/dev/acme', 'workload:shop/dev/acme/web', 'workload:shop/dev/acme/batch',
    ]);
    assert.deepEqual(tree.clusterNodes('shop', 'nowhere', 'acme'), []);
  });
});
