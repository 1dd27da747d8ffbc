// Every connection failure is a typed error in the snapshot: its message names the context (and the
// server, the verb and resource when forbidden) and never a token; the objects already known stay.
import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ClusterConnections, ScopeSnapshot } from '../../../../src/core/cluster/connections';
import { makeCertificates } from '../../../support/kube/certs';
import { kubeconfigFor, NS, startHarness, TOKENS, type Harness } from '../../../support/kube/connectionsHarness';
import { loadKubeBundle, type KubeBundle } from '../../../support/kube/kubeBundle';

const TUNING = { backoff: { initialMs: 50, maxMs: 400, jitter: 0.2 }, requestTimeoutMs: 3000 };

function assertNoSecret(h: Harness, snapshot: ScopeSnapshot): void {
  const text = JSON.stringify({ message: snapshot.error?.message, hint: snapshot.error?.hint, server: snapshot.error?.server }) + h.logger.lines.join('\n');
  for (const token of Object.values(TOKENS)) assert.ok(!text.includes(token), `a token leaked: ${text}`);
  assert.ok(!text.includes('BEGIN CERTIFICATE'));
}

describe('infra/kube ClusterConnections: errors', function () {
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

  async function settled(context: string | undefined, types = ['pods'] as const, extra = {}): Promise<ScopeSnapshot> {
    connections ??= kube.createClusterConnections(h.options(extra), TUNING);
    const handle = connections.open(context === undefined ? {} : { context }, types, () => undefined);
    await handle.whenSettled(8000);
    return handle.snapshot();
  }

  it('unauthorized (401) names the context and the server', async () => {
    const s = await settled('stranger');
    assert.equal(s.connection, 'unauthorized');
    assert.equal(s.synced, false);
    assert.match(s.error!.message, /context "stranger"/);
    assert.ok(s.error!.message.includes(h.server.url), s.error!.message);
    assertNoSecret(h, s);
  });

  it('forbidden (403) names the verb, the resource and the namespace', async () => {
    const s = await settled('viewer', ['deployments', 'pods'] as never);
    assert.equal(s.connection, 'forbidden');
    assert.match(s.error!.message, /Context "viewer".* may not list pods in namespace "shop"/);
    assert.equal(s.deployments.length, 2, 'the allowed types still load');
    assertNoSecret(h, s);
  });

  it('unreachable: a closed port is ECONNREFUSED, named with the context', async () => {
    const s = await settled('down');
    assert.equal(s.connection, 'unreachable');
    assert.match(s.error!.message, /context "down" \(https:\/\/127\.0\.0\.1:\d+\): connection refused/);
    assertNoSecret(h, s);
  });

  it('no-context: a context missing from the kubeconfig names the context and the file', async () => {
    const s = await settled('nowhere');
    assert.equal(s.connection, 'no-context');
    assert.equal(s.context, 'nowhere');
    assert.ok(s.error!.message.includes('"nowhere"') && s.error!.message.includes(h.kubeconfig), s.error!.message);
    assert.equal(h.server.requests.length, 0, 'nothing was asked of any server');
  });

  it('no kubeconfig at all is no-context; a missing gitopshq.kubeconfig file is an error naming it', async () => {
    connections = kube.createClusterConnections({ allowExecPlugins: false, logger: h.logger, env: { HOME: path.join(h.dir, 'home') } }, TUNING);
    const none = connections.open({}, ['pods'], () => undefined);
    await none.whenSettled(5000);
    assert.equal(none.snapshot().connection, 'no-context');
    assert.match(none.snapshot().error!.message, /No kubeconfig found \(looked for .*home\/\.kube\/config\)/);
    connections.dispose();
    const missing = path.join(h.dir, 'missing-config');
    connections = kube.createClusterConnections(h.options({ kubeconfig: missing }), TUNING);
    const handle = connections.open({ context: 'admin' }, ['pods'], () => undefined);
    await handle.whenSettled(5000);
    assert.equal(handle.snapshot().connection, 'error');
    assert.equal(handle.snapshot().error!.message, `Cannot read kubeconfig ${missing}: file not found`);
  });

  it('tls: a CA that did not sign the server certificate', async () => {
    const other = await makeCertificates();
    await writeFile(h.kubeconfig, kubeconfigFor(h.server, [{
      name: 'wrong-ca', namespace: NS, user: { token: TOKENS.admin },
      cluster: { server: h.server.url, 'certificate-authority-data': Buffer.from(other.caCert).toString('base64') },
    }]));
    const s = await settled('wrong-ca');
    assert.equal(s.connection, 'tls');
    assert.match(s.error!.message, /TLS failed with the cluster of context "wrong-ca" \(https:\/\/127\.0\.0\.1:\d+\)/);
    assertNoSecret(h, s);
  });

  it('keeps the objects already known when the cluster goes away, flags the error, and recovers', async () => {
    connections = kube.createClusterConnections(h.options(), TUNING);
    const handle = connections.open({ context: 'admin' }, ['deployments'], () => undefined);
    await handle.whenSettled(5000);
    assert.equal(handle.snapshot().deployments.length, 2);
    // A token the server stops accepting: the next watch gets 401.
    h.server.tokens.delete(TOKENS.admin);
    h.server.dropWatches();
    const start = Date.now();
    while (handle.snapshot().connection === 'connected' && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 10));
    const failed = handle.snapshot();
    assert.equal(failed.connection, 'unauthorized');
    assert.equal(failed.deployments.length, 2, 'the last objects are kept');
    assert.equal(failed.synced, true);
    h.server.tokens.set(TOKENS.admin, { user: 'admin' });
    while (handle.snapshot().connection !== 'connected' && Date.now() - start < 8000) await new Promise((r) => setTimeout(r, 10));
    assert.equal(handle.snapshot().connection, 'connected');
    assert.equal(handle.snapshot().error, undefined);
  });
});
