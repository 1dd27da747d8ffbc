// The informer's recovery paths, observed on the server's request log: resume after a cut without
// re-listing, re-list after 410, bookmarks, back-off with jitter, retry() skipping it.
import * as assert from 'node:assert/strict';
import type { ClusterConnections } from '../../../../src/core/cluster/connections';
import { NS, sleep, startHarness, TOKENS, until, type Harness } from '../../../support/kube/connectionsHarness';
import { loadKubeBundle, type KubeBundle } from '../../../support/kube/kubeBundle';

const TUNING = { backoff: { initialMs: 50, maxMs: 400, jitter: 0.2 }, requestTimeoutMs: 3000 };

describe('infra/kube ClusterConnections: resume, re-list, bookmarks, back-off', function () {
  this.timeout(30_000);
  let kube: KubeBundle;
  let h: Harness;
  let connections: ClusterConnections | undefined;

  before(async () => {
    kube = await loadKubeBundle();
  });

  afterEach(async () => {
    connections?.dispose();
    connections = undefined;
    await h.close();
  });

  async function openPods(tuning = {}) {
    connections = kube.createClusterConnections(h.options(), { ...TUNING, ...tuning });
    const handle = connections.open({ context: 'admin' }, ['pods'], () => undefined);
    await handle.whenSettled(5000);
    await until('the watch', () => h.server.openWatches === 1);
    return handle;
  }

  it('a watch the server ends resumes from the last resourceVersion, without listing again', async () => {
    h = await startHarness();
    const handle = await openPods();
    const pod = h.server.store.list('pods', NS)[0]!;
    const changed = h.server.store.modify('pods', NS, pod.metadata.name, (p) => {
      (p.metadata.labels ??= {}).seen = 'yes';
    });
    await until('the change', () => handle.snapshot().pods.some((p) => p.metadata.labels?.seen === 'yes'));
    assert.equal(h.server.closeWatches(), 1);
    await until('a second watch', () => h.calls('pods').watches.length === 2);
    assert.equal(h.calls('pods').watches[1]!.query.resourceVersion, changed.metadata.resourceVersion);
    assert.equal(h.calls('pods').lists.length, 1, 'no re-list');
    assert.equal(handle.snapshot().connection, 'connected');
    // A cut connection (no clean end) is an error, then the same resume.
    h.server.dropWatches();
    await until('a third watch', () => h.calls('pods').watches.length === 3);
    assert.equal(h.calls('pods').watches[2]!.query.resourceVersion, changed.metadata.resourceVersion);
    assert.equal(h.calls('pods').lists.length, 1, 'still no re-list');
    await until('connected again', () => handle.snapshot().connection === 'connected');
    h.server.store.delete('pods', NS, pod.metadata.name);
    await until('the deletion after the resume', () => !handle.snapshot().pods.some((p) => p.metadata.name === pod.metadata.name));
  });

  it('an expired resourceVersion (410 as an ERROR event) lists again and converges, deletions included', async () => {
    h = await startHarness();
    const handle = await openPods();
    const victim = h.server.store.list('pods', NS)[0]!.metadata.name;
    // Other resources move the resourceVersion on; compaction then forgets the pods' version.
    h.server.store.modify('deployments', NS, 'cart', (d) => {
      (d.metadata.labels ??= {}).x = '1';
    });
    h.server.store.compact();
    h.server.closeWatches();
    await until('the 410 answer and a re-list', () => h.calls('pods').lists.length === 2);
    h.server.store.delete('pods', NS, victim);
    await until('converged', () => handle.snapshot().pods.length === h.server.store.list('pods', NS).length && !handle.snapshot().pods.some((p) => p.metadata.name === victim));
    assert.equal(handle.snapshot().connection, 'connected');
    assert.equal(handle.snapshot().synced, true);
  });

  it('bookmarks advance the resourceVersion a resumed watch starts from', async () => {
    h = await startHarness({ bookmarkIntervalMs: 100 });
    await openPods();
    const listRv = Number(h.calls('pods').watches[0]!.query.resourceVersion);
    // Only deployments change: the pods' watch hears of the new resourceVersion through bookmarks alone.
    for (let i = 0; i < 3; i++) h.server.store.modify('deployments', NS, 'cart', (d) => void ((d.metadata.labels ??= {}).n = String(i)));
    const latest = h.server.store.resourceVersion;
    assert.ok(latest > listRv);
    await sleep(350);
    h.server.closeWatches();
    await until('the resumed watch', () => h.calls('pods').watches.length === 2);
    assert.equal(h.calls('pods').watches[1]!.query.resourceVersion, String(latest));
    assert.equal(h.calls('pods').lists.length, 1);
  });

  it('backs off exponentially with jitter, and retry() skips the wait', async () => {
    h = await startHarness();
    const delays: number[] = [];
    connections = kube.createClusterConnections(h.options(), { ...TUNING, backoff: { initialMs: 40, maxMs: 320, jitter: 0.2 }, onBackoff: (ms: number) => void delays.push(ms) });
    const handle = connections.open({ context: 'stranger' }, ['pods'], () => undefined);
    await until('six failures', () => delays.length >= 6, 8000);
    const bases = [40, 80, 160, 320, 320, 320];
    delays.slice(0, 6).forEach((delay, i) => {
      assert.ok(delay >= bases[i]! * 0.8 - 1 && delay <= bases[i]! * 1.2 + 1, `delay ${i}: ${delay} for ${bases[i]}`);
    });
    assert.ok(delays.slice(0, 6).some((delay, i) => delay !== bases[i]), 'jittered');
    // The server saw the attempts spaced by those delays (lists: a 401 comes before any watch).
    const times = h.calls('pods').lists.map((r) => r.at);
    for (let i = 1; i < Math.min(times.length, 6); i++) {
      assert.ok(times[i]! - times[i - 1]! >= delays[i - 1]! * 0.8 - 5, `gap ${i}: ${times[i]! - times[i - 1]!} ms for ${delays[i - 1]}`);
    }
    assert.equal(handle.snapshot().connection, 'unauthorized');
    connections.dispose();

    // A long back-off: retry() connects at once.
    const slow = kube.createClusterConnections(h.options(), { ...TUNING, backoff: { initialMs: 20_000, maxMs: 20_000, jitter: 0 } });
    connections = slow;
    const failing = slow.open({ context: 'stranger' }, ['pods'], () => undefined);
    await failing.whenSettled(5000);
    const before = h.calls('pods').lists.length;
    h.server.tokens.set(TOKENS.wrong, { user: 'late-admin' });
    const asked = Date.now();
    slow.retry({ context: 'stranger' });
    await until('connected after retry', () => failing.snapshot().connection === 'connected', 3000);
    assert.ok(Date.now() - asked < 2000);
    assert.equal(h.calls('pods').lists.length, before + 1);
  });
});
