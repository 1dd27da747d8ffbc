import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { TreeNode } from '../../src/core/tree/treeModel';
import { internals, waitFor, workspaceRoot } from './support';

const run = promisify(execFile);

async function workloadNode(environment: string, tenant: string, workload: string): Promise<TreeNode> {
  const { views, service } = await internals();
  const model = views.projects.model;
  const env = model.environment(service.index.project('payment-platform')!, environment);
  const tenantNode = model.children(env).find((n) => n.kind === 'tenant' && n.tenant === tenant)!;
  return model.children(tenantNode).find((n) => n.kind === 'workload' && n.workload === workload)!;
}

describe('Tree commands and Git refresh', () => {
  it('opens the most specific values layer of a workload', async () => {
    const node = await workloadNode('production', 'acme', 'payment-api');
    const file = await vscode.commands.executeCommand<string>('gitopshq.openValues', node);
    assert.equal(file, path.join(workspaceRoot(), 'values/production/acme/payment-api.yaml'));
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file);
  });

  it('opens values from a scripted reference, and says why an unbound workload has none', async () => {
    const file = await vscode.commands.executeCommand<string>('gitopshq.openValues', {
      project: 'payment-platform',
      workload: 'checkout-web',
      environment: 'staging',
      tenant: 'globex',
    });
    assert.equal(file, path.join(workspaceRoot(), 'values/staging/globex/checkout-web.yaml'));
    const unbound = await workloadNode('dev', 'acme', 'ledger-worker');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('gitopshq.openValues', unbound)), /ledger-worker is not bound in dev\/acme/);
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('gitopshq.openValues', { project: 'payment-platform', workload: 'payment-api', environment: 'qa' })),
      /has no environment "qa" \(it has dev, staging, production\)/,
    );
  });

  it('copies the path of a values file', async () => {
    const node = await workloadNode('staging', 'acme', 'payment-api');
    const file = await vscode.commands.executeCommand<string>('gitopshq.copyPath', node);
    assert.equal(await vscode.env.clipboard.readText(), file);
    assert.equal(file, path.join(workspaceRoot(), 'values/staging/payment-api.yaml'));
  });

  it('reveals a values file in the explorer', async () => {
    const node = await workloadNode('dev', 'globex', 'checkout-web');
    await vscode.commands.executeCommand('gitopshq.revealInExplorer', node);
    // The explorer takes the focus and the file becomes the explorer's selection: copying the
    // explorer's selected path proves which file it revealed.
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('copyFilePath');
    await waitFor(async () => (await vscode.env.clipboard.readText()).endsWith(path.join('values', 'dev', 'checkout-web.yaml')), 'the explorer selection');
  });

  it('follows a deployed branch that moves', async () => {
    const { views, service } = await internals();
    const model = views.projects.model;
    const project = service.index.project('payment-platform')!;
    const globexProduction = () => model.children(model.environment(project, 'production')).find((n) => n.kind === 'tenant' && n.tenant === 'globex')!;
    assert.equal(globexProduction().description, 'never deployed');
    const root = workspaceRoot();
    await run('git', ['branch', 'gitopshq/deployed/globex/production', 'main'], { cwd: root });
    try {
      await waitFor(
        () => /^[0-9a-f]{7} · [^·]+ · (just now|[^·]+ ago)( · .+)?$/.test(globexProduction().description),
        () => `globex/production to show its new deployed commit (it shows "${globexProduction().description}")`,
      );
      assert.equal(globexProduction().health, 'ok');
    } finally {
      await run('git', ['branch', '-D', 'gitopshq/deployed/globex/production'], { cwd: root });
    }
    await waitFor(() => globexProduction().description === 'never deployed', 'globex/production to be never deployed again');
  });
});

describe('Cluster contexts in the tree', () => {
  it('tells whether an environment cluster context is in the kubeconfig of gitopshq.kubeconfig, without leaking credentials', async () => {
    const { views, service } = await internals();
    const os = await import('node:os');
    const fs = await import('node:fs/promises');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-kube-'));
    const token = 'eyJhbGciOiJSUzI1NiJ9.tree-test-token';
    await fs.writeFile(
      path.join(dir, 'config'),
      `apiVersion: v1\nkind: Config\ncurrent-context: kind-dev\nclusters:\n  - name: kind\n    cluster: { server: "https://127.0.0.1:6443" }\nusers:\n  - name: dev\n    user: { token: ${token} }\ncontexts:\n  - name: kind-dev\n    context: { cluster: kind, user: dev, namespace: payments-dev }\n`,
    );
    const settings = vscode.workspace.getConfiguration('gitopshq');
    const previous = settings.inspect('kubeconfig')?.globalValue;
    await settings.update('kubeconfig', path.join(dir, 'config'), vscode.ConfigurationTarget.Global);
    try {
      await views.kube.reload();
      const project = service.index.project('payment-platform')!;
      const model = views.projects.model;
      const tooltip = (env: string) => String(views.projects.getTreeItem(model.environment(project, env)).tooltip);
      assert.match(tooltip('dev'), /Cluster: context kind-dev, namespace payments-dev-\{tenant\} \(in your kubeconfig, current\)/);
      assert.match(tooltip('production'), /Cluster: context prod-eu, namespace payments \(not in your kubeconfig/);
      assert.ok(!tooltip('dev').includes(token));
    } finally {
      await settings.update('kubeconfig', previous, vscode.ConfigurationTarget.Global);
      await views.kube.reload();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
