// The live cluster in real VS Code, against the fake Kubernetes API server over HTTPS: the tree's
// replicas and colours read from the rendered rows, a crash loop turning rows red, error nodes that
// recover on Retry, Select Context, and `clusterStatus` for every connection kind.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse, stringify } from 'yaml';
import type { ApiConnection } from '../../src/api/gitopshq';
import { startKubeApiServer, type KubeApiServer } from '../support/kube/apiServer';
import { makeCertificates } from '../support/kube/certs';
import { keyboardPress, keyboardType, viewRows, workbenchText } from '../support/control';
import { internals, openInProjectsTree, showRows, waitFor } from './support';

const PROJECT = 'payment-platform';
const TOKENS = { dev: 'dev-token-5f1e2d', prod: 'prod-token-9a8b7c', viewer: 'viewer-token-41d0', late: 'late-token-77aa' };
const SECRETS = Object.values(TOKENS);

type Kubeconfig = { clusters: { name: string; cluster: Record<string, unknown> }[]; users: { name: string; user: Record<string, unknown> }[]; contexts: { name: string; context: Record<string, unknown> }[] };

describe('Live cluster status', function () {
  this.timeout(120_000);
  let server: KubeApiServer;
  let later: KubeApiServer | undefined;
  let dir: string;
  let kubeconfigFile: string;
  let laterPort: number;
  const config = () => vscode.workspace.getConfiguration('gitopshq');
  let previous: { kubeconfig: unknown; clusters: unknown };

  before(async () => {
    server = await startKubeApiServer({
      stepMs: 100,
      tokens: {
        [TOKENS.dev]: { user: 'dev' },
        [TOKENS.prod]: { user: 'prod' },
        [TOKENS.viewer]: { user: 'viewer', deny: [{ resource: 'pods', verb: 'list' }] },
      },
    });
    const s = server.scenario;
    for (const tenant of ['acme', 'globex']) {
      s.deployment(`payments-dev-${tenant}`, 'payment-api', { image: 'registry.example.com/payments/payment-api:2.5.0', replicas: 1 });
      s.deployment(`payments-dev-${tenant}`, 'checkout-web', { image: 'registry.example.com/payments/checkout-web:1.8.0', replicas: 1 });
    }
    s.deployment('payments', 'payment-api', { image: 'registry.example.com/payments/payment-api:2.4.0', replicas: 3 });
    s.deployment('payments', 'checkout-web', { image: 'registry.example.com/payments/checkout-web:1.7.2', replicas: 2 });
    s.statefulSet('payments', 'ledger-worker', { image: 'registry.example.com/payments/ledger-worker:0.9.2', replicas: 2, labels: { app: 'ledger', component: 'worker' } });

    // A port nobody listens on yet: the "unreachable" cluster that comes up later.
    const probe = await startKubeApiServer({ http: true });
    laterPort = Number(new URL(probe.url).port);
    await probe.close();

    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-cluster-test-'));
    kubeconfigFile = path.join(dir, 'kubeconfig');
    const kc = parse(
      server.kubeconfig(
        [
          { name: 'kind-dev', token: TOKENS.dev },
          { name: 'prod-eu', token: TOKENS.prod },
          { name: 'staging-eu', token: TOKENS.prod },
          { name: 'stranger', token: 'not-a-valid-token-31337' },
          { name: 'viewer', token: TOKENS.viewer },
          { name: 'late', token: TOKENS.late },
          { name: 'bad-ca', token: TOKENS.dev },
          { name: 'exec-fails', token: TOKENS.dev },
        ],
        'prod-eu',
      ),
    ) as Kubeconfig;
    // TLS: a CA that did not sign the server's certificate.
    const otherCa = (await makeCertificates()).caCert;
    kc.clusters.find((c) => c.name === 'bad-ca')!.cluster['certificate-authority-data'] = Buffer.from(otherCa).toString('base64');
    // A credential plugin that fails (the workspace is trusted in the test host, so it runs).
    kc.users.find((u) => u.name === 'exec-fails')!.user = {
      exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'sh', args: ['-c', 'echo "plugin: no session" >&2; exit 3'], interactiveMode: 'Never' },
    };
    // Unreachable until `later` starts: plain http with insecure-skip-tls-verify, as client-node requires for http.
    kc.clusters.push({ name: 'later', cluster: { server: `http://127.0.0.1:${laterPort}`, 'insecure-skip-tls-verify': true } });
    kc.users.push({ name: 'later', user: { token: TOKENS.dev } });
    kc.contexts.push({ name: 'unreachable', context: { cluster: 'later', user: 'later' } });
    await fs.writeFile(kubeconfigFile, stringify(kc));

    previous = { kubeconfig: config().inspect('kubeconfig')?.globalValue, clusters: config().inspect('clusters')?.globalValue };
    await config().update('clusters', undefined, vscode.ConfigurationTarget.Global);
    await config().update('kubeconfig', kubeconfigFile, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('clusters', previous.clusters, vscode.ConfigurationTarget.Global);
    await config().update('kubeconfig', previous.kubeconfig, vscode.ConfigurationTarget.Global);
    await later?.close();
    await server?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  /** Points dev at `context` through the user setting, as Select Context does. */
  const devContext = (context: string | undefined) =>
    config().update('clusters', context ? { [`${PROJECT}/dev`]: { context } } : undefined, vscode.ConfigurationTarget.Global);

  it('clusterStatus: connected, with every bound workload, its replicas, pods and images', async () => {
    const { api } = await internals();
    const status = await waitFor(async () => {
      const s = await api.clusterStatus(PROJECT, 'production', { tenant: 'acme' });
      return s.workloads.length > 0 && s.workloads.every((w) => w.health === 'healthy') ? s : undefined;
    }, 'production to be healthy');
    assert.equal(status.connection, 'connected');
    assert.deepEqual([status.context, status.namespace], ['prod-eu', 'payments']);
    assert.deepEqual(
      status.workloads.map((w) => [w.name, w.kind, `${w.ready}/${w.desired}`, w.images]),
      [
        ['payment-api', 'Deployment', '3/3', ['registry.example.com/payments/payment-api:2.4.0']],
        ['checkout-web', 'Deployment', '2/2', ['registry.example.com/payments/checkout-web:1.7.2']],
        ['ledger-worker', 'StatefulSet', '2/2', ['registry.example.com/payments/ledger-worker:0.9.2']],
      ],
    );
    const pod = status.workloads[0]!.pods[0]!;
    assert.equal(pod.phase, 'Running');
    assert.equal(pod.containers[0]!.image, 'registry.example.com/payments/payment-api:2.4.0');
    // dev: one namespace per tenant ({tenant} in the manifest); ledger-worker is not bound there.
    const dev = await api.clusterStatus(PROJECT, 'dev', { tenant: 'globex' });
    assert.deepEqual([dev.connection, dev.namespace, dev.workloads.map((w) => w.name)], ['connected', 'payments-dev-globex', ['payment-api', 'checkout-web']]);
  });

  it('clusterStatus: each connection problem is a kind with a message naming the context, never a credential', async () => {
    const { api } = await internals();
    const cases: [string, ApiConnection, RegExp][] = [
      ['nowhere', 'no-context', /nowhere/],
      ['unreachable', 'unreachable', /unreachable/],
      ['stranger', 'unauthorized', /stranger/],
      ['viewer', 'forbidden', /viewer[\s\S]*list[\s\S]*pods|list[\s\S]*pods[\s\S]*viewer/],
      ['bad-ca', 'tls', /bad-ca/],
      ['exec-fails', 'exec-plugin', /exec-fails/],
    ];
    for (const [context, kind, message] of cases) {
      await devContext(context);
      const status = await api.clusterStatus(PROJECT, 'dev', { tenant: 'acme' });
      assert.equal(status.connection, kind, `${context}: ${JSON.stringify(status)}`);
      assert.match(status.message ?? '', message, `${context}: ${status.message}`);
      for (const secret of SECRETS) assert.ok(!JSON.stringify(status).includes(secret), `${context} leaks a token`);
    }
    await devContext(undefined);
    await config().update('kubeconfig', path.join(dir, 'missing-kubeconfig'), vscode.ConfigurationTarget.Global);
    try {
      const status = await api.clusterStatus(PROJECT, 'production');
      assert.equal(status.connection, 'error');
      assert.match(status.message ?? '', /missing-kubeconfig/);
    } finally {
      await config().update('kubeconfig', kubeconfigFile, vscode.ConfigurationTarget.Global);
    }
    await assert.rejects(api.clusterStatus(PROJECT, 'qa'), /no environment "qa"/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('gitopshq.cluster.retry', { project: PROJECT, environment: 'qa' })), /no environment "qa"/);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('the tree shows replicas and health icons; a crash loop turns the workload and the environment red within 3 s', async () => {
    const rows = await openInProjectsTree('production', 'acme');
    const paymentApi = await waitFor(async () => {
      const r = (await viewRows('Projects'))?.find((x) => x.level === 4 && x.label === 'payment-api');
      return r?.description.startsWith('3/3') ? r : undefined;
    }, () => `payment-api to show 3/3 (rows: ${showRows(rows)})`);
    assert.equal(paymentApi.icon, 'pass-filled');
    assert.match(paymentApi.description, /^3\/3 · 2\.4\.0$/);

    const started = Date.now();
    void server.scenario.crashLoop('payments', 'checkout-web');
    const red = await waitFor(async () => {
      const now = await viewRows('Projects');
      const workload = now?.find((x) => x.level === 4 && x.label === 'checkout-web');
      const env = now?.find((x) => x.level === 2 && x.label === 'production');
      return workload?.icon === 'error' && env?.icon === 'error' && /CrashLoopBackOff/.test(workload.description) ? { workload, env } : undefined;
    }, 'checkout-web and production to turn red', 10_000);
    const elapsed = Date.now() - started;
    assert.ok(elapsed <= 3000, `turned red after ${elapsed} ms (budget 3,000 ms)`);
    assert.match(red.env.description, /needs? action/);
  });

  it('an unauthorized context shows one error node with its actions, and recovers on Retry once the token is granted', async () => {
    await devContext('late');
    await openInProjectsTree('dev', 'acme');
    const error = await waitFor(async () => (await viewRows('Projects'))?.find((r) => r.level === 4 && r.label === 'Not authorized by the cluster'), 'the error node');
    assert.equal(error.description, 'late');
    assert.equal(error.icon, 'debug-disconnect');
    assert.deepEqual(error.actions, ['Select Context…', 'Open Kubeconfig', 'Retry Cluster Connection']);
    const workloads = (await viewRows('Projects'))!.filter((r) => r.level === 4 && r.label !== error.label).map((r) => r.label);
    assert.deepEqual(workloads, ['payment-api', 'checkout-web', 'ledger-worker'], 'the Git side stays: workloads are still listed');

    server.tokens.set(TOKENS.late, { user: 'late' });
    await vscode.commands.executeCommand('gitopshq.cluster.retry', { project: PROJECT, environment: 'dev', tenant: 'acme' });
    await waitFor(async () => {
      const rows = await viewRows('Projects');
      return !rows?.some((r) => r.label === error.label) && rows?.find((r) => r.level === 4 && r.label === 'payment-api')?.description.startsWith('1/1');
    }, 'the error node to go and replicas to show', 15_000);
  });

  it('an unreachable cluster shows its error node and recovers on Retry once it is up', async () => {
    await devContext('unreachable');
    await openInProjectsTree('dev', 'acme');
    await waitFor(async () => (await viewRows('Projects'))?.some((r) => r.level === 4 && r.label === 'Cluster unreachable'), 'the unreachable node');
    later = await startKubeApiServer({ http: true, port: laterPort, tokens: { [TOKENS.dev]: { user: 'dev' } }, stepMs: 50 });
    later.scenario.deployment('payments-dev-acme', 'payment-api', { image: 'registry.example.com/payments/payment-api:2.5.0', replicas: 2 });
    await vscode.commands.executeCommand('gitopshq.cluster.retry');
    await waitFor(async () => {
      const rows = await viewRows('Projects');
      return !rows?.some((r) => r.label === 'Cluster unreachable') && rows?.find((r) => r.level === 4 && r.label === 'payment-api')?.description.startsWith('2/2');
    }, 'the cluster to be reached after Retry', 15_000);
    await devContext(undefined);
  });

  it('an edit of the kubeconfig file takes effect without Retry (the file is watched)', async () => {
    await devContext('stranger');
    await openInProjectsTree('dev', 'acme');
    await waitFor(async () => (await viewRows('Projects'))?.some((r) => r.level === 4 && r.label === 'Not authorized by the cluster'), 'the unauthorized row');
    const text = await fs.readFile(kubeconfigFile, 'utf8');
    await fs.writeFile(kubeconfigFile, text.replace('not-a-valid-token-31337', TOKENS.dev));
    try {
      await waitFor(async () => {
        const rows = await viewRows('Projects');
        return !rows?.some((r) => r.label === 'Not authorized by the cluster') && rows?.find((r) => r.level === 4 && r.label === 'payment-api')?.description.startsWith('1/1');
      }, 'the tree to recover after the kubeconfig edit', 15_000);
    } finally {
      await fs.writeFile(kubeconfigFile, text);
      // The watcher reads the file again after a short debounce: wait until the old token is back in force.
      await waitFor(async () => {
        const rows = await viewRows('Projects');
        return rows?.some((r) => r.level === 4 && r.label === 'Not authorized by the cluster');
      }, 'the restored kubeconfig to be read again', 15_000);
      await devContext(undefined);
    }
  });

  it('Select Context writes the user setting gitopshq.clusters and the environment follows it at once', async () => {
    const { api } = await internals();
    const result = await vscode.commands.executeCommand<{ context: string }>('gitopshq.cluster.selectContext', { project: PROJECT, environment: 'dev', context: 'stranger' });
    assert.deepEqual(result, { context: 'stranger' });
    assert.deepEqual(config().inspect('clusters')?.globalValue, { [`${PROJECT}/dev`]: { context: 'stranger' } });
    assert.equal((await api.clusterStatus(PROJECT, 'dev')).connection, 'unauthorized');
    // Without a context: the quick pick of the kubeconfig's contexts, answered with real key presses
    // (the electron host has no browser to type in: the scripted path above covers it there).
    if (process.env['GITOPSHQ_TEST_HOST'] === 'electron') return devContext(undefined);
    const picked = vscode.commands.executeCommand<{ context: string } | undefined>('gitopshq.cluster.selectContext', { project: PROJECT, environment: 'dev' });
    const title = await waitFor(async () => workbenchText('.quick-input-widget .quick-input-title', { timeoutMs: 1000 }).catch(() => undefined), 'the context quick pick');
    assert.match(title, /Kubeconfig context for payment-platform\/dev/);
    assert.ok(await keyboardType('kind-dev'));
    assert.ok(await keyboardPress('Enter'));
    assert.deepEqual(await picked, { context: 'kind-dev' });
    assert.deepEqual(config().inspect('clusters')?.globalValue, { [`${PROJECT}/dev`]: { context: 'kind-dev' } });
    assert.equal((await api.clusterStatus(PROJECT, 'dev')).connection, 'connected');
    await devContext(undefined);
  });
});
