// The tree's error marks: a workload whose values cannot be computed is marked, and the workloads,
// environments and projects after it are still computed.
//
// No real input makes computeEffective throw any more (hostile YAML is capped by the parsers), so
// this test throws where the index's result is consumed: effective() of one workload.
import * as assert from 'node:assert/strict';
import { nullLogger, type Logger } from '../../../../src/core/logger';
import { ProjectIndex } from '../../../../src/core/model/projectIndex';
import type { EffectiveValues } from '../../../../src/core/values/effective';
import { WorkloadErrors } from '../../../../src/core/model/workloadErrors';
import { MemoryFileSystem } from '../../../support/memoryFileSystem';

const manifest = (slug: string) => `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: ${slug}, slug: ${slug} }
spec:
  environments: [{ name: dev }, { name: prod }]
  workloads:
    - { name: api, chart: charts/c, values: "values/{env}/{workload}.yaml" }
    - { name: web, chart: charts/c, values: "values/{env}/{workload}.yaml" }
    - { name: job, chart: charts/c, values: "values/{env}/{workload}.yaml" }
`;

function workspace(): MemoryFileSystem {
  const files: Record<string, string> = {};
  for (const slug of ['alpha', 'beta']) {
    files[`/ws/${slug}/gitopshq.yaml`] = manifest(slug);
    files[`/ws/${slug}/charts/c/values.yaml`] = 'replicaCount: 1\n';
    for (const env of ['dev', 'prod']) {
      files[`/ws/${slug}/values/${env}/api.yaml`] = 'replicaCount: 2\n';
      files[`/ws/${slug}/values/${env}/web.yaml`] = 'replicaCount: 2\n';
      files[`/ws/${slug}/values/${env}/job.yaml`] = 'image: "{{ hq.var.MISSING }}"\n';
    }
  }
  return new MemoryFileSystem(files);
}

/** An index whose effective values of alpha's api workload cannot be computed. */
class FailingIndex extends ProjectIndex {
  override effective(slug: string, workload: string, environment: string, tenant?: string): EffectiveValues {
    if (slug === 'alpha' && workload === 'api') throw new TypeError('Cannot read properties of undefined');
    return super.effective(slug, workload, environment, tenant);
  }
}

describe('WorkloadErrors', () => {
  it('a workload whose values cannot be computed is marked; the others, and the projects after it, are still known', async () => {
    const index = new FailingIndex(workspace());
    await index.scan(['/ws']);
    const logged: string[] = [];
    const logger: Logger = { ...nullLogger, error: (m: string | Error) => void logged.push(String(m)), child: () => logger };
    let computed = 0;
    const errors = new WorkloadErrors(index, () => computed++, () => Promise.resolve(), logger);
    const combos = [['alpha', 'dev'], ['alpha', 'prod'], ['beta', 'dev'], ['beta', 'prod']] as const;
    for (const [slug, env] of combos) assert.equal(errors.get(slug, env, 'default'), undefined);
    await errors.idle();
    assert.equal(computed, 1);
    assert.deepEqual(
      combos.map(([slug, env]) => errors.get(slug, env, 'default')),
      [['api', 'job'], ['api', 'job'], ['job'], ['job']],
    );
    assert.equal(logged.length, 2);
    assert.match(logged[0]!, /^Computing the values of alpha\/api in default\/dev failed$/);
  });
});
