// Deploy states read from real repositories: deployed branches, drift on main, never deployed, no Git,
// and a repository that fails while the other projects are still read.
import * as assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { nullLogger, type Logger } from '../../../../src/core/logger';
import { deployStateKey, readDeployStates } from '../../../../src/core/model/deployStates';
import type { Project } from '../../../../src/core/types';
import { GitRepository } from '../../../../src/infra/git/gitRepository';
import { createTempRepo, type TempRepo } from '../../../support/tempGitRepo';

const LAYER = 'values/staging/api.yaml';
const FILES = { 'gitopshq.yaml': 'kind: Project\n', 'charts/api/Chart.yaml': 'name: api\n', [LAYER]: 'replicas: 2\n', 'values/dev/api.yaml': 'replicas: 1\n' };

function projectAt(root: string, slug: string): Project {
  const approval = { required: 0, approvers: [], requesterCanApprove: true };
  return {
    root,
    manifestPath: path.join(root, 'gitopshq.yaml'),
    name: slug,
    slug,
    environments: [{ name: 'dev', approval }, { name: 'staging', approval }],
    tenants: ['acme', 'globex'],
    tenantsDeclared: true,
    teams: {},
    variablesPath: path.join(root, '.gitopshq', 'variables.yaml'),
    workloads: [{ name: 'api', chart: 'charts/api', values: ['values/{env}/{workload}.yaml'], kube: { kind: 'Deployment', name: 'api', selector: {} } }],
  };
}

describe('readDeployStates (real Git)', function () {
  this.timeout(60_000);
  const repos: TempRepo[] = [];
  afterEach(async () => {
    for (const r of repos.splice(0)) await r.cleanup();
  });

  async function repo(noInit = false): Promise<TempRepo> {
    const r = await createTempRepo(FILES, noInit ? { noInit } : {});
    repos.push(r);
    return r;
  }

  const open = (p: Project) => GitRepository.open(p.root, { refsMaxAgeMs: 0 });

  it('reads the deployed tip and the drift of main per (tenant, environment)', async () => {
    const r = await repo();
    await r.git('branch', 'gitopshq/deployed/acme/staging');
    const deployedSha = (await r.git('rev-parse', 'HEAD')).trim();
    await r.commit('More replicas', { [LAYER]: 'replicas: 3\n', 'values/dev/api.yaml': 'replicas: 9\n' });
    const pay = projectAt(r.dir, 'pay');
    const { states, repos: seen } = await readDeployStates([pay], open, nullLogger);
    const acme = states.get(deployStateKey('pay', 'acme', 'staging'));
    assert.equal(acme?.kind, 'deployed');
    if (acme?.kind === 'deployed') {
      assert.equal(acme.deployed.sha, deployedSha);
      assert.equal(acme.deployed.branch, 'gitopshq/deployed/acme/staging');
      assert.deepEqual(acme.drift, [LAYER], 'only the paths that affect staging count');
    }
    for (const [tenant, env] of [['globex', 'staging'], ['acme', 'dev'], ['globex', 'dev']] as const) {
      assert.deepEqual(states.get(deployStateKey('pay', tenant, env)), { kind: 'never-deployed' }, `${tenant}/${env}`);
    }
    assert.equal(states.size, 4);
    assert.equal(seen.size, 1);
  });

  it('marks a project outside Git, and one whose Git fails, without losing the others', async () => {
    const plain = await repo(true);
    const broken = await repo();
    const good = await repo();
    await good.git('branch', 'gitopshq/deployed/globex/dev');
    const projects = [projectAt(plain.dir, 'plain'), projectAt(broken.dir, 'broken'), projectAt(good.dir, 'good')];
    const brokenRepo = await open(projects[1]!);
    assert.ok(brokenRepo);
    await rm(path.join(broken.dir, '.git'), { recursive: true, force: true });
    const warnings: string[] = [];
    const logger: Logger = { ...nullLogger, warn: (message: string) => void warnings.push(message) };
    const { states } = await readDeployStates(projects, async (p) => (p.slug === 'broken' ? brokenRepo : open(p)), logger);
    assert.deepEqual(states.get(deployStateKey('plain', 'acme', 'dev')), { kind: 'no-git' });
    const failed = states.get(deployStateKey('broken', 'globex', 'staging'));
    assert.equal(failed?.kind, 'error');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^Reading deployed branches of broken failed/);
    const goodState = states.get(deployStateKey('good', 'globex', 'dev'));
    assert.equal(goodState?.kind, 'deployed');
    if (goodState?.kind === 'deployed') assert.deepEqual(goodState.drift, []);
    assert.equal(states.size, 12);
  });
});
