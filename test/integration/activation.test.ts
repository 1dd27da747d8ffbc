import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { screenshot } from '../support/control';
import { EXTENSION_ID, activate, bundleLoaded, internals, waitFor } from './support';

interface Manifest {
  activationEvents: string[];
  contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]> };
}

async function manifest(): Promise<Manifest> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
  return JSON.parse(await fs.readFile(path.join(ext.extensionPath, 'package.json'), 'utf8')) as Manifest;
}

describe('Activation', () => {
  it('activates on a workspace that holds gitopshq.yaml, without being asked', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'the extension is installed');
    // workspaceContains:**/gitopshq.yaml activates it at startup; give the host a moment.
    for (let i = 0; i < 100 && !ext.isActive; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(ext.isActive, true);
    const api = await activate();
    assert.equal(api.version, 1);
    // That activation loads neither the Kubernetes client nor a panel host is checked by
    // firstOpen.test.ts, which runs before any suite opens a view (the tree's tooltips load kube).
  });

  it('loads the values-file language features by the end of the first index scan', async () => {
    const { service } = await internals();
    await service.ready;
    await waitFor(() => bundleLoaded('language'), 'dist/language.js to be loaded');
  });

  it('registers exactly the commands that package.json contributes', async () => {
    await activate();
    const contributed = (await manifest()).contributes.commands.map((c) => c.command).sort();
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('gitopshq.')).sort();
    // VS Code adds `<view>.focus`, `<view>.resetViewLocation` and similar for contributed views.
    const ours = registered.filter((c) => !/^gitopshq\.[a-z]+\.(focus|resetViewLocation|open|toggleVisibility|removeView)$/.test(c));
    assert.deepEqual(ours, contributed);
  });

  it('contributes the GitOpsHQ container with its views, which can be shown', async () => {
    const viewIds = (await manifest()).contributes.views['gitopshq']!.map((v) => v.id);
    assert.deepEqual(viewIds, ['gitopshq.projects', 'gitopshq.variables', 'gitopshq.releases', 'gitopshq.history']);
    await vscode.commands.executeCommand('workbench.view.extension.gitopshq');
    for (const id of viewIds) await vscode.commands.executeCommand(`${id}.focus`);
    const { service, views } = await internals();
    assert.ok(service.index.projects().length > 0, 'the fixture project is indexed');
    // The README's picture: staging expanded down to a workload, its values file open beside it.
    const project = service.index.project('payment-platform')!;
    const model = views.projects.model;
    const staging = model.environment(project, 'staging');
    const acme = model.children(staging).find((n) => n.kind === 'tenant' && n.tenant === 'acme')!;
    const api = model.children(acme).find((n) => n.kind === 'workload' && n.workload === 'payment-api')!;
    await views.projectsView.reveal(acme, { expand: true });
    await views.projectsView.reveal(api, { select: true, focus: true });
    await vscode.commands.executeCommand('gitopshq.openValues', api);
    await new Promise((r) => setTimeout(r, 800));
    await screenshot('gitopshq-views');
  });
});
