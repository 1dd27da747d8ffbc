import * as assert from 'node:assert/strict';
import { cachedCompletionDetail, completionDetail, completionKeys, valuesFileContext, variableRows } from '../../../../src/core/language/variableInfo';
import { ProjectIndex } from '../../../../src/core/model/projectIndex';
import { SECRET_MASK } from '../../../../src/core/types';
import { MemoryFileSystem } from '../../../support/memoryFileSystem';

const P = '/ws/shop';

function files(variables: string): Record<string, string> {
  return {
    [`${P}/gitopshq.yaml`]: `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: Shop, slug: shop }
spec:
  environments: [{ name: dev }, { name: production }]
  tenants: [acme, globex]
  workloads:
    - name: web
      chart: charts/web
      values:
        - values/base/{workload}.yaml
        - values/{env}/{workload}.yaml
`,
    [`${P}/.gitopshq/variables.yaml`]: variables,
    [`${P}/charts/web/Chart.yaml`]: 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
    [`${P}/charts/web/values.yaml`]: 'pool: 1\n',
    [`${P}/values/base/web.yaml`]: 'pool: "{{ hq.var.POOL }}"\n',
    [`${P}/values/dev/web.yaml`]: 'host: "{{hq.var.HOST}}"\n',
  };
}

const VARIABLES = 'repo:\n  HOST: shop.example.com\n  POOL: 20\n  TOKEN: { value: t0k3n-value, secret: true }\nenv:\n  production:\n    POOL: 200\ntenant:\n  acme:\n    REGION: eu\n';

describe('cachedCompletionDetail', () => {
  it('gives completionDetail(variableRows(...)) for every key, pinned or not, in every file', async () => {
    const index = new ProjectIndex(new MemoryFileSystem(files(VARIABLES)));
    await index.scan(['/ws']);
    const variables = index.variables('shop');
    for (const file of [`${P}/values/base/web.yaml`, `${P}/values/dev/web.yaml`, `${P}/charts/web/values.yaml`]) {
      const context = valuesFileContext(index, 'shop', file);
      assert.ok(context);
      for (const pinned of [undefined, 'repo', 'env', 'tenant', 'svc'] as const) {
        for (const key of [...completionKeys(variables, pinned), 'UNKNOWN']) {
          // Twice: the second answer comes from the cache.
          for (let i = 0; i < 2; i++) assert.equal(cachedCompletionDetail(variables, context, key, pinned), completionDetail(variableRows(variables, context, key, pinned)), `${file} ${pinned} ${key}`);
        }
      }
    }
    assert.equal(cachedCompletionDetail(variables, valuesFileContext(index, 'shop', `${P}/values/dev/web.yaml`)!, 'TOKEN'), `dev: ${SECRET_MASK}`);
  });

  it('survives an edit of a values file and follows a change of the variables file', async () => {
    const mem = new MemoryFileSystem(files(VARIABLES));
    const index = new ProjectIndex(mem);
    await index.scan(['/ws']);
    const file = `${P}/values/base/web.yaml`;
    const before = index.variables('shop');
    assert.equal(cachedCompletionDetail(before, valuesFileContext(index, 'shop', file)!, 'POOL'), 'dev: 20 · production: 200');
    await index.fileChanged(file, 'pool: "{{ hq.var.POOL }}"\nextra: 1\n');
    assert.equal(index.variables('shop'), before, 'a values edit keeps the VariableSet (the cache key)');
    await index.fileChanged(`${P}/.gitopshq/variables.yaml`, VARIABLES.replace('POOL: 200', 'POOL: 300'));
    const after = index.variables('shop');
    assert.notEqual(after, before);
    assert.equal(cachedCompletionDetail(after, valuesFileContext(index, 'shop', file)!, 'POOL'), 'dev: 20 · production: 300');
  });
});
