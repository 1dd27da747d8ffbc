// Optional: the same cluster status against a real cluster. Runs only when GITOPSHQ_E2E_KUBECONFIG
// names a kubeconfig whose current context reaches a cluster (kind on a laptop, a CI cluster);
// skipped otherwise, saying so. GITOPSHQ_E2E_NAMESPACE picks the namespace (default `default`).
// A project with one workload per Deployment, StatefulSet and DaemonSet that `kubectl get` lists
// there is written into the workspace; `clusterStatus` must answer `connected` with the same
// workloads, desired and ready replicas as kubectl. The cluster is only read, never changed.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { stringify } from 'yaml';
import { internals, waitFor, workspaceRoot } from './support';

const SLUG = 'e2e-real-cluster';
const run = promisify(execFile);

interface KubeWorkload {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  metadata: { name: string };
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  status?: { readyReplicas?: number; numberReady?: number; desiredNumberScheduled?: number };
}

describe('Real cluster (GITOPSHQ_E2E_KUBECONFIG)', function () {
  this.timeout(120_000);
  const kubeconfig = process.env['GITOPSHQ_E2E_KUBECONFIG'];
  const namespace = process.env['GITOPSHQ_E2E_NAMESPACE'] || 'default';
  const config = () => vscode.workspace.getConfiguration('gitopshq');
  let previous: unknown;
  let projectDir: string | undefined;

  before(async function () {
    if (!kubeconfig) {
      console.log('      skipped: set GITOPSHQ_E2E_KUBECONFIG to a kubeconfig whose current context reaches a cluster (and GITOPSHQ_E2E_NAMESPACE, default "default") to run it');
      this.skip();
    }
    previous = config().inspect('kubeconfig')?.globalValue;
    await config().update('kubeconfig', kubeconfig, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    if (!kubeconfig) return;
    await config().update('kubeconfig', previous, vscode.ConfigurationTarget.Global);
    if (projectDir) await fs.rm(projectDir, { recursive: true, force: true });
  });

  it('clusterStatus of the namespace is connected, with the workloads, desired and ready replicas kubectl lists', async () => {
    const listed = await kubectlWorkloads(kubeconfig!, namespace);
    // Manifest workload names are [a-z0-9-]; a kube name may have dots, and kinds may share a name.
    const names = new Map<string, KubeWorkload>();
    for (const w of listed) {
      let name = w.metadata.name.replace(/\./g, '-');
      if (names.has(name)) name = `${name}-${w.kind.toLowerCase()}`;
      names.set(name, w);
    }
    projectDir = path.join(workspaceRoot(), SLUG);
    await writeProject(projectDir, namespace, names);
    const { api } = await internals();
    await waitFor(() => api.projects().find((p) => p.slug === SLUG && p.workloads.length === names.size), 'the generated project to be indexed', 30_000);

    // A live cluster moves: compare kubectl and clusterStatus until they agree (or report the last difference).
    let last = '';
    await waitFor(async () => {
      const status = await api.clusterStatus(SLUG, 'e2e');
      assert.equal(status.connection, 'connected', `${status.connection}: ${status.message ?? ''}`);
      assert.equal(status.namespace, namespace);
      const fresh = new Map((await kubectlWorkloads(kubeconfig!, namespace)).map((w) => [`${w.kind}/${w.metadata.name}`, w]));
      const ours = status.workloads.map((w) => {
        const kube = names.get(w.name)!;
        return `${kube.kind}/${kube.metadata.name} ${w.kind} ${w.ready}/${w.desired}`;
      });
      const theirs = [...names.values()].map((w) => {
        const now = fresh.get(`${w.kind}/${w.metadata.name}`) ?? w;
        return `${w.kind}/${w.metadata.name} ${w.kind} ${readyOf(now)}/${desiredOf(now)}`;
      });
      last = `clusterStatus: ${ours.join(', ')} | kubectl: ${theirs.join(', ')}`;
      return status.workloads.length === listed.length && JSON.stringify(ours.sort()) === JSON.stringify(theirs.sort());
    }, () => `clusterStatus to equal kubectl (${last})`, 60_000);
    console.log(`      ${namespace}: ${listed.length} workloads agree with kubectl`);
  });
});

async function kubectlWorkloads(kubeconfig: string, namespace: string): Promise<KubeWorkload[]> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, '--namespace', namespace, 'get', 'deploy,sts,ds', '-o', 'json'], { maxBuffer: 64 * 1024 * 1024 });
  return (JSON.parse(stdout) as { items: KubeWorkload[] }).items;
}

function desiredOf(w: KubeWorkload): number {
  return w.kind === 'DaemonSet' ? (w.status?.desiredNumberScheduled ?? 0) : (w.spec?.replicas ?? 1);
}

function readyOf(w: KubeWorkload): number {
  return w.kind === 'DaemonSet' ? (w.status?.numberReady ?? 0) : (w.status?.readyReplicas ?? 0);
}

async function writeProject(root: string, namespace: string, workloads: Map<string, KubeWorkload>): Promise<void> {
  await fs.mkdir(path.join(root, 'charts', 'app'), { recursive: true });
  await fs.mkdir(path.join(root, 'values'), { recursive: true });
  await fs.writeFile(path.join(root, 'charts', 'app', 'Chart.yaml'), 'apiVersion: v2\nname: app\nversion: 1.0.0\n');
  await fs.writeFile(path.join(root, 'charts', 'app', 'values.yaml'), 'replicaCount: 1\n');
  await fs.writeFile(path.join(root, 'values', 'app.yaml'), 'replicaCount: 1\n');
  const manifest = {
    apiVersion: 'gitopshq.io/v1alpha1',
    kind: 'Project',
    metadata: { name: 'E2E Real Cluster', slug: SLUG },
    // No context: the kubeconfig's current one, as kubectl uses.
    spec: {
      environments: [{ name: 'e2e', cluster: { namespace } }],
      workloads: [...workloads].map(([name, w]) => {
        const labels = w.spec?.selector?.matchLabels;
        return {
          name,
          chart: 'charts/app',
          values: 'values/app.yaml',
          kube: { kind: w.kind, name: w.metadata.name, ...(labels && Object.keys(labels).length > 0 ? { selector: labels } : {}) },
        };
      }),
    },
  };
  await fs.writeFile(path.join(root, 'gitopshq.yaml'), stringify(manifest));
}
