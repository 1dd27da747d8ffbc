import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { internals, waitFor, workspaceRoot } from './support';

describe('Go to…', () => {
  before(async () => {
    await internals();
  });

  it('is bound to ctrl+alt+k', async () => {
    const ext = vscode.extensions.getExtension('gitopshq.gitopshq-vscode')!;
    const keybindings = (ext.packageJSON as { contributes: { keybindings: { command: string; key: string; mac: string }[] } }).contributes.keybindings;
    assert.deepEqual(keybindings.find((k) => k.command === 'gitopshq.goTo'), { command: 'gitopshq.goTo', key: 'ctrl+alt+k', mac: 'cmd+alt+k' });
  });

  it('opens a variable at its definition', async () => {
    const result = (await vscode.commands.executeCommand('gitopshq.goTo', { query: 'DATABASE_HOST', type: 'variable' })) as { file: string; line: number };
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.fsPath, path.join(workspaceRoot(), '.gitopshq/variables.yaml'));
    assert.equal(editor.selection.active.line + 1, result.line);
    assert.match(editor.document.lineAt(result.line - 1).text, /DATABASE_HOST:/);
  });

  it('opens a values file by its path', async () => {
    await vscode.commands.executeCommand('gitopshq.goTo', { query: 'values/staging/payment-api.yaml', type: 'values' });
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, path.join(workspaceRoot(), 'values/staging/payment-api.yaml'));
  });

  it('reveals a workload in the tree and opens its values', async () => {
    const { views } = await internals();
    await vscode.commands.executeCommand('gitopshq.goTo', { query: 'ledger-worker', type: 'workload' });
    // The workbench reports the selection back asynchronously.
    const selected = (await waitFor(
      () => (views.projectsView.selection[0] as { kind: string } | undefined)?.kind === 'workload' && views.projectsView.selection[0],
      'the workload selected in the tree',
    )) as { kind: string; workload: string; environment: string };
    assert.equal(selected?.kind, 'workload');
    assert.equal(selected?.workload, 'ledger-worker');
    assert.equal(selected?.environment, 'staging', 'the first environment where ledger-worker is bound');
    assert.match(vscode.window.activeTextEditor?.document.uri.fsPath ?? '', /ledger-worker\.yaml$/);
  });

  it('selects an environment in the tree', async () => {
    const { views } = await internals();
    await vscode.commands.executeCommand('gitopshq.goTo', { query: 'production', type: 'environment' });
    const selected = await waitFor(
      () => (views.projectsView.selection[0] as { kind: string; environment: string } | undefined)?.kind === 'environment' && views.projectsView.selection[0],
      'the environment selected in the tree',
    ) as { kind: string; environment: string };
    assert.deepEqual({ kind: selected?.kind, environment: selected?.environment }, { kind: 'environment', environment: 'production' });
  });

  it('says clearly when nothing matches', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('gitopshq.goTo', { query: 'NO_SUCH_THING_ANYWHERE' })),
      /Nothing in the GitOpsHQ projects matches "NO_SUCH_THING_ANYWHERE"/,
    );
  });
});
