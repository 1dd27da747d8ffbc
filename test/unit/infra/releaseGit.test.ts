// The release side of Git against real repositories in temp folders: several identities, a bare
// remote cloned twice, and for every failure a byte-for-byte snapshot of the repository before and after.
import * as assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GitOpsHqError, type ErrorKind } from '../../../src/core/errors';
import type { Identity } from '../../../src/core/release/types';
import { GitRepository } from '../../../src/infra/git/gitRepository';
import { ReleaseGit } from '../../../src/infra/git/releaseGit';
import { createTempRepo, runGit, type FileChanges, type TempRepo } from '../../support/tempGitRepo';

const DANA: Identity = { name: 'Dana Deployer', email: 'dana@example.com' };
const SAM: Identity = { name: 'Sam Reviewer', email: 'sam@example.com' };
const ALEX: Identity = { name: 'Alex Other', email: 'alex@example.com' };

const PROJECT: FileChanges = {
  'gitopshq.yaml': 'apiVersion: gitopshq.io/v1alpha1\nkind: Project\n',
  'charts/payment-api/Chart.yaml': 'name: payment-api\nversion: 1.0.0\n',
  'charts/payment-api/templates/deployment.yaml': 'kind: Deployment\n',
  'values/base/payment-api.yaml': 'image: v1\n',
  'values/staging/payment-api.yaml': 'replicas: 2\n',
  'values/production/payment-api.yaml': 'replicas: 5\n',
  '.gitopshq/variables.yaml': 'repo:\n  LOG_LEVEL: info\n',
};

const STAGING_PATHS = ['charts/payment-api', 'values/base/payment-api.yaml', 'values/staging/payment-api.yaml', 'values/staging/acme/payment-api.yaml', '.gitopshq/variables.yaml'];
const RELEASE = '.gitopshq/releases/rel_01TEST.yaml';

