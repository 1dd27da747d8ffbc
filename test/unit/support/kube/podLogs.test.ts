// The fake API server's pod log endpoint, checked the way the real one behaves (see podLogs.ts).
import * as assert from 'node:assert/strict';
import { startKubeApiServer, type KubeApiServer } from '../../../support/kube/apiServer';
import { logPath, logRequest } from '../../../support/kube/logClient';
import * as build from '../../../support/kube/objects';
import { formatRfc3339Nano, parseRfc3339 } from '../../../support/kube/podLogs';

const NS = 'shop';
const TOKEN = 'admin-token';

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('fake kube API server: pod logs', function () {
  this.timeout(15_000);
  let server: KubeApiServer;
  let pod: string;

  const get = (query: Record<string, string>, name = pod) => logRequest(server, TOKEN, logPath(NS, name), query).answer;

  beforeEach(async () => {
    server = await startKubeApiServer({ stepMs: 30, tokens: { [TOKEN]: { user: 'admin' }, 'no-logs': { user: 'viewer', deny: [{ resource: 'pods/log' }] } } });
    server.scenario.deployment(NS, 'storefront', { image: 'shop/storefront:1.0', replicas: 1 });
    pod = server.store.list('pods', NS)[0]!.metadata.name;
  });

  afterEach(async () => {
    await server.close();
  });

  it('formats RFC3339Nano as Go does (trailing zeros trimmed)', () => {
    assert.equal(formatRfc3339Nano(parseRfc3339('2024-05-01T10:00:00Z')!), '2024-05-01T10:00:00Z');
    assert.equal(formatRfc3339Nano(parseRfc3339('2024-05-01T10:00:00.120Z')!), '2024-05-01T10:00:00.12Z');
    assert.equal(formatRfc3339Nano(parseRfc3339('2024-05-01T10:00:00.000000001Z')!), '2024-05-01T10:00:00.000000001Z');
  });

  it('serves the lines as written, with timestamps on request, text/plain and chunked', async () => {
    server.logs.append(NS, pod, ['héllo  ', 'second'], { at: '2024-05-01T10:00:00.5Z' });
    const plain = await get({});
    assert.equal(plain.status, 200);
    assert.equal(plain.body, 'héllo  \nsecond\n');
    const stamped = await get({ timestamps: 'true' });
    assert.equal(stamped.body, '2024-05-01T10:00:00.5Z héllo  \n2024-05-01T10:00:00.5Z second\n');
    const recorded = server.requests.at(-1)!;
    assert.equal(recorded.path, logPath(NS, pod));
  });

  it('sinceTime counts in whole seconds, as the real API; sinceSeconds and tailLines', async () => {
    server.logs.append(NS, pod, 'a', { at: '2024-05-01T10:00:00.5Z' });
    server.logs.append(NS, pod, 'b', { at: '2024-05-01T10:00:01.2Z' });
    server.logs.append(NS, pod, 'c', { at: '2024-05-01T10:00:01.7Z' });
    server.logs.append(NS, pod, 'd', { at: '2024-05-01T10:00:02Z' });
    assert.equal((await get({ sinceTime: '2024-05-01T10:00:01.9Z' })).body, 'b\nc\nd\n', 'the fraction is dropped: the whole second comes');
    assert.equal((await get({ tailLines: '2' })).body, 'c\nd\n');
    assert.equal((await get({ tailLines: '0' })).body, '');
    server.logs.append(NS, pod, 'now');
    assert.equal((await get({ sinceSeconds: '5' })).body, 'now\n');
    const both = await get({ sinceSeconds: '5', sinceTime: '2024-05-01T10:00:00Z' });
    assert.equal(both.status, 400);
    assert.match(JSON.parse(both.body).message, /at most one of `sinceTime` or `sinceSeconds`/);
  });

  it('answers 404 for an unknown pod, 400 for a bad container, 400 while ContainerCreating, 403 without pods/log', async () => {
    const missing = await get({}, 'nope');
    assert.deepEqual([missing.status, JSON.parse(missing.body).reason], [404, 'NotFound']);
    const bad = await get({ container: 'sidecar' });
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body).message, `container sidecar is not valid for pod ${pod}`);
    const rs = server.store.list('replicasets', NS)[0]!;
    const fresh = build.pod(rs, (rs.spec as { template: Parameters<typeof build.pod>[1] }).template);
    build.schedule(fresh);
    const created = server.store.create('pods', fresh as never);
    const waiting = await get({ follow: 'true' }, created.metadata.name);
    assert.equal(waiting.status, 400);
    assert.deepEqual(JSON.parse(waiting.body), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'BadRequest', code: 400,
      message: `container "app" in pod "${created.metadata.name}" is waiting to start: ContainerCreating`,
    });
    const denied = await logRequest(server, 'no-logs', logPath(NS, pod), {}).answer;
    assert.equal(denied.status, 403);
  });

  it('asks which container of a pod with several', async () => {
    const base = server.store.get('pods', NS, pod)!;
    const two = structuredClone(base);
    two.metadata = { name: `${pod}-two`, namespace: NS, labels: base.metadata.labels! };
    (two.spec as { containers: object[] }).containers.push({ name: 'sidecar', image: 'envoy:1' });
    server.store.create('pods', two);
    const answer = await get({}, `${pod}-two`);
    assert.equal(answer.status, 400);
    assert.equal(JSON.parse(answer.body).message, `a container name must be specified for pod ${pod}-two, choose one of: [app sidecar]`);
  });

  it('follows until the container stops; previous reads the terminated instance; a restart starts a new log', async () => {
    server.logs.append(NS, pod, 'before');
    const follow = logRequest(server, TOKEN, logPath(NS, pod), { follow: 'true' });
    await until('the first line', () => follow.text() === 'before\n');
    server.logs.append(NS, pod, ['live 1', 'live 2']);
    await until('live lines', () => follow.text() === 'before\nlive 1\nlive 2\n');
    assert.equal(follow.ended(), false);
    assert.equal((await get({ previous: 'true' })).status, 400, 'no previous container yet');
    server.store.modify('pods', NS, pod, (p) => build.crash(p));
    const answer = await follow.answer;
    assert.equal(answer.status, 200, 'the stream ends cleanly when the container stops');
    server.store.modify('pods', NS, pod, (p) => build.restart(p));
    server.logs.append(NS, pod, 'after restart');
    assert.equal((await get({})).body, 'after restart\n');
    assert.equal((await get({ previous: 'true' })).body, 'before\nlive 1\nlive 2\n');
  });

  it('splits writes at any byte when asked (multi-byte characters across chunks)', async () => {
    server.logs.chunkBytes = 3;
    server.logs.append(NS, pod, 'ünïcödé 🚀');
    const answer = await get({});
    assert.equal(answer.body, 'ünïcödé 🚀\n');
    assert.ok(answer.chunks > 3, `${answer.chunks} chunks`);
  });

  it('cuts, ends or stalls the follow streams on demand', async () => {
    const a = logRequest(server, TOKEN, logPath(NS, pod), { follow: 'true' });
    await until('open', () => server.logs.openStreams === 1);
    assert.equal(server.logs.cut(), 1);
    await assert.rejects(a.answer, /cut|aborted/);
    const b = logRequest(server, TOKEN, logPath(NS, pod), { follow: 'true' });
    await until('open', () => server.logs.openStreams === 1);
    server.logs.stall(true);
    server.logs.append(NS, pod, 'held back');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(b.text(), '', 'a stalled stream gets nothing');
    server.logs.stall(false);
    await until('released', () => b.text() === 'held back\n');
    assert.equal(server.logs.closeAll(), 1);
    assert.equal((await b.answer).status, 200);
  });

  it('generates numbered load per pod', async () => {
    server.scenario.deployment(NS, 'cart', { image: 'shop/cart:1.0', replicas: 2 });
    const pods = server.store.list('pods', NS).map((p) => p.metadata.name);
    const load = server.logs.generate({ namespace: NS, pods, linesPerSecond: 3000, durationMs: 300 });
    await load.done;
    for (const p of pods) {
      const lines = (await get({}, p)).body.split('\n').filter((l) => l.startsWith('seq='));
      assert.equal(lines.length, load.counts.get(p));
      assert.deepEqual(lines.map((l) => Number(/^seq=(\d+)/.exec(l)![1])), lines.map((_, i) => i + 1));
    }
    assert.ok([...load.counts.values()].reduce((a, b) => a + b) >= 800, 'about 900 lines in 300 ms');
  });
});
