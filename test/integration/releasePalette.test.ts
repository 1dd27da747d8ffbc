import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { ReleaseService } from '../../src/vscode/releases/releaseService';
import { keyboardPress, keyboardType, workbenchText } from '../support/control';
import { activate, waitFor, workspaceRoot } from './support';

const run = promisify(execFile);
const SLUG = 'payment-platform';
const TITLE = '.quick-input-widget .quick-input-title';

// The keyboard-only path: the palette flow driven by real key presses in the workbench's quick input.
describe('Create Release from the command palette', function () {
  this.timeout(120_000);
  let root: string;
  let head: string;
  let releases: ReleaseService;
  const git = async (...args: string[]) => (await run('git', args, { cwd: root })).stdout.trim();

  /** The text of a workbench element, or undefined while it is not shown. */
  const textOf = (selector: string) => workbenchText(selector, { timeoutMs: 500 }).catch(() => undefined);
  /** Waits for the quick input whose title contains `label`, then sends the keys. */
  const step = async (label: string, ...keys: (string | { type: string })[]) => {
    await waitFor(async () => (await textOf(TITLE))?.includes(label), `the quick input "${label}"`, 20_000);
    for (const key of keys) {
      if (typeof key === 'string') await keyboardPress(key);
      else await keyboardType(key.type);
    }
  };

  before(async function () {
    const api = await activate();
    releases = (api._internal as { releases: ReleaseService }).releases;
    root = workspaceRoot();
    head = await git('rev-parse', 'HEAD');
    await vscode.workspace.getConfiguration('gitopshq.git').update('push', 'never', vscode.ConfigurationTarget.Global);
    // The electron host has no browser to type with: only then is there nothing to drive.
    if ((await workbenchText('.monaco-workbench', { timeoutMs: 2000 }).catch(() => undefined)) === undefined) this.skip();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.workspace.getConfiguration('gitopshq.git').update('push', undefined, vscode.ConfigurationTarget.Global);
    await git('reset', '-q', '--hard', head);
  });

  it('walks environment, tenants, changes, title (warning on a vague one), notes and confirmation to a pending release', async () => {
    const result = vscode.commands.executeCommand<{ id: string; state: string } | undefined>('gitopshq.release.createFromPalette');
    await step('(2/8): environment', { type: 'staging' }, 'Enter');
    await step('(3/8): tenants of staging', 'Enter');
    await step('(4/8): changes for staging', 'Enter');
    await step('(5/8): title', { type: 'Update values' });
    await waitFor(async () => /does not say what changes/.test((await textOf('.quick-input-widget .quick-input-message')) ?? ''), 'the vague-title warning');
    await keyboardPress('Control+A');
    await keyboardType('ledger-worker memory and staging hosts');
    await keyboardPress('Enter');
    await step('(6/8): notes', { type: 'The nightly reconciliation was OOM-killed.' }, 'Enter');
    await step('(7/8): rollback guidance', 'Enter');
    await step('(8/8): "ledger-worker memory and staging hosts" → staging (acme, globex)', 'Enter');

    const created = await result;
    assert.ok(created, 'the flow returned the release');
    assert.equal(created.state, 'pending_approval', 'staging needs an approval');
    const file = `.gitopshq/releases/${created.id}.yaml`;
    assert.ok(existsSync(path.join(root, file)));
    assert.equal(await git('status', '--porcelain', '--', file), '', 'committed');
    const release = await waitFor(() => releases.release(SLUG, created.id), 'the release loaded');
    assert.equal(release.title, 'ledger-worker memory and staging hosts');
    assert.equal(release.notes, 'The nightly reconciliation was OOM-killed.');
    assert.equal(release.rollback, undefined, 'an empty rollback guidance is left out');
    assert.deepEqual(release.tenants, ['acme', 'globex']);
    assert.ok(release.changes.some((c) => c.path === 'values/staging/ledger-worker.yaml'), 'the staging change is in it');
  });
});
