// The Git browser on real repositories: paging, deploy badges after deploys to two environments (by
// content, with later contents counting), release attribution, blame on a line changed by several
// commits, renamed files (--follow), uncommitted lines, and cancellation.
import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { GitOpsHqError } from '../../../src/core/errors';
import { badgeText } from '../../../src/core/history/badges';
import { PlacementIndex, workloadTargetPaths } from '../../../src/core/history/targets';
import { parseManifest } from '../../../src/core/model/manifest';
import type { Release } from '../../../src/core/release/types';
import type { Project } from '../../../src/core/types';
import { GitHistory } from '../../../src/infra/git/gitHistory';
import { GitRepository } from '../../../src/infra/git/gitRepository';
import { HistoryBrowser } from '../../../src/infra/git/historyBrowser';
import { createTempRepo, runGit, type TempRepo } from '../../support/tempGitRepo';

const MANIFEST = `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: Pay, slug: pay }
spec:
  environments:
    - { name: staging, approval: { required: 0 } }
    - { name: production, approval: { required: 0 } }
  tenants: [acme]
  workloads:
    - name: api
      chart: charts/api
      values: [values/base/api.yaml, "values/{env}/api.yaml"]
`;
const ORDER = ['staging', 'production'];
const DANA = { name: 'Dana', email: 'dana@example.com' };

