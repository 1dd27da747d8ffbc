// The git adapter against real repositories in temp folders.
import * as assert from 'node:assert/strict';
import { access, chmod, mkdir, mkdtemp, realpath, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GitOpsHqError } from '../../../src/core/errors';
import type { Logger } from '../../../src/core/logger';
import { createGitRun, GitRepository, type OpenOptions } from '../../../src/infra/git/gitRepository';
import { createTempRepo, type FileChanges, type TempRepo } from '../../support/tempGitRepo';

// A project in the shape of repo-format.md §1.
const PROJECT: FileChanges = {
  'gitopshq.yaml': 'apiVersion: gitopshq.io/v1alpha1\nkind: Project\n',
  'charts/payment-api/Chart.yaml': 'name: payment-api\nversion: 1.0.0\n',
  'charts/payment-api/values.yaml': 'replicas: 1\n',
  'charts/payment-api/templates/deployment.yaml': 'kind: Deployment\n',
  'values/base/payment-api.yaml': 'image: v1\n',
  'values/dev/payment-api.yaml': 'replicas: 1\n',
  'values/staging/payment-api.yaml': 'replicas: 2\n',
  '.gitopshq/variables.yaml': 'repo:\n  LOG_LEVEL: info\n',
};

// The paths that affect (acme, dev): the chart folder, its value layers (one missing), the variables file.
const DEV_PATHS = [
  'charts/payment-api',
  'values/base/payment-api.yaml',
  'values/dev/payment-api.yaml',
  'values/dev/acme/payment-api.yaml',
  '.gitopshq/variables.yaml',
];

const isPosix = process.platform !== 'win32';

