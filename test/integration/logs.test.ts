// Pod logs in real VS Code against the fake Kubernetes API server over HTTPS (started here, in the
// extension host, so the test can add pods, write lines and cut connections): a multi-pod stream
// with a pod appearing mid-stream, container choice, filters changed live, an invalid regex refused,
// a forced disconnect resumed without duplicates, timeline markers, export, and the palette flow.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LazyLogs } from '../../src/vscode/logs/lazyLogs';
import type { LogStreamManager } from '../../src/vscode/logs/logStreams';
import { startKubeApiServer, type KubeApiServer } from '../support/kube/apiServer';
import * as build from '../support/kube/objects';
import { keyboardPress, keyboardType, workbenchText } from '../support/control';
import { activate, waitFor } from './support';

const PROJECT = 'payment-platform';
const TOKEN = 'logs-token-6d2f9a';
const TITLE = '.quick-input-widget .quick-input-title';

describe('Pod logs', function () {
  this.timeout(120_000);
  let server: KubeApiServer;
  let dir: string;
  let logs: LogStreamManager;
  const config = () => vscode.workspace.getConfiguration('gitopshq');
  let previous: { kubeconfig: unknown; clusters: unknown };

  const podsOf = (namespace: string, app: string) => server.store.list('pods', namespace).filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === app).map((p) => p.metadata.name);
  const stream = async (args: Record<string, unknown>) => (await vscode.commands.executeCommand<{ id: string }>('gitopshq.logs.stream', { project: PROJECT, ...args })).id;
  const lines = (id: string) => logs.retained(id);
  const waitLines = (id: string, ok: (lines: string[]) => boolean, what: string, timeoutMs = 15_000) => waitFor(() => ok(lines(id)), () => `${what}; the channel has:\n${lines(id).join('\n')}`, timeoutMs);
  /** A new pod of a Deployment's ReplicaSet: created, scheduled, then running. */
  const newPod = (namespace: string, app: string) => {
    const rs = server.store.list('replicasets', namespace).find((r) => r.metadata.name.startsWith(`${app}-`))!;
    const pod = build.pod(rs, (rs.spec as { template: Parameters<typeof build.pod>[1] }).template);
    build.schedule(pod);
    return server.store.create('pods', pod as never).metadata.name;
  };

  before(async () => {
    const api = await activate();
    logs = await (api._internal as { logs: LazyLogs }).logs.load();
    server = await startKubeApiServer({ stepMs: 100, tokens: { [TOKEN]: { user: 'dev' } } });
    const s = server.scenario;
    const image = (w: string, tag: string) => `registry.example.com/payments/${w}:${tag}`;
    for (const tenant of ['acme', 'globex']) s.deployment(`payments-dev-${tenant}`, 'payment-api', { image: image('payment-api', '2.5.0'), replicas: 2 });
    s.deployment('payments', 'payment-api', { image: image('payment-api', '2.4.0'), replicas: 3 });
    s.deployment('payments', 'checkout-web', { image: image('checkout-web', '1.7.2'), replicas: 1 });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-logs-test-'));
    const file = path.join(dir, 'kubeconfig');
    await server.writeKubeconfig(file, [
      { name: 'kind-dev', token: TOKEN },
      { name: 'staging-eu', token: TOKEN },
      { name: 'prod-eu', token: TOKEN },
    ], 'prod-eu');
    previous = { kubeconfig: config().inspect('kubeconfig')?.globalValue, clusters: config().inspect('clusters')?.globalValue };
    await config().update('clusters', undefined, vscode.ConfigurationTarget.Global);
    await config().update('kubeconfig', file, vscode.ConfigurationTarget.Global);
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('gitopshq.logs.stop', {});
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await config().update('clusters', previous.clusters, vscode.ConfigurationTarget.Global);
    await config().update('kubeconfig', previous.kubeconfig, vscode.ConfigurationTarget.Global);
    await server?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('contributes exactly the log commands it registers, and the two settings', async () => {
    const manifest = JSON.parse(await fs.readFile(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[]; configuration: { properties: Record<string, { default: unknown }> } } };
    const contributed = manifest.contributes.commands.map((c) => c.command).filter((c) => c.startsWith('gitopshq.logs.')).sort();
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('gitopshq.logs.')).sort();
    assert.deepEqual(registered, contributed);
    assert.deepEqual(contributed, ['gitopshq.logs.export', 'gitopshq.logs.filter', 'gitopshq.logs.restart', 'gitopshq.logs.showStreams', 'gitopshq.logs.stop', 'gitopshq.logs.stream']);
    assert.equal(manifest.contributes.configuration.properties['gitopshq.logs.bufferLines']?.default, 50_000);
    assert.equal(config().get('logs.bufferLines'), 50_000);
    assert.equal(config().get('logs.maxPods'), 20);
  });

  it('streams every pod with short prefixes into its log channel, attaches a pod that appears from its first line, and stop closes every connection', async () => {
    const pods = podsOf('payments', 'payment-api');
    for (const pod of pods) server.logs.append('payments', pod, `level=info msg="ready" pod=${pod}`);
    const id = await stream({ environment: 'production', workload: 'payment-api', tenant: 'acme' });
    assert.equal(logs.channelName(id), 'GitOpsHQ Logs: payment-api (production/acme)');
    await waitLines(id, (l) => pods.every((p) => l.includes(`[${p.slice(-5)}] level=info msg="ready" pod=${p}`)), 'a line of each pod');
    // The channel is a `log` document the output view shows (highlighting).
    const doc = await waitFor(() => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.getText().includes(`pod=${pods[0]}`)), 'the output channel document');
    assert.equal(doc.languageId, 'log');

    const fresh = newPod('payments', 'payment-api');
    await waitLines(id, (l) => l.includes(`── pod ${fresh.slice(-5)} appeared ──`), 'the appeared marker');
    server.store.modify('pods', 'payments', fresh, (p) => build.run(p, true));
    server.logs.append('payments', fresh, ['first line of the new pod', 'second line  ']);
    await waitLines(id, (l) => l.includes(`[${fresh.slice(-5)}] second line  `), 'the new pod\'s lines, trailing spaces kept');
    const mine = lines(id).filter((l) => l.startsWith(`[${fresh.slice(-5)}]`));
    assert.deepEqual(mine, [`[${fresh.slice(-5)}] first line of the new pod`, `[${fresh.slice(-5)}] second line  `]);
    assert.ok(server.logs.openStreams >= 4);
    const stopped = Date.now();
    await vscode.commands.executeCommand('gitopshq.logs.stop', { id });
    await waitFor(() => server.logs.openStreams === 0, 'every log connection closed', 5000);
    assert.ok(Date.now() - stopped < 5000);
    assert.match(lines(id).at(-1)!, /^── stopped ──$/);
  });

  it('streams only the chosen container, prefixed with pod and container when a pod has several', async () => {
    const base = server.store.get('pods', 'payments', podsOf('payments', 'checkout-web')[0]!)!;
    const two = structuredClone(base);
    two.metadata = { name: 'checkout-web-manual', namespace: 'payments', labels: base.metadata.labels! };
    (two.spec as { containers: object[] }).containers.push({ name: 'proxy', image: 'envoy:1.30' });
    (two.status as { containerStatuses: object[] }).containerStatuses.push({ name: 'proxy', state: { running: { startedAt: '2025-01-01T00:00:00Z' } }, containerID: 'containerd://proxy-1', ready: true, restartCount: 0 });
    server.store.create('pods', two);
    server.logs.append('payments', 'checkout-web-manual', 'app says hi');
    server.logs.append('payments', 'checkout-web-manual', 'proxy says hi', { container: 'proxy' });
    const all = await stream({ environment: 'production', workload: 'checkout-web', tenant: 'acme' });
    await waitLines(all, (l) => l.includes('[checkout-web-manual/app] app says hi') && l.includes('[checkout-web-manual/proxy] proxy says hi'), 'both containers');
    const proxy = await stream({ environment: 'production', workload: 'checkout-web', tenant: 'acme', container: 'proxy' });
    await waitLines(proxy, (l) => l.includes('[checkout-web-manual] proxy says hi'), 'the proxy container');
    assert.ok(!lines(proxy).some((l) => l.includes('app says hi')), 'the app container is left out');
    assert.ok(lines(all).some((l) => l === '── replaced by a new stream ──'), 'one stream per channel: the first was replaced');
  });

  it('include and exclude, changed live without reconnecting; an invalid regex is refused before anything streams', async () => {
    const pod = podsOf('payments-dev-globex', 'payment-api')[0]!;
    const id = await stream({ environment: 'dev', tenant: 'globex', workload: 'payment-api', include: 'GET|POST', exclude: 'healthz', tail: 0 });
    await waitFor(() => logs.list().find((s) => s.id === id)!.openConnections === 2 && server.logs.openStreams === 2, 'connected');
    const connections = server.requests.filter((r) => r.path.endsWith('/log')).length;
    server.logs.append('payments-dev-globex', pod, ['GET /v1/payments 200', 'GET /healthz 200', 'DELETE /v1/x 204', 'POST /v1/refunds 201']);
    await waitLines(id, (l) => l.some((x) => x.endsWith('POST /v1/refunds 201')), 'the included lines');
    assert.deepEqual(lines(id).filter((l) => !l.startsWith('──')).map((l) => l.replace(/^\[\w+\] /, '')), ['GET /v1/payments 200', 'POST /v1/refunds 201']);
    await vscode.commands.executeCommand('gitopshq.logs.filter', { id, include: '', exclude: '', errorsOnly: true });
    server.logs.append('payments-dev-globex', pod, ['GET /v1/payments 200', 'level=error msg="psp timeout"', '    at charge (psp.js:10)', 'level=info msg="retry ok"']);
    await waitLines(id, (l) => l.some((x) => x.endsWith('    at charge (psp.js:10)')), 'the error and its trace');
    const after = lines(id).slice(lines(id).indexOf('── filter: errors only ──') + 1).map((l) => l.replace(/^\[\w+\] /, ''));
    assert.deepEqual(after, ['level=error msg="psp timeout"', '    at charge (psp.js:10)']);
    assert.equal(server.requests.filter((r) => r.path.endsWith('/log')).length, connections, 'no reconnection for a filter change');

    const before = logs.list().length;
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('gitopshq.logs.stream', { project: PROJECT, environment: 'dev', tenant: 'globex', workload: 'payment-api', include: '(unclosed' })),
      /Invalid include regular expression \/\(unclosed\/: .*nterminated group/,
    );
    assert.equal(logs.list().length, before, 'no stream was created');
  });

  it('a forced disconnect of every connection is resumed without duplicates or losses, with markers', async () => {
    const pods = podsOf('payments-dev-acme', 'payment-api');
    const id = await stream({ environment: 'dev', tenant: 'acme', workload: 'payment-api', tail: 0 });
    await waitFor(() => logs.list().find((s) => s.id === id)!.openConnections === 2 && server.logs.openStreams === 2, 'connected');
    const load = server.logs.generate({ namespace: 'payments-dev-acme', pods, linesPerSecond: 1000, durationMs: 2000 });
    await new Promise((r) => setTimeout(r, 600));
    server.logs.cut();
    await new Promise((r) => setTimeout(r, 600));
    server.logs.cut();
    await load.done;
    const total = [...load.counts.values()].reduce((a, b) => a + b, 0);
    await waitLines(id, (l) => l.filter((x) => /seq=\d+/.test(x)).length >= total, `all ${total} lines`, 20_000);
    for (const pod of pods) {
      const seqs = lines(id).filter((l) => l.includes(`pod=${pod} `)).map((l) => Number(/seq=(\d+)/.exec(l)![1]));
      assert.deepEqual(seqs, Array.from({ length: load.counts.get(pod)! }, (_, i) => i + 1), `${pod}: every line once, in order`);
    }
    assert.ok(lines(id).some((l) => /^── \[\w+\] reconnecting… /.test(l)), 'a reconnecting marker');
    assert.ok(lines(id).some((l) => /^── \[\w+\] resumed after \d+\.\d s ──$/.test(l)), 'a resumed marker');
  });

  it('writes the timeline\'s phase changes into the workload\'s streams, and exports the retained lines', async () => {
    const pod = podsOf('payments', 'payment-api')[0]!;
    const id = await stream({ environment: 'production', workload: 'payment-api', tail: 0, timestamps: true });
    await waitFor(() => (logs.list().find((s) => s.id === id)?.openConnections ?? 0) >= 3 && server.logs.openStreams >= 3, 'connected');
    server.logs.append('payments', pod, 'before the rollout');
    await waitLines(id, (l) => l.some((x) => x.endsWith(' before the rollout')), 'a line');
    const written = logs.marker({ project: PROJECT, environment: 'production', workload: 'payment-api' }, new Date(), 'rel_20250301 Payment API 2.5.0: In Progress');
    assert.equal(written, 1);
    assert.equal(logs.marker({ project: PROJECT, environment: 'staging', workload: 'payment-api' }, new Date(), 'elsewhere'), 0, 'another environment: not this stream');
    server.logs.append('payments', pod, 'during the rollout');
    await waitLines(id, (l) => l.some((x) => x.endsWith(' during the rollout')), 'a later line');
    const all = lines(id);
    const marker = all.indexOf('── rel_20250301 Payment API 2.5.0: In Progress ──');
    assert.ok(marker > all.findIndex((l) => l.endsWith(' before the rollout')) && marker < all.findIndex((l) => l.endsWith(' during the rollout')), all.join('\n'));
    assert.match(all.find((l) => l.endsWith(' during the rollout'))!, /^\[\w+\] \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z during the rollout$/);

    const file = path.join(dir, 'export', 'payment-api.log');
    const returned = await vscode.commands.executeCommand<string>('gitopshq.logs.export', { id, path: file });
    assert.equal(returned, file);
    const content = await fs.readFile(file, 'utf8');
    assert.equal(content, `${logs.retained(id).join('\n')}\n`);
    assert.ok(content.includes('── rel_20250301 Payment API 2.5.0: In Progress ──\n'));
  });

  it('the palette flow, driven by key presses: workload, all pods, Follow', async function () {
    if ((await workbenchText('.monaco-workbench', { timeoutMs: 2000 }).catch(() => undefined)) === undefined) this.skip();
    const textOf = (selector: string) => workbenchText(selector, { timeoutMs: 500 }).catch(() => undefined);
    const step = async (label: string, ...keys: (string | { type: string })[]) => {
      await waitFor(async () => (await textOf(TITLE))?.includes(label), `the quick input "${label}"`, 20_000);
      for (const key of keys) {
        if (typeof key === 'string') await keyboardPress(key);
        else await keyboardType(key.type);
      }
    };
    const result = vscode.commands.executeCommand<{ id: string } | undefined>('gitopshq.logs.stream');
    await step('Stream Logs (1/3): workload', { type: 'payment-api (dev/globex)' }, 'Enter');
    await step('Stream Logs (2/3): pods and containers', 'Enter');
    await step('Stream Logs (3/3): options', 'Enter');
    const started = await result;
    assert.ok(started, 'the flow started a stream');
    assert.equal(logs.channelName(started.id), 'GitOpsHQ Logs: payment-api (dev/globex)');
    await waitFor(() => (logs.list().find((s) => s.id === started.id)?.pods.length ?? 0) === 2, 'both pods attached');
  });
});
