// The release workflow in plain Node, on real Git repositories: create, approve, deploy and roll back
// through infra's ReleaseGit and ReleaseTrust, the release files read back with infra's reader, and
// the refusals that must leave the repository as it was.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { GitOpsHqError, type ErrorKind } from '../../../../src/core/errors';
import { nullLogger } from '../../../../src/core/logger';
import type { ReleaseStorePort } from '../../../../src/core/release/ports';
import { RELEASES_DIR, releaseFilePath } from '../../../../src/core/release/releaseFile';
import type { Identity } from '../../../../src/core/release/types';
import { ReleaseWorkflow } from '../../../../src/core/release/workflow';
import type { Problem, Project } from '../../../../src/core/types';
import { readReleaseDir, readReleaseEntry, type ReleaseEntry } from '../../../../src/infra/fs/releaseFiles';
import { ValuesParser } from '../../../../src/infra/fs/valuesParser';
import { GitRepository } from '../../../../src/infra/git/gitRepository';
import { ReleaseGit } from '../../../../src/infra/git/releaseGit';
import { ReleaseTrust } from '../../../../src/infra/git/releaseTrust';
import { isolateGitConfig } from '../../../support/gitConfigIsolation';
import { createTempRepo, runGit, type TempRepo } from '../../../support/tempGitRepo';

const DANA: Identity = { name: 'Dana Deployer', email: 'dana@example.com' };
const SAM: Identity = { name: 'Sam Reviewer', email: 'sam@example.com' };
const SLUG = 'pay';
const LAYER = 'values/staging/api.yaml';

const FILES = {
  'gitopshq.yaml': 'apiVersion: gitopshq.io/v1alpha1\nkind: Project\n',
  'charts/api/Chart.yaml': 'name: api\nversion: 1.0.0\n',
  [LAYER]: 'replicas: 2\n',
  '.gitopshq/variables.yaml': 'repo:\n  LOG_LEVEL: info\n',
};

function projectAt(root: string): Project {
  const approval = { required: 1, approvers: ['team:sre'], requesterCanApprove: false };
  return {
    root,
    manifestPath: path.join(root, 'gitopshq.yaml'),
    name: 'Pay',
    slug: SLUG,
    environments: [{ name: 'staging', approval }],
    tenants: ['acme', 'globex'],
    tenantsDeclared: true,
    teams: { sre: [SAM.email] },
    variablesPath: path.join(root, '.gitopshq', 'variables.yaml'),
    workloads: [{ name: 'api', chart: 'charts/api', values: ['values/{env}/{workload}.yaml'], kube: { kind: 'Deployment', name: 'api', selector: {} } }],
  };
}

/** The release files of the one project, read from disk with infra's reader (what ReleaseStore does without the watcher). */
class FileStore implements ReleaseStorePort {
  files = new Map<string, ReleaseEntry>();
  constructor(private readonly root: string) {}
  async load(): Promise<void> {
    this.files = await readReleaseDir(SLUG, path.join(this.root, RELEASES_DIR), nullLogger);
  }
  entries(slug: string): ReleaseEntry[] {
    return slug === SLUG ? [...this.files.values()] : [];
  }
  async reload(_slug: string, file: string): Promise<ReleaseEntry | undefined> {
    const entry = await readReleaseEntry(SLUG, file, nullLogger);
    if (entry) this.files.set(file, entry);
    else this.files.delete(file);
    return entry;
  }
}