describe('GitRepository', () => {
  const cleanups: (() => Promise<void>)[] = [];

  async function repo(files: FileChanges = PROJECT, options: { branch?: string; noInit?: boolean } = {}): Promise<TempRepo> {
    const created = await createTempRepo(files, options);
    cleanups.push(created.cleanup);
    return created;
  }

  async function open(target: string, options: OpenOptions = {}): Promise<GitRepository> {
    const opened = await GitRepository.open(target, options);
    assert.ok(opened, `expected a repository at ${target}`);
    return opened;
  }

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  describe('open()', () => {
    it('finds the top level from the root, a subfolder and a file', async () => {
      const r = await repo();
      for (const target of [r.dir, path.join(r.dir, 'values', 'dev'), path.join(r.dir, 'values', 'dev', 'payment-api.yaml')]) {
        const opened = await open(target);
        assert.equal(opened.root, r.dir);
        assert.equal(opened.gitDir, path.join(r.dir, '.git'));
        assert.equal(opened.commonDir, path.join(r.dir, '.git'));
      }
    });

    it('returns undefined outside a repository, for a missing path and inside .git', async () => {
      const plain = await repo({ 'a.txt': 'a' }, { noInit: true });
      assert.equal(await GitRepository.open(plain.dir), undefined);
      assert.equal(await GitRepository.open(path.join(plain.dir, 'no', 'such', 'folder')), undefined);
      const r = await repo();
      assert.equal(await GitRepository.open(path.join(r.dir, '.git', 'refs')), undefined);
    });

    it('resolves the git dir of a linked worktree', async () => {
      const r = await repo();
      await r.git('worktree', 'add', '-q', '-b', 'feature', 'wt');
      const opened = await open(path.join(r.dir, 'wt', 'values'));
      assert.equal(opened.root, path.join(r.dir, 'wt'));
      assert.equal(opened.gitDir, path.join(r.dir, '.git', 'worktrees', 'wt'));
      assert.equal(opened.commonDir, path.join(r.dir, '.git'));
    });

    it('keeps the caller\'s spelling of a symlinked root', async function () {
      if (!isPosix) this.skip();
      const r = await repo();
      const links = await realpath(await mkdtemp(path.join(tmpdir(), 'gitopshq-link-')));
      cleanups.push(() => rm(links, { recursive: true, force: true }));
      const link = path.join(links, 'project');
      await symlink(r.dir, link);
      const opened = await open(path.join(link, 'values'));
      assert.equal(opened.root, link);
      assert.equal(opened.relative(path.join(link, 'values', 'dev', 'payment-api.yaml')), 'values/dev/payment-api.yaml');
      assert.equal(opened.relative(path.join(r.dir, 'values', 'dev', 'payment-api.yaml')), 'values/dev/payment-api.yaml');
    });

    it('reports a broken repository instead of pretending there is none', async () => {
      const plain = await repo({ '.git': 'gitdir: /nonexistent/gitdir\n' }, { noInit: true });
      await assert.rejects(GitRepository.open(plain.dir), (err: unknown) => {
        assert.ok(GitOpsHqError.is(err, 'git-failed'));
        assert.match(err.message, /git rev-parse --is-inside-work-tree failed/);
        return true;
      });
    });
  });

  describe('relative()', () => {
    it('gives repo-relative paths with / separators', async () => {
      const r = await repo();
      const opened = await open(r.dir);
      assert.equal(opened.relative(path.join(r.dir, 'charts', 'payment-api', 'values.yaml')), 'charts/payment-api/values.yaml');
      assert.equal(opened.relative(r.dir), '');
      assert.equal(opened.relative(path.join(path.dirname(r.dir), 'elsewhere')), `../elsewhere`);
    });
  });

  describe('mainRef()', () => {
    it('prefers main, then master, then HEAD', async () => {
      const r = await repo(PROJECT, { branch: 'master' });
      assert.equal(await (await open(r.dir)).mainRef(), 'master');
      await r.git('branch', 'main');
      assert.equal(await (await open(r.dir)).mainRef(), 'main');

      const trunk = await repo(PROJECT, { branch: 'trunk' });
      assert.equal(await (await open(trunk.dir)).mainRef(), 'HEAD');
    });

    it('works in a repository without commits', async () => {
      const empty = await repo({});
      const opened = await open(empty.dir);
      assert.equal(await opened.mainRef(), 'HEAD');
      assert.equal((await opened.deployedBranches()).size, 0);
    });
  });

  describe('deployed() and deployedBranches()', () => {
    it('returns undefined when the branch is absent', async () => {
      const r = await repo();
      assert.equal(await (await open(r.dir)).deployed('acme', 'dev'), undefined);
    });

    it('describes the tip: sha, author, committer date and subject', async () => {
      const r = await repo();
      await r.git('checkout', '-q', '-b', 'gitopshq/deployed/acme/staging');
      const sha = await r.commit('Deploy rel_01JDX4V6Q8K7E3M2N1P0R9S8T7: Enable new checkout\n\nBody text.', { 'values/staging/payment-api.yaml': 'replicas: 3\n' }, {
        name: 'Dana Dev',
        email: 'dana@example.com',
        date: '2026-11-26T10:00:00Z',
        committerDate: '2026-11-26T11:30:00Z',
      });
      await r.git('checkout', '-q', 'main');

      const info = await (await open(r.dir)).deployed('acme', 'staging');
      assert.deepEqual(info, {
        branch: 'gitopshq/deployed/acme/staging',
        sha,
        shortSha: sha.slice(0, 7),
        authorName: 'Dana Dev',
        authorEmail: 'dana@example.com',
        date: new Date('2026-11-26T11:30:00Z'),
        subject: 'Deploy rel_01JDX4V6Q8K7E3M2N1P0R9S8T7: Enable new checkout',
      });
    });

    it('lists every tenant/env from one lookup and ignores other branches', async () => {
      const r = await repo();
      const first = (await r.git('rev-parse', 'HEAD')).trim();
      const second = await r.commit('Second', { 'values/dev/payment-api.yaml': 'replicas: 5\n' });
      await r.git('branch', 'gitopshq/deployed/acme/dev', first);
      await r.git('branch', 'gitopshq/deployed/acme/production', second);
      await r.git('branch', 'gitopshq/deployed/globex/dev', second);
      await r.git('branch', 'gitopshq/deployed/globex/staging/extra', second); // not <tenant>/<env>
      await r.git('branch', 'feature/gitopshq/deployed/x/y', second);

      const branches = await (await open(r.dir)).deployedBranches();
      assert.deepEqual([...branches.keys()].sort(), ['acme/dev', 'acme/production', 'globex/dev']);
      assert.equal(branches.get('acme/dev')?.sha, first);
      assert.equal(branches.get('globex/dev')?.sha, second);
      assert.equal(branches.get('acme/production')?.branch, 'gitopshq/deployed/acme/production');
    });

    it('reads remote-tracking deployed branches of a fresh clone, and prefers a local branch', async () => {
      const upstream = await repo();
      const first = (await upstream.git('rev-parse', 'HEAD')).trim();
      const second = await upstream.commit('Second', { 'values/dev/payment-api.yaml': 'replicas: 5\n' });
      await upstream.git('branch', 'gitopshq/deployed/acme/dev', first);
      await upstream.git('branch', 'gitopshq/deployed/globex/dev', second);
      const clone = await repo({}, { noInit: true });
      await clone.git('clone', '--quiet', upstream.dir, '.');

      let repository = await open(clone.dir);
      const fromRemote = await repository.deployedBranches();
      assert.equal(fromRemote.get('acme/dev')?.sha, first);
      assert.equal(fromRemote.get('acme/dev')?.branch, 'origin/gitopshq/deployed/acme/dev');
      assert.deepEqual(await repository.drift('acme', 'dev', DEV_PATHS), ['values/dev/payment-api.yaml']);

      await clone.git('branch', 'gitopshq/deployed/acme/dev', second);
      repository = await open(clone.dir);
      const local = await repository.deployedBranches();
      assert.equal(local.get('acme/dev')?.sha, second);
      assert.equal(local.get('acme/dev')?.branch, 'gitopshq/deployed/acme/dev');
      assert.equal(local.get('globex/dev')?.branch, 'origin/gitopshq/deployed/globex/dev');
    });
  });

  describe('drift()', () => {
    /** A repository whose acme/dev deployed branch is at the initial commit. */
    async function deployedRepo(options: OpenOptions = {}): Promise<{ r: TempRepo; opened: GitRepository }> {
      const r = await repo();
      await r.git('branch', 'gitopshq/deployed/acme/dev');
      return { r, opened: await open(r.dir, { refsMaxAgeMs: 0, ...options }) };
    }

    it('is empty when main equals the deployed branch', async () => {
      const { opened } = await deployedRepo();
      assert.deepEqual(await opened.drift('acme', 'dev', DEV_PATHS), []);
    });

    it('is empty when only paths of other environments changed', async () => {
      const { r, opened } = await deployedRepo();
      await r.commit('Staging only', { 'values/staging/payment-api.yaml': 'replicas: 9\n', 'README.md': 'x\n' });
      assert.deepEqual(await opened.drift('acme', 'dev', DEV_PATHS), []);
    });

    it('detects a changed values file', async () => {
      const { r, opened } = await deployedRepo();
      await r.commit('Dev values', { 'values/dev/payment-api.yaml': 'replicas: 4\n', 'values/staging/payment-api.yaml': 'replicas: 9\n' });
      assert.deepEqual(await opened.drift('acme', 'dev', DEV_PATHS), ['values/dev/payment-api.yaml']);
    });

    it('detects changes inside the chart folder, including added and deleted files', async () => {
      const { r, opened } = await deployedRepo();
      await r.commit('Chart', {
        'charts/payment-api/templates/deployment.yaml': 'kind: Deployment\nspec: {}\n',
        'charts/payment-api/templates/service.yaml': 'kind: Service\n',
        'charts/payment-api/values.yaml': null,
      });
      assert.deepEqual(await opened.drift('acme', 'dev', DEV_PATHS), [
        'charts/payment-api/templates/deployment.yaml',
        'charts/payment-api/templates/service.yaml',
        'charts/payment-api/values.yaml',
      ]);
    });

    it('detects a changed variables file and a newly added layer', async () => {
      const { r, opened } = await deployedRepo();
      await r.commit('Variables', {
        '.gitopshq/variables.yaml': 'repo:\n  LOG_LEVEL: debug\n',
        'values/dev/acme/payment-api.yaml': 'replicas: 2\n',
      });
      assert.deepEqual(await opened.drift('acme', 'dev', DEV_PATHS), ['.gitopshq/variables.yaml', 'values/dev/acme/payment-api.yaml']);
    });

    it('takes names literally: spaces, non-ASCII, glob characters', async () => {
      const { r, opened } = await deployedRepo();
      await r.commit('Odd names', { 'values/dev/ünï côde.yaml': 'a: 1\n', 'values/dev/[x].yaml': 'b: 1\n', 'values/dev/x.yaml': 'c: 1\n' });
      assert.deepEqual(await opened.drift('acme', 'dev', ['values/dev/ünï côde.yaml', 'values/dev/[x].yaml']), [
        'values/dev/[x].yaml',
        'values/dev/ünï côde.yaml',
      ]);
    });

    it('accepts absolute paths and folders with trailing separators', async () => {
      const { r, opened } = await deployedRepo();
      await r.commit('Dev values', { 'values/dev/payment-api.yaml': 'replicas: 4\n' });
      assert.deepEqual(await opened.drift('acme', 'dev', [path.join(r.dir, 'values', 'dev', 'payment-api.yaml')]), ['values/dev/payment-api.yaml']);
      assert.deepEqual(await opened.drift('acme', 'dev', ['values/dev/']), ['values/dev/payment-api.yaml']);
      assert.deepEqual(await opened.drift('acme', 'dev', []), []);
    });

    it('compares against master, or HEAD, when there is no main', async () => {
      const r = await repo(PROJECT, { branch: 'trunk' });
      await r.git('branch', 'gitopshq/deployed/acme/dev');
      await r.commit('Dev values', { 'values/dev/payment-api.yaml': 'replicas: 4\n' });
      const opened = await open(r.dir);
      assert.equal(await opened.mainRef(), 'HEAD');
      assert.deepEqual(await opened.drift('acme', 'dev', DEV_PATHS), ['values/dev/payment-api.yaml']);
    });

    it('refuses a never-deployed pair and paths outside the repository', async () => {
      const { opened } = await deployedRepo();
      await assert.rejects(opened.drift('acme', 'production', DEV_PATHS), (err: unknown) => GitOpsHqError.is(err, 'git-failed') && /never been deployed/.test(err.hint ?? ''));
      await assert.rejects(opened.drift('acme', 'dev', ['../outside.yaml']), (err: unknown) => GitOpsHqError.is(err, 'git-failed') && /outside the repository/.test(err.message));
    });

    it('costs one for-each-ref per refresh on an unchanged repository', async () => {
      const commands: string[] = [];
      const { r, opened } = await deployedRepo({ refsMaxAgeMs: 60_000, logger: recordingLogger(commands) });
      await r.git('branch', 'gitopshq/deployed/acme/staging');
      await r.commit('Dev values', { 'values/dev/payment-api.yaml': 'replicas: 4\n' });
      commands.length = 0; // forget open()'s rev-parse calls

      // First refresh: one lookup, then one diff: both pairs are deployed at the same commit, so
      // they share the cache key (deployed sha, main sha, paths).
      await opened.deployedBranches();
      const first = await Promise.all([opened.drift('acme', 'dev', DEV_PATHS), opened.drift('acme', 'staging', DEV_PATHS)]);
      assert.deepEqual(first, [['values/dev/payment-api.yaml'], ['values/dev/payment-api.yaml']]);
      assert.deepEqual(commands.map(verb), ['for-each-ref', 'diff']);

      // Second refresh, nothing changed: the lookup only.
      commands.length = 0;
      opened.invalidate();
      await opened.deployedBranches();
      const second = await Promise.all([opened.drift('acme', 'dev', DEV_PATHS), opened.drift('acme', 'staging', DEV_PATHS)]);
      assert.deepEqual(second, first);
      assert.deepEqual(commands.map(verb), ['for-each-ref']);

      // Concurrent callers share one lookup.
      commands.length = 0;
      opened.invalidate();
      await Promise.all([opened.drift('acme', 'dev', DEV_PATHS), opened.deployed('acme', 'dev'), opened.mainRef()]);
      assert.deepEqual(commands.map(verb), ['for-each-ref']);

      // Main moves: the next refresh sees it.
      commands.length = 0;
      await r.commit('Variables', { '.gitopshq/variables.yaml': 'repo: {}\n' });
      opened.invalidate();
      assert.deepEqual(await opened.drift('acme', 'dev', DEV_PATHS), ['.gitopshq/variables.yaml', 'values/dev/payment-api.yaml']);
      assert.deepEqual(commands.map(verb), ['for-each-ref', 'diff']);
    });

    it('sees new commits without invalidate() once refsMaxAgeMs has passed', async () => {
      const { r, opened } = await deployedRepo({ refsMaxAgeMs: 0 });
      assert.deepEqual(await opened.drift('acme', 'dev', DEV_PATHS), []);
      await r.commit('Dev values', { 'values/dev/payment-api.yaml': 'replicas: 4\n' });
      assert.deepEqual(await opened.drift('acme', 'dev', DEV_PATHS), ['values/dev/payment-api.yaml']);
    });
  });

  describe('errors', () => {
    it('wraps a git failure in git-failed, naming the command and the reason', async () => {
      const r = await repo();
      // A ref that points at an object that does not exist.
      await mkdir(path.join(r.dir, '.git', 'refs', 'heads', 'gitopshq', 'deployed', 'acme'), { recursive: true });
      await writeFile(path.join(r.dir, '.git', 'refs', 'heads', 'gitopshq', 'deployed', 'acme', 'dev'), `${'0123456789'.repeat(4)}\n`);
      const opened = await open(r.dir);
      await assert.rejects(opened.deployedBranches(), (err: unknown) => {
        assert.ok(GitOpsHqError.is(err, 'git-failed'));
        assert.match(err.message, /^git for-each-ref .* failed in .*: missing object 0123456789/);
        assert.ok(err.hint && err.hint.includes('terminal'));
        return true;
      });

      // The failure is not cached: repair the ref and the next call works.
      await r.git('update-ref', 'refs/heads/gitopshq/deployed/acme/dev', 'main');
      assert.equal((await opened.deployedBranches()).size, 1);
    });

    it('wraps a failure of a runner for a folder that does not exist', async () => {
      const run = createGitRun(path.join(tmpdir(), 'gitopshq-no-such-folder-for-tests'));
      await assert.rejects(run(['status']), (err: unknown) => GitOpsHqError.is(err, 'git-failed') && /^git status failed/.test(err.message));
    });
  });

  describe('Workspace Trust', () => {
    /** Configures an fsmonitor hook and a post-index-change hook that each leave a marker file. */
    async function boobyTrappedRepo(): Promise<{ r: TempRepo; fsmonitorMarker: string; hookMarker: string; touchTracked: () => Promise<void> }> {
      const r = await repo();
      const gitDir = path.join(r.dir, '.git');
      const fsmonitorMarker = path.join(gitDir, 'fsmonitor-ran');
      const hookMarker = path.join(gitDir, 'hook-ran');
      const fsmonitor = path.join(gitDir, 'evil-fsmonitor.sh');
      await writeFile(fsmonitor, `#!/bin/sh\necho ran >> '${fsmonitorMarker}'\nexit 1\n`);
      await chmod(fsmonitor, 0o755);
      await writeFile(path.join(gitDir, 'hooks', 'post-index-change'), `#!/bin/sh\necho ran >> '${hookMarker}'\n`);
      await chmod(path.join(gitDir, 'hooks', 'post-index-change'), 0o755);
      await r.git('config', 'core.fsmonitor', fsmonitor);
      // A new mtime makes the next `git status` refresh (and rewrite) the index.
      let tick = 0;
      const touchTracked = async (): Promise<void> => {
        const when = new Date(Date.now() + ++tick * 10_000);
        await utimes(path.join(r.dir, 'gitopshq.yaml'), when, when);
      };
      return { r, fsmonitorMarker, hookMarker, touchTracked };
    }

    it('runs the repository\'s fsmonitor and hooks when trusted (control)', async function () {
      if (!isPosix) this.skip();
      const { r, fsmonitorMarker, hookMarker, touchTracked } = await boobyTrappedRepo();
      await touchTracked();
      await createGitRun(r.dir, { trusted: true })(['status', '--porcelain']);
      assert.ok(await exists(fsmonitorMarker), 'the fsmonitor script should have run');
      assert.ok(await exists(hookMarker), 'the post-index-change hook should have run');
    });

    it('runs neither when untrusted, the default', async function () {
      if (!isPosix) this.skip();
      const { r, fsmonitorMarker, hookMarker, touchTracked } = await boobyTrappedRepo();
      await r.git('branch', 'gitopshq/deployed/acme/dev');
      await r.commit('Dev values', { 'values/dev/payment-api.yaml': 'replicas: 4\n' });
      await touchTracked();
      // The helper's own (trusted) commits above ran the traps: start from clean markers.
      await rm(fsmonitorMarker, { force: true });
      await rm(hookMarker, { force: true });

      for (const options of [{}, { trusted: false }]) {
        const opened = await open(path.join(r.dir, 'values'), { ...options, refsMaxAgeMs: 0 });
        assert.equal(opened.trusted, false);
        await opened.mainRef();
        await opened.deployedBranches();
        assert.deepEqual(await opened.drift('acme', 'dev', DEV_PATHS), ['values/dev/payment-api.yaml']);
        await createGitRun(r.dir, options)(['status', '--porcelain']);
      }
      assert.equal(await exists(fsmonitorMarker), false, 'the fsmonitor script must not run');
      assert.equal(await exists(hookMarker), false, 'hooks must not run');
    });
  });
});

function recordingLogger(lines: string[]): Logger {
  const logger: Logger = {
    trace: (message) => lines.push(message),
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    child: () => logger,
  };
  return logger;
}

/** The git subcommand of a logged `git [--global-flags] <verb> …` line. */
function verb(line: string): string {
  return line.split(' ').slice(1).find((word) => !word.startsWith('-')) ?? '';
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