describe('ReleaseGit', function () {
  this.timeout(60_000);
  const cleanups: (() => Promise<void>)[] = [];
  const savedEnv: Record<string, string | undefined> = {};

  // ReleaseGit runs git with the process environment: keep the machine's global identity and hooks out.
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

  async function project(files: FileChanges = PROJECT, who: Identity | null = DANA): Promise<TempRepo> {
    const repo = await createTempRepo(files);
    cleanups.push(repo.cleanup);
    if (who) await setIdentity(repo.dir, who);
    return repo;
  }

  async function setIdentity(dir: string, who: Identity): Promise<void> {
    await runGit(dir, ['config', 'user.name', who.name]);
    await runGit(dir, ['config', 'user.email', who.email]);
  }

  async function open(dir: string, trusted = false): Promise<ReleaseGit> {
    const repo = await GitRepository.open(dir, { trusted, refsMaxAgeMs: 0 });
    assert.ok(repo);
    return ReleaseGit.open(repo);
  }

  /** A bare remote with the project, and two clones of it (each with its own identity). */
  async function remoteAndClones(): Promise<{ bare: string; a: TempRepo; b: TempRepo }> {
    const parent = await realpath(await mkdtemp(path.join(tmpdir(), 'gitopshq-remote-')));
    cleanups.push(() => rm(parent, { recursive: true, force: true }));
    const bare = path.join(parent, 'remote.git');
    await runGit(parent, ['init', '-q', '--bare', '-b', 'main', bare]);
    const seed = await project();
    await seed.git('push', '-q', bare, 'main');
    const clone = async (name: string, who: Identity): Promise<TempRepo> => {
      const dir = path.join(parent, name);
      await runGit(parent, ['clone', '-q', bare, dir]);
      await setIdentity(dir, who);
      return { ...seed, dir, git: (...args: string[]) => runGit(dir, args), cleanup: async () => undefined, write: writer(dir), commit: committer(dir) };
    };
    return { bare, a: await clone('a', DANA), b: await clone('b', ALEX) };
  }

  function writer(dir: string): (files: FileChanges) => Promise<void> {
    return async (files) => {
      for (const [rel, content] of Object.entries(files)) {
        const abs = path.join(dir, ...rel.split('/'));
        if (content === null) await rm(abs, { force: true });
        else {
          await mkdir(path.dirname(abs), { recursive: true });
          await writeFile(abs, content);
        }
      }
    };
  }

  function committer(dir: string): TempRepo['commit'] {
    return async (message, files = {}) => {
      await writer(dir)(files);
      await runGit(dir, ['add', '-A']);
      await runGit(dir, ['commit', '-q', '-m', message]);
      return (await runGit(dir, ['rev-parse', 'HEAD'])).trim();
    };
  }

  /** Everything a user could see: HEAD, every ref, the index, the status and each work-tree file's bytes. */
  async function snapshot(dir: string, withTimes = false): Promise<Record<string, unknown>> {
    const git = (...args: string[]) => runGit(dir, args);
    const files: Record<string, string> = {};
    const walk = async (folder: string): Promise<void> => {
      for (const entry of await readdir(folder, { withFileTypes: true })) {
        if (entry.name === '.git') continue;
        const abs = path.join(folder, entry.name);
        const rel = path.relative(dir, abs).split(path.sep).join('/');
        if (entry.isDirectory()) {
          files[`${rel}/`] = '';
          await walk(abs);
        } else {
          files[rel] = (await readFile(abs, 'utf8')) + (withTimes ? ` @${(await stat(abs)).mtimeMs}` : '');
        }
      }
    };
    await walk(dir);
    return {
      head: (await git('symbolic-ref', '-q', 'HEAD').catch(() => 'detached')).trim(),
      headSha: (await git('rev-parse', 'HEAD')).trim(),
      refs: await git('for-each-ref', '--format=%(refname) %(objectname)'),
      index: await git('ls-files', '-s'),
      status: await git('status', '--porcelain=v2', '-uall'),
      files,
    };
  }

  async function rejects(promise: Promise<unknown>, kind: ErrorKind, message?: RegExp): Promise<GitOpsHqError> {
    try {
      await promise;
    } catch (err) {
      assert.ok(GitOpsHqError.is(err), `expected a GitOpsHqError, got ${String(err)}`);
      assert.equal(err.kind, kind, err.message);
      if (message) assert.match(err.message, message);
      assert.ok(err.hint && err.hint.length > 0, 'a failure comes with a hint');
      return err;
    }
    assert.fail(`expected a ${kind} error`);
  }

  async function blob(repo: TempRepo, ref: string, file: string): Promise<string> {
    return (await repo.git('rev-parse', `${ref}:${file}`)).trim();
  }

  async function lsTree(repo: TempRepo, ref: string): Promise<Map<string, string>> {
    const out = await repo.git('ls-tree', '-r', ref);
    return new Map(out.split('\n').filter(Boolean).map((line) => [line.split('\t')[1] ?? '', line.split('\t')[0]?.split(' ')[2] ?? '']));
  }

  const release = (state: string): string => `apiVersion: gitopshq.io/v1alpha1\nkind: Release\nid: rel_01TEST\nstate: ${state}\n`;

  describe('identity() and head()', () => {
    it('reads user.name and user.email, and explains how to set a missing one', async () => {
      const repo = await project();
      assert.deepEqual(await (await open(repo.dir)).identity(), DANA);
      const anonymous = await project(PROJECT, null);
      const err = await rejects((await open(anonymous.dir)).identity(), 'git-identity', /user\.name and user\.email are not set/);
      assert.match(err.hint ?? '', /git config --global user\.name/);
    });

    it('names the branch, and refuses a detached HEAD', async () => {
      const repo = await project();
      const sha = (await repo.git('rev-parse', 'HEAD')).trim();
      const git = await open(repo.dir);
      assert.deepEqual(await git.head(), { sha, branch: 'main' });
      await repo.git('checkout', '-q', '--detach');
      await rejects(git.head(), 'git-detached');
    });
  });

  describe('candidateChanges()', () => {
    it('lists every file under the paths when never deployed', async () => {
      const repo = await project();
      const git = await open(repo.dir);
      const changes = await git.candidateChanges('acme', 'staging', STAGING_PATHS, { includeUncommitted: false });
      assert.deepEqual(
        changes.map((c) => [c.path, c.status, c.deployedBlob]),
        [
          ['.gitopshq/variables.yaml', 'added', null],
          ['charts/payment-api/Chart.yaml', 'added', null],
          ['charts/payment-api/templates/deployment.yaml', 'added', null],
          ['values/base/payment-api.yaml', 'added', null],
          ['values/staging/payment-api.yaml', 'added', null],
        ],
      );
      assert.equal(changes[4]?.headBlob, await blob(repo, 'HEAD', 'values/staging/payment-api.yaml'));
      assert.equal(await git.deployedTip('acme', 'staging'), null);
    });

    it('compares HEAD and, when asked, the working tree with the deployed branch', async () => {
      const repo = await project();
      const git = await open(repo.dir);
      const base = (await repo.git('rev-parse', 'HEAD')).trim();
      const all = await git.candidateChanges('acme', 'staging', STAGING_PATHS, { includeUncommitted: false });
      await git.deploy({ environment: 'staging', tenants: ['acme'], changes: all.map((c) => ({ path: c.path, blob: c.headBlob })), expectedBases: { acme: null }, message: 'first', author: DANA });
      assert.deepEqual(await git.candidateChanges('acme', 'staging', STAGING_PATHS, { includeUncommitted: true }), []);

      await repo.commit('change staging', { 'values/staging/payment-api.yaml': 'replicas: 3\n', 'values/staging/acme/payment-api.yaml': 'x: 1\n', 'values/production/payment-api.yaml': 'replicas: 9\n' });
      await repo.write({ 'values/base/payment-api.yaml': 'image: v2\n', 'charts/payment-api/templates/deployment.yaml': null, 'charts/payment-api/templates/new.yaml': 'kind: Service\n' });
      // Staged and then reverted in the working tree: no difference with HEAD after all.
      await repo.write({ '.gitopshq/variables.yaml': 'repo:\n  LOG_LEVEL: debug\n' });
      await repo.git('add', '.gitopshq/variables.yaml');
      await repo.write({ '.gitopshq/variables.yaml': PROJECT['.gitopshq/variables.yaml'] ?? '' });

      const committed = await git.candidateChanges('acme', 'staging', STAGING_PATHS, { includeUncommitted: false });
      assert.deepEqual(
        committed.map((c) => [c.path, c.status, c.uncommitted]),
        [
          ['values/staging/acme/payment-api.yaml', 'added', false],
          ['values/staging/payment-api.yaml', 'modified', false],
        ],
      );
      assert.equal(committed[1]?.deployedBlob, await blob(repo, base, 'values/staging/payment-api.yaml'));

      const working = await git.candidateChanges('acme', 'staging', STAGING_PATHS, { includeUncommitted: true });
      assert.deepEqual(
        working.map((c) => [c.path, c.status, c.uncommitted]),
        [
          ['charts/payment-api/templates/deployment.yaml', 'deleted', true],
          ['charts/payment-api/templates/new.yaml', 'added', true],
          ['values/base/payment-api.yaml', 'modified', true],
          ['values/staging/acme/payment-api.yaml', 'added', false],
          ['values/staging/payment-api.yaml', 'modified', false],
        ],
      );
      const base2 = working.find((c) => c.path === 'values/base/payment-api.yaml');
      assert.equal(base2?.workingBlob, (await repo.git('hash-object', 'values/base/payment-api.yaml')).trim());
      assert.equal(working[0]?.workingBlob, null);

      // Thousands of paths (past the command-line limit) give the same answer.
      const many = [...STAGING_PATHS, ...Array.from({ length: 600 }, (_, i) => `values/staging/team-${i}/some-long-workload-name-${i}.yaml`)];
      assert.deepEqual(await git.candidateChanges('acme', 'staging', many, { includeUncommitted: true }), working);
    });
  });

  describe('deploy()', () => {
    it('commits exactly the selected paths at their blobs, touching neither work tree, index nor HEAD', async () => {
      const repo = await project();
      const git = await open(repo.dir);
      const first = await git.deploy({
        environment: 'staging',
        tenants: ['acme'],
        changes: [{ path: 'values/staging/payment-api.yaml', blob: await blob(repo, 'HEAD', 'values/staging/payment-api.yaml') }],
        expectedBases: { acme: null },
        message: 'Deploy rel_1: first',
        author: SAM,
      });
      // Never deployed: the branch holds the selected file and nothing else.
      assert.deepEqual([...(await lsTree(repo, first.acme ?? '')).keys()], ['values/staging/payment-api.yaml']);

      const head = await repo.commit('more', { 'values/staging/payment-api.yaml': 'replicas: 4\n', 'values/base/payment-api.yaml': 'image: v3\n', 'gitopshq.yaml': 'changed: true\n' }, ALEX);
      await repo.write({ 'values/base/payment-api.yaml': 'image: uncommitted\n', 'notes.txt': 'untracked\n' });
      await repo.git('add', 'notes.txt');
      const before = await snapshot(repo.dir, true);

      const second = await git.deploy({
        environment: 'staging',
        tenants: ['acme'],
        changes: [
          { path: 'values/staging/payment-api.yaml', blob: await blob(repo, head, 'values/staging/payment-api.yaml') },
          { path: 'values/base/payment-api.yaml', blob: await blob(repo, head, 'values/base/payment-api.yaml') },
        ],
        expectedBases: { acme: first.acme ?? null },
        message: 'Deploy rel_2: Scale payment-api',
        author: SAM,
      });
      assert.deepEqual(await snapshot(repo.dir, true), { ...before, refs: (before.refs as string).replace(first.acme ?? '', second.acme ?? '') });

      const previous = await lsTree(repo, first.acme ?? '');
      const now = await lsTree(repo, second.acme ?? '');
      assert.deepEqual(
        [...now.entries()],
        [
          ['values/base/payment-api.yaml', await blob(repo, head, 'values/base/payment-api.yaml')],
          ['values/staging/payment-api.yaml', await blob(repo, head, 'values/staging/payment-api.yaml')],
        ],
      );
      assert.equal(previous.size, 1);
      const info = (await repo.git('log', '-1', '--format=%an <%ae>|%cn|%P|%s', second.acme ?? '')).trim();
      assert.equal(info, `${SAM.name} <${SAM.email}>|${SAM.name}|${first.acme}|Deploy rel_2: Scale payment-api`);

      // Drift (the read side) agrees: the deployed paths are in step with main, the rest is not.
      const repository = await GitRepository.open(repo.dir, { refsMaxAgeMs: 0 });
      assert.deepEqual(await repository?.drift('acme', 'staging', ['values/staging/payment-api.yaml', 'values/base/payment-api.yaml', 'gitopshq.yaml']), ['gitopshq.yaml']);
    });

    it('moves every tenant in one transaction, and none when one branch moved', async () => {
      const repo = await project();
      const git = await open(repo.dir);
      const changes = [{ path: 'values/staging/payment-api.yaml', blob: await blob(repo, 'HEAD', 'values/staging/payment-api.yaml') }];
      const first = await git.deploy({ environment: 'staging', tenants: ['acme', 'globex'], changes, expectedBases: { acme: null, globex: null }, message: 'Deploy rel_1', author: DANA });
      assert.deepEqual(Object.keys(first), ['acme', 'globex']);
      for (const tenant of ['acme', 'globex']) {
        assert.equal((await repo.git('rev-parse', `gitopshq/deployed/${tenant}/staging`)).trim(), first[tenant]);
      }

      // Another window deployed globex meanwhile: the release's bases no longer hold.
      const head = await repo.commit('v2', { 'values/staging/payment-api.yaml': 'replicas: 7\n' });
      const newBlob = await blob(repo, head, 'values/staging/payment-api.yaml');
      await git.deploy({ environment: 'staging', tenants: ['globex'], changes: [{ path: 'values/staging/payment-api.yaml', blob: newBlob }], expectedBases: { globex: first.globex ?? null }, message: 'other', author: ALEX });
      const before = await snapshot(repo.dir);
      await rejects(
        git.deploy({ environment: 'staging', tenants: ['acme', 'globex'], changes: [{ path: 'values/staging/payment-api.yaml', blob: newBlob }], expectedBases: { acme: first.acme ?? null, globex: first.globex ?? null }, message: 'Deploy rel_2', author: DANA }),
        'git-moved',
        /gitopshq\/deployed\/globex\/staging moved/,
      );
      assert.deepEqual(await snapshot(repo.dir), before);
    });

    it('removes a path deployed as null and refuses content the repository does not have', async () => {
      const repo = await project();
      const git = await open(repo.dir);
      const all = await git.candidateChanges('acme', 'staging', STAGING_PATHS, { includeUncommitted: false });
      const first = await git.deploy({ environment: 'staging', tenants: ['acme'], changes: all.map((c) => ({ path: c.path, blob: c.headBlob })), expectedBases: { acme: null }, message: 'all', author: DANA });
      const second = await git.deploy({ environment: 'staging', tenants: ['acme'], changes: [{ path: 'values/base/payment-api.yaml', blob: null }], expectedBases: { acme: first.acme ?? null }, message: 'rm', author: DANA });
      assert.ok(!(await lsTree(repo, second.acme ?? '')).has('values/base/payment-api.yaml'));
      assert.equal((await lsTree(repo, second.acme ?? '')).size, all.length - 1);

      const before = await snapshot(repo.dir);
      await rejects(
        git.deploy({ environment: 'staging', tenants: ['acme'], changes: [{ path: 'values/base/payment-api.yaml', blob: 'f'.repeat(40) }], expectedBases: { acme: second.acme ?? null }, message: 'x', author: DANA }),
        'git-failed',
        /not in this repository/,
      );
      assert.deepEqual(await snapshot(repo.dir), before);
    });
  });

  describe('commitRelease() and commitReleaseUpdate()', () => {
    it('commits only the release file and keeps other staged and unstaged changes', async () => {
      const repo = await project();
      const git = await open(repo.dir);
      const base = (await repo.git('rev-parse', 'HEAD')).trim();
      await repo.write({ 'values/staging/payment-api.yaml': 'replicas: 3\n', 'values/base/payment-api.yaml': 'image: staged\n', 'scratch.txt': 'untracked\n' });
      await repo.git('add', 'values/base/payment-api.yaml');
      await repo.write({ 'values/base/payment-api.yaml': 'image: staged then edited\n' });
      const statusBefore = await repo.git('status', '--porcelain=v2', '-uall');
      const indexBefore = await repo.git('ls-files', '-s');

      const sha = await git.commitRelease({ releasePath: RELEASE, content: release('draft'), message: 'Release: Scale payment-api\n\nWhy.', expectedHead: base, author: DANA });
      assert.equal((await repo.git('rev-parse', 'HEAD')).trim(), sha);
      assert.equal((await repo.git('log', '-1', '--format=%P|%an|%s', sha)).trim(), `${base}|${DANA.name}|Release: Scale payment-api`);
      assert.equal((await repo.git('diff-tree', '-r', '--name-only', '--no-commit-id', base, sha)).trim(), RELEASE);
      assert.equal(await readFile(path.join(repo.dir, RELEASE), 'utf8'), release('draft'));
      // The other changes are exactly as they were; the release file is committed and clean.
      assert.equal(await repo.git('status', '--porcelain=v2', '-uall'), statusBefore);
      const releaseEntry = (await repo.git('ls-files', '-s', RELEASE)).trim();
      assert.equal(await repo.git('ls-files', '-s'), [...indexBefore.split('\n').filter(Boolean), releaseEntry].sort((a, b) => (a.split('\t')[1]! < b.split('\t')[1]! ? -1 : 1)).join('\n') + '\n');

      const updated = await git.commitReleaseUpdate({ releasePath: RELEASE, content: release('approved'), message: 'Approve', expectedHead: sha, author: SAM });
      assert.equal((await repo.git('show', `${updated}:${RELEASE}`)), release('approved'));
      assert.equal((await repo.git('log', '-1', '--format=%an', updated)).trim(), SAM.name);
      assert.equal(await repo.git('status', '--porcelain=v2', '-uall'), statusBefore);
    });

    it('commits the chosen uncommitted paths with it, and leaves them clean', async () => {
      const repo = await project();
      const git = await open(repo.dir);
      await repo.write({ 'values/staging/payment-api.yaml': 'replicas: 3\n', 'values/staging/acme/payment-api.yaml': 'new: 1\n', 'values/production/payment-api.yaml': 'replicas: 6\n' });
      await repo.git('rm', '-q', '--cached', '.gitopshq/variables.yaml');
      await rm(path.join(repo.dir, '.gitopshq/variables.yaml'));
      const sha = await git.commitRelease({ releasePath: RELEASE, content: release('draft'), message: 'Release', includePaths: ['values/staging', '.gitopshq/variables.yaml'], author: DANA });
      assert.deepEqual(
        (await repo.git('diff-tree', '-r', '--name-status', '--no-commit-id', 'HEAD~1', sha)).trim().split('\n'),
        [`A\t${RELEASE}`, 'D\t.gitopshq/variables.yaml', 'A\tvalues/staging/acme/payment-api.yaml', 'M\tvalues/staging/payment-api.yaml'],
      );
      assert.equal((await repo.git('status', '--porcelain', '-uall')).trim(), 'M values/production/payment-api.yaml');
    });

    it('puts branch, file and index back when a step after the commit fails', async () => {
      const repo = await project();
      const git = await open(repo.dir);
      await repo.write({ 'values/staging/payment-api.yaml': 'replicas: 3\n' });
      const before = await snapshot(repo.dir);
      // Another git process holds the index: the branch has moved and the file is written when this fails.
      await writeFile(path.join(repo.dir, '.git', 'index.lock'), '');
      await rejects(git.commitRelease({ releasePath: RELEASE, content: release('draft'), message: 'Release', includePaths: ['values/staging'], author: DANA }), 'git-failed', /index\.lock|Unable to create/);
      await rm(path.join(repo.dir, '.git', 'index.lock'));
      assert.deepEqual(await snapshot(repo.dir), before);
    });

    describe('refuses and leaves the repository exactly as it was', () => {
      async function expectUntouched(repo: TempRepo, action: () => Promise<unknown>, kind: ErrorKind, message?: RegExp): Promise<void> {
        const before = await snapshot(repo.dir);
        await rejects(action(), kind, message);
        assert.deepEqual(await snapshot(repo.dir), before);
      }

      it('without an identity', async () => {
        const repo = await project(PROJECT, null);
        const git = await open(repo.dir);
        await rejects(git.identity(), 'git-identity');
        await expectUntouched(repo, () => git.commitRelease({ releasePath: RELEASE, content: release('draft'), message: 'R', author: { name: '', email: '' } }), 'git-identity');
        await expectUntouched(repo, () => git.deploy({ environment: 'staging', tenants: ['acme'], changes: [{ path: 'a', blob: null }], expectedBases: { acme: null }, message: 'R', author: { name: 'x', email: '' } }), 'git-identity');
      });

      it('when the release file has changes that would be lost', async () => {
        const repo = await project();
        const git = await open(repo.dir);
        await repo.write({ [RELEASE]: 'my own notes\n' });
        await expectUntouched(repo, () => git.commitRelease({ releasePath: RELEASE, content: release('draft'), message: 'R', author: DANA }), 'git-dirty', /rel_01TEST\.yaml has changes/);
        await repo.write({ [RELEASE]: null });
        await git.commitRelease({ releasePath: RELEASE, content: release('draft'), message: 'R', author: DANA });
        await repo.write({ [RELEASE]: release('hand edited') });
        await expectUntouched(repo, () => git.commitReleaseUpdate({ releasePath: RELEASE, content: release('approved'), message: 'A', author: SAM }), 'git-dirty');
        await repo.git('add', RELEASE);
        await expectUntouched(repo, () => git.commitReleaseUpdate({ releasePath: RELEASE, content: release('approved'), message: 'A', author: SAM }), 'git-dirty');
      });

      it('when a chosen path is partly staged, or the release to update does not exist', async () => {
        const repo = await project();
        const git = await open(repo.dir);
        await repo.write({ 'values/staging/payment-api.yaml': 'replicas: 3\n' });
        await repo.git('add', '-A');
        await repo.write({ 'values/staging/payment-api.yaml': 'replicas: 4\n' });
        await expectUntouched(repo, () => git.commitRelease({ releasePath: RELEASE, content: release('draft'), message: 'R', includePaths: ['values/staging'], author: DANA }), 'git-dirty', /partly staged/);
        await expectUntouched(repo, () => git.commitReleaseUpdate({ releasePath: RELEASE, content: release('approved'), message: 'A', author: DANA }), 'release-not-found');
      });

      it('on a detached HEAD', async () => {
        const repo = await project();
        await repo.git('checkout', '-q', '--detach');
        const git = await open(repo.dir);
        await expectUntouched(repo, () => git.commitRelease({ releasePath: RELEASE, content: release('draft'), message: 'R', author: DANA }), 'git-detached');
      });

      it('when the branch moved (expected head mismatch)', async () => {
        const repo = await project();
        const git = await open(repo.dir);
        const prepared = (await repo.git('rev-parse', 'HEAD')).trim();
        await repo.commit('someone else', { 'values/staging/payment-api.yaml': 'replicas: 8\n' }, ALEX);
        await expectUntouched(repo, () => git.commitRelease({ releasePath: RELEASE, content: release('draft'), message: 'R', expectedHead: prepared, author: DANA }), 'git-moved', /main moved/);
      });

      it('during a merge', async () => {
        const repo = await project();
        await repo.git('checkout', '-q', '-b', 'other');
        await repo.commit('other', { 'values/staging/payment-api.yaml': 'replicas: 10\n' });
        await repo.git('checkout', '-q', 'main');
        await repo.commit('main', { 'values/staging/payment-api.yaml': 'replicas: 20\n' });
        await repo.git('merge', 'other').catch(() => undefined);
        const git = await open(repo.dir);
        await expectUntouched(repo, () => git.commitRelease({ releasePath: RELEASE, content: release('draft'), message: 'R', author: DANA }), 'git-conflict', /merge is in progress/);
      });
    });

    it('runs no hook in an untrusted workspace', async () => {
      const repo = await project();
      const marker = path.join(repo.dir, '..', `${path.basename(repo.dir)}-hook-ran`);
      cleanups.push(() => rm(marker, { force: true }));
      for (const hook of ['reference-transaction', 'post-index-change']) {
        const file = path.join(repo.dir, '.git', 'hooks', hook);
        await writeFile(file, `#!/bin/sh\necho ${hook} >> "${marker}"\n`);
        await chmod(file, 0o755);
      }
      await (await open(repo.dir, false)).commitRelease({ releasePath: RELEASE, content: release('draft'), message: 'R', author: DANA });
      await assert.rejects(stat(marker), 'no hook ran untrusted');
      await (await open(repo.dir, true)).commitReleaseUpdate({ releasePath: RELEASE, content: release('approved'), message: 'A', author: DANA });
      await stat(marker);
    });
  });

  describe('push()', () => {
    it('pushes the branch and the deployed branches to the remote', async () => {
      const { bare, a } = await remoteAndClones();
      const git = await open(a.dir, true);
      assert.equal(await git.hasRemote(), 'origin');
      const base = (await a.git('rev-parse', 'HEAD')).trim();
      const head = await git.commitRelease({ releasePath: RELEASE, content: release('draft'), message: 'R', expectedHead: base, author: DANA });
      const deployed = await git.deploy({ environment: 'staging', tenants: ['acme'], changes: [{ path: 'values/staging/payment-api.yaml', blob: await blob(a, head, 'values/staging/payment-api.yaml') }], expectedBases: { acme: null }, message: 'D', author: DANA });
      await git.push({ refs: ['main', 'gitopshq/deployed/acme/staging'], restore: { main: base, 'gitopshq/deployed/acme/staging': null } });
      assert.equal((await runGit(bare, ['rev-parse', 'main'])).trim(), head);
      assert.equal((await runGit(bare, ['rev-parse', 'gitopshq/deployed/acme/staging'])).trim(), deployed.acme);
    });

    it('detects that another clone pushed first, and undoes the release locally', async () => {
      const { a, b } = await remoteAndClones();
      await b.commit('from clone b', { 'values/staging/payment-api.yaml': 'replicas: 11\n' });
      await b.git('push', '-q', 'origin', 'main');

      await a.write({ 'values/production/payment-api.yaml': 'replicas: 6\n' });
      const before = await snapshot(a.dir);
      const git = await open(a.dir, true);
      const base = (await a.git('rev-parse', 'HEAD')).trim();
      await git.commitRelease({ releasePath: RELEASE, content: release('draft'), message: 'R', expectedHead: base, author: DANA });
      await rejects(git.push({ refs: ['main'], restore: { main: base } }), 'git-push-rejected', /Another clone pushed to main on origin first/);
      assert.deepEqual(await snapshot(a.dir), before);
    });

    it('detects a deploy by another clone', async () => {
      const { a, b } = await remoteAndClones();
      const change = async (repo: TempRepo) => [{ path: 'values/staging/payment-api.yaml', blob: await blob(repo, 'HEAD', 'values/staging/payment-api.yaml') }];
      const gitB = await open(b.dir, true);
      await gitB.deploy({ environment: 'staging', tenants: ['acme'], changes: await change(b), expectedBases: { acme: null }, message: 'B deploys', author: ALEX });
      await gitB.push({ refs: ['gitopshq/deployed/acme/staging'], restore: { 'gitopshq/deployed/acme/staging': null } });

      const before = await snapshot(a.dir);
      const gitA = await open(a.dir, true);
      await gitA.deploy({ environment: 'staging', tenants: ['acme'], changes: await change(a), expectedBases: { acme: null }, message: 'A deploys', author: DANA });
      await rejects(gitA.push({ refs: ['gitopshq/deployed/acme/staging'], restore: { 'gitopshq/deployed/acme/staging': null } }), 'git-push-rejected', /deployed\/acme\/staging/);
      assert.deepEqual(await snapshot(a.dir), before);
    });

    it('builds on a deployed branch known only as a remote-tracking branch (a fresh clone)', async () => {
      const { a, b } = await remoteAndClones();
      const gitB = await open(b.dir, true);
      const changes = [{ path: 'values/staging/payment-api.yaml', blob: await blob(b, 'HEAD', 'values/staging/payment-api.yaml') }];
      const fromB = await gitB.deploy({ environment: 'staging', tenants: ['acme'], changes, expectedBases: { acme: null }, message: 'B', author: ALEX });
      await gitB.push({ refs: ['gitopshq/deployed/acme/staging'], restore: { 'gitopshq/deployed/acme/staging': null } });

      await a.git('fetch', '-q', 'origin');
      const gitA = await open(a.dir, true);
      assert.equal(await gitA.deployedTip('acme', 'staging'), fromB.acme);
      const next = await a.commit('v2', { 'values/staging/payment-api.yaml': 'replicas: 12\n' });
      const fromA = await gitA.deploy({ environment: 'staging', tenants: ['acme'], changes: [{ path: 'values/staging/payment-api.yaml', blob: await blob(a, next, 'values/staging/payment-api.yaml') }], expectedBases: { acme: fromB.acme ?? null }, message: 'A', author: DANA });
      assert.equal((await a.git('rev-parse', `${fromA.acme}^`)).trim(), fromB.acme);
      await gitA.push({ refs: ['gitopshq/deployed/acme/staging'], restore: { 'gitopshq/deployed/acme/staging': null } });
    });

    it('restores refs, release file and index when the remote rejects the push', async () => {
      const { bare, a } = await remoteAndClones();
      const git = await open(a.dir, true);
      const base = (await a.git('rev-parse', 'HEAD')).trim();
      const created = await git.commitRelease({ releasePath: RELEASE, content: release('approved'), message: 'R', expectedHead: base, author: DANA });
      await git.push({ refs: ['main'], restore: { main: base } });

      // The remote refuses everything from now on (a protected branch, a failing server-side check).
      const hook = path.join(bare, 'hooks', 'pre-receive');
      await writeFile(hook, '#!/bin/sh\necho "protected by policy" >&2\nexit 1\n');
      await chmod(hook, 0o755);
      await a.write({ 'values/production/payment-api.yaml': 'replicas: 6\n' });
      const before = await snapshot(a.dir);

      const deployed = await git.deploy({ environment: 'staging', tenants: ['acme'], changes: [{ path: 'values/staging/payment-api.yaml', blob: await blob(a, created, 'values/staging/payment-api.yaml') }], expectedBases: { acme: null }, message: 'D', author: DANA });
      await git.commitReleaseUpdate({ releasePath: RELEASE, content: release('deployed'), message: 'Deployed', expectedHead: created, author: DANA });
      assert.ok(deployed.acme);
      await rejects(git.push({ refs: ['main', 'gitopshq/deployed/acme/staging'], restore: { main: created, 'gitopshq/deployed/acme/staging': null } }), 'git-push-rejected', /rejected the push/);
      assert.deepEqual(await snapshot(a.dir), before);

      // A new instance (no record of the commit) undoes the same way.
      await git.commitReleaseUpdate({ releasePath: RELEASE, content: release('deployed'), message: 'Deployed', expectedHead: created, author: DANA });
      await rejects((await open(a.dir, true)).push({ refs: ['main'], restore: { main: created } }), 'git-push-rejected');
      assert.deepEqual(await snapshot(a.dir), before);
    });
  });

  describe('valuesHistory()', () => {
    it('lists the commits of the values files, newest first, with the texts before and after', async () => {
      const repo = await project();
      const first = (await repo.git('rev-parse', 'HEAD')).trim();
      const second = await repo.commit('scale', { 'values/staging/payment-api.yaml': 'replicas: 3\n' }, { ...SAM, date: '2026-11-26T10:00:00Z' });
      await repo.commit('unrelated', { 'README.md': 'hi\n' });
      const third = await repo.commit('add acme, drop base', { 'values/staging/acme/payment-api.yaml': 'x: 1\n', 'values/base/payment-api.yaml': null }, ALEX);
      const history = await (await open(repo.dir)).valuesHistory(['values']);
      assert.deepEqual(
        history.map((c) => [c.sha, c.author.email, c.subject]),
        [
          [third, ALEX.email, 'add acme, drop base'],
          [second, SAM.email, 'scale'],
          [first, 'test@example.com', 'Initial commit'],
        ],
      );
      assert.equal(Date.parse(history[1]?.date ?? ''), Date.parse('2026-11-26T10:00:00Z'));
      assert.deepEqual(history[1]?.files, [{ path: 'values/staging/payment-api.yaml', before: 'replicas: 2\n', after: 'replicas: 3\n' }]);
      assert.deepEqual(history[0]?.files, [
        { path: 'values/base/payment-api.yaml', before: 'image: v1\n' },
        { path: 'values/staging/acme/payment-api.yaml', after: 'x: 1\n' },
      ]);
      assert.equal((await (await open(repo.dir)).valuesHistory(['values'], { maxCount: 1 })).length, 1);
    });
  });
});
