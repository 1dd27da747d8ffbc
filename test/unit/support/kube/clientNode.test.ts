// The fake API server driven by the real @kubernetes/client-node 1.4: what the extension's
// informers will do against a real cluster (list, watch, resume, restart, re-list on 410, errors).
import * as assert from 'node:assert/strict';
import { startKubeApiServer, type KubeApiServer } from '../../../support/kube/apiServer';
import { loadClientNode, type ClientNode } from '../../../support/kube/clientNode';

const NS = 'shop';

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('fake kube API server with @kubernetes/client-node', function () {
  this.timeout(20_000);
  let k8s: ClientNode;
  let server: KubeApiServer;
  let kc: InstanceType<ClientNode['KubeConfig']>;
  let core: InstanceType<ClientNode['CoreV1Api']>;
  let apps: InstanceType<ClientNode['AppsV1Api']>;

  const configFor = (context: string) => {
    const config = new k8s.KubeConfig();
    config.loadFromString(server.kubeconfig([
      { name: 'admin', namespace: NS, token: 'admin-token' },
      { name: 'viewer', namespace: NS, token: 'viewer-token' },
      { name: 'stranger', namespace: NS, token: 'wrong-token' },
    ], context));
    return config;
  };

  beforeEach(async () => {
    k8s ??= await loadClientNode();
    server = await startKubeApiServer({
      stepMs: 30,
      bookmarkIntervalMs: 100,
      tokens: { 'admin-token': { user: 'admin' }, 'viewer-token': { user: 'viewer', deny: [{ resource: 'pods', verb: 'list' }] } },
    });
    server.scenario.deployment(NS, 'storefront', { image: 'shop/storefront:1.0', replicas: 3 });
    server.scenario.deployment(NS, 'cart', { image: 'shop/cart:1.0', replicas: 1, labels: { 'app.kubernetes.io/name': 'cart', tier: 'backend' } });
    server.scenario.statefulSet(NS, 'ledger', { image: 'shop/ledger:1.0', replicas: 2 });
    server.scenario.daemonSet('infra', 'node-agent', { image: 'infra/agent:1.0' });
    kc = configFor('admin');
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });

  afterEach(async () => {
    await server.close();
  });

  it('lists every workload kind over HTTPS with the generated CA, objects shaped like a real server', async () => {
    const deployments = await apps.listNamespacedDeployment({ namespace: NS });
    assert.deepEqual(deployments.items.map((d) => d.metadata?.name), ['cart', 'storefront']);
    const storefront = deployments.items[1]!;
    assert.equal(storefront.metadata?.generation, 1);
    assert.match(storefront.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(storefront.metadata?.creationTimestamp instanceof Date);
    assert.deepEqual(
      [storefront.status?.observedGeneration, storefront.status?.replicas, storefront.status?.updatedReplicas, storefront.status?.readyReplicas, storefront.status?.availableReplicas],
      [1, 3, 3, 3, 3],
    );
    assert.deepEqual(storefront.status?.conditions?.map((c) => [c.type, c.status, c.reason]), [
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);
    const replicaSets = await apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: 'app.kubernetes.io/name=storefront' });
    const rs = replicaSets.items[0]!;
    assert.equal(rs.metadata?.ownerReferences?.[0]?.kind, 'Deployment');
    assert.equal(rs.metadata?.ownerReferences?.[0]?.uid, storefront.metadata?.uid);
    const hash = rs.metadata?.labels?.['pod-template-hash'];
    assert.equal(rs.metadata?.name, `storefront-${hash}`);
    const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: `pod-template-hash=${hash}` });
    assert.equal(pods.items.length, 3);
    for (const pod of pods.items) {
      assert.equal(pod.status?.phase, 'Running');
      assert.equal(pod.metadata?.ownerReferences?.[0]?.name, rs.metadata?.name);
      assert.equal(pod.status?.containerStatuses?.[0]?.ready, true);
    }
    assert.equal((await apps.listNamespacedStatefulSet({ namespace: NS })).items[0]?.status?.readyReplicas, 2);
    assert.equal((await apps.listNamespacedDaemonSet({ namespace: 'infra' })).items[0]?.status?.numberReady, 3);
    // Wire shape: a real server leaves kind/apiVersion off the items of a built-in list (kubernetes#3030).
    const raw = (await (await fetchRaw(`/api/v1/namespaces/${NS}/pods`)).json()) as { kind: string; apiVersion: string; items: Array<{ kind?: string }> };
    assert.deepEqual([raw.kind, raw.apiVersion, raw.items[0]?.kind], ['PodList', 'v1', undefined]);
  });

  it('filters with label selectors (=, !=, in, notin, exists, !exists) and field selectors', async () => {
    const names = async (labelSelector: string) => (await apps.listNamespacedDeployment({ namespace: NS, labelSelector })).items.map((d) => d.metadata?.name);
    assert.deepEqual(await names('app.kubernetes.io/name=cart'), ['cart']);
    assert.deepEqual(await names('app.kubernetes.io/name!=cart'), ['storefront']);
    assert.deepEqual(await names('app.kubernetes.io/name in (cart, storefront)'), ['cart', 'storefront']);
    assert.deepEqual(await names('app.kubernetes.io/name notin (cart)'), ['storefront']);
    assert.deepEqual(await names('tier'), ['cart']);
    assert.deepEqual(await names('!tier'), ['storefront']);
    assert.deepEqual(await names('tier=backend,app.kubernetes.io/name=storefront'), []);
    const byName = await apps.listNamespacedDeployment({ namespace: NS, fieldSelector: 'metadata.name=storefront' });
    assert.deepEqual(byName.items.map((d) => d.metadata?.name), ['storefront']);
    const events = await core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.kind=Deployment,involvedObject.name=cart' });
    assert.deepEqual(events.items.map((e) => [e.reason, e.involvedObject.name]), [['ScalingReplicaSet', 'cart']]);
    await assert.rejects(core.listNamespacedPod({ namespace: NS, labelSelector: 'a in (b' }), (err: { code?: number }) => err.code === 400);
  });

  it('pages with limit/continue at one resourceVersion; a continue token past the kept history is 410 Expired', async () => {
    const first = await core.listNamespacedPod({ namespace: NS, limit: 4 });
    assert.equal(first.items.length, 4);
    assert.equal(first.metadata?.remainingItemCount, 2);
    // A change between the pages must not show up in the second page: it reads the first page's snapshot.
    server.store.delete('pods', NS, first.items[0]!.metadata!.name!);
    server.store.delete('pods', NS, (await core.listNamespacedPod({ namespace: NS })).items.at(-1)!.metadata!.name!);
    const second = await core.listNamespacedPod({ namespace: NS, limit: 4, _continue: first.metadata!._continue! });
    assert.equal(second.items.length, 2);
    assert.equal(second.metadata?._continue, undefined);
    assert.equal(second.metadata?.resourceVersion, first.metadata?.resourceVersion);
    server.store.compact();
    await assert.rejects(core.listNamespacedPod({ namespace: NS, limit: 4, _continue: first.metadata!._continue! }), (err: { code?: number; body?: string }) => {
      assert.equal(err.code, 410);
      assert.equal(JSON.parse(err.body!).reason, 'Expired');
      return true;
    });
  });

  it('answers 401 to an unknown token and 403 with a Status naming the verb and resource', async () => {
    // client-node 1.4 throws ApiException 401 without the body (the generated code drops it for 401).
    await assert.rejects(configFor('stranger').makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: NS }), (err: { code?: number }) => err.code === 401);
    const raw = await fetchRaw(`/api/v1/namespaces/${NS}/pods`, 'wrong-token');
    assert.equal(raw.status, 401);
    assert.deepEqual(await raw.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    const viewer = configFor('viewer');
    await assert.rejects(viewer.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: NS }), (err: { code?: number; body?: string }) => {
      assert.equal(err.code, 403);
      const status = JSON.parse(err.body!);
      assert.equal(status.reason, 'Forbidden');
      assert.equal(status.message, 'pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "shop"');
      assert.deepEqual(status.details, { group: '', kind: 'pods' });
      return true;
    });
    // The same token may still list deployments: the rule is per verb and resource.
    assert.equal((await viewer.makeApiClient(k8s.AppsV1Api).listNamespacedDeployment({ namespace: NS })).items.length, 2);
  });

  it('streams watch events from a resourceVersion, with bookmarks, and ends at timeoutSeconds', async () => {
    const list = await apps.listNamespacedDeployment({ namespace: NS });
    const events: Array<{ type: string; name: string | undefined; kind: string | undefined }> = [];
    let ended: unknown = 'not yet';
    await new k8s.Watch(kc).watch(`/apis/apps/v1/namespaces/${NS}/deployments`,
      { resourceVersion: list.metadata!.resourceVersion!, allowWatchBookmarks: true, timeoutSeconds: 1 },
      (type: string, object: { kind?: string; metadata?: { name?: string } }) => events.push({ type, name: object.metadata?.name, kind: object.kind }),
      (err: unknown) => (ended = err));
    server.scenario.deployment(NS, 'search', { image: 'shop/search:1.0', replicas: 1 });
    server.store.delete('deployments', NS, 'cart');
    await until('the watch to end at its timeout', () => ended !== 'not yet', 3000);
    assert.equal(ended, null, 'a server-side timeout is a clean end');
    const changes = events.filter((e) => e.type !== 'BOOKMARK');
    assert.deepEqual(changes.slice(0, 2), [{ type: 'ADDED', name: 'search', kind: 'Deployment' }, { type: 'MODIFIED', name: 'search', kind: 'Deployment' }]);
    assert.deepEqual(changes.at(-1), { type: 'DELETED', name: 'cart', kind: 'Deployment' });
    assert.ok(events.some((e) => e.type === 'BOOKMARK' && e.kind === 'Deployment'), 'bookmarks were allowed and sent');
  });

  it('answers a watch from a compacted resourceVersion with an ERROR event: 410 Expired', async () => {
    const list = await core.listNamespacedPod({ namespace: NS });
    server.scenario.deployment(NS, 'search', { image: 'shop/search:1.0', replicas: 1 });
    server.store.compact();
    const events: Array<{ type: string; object: { code?: number; reason?: string } }> = [];
    let ended: unknown = 'not yet';
    await new k8s.Watch(kc).watch(`/api/v1/namespaces/${NS}/pods`, { resourceVersion: list.metadata!.resourceVersion! },
      (type: string, object: { code?: number; reason?: string }) => events.push({ type, object }), (err: unknown) => (ended = err));
    await until('the stream to end', () => ended !== 'not yet');
    assert.deepEqual(events.map((e) => [e.type, e.object.code, e.object.reason]), [['ERROR', 410, 'Expired']]);
  });

  describe('makeInformer', () => {
    type Pod = import('@kubernetes/client-node').V1Pod;
    let informer: ReturnType<ClientNode['makeInformer']> & { list(ns?: string): Pod[] };
    let stopped = false;
    // client-node leaves restarting after an error to the caller, as its README shows.
    const restartAfter = (ms: number) => () => setTimeout(() => void (stopped || informer.start()), ms);
    const watchRequests = () => server.requests.filter((r) => r.path === `/api/v1/namespaces/${NS}/pods` && r.query.watch === 'true');
    const listRequests = () => server.requests.filter((r) => r.path === `/api/v1/namespaces/${NS}/pods` && r.query.watch === undefined);
    const cacheNames = () => informer.list(NS).map((p) => p.metadata!.name!).sort();
    const serverNames = () => server.store.list('pods', NS).map((p) => p.metadata.name).sort();

    beforeEach(async () => {
      informer = k8s.makeInformer(kc, `/api/v1/namespaces/${NS}/pods`, () => core.listNamespacedPod({ namespace: NS })) as typeof informer;
      stopped = false;
      await informer.start();
      await until('the first watch', () => server.openWatches === 1);
    });

    afterEach(async () => {
      stopped = true;
      await informer.stop();
    });

    it('resumes its watch from the last resourceVersion after the server closes it cleanly, without a re-list', async () => {
      server.scenario.deployment(NS, 'search', { image: 'shop/search:1.0', replicas: 1 });
      await until('the new pod in the cache', () => cacheNames().some((n) => n.startsWith('search-')));
      assert.equal(server.closeWatches(), 1);
      await until('a second watch', () => watchRequests().length === 2 && server.openWatches === 1);
      const newestPod = Math.max(...server.store.list('pods', NS).map((p) => Number(p.metadata.resourceVersion)));
      assert.equal(watchRequests()[1]!.query.resourceVersion, String(newestPod), 'resumed from the newest version it saw');
      server.scenario.deployment(NS, 'reviews', { image: 'shop/reviews:1.0', replicas: 2 });
      await until('the cache to match the server', () => JSON.stringify(cacheNames()) === JSON.stringify(serverNames()));
      assert.equal(listRequests().length, 1, 'no re-list');
    });

    it('reports a dropped connection as an error and resumes where it was when restarted', async () => {
      const errors: unknown[] = [];
      informer.on('error', (err: unknown) => errors.push(err));
      informer.on('error', restartAfter(50));
      assert.equal(server.dropWatches(), 1);
      server.scenario.deployment(NS, 'search', { image: 'shop/search:1.0', replicas: 2 });
      await until('the cache to match the server', () => JSON.stringify(cacheNames()) === JSON.stringify(serverNames()) && cacheNames().length === 8);
      assert.equal(errors.length, 1);
      assert.equal(listRequests().length, 1, 'the missed changes came from the watch history, not a re-list');
    });

    it('re-lists after 410 Gone and ends with the server state, deletions included', async () => {
      const deleted: string[] = [];
      informer.on('delete', (pod: Pod) => deleted.push(pod.metadata!.name!));
      const victim = serverNames()[0]!;
      informer.on('error', restartAfter(100));
      // The watch is cut, changes happen and the history is compacted before it comes back: resuming is impossible.
      server.dropWatches();
      server.store.delete('pods', NS, victim);
      server.scenario.deployment(NS, 'search', { image: 'shop/search:1.0', replicas: 1 });
      server.store.compact();
      await until('a re-list', () => listRequests().length === 2);
      await until('the cache to match the server', () => JSON.stringify(cacheNames()) === JSON.stringify(serverNames()));
      assert.ok(deleted.includes(victim), 'the pod deleted while disconnected is reported deleted');
    });
  });

  it('Log.log follows a pod with timestamps; after a cut its stream neither ends nor errors (why we detect drops ourselves)', async () => {
    const { PassThrough } = await import('node:stream');
    const pod = server.store.list('pods', NS).find((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'cart')!.metadata.name;
    server.logs.append(NS, pod, 'cart ready', { at: '2024-05-01T10:00:00Z' });
    const out = new PassThrough();
    let text = '';
    let ended = false;
    let failed = false;
    out.on('data', (c: Buffer) => (text += c.toString()));
    out.on('end', () => (ended = true));
    out.on('error', () => (failed = true));
    const log = new k8s.Log(kc);
    const controller = await log.log(NS, pod, 'app', out, { follow: true, timestamps: true });
    try {
      await until('the existing line', () => text === '2024-05-01T10:00:00Z cart ready\n');
      server.logs.append(NS, pod, 'later');
      await until('a followed line', () => /Z later\n$/.test(text));
      assert.equal(server.logs.cut(), 1);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual([ended, failed], [false, false], 'client-node 1.4 reports nothing after the cut');
    } finally {
      controller.abort();
    }
  });

  async function fetchRaw(path: string, token?: string): Promise<Response> {
    // Node's fetch cannot take a CA per request; the client's own request options can.
    const https = await import('node:https');
    const options: import('node:https').RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    if (token) options.headers = { ...(options.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` };
    return new Promise((resolve, reject) => {
      https.get(`${server.url}${path}`, { ...options, headers: { ...(options.headers as Record<string, string> | undefined), Accept: 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(new Response(text, { status: res.statusCode ?? 0 })));
      }).on('error', reject);
    });
  }
});
