// A release diff of the variables file in the Create Release webview shows no secret, however the
// file writes it: `"secret": true` with a quoted key (the old masker only looked for `secret:`), a
// value with an escape (`"hunt\u0065r22…"`, which a search for the known value misses), and a rotated
// value. Runs on the demo repository; the commit it makes is undone afterwards.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { ReleaseService } from '../../src/vscode/releases/releaseService';
import { webviewClick, webviewText } from '../support/control';
import { internals, waitFor, workspaceRoot } from './support';

const run = promisify(execFile);
const FORM = 'Create Release';
const VARIABLES = '.gitopshq/variables.yaml';
const LEAKS = ['hunt\\u0065r22', 'hunter22', 'rotated-Zx81-sandbox-key', 'sandbox-7Qm2Xv9LrT4nB8cK'];

async function closeForms(): Promise<void> {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputWebview && /gitopshq\.createRelease$/.test(tab.input.viewType)) await vscode.window.tabGroups.close(tab);
    }
  }
}

describe('Secrets in release diffs', function () {
  this.timeout(90_000);
  let head: string;

  before(async () => {
    const { api } = await internals();
    const root = workspaceRoot();
    head = (await run('git', ['rev-parse', 'HEAD'], { cwd: root })).stdout.trim();
    await (api._internal as { releases: ReleaseService }).releases.settled();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const file = path.join(root, VARIABLES);
    const text = await fs.readFile(file, 'utf8');
    const edited = text
      .replace(/secret: true/g, '"secret": true')
      .replace('sandbox-7Qm2Xv9LrT4nB8cK', 'rotated-Zx81-sandbox-key')
      .replace('repo:\n', 'repo:\n  SIGNING_KEY:\n    "value": "hunt\\u0065r22-signing-key"\n    "secret": true\n');
    assert.notEqual(edited, text);
    await fs.writeFile(file, edited);
    await run('git', ['-c', 'user.name=Dana Developer', '-c', 'user.email=dana@example.com', 'commit', '-q', '-m', 'Rotate the sandbox key, add a signing key', '--', VARIABLES], { cwd: root });
  });

  after(async () => {
    await closeForms();
    await run('git', ['reset', '-q', '--hard', head], { cwd: workspaceRoot() });
  });

  it('the Create Release form diffs the variables file with every secret masked', async function () {
    await vscode.commands.executeCommand('gitopshq.release.create', undefined);
    const changes = await webviewText(FORM, '#changes');
    if (changes === undefined) this.skip();
    await waitFor(async () => (await webviewText(FORM, '#changes'))?.includes(VARIABLES), 'the variables file among the candidate changes', 30_000);
    // A toast left by an earlier suite ("Release … created") would sit on the button of the last row.
    await vscode.commands.executeCommand('notifications.clearAll');
    assert.ok(await webviewClick(FORM, `.candidate[data-path="${VARIABLES}"] .toggle-diff`));
    const diff = await waitFor(async () => {
      const t = await webviewText(FORM, `.candidate[data-path="${VARIABLES}"] .diff-container`);
      return t?.includes('SIGNING_KEY') ? t : undefined;
    }, 'the diff of the variables file');
    for (const leak of LEAKS) assert.ok(!diff.includes(leak), `the diff shows ${leak}:\n${diff}`);
    assert.ok(diff.includes('••••••'), diff);
    assert.match(diff, /\+\s*"secret": true/, 'the rest of the change is shown');
  });
});
