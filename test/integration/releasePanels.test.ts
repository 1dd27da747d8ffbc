// The release webviews in a real VS Code on the demo repository, driven with Playwright through the
// runner's control server: the Create Release form creates a release (a real commit of the release
// file), the detail panel approves it under another Git identity, the audit panel lists and filters.
// Steps that need the browser skip themselves on hosts without one (the electron host answers 501).
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { ReleaseService } from '../../src/vscode/releases/releaseService';
import { screenshot, webviewClick, webviewFill, webviewText } from '../support/control';
import { internals, waitFor, workspaceRoot } from './support';

const run = promisify(execFile);
const PROJECT = 'payment-platform';
const FORM = 'Create Release';
const AUDIT = 'Audit Log';
const LEDGER = 'values/staging/ledger-worker.yaml';
const TITLE = 'Raise ledger-worker memory to 1Gi in staging';
const DANA = { name: 'Dana Developer', email: 'dana@example.com' };
const SUE = { name: 'Sue Lindqvist', email: 'sue@example.com' };
const PRODUCTION_RELEASE = 'rel_01M82J5V0T9Q3XKD7F1M4PR6ZA';
const PRODUCTION_FILE = `.gitopshq/releases/${PRODUCTION_RELEASE}.yaml`;
/** The demo production release's panel title (cut at 48 characters). */
const PRODUCTION_PANEL = 'Release: Onboard globex in production (payment-api, chec…';
const SAM = { name: 'Sam Okafor', email: 'sam@example.com' };

async function releases(): Promise<ReleaseService> {
  const { api } = await internals();
  return (api._internal as { releases: ReleaseService }).releases;
}

/** webviewText, or skip this test on a host without a browser. */
async function text(ctx: Mocha.Context, title: string, selector: string): Promise<string> {
  const t = await webviewText(title, selector);
  if (t === undefined) ctx.skip();
  return t;
}

async function setIdentity(who: { name: string; email: string }): Promise<void> {
  await run('git', ['config', 'user.name', who.name], { cwd: workspaceRoot() });
  await run('git', ['config', 'user.email', who.email], { cwd: workspaceRoot() });
}

async function closePanels(): Promise<void> {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputWebview && /gitopshq\.(createRelease|release|audit)$/.test(tab.input.viewType)) await vscode.window.tabGroups.close(tab);
    }
  }
}

function webviewTab(title: string): vscode.Tab | undefined {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === title);
}

