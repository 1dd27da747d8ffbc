// The release trust model on real Git repositories: a release made and approved through the extension's
// own Git writes is trusted; each way of forging one by editing the file by hand (committed or not) is
// caught, with the reason a user sees in the release panel. Signing keys are real SSH keys made with
// ssh-keygen in a temp folder (gpg.format=ssh needs no agent).
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { approvalProgress } from '../../../src/core/release/policy';
import { parseReleaseFile, serializeRelease } from '../../../src/core/release/releaseFile';
import { allowedActions, applyAction, createRelease, type ActionContext } from '../../../src/core/release/stateMachine';
import type { Identity, Release } from '../../../src/core/release/types';
import type { Environment } from '../../../src/core/types';
import { GitRepository } from '../../../src/infra/git/gitRepository';
import { ReleaseGit } from '../../../src/infra/git/releaseGit';
import { ReleaseTrust, type TrustOptions } from '../../../src/infra/git/releaseTrust';
import { createTempRepo, type FileChanges, type TempRepo } from '../../support/tempGitRepo';

const run = promisify(execFile);

const DANA: Identity = { name: 'Dana Deployer', email: 'dana@example.com' };
const SAM: Identity = { name: 'Sam Reviewer', email: 'sam@example.com' };
const RIO: Identity = { name: 'Rio Reviewer', email: 'rio@example.com' };
const MALLORY: Identity = { name: 'Mallory', email: 'mallory@example.com' };
const TEAMS = { sre: ['sam@example.com', 'rio@example.com'] };
const ID = 'rel_01JDX4V6Q8K7E3M2N1P0R9S8T7';
const RELEASE = `.gitopshq/releases/${ID}.yaml`;
const VALUES = 'values/staging/payment-api.yaml';

const PROJECT: FileChanges = {
  'gitopshq.yaml': 'apiVersion: gitopshq.io/v1alpha1\nkind: Project\n',
  'charts/payment-api/Chart.yaml': 'name: payment-api\nversion: 1.0.0\n',
  'values/base/payment-api.yaml': 'image: v1\n',
  [VALUES]: 'replicas: 2\n',
  '.github/workflows/x.yml': 'on: push\n',
};
const AFFECTED = ['charts/payment-api', 'values/base/payment-api.yaml', VALUES, 'values/staging/acme/payment-api.yaml', '.gitopshq/variables.yaml'];

function environment(required = 1): Environment {
  return { name: 'staging', approval: { required, approvers: ['team:sre'], requesterCanApprove: false } };
}

