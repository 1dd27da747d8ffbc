// Runs inside the extension host (npm run bench): issue 12's cluster figures, against the fake API
// server over HTTPS in a child process (its CPU is then not on the host's event loop).
//  - cluster.firstStatus: api.clusterStatus of an environment of 100 workloads and 500 pods whose
//    scope nothing has opened yet (the client, the kubeconfig and the server's TLS already warm from
//    another environment of the same context): its five lists, the health of 100 workloads.
//  - cluster.storm.*: 500 pods of one namespace each changing readiness 10 times a second for 10 s
//    (with their Deployments' and ReplicaSets' status: 5,000 pod updates a second) while the
//    Projects view shows that environment expanded: tree refreshes in any 1 s window, the host's
//    event-loop delay, heap growth after GC, and the tree's rows equal to the server at the end.
// A generated project (100 workloads bound to 100 Deployments) is written into the workspace and
// removed afterwards; the gitopshq.kubeconfig setting points at the server's and is restored.
import * as assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../src/core/tree/treeModel';
import { viewRows, viewToggle, workbenchClick } from '../../support/control';
import { FRESH_NAMESPACE, STORM_NAMESPACE, STORM_REPLICAS, STORM_WORKLOADS, workloadName, type StormMessage } from '../../support/kube/stormServer';
import { internals, waitFor, workspaceRoot } from '../../integration/support';
import { exposeGc, heapUsedMb, startControlProcess, startProfile } from './hostProbes';

const SLUG = 'storm-bench';
const PROJECT_NAME = 'Storm Bench';
const ACTIVITY_BAR_ICON = '.activitybar a.action-label[aria-label^="GitOpsHQ"]';
const STORM = { ticks: 100, intervalMs: 100 };

type Line = { name: string; value: number; unit: string; budget: number | null };
type Done = Extract<StormMessage, { done: true }>;