/** A deploy as the extension makes it: a new commit on the deployed branch with the paths' content at `from`. */
async function deploy(repo: TempRepo, env: string, from: string, paths: string[]): Promise<void> {
  const branch = `gitopshq/deployed/acme/${env}`;
  const exists = (await repo.git('branch', '--list', branch)).trim() !== '';
  const base = exists ? branch : (await repo.git('rev-list', '--max-parents=0', 'HEAD')).trim();
  const index = path.join(repo.dir, '.git', `deploy-index-${env}`);
  const env_ = { GIT_INDEX_FILE: index };
  await runGit(repo.dir, ['read-tree', base], env_);
  for (const p of paths) {
    const blob = (await repo.git('rev-parse', `${from}:${p}`)).trim();
    await runGit(repo.dir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${p}`], env_);
  }
  const tree = (await runGit(repo.dir, ['write-tree'], env_)).trim();
  const commit = (await runGit(repo.dir, ['commit-tree', tree, '-p', base, '-m', `Deploy ${env}`])).trim();
  await repo.git('update-ref', `refs/heads/${branch}`, commit);
}

describe('HistoryBrowser', () => {
  let repo: TempRepo;
  let project: Project;
  let browser: HistoryBrowser;
  let repository: GitRepository;
  const shas: Record<string, string> = {};

  const query = (paths: string[], releases: Release[] = [], follow = false) => ({
    paths,
    releases,
    follow,
    placementsOf: new PlacementIndex(project, (abs) => repository.relative(abs)).placementsOf,
  });
  const targetPaths = (environment?: string) =>
    workloadTargetPaths(project, environment === undefined ? { workload: 'api' } : { workload: 'api', environment }, (abs) => repository.relative(abs));

  before(async () => {
    repo = await createTempRepo({
      'gitopshq.yaml': MANIFEST,
      'charts/api/Chart.yaml': 'name: api\n',
      'charts/api/values.yaml': 'replicas: 1\n',
      'values/base/api.yaml': 'image:\n  tag: "1.0"\nreplicas: 1\n',
      'values/staging/api.yaml': 'env: staging\nlevel: info\n',
      'values/production/api.yaml': 'env: production\n',
      '.gitopshq/variables.yaml': 'repo: {}\n',
      'README.md': 'hello\n',
    });
    shas.c1 = (await repo.git('rev-parse', 'HEAD')).trim();
    shas.c2 = await repo.commit('Bump base tag', { 'values/base/api.yaml': 'image:\n  tag: "1.1"\nreplicas: 1\n' }, { ...DANA, date: '2026-11-20T10:00:00Z' });
    shas.c3 = await repo.commit('Staging debug', { 'values/staging/api.yaml': 'env: staging\nlevel: debug\n' }, { ...DANA, date: '2026-11-21T10:00:00Z' });
    shas.c4 = await repo.commit('Production only', { 'values/production/api.yaml': 'env: production\nreplicas: 3\n' }, { ...DANA, date: '2026-11-22T10:00:00Z' });
    shas.readme = await repo.commit('Docs', { 'README.md': 'hello again\n' });
    // staging runs c3's content; production runs the initial content.
    await deploy(repo, 'staging', shas.c3, ['values/base/api.yaml', 'values/staging/api.yaml']);
    await deploy(repo, 'production', shas.c1, ['values/production/api.yaml']);
    const manifest = parseManifest(MANIFEST, path.join(repo.dir, 'gitopshq.yaml'));
    assert.ok(manifest.project, JSON.stringify(manifest.problems));
    project = manifest.project;
    repository = (await GitRepository.open(repo.dir))!;
    browser = new HistoryBrowser(new GitHistory(repository), async () => new Map([...(await repository.deployedBranches())].map(([k, v]) => [k, v.sha])));
  });
  after(() => repo.cleanup());

  it('lists the commits that touched a workload’s files, newest first, without others', async () => {
    const { entries, more } = await browser.page(query(targetPaths()));
    assert.deepEqual(entries.map((e) => e.sha), [shas.c4, shas.c3, shas.c2, shas.c1]);
    assert.equal(more, false);
    assert.deepEqual(entries[0]?.author, DANA);
    assert.equal(entries[0]?.subject, 'Production only');
    assert.equal(Date.parse(entries[0]!.date), Date.parse('2026-11-22T10:00:00Z'));
    assert.deepEqual(entries[0]?.files.map((f) => [f.path, f.status]), [['values/production/api.yaml', 'modified']]);
  });

  it('limits the paths to one environment', async () => {
    const { entries } = await browser.page(query(targetPaths('staging')));
    assert.deepEqual(entries.map((e) => e.sha), [shas.c3, shas.c2, shas.c1]);
  });

  it('pages with skip and limit, and says when there is more', async () => {
    const first = await browser.page(query(targetPaths()), { limit: 3 });
    const second = await browser.page(query(targetPaths()), { skip: 3, limit: 3 });
    assert.deepEqual(first.entries.map((e) => e.sha), [shas.c4, shas.c3, shas.c2]);
    assert.equal(first.more, true);
    assert.deepEqual(second.entries.map((e) => e.sha), [shas.c1]);
    assert.equal(second.more, false);
  });

  it('badges each commit with where its change is deployed, by content', async () => {
    const { entries } = await browser.page(query(targetPaths()));
    const text = (sha: string) => badgeText(entries.find((e) => e.sha === sha)!.badges, ORDER);
    assert.equal(text(shas.c4!), 'production pending');
    assert.equal(text(shas.c3!), 'staging ✓');
    assert.equal(text(shas.c2!), 'staging ✓ · production pending', 'a base layer affects both environments');
  });

  it('counts a later content as deployed, and follows a new deploy', async () => {
    shas.c5 = await repo.commit('Bump base tag again', { 'values/base/api.yaml': 'image:\n  tag: "1.2"\nreplicas: 1\n' });
    let { entries } = await browser.page(query(targetPaths()));
    assert.equal(entries[0]?.sha, shas.c5);
    assert.equal(badgeText(entries[0]!.badges, ORDER), 'staging pending · production pending');
    await deploy(repo, 'production', shas.c5, ['values/base/api.yaml', 'values/production/api.yaml']);
    repository.invalidate();
    ({ entries } = await browser.page(query(targetPaths())));
    const text = (sha: string) => badgeText(entries.find((e) => e.sha === sha)!.badges, ORDER);
    assert.equal(text(shas.c5!), 'staging pending · production ✓');
    assert.equal(text(shas.c2!), 'staging ✓ · production ✓', 'production holds a later content of the base layer');
    assert.equal(text(shas.c4!), 'production ✓');
  });

  it('attributes commits to the release cut from them or that carried them', async () => {
    const release = (id: string, head: string, paths: string[], state: Release['state'], createdAt: string) =>
      ({ id, title: `Release ${id}`, head, state, createdAt, environment: 'staging', tenants: ['acme'], changes: paths.map((p) => ({ path: p, blob: null })) }) as unknown as Release;
    const releases = [
      release('rel_STAGING', shas.c3!, ['values/staging/api.yaml', 'values/base/api.yaml'], 'deployed', '2026-11-21T11:00:00Z'),
      release('rel_PROD', shas.c4!, ['values/production/api.yaml'], 'pending_approval', '2026-11-22T11:00:00Z'),
    ];
    const { entries } = await browser.page(query(targetPaths(), releases));
    const of = (sha: string) => entries.find((e) => e.sha === sha)?.release?.id;
    assert.equal(of(shas.c4!), 'rel_PROD', 'the head commit carries its release');
    assert.equal(of(shas.c3!), 'rel_STAGING');
    assert.equal(of(shas.c2!), 'rel_STAGING', 'an earlier commit the release includes, on one of its paths');
    assert.equal(of(shas.c5!), undefined, 'a commit after every head is in no release');
  });

  it('blames a line changed by several commits, and caches per file revision', async () => {
    const file = path.join(repo.dir, 'values/base/api.yaml');
    const answer = await browser.blame(file, 'values/base/api.yaml', 1, { placementsOf: query([]).placementsOf, releases: [] });
    assert.equal(answer?.line.sha, shas.c5, 'the tag line was last changed by the newest bump');
    assert.equal(answer?.entry?.subject, 'Bump base tag again');
    assert.equal(badgeText(answer!.entry!.badges, ORDER), 'staging pending · production ✓');
    const unchanged = await browser.blame(file, 'values/base/api.yaml', 2, { placementsOf: query([]).placementsOf, releases: [] });
    assert.equal(unchanged?.line.sha, shas.c1);
    assert.equal(badgeText(unchanged!.entry!.badges, ORDER), 'staging ✓ · production ✓');
    const started = performance.now();
    const again = await browser.blame(file, 'values/base/api.yaml', 1, { placementsOf: query([]).placementsOf, releases: [] });
    assert.equal(again?.line.sha, shas.c5);
    assert.ok(performance.now() - started < 50, 'cached');
  });

  it('says a line is not committed yet, and sees the file change on disk', async () => {
    const file = path.join(repo.dir, 'values/staging/api.yaml');
    await writeFile(file, 'env: staging\nlevel: debug\nextra: 1\n');
    const answer = await browser.blame(file, 'values/staging/api.yaml', 2, { placementsOf: query([]).placementsOf, releases: [] });
    assert.equal(answer?.line.uncommitted, true);
    assert.equal(answer?.entry, undefined);
    const committed = await browser.blame(file, 'values/staging/api.yaml', 1, { placementsOf: query([]).placementsOf, releases: [] });
    assert.equal(committed?.line.sha, shas.c3);
    await repo.git('checkout', '--', 'values/staging/api.yaml');
  });

  it('follows a renamed file', async () => {
    const renamed = 'values/common/api.yaml';
    const text = await repo.git('show', 'HEAD:values/base/api.yaml');
    shas.rename = await repo.commit('Move the base layer', { 'values/base/api.yaml': null, [renamed]: text });
    const { entries } = await browser.page(query([renamed], [], true));
    assert.deepEqual(entries.map((e) => e.sha), [shas.rename, shas.c5, shas.c2, shas.c1]);
    assert.equal(entries[0]?.files[0]?.status, 'renamed');
    assert.equal(entries[0]?.files[0]?.oldPath, 'values/base/api.yaml');
    const blamed = await browser.blame(path.join(repo.dir, renamed), renamed, 1, { placementsOf: query([]).placementsOf, releases: [] });
    assert.equal(blamed?.line.sha, shas.c5, 'blame crosses the rename');
    assert.equal(blamed?.line.filename, 'values/base/api.yaml');
  });

  it('cancels a page when the caller moves on', async () => {
    const controller = new AbortController();
    const fresh = new HistoryBrowser(new GitHistory(repository), async () => new Map());
    const pending = fresh.page(query(['values/production/api.yaml']), { signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, (err: unknown) => GitOpsHqError.is(err, 'cancelled'));
    // The next call is not poisoned by the cancelled one.
    const { entries } = await fresh.page(query(['values/production/api.yaml']));
    assert.equal(entries.length, 2);
  });

  it('reads a file at a commit, and nothing for a path that does not exist there', async () => {
    const history = new GitHistory(repository);
    assert.equal(await history.show(shas.c2!, 'values/base/api.yaml'), 'image:\n  tag: "1.1"\nreplicas: 1\n');
    assert.equal(await history.show(shas.c1!, 'values/nope.yaml'), undefined);
    const refs = await history.refs();
    assert.equal(refs.main?.name, 'main');
    assert.deepEqual(refs.deployed.map((d) => `${d.tenant}/${d.environment}`), ['acme/production', 'acme/staging']);
  });
});

describe('HistoryBrowser paging on a long history', () => {
  let repo: TempRepo;
  before(async () => {
    repo = await createTempRepo({ 'v.yaml': 'n: 0\n' });
    // 450 commits via fast-import: a page is 200.
    const chunks: string[] = [];
    const head = (await repo.git('rev-parse', 'HEAD')).trim();
    for (let n = 1; n <= 450; n++) {
      const text = `n: ${n}\n`;
      chunks.push(`commit refs/heads/main\ncommitter T <t@x> ${1_700_000_000 + n} +0000\ndata 3\nc${String(n % 100).padStart(2, '0')}\n`);
      chunks.push(n === 1 ? `from ${head}\n` : '');
      chunks.push(`M 100644 inline v.yaml\ndata ${text.length}\n${text}\n`);
    }
    await runGitWithInput(repo.dir, ['fast-import', '--quiet'], chunks.join(''));
  });
  after(() => repo.cleanup());

  it('pages 200 at a time to the first commit', async () => {
    const repository = (await GitRepository.open(repo.dir))!;
    const browser = new HistoryBrowser(new GitHistory(repository), async () => new Map());
    const q = { paths: ['v.yaml'], releases: [], placementsOf: () => [] };
    const pages = [await browser.page(q), await browser.page(q, { skip: 200 }), await browser.page(q, { skip: 400 })];
    assert.deepEqual(pages.map((p) => p.entries.length), [200, 200, 51]);
    assert.deepEqual(pages.map((p) => p.more), [true, true, false]);
    const all = pages.flatMap((p) => p.entries.map((e) => e.sha));
    assert.equal(new Set(all).size, 451);
    const log = (await repo.git('log', '--format=%H')).trim().split('\n');
    assert.deepEqual(all, log);
  });
});

async function runGitWithInput(cwd: string, args: string[], input: string): Promise<void> {
  const { spawn } = await import('node:child_process');
  await new Promise<void>((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(err))));
    child.stdin.end(input);
  });
}
