import * as assert from 'node:assert/strict';
import { affectedPaths } from '../../../../src/core/release/affectedPaths';
import { project, relative } from './fixtures';

describe('affectedPaths', () => {
  it('layers of every workload for (env, tenant), chart folders and the variables file, sorted, each once', () => {
    assert.deepEqual(affectedPaths(project(), 'staging', 'acme', relative), [
      { path: 'pay/.gitopshq/variables.yaml', workloads: [], kind: 'variables' },
      { path: 'pay/charts/api', workload: 'api', workloads: ['api'], kind: 'chart' },
      { path: 'pay/charts/shared', workload: 'worker', workloads: ['worker', 'web'], kind: 'chart' },
      { path: 'pay/values/base/common.yaml', workload: 'api', workloads: ['api', 'worker'], kind: 'layer' },
      { path: 'pay/values/staging/acme/api.yaml', workload: 'api', workloads: ['api'], kind: 'layer' },
      { path: 'pay/values/staging/api.yaml', workload: 'api', workloads: ['api'], kind: 'layer' },
      { path: 'pay/values/staging/web.yaml', workload: 'web', workloads: ['web'], kind: 'layer' },
      { path: 'pay/values/staging/worker.yaml', workload: 'worker', workloads: ['worker'], kind: 'layer' },
    ]);
  });

  it('other tenants and environments get their own layers', () => {
    const paths = affectedPaths(project(), 'dev', 'globex', relative).map((a) => a.path);
    assert.ok(paths.includes('pay/values/dev/globex/api.yaml'));
    assert.ok(!paths.some((p) => p.includes('staging') || p.includes('acme')));
  });
});