describe('cluster benchmark', function () {
  this.timeout(300_000);
  let child: ChildProcess | undefined;
  let dir: string;
  let projectDir: string;
  let previousKubeconfig: unknown;
  const messages: StormMessage[] = [];
  const lines: Line[] = [];
  const config = () => vscode.workspace.getConfiguration('gitopshq');

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-cluster-bench-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    child = fork(path.join(__dirname, '..', '..', 'support', 'kube', 'stormServer.js'), ['--kubeconfig', kubeconfig], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (m) => void messages.push(m as StormMessage));
    await waitFor(() => messages.some((m) => 'ready' in m), 'the storm server', 60_000);

    projectDir = path.join(workspaceRoot(), SLUG);
    await writeProject(projectDir);
    previousKubeconfig = config().inspect('kubeconfig')?.globalValue;
    await config().update('kubeconfig', kubeconfig, vscode.ConfigurationTarget.Global);
    const { api } = await internals();
    await waitFor(() => api.projects().find((p) => p.slug === SLUG && p.workloads.length === STORM_WORKLOADS), 'the generated project to be indexed', 30_000);
  });

  after(async () => {
    await config().update('kubeconfig', previousKubeconfig, vscode.ConfigurationTarget.Global);
    if (projectDir) await fs.rm(projectDir, { recursive: true, force: true });
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.send({ stop: true });
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill();
    }
    if (dir) await fs.rm(dir, { recursive: true, force: true });
    const out = process.env['GITOPSHQ_BENCH_OUT'];
    if (out && lines.length > 0) await fs.appendFile(out, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  });

  it('first clusterStatus of 100 workloads and 500 pods', async () => {
    const { api, views } = await internals();
    // Hidden, the tree holds no scope: the `fresh` namespace is then opened by clusterStatus alone.
    if (views.projectsView.visible) await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor(() => !views.projectsView.visible, 'the Projects view to hide');
    // Warm: dist/kube.js loaded, the kubeconfig read, the context's credentials and TLS in use.
    const warm = await api.clusterStatus(SLUG, 'storm');
    assert.equal(warm.connection, 'connected', warm.message);

    const profile = await startProfile('cluster');
    const started = performance.now();
    const status = await api.clusterStatus(SLUG, 'fresh');
    const elapsed = performance.now() - started;
    await profile?.('firstStatus');
    assert.equal(status.connection, 'connected', status.message);
    assert.equal(status.namespace, FRESH_NAMESPACE);
    assert.equal(status.workloads.length, STORM_WORKLOADS);
    for (const w of status.workloads) {
      assert.deepEqual([w.name, w.ready, w.desired, w.pods.length, w.health], [w.name, STORM_REPLICAS, STORM_REPLICAS, STORM_REPLICAS, 'healthy']);
    }
    console.log(`      first clusterStatus: ${elapsed.toFixed(1)} ms for ${status.workloads.length} workloads, ${status.workloads.reduce((n, w) => n + w.pods.length, 0)} pods; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    lines.push({ name: 'cluster.firstStatus', value: round(elapsed), unit: 'ms', budget: 500 });
  });

  it('a storm of 500 pods changing state 10 times a second for 10 s', async () => {
    const { views } = await internals();
    const tree = views.projects;
    if (!views.projectsView.visible) assert.ok(await workbenchClick(ACTIVITY_BAR_ICON), 'the activity bar icon can be clicked');
    await waitFor(() => views.projectsView.visible, 'the Projects view to show');
    await waitFor(async () => (await viewRows('Projects'))?.some((r) => r.level === 2 && r.label === 'storm'), 'the storm environment row');
    assert.ok(await viewToggle('Projects', 'storm'), 'the storm environment can be expanded');

    const stormEnv = () => {
      const project = tree.getChildren().find((n) => n.kind === 'project' && n.slug === SLUG);
      return project && tree.getChildren(project).find((n) => n.kind === 'environment' && n.environment === 'storm');
    };
    /** `name → ready/desired` as the tree's workload items say it (what VS Code renders for each row). */
    const treeReplicas = (): Map<string, string> => {
      const env = stormEnv();
      const items = env ? tree.getChildren(env).filter((n): n is Extract<TreeNode, { kind: 'workload' }> => n.kind === 'workload') : [];
      return new Map(items.map((n) => [n.workload, String(tree.getTreeItem(n).description ?? '').split(' ')[0] ?? '']));
    };
    const allReady = `${STORM_REPLICAS}/${STORM_REPLICAS}`;
    await waitFor(() => {
      const now = treeReplicas();
      return now.size === STORM_WORKLOADS && [...now.values()].every((d) => d === allReady);
    }, () => `every workload at ${allReady} (${JSON.stringify([...treeReplicas()].slice(0, 5))})`, 30_000);
    // Room for the rows: the other panes of the container are folded by their headers (four panes leave
    // the Projects pane a handful of rows), as a person makes room.
    const header = (pane: string, expanded: boolean) => `.pane-header:has(h3.title:text-is("${pane}"))[aria-expanded="${expanded}"]`;
    for (const pane of ['HQ Variables', 'Releases', 'History']) await workbenchClick(header(pane, true), { timeoutMs: 2000 }).catch(() => false);
    await waitFor(async () => (await viewRows('Projects'))?.some((r) => r.level === 3 && r.description.startsWith(allReady)), 'the workload rows to render');

    const gc = exposeGc();
    const heapBefore = heapUsedMb(gc);
    const refreshes: number[] = [];
    const listener = tree.onDidChangeTreeData(() => void refreshes.push(performance.now()));
    const [clusterRefreshesBefore, firedBefore] = [tree.clusterRefreshes, views.cluster.fired];
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    let done: Done;
    let settledMs: number;
    const control = startControlProcess();
    let controlDelay: { max: number; p99: number } | undefined;
    const stormStart = performance.now();
    const profile = await startProfile('cluster');
    try {
      histogram.enable();
      messages.length = 0;
      child!.send({ storm: STORM });
      done = await waitFor(() => messages.find((m): m is Done => 'done' in m), 'the storm to end', 120_000);
      await profile?.('storm');
      const server = new Map(done.deployments.map(([name, ready, desired]) => [name, `${ready}/${desired}`]));
      // The tree's final state equals the server's: every workload's ready/desired.
      const final = await waitFor(() => {
        const now = treeReplicas();
        return [...server].every(([name, replicas]) => now.get(name) === replicas) ? now : undefined;
      }, () => `the tree to equal the server: ${diff(server, treeReplicas())}`, 10_000);
      settledMs = performance.now() - stormStart;
      assert.equal(final.size, STORM_WORKLOADS);
      assert.ok(done.deployments.some(([, ready]) => ready !== STORM_REPLICAS), 'the storm ends with workloads not all ready');
      // And the rows VS Code rendered (the visible part of the list) say the same.
      const rendered = await waitFor(async () => {
        const rows = (await viewRows('Projects'))?.filter((r) => r.level === 3 && server.has(r.label));
        return rows && rows.length > 0 && rows.every((r) => r.description.split(' ')[0] === server.get(r.label)) ? rows : undefined;
      }, `the rendered rows to equal the server`, 5000);
      assert.ok(rendered.length >= 5, `${rendered.length} workload rows rendered`);
    } finally {
      histogram.disable();
      listener.dispose();
      controlDelay = await control();
    }
    const heapAfter = heapUsedMb(gc);

    // What one change costs the host at most: the health of the 100 workloads from 500 pods, derived
    // synchronously once per change (the tree caches it), timed alone: the event loop's budget is 50 ms.
    const { service } = await internals();
    const project = service.index.project(SLUG)!;
    const bound = project.workloads.map((w) => w.name);
    const derivations: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const derived = views.cluster.status(project, 'storm', project.tenants[0]!, bound);
      derivations.push(performance.now() - t);
      assert.equal(derived?.workloads.length, STORM_WORKLOADS);
    }

    const stormEnd = stormStart + done.elapsedMs;
    const maxPerSecond = maxInWindow(refreshes, 1000);
    const maxDelay = histogram.max / 1e6;
    console.log(
      `      storm: ${done.ticks} ticks in ${done.elapsedMs} ms, ${done.podUpdates} object updates (pods, ReplicaSets, Deployments); ` +
        `tree equal to the server ${Math.round(settledMs - done.elapsedMs)} ms after the last tick; ` +
        `${refreshes.length} tree refreshes (${tree.clusterRefreshes - clusterRefreshesBefore} from the cluster, ${views.cluster.fired - firedBefore} change events), ` +
        `${refreshes.filter((t) => t <= stormEnd).length} during the storm, max ${maxPerSecond} in 1 s; ` +
        `event-loop delay max ${maxDelay.toFixed(1)} ms, p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms, mean ${(histogram.mean / 1e6).toFixed(1)} ms ` +
        `(an idle Node process meanwhile: max ${controlDelay?.max.toFixed(1) ?? '?'} ms, p99 ${controlDelay?.p99.toFixed(1) ?? '?'} ms); ` +
        `heap ${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)} MB${gc ? ' after GC' : ' (no GC available)'}; ` +
        `one derivation of 100 workloads ${Math.min(...derivations).toFixed(1)}-${Math.max(...derivations).toFixed(1)} ms; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    );
    lines.push(
      { name: 'cluster.storm.treeRefreshesPerSecond', value: maxPerSecond, unit: 'refreshes', budget: 4 },
      { name: 'cluster.storm.eventLoopMaxDelay', value: round(maxDelay), unit: 'ms', budget: 50 },
      { name: 'cluster.storm.heapGrowth', value: round(heapAfter - heapBefore), unit: 'MB', budget: 50 },
      { name: 'cluster.storm.derivation', value: round(Math.min(...derivations)), unit: 'ms', budget: null },
      { name: 'cluster.storm.idleProcessMaxDelay', value: round(controlDelay?.max ?? -1), unit: 'ms', budget: null },
    );
    assert.ok(done.ticks === STORM.ticks && done.elapsedMs < STORM.ticks * STORM.intervalMs * 1.5, `the server kept the pace: ${done.ticks} ticks in ${done.elapsedMs} ms`);
  });
});

