// A workload's log session through ClusterConnections (the kube bundle as it ships) against the
// fake API server: every pod, prefixes, a pod that appears streamed from its first line, one that
// goes, the pods cap, tenant narrowing, a context change, and stop closing every connection.
import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import type { ClusterConnections } from '../../../../src/core/cluster/connections';
import type { SourceLine } from '../../../../src/core/logs/logBuffer';
import type { LogSessionHandle, LogSessionRequest } from '../../../../src/core/logs/ports';
import { kubeconfigFor, NS, startHarness, TOKENS, until, type Harness } from '../../../support/kube/connectionsHarness';
import { loadKubeBundle, type KubeBundle } from '../../../support/kube/kubeBundle';
import * as build from '../../../support/kube/objects';

const TUNING = { backoff: { initialMs: 50, maxMs: 400, jitter: 0.2 }, requestTimeoutMs: 3000 };

describe('infra/kube log sessions', function () {
  this.timeout(30_000);
  let kube: KubeBundle;
  let h: Harness;
  let connections: ClusterConnections;
  let session: LogSessionHandle | undefined;
  let lines: SourceLine[];
  let markers: string[];
  let failures: string[];
  let ended: string[];

  const stream = (request: Partial<LogSessionRequest> = {}) => {
    session = connections.streamLogs({
      scope: { context: 'admin' },
      selector: { 'app.kubernetes.io/name': 'storefront' },
      follow: true,
      previous: false,
      start: { tailLines: 100 },
      maxPods: 10,
      tuning: { backoffInitialMs: 20, backoffMaxMs: 100 },
      ...request,
    }, {
      lines: (batch) => lines.push(...batch),
      marker: (text) => markers.push(text),
      failed: (reason) => failures.push(reason),
      ended: (reason) => ended.push(reason),
    });
    return session;
  };
  const podsOf = (app: string) => h.server.store.list('pods', NS).filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === app).map((p) => p.metadata.name);

  before(async () => {
    kube = await loadKubeBundle();
  });

  beforeEach(async () => {
    h = await startHarness();
    connections = kube.createClusterConnections(h.options(), TUNING);
    lines = [];
    markers = [];
    failures = [];
    ended = [];
    session = undefined;
  });

  afterEach(async () => {
    await session?.stop();
    connections.dispose();
    await h.close();
  });

  it('streams every pod with short prefixes, attaches a new pod from its first line, and marks one that goes', async () => {
    const pods = podsOf('storefront');
    assert.equal(pods.length, 3);
    for (const pod of pods) h.server.logs.append(NS, pod, `hello from ${pod}`);
    stream();
    await until('a line from each pod', () => lines.length === 3);
    for (const line of lines) {
      const pod = pods.find((p) => line.text === `hello from ${p}`)!;
      assert.equal(line.prefix, `[${pod.slice(pod.lastIndexOf('-') + 1)}]`, 'the random suffix after the ReplicaSet hash');
      assert.equal(line.source, `${pod}/app`);
    }
    // A new pod of the workload: created, scheduled, then running with lines written before we attach.
    const rs = h.server.store.list('replicasets', NS).find((r) => r.metadata.name.startsWith('storefront-'))!;
    const fresh = build.pod(rs, (rs.spec as { template: Parameters<typeof build.pod>[1] }).template);
    build.schedule(fresh);
    const name = h.server.store.create('pods', fresh as never).metadata.name;
    await until('the new pod attached', () => markers.some((m) => m === `pod ${name.slice(-5)} appeared`));
    h.server.store.modify('pods', NS, name, (p) => build.run(p, true));
    h.server.logs.append(NS, name, ['first line of the new pod', 'second']);
    await until('the new pod\'s lines', () => lines.filter((l) => l.source === `${name}/app`).length === 2);
    assert.deepEqual(lines.filter((l) => l.source === `${name}/app`).map((l) => l.text), ['first line of the new pod', 'second']);
    h.server.store.delete('pods', NS, pods[0]!);
    await until('the gone marker', () => markers.includes(`pod ${pods[0]!.slice(-5)} is gone`));
    assert.deepEqual(failures, []);
  });

  it('caps the pods it attaches and says so; shows the container when a pod has several', async () => {
    stream({ maxPods: 2 });
    await until('two pods', () => session!.pods.length === 2 && markers.some((m) => /3 pods match: streaming 2 \(setting gitopshq\.logs\.maxPods\)/.test(m)));
    await session!.stop();
    session = undefined;
    const base = h.server.store.get('pods', NS, podsOf('cart')[0]!)!;
    const two = structuredClone(base);
    two.metadata = { name: 'cart-manual', namespace: NS, labels: { 'app.kubernetes.io/name': 'cart-two' } };
    (two.spec as { containers: object[] }).containers.push({ name: 'proxy', image: 'envoy:1' });
    (two.status as { containerStatuses: object[] }).containerStatuses.push({ name: 'proxy', state: { running: { startedAt: '2024-05-01T10:00:00Z' } }, containerID: 'containerd://proxy1', ready: true, restartCount: 0 });
    h.server.store.create('pods', two);
    h.server.logs.append(NS, 'cart-manual', 'from app');
    h.server.logs.append(NS, 'cart-manual', 'from proxy', { container: 'proxy' });
    stream({ selector: { 'app.kubernetes.io/name': 'cart-two' } });
    await until('both containers', () => lines.length === 2);
    assert.deepEqual(lines.map((l) => `${l.prefix} ${l.text}`).sort(), ['[cart-manual/app] from app', '[cart-manual/proxy] from proxy']);
    await session!.stop();
    session = undefined;
    lines = [];
    stream({ selector: { 'app.kubernetes.io/name': 'cart-two' }, containers: ['proxy'] });
    await until('the chosen container', () => lines.length === 1);
    assert.equal(lines[0]!.prefix, '[cart-manual]');
    assert.equal(lines[0]!.text, 'from proxy');
  });

  it('a dropped connection of every pod resumes without duplicates', async () => {
    const pods = podsOf('storefront');
    stream();
    await until('connected', () => session!.openConnections === 3);
    const load = h.server.logs.generate({ namespace: NS, pods, linesPerSecond: 1500, durationMs: 1500 });
    await new Promise((r) => setTimeout(r, 400));
    h.server.logs.cut();
    await new Promise((r) => setTimeout(r, 400));
    h.server.logs.cut();
    await load.done;
    await until('every line', () => lines.length === [...load.counts.values()].reduce((a, b) => a + b), 10_000);
    for (const pod of pods) {
      const seqs = lines.filter((l) => l.source === `${pod}/app`).map((l) => Number(/^seq=(\d+)/.exec(l.text)![1]));
      assert.deepEqual(seqs, seqs.map((_, i) => i + 1), `${pod}: in order, none lost, none repeated`);
    }
    assert.ok(markers.some((m) => /reconnecting…/.test(m)) && markers.some((m) => /resumed after/.test(m)), markers.join('\n'));
  });

  it('without follow, reads every pod\'s log and ends; previous reads the terminated container', async () => {
    const pods = podsOf('storefront');
    for (const pod of pods) h.server.logs.append(NS, pod, `line of ${pod}`);
    stream({ follow: false });
    await until('ended', () => ended.length === 1);
    assert.equal(ended[0], 'end of the logs');
    assert.deepEqual(lines.map((l) => l.text).sort(), pods.map((p) => `line of ${p}`).sort());
    assert.equal(h.server.logs.openStreams, 0);
    await session!.stop();
    [lines, ended] = [[], []];
    h.server.store.modify('pods', NS, pods[0]!, (p) => build.crash(p));
    stream({ previous: true, pods: [pods[0]!] });
    await until('ended', () => ended.length === 1);
    assert.deepEqual(lines.map((l) => l.text), [`line of ${pods[0]}`]);
  });

  it('ends by itself when the context changes, and stop closes every connection', async () => {
    stream();
    await until('connected', () => session!.openConnections === 3);
    const handle = session!;
    await handle.stop();
    assert.equal(handle.openConnections, 0);
    await until('closed on the server', () => h.server.logs.openStreams === 0, 5000);
    session = undefined;
    stream();
    await until('connected again', () => session!.openConnections === 3);
    // The admin context now points at another namespace.
    await writeFile(h.kubeconfig, kubeconfigFor(h.server, [{ name: 'admin', namespace: 'other', user: { token: TOKENS.admin } }]));
    await connections.reload();
    await until('ended', () => ended.length === 1);
    assert.equal(ended[0], 'the cluster context changed');
    assert.ok(markers.includes('the cluster context changed: the stream ended'));
    await until('closed on the server', () => h.server.logs.openStreams === 0, 5000);
  });
});
