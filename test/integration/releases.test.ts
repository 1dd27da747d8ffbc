import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { AuditEntry } from '../../src/core/release/audit';
import type { ReleaseItemNode, ReleaseTreeNode } from '../../src/core/release/releaseTree';
import type { TreeNode } from '../../src/core/tree/treeModel';
import type { ProjectService } from '../../src/vscode/projectService';
import type { ReleaseService } from '../../src/vscode/releases/releaseService';
import type { ProjectsTreeProvider } from '../../src/vscode/views/projectsTree';
import type { ReleasesTreeProvider } from '../../src/vscode/views/releasesView';
import { activate, waitFor, workspaceRoot } from './support';

const run = promisify(execFile);
const SLUG = 'payment-platform';
const PRODUCTION_RELEASE = 'rel_01M82J5V0T9Q3XKD7F1M4PR6ZA';
const PEOPLE = {
  dana: ['Dana Developer', 'dana@example.com'],
  omar: ['Omar Haddad', 'omar@example.com'],
  sam: ['Sam Okafor', 'sam@example.com'],
  sue: ['Sue Lindqvist', 'sue@example.com'],
} as const;

type Result = { id: string; state: string };

// Runs in the shared demo workspace: every commit, branch and setting it changes is put back in after().
describe('Releases', function () {
  this.timeout(120_000);
  let root: string;
  let releases: ReleaseService;
  let view: ReleasesTreeProvider;
  let projects: ProjectsTreeProvider;
  let service: ProjectService;
  let start: { head: string; refs: string; name: string; email: string };
  const git = async (...args: string[]) => (await run('git', args, { cwd: root })).stdout.trim();
  const as = async (who: keyof typeof PEOPLE) => {
    await git('config', 'user.name', PEOPLE[who][0]);
    await git('config', 'user.email', PEOPLE[who][1]);
  };
  const exec = (command: string, arg: unknown) => vscode.commands.executeCommand<Result>(command, arg);
  const refused = async (promise: Thenable<unknown>, kind: string, message: RegExp) => {
    await assert.rejects(Promise.resolve(promise), (err: Error & { kind?: string }) => {
      assert.equal(err.kind, kind, err.message);
      assert.match(err.message + ' ' + String((err as { hint?: string }).hint ?? ''), message);
      return true;
    });
  };
  const items = (): ReleaseItemNode[] => {
    const out: ReleaseItemNode[] = [];
    const walk = (n: ReleaseTreeNode) => {
      if (n.kind === 'release') out.push(n);
      for (const c of view.getChildren(n)) walk(c);
    };
    view.getChildren().forEach(walk);
    return out;
  };
  const item = (id: string) => items().find((i) => i.releaseId === id);
  const tenantDescription = (environment: string, tenant: string) => {
    const project = projects.model.roots().find((r) => r.slug === SLUG)!;
    const env = projects.model.children(project).find((n) => n.kind === 'environment' && n.environment === environment)!;
    const node = projects.model.children(env).find((n): n is Extract<TreeNode, { kind: 'tenant' }> => n.kind === 'tenant' && n.tenant === tenant);
    return node?.description ?? '';
  };

  before(async () => {
    const api = await activate();
    const internal = api._internal as {
      releases: ReleaseService;
      releasesView: ReleasesTreeProvider;
      views: { projects: ProjectsTreeProvider };
      service: ProjectService;
    };
    service = internal.service;
    releases = internal.releases;
    view = internal.releasesView;
    projects = internal.views.projects;
    root = workspaceRoot();
    start = {
      head: await git('rev-parse', 'HEAD'),
      refs: await git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/gitopshq/deployed/'),
      name: await git('config', 'user.name'),
      email: await git('config', 'user.email'),
    };
    await vscode.workspace.getConfiguration('gitopshq.git').update('push', 'never', vscode.ConfigurationTarget.Global);
    await releases.settled();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('gitopshq.git').update('push', undefined, vscode.ConfigurationTarget.Global);
    await git('remote', 'remove', 'origin').catch(() => undefined);
    await rm(path.join(root, '.gitopshq/releases/rel_broken.yaml'), { force: true });
    await git('reset', '-q', '--hard', start.head);
    // Put each deployed branch back where it was and delete only the ones this suite created: deleting
    // every ref would also delete their folders, which file watchers of later suites may then miss.
    const before = new Map(start.refs.split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string]));
    for (const ref of (await git('for-each-ref', '--format=%(refname)', 'refs/heads/gitopshq/deployed/')).split('\n').filter(Boolean)) {
      if (!before.has(ref)) await git('update-ref', '-d', ref);
    }
    for (const [ref, sha] of before) await git('update-ref', ref, sha);
    await git('config', 'user.name', start.name);
    await git('config', 'user.email', start.email);
    await waitFor(() => !item(PRODUCTION_RELEASE) || item(PRODUCTION_RELEASE)!.state === 'pending_approval', 'the demo releases back');
    await waitFor(() => /never deployed/.test(tenantDescription('production', 'globex')), 'globex/production never deployed again');
  });

  it('shows the demo releases by environment and state, with approval progress', async () => {
    const rootNode = view.getChildren().find((n) => n.kind === 'project' && n.slug === SLUG)!;
    assert.ok(rootNode, 'the project is a root of the Releases view');
    const envs = view.getChildren(rootNode);
    assert.deepEqual(envs.map((e) => e.label), ['dev', 'staging', 'production']);
    const production = envs[2]!;
    assert.equal(production.description, '1 pending approval');
    const groups = view.getChildren(production);
    assert.equal(groups[0]!.label, 'Pending approval');
    const pending = view.getChildren(groups[0]!)[0]! as ReleaseItemNode;
    const treeItem = view.getTreeItem(pending);
    assert.match(String(treeItem.label), /^Onboard globex in production/);
    assert.match(String(treeItem.description), /^1\/2 approvals · Omar · .+ ago$/);
    assert.equal(treeItem.command?.command, 'gitopshq.release.show');
    assert.match(String(treeItem.tooltip), new RegExp(PRODUCTION_RELEASE));
    assert.equal(view.getParent(pending)?.id, groups[0]!.id, 'reveal needs parents');
    const deployedGroup = view.getChildren(envs[0]!).find((g) => g.label === 'Deployed');
    assert.equal(deployedGroup && view.getChildren(deployedGroup).length, 1, 'the dev release is deployed');
    // The Projects tree's environment node says it too.
    const project = projects.model.roots().find((r) => r.slug === SLUG)!;
    const prodNode = projects.model.children(project).find((n) => n.kind === 'environment' && n.environment === 'production')!;
    assert.match(prodNode.description, /1 pending approval$/);
    assert.match(prodNode.tooltip, /1 pending approval/);
  });

  let staging: Result;
  it('creates a release from command arguments, commits its file and shows it as 0/1 approvals', async () => {
    staging = await exec('gitopshq.release.create', {
      project: SLUG,
      environment: 'staging',
      title: 'ledger-worker memory limit 1Gi in staging',
      notes: 'The nightly reconciliation was OOM-killed at 768Mi.',
      tenants: ['acme'],
      paths: ['values/staging/ledger-worker.yaml'],
    });
    assert.match(staging.id, /^rel_[0-9A-Z]{26}$/);
    assert.equal(staging.state, 'pending_approval');
    const rel = `.gitopshq/releases/${staging.id}.yaml`;
    assert.ok(existsSync(path.join(root, rel)));
    assert.equal(await git('log', '-1', '--format=%s'), `release(staging): ledger-worker memory limit 1Gi in staging [${staging.id}]`);
    assert.equal(await git('status', '--porcelain', '--', rel), '', 'committed');
    assert.equal(await git('log', '-1', '--format=%ae'), 'dana@example.com', 'committed as the Git identity');
    const node = await waitFor(() => item(staging.id), 'the new release in the view');
    assert.match(node.description, /^0\/1 approvals · Dana · just now$/);
    assert.equal(node.state, 'pending_approval');
    const file = releases.release(SLUG, staging.id)!;
    assert.deepEqual(file.changes.map((c) => [c.path, c.workload, c.blob]), [
      ['values/staging/ledger-worker.yaml', 'ledger-worker', await git('rev-parse', 'HEAD:values/staging/ledger-worker.yaml')],
    ]);
  });

  it('refuses an approval by the requester, accepts one by another approver, then deploys', async () => {
    await refused(exec('gitopshq.release.approve', { project: SLUG, id: staging.id }), 'release-refused', /requester|you created it/i);
    await as('omar');
    assert.deepEqual(await exec('gitopshq.release.approve', { project: SLUG, id: staging.id, comment: 'LGTM' }), { id: staging.id, state: 'approved' });
    const approved = await waitFor(() => (item(staging.id)?.state === 'approved' ? item(staging.id) : undefined), 'approved in the view');
    assert.equal(approved.description.split(' · ')[0], '1/1 approvals');
    assert.equal(await git('log', '-1', '--format=%ae'), 'omar@example.com');

    assert.match(tenantDescription('staging', 'acme'), /1 change pending/);
    const before = await git('rev-parse', 'gitopshq/deployed/acme/staging');
    const globexBefore = await git('rev-parse', 'gitopshq/deployed/globex/staging');
    assert.deepEqual(await exec('gitopshq.release.deploy', { project: SLUG, id: staging.id }), { id: staging.id, state: 'deployed' });
    const after = await git('rev-parse', 'gitopshq/deployed/acme/staging');
    assert.notEqual(after, before, 'the deployed branch moved');
    assert.equal(await git('rev-parse', `${after}^`), before, 'one commit on top of the previous tip');
    assert.equal(await git('rev-parse', `${after}:values/staging/ledger-worker.yaml`), await git('rev-parse', 'HEAD:values/staging/ledger-worker.yaml'));
    assert.equal(await git('diff', '--name-only', before, after), 'values/staging/ledger-worker.yaml', 'nothing else changed');
    assert.equal(await git('rev-parse', 'gitopshq/deployed/globex/staging'), globexBefore, 'the other tenant was not in the release');
    const recorded = releases.release(SLUG, staging.id)!;
    assert.equal(recorded.deploy.commit, after);
    assert.equal(await git('status', '--porcelain'), '', 'working tree untouched and the record committed');
    await waitFor(() => inSync(tenantDescription('staging', 'acme'), 'Omar Haddad'), () => `acme/staging in sync (it shows "${tenantDescription('staging', 'acme')}")`);
    assert.match(tenantDescription('staging', 'globex'), /changes? pending/);
  });

  let rollback: Result;
  it('rolls a deployed release back into a new release that restores the previous content', async () => {
    const target = releases.release(SLUG, staging.id)!;
    rollback = await exec('gitopshq.release.rollback', { project: SLUG, id: staging.id });
    assert.notEqual(rollback.id, staging.id);
    assert.equal(rollback.state, 'pending_approval');
    const created = releases.release(SLUG, rollback.id)!;
    assert.equal(created.rollbackOf, staging.id);
    assert.deepEqual(created.changes.map((c) => [c.path, c.blob]), [
      ['values/staging/ledger-worker.yaml', await git('rev-parse', `${target.base}:values/staging/ledger-worker.yaml`)],
    ]);
  });

  it('refuses a rejection without a reason and cancels the release with one', async () => {
    // Omar is the author of the rollback: Sam (sre) reviews it.
    await as('sam');
    await refused(exec('gitopshq.release.reject', { project: SLUG, id: rollback.id }), 'release-refused', /reason/);
    assert.deepEqual(await exec('gitopshq.release.reject', { project: SLUG, id: rollback.id, reason: 'Not needed: 1Gi works.' }), {
      id: rollback.id,
      state: 'cancelled',
    });
    const node = await waitFor(() => (item(rollback.id)?.state === 'cancelled' ? item(rollback.id) : undefined), 'cancelled in the view');
    assert.equal(view.getParent(node)?.label, 'Cancelled / Failed');
  });

  it('counts each approver once and deploys once the quorum is reached', async () => {
    await as('sam');
    await refused(exec('gitopshq.release.approve', { project: SLUG, id: PRODUCTION_RELEASE }), 'release-refused', /already|once/i);
    await as('sue');
    assert.deepEqual(await exec('gitopshq.release.approve', { project: SLUG, id: PRODUCTION_RELEASE }), { id: PRODUCTION_RELEASE, state: 'approved' });
    assert.deepEqual(await exec('gitopshq.release.deploy', { project: SLUG, id: PRODUCTION_RELEASE }), { id: PRODUCTION_RELEASE, state: 'deployed' });
    const tip = await git('rev-parse', 'gitopshq/deployed/globex/production');
    assert.equal(await git('rev-parse', `${tip}:values/production/globex/payment-api.yaml`), await git('rev-parse', 'HEAD:values/production/globex/payment-api.yaml'));
    await waitFor(() => inSync(tenantDescription('production', 'globex'), 'Sue Lindqvist'), () => `globex/production deployed and in sync (it shows "${tenantDescription('production', 'globex')}")`);
    await waitFor(() => !/pending approval/.test(projects.model.environment(service.index.project(SLUG)!, 'production').description), 'no pending approval left');
  });

  let draft: Result;
  it('commits uncommitted changes with a draft release, refuses submit and a deploy into a frozen environment, and cancels', async () => {
    await as('dana');
    const values = path.join(root, 'values/dev/payment-api.yaml');
    const text = await readFile(values, 'utf8');
    await writeFile(values, text.replace('tag: "2.5.0"', 'tag: "2.5.1"'));
    draft = await exec('gitopshq.release.createFromPalette', {
      project: SLUG,
      environment: 'dev',
      title: 'payment-api 2.5.1 to dev',
      notes: 'Retry fix for the wallet flow.',
      paths: ['values/dev/payment-api.yaml'],
      commitUncommitted: true,
    });
    assert.equal(draft.state, 'draft', 'dev needs no approval');
    assert.match(await git('show', 'HEAD:values/dev/payment-api.yaml'), /tag: "2\.5\.1"/, 'the uncommitted change went into the release commit');
    assert.equal(await git('status', '--porcelain'), '');
    await refused(exec('gitopshq.release.submit', { project: SLUG, id: draft.id }), 'release-refused', /no approval|nothing to submit/);

    const manifest = path.join(root, 'gitopshq.yaml');
    const original = await readFile(manifest, 'utf8');
    const frozen = original.replace(/(    - name: dev\n)/, '$1      freeze:\n        reason: "Payment provider migration"\n');
    assert.notEqual(frozen, original);
    await writeFile(manifest, frozen);
    try {
      await waitFor(() => service.index.project(SLUG)?.environments.find((e) => e.name === 'dev')?.freeze, 'the index to see the freeze');
      const devBefore = await git('rev-parse', 'gitopshq/deployed/acme/dev');
      await refused(exec('gitopshq.release.deploy', { project: SLUG, id: draft.id }), 'release-refused', /Payment provider migration/);
      assert.equal(await git('rev-parse', 'gitopshq/deployed/acme/dev'), devBefore, 'nothing deployed');
    } finally {
      await writeFile(manifest, original);
    }
    assert.deepEqual(await exec('gitopshq.release.cancel', { project: SLUG, id: draft.id, comment: 'Wrong tag.' }), { id: draft.id, state: 'cancelled' });
  });

  it('refuses a stale release that would undo a later deploy, and rolls back to what the branch held before', async () => {
    await as('dana');
    const values = path.join(root, 'values/dev/checkout-web.yaml');
    const original = await readFile(values, 'utf8');
    const release = async (tag: string) => {
      await writeFile(values, original.replace('tag: "1.8.0"', `tag: "${tag}"`));
      return exec('gitopshq.release.create', {
        project: SLUG,
        environment: 'dev',
        title: `checkout-web ${tag} to dev`,
        notes: `QA asked for ${tag}.`,
        tenants: ['acme'],
        paths: ['values/dev/checkout-web.yaml'],
        commitUncommitted: true,
      });
    };
    const older = await release('1.8.1');
    const newer = await release('1.8.2');
    assert.deepEqual(await exec('gitopshq.release.deploy', { project: SLUG, id: newer.id }), { id: newer.id, state: 'deployed' });
    const tip = await git('rev-parse', 'gitopshq/deployed/acme/dev');
    await refused(exec('gitopshq.release.deploy', { project: SLUG, id: older.id }), 'git-moved', /would undo/);
    assert.equal(await git('rev-parse', 'gitopshq/deployed/acme/dev'), tip, 'the stale release deployed nothing');
    assert.equal(releases.release(SLUG, older.id)!.state, 'draft', 'and recorded nothing');
    assert.equal(await git('status', '--porcelain'), '');

    const back = await exec('gitopshq.release.rollback', { project: SLUG, id: newer.id });
    const restoring = releases.release(SLUG, back.id)!;
    assert.equal(restoring.head, await git('rev-parse', `${tip}^`), 'the commit the branch held before the deploy');
    assert.deepEqual(restoring.changes.map((c) => c.blob), [await git('rev-parse', `${tip}^:values/dev/checkout-web.yaml`)]);
  });

  it('publishes a release-invalid diagnostic for a broken release file', async () => {
    const file = path.join(root, '.gitopshq/releases/rel_broken.yaml');
    await writeFile(file, 'apiVersion: gitopshq.io/v1alpha1\nkind: Release\nid: rel_broken\ntitle: ""\n');
    const uri = vscode.Uri.file(file);
    const diagnostics = await waitFor(() => {
      const found = vscode.languages.getDiagnostics(uri).filter((d) => d.code === 'release-invalid');
      return found.length > 0 ? found : undefined;
    }, 'a release-invalid diagnostic');
    assert.equal(diagnostics[0]!.source, 'gitopshq');
    const rootNode = view.getChildren().find((n) => n.kind === 'project' && n.slug === SLUG)!;
    assert.ok(view.getChildren(rootNode).some((n) => n.kind === 'invalid' && n.file === file), 'listed in the view');
    await rm(file);
    await waitFor(() => vscode.languages.getDiagnostics(uri).length === 0, 'the diagnostic to go with the file');
  });

  it('lists releases in Go to, opens their detail panel, and returns audit entries', async () => {
    assert.deepEqual(await vscode.commands.executeCommand('gitopshq.goTo', { query: 'Onboard globex', type: 'release' }), { release: PRODUCTION_RELEASE });
    assert.equal(await vscode.commands.executeCommand('gitopshq.release.show', { project: SLUG, id: staging.id }), undefined);
    await refused(exec('gitopshq.release.show', { project: SLUG, id: 'rel_01M80Q3F7RZ2D9WGKX4T6B8HZZ' }), 'release-not-found', /rel_01M80Q3F7RZ2D9WGKX4T6B8HZZ/);
    const entries = await vscode.commands.executeCommand<AuditEntry[]>('gitopshq.audit.show', { project: SLUG, environment: 'staging' });
    assert.ok(entries.length > 0);
    assert.ok(entries.every((e) => e.environment === undefined || e.environment === 'staging'), 'filtered');
    assert.ok(entries.some((e) => e.releaseId === staging.id && e.action === 'approved' && e.who.email === 'omar@example.com'), JSON.stringify(entries.slice(0, 5)));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('pushes the release commit when gitopshq.git.push is "always"', async () => {
    const remote = await mkdtemp(path.join(tmpdir(), 'gitopshq-remote-'));
    try {
      await run('git', ['init', '-q', '--bare', remote]);
      await git('remote', 'add', 'origin', remote);
      await git('push', '-q', '-u', 'origin', 'main');
      await vscode.workspace.getConfiguration('gitopshq.git').update('push', 'always', vscode.ConfigurationTarget.Global);
      await as('dana');
      const pushed = await exec('gitopshq.release.create', {
        project: SLUG,
        environment: 'staging',
        title: 'New checkout for globex in staging',
        notes: 'globex asked to try the new checkout before production.',
        tenants: ['globex'],
        paths: ['values/staging/globex/checkout-web.yaml'],
      });
      assert.equal(pushed.state, 'pending_approval');
      assert.equal((await run('git', ['--git-dir', remote, 'rev-parse', 'main'])).stdout.trim(), await git('rev-parse', 'HEAD'), 'the remote has the release commit');
    } finally {
      await vscode.workspace.getConfiguration('gitopshq.git').update('push', 'never', vscode.ConfigurationTarget.Global);
      await git('branch', '--unset-upstream').catch(() => undefined);
      await git('remote', 'remove', 'origin').catch(() => undefined);
      await rm(remote, { recursive: true, force: true });
    }
  });
});

/**
 * A tenant row that says "deployed by `author`, nothing pending". The live cluster may add its own words
 * after the Git part (the demo's staging is always rolling out): they do not count.
 */
function inSync(description: string, author: string): boolean {
  const [sha, who, when, ...rest] = description.split(' · ');
  return /^[0-9a-f]{7}$/.test(sha ?? '') && who === author && /^(just now|.+ ago)$/.test(when ?? '') && !rest.some((part) => /pending/.test(part));
}