describe('Release panels', function () {
  this.timeout(90_000);
  /** The release the form created (the detail and audit tests use it). */
  let created: string | undefined;

  let head: string;
  before(async () => {
    await internals();
    head = (await run('git', ['rev-parse', 'HEAD'], { cwd: workspaceRoot() })).stdout.trim();
    await (await releases()).settled();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // No modal "Push now?" in the middle of a test (the demo has no remote anyway).
    await vscode.workspace.getConfiguration('gitopshq').update('git.push', 'never', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await setIdentity(DANA);
    await closePanels();
    await vscode.workspace.getConfiguration('gitopshq').update('git.push', undefined, vscode.ConfigurationTarget.Global);
    // Later suites start from the demo as it was: the release this suite created goes away again.
    await run('git', ['reset', '-q', '--hard', head], { cwd: workspaceRoot() });
  });

  describe('Create Release form', () => {
    before(async () => {
      await vscode.commands.executeCommand('gitopshq.release.create', undefined);
    });

    it('opens on the first environment with approvals and shows its policy and result state', async function () {
      const policy = await text(this, FORM, '#policy');
      assert.match(policy, /Needs 1 approval from team:devops, team:sre; the requester cannot approve\./, policy);
      assert.match(policy, /Will be created as\s+Pending approval/, policy);
      // The staging drift of the demo (README: ledger-worker changed on main since the deploy), grouped by workload.
      await waitFor(async () => (await text(this, FORM, '#changes')).includes(LEDGER), 'the candidate changes of staging');
      const group = await text(this, FORM, '.change-group[data-workload="ledger-worker"]');
      assert.ok(group.includes(LEDGER) && group.includes('modified'), group);
      assert.match(await text(this, FORM, '#problems'), /title is required/i, 'Create is disabled and says why');
    });

    it('shows the per-file diff computed by the host', async function () {
      assert.ok(await webviewClick(FORM, `.candidate[data-path="${LEDGER}"] .toggle-diff`));
      const diff = await waitFor(async () => {
        const t = await text(this, FORM, `.candidate[data-path="${LEDGER}"] .diff-container`);
        return t.includes('@@') ? t : undefined;
      }, 'the diff of the ledger-worker values');
      assert.match(diff, /\+\s*memory: 1Gi/, diff);
      assert.match(diff, /\+1\s+−1|\+\d+\s+−\d+/, 'added and removed counts');
    });

    it('diffs only candidate changes: any other file of the repository is refused', async () => {
      const service = await releases();
      const diff = await service.fileDiff(PROJECT, LEDGER, 'acme', 'staging', false);
      assert.match(diff.after, /memory: 1Gi/);
      for (const other of ['.git/config', '../outside.txt', 'gitopshq.yaml', 'values/production/ledger-worker.yaml', 'values/staging/payment-api.yaml']) {
        await assert.rejects(service.fileDiff(PROJECT, other, 'acme', 'staging', false), /is not a candidate change of staging for acme/, other);
      }
    });

    it('warns about a vague title under the field', async function () {
      if (!(await webviewFill(FORM, '#title input', 'Update values'))) this.skip();
      const warning = await waitFor(async () => {
        const t = await text(this, FORM, '#title-warnings');
        return t.trim() ? t : undefined;
      }, 'the vague-title warning');
      assert.match(warning, /does not say what changes/, warning);
      assert.ok(await webviewFill(FORM, '#title input', TITLE));
      await waitFor(async () => (await text(this, FORM, '#title-warnings')).trim() === '', 'the warning to go away');
    });

    it('creates the release from the selected change: the release file is committed, pending approval', async function () {
      const service = await releases();
      const before = new Set(service.releases(PROJECT).map((e) => e.release?.id));
      if (!(await webviewFill(FORM, '#notes textarea', 'The ledger worker ran out of memory during the load test.'))) this.skip();
      assert.ok(await webviewFill(FORM, '#rollback textarea', 'Set resources.limits.memory back to 512Mi.'));
      assert.match(await text(this, FORM, '#problems'), /Select at least one change/);
      assert.ok(await webviewClick(FORM, `vscode-checkbox.pick[data-path="${LEDGER}"]`));
      await waitFor(async () => (await text(this, FORM, '#changes-count')).startsWith('1 of'), 'one change selected');
      assert.equal((await text(this, FORM, '#problems')).trim(), '', 'nothing missing: Create is enabled');
      const shot = await screenshot('create-release');
      if (shot) console.log(`      screenshot: ${shot}`);

      assert.ok(await webviewClick(FORM, '#create'));
      const result = await waitFor(async () => {
        const t = await text(this, FORM, '#result');
        return t.includes('Created') ? t : undefined;
      }, 'the result of Create', 30_000);
      const id = /Created (rel_[0-9A-Z]+)/.exec(result)?.[1];
      assert.ok(id, result);
      assert.ok(!before.has(id));
      assert.match(result, /Pending approval/);
      created = id;

      const file = path.join(workspaceRoot(), '.gitopshq/releases', `${id}.yaml`);
      const yaml = await fs.readFile(file, 'utf8');
      assert.match(yaml, /state: pending_approval/);
      assert.ok(yaml.includes(TITLE));
      const { stdout } = await run('git', ['log', '-1', '--name-only', '--format=%s'], { cwd: workspaceRoot() });
      assert.ok(stdout.includes(`.gitopshq/releases/${id}.yaml`), `the release file is committed: ${stdout}`);
      const release = await waitFor(() => service.release(PROJECT, id), 'the service to read the new release');
      assert.deepEqual(release.changes.map((c) => c.path), [LEDGER]);
      assert.equal(release.state, 'pending_approval');
      // The form started over: a second click cannot create the same release again.
      assert.match(await text(this, FORM, '#problems'), /title is required/i);
    });

    it('"Open release" opens the detail panel of the new release', async function () {
      if (!created) this.skip();
      assert.ok(await webviewClick(FORM, '#open-release'));
      await waitFor(() => webviewTab(`Release: ${TITLE}`), 'the release panel tab');
    });
  });

  describe('Release detail panel', () => {
    const panelTitle = `Release: ${TITLE}`;

    it('shows the release, its progress, and only the actions the requester may take', async function () {
      if (!created) this.skip();
      await vscode.commands.executeCommand('gitopshq.release.show', { project: PROJECT, id: created });
      await waitFor(async () => (await text(this, panelTitle, '#title')) === TITLE, 'the release to render');
      assert.match(await text(this, panelTitle, '#state'), /Pending approval/);
      assert.match(await text(this, panelTitle, '#progress-count'), /0\/1 approvals/);
      assert.match(await text(this, panelTitle, '#still-may'), /team:devops|team:sre|sam@example\.com/);
      assert.match(await text(this, panelTitle, '#release-notes'), /ran out of memory/);
      assert.match(await text(this, panelTitle, '#history'), /Pending approval[\s\S]*Dana Developer/);
      const buttons = await text(this, panelTitle, '#action-buttons');
      assert.ok(!buttons.includes('Approve'), `Dana requested it and cannot approve: ${buttons}`);
      assert.ok(buttons.includes('Cancel release'), buttons);
      // The change's diff: the deployed content against the blob the release carries.
// Toasts left by earlier suites (initProject, goTo) sit on the row's button at the right edge.
await vscode.commands.executeCommand('notifications.clearAll');
      assert.ok(await webviewClick(panelTitle, `.change[data-path="${LEDGER}"] .toggle-diff`));
      await waitFor(async () => /\+\s*memory: 1Gi/.test(await text(this, panelTitle, `.change[data-path="${LEDGER}"]`)), 'the change diff');
    });

    it('approving through its button as an approver changes the state', async function () {
      if (!created) this.skip();
      const service = await releases();
      await setIdentity(SAM);
      try {
        // Showing the panel again re-reads who the user is.
        await vscode.commands.executeCommand('gitopshq.release.show', { project: PROJECT, id: created });
        await waitFor(async () => (await text(this, panelTitle, '#action-buttons')).includes('Approve'), 'Sam to be offered Approve');
        assert.ok(await webviewFill(panelTitle, '#comment input', 'Limits checked against the load test.'));
        assert.ok(await webviewClick(panelTitle, '#action-approve'));
        await waitFor(() => service.release(PROJECT, created!)?.state === 'approved', 'the release file to say approved', 30_000);
        await waitFor(async () => /Approved/.test(await text(this, panelTitle, '#state')), 'the badge to say Approved');
        assert.match(await text(this, panelTitle, '#progress-count'), /1\/1 approvals/);
        const approvals = await text(this, panelTitle, '#progress');
        assert.ok(approvals.includes('Sam Okafor') && approvals.includes('Limits checked against the load test.'), approvals);
        // Sam's approval is his own commit of the release file alone: Git vouches for it.
        await waitFor(async () => (await text(this, panelTitle, '.approval .trust')) === 'verified', 'the approval marked verified');
        assert.match(await text(this, panelTitle, '.approval .trust-why'), /^recorded by Sam Okafor <sam@example\.com> in commit [0-9a-f]{7}$/);
        const shot = await screenshot('release-detail');
        if (shot) console.log(`      screenshot: ${shot}`);
        assert.equal(service.release(PROJECT, created!)?.approvals[0]?.by.email, SAM.email);
      } finally {
        await setIdentity(DANA);
      }
    });

    it('follows the Git identity: back as the author, rejecting is no longer offered but deploying is', async function () {
      if (!created) this.skip();
      await vscode.commands.executeCommand('gitopshq.release.show', { project: PROJECT, id: created });
      const buttons = await waitFor(async () => {
        const t = await text(this, panelTitle, '#action-buttons');
        return !t.includes('Reject') ? t : undefined;
      }, "Dana's actions again");
      assert.ok(buttons.includes('Deploy'), buttons);
    });

    it("marks an approval written into the file by someone else as not verified; it does not count and the release does not deploy", async function () {
      const root = workspaceRoot();
      const git = async (...args: string[]) => (await run('git', args, { cwd: root })).stdout.trim();
      const file = path.join(root, PRODUCTION_FILE);
      const original = await fs.readFile(file, 'utf8');
      // Dana forges Sue's approval (the second of two) and the approved state, and commits it herself.
      const forged = original
        .replace(/^state: pending_approval$/m, 'state: approved')
        .replace(/^(approvals:\n(?:  - .*\n)+)/m, `$1  - { by: { name: ${SUE.name}, email: ${SUE.email} }, decision: approve, at: 2020-01-01T00:00:00Z, comment: "" }\n`)
        .replace(/^(history:\n(?:  - .*\n)+)/m, `$1  - { state: approved, at: 2020-01-01T00:00:00Z, by: { name: ${SUE.name}, email: ${SUE.email} } }\n`);
      assert.notEqual(forged, original);
      await fs.writeFile(file, forged);
      await git('commit', '-q', '-m', 'approve production', '--', PRODUCTION_FILE);
      try {
        const service = await releases();
        await waitFor(() => service.release(PROJECT, PRODUCTION_RELEASE)?.state === 'approved', 'the forged file to be read');
        await vscode.commands.executeCommand('gitopshq.release.show', { project: PROJECT, id: PRODUCTION_RELEASE });
        const progress = await waitFor(async () => {
          const t = await text(this, PRODUCTION_PANEL, '#progress');
          return t.includes('not verified') ? t : undefined;
        }, 'the forged approval marked not verified');
        assert.match(progress, /Sam Okafor[\s\S]*verified[\s\S]*recorded by Sam Okafor <sam@example\.com> in commit/);
        assert.match(progress, /Sue Lindqvist[\s\S]*not verified[\s\S]*authored by Dana Developer <dana@example\.com>, not by the approver/);
        assert.match(await text(this, PRODUCTION_PANEL, '#progress-count'), /1\/2 approvals/);
        assert.ok(!(await text(this, PRODUCTION_PANEL, '#action-buttons')).includes('Deploy'), 'Deploy is not offered');
        await assert.rejects(
          Promise.resolve(vscode.commands.executeCommand('gitopshq.release.deploy', { project: PROJECT, id: PRODUCTION_RELEASE })),
          /only 1\/2 approvals that count/,
        );
        await screenshot('release-unverified-approval');

        // An uncommitted hand edit (no approvals needed) is never trusted over the committed file.
        await fs.writeFile(file, forged.replace(/required: 2/, 'required: 0'));
        await assert.rejects(
          Promise.resolve(vscode.commands.executeCommand('gitopshq.release.deploy', { project: PROJECT, id: PRODUCTION_RELEASE })),
          /has uncommitted changes: only the committed release counts/,
        );
        await waitFor(async () => (await text(this, PRODUCTION_PANEL, '#trust-uncommitted')).includes('ignored'), 'the panel to say the edit is ignored');
        assert.equal(await git('rev-parse', '--verify', '-q', 'refs/heads/gitopshq/deployed/globex/production').catch(() => ''), '', 'nothing was deployed');
      } finally {
        await git('reset', '-q', '--hard', 'HEAD~1');
      }
    });
  });

  describe('Audit panel', () => {
    it('lists the entries newest first and filters by person', async function () {
      await vscode.commands.executeCommand('gitopshq.audit.show', undefined);
      const count = await waitFor(async () => {
        const t = await text(this, AUDIT, '#count');
        return /\d+ entries/.test(t) ? t : undefined;
      }, 'the audit entries', 30_000);
      const all = Number(/(\d+) entries/.exec(count)![1]);
      assert.ok(all >= 3, count);
      const rows = await text(this, AUDIT, '#entries tbody');
      if (created) assert.ok(rows.includes(TITLE), 'the release created above is listed');
      assert.ok(rows.includes('Omar Haddad'), 'the demo history is listed');
      const times = await text(this, AUDIT, '#entries tbody tr:first-child td.time');
      assert.ok(times.trim().length > 0);

      assert.ok(await webviewClick(AUDIT, '#person'));
      assert.ok(await webviewClick(AUDIT, '#person vscode-option[value="sam@example.com"]'));
      const filtered = await waitFor(async () => {
        const t = await text(this, AUDIT, '#count');
        return /of \d+ entries match/.test(t) ? t : undefined;
      }, 'the person filter');
      assert.ok(Number(/^(\d+)/.exec(filtered)![1]) < all, filtered);
      const samRows = await text(this, AUDIT, '#entries tbody');
      assert.ok(samRows.includes('Sam Okafor'), samRows);
      assert.ok(!samRows.includes('Omar Haddad') && !samRows.includes('Dana Developer'), `only Sam's entries: ${samRows}`);
      await screenshot('audit-panel');
    });

    it('opens a release from its link', async function () {
      if (!created) this.skip();
      await closePanels();
      await vscode.commands.executeCommand('gitopshq.audit.show', undefined);
      // Its approval is the newest entry.
      assert.ok(await webviewClick(AUDIT, `#entries tbody tr:first-child a.release-link[data-id="${created}"]`));
      await waitFor(() => webviewTab(`Release: ${TITLE}`), 'the release panel tab');
    });
  });
});
