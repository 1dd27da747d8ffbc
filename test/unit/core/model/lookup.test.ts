import * as assert from 'node:assert/strict';
import { GitOpsHqError } from '../../../../src/core/errors';
import {
  defaultTenant,
  findEnvironment,
  findProject,
  findTenant,
  findTenants,
  findWorkload,
  loadedProjects,
  projectOrFirst,
  type ProjectSource,
} from '../../../../src/core/model/lookup';
import type { Project } from '../../../../src/core/types';

function project(slug: string, tenants: string[], tenantsDeclared = true): Project {
  const approval = { required: 0, approvers: [], requesterCanApprove: true };
  return {
    root: `/repo/${slug}`,
    manifestPath: `/repo/${slug}/gitopshq.yaml`,
    name: slug,
    slug,
    environments: [{ name: 'dev', approval }, { name: 'staging', approval }, { name: 'production', approval }],
    tenants,
    tenantsDeclared,
    teams: {},
    variablesPath: `/repo/${slug}/.gitopshq/variables.yaml`,
    workloads: [{ name: 'api', chart: 'charts/api', values: ['values/{env}/api.yaml'], kube: { kind: 'Deployment', name: 'api', selector: {} } }],
  };
}

const payments = project('payments', ['acme', 'globex']);
const single = project('single', ['default'], false);

/** An index with a broken project (no parsed manifest) listed first. */
const source: ProjectSource = {
  project: (slug) => [payments, single].find((p) => p.slug === slug),
  projects: () => [{}, { project: payments }, { project: single }],
};
const empty: ProjectSource = { project: () => undefined, projects: () => [{}] };

function fails(fn: () => unknown, kind: string, message: RegExp): void {
  assert.throws(fn, (err) => GitOpsHqError.is(err, kind as never) && message.test((err as Error).message));
}

describe('lookup', () => {
  it('finds a project by slug, or fails with the one wording', () => {
    assert.equal(findProject(source, 'payments'), payments);
    fails(() => findProject(source, 'nope'), 'project-not-found', /^No GitOpsHQ project with slug "nope" is loaded\.$/);
  });

  it('lists the loaded projects and falls back to the first of them', () => {
    assert.deepEqual(loadedProjects(source).map((p) => p.slug), ['payments', 'single']);
    assert.equal(projectOrFirst(source, undefined), payments);
    assert.equal(projectOrFirst(source, 'single'), single);
    fails(() => projectOrFirst(source, 'nope'), 'project-not-found', /slug "nope"/);
    fails(() => projectOrFirst(empty, undefined), 'project-not-found', /^No GitOpsHQ project in this workspace\.$/);
  });

  it('finds an environment and a workload, naming what the project has when it fails', () => {
    assert.equal(findEnvironment(payments, 'staging').name, 'staging');
    fails(() => findEnvironment(payments, 'qa'), 'environment-not-found', /^Project payments has no environment "qa" \(it has dev, staging, production\)\.$/);
    assert.equal(findWorkload(payments, 'api').chart, 'charts/api');
    fails(() => findWorkload(payments, 'web'), 'workload-not-found', /^Project payments has no workload "web"\.$/);
  });

  it('defaults to the first tenant, and checks a given one', () => {
    assert.equal(defaultTenant(payments), 'acme');
    assert.equal(defaultTenant(single), 'default');
    assert.equal(defaultTenant({ ...payments, tenants: [] }), 'default');
    assert.equal(findTenant(payments), 'acme');
    assert.equal(findTenant(payments, 'globex'), 'globex');
    fails(() => findTenant(payments, 'initech'), 'tenant-not-found', /^Project payments has no tenant "initech" \(it has acme, globex\)\.$/);
  });

  it('checks tenant lists and keeps the project order; none means all', () => {
    assert.deepEqual(findTenants(payments, ['globex', 'acme']), ['acme', 'globex']);
    assert.deepEqual(findTenants(payments, undefined), ['acme', 'globex']);
    assert.deepEqual(findTenants(payments, []), ['acme', 'globex']);
    fails(() => findTenants(payments, ['acme', 'initech']), 'tenant-not-found', /"initech"/);
  });
});