describe('ReleaseWorkflow (real Git)', function () {
  // Dozens of git processes per test on a shared 2-core machine.
  this.timeout(120_000);
  const cleanups: (() => Promise<void> | void)[] = [];
  isolateGitConfig();
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function setup(options: { git?: boolean } = {}) {
    const repo: TempRepo = await createTempRepo(FILES, options.git === false ? { noInit: true } : {});
    cleanups.push(repo.cleanup);
    if (options.git !== false) await as(repo, DANA);
    const project = projectAt(repo.dir);
    const store = new FileStore(repo.dir);
    await store.load();
    const parser = new ValuesParser();
    cleanups.push(() => parser.dispose());
    const published: { what: string; refs: string[] }[] = [];
    const changed: string[] = [];
    const workflow = new ReleaseWorkflow<ReleaseGit>({
      projects: { project: (slug) => (slug === SLUG ? project : undefined), projects: () => [{ project }] },
      logger: nullLogger,
      store,
      repository: async (p) => {
        const opened = await GitRepository.open(p.root, { trusted: false, refsMaxAgeMs: 0 });
        return opened && { repo: opened, git: await ReleaseGit.open(opened), trust: ReleaseTrust.open(opened) };
      },
      deployState: () => undefined,
      textJobs: () => parser,
      secretValues: () => [],
      requireSignedCommits: () => false,
      publish: async (_git, what, refs) => void published.push({ what, refs }),
      changed: (slug) => void changed.push(slug),
    });
    return { repo, project, store, workflow, published, changed };
  }

  async function as(repo: TempRepo, who: Identity): Promise<void> {
    await runGit(repo.dir, ['config', 'user.name', who.name]);
    await runGit(repo.dir, ['config', 'user.email', who.email]);
  }

  async function refused(promise: Promise<unknown>, kind: ErrorKind, message?: RegExp): Promise<void> {
    await assert.rejects(promise, (err) => GitOpsHqError.is(err, kind) && (!message || message.test((err as Error).message)));
  }

  const head = (repo: TempRepo) => repo.git('rev-parse', 'HEAD').then((s) => s.trim());

  it('offers the committed change of every tenant as a candidate, with its diff against the (empty) deployed side', async () => {
    const { workflow } = await setup();
    const views = await workflow.candidates(SLUG, 'staging', [], false);
    assert.deepEqual(views.map((v) => v.tenant), ['acme', 'globex']);
    for (const view of views) {
      assert.equal(view.deployed, null, 'never deployed');
      const layer = view.changes.find((c) => c.path === LAYER);
      assert.ok(layer, `${view.tenant} has the layer as a candidate`);
      assert.equal(layer.workload, 'api');
      assert.equal(layer.kind, 'layer');
      assert.equal(layer.status, 'added');
    }
    assert.deepEqual(await workflow.fileDiff(SLUG, LAYER, 'acme', 'staging', false), { before: '', after: 'replicas: 2\n' });
    await refused(workflow.fileDiff(SLUG, '.git/config', 'acme', 'staging', false), 'release-invalid', /only candidate changes/);
    await refused(workflow.candidates(SLUG, 'production', [], false), 'environment-not-found', /has no environment "production" \(it has staging\)/);
    await refused(workflow.candidates(SLUG, 'staging', ['initech'], false), 'tenant-not-found');
  });

  it('creates, approves (as another person), deploys and rolls back, each recorded as a commit', async () => {
    const { repo, project, store, workflow, published, changed } = await setup();
    const created = await workflow.create({ project: SLUG, environment: 'staging', title: 'Two replicas for api', notes: 'Load test', paths: [LAYER] });
    assert.equal(created.state, 'pending_approval');
    const file = releaseFilePath(project.root, created.id);
    assert.equal(store.files.get(file)?.release?.id, created.id, 'the store re-read the file it wrote');
    assert.match(await repo.git('log', '-1', '--format=%an %s'), new RegExp(`^Dana Deployer release\\(staging\\): Two replicas for api \\[${created.id}\\]`));
    assert.deepEqual(published, [{ what: 'the release "Two replicas for api"', refs: ['main'] }]);
    assert.ok(changed.includes(SLUG), 'the identity it read was announced');

    // Dana asked for it: she may not approve it; Sam may.
    await refused(workflow.act(SLUG, created.id, 'approve'), 'release-refused');
    assert.deepEqual(await workflow.allowed(SLUG, created.id), ['cancel']);
    await as(repo, SAM);
    assert.ok((await workflow.allowed(SLUG, created.id)).includes('approve'));
    assert.equal((await workflow.act(SLUG, created.id, 'approve', { comment: 'ok' })).state, 'approved');
    const trust = await workflow.trust(SLUG, created.id);
    assert.deepEqual(trust.report.approvals.map((a) => a.verified), [true], 'Git vouches for Sam\'s approval');
    assert.deepEqual(trust.report.problems, []);

    await as(repo, DANA);
    const before = await head(repo);
    assert.equal((await workflow.act(SLUG, created.id, 'deploy')).state, 'deployed');
    for (const tenant of ['acme', 'globex']) {
      const branch = `gitopshq/deployed/${tenant}/staging`;
      assert.equal(await repo.git('show', `${branch}:${LAYER}`), 'replicas: 2\n', `${branch} holds the released content`);
    }
    const deployed = workflow.release(SLUG, created.id);
    assert.equal(deployed?.state, 'deployed');
    assert.deepEqual(Object.keys(deployed?.deploy.commits ?? {}).sort(), ['acme', 'globex']);
    assert.equal((await repo.git('rev-parse', 'HEAD~1')).trim(), before, 'one commit records the deploy');
    assert.deepEqual(published.at(-1)?.refs.sort(), ['gitopshq/deployed/acme/staging', 'gitopshq/deployed/globex/staging', 'main']);
    assert.deepEqual((await repo.git('status', '--porcelain')).trim(), '', 'the working tree is untouched');

    // The first deploy has nothing earlier to restore; a later one puts back what the branches held before it.
    await refused(workflow.rollback(SLUG, created.id), 'release-refused', /first deploy/);
    await repo.commit('Three replicas', { [LAYER]: 'replicas: 3\n' }, DANA);
    const second = await workflow.create({ project: SLUG, environment: 'staging', title: 'Three replicas', notes: 'More load', tenants: ['acme'], paths: [LAYER] });
    await as(repo, SAM);
    await workflow.act(SLUG, second.id, 'approve');
    await as(repo, DANA);
    await workflow.act(SLUG, second.id, 'deploy');
    assert.equal(await repo.git('show', `gitopshq/deployed/acme/staging:${LAYER}`), 'replicas: 3\n');
    assert.equal(await repo.git('show', `gitopshq/deployed/globex/staging:${LAYER}`), 'replicas: 2\n', 'only acme was in the release');
    const rollback = await workflow.rollback(SLUG, second.id);
    assert.equal(rollback.state, 'pending_approval');
    const undo = workflow.release(SLUG, rollback.id);
    assert.equal(undo?.rollbackOf, second.id);
    assert.deepEqual(undo?.tenants, ['acme']);
    const previous = (await repo.git('rev-parse', `${deployed?.deploy.commits?.['acme']}:${LAYER}`)).trim();
    assert.deepEqual(undo?.changes.map((c) => [c.path, c.blob]), [[LAYER, previous]], 'the content of the first deploy');
  });

  it('refuses to record over an uncommitted edit of the release file, and changes nothing', async () => {
    const { repo, project, workflow } = await setup();
    const { id } = await workflow.create({ project: SLUG, environment: 'staging', title: 'Two replicas', notes: 'Load' });
    const file = path.relative(repo.dir, releaseFilePath(project.root, id)).split(path.sep).join('/');
    await repo.write({ [file]: (await repo.git('show', `HEAD:${file}`)).replace('Load', 'Edited by hand') });
    const before = await head(repo);
    await refused(workflow.act(SLUG, id, 'cancel'), 'git-dirty', /uncommitted changes/);
    assert.equal(await head(repo), before);
    assert.match(await repo.git('status', '--porcelain'), new RegExp(`^ M ${file.replace(/\./g, '\\.')}`));
  });

  it('says nothing is to be released when the deployed branches hold what main holds', async () => {
    const { repo, workflow } = await setup();
    await workflow.create({ project: SLUG, environment: 'staging', title: 'First', notes: 'All of it', tenants: ['acme'] }).then(async ({ id }) => {
      await as(repo, SAM);
      await workflow.act(SLUG, id, 'approve');
      await as(repo, DANA);
      await workflow.act(SLUG, id, 'deploy');
    });
    await refused(workflow.create({ project: SLUG, environment: 'staging', title: 'Again', notes: 'Nothing', tenants: ['acme'], paths: [LAYER] }), 'release-invalid', /has no change to release/);
  });

  it('needs a Git repository, and names the project it could not find', async () => {
    const { workflow } = await setup({ git: false });
    await refused(workflow.identity(SLUG), 'git-not-repository');
    await refused(workflow.identity('nope'), 'project-not-found', /^No GitOpsHQ project with slug "nope" is loaded\.$/);
  });

  it('publishes the problems of invalid release files, and clears them once fixed', async () => {
    const { repo, project, store, workflow } = await setup();
    const broken = path.join(project.root, RELEASES_DIR, 'rel_01BROKEN.yaml');
    await repo.write({ [`${RELEASES_DIR}/rel_01BROKEN.yaml`]: 'kind: Release\nid: [oops\n' });
    await store.load();
    const shown = new Map<string, Problem[]>();
    const diagnostics = { set: (file: string, problems: Problem[]) => void shown.set(file, problems), delete: (file: string) => void shown.delete(file) };
    workflow.publishProblems(diagnostics);
    assert.deepEqual([...shown.keys()], [broken]);
    assert.ok((shown.get(broken)?.length ?? 0) > 0);
    await repo.write({ [`${RELEASES_DIR}/rel_01BROKEN.yaml`]: null });
    await store.load();
    workflow.publishProblems(diagnostics);
    assert.equal(shown.size, 0);
  });
});
