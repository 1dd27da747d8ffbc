// Where credentials come from: exec plugins (only when trusted; failing; working and cached), token
// files, KUBECONFIG merging, `~`; and reloads that restart only the contexts whose settings changed.
import * as assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ClusterConnections, ResourceType } from '../../../../src/core/cluster/connections';
import { kubeconfigFor, NS, startHarness, TOKENS, until, type Harness, type KubeconfigEntry } from '../../../support/kube/connectionsHarness';
import { loadKubeBundle, type KubeBundle } from '../../../support/kube/kubeBundle';

const TUNING = { backoff: { initialMs: 50, maxMs: 400, jitter: 0.2 }, requestTimeoutMs: 3000 };
const PLUGIN_SECRET = 'eyJhbGciOiJSUzI1NiJ9.plugin-secret.sig';

describe('infra/kube ClusterConnections: credentials and kubeconfig', function () {
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

  /** A credential plugin run with node: prints `stdout`, or `stderr` and exits 1; counts its runs in a file. */
  async function plugin(name: string, behaviour: { token?: string; fail?: string }): Promise<KubeconfigEntry['user']> {
    const script = path.join(h.dir, `${name}.js`);
    const runs = path.join(h.dir, `${name}.runs`);
    await writeFile(script, `
const fs = require('fs');
fs.appendFileSync(${JSON.stringify(runs)}, 'x');
${behaviour.fail !== undefined
    ? `process.stderr.write(${JSON.stringify(behaviour.fail)}); process.exit(1);`
    : `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: ${JSON.stringify(behaviour.token)} } }));`}
`);
    return { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: process.execPath, args: [script], interactiveMode: 'Never' } };
  }

  async function runs(name: string): Promise<number> {
    try {
      return (await readFile(path.join(h.dir, `${name}.runs`), 'utf8')).length;
    } catch {
      return 0;
    }
  }

  async function open(context: string | undefined, types: readonly ResourceType[] = ['pods'], extra = {}) {
    connections ??= kube.createClusterConnections(h.options(extra), TUNING);
    const handle = connections.open(context === undefined ? {} : { context }, types, () => undefined);
    await handle.whenSettled(8000);
    return handle;
  }

  it('an exec plugin in an untrusted workspace fails with exec-plugin and never runs', async () => {
    await writeFile(h.kubeconfig, kubeconfigFor(h.server, [{ name: 'eks', namespace: NS, user: await plugin('login', { token: TOKENS.admin }) }]));
    const handle = await open('eks');
    const s = handle.snapshot();
    assert.equal(s.connection, 'exec-plugin');
    assert.match(s.error!.message, /Context "eks" .*gets its credentials from the plugin "node", which runs only in a trusted workspace/);
    assert.equal(await runs('login'), 0);
    assert.equal(h.server.requests.length, 0);
    // Trusting the workspace connects without reopening.
    await connections!.configure({ kubeconfig: h.kubeconfig, allowExecPlugins: true });
    await until('connected once trusted', () => handle.snapshot().connection === 'connected' && handle.snapshot().synced);
    assert.equal(await runs('login'), 1);
  });

  it('a failing plugin is exec-plugin with its stderr, credentials redacted', async () => {
    await writeFile(h.kubeconfig, kubeconfigFor(h.server, [{
      name: 'sso', namespace: NS, user: await plugin('broken', { fail: `error: SSO session expired; cached token=${PLUGIN_SECRET} rejected\n` }),
    }]));
    const s = (await open('sso', ['pods'], { allowExecPlugins: true })).snapshot();
    assert.equal(s.connection, 'exec-plugin');
    assert.match(s.error!.message, /The credential plugin "node" of context "sso" .*failed: error: SSO session expired/);
    assert.ok(!s.error!.message.includes(PLUGIN_SECRET), s.error!.message);
    assert.ok(!h.logger.lines.join('\n').includes(PLUGIN_SECRET));
  });

  it('a working plugin connects in a trusted workspace, run once for every informer of the context', async () => {
    await writeFile(h.kubeconfig, kubeconfigFor(h.server, [{ name: 'eks', namespace: NS, user: await plugin('login', { token: TOKENS.admin }) }]));
    const handle = await open('eks', ['deployments', 'replicasets', 'pods'], { allowExecPlugins: true });
    assert.equal(handle.snapshot().connection, 'connected');
    assert.equal(handle.snapshot().deployments.length, 2);
    assert.equal(await runs('login'), 1, 'the credential is cached (it has no expiry)');
  });

  it('reads a token file relative to the kubeconfig, asynchronously', async () => {
    await writeFile(path.join(h.dir, 'token'), `${TOKENS.admin}\n`);
    await writeFile(h.kubeconfig, kubeconfigFor(h.server, [{ name: 'sa', namespace: NS, user: { 'token-file': 'token' } }]));
    const s = (await open('sa')).snapshot();
    assert.equal(s.connection, 'connected');
    const missing = await open(undefined);
    assert.equal(missing.snapshot().context, 'sa', 'the current context');
  });

  it('merges KUBECONFIG as kubectl: missing files skipped, first definition and first current-context win; ~ is expanded', async () => {
    const first = path.join(h.dir, 'first');
    const second = path.join(h.dir, 'second');
    const good = kubeconfigFor(h.server, [{ name: 'admin', namespace: NS, user: { token: TOKENS.admin } }]).replace(/current-context: .*\n/, '');
    await writeFile(first, good);
    await writeFile(second, kubeconfigFor(h.server, [
      { name: 'admin', namespace: 'other', user: { token: TOKENS.wrong } },
      { name: 'extra', namespace: 'other', user: { token: TOKENS.admin } },
    ], 'admin'));
    connections = kube.createClusterConnections({
      allowExecPlugins: false, logger: h.logger,
      env: { HOME: h.dir, KUBECONFIG: [path.join(h.dir, 'missing'), first, second].join(path.delimiter) },
    }, TUNING);
    assert.deepEqual(await connections.contexts(), {
      current: 'admin',
      contexts: [{ name: 'admin', cluster: 'admin-cluster', namespace: NS }, { name: 'extra', cluster: 'extra-cluster', namespace: 'other' }],
      files: [first, second],
    });
    const handle = connections.open({}, ['deployments'], () => undefined);
    await handle.whenSettled(5000);
    assert.equal(handle.snapshot().connection, 'connected', 'the first file\'s user (the good token) wins');
    assert.equal(handle.snapshot().namespace, NS);
    assert.deepEqual(connections.files(), [path.join(h.dir, 'missing'), first, second]);
    connections.dispose();

    connections = kube.createClusterConnections({ kubeconfig: '~/first', allowExecPlugins: false, logger: h.logger, env: { HOME: h.dir } }, TUNING);
    assert.deepEqual(connections.files(), [first]);
    const tilde = connections.open({ context: 'admin' }, ['deployments'], () => undefined);
    await tilde.whenSettled(5000);
    assert.equal(tilde.snapshot().connection, 'connected');
  });

  it('reload() restarts only the context whose settings changed', async () => {
    h.server.tokens.set('second-token-1b3d5f7a9c1e3b5d7f', { user: 'second' });
    const entries = (token: string): KubeconfigEntry[] => [
      { name: 'admin', namespace: NS, user: { token: TOKENS.admin } },
      { name: 'team', namespace: NS, user: { token } },
    ];
    await writeFile(h.kubeconfig, kubeconfigFor(h.server, entries(TOKENS.admin)));
    connections = kube.createClusterConnections(h.options(), TUNING);
    const admin = connections.open({ context: 'admin' }, ['deployments'], () => undefined);
    const team = connections.open({ context: 'team', namespace: 'other' }, ['deployments'], () => undefined);
    await Promise.all([admin.whenSettled(5000), team.whenSettled(5000)]);
    await until('two watches', () => h.server.openWatches === 2);
    await writeFile(h.kubeconfig, kubeconfigFor(h.server, entries('second-token-1b3d5f7a9c1e3b5d7f')));
    await connections.reload();
    await until('the team context listed again', () => h.calls('deployments', 'other').lists.length === 2);
    await until('the old team watch stopped', () => h.server.openWatches === 2);
    assert.equal(h.calls('deployments').lists.length, 1, 'admin was not restarted');
    assert.equal(h.calls('deployments').watches.length, 1);
    assert.equal(h.server.requests.filter((r) => r.path.endsWith('/other/deployments')).at(-1)?.user, 'second');
    assert.equal(team.snapshot().connection, 'connected');
    // Reading the same file again restarts nothing.
    await connections.reload();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(h.calls('deployments', 'other').lists.length, 2);
  });
});