/** The most timestamps (ms) that fall in any window of `windowMs`. */
function maxInWindow(times: readonly number[], windowMs: number): number {
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function diff(server: Map<string, string>, tree: Map<string, string>): string {
  const wrong = [...server].filter(([name, replicas]) => tree.get(name) !== replicas);
  return `${wrong.length} differ, e.g. ${wrong.slice(0, 5).map(([name, replicas]) => `${name} server ${replicas} tree ${tree.get(name) ?? '-'}`).join(', ')}`;
}

/** 100 workloads, each bound (one values layer for every environment) to its Deployment. */
async function writeProject(root: string): Promise<void> {
  const workloads = Array.from({ length: STORM_WORKLOADS }, (_, i) => workloadName(i));
  const manifest = [
    'apiVersion: gitopshq.io/v1alpha1',
    'kind: Project',
    'metadata:',
    `  name: ${PROJECT_NAME}`,
    `  slug: ${SLUG}`,
    'spec:',
    '  environments:',
    `    - name: storm`,
    `      cluster: { context: bench, namespace: ${STORM_NAMESPACE} }`,
    `    - name: fresh`,
    `      cluster: { context: bench, namespace: ${FRESH_NAMESPACE} }`,
    '  workloads:',
    ...workloads.flatMap((name) => [`    - name: ${name}`, '      chart: charts/svc', '      values: values/svc.yaml', '      kube: { kind: Deployment }']),
    '',
  ].join('\n');
  await fs.mkdir(path.join(root, 'charts', 'svc'), { recursive: true });
  await fs.mkdir(path.join(root, 'values'), { recursive: true });
  await fs.writeFile(path.join(root, 'charts', 'svc', 'Chart.yaml'), 'apiVersion: v2\nname: svc\nversion: 1.0.0\n');
  await fs.writeFile(path.join(root, 'charts', 'svc', 'values.yaml'), 'replicaCount: 5\nimage:\n  repository: registry.example.com/bench/svc\n  tag: 1.0.0\n');
  await fs.writeFile(path.join(root, 'values', 'svc.yaml'), 'replicaCount: 5\n');
  // The manifest last: the index sees a complete project.
  await fs.writeFile(path.join(root, 'gitopshq.yaml'), manifest);
}