describe('Release trust (real Git)', function () {
  this.timeout(60_000);
  const cleanups: (() => Promise<void>)[] = [];
  const savedEnv: Record<string, string | undefined> = {};
  before(() => {
    for (const key of ['GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM']) savedEnv[key] = process.env[key];
    process.env.GIT_CONFIG_GLOBAL = path.join(tmpdir(), 'gitopshq-test-no-global-gitconfig');
    process.env.GIT_CONFIG_NOSYSTEM = '1';
  });
  after(() => {
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  interface Fixture {
    repo: TempRepo;
    git: ReleaseGit;
    trust: ReleaseTrust;
  }

  async function fixture(options: { trusted?: boolean; files?: FileChanges } = {}): Promise<Fixture> {
    const repo = await createTempRepo({ ...PROJECT, ...options.files });
    cleanups.push(repo.cleanup);
    await identity(repo, DANA);
    const opened = await GitRepository.open(repo.dir, { trusted: options.trusted ?? false, refsMaxAgeMs: 0 });
    assert.ok(opened);
    return { repo, git: await ReleaseGit.open(opened), trust: ReleaseTrust.open(opened) };
  }

  async function identity(repo: TempRepo, who: Identity): Promise<void> {
    await repo.git('config', 'user.name', who.name);
    await repo.git('config', 'user.email', who.email);
  }

  /** Dana creates the release through the extension's Git write, from HEAD's content. */
  async function create(f: Fixture, edit: (r: Release) => Release = (r) => r, required = 1): Promise<Release> {
    const head = (await f.repo.git('rev-parse', 'HEAD')).trim();
    const blob = (await f.repo.git('rev-parse', `HEAD:${VALUES}`)).trim();
    const release = edit(
      createRelease({
        id: ID,
        title: 'Raise payment-api replicas in staging',
        notes: 'Load test showed we need more.',
        environment: environment(required),
        tenants: ['acme'],
        changes: [{ path: VALUES, workload: 'payment-api', blob }],
        bases: { acme: null },
        head,
        createdBy: DANA,
        createdAt: new Date('2026-11-26T10:00:00Z'),
      }),
    );
    await f.git.commitRelease({ releasePath: RELEASE, content: serializeRelease(release), message: `release(staging): ${release.title} [${ID}]`, author: DANA });
    return release;
  }

  async function committed(f: Fixture): Promise<Release> {
    const text = await f.trust.committedText(RELEASE);
    assert.ok(text !== null, 'the release file is committed');
    const { release, problems } = parseReleaseFile(text, path.join(f.repo.dir, RELEASE));
    assert.ok(release, JSON.stringify(problems));
    return release;
  }

  function ctx(who: Identity, extra: Partial<ActionContext> = {}): ActionContext {
    return { identity: who, teams: TEAMS, environment: environment(), now: new Date('2026-11-26T11:00:00Z'), ...extra };
  }

  /** An approver approves through the extension's Git write: a commit authored by them of the release file alone. */
  async function approve(f: Fixture, who: Identity): Promise<void> {
    const next = applyAction(await committed(f), 'approve', ctx(who, { environment: environment((await committed(f)).policy.required) }));
    await f.git.commitReleaseUpdate({ releasePath: RELEASE, content: serializeRelease(next), message: `release(staging): approve [${ID}]`, author: who });
  }

  /** Someone edits the committed file by hand and commits it (with `extra` files) as `who`. */
  async function handCommit(f: Fixture, who: Identity, edit: (r: Release) => Release, extra: FileChanges = {}): Promise<void> {
    const edited = edit(await committed(f));
    await f.repo.commit('hand edit', { [RELEASE]: serializeRelease(edited), ...extra }, who);
  }

  function options(extra: Partial<TrustOptions> = {}): TrustOptions {
    return {
      releasePath: RELEASE,
      declaredTenants: ['acme'],
      teams: TEAMS,
      manifest: environment().approval,
      affected: () => AFFECTED.map((p) => ({ path: p })),
      requireSignedCommits: false,
      ...extra,
    };
  }

  async function verify(f: Fixture, extra: Partial<TrustOptions> = {}) {
    const release = await committed(f);
    return { release, report: await f.trust.verify(release, options(extra)) };
  }

  /** What the deploy guard allows with the report's verification, as the service runs it. */
  function deployable(release: Release, verified: boolean[], who: Identity = DANA): boolean {
    return allowedActions(release, ctx(who, { verified })).includes('deploy');
  }

  it('trusts a release created and approved through the extension: the approval is verified and counts', async () => {
    const f = await fixture();
    await create(f);
    await approve(f, SAM);
    const { release, report } = await verify(f);
    assert.deepEqual(report.problems, []);
    assert.equal(release.state, 'approved');
    assert.equal(report.approvals.length, 1);
    assert.equal(report.approvals[0]!.verified, true);
    assert.equal(report.approvals[0]!.counts, true);
    assert.match(report.approvals[0]!.why, /^recorded by Sam Reviewer <sam@example.com> in commit [0-9a-f]{7}$/);
    assert.ok(deployable(release, report.approvals.map((a) => a.verified)));
  });

  it('a forged approval entry (committed by someone else) is not verified and does not reach the quorum', async () => {
    const f = await fixture();
    await create(f, (r) => r, 2);
    await approve(f, SAM);
    // Dana writes Rio's approval herself and moves the release to approved.
    await handCommit(f, DANA, (r) => ({
      ...r,
      state: 'approved',
      approvals: [...r.approvals, { by: RIO, decision: 'approve', at: '2026-11-26T10:30:00Z', comment: 'LGTM' }],
      history: [...r.history, { state: 'approved', at: '2026-11-26T10:30:00Z', by: RIO }],
    }));
    const { release, report } = await verify(f, { manifest: environment(2).approval });
    assert.equal(release.state, 'approved', 'the file claims approved');
    assert.deepEqual(report.approvals.map((a) => a.verified), [true, false]);
    assert.match(report.approvals[1]!.why, /authored by Dana Deployer <dana@example.com>, not by the approver/);
    const verified = report.approvals.map((a) => a.verified);
    const progress = approvalProgress(release, TEAMS, { manifest: environment(2).approval, verified });
    assert.deepEqual([progress.approvals.length, progress.required, progress.reached], [1, 2, false]);
    assert.equal(deployable(release, verified), false);
    assert.throws(() => applyAction(release, 'deploy', ctx(DANA, { environment: environment(2), verified })), /only 1\/2 approvals that count/);
  });

  it('an approval by its approver in a commit that also changes another file is not verified', async () => {
    const f = await fixture();
    await create(f);
    const next = applyAction(await committed(f), 'approve', ctx(SAM));
    await f.repo.commit('approve and sneak', { [RELEASE]: serializeRelease(next), '.github/workflows/x.yml': 'on: [push, pull_request]\n' }, SAM);
    const { report } = await verify(f);
    assert.equal(report.approvals[0]!.verified, false);
    assert.match(report.approvals[0]!.why, /also changes \.github\/workflows\/x\.yml/);
  });

  it('an approval by someone the policy in force does not list never counts, even when verified (isApprover)', async () => {
    const f = await fixture();
    await create(f);
    // Mallory commits her own "approval" of the release file alone: recorded by her, but she approves nothing.
    await handCommit(f, MALLORY, (r) => ({
      ...r,
      state: 'approved',
      approvals: [{ by: MALLORY, decision: 'approve', at: '2026-11-26T10:30:00Z', comment: '' }],
      history: [...r.history, { state: 'approved', at: '2026-11-26T10:30:00Z', by: MALLORY }],
    }));
    const { release, report } = await verify(f);
    assert.equal(report.approvals[0]!.verified, true);
    assert.equal(report.approvals[0]!.counts, false);
    assert.match(report.approvals[0]!.why, /mallory@example.com is not an approver under the policy in force \(team:sre\)/);
    assert.equal(deployable(release, [true]), false);
  });

  it('a state edited by hand (pending → approved with no approval) does not deploy', async () => {
    const f = await fixture();
    await create(f);
    await handCommit(f, DANA, (r) => ({ ...r, state: 'approved', history: [...r.history, { state: 'approved', at: '2026-11-26T10:30:00Z', by: DANA }] }));
    const { release, report } = await verify(f);
    assert.equal(release.state, 'approved');
    assert.deepEqual(report.approvals, []);
    assert.equal(deployable(release, []), false);
    assert.throws(() => applyAction(release, 'deploy', ctx(DANA, { verified: [] })), /only 0\/1 approvals that count/);
  });

  it('a cancelled release edited back to approved is refused: its history goes where no action goes', async () => {
    const f = await fixture();
    await create(f);
    await approve(f, SAM);
    const rejected = applyAction(await committed(f), 'reject', ctx(RIO, { reason: 'Wrong numbers.' }));
    await f.git.commitReleaseUpdate({ releasePath: RELEASE, content: serializeRelease(rejected), message: 'reject', author: RIO });
    await handCommit(f, DANA, (r) => ({ ...r, state: 'approved', history: [...r.history, { state: 'approved', at: '2026-11-26T12:00:00Z', by: DANA }] }));
    const { report } = await verify(f);
    assert.ok(report.problems.some((p) => /history goes from cancelled to approved, which no action does/.test(p)), report.problems.join('\n'));
  });

  it('a policy snapshot edited to required: 0 is refused, and the manifest keeps requiring approvals', async () => {
    const f = await fixture();
    await create(f);
    await handCommit(f, DANA, (r) => ({ ...r, policy: { ...r.policy, required: 0 }, state: 'draft', history: [{ ...r.history[0]!, state: 'draft' }] }));
    const { release, report } = await verify(f);
    assert.ok(report.problems.some((p) => /its policy, .*was changed|its .*policy.* (was|were) changed after it was created \(commit [0-9a-f]{7} by Dana Deployer/.test(p)), report.problems.join('\n'));
    assert.ok(report.problems.some((p) => /history was rewritten/.test(p)), report.problems.join('\n'));
    // Even a release created with `required: 0` is held to the manifest's policy: the draft cannot deploy.
    assert.equal(release.state, 'draft');
    assert.equal(deployable(release, []), false);
    assert.throws(() => applyAction(release, 'deploy', ctx(DANA, { verified: [] })), /requires 1 approval\(s\): submit it for approval first/);
  });

  it('a release created by hand with required: 0 cannot be deployed while the manifest requires approvals', async () => {
    const f = await fixture();
    await create(f, (r) => ({ ...r, policy: { required: 0, approvers: [], requesterCanApprove: false }, state: 'draft', history: [{ ...r.history[0]!, state: 'draft' }] }));
    const { release, report } = await verify(f);
    assert.deepEqual(report.problems, [], 'nothing else is wrong with it');
    assert.match(report.tightened.join(' '), /1 approval\(s\) \(the release's snapshot says 0\)/);
    assert.equal(deployable(release, []), false);
  });

  it('an undeclared tenant is refused', async () => {
    const f = await fixture();
    await create(f, (r) => ({ ...r, tenants: ['acme', 'initech'], bases: { acme: null, initech: null } }));
    const { report } = await verify(f);
    assert.deepEqual(report.problems, ['tenant initech is not declared in gitopshq.yaml (it declares acme)']);
  });

  it('a change outside the affected paths (.github/workflows/x.yml) is refused', async () => {
    const f = await fixture();
    const blob = (await f.repo.git('rev-parse', 'HEAD:.github/workflows/x.yml')).trim();
    await create(f, (r) => ({ ...r, changes: [...r.changes, { path: '.github/workflows/x.yml', blob }] }));
    const { report } = await verify(f);
    assert.deepEqual(report.problems, [
      '.github/workflows/x.yml is not among the paths that affect staging for acme (value layers, chart folders, variables file)',
    ]);
  });

  it('changes edited after creation are refused, and a blob that does not match head is refused', async () => {
    const f = await fixture();
    await create(f);
    const other = (await f.repo.git('rev-parse', 'HEAD:values/base/payment-api.yaml')).trim();
    await handCommit(f, DANA, (r) => ({ ...r, changes: [{ ...r.changes[0]!, blob: other }] }));
    const { report } = await verify(f);
    const head = (await committed(f)).head.slice(0, 7);
    const expected = (await f.repo.git('rev-parse', `HEAD:${VALUES}`)).trim().slice(0, 7);
    assert.ok(report.problems.includes(`${VALUES}: the release deploys blob ${other.slice(0, 7)}, but head ${head} holds blob ${expected}`), report.problems.join('\n'));
    assert.ok(report.problems.some((p) => /its changes was changed after it was created/.test(p)), report.problems.join('\n'));
  });

  it('a release made with uncommitted content is trusted: its blobs match the commit that created it', async () => {
    const f = await fixture();
    await f.repo.write({ [VALUES]: 'replicas: 3\n' });
    const head = (await f.repo.git('rev-parse', 'HEAD')).trim();
    const blob = (await f.repo.git('hash-object', VALUES)).trim();
    const release = createRelease({
      id: ID, title: 'Raise payment-api replicas to 3', notes: 'Load test.', environment: environment(), tenants: ['acme'],
      changes: [{ path: VALUES, workload: 'payment-api', blob }], bases: { acme: null }, head, createdBy: DANA, createdAt: new Date('2026-11-26T10:00:00Z'),
    });
    await f.git.commitRelease({ releasePath: RELEASE, content: serializeRelease(release), message: 'create', includePaths: [VALUES], author: DANA });
    const { report } = await verify(f);
    assert.deepEqual(report.problems, []);
  });

  it('uncommitted hand edits are ignored: the committed copy is what is judged, and recording over them is refused', async () => {
    const f = await fixture();
    await create(f);
    const file = path.join(f.repo.dir, RELEASE);
    const original = await readFile(file, 'utf8');
    const forged = original.replace('state: pending_approval', 'state: approved').replace(/required: 1/, 'required: 0').replace('tenants: [ acme ]', 'tenants: [ acme, initech ]');
    assert.notEqual(forged, original);
    await writeFile(file, forged);
    const release = await committed(f);
    assert.equal(release.state, 'pending_approval');
    assert.equal(release.policy.required, 1);
    assert.deepEqual(release.tenants, ['acme']);
    assert.equal(deployable(release, []), false);
    const next = applyAction(release, 'approve', ctx(SAM));
    await assert.rejects(
      f.git.commitReleaseUpdate({ releasePath: RELEASE, content: serializeRelease(next), message: 'approve', author: SAM }),
      (err: Error) => /has changes that are not committed/.test(err.message),
    );
    assert.equal(await readFile(file, 'utf8'), forged, 'the hand edit is left as it was');
  });

  describe('with gitopshq.approvals.requireSignedCommits', () => {
    /** An SSH signing key for `who`, and an allowed-signers file that trusts `trustedKeys`. */
    async function sshKey(who: Identity): Promise<{ key: string; publicKey: string }> {
      const dir = await mkdtemp(path.join(tmpdir(), 'gitopshq-key-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const key = path.join(dir, 'id_ed25519');
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', who.email, '-f', key]);
      return { key, publicKey: (await readFile(`${key}.pub`, 'utf8')).trim() };
    }

    async function signingRepo(): Promise<{ f: Fixture; sam: { key: string; publicKey: string } }> {
      const f = await fixture({ trusted: true });
      const sam = await sshKey(SAM);
      const allowed = path.join(path.dirname(sam.key), 'allowed_signers');
      await writeFile(allowed, `${SAM.email} ${sam.publicKey}\n`);
      await f.repo.git('config', 'gpg.format', 'ssh');
      await f.repo.git('config', 'gpg.ssh.allowedSignersFile', allowed);
      return { f, sam };
    }

    async function signAs(repo: TempRepo, key: string | null): Promise<void> {
      if (key === null) await repo.git('config', 'commit.gpgsign', 'false');
      else {
        await repo.git('config', 'user.signingkey', key);
        await repo.git('config', 'commit.gpgsign', 'true');
      }
    }

    it('an approval commit signed by the approver with a trusted key is verified', async () => {
      const { f, sam } = await signingRepo();
      await create(f);
      await signAs(f.repo, sam.key);
      await approve(f, SAM);
      const { release, report } = await verify(f, { requireSignedCommits: true });
      assert.equal(report.approvals[0]!.verified, true, report.approvals[0]!.why);
      assert.match(report.approvals[0]!.why, /^recorded and signed by Sam Reviewer <sam@example.com> in commit [0-9a-f]{7}$/);
      assert.ok(deployable(release, [true]));
    });

    it('an unsigned approval commit is not verified', async () => {
      const { f } = await signingRepo();
      await create(f);
      await signAs(f.repo, null);
      await approve(f, SAM);
      const { report } = await verify(f, { requireSignedCommits: true });
      assert.equal(report.approvals[0]!.verified, false);
      assert.match(report.approvals[0]!.why, /is not signed by a trusted key \(git verify-commit: /);
      // Without the setting, the same approval is verified by its author alone.
      assert.equal((await verify(f)).report.approvals[0]!.verified, true);
    });

    it('a commit signed with a key the allowed signers do not trust is not verified', async () => {
      const { f } = await signingRepo();
      const stranger = await sshKey(SAM);
      await create(f);
      await signAs(f.repo, stranger.key);
      await approve(f, SAM);
      const { report } = await verify(f, { requireSignedCommits: true });
      assert.equal(report.approvals[0]!.verified, false);
      assert.match(report.approvals[0]!.why, /is not signed by a trusted key/);
    });

    it("an approval authored as Rio but signed with Sam's key is not Rio's", async () => {
      const { f, sam } = await signingRepo();
      await create(f);
      await signAs(f.repo, sam.key);
      await approve(f, RIO);
      const { report } = await verify(f, { requireSignedCommits: true });
      assert.equal(report.approvals[0]!.verified, false);
      assert.match(report.approvals[0]!.why, /is signed by sam@example.com, not by the approver/);
    });

    it('an untrusted workspace does not run signature checks: nothing is verified', async () => {
      const { f, sam } = await signingRepo();
      await create(f);
      await signAs(f.repo, sam.key);
      await approve(f, SAM);
      const opened = await GitRepository.open(f.repo.dir, { trusted: false, refsMaxAgeMs: 0 });
      const release = await committed(f);
      const report = await ReleaseTrust.open(opened!).verify(release, options({ requireSignedCommits: true }));
      assert.equal(report.approvals[0]!.verified, false);
      assert.match(report.approvals[0]!.why, /not checked in an untrusted workspace/);
    });
  });
});
