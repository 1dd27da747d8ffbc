// The Kubernetes bundle's kubeContexts(): names out, secrets never.
//
// @kubernetes/client-node 1.x is ESM-only, and this test is compiled to CommonJS. Rather than
// `require` the tsc output (which only works where Node's require(esm) does) or smuggle in a
// dynamic import(), we build src/infra/kube/index.ts with esbuild exactly as esbuild.mjs builds
// dist/kube.js (node, cjs, bundled) into a temp folder and require that: the test then exercises
// the artifact shape that ships, including the ESM-to-CJS conversion.
import * as assert from 'node:assert/strict';
import { access, chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

type KubeModule = typeof import('../../../src/infra/kube/index');

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

const SECRETS = {
  token: 'eyJhbGciOiJSUzI1NiJ9.super-secret-token',
  clientKeyData: 'LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpzZWNyZXQta2V5',
  clientCertData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmNlcnQ=',
  caData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmNhLWRhdGE=',
  password: 'hunter2-password',
  execArg: 'exec-secret-arg',
};

function kubeconfig(dir: string): string {
  return `apiVersion: v1
kind: Config
current-context: kind-dev
clusters:
  - name: kind-dev
    cluster: { server: "https://127.0.0.1:6443", certificate-authority-data: ${SECRETS.caData} }
  - name: prod-eu
    cluster: { server: "https://prod.example.com" }
users:
  - name: dev-admin
    user: { client-certificate-data: ${SECRETS.clientCertData}, client-key-data: ${SECRETS.clientKeyData} }
  - name: prod-user
    user: { token: ${SECRETS.token}, username: admin, password: ${SECRETS.password} }
  - name: exec-user
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: ${path.join(dir, 'exec-plugin.sh')}
        args: [${SECRETS.execArg}]
contexts:
  - name: kind-dev
    context: { cluster: kind-dev, user: dev-admin, namespace: payments-dev }
  - name: prod-eu
    context: { cluster: prod-eu, user: prod-user }
  - name: exec-ctx
    context: { cluster: prod-eu, user: exec-user, namespace: payments }
`;
}

describe('kube bundle: kubeContexts()', function () {
  this.timeout(60_000);
  let kube: KubeModule;
  let dir: string;
  const savedEnv = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gitopshq-kube-'));
    const outfile = path.join(dir, 'kube.js');
    await esbuild.build({
      entryPoints: [path.join(repoRoot, 'src', 'infra', 'kube', 'index.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    });
    kube = require(outfile) as KubeModule;
    // An exec credential plugin that leaves a marker if anything ever runs it.
    await writeFile(path.join(dir, 'exec-plugin.sh'), `#!/bin/sh\ntouch '${path.join(dir, 'exec-ran')}'\n`);
    await chmod(path.join(dir, 'exec-plugin.sh'), 0o755);
    await writeFile(path.join(dir, 'config'), kubeconfig(dir));
  });

  afterEach(() => {
    restoreEnv('KUBECONFIG', savedEnv.KUBECONFIG);
    restoreEnv('HOME', savedEnv.HOME);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the contexts and the current one', async () => {
    assert.deepEqual(await kube.kubeContexts({ kubeconfig: path.join(dir, 'config') }), {
      current: 'kind-dev',
      contexts: [
        { name: 'kind-dev', cluster: 'kind-dev', user: 'dev-admin', namespace: 'payments-dev' },
        { name: 'prod-eu', cluster: 'prod-eu', user: 'prod-user' },
        { name: 'exec-ctx', cluster: 'prod-eu', user: 'exec-user', namespace: 'payments' },
      ],
    });
  });

  it('never exposes credentials and never runs an exec plugin', async () => {
    const json = JSON.stringify(await kube.kubeContexts({ kubeconfig: path.join(dir, 'config') }));
    for (const [name, secret] of Object.entries(SECRETS)) {
      assert.ok(!json.includes(secret), `the result leaks ${name}`);
    }
    assert.ok(!json.includes('exec-plugin.sh'));
    await assert.rejects(access(path.join(dir, 'exec-ran')), 'the exec plugin must not run');
  });

  it('does not quote the file in its errors', async () => {
    const broken = path.join(dir, 'broken');
    await writeFile(broken, `users:\n  - name: x\n    user: { token: ${SECRETS.token}\n  bad: [\n`);
    await assert.rejects(kube.kubeContexts({ kubeconfig: broken }), (err: Error) => {
      assert.match(err.message, /^Cannot read kubeconfig .*broken: /);
      assert.ok(!err.message.includes(SECRETS.token), err.message);
      assert.equal((err as Error & { cause?: unknown }).cause, undefined);
      return true;
    });
    await assert.rejects(kube.kubeContexts({ kubeconfig: path.join(dir, 'missing') }), /Cannot read kubeconfig .*missing: file not found/);
  });

  it('merges $KUBECONFIG like kubectl: missing files skipped, first wins', async () => {
    const second = path.join(dir, 'second');
    await writeFile(second, `current-context: other
clusters: [{ name: c, cluster: { server: "https://c" } }]
contexts:
  - { name: kind-dev, context: { cluster: c, namespace: shadowed } }
  - { name: other, context: { cluster: c } }
`);
    process.env.KUBECONFIG = [path.join(dir, 'missing'), path.join(dir, 'config'), second].join(path.delimiter);
    const result = await kube.kubeContexts();
    assert.equal(result.current, 'kind-dev');
    assert.deepEqual(result.contexts.map((c) => c.name), ['kind-dev', 'prod-eu', 'exec-ctx', 'other']);
    assert.equal(result.contexts[0]?.namespace, 'payments-dev');
  });

  it('gives no contexts when there is no kubeconfig at all', async function () {
    if (process.platform === 'win32') this.skip(); // os.homedir() ignores HOME there
    delete process.env.KUBECONFIG;
    process.env.HOME = path.join(dir, 'empty-home');
    assert.deepEqual(await kube.kubeContexts(), { contexts: [] });
  });
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
