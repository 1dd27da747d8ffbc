// The dashboard at the issue's scale: 50 projects × 5 environments × 4 tenants (1,000 tiles) written
// into the demo workspace, rendered by the real webview; the first render and a live update of one
// tile are timed by the webview (message received → frame painted). Budgets from issue 14: 300 ms and
// 30 ms; the asserts allow 3× for a machine shared with other work. The projects are removed after.
// Their contexts are not in the kubeconfig (each tile says so): this times the dashboard, not 1,000
// workload health derivations against the demo cluster.
import * as assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DashboardFeature } from '../../src/vscode/dashboard/registerDashboard';
import { webviewText } from '../support/control';
import type { TreeNode } from '../../src/core/tree/treeModel';
import { activate, internals, waitFor, workspaceRoot } from './support';

const PROJECTS = 50;
const ENVIRONMENTS = ['dev', 'qa', 'staging', 'preprod', 'production'];
const TENANTS = ['t0', 't1', 't2', 't3'];
const MARGIN = 3;

function manifest(i: number): string {
  return `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: "Scale ${String(i).padStart(2, '0')}", slug: scale-${i} }
spec:
  environments:
${ENVIRONMENTS.map((e) => `    - name: ${e}\n      cluster: { context: scale-${e} }`).join('\n')}
  tenants: [${TENANTS.join(', ')}]
  workloads:
    - name: api
      chart: charts/api
      values:
        - values/{env}/{workload}.yaml
        - values/{env}/{tenant}/{workload}.yaml
`;
}

describe('Fleet dashboard at scale (1,000 tiles)', function () {
  this.timeout(420_000);
  let dir: string;
  let dashboard: DashboardFeature;
  let exclude: string;
  let excludeBefore: string;

  before(async () => {
    const api = await activate();
    dashboard = (api._internal as { dashboard: DashboardFeature }).dashboard;
    dir = path.join(workspaceRoot(), 'scale-fleet');
    // Untracked for Git: VS Code's own Git extension would otherwise busy the extension host with 600 new files.
    exclude = path.join(workspaceRoot(), '.git', 'info', 'exclude');
    excludeBefore = await readFile(exclude, 'utf8').catch(() => '');
    await mkdir(path.dirname(exclude), { recursive: true });
    await appendFile(exclude, '\n/scale-fleet/\n');
    for (let i = 0; i < PROJECTS; i++) {
      const root = path.join(dir, `p${i}`);
      await mkdir(path.join(root, 'charts/api'), { recursive: true });
      await writeFile(path.join(root, 'charts/api/Chart.yaml'), 'apiVersion: v2\nname: api\nversion: 1.0.0\n');
      await writeFile(path.join(root, 'charts/api/values.yaml'), 'image:\n  tag: "1.0.0"\n');
      for (const env of ENVIRONMENTS) {
        await mkdir(path.join(root, 'values', env), { recursive: true });
        await writeFile(path.join(root, 'values', env, 'api.yaml'), `replicas: 1\n`);
      }
      await writeFile(path.join(root, 'gitopshq.yaml'), manifest(i));
    }
    // As a person would after generating a fleet of folders: Refresh (the folder watcher would find them too, later).
    await vscode.commands.executeCommand('gitopshq.refresh');
    await waitFor(() => (api.projects().filter((p) => p.slug.startsWith('scale-')).length === PROJECTS ? true : undefined), 'the 50 projects indexed', 150_000);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await rm(dir, { recursive: true, force: true });
    await writeFile(exclude, excludeBefore);
    await vscode.commands.executeCommand('gitopshq.refresh');
    const api = await activate();
    await waitFor(() => (api.projects().some((p) => p.slug.startsWith('scale-')) ? undefined : true), 'the scale projects gone', 150_000);
    // The suites after this one reveal nodes in the Projects tree: leave it settled on the demo alone.
    const { views } = await internals();
    await waitFor(() => ((views.projects.getChildren() as TreeNode[]).some((n) => n.kind === 'project' && (n.slug ?? '').startsWith('scale-')) ? undefined : true), 'the tree without the scale projects', 60_000);
    await new Promise((r) => setTimeout(r, 1000)); // the workbench renders the removal after the model
  });

  it('renders 1,000 tiles within budget and updates one tile within budget', async function () {
    const renders = dashboard.renders.length;
    // The folder of the tenant layer written below exists first: this suite measures a live update,
    // not how a file watcher attaches to a new folder (projectsTree.test covers that).
    const layer = path.join(dir, 'p7', 'values', 'qa', 't2');
    await mkdir(layer, { recursive: true });
    await vscode.commands.executeCommand('gitopshq.dashboard.show', { mine: false, problems: false, text: '' });
    if ((await webviewText('Fleet Dashboard', '#summary')) === undefined) this.skip();
    const full = await waitFor(() => dashboard.renders.slice(renders).find((r) => r.kind === 'full' && r.tiles >= PROJECTS * 20), 'a full render of the scaled fleet', 60_000);
    console.log(`      dashboard first render: ${full.tiles} tiles in ${full.ms.toFixed(1)} ms (budget 300 ms)`);
    assert.ok(full.ms <= 300 * MARGIN, `first render took ${full.ms.toFixed(1)} ms`);
    // Let the background work (Git state, workload checks) settle so that the next patch is the edit's alone.
    await dashboard.fleet.settled();
    await new Promise((r) => setTimeout(r, 2000));
    const before = dashboard.renders.length;
    // One tenant's own layer with a placeholder that does not resolve: that tile alone turns red.
    await writeFile(path.join(layer, 'api.yaml'), 'host: "{{hq.var.NOT_DEFINED}}"\n');
    const patch = await waitFor(
      () => dashboard.renders.slice(before).find((r) => r.kind === 'patch'),
      'a patch render after the edit',
      60_000,
    );
    const state = await dashboard.panelState();
    const tile = state?.shown?.projects.find((p) => p.slug === 'scale-7')?.environments.find((e) => e.name === 'qa')?.tenants.find((t) => t.tenant === 't2');
    await waitFor(async () => (await dashboard.panelState())?.shown?.projects.find((p) => p.slug === 'scale-7')?.environments[1]?.tenants[2]?.colour === 'red', 'scale-7 qa/t2 red', 30_000);
    console.log(`      dashboard live update: ${patch.tiles} tile(s) in ${patch.ms.toFixed(1)} ms among ${full.tiles} (budget 30 ms)`);
    assert.ok(tile, 'the tile is shown');
    assert.ok(patch.ms <= 30 * MARGIN, `a live update took ${patch.ms.toFixed(1)} ms`);
  });
});
