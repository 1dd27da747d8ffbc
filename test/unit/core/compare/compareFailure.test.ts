// Comparing environments when one workload's values cannot be computed: that workload is an error
// finding and an empty row, every other workload is still compared.
//
// No real input makes the values computation throw any more (hostile YAML is capped by the
// parsers), so the test throws where compare consumes the index: effective() of one workload.
import * as assert from 'node:assert/strict';
import { compareEnvironments } from '../../../../src/core/compare/compare';
import type { EffectiveValues } from '../../../../src/core/values/effective';
import { ProjectIndex } from '../../../../src/core/model/projectIndex';
import { MemoryFileSystem } from '../../../support/memoryFileSystem';

const MANIFEST = `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: shop, slug: shop }
spec:
  environments: [{ name: dev }, { name: prod }]
  workloads:
    - { name: api, chart: charts/c, values: "values/{env}/{workload}.yaml" }
    - { name: web, chart: charts/c, values: "values/{env}/{workload}.yaml" }
`;

class FailingIndex extends ProjectIndex {
  override effective(slug: string, workload: string, environment: string, tenant?: string): EffectiveValues {
    if (workload === 'api' && environment === 'prod') throw new RangeError('Invalid array length');
    return super.effective(slug, workload, environment, tenant);
  }
}

describe('compare: a workload that cannot be computed', () => {
  for (const raw of [false, true]) {
    it(`${raw ? 'raw' : 'effective'}: a compare-failed error for it, the other workloads compared`, async () => {
      const index = new FailingIndex(
        new MemoryFileSystem({
          '/ws/shop/gitopshq.yaml': MANIFEST,
          '/ws/shop/charts/c/values.yaml': 'replicaCount: 1\n',
          '/ws/shop/values/dev/api.yaml': 'replicaCount: 2\n',
          '/ws/shop/values/prod/api.yaml': 'replicaCount: 3\n',
          '/ws/shop/values/dev/web.yaml': 'replicaCount: 4\n',
          '/ws/shop/values/prod/web.yaml': 'replicaCount: 5\n',
        }),
      );
      await index.scan(['/ws']);
      const result = compareEnvironments(index, { project: 'shop', source: 'dev', target: 'prod', raw });
      assert.deepEqual(
        result.workloads.map((w) => [w.name, w.bound, w.differences.map((d) => [d.path, d.source, d.target])]),
        [
          ['api', { source: true, target: true }, []],
          ['web', { source: true, target: true }, [['replicaCount', 4, 5]]],
        ],
      );
      assert.deepEqual(result.findings, [
        { severity: 'error', code: 'compare-failed', workload: 'api', message: 'Workload "api" could not be compared: Invalid array length' },
      ]);
      assert.deepEqual(result.summary.findings, { error: 1, warning: 0, info: 0 });
    });
  }
});
