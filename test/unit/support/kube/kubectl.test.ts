// The fake API server's fidelity with the real kubectl on PATH (.ci/run installs Debian's
// kubernetes-client when none is there): discovery, server-side printing, watch and rollout status.
import * as assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startKubeApiServer, type KubeApiServer } from '../../../support/kube/apiServer';

const NS = 'shop';

describe('fake kube API server with the real kubectl', function () {
  this.timeout(30_000);
  let server: KubeApiServer;
  let dir: string;

  const env = () => ({ ...process.env, HOME: dir, KUBECONFIG: path.join(dir, 'config') });
  const args = (context: string, rest: string[]) => ['--context', context, '--cache-dir', path.join(dir, 'cache'), ...rest];

  function kubectl(context: string, ...rest: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile('kubectl', args(context, rest), { env: env(), timeout: 25_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  before(async () => {
    const version = await new Promise<string>((resolve, reject) => execFile('kubectl', ['version', '--client'], (err, out) => (err ? reject(new Error(`kubectl is not on PATH: ${err.message}`)) : resolve(out))));
    assert.match(version, /Client Version: (v1\.|version\.Info)/); // 1.2x prints a Go struct, later ones a version
  });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gitopshq-kubectl-'));
    server = await startKubeApiServer({
      stepMs: 60,
      tokens: { 'admin-token': { user: 'admin' }, 'viewer-token': { user: 'viewer', deny: [{ resource: 'pods', verb: 'list' }] } },
    });
    server.scenario.deployment(NS, 'storefront', { image: 'shop/storefront:1.0', replicas: 2 });
    await server.writeKubeconfig(path.join(dir, 'config'), [
      { name: 'admin', namespace: NS, token: 'admin-token' },
      { name: 'viewer', namespace: NS, token: 'viewer-token' },
      { name: 'stranger', namespace: NS, token: 'wrong-token' },
    ]);
  });

  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('get pods -o json: the pods with their owner, labels and status, read in pages', async () => {
    const { code, stdout, stderr } = await kubectl('admin', 'get', 'pods', '-o', 'json');
    assert.equal(code, 0, stderr);
    const list = JSON.parse(stdout) as { kind: string; items: Array<{ kind: string; apiVersion: string; metadata: { name: string; labels: Record<string, string>; ownerReferences: Array<{ kind: string }> }; status: { phase: string } }> };
    assert.equal(list.kind, 'List');
    assert.equal(list.items.length, 2);
    for (const pod of list.items) {
      assert.deepEqual([pod.kind, pod.apiVersion, pod.status.phase], ['Pod', 'v1', 'Running']);
      assert.equal(pod.metadata.labels['app.kubernetes.io/name'], 'storefront');
      assert.equal(pod.metadata.ownerReferences[0]?.kind, 'ReplicaSet');
    }
    const listed = server.requests.find((r) => r.path === `/api/v1/namespaces/${NS}/pods`);
    assert.equal(listed?.query.limit, '500', 'kubectl reads lists in chunks');
  });

  it('get pods and events print the server-side Table columns; selectors reach the server', async () => {
    const pods = await kubectl('admin', 'get', 'pods', '-l', 'app.kubernetes.io/name in (storefront)');
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    assert.match(pods.stdout, /\nstorefront-\w+-\w+\s+1\/1\s+Running\s+0\s+\d+s\n/);
    const events = await kubectl('admin', 'get', 'events', '--field-selector', 'involvedObject.kind=Deployment');
    assert.equal(events.code, 0, events.stderr);
    assert.match(events.stdout, /Normal\s+ScalingReplicaSet\s+deployment\/storefront\s+Scaled up replica set storefront-\w+ from 0 to 2/);
    assert.equal(server.requests.find((r) => r.path === `/api/v1/namespaces/${NS}/events`)?.query.fieldSelector, 'involvedObject.kind=Deployment');
  });

  it('get deploy -w prints a new line when a rollout updates the deployment', async () => {
    const child = spawn('kubectl', args('admin', ['get', 'deploy', '-w']), { env: env() });
    let out = '';
    const seen = (pattern: RegExp) => new Promise<void>((resolve, reject) => {
      const check = () => pattern.test(out) && resolve();
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        check();
      });
      child.on('exit', () => reject(new Error(`kubectl exited; it printed:\n${out}`)));
      check();
    });
    try {
      await seen(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nstorefront\s+2\/2\s+2\s+2\s+/);
      void server.scenario.rollout(NS, 'storefront', { image: 'shop/storefront:2.0' });
      // During the rollout one of two replicas is up to date: a line no list before it had.
      await seen(/\nstorefront\s+\d\/2\s+1\s+\d\s+/);
    } finally {
      child.kill();
    }
  });

  it('rollout status follows a scripted rollout to "successfully rolled out"', async () => {
    const rollout = server.scenario.rollout(NS, 'storefront', { image: 'shop/storefront:2.0', replicas: 3 });
    const { code, stdout, stderr } = await kubectl('admin', 'rollout', 'status', 'deployment/storefront', '--timeout=25s');
    await rollout;
    assert.equal(code, 0, stderr);
    assert.match(stdout, /Waiting for deployment "storefront" rollout to finish: \d out of 3 new replicas have been updated/);
    assert.match(stdout, /deployment "storefront" successfully rolled out\n$/);
  });

  it('rollout status fails when the progress deadline passes', async () => {
    void server.scenario.deadlineExceeded(NS, 'storefront', 'shop/storefront:missing');
    const { code, stderr } = await kubectl('admin', 'rollout', 'status', 'deployment/storefront', '--timeout=25s');
    assert.notEqual(code, 0);
    assert.match(stderr, /deployment "storefront" exceeded its progress deadline/);
  });

  it('logs -f --timestamps streams a pod\'s lines with RFC3339Nano stamps and ends with the stream', async () => {
    const pod = server.store.list('pods', NS)[0]!.metadata.name;
    server.logs.append(NS, pod, ['first line', 'second  '], { at: '2024-05-01T10:00:00.12Z' });
    const child = spawn('kubectl', args('admin', ['logs', '-f', '--timestamps', pod]), { env: env() });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    try {
      const until = async (what: string, ok: () => boolean) => {
        for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
        assert.ok(ok(), `${what}; kubectl printed:\n${out}\n${err}`);
      };
      await until('the existing lines', () => out.includes('2024-05-01T10:00:00.12Z second  \n'));
      assert.ok(out.startsWith('2024-05-01T10:00:00.12Z first line\n'), out);
      server.logs.append(NS, pod, 'appended while following');
      await until('a line appended while following', () => /\n\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z appended while following\n$/.test(out));
      const request = server.requests.find((r) => r.path === `/api/v1/namespaces/${NS}/pods/${pod}/log`);
      assert.equal(request?.query.follow, 'true');
      assert.equal(request?.query.timestamps, 'true');
      server.logs.closeAll();
      assert.equal(await exited, 0, err);
    } finally {
      child.kill();
    }
  });

  it('logs of a container still being created: the kubelet\'s BadRequest', async () => {
    const pod = server.store.list('pods', NS)[0]!.metadata.name;
    server.store.modify('pods', NS, pod, (p) => {
      (p.status as { containerStatuses: Array<{ state: unknown }> }).containerStatuses[0]!.state = { waiting: { reason: 'ContainerCreating' } };
    });
    const { code, stderr } = await kubectl('admin', 'logs', pod);
    assert.notEqual(code, 0);
    assert.match(stderr, new RegExp(`Error from server \\(BadRequest\\): container "app" in pod "${pod}" is waiting to start: ContainerCreating`));
  });

  it('prints the 401 and the 403 a real server gives', async () => {
    const stranger = await kubectl('stranger', 'get', 'pods');
    assert.notEqual(stranger.code, 0);
    // kubectl 1.2x says "Unauthorized"; 1.3x meets the 401 on discovery and words it as client-go does.
    assert.match(stranger.stderr, /error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)/);
    const viewer = await kubectl('viewer', 'get', 'pods');
    assert.notEqual(viewer.code, 0);
    assert.match(viewer.stderr, /Error from server \(Forbidden\): pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "shop"/);
  });
});
