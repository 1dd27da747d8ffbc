// ClusterConnections against the fake API server over HTTPS: list+watch mirrors the server, changes
// arrive, informers are shared, holds start and stop them.
import * as assert from 'node:assert/strict';
import { WORKLOAD_RESOURCES, type ClusterConnections } from '../../../../src/core/cluster/connections';
import { writeFile } from 'node:fs/promises';
import { kubeconfigFor, NS, startHarness, TOKENS, until, type Harness } from '../../../support/kube/connectionsHarness';
import { loadKubeBundle, type KubeBundle } from '../../../support/kube/kubeBundle';

const TUNING = { backoff: { initialMs: 50, maxMs: 400, jitter: 0.2 }, requestTimeoutMs: 3000 };

function names(objects: Array<{ metadata?: { name?: string | undefined } }>): string[] {
  return objects.map((o) => o.metadata?.name ?? '').sort();
}

function versions(objects: Array<{ metadata?: { name?: string | undefined; resourceVersion?: string | undefined } }>): string[] {
  return objects.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();
}

describe('infra/kube ClusterConnections: list, watch, sharing, holds', function () {
  this.timeout(30_000);
  let kube: KubeBundle;
  let h: Harness;
  let connections: ClusterConnections | undefined;

  before(async () => {
    kube = await loadKubeBundle();
  });

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    connections?.dispose();
    connections = undefined;
    await h.close();
  });

  it('lists then watches: the snapshot equals the server, and a change arrives through onChange', async () => {
    connections = kube.createClusterConnections(h.options(), TUNING);
    let changes = 0;
    const handle = connections.open({ context: 'admin' }, [...WORKLOAD_RESOURCES, 'events'], () => changes++);
    await handle.whenSettled(5000);
    const snapshot = handle.snapshot();
    assert.equal(snapshot.connection, 'connected');
    assert.equal(snapshot.synced, true);
    assert.equal(snapshot.context, 'admin');
    assert.equal(snapshot.namespace, NS, 'the context\'s namespace');
    assert.equal(snapshot.applications, undefined);
    assert.deepEqual(versions(snapshot.deployments), versions(h.server.store.list('deployments', NS)));
    assert.deepEqual(versions(snapshot.statefulSets), versions(h.server.store.list('statefulsets', NS)));
    assert.deepEqual(versions(snapshot.daemonSets), versions(h.server.store.list('daemonsets', NS)));
    assert.deepEqual(versions(snapshot.replicaSets), versions(h.server.store.list('replicasets', NS)));
    assert.deepEqual(versions(snapshot.pods), versions(h.server.store.list('pods', NS)));
    assert.deepEqual(versions(snapshot.events), versions(h.server.store.list('events', NS)));
    assert.ok(snapshot.pods.length >= 7, 'the pods of every workload');
    assert.ok(!names(snapshot.deployments).includes('elsewhere'), 'another namespace stays out');
    // List items get kind/apiVersion like watch objects; timestamps stay RFC 3339 strings.
    assert.equal(snapshot.deployments[0]?.kind, 'Deployment');
    assert.equal(typeof snapshot.pods[0]?.metadata.creationTimestamp, 'string');

    await until('the watches', () => h.calls('deployments').watches.length === 1);
    const before = changes;
    h.server.store.modify('deployments', NS, 'cart', (d) => {
      (d.metadata.labels ??= {}).touched = 'yes';
    });
    const updated = await until('the change', () => handle.snapshot().deployments.find((d) => d.metadata.labels?.touched === 'yes'));
    assert.equal(updated.metadata.resourceVersion, h.server.store.get('deployments', NS, 'cart')?.metadata.resourceVersion);
    assert.ok(changes > before, 'onChange was called');
    const podCount = handle.snapshot().pods.length;
    const gone = h.server.store.list('pods', NS)[0]!.metadata.name;
    h.server.store.delete('pods', NS, gone);
    await until('the deletion', () => handle.snapshot().pods.length === podCount - 1);
    assert.ok(!names(handle.snapshot().pods).includes(gone));
    // Watches resume from the list's resourceVersion, with bookmarks and a bounded timeout.
    const watch = h.calls('pods').watches[0]!;
    assert.match(watch.query.resourceVersion ?? '', /^\d+$/);
    assert.equal(watch.query.allowWatchBookmarks, 'true');
    assert.ok(Number(watch.query.timeoutSeconds) >= 300 && Number(watch.query.timeoutSeconds) <= 600, watch.query.timeoutSeconds);
    assert.equal(h.calls('pods').lists[0]?.query.limit, '500');
  });

  it('connects to a plain http:// server when the kubeconfig says insecure-skip-tls-verify', async () => {
    await h.close();
    h = await startHarness({ http: true });
    await writeFile(h.kubeconfig, kubeconfigFor(h.server, [
      { name: 'plain', namespace: NS, user: { token: TOKENS.admin }, cluster: { server: h.server.url, 'insecure-skip-tls-verify': true } },
      { name: 'plain-strict', namespace: NS, user: { token: TOKENS.admin }, cluster: { server: h.server.url } },
    ]));
    assert.match(h.server.url, /^http:\/\//);
    connections = kube.createClusterConnections(h.options(), TUNING);
    const plain = connections.open({ context: 'plain' }, ['deployments'], () => undefined);
    await plain.whenSettled(5000);
    assert.equal(plain.snapshot().connection, 'connected');
    assert.equal(plain.snapshot().deployments.length, 2);
    // Without the flag no token goes over plain http (as kubectl): this server then answers 401.
    const strict = connections.open({ context: 'plain-strict' }, ['deployments'], () => undefined);
    await strict.whenSettled(5000);
    assert.equal(strict.snapshot().connection, 'unauthorized');
    assert.ok(h.logger.lines.some((line) => line.includes('"plain-strict" uses plain http://')));
  });

  it('pages a large list with limit/continue', async () => {
    for (let i = 0; i < 25; i++) h.server.store.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `bulk-${String(i).padStart(2, '0')}`, namespace: NS, labels: {} }, spec: { containers: [] } } as never);
    connections = kube.createClusterConnections(h.options(), { ...TUNING, pageSize: 10 });
    const handle = connections.open({ context: 'admin' }, ['pods'], () => undefined);
    await handle.whenSettled(5000);
    assert.deepEqual(names(handle.snapshot().pods), names(h.server.store.list('pods', NS)));
    const lists = h.calls('pods').lists;
    assert.equal(lists.length, 4, '32 pods in pages of 10');
    assert.equal(lists[0]?.query.continue, undefined);
    assert.ok(lists.slice(1).every((r) => r.query.continue));
  });

  it('shares one informer per type between opens of one scope, and stops it idleStopMs after the last hold', async () => {
    connections = kube.createClusterConnections(h.options({ idleStopMs: 300 }), TUNING);
    const a = connections.open({ context: 'admin', namespace: NS }, ['deployments', 'pods'], () => undefined);
    const b = connections.open({ context: 'admin' }, ['pods', 'replicasets'], () => undefined);
    await Promise.all([a.whenSettled(5000), b.whenSettled(5000)]);
    await until('three watches', () => h.server.openWatches === 3);
    assert.equal(h.calls('pods').lists.length, 1);
    assert.equal(h.calls('pods').watches.length, 1);
    assert.equal(h.calls('deployments').watches.length, 1);
    assert.equal(h.calls('replicasets').watches.length, 1);
    assert.equal(b.snapshot().deployments.length, 0, 'a hold sees only the types it asked for');

    a.dispose();
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(h.server.openWatches, 2, 'deployments stopped; pods still held by b');
    b.dispose();
    // Re-opened before idleStopMs: the running informers are kept.
    const c = connections.open({ context: 'admin' }, ['pods'], () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(h.calls('pods').watches.length, 1, 'no new watch');
    assert.equal(c.snapshot().synced, true);
    assert.equal(h.server.openWatches, 1, 'replicasets stopped after the idle delay');
    c.dispose();
    await until('every watch closed', () => h.server.openWatches === 0, 3000);
  });

  it('dispose() ends every watch and answers pending whenSettled', async () => {
    connections = kube.createClusterConnections(h.options(), TUNING);
    const handle = connections.open({ context: 'admin' }, WORKLOAD_RESOURCES, () => undefined);
    await handle.whenSettled(5000);
    await until('five watches', () => h.server.openWatches === 5);
    const down = connections.open({ context: 'down' }, ['pods'], () => undefined);
    const pending = down.whenSettled(60_000);
    connections.dispose();
    await pending;
    await until('watches closed', () => h.server.openWatches === 0, 3000);
  });
});
