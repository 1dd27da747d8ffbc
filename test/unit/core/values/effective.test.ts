import * as assert from 'node:assert/strict';
import { computeEffective, imageTag } from '../../../../src/core/values/effective';
import { chartSchemaFile, chartValuesFile, expandLayer, layerEntries, layerFiles } from '../../../../src/core/values/layers';
import { parseManifest } from '../../../../src/core/model/manifest';
import { SECRET_MASK, type Project } from '../../../../src/core/types';
import { parseVariables, VariableSet } from '../../../../src/core/model/variables';
import { parseValuesFile } from '../../../../src/core/yaml/valuesReader';

const ROOT = '/repo';

const MANIFEST = `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: Payments, slug: payments }
spec:
  environments:
    - name: dev
    - name: production
  tenants: [acme, globex]
  workloads:
    - name: api
      chart: charts/api
      values:
        - values/base/{workload}.yaml
        - values/{env}/{workload}.yaml
        - values/{env}/{tenant}/{workload}.yaml
`;

const VARIABLES = `repo:
  REGISTRY: registry.example.com
  LEVEL: info
  REPLICAS: 1
  API_KEY: { secret: true }
  DB_PASSWORD: { value: hunter2, secret: true }
env:
  production:
    LEVEL: warn
    REPLICAS: 3
tenant:
  acme:
    LEVEL: error
    REGION: eu-west-1
svc:
  acme:
    production:
      api: { REPLICAS: 8, ENABLED: true }
`;

function project(): Project {
  const result = parseManifest(MANIFEST, `${ROOT}/gitopshq.yaml`);
  assert.ok(result.project, JSON.stringify(result.problems));
  return result.project;
}

function variables(p: Project): VariableSet {
  const result = parseVariables(VARIABLES, `${ROOT}/.gitopshq/variables.yaml`, p);
  assert.deepEqual(result.problems, []);
  return result.variables;
}

const CHART = 'replicaCount: 1\nimage:\n  repository: nginx\n  tag: "1.0"\nlogLevel: info\n';
const BASE = 'image:\n  repository: "{{ hq.var.REGISTRY }}/api"\nlogLevel: "{{hq.var.LEVEL}}"\n';
const ENV = '# production\nreplicaCount: "{{ hq.var.REPLICAS }}"\nimage:\n  tag: "2.0"\n';
const TENANT = 'region: "{{hq.var.REGION}}"\npinned: "{{ hq.var.env.LEVEL }}"\nrepoLevel: "{{hq.var.repo.LEVEL}}"\n';

function compute(tenant: string, environment: string, files: { chart?: string; base?: string; env?: string; tenant?: string }) {
  const p = project();
  return computeEffective({
    chart: files.chart === undefined ? undefined : parseValuesFile(files.chart, `${ROOT}/charts/api/values.yaml`, -1),
    layers: [
      files.base === undefined ? undefined : parseValuesFile(files.base, `${ROOT}/values/base/api.yaml`, 0),
      files.env === undefined ? undefined : parseValuesFile(files.env, `${ROOT}/values/${environment}/api.yaml`, 1),
      files.tenant === undefined ? undefined : parseValuesFile(files.tenant, `${ROOT}/values/${environment}/${tenant}/api.yaml`, 2),
    ],
    variables: variables(p),
    context: { environment, tenant, workload: 'api' },
  });
}

describe('effective values', () => {
  it('merges the chart and the layers, then substitutes variables with their types', () => {
    const result = compute('globex', 'production', { chart: CHART, base: BASE, env: ENV });
    assert.deepEqual(result.values, {
      replicaCount: 3,
      image: { repository: 'registry.example.com/api', tag: '2.0' },
      logLevel: 'warn',
    });
    assert.equal(result.bound, true);
    assert.deepEqual(result.unresolved, []);
    assert.deepEqual(result.secretPaths, []);
  });

  it('resolves by precedence svc > tenant > env > repo, and pinned scopes in their scope only', () => {
    const all = { chart: CHART, base: BASE, env: ENV, tenant: TENANT };
    const acmeProd = compute('acme', 'production', all).values;
    assert.equal(acmeProd['replicaCount'], 8, 'svc wins');
    assert.equal(acmeProd['logLevel'], 'error', 'tenant beats env');
    assert.equal(acmeProd['region'], 'eu-west-1');
    assert.equal(acmeProd['pinned'], 'warn', 'pinned to env');
    assert.equal(acmeProd['repoLevel'], 'info', 'pinned to repo');

    const globexProd = compute('globex', 'production', all);
    assert.equal(globexProd.values['replicaCount'], 3, 'env beats repo');
    assert.equal(globexProd.values['logLevel'], 'warn');
    assert.deepEqual(globexProd.unresolved, ['{{hq.var.REGION}}'], 'globex has no REGION');
    assert.equal(globexProd.values['region'], '{{hq.var.REGION}}');

    const acmeDev = compute('acme', 'dev', { base: BASE, env: 'replicaCount: "{{ hq.var.REPLICAS }}"\npinned: "{{ hq.var.env.LEVEL }}"\n' });
    assert.equal(acmeDev.values['replicaCount'], 1, 'repo');
    assert.equal(acmeDev.values['pinned'], '{{ hq.var.env.LEVEL }}', 'dev defines no env LEVEL');
    assert.deepEqual(acmeDev.unresolved, ['{{ hq.var.env.LEVEL }}']);
  });

  it('masks secrets and lists their paths', () => {
    const result = compute('acme', 'dev', {
      base: 'apiKey: "{{hq.var.API_KEY}}"\ndb:\n  url: "postgres://app:{{ hq.var.DB_PASSWORD }}@db/app"\nlist: ["{{hq.var.API_KEY}}"]\n',
    });
    assert.deepEqual(result.values, { apiKey: SECRET_MASK, db: { url: `postgres://app:${SECRET_MASK}@db/app` }, list: [SECRET_MASK] });
    assert.deepEqual(result.secretPaths, ['apiKey', 'db.url', 'list[0]']);
    assert.ok(!JSON.stringify(result.values).includes('hunter2'));
  });

  it('substitutes values only, never keys', () => {
    const result = compute('acme', 'dev', { base: '"{{hq.var.LEVEL}}": "{{hq.var.LEVEL}}"\n' });
    assert.deepEqual(result.values, { '{{hq.var.LEVEL}}': 'error' });
  });

  it('lists each unresolved placeholder once, malformed forms included', () => {
    const result = compute('acme', 'dev', { base: 'a: "{{hq.var.NOPE}}"\nb: "x-{{hq.var.NOPE}}"\nc: "{{ hq.var.bad.SCOPE }}"\n' });
    assert.deepEqual(result.unresolved, ['{{hq.var.NOPE}}', '{{ hq.var.bad.SCOPE }}']);
  });

  it('records the file, line, column and layer of every value', () => {
    const result = compute('acme', 'production', { chart: CHART, base: BASE, env: ENV, tenant: TENANT });
    assert.deepEqual(result.sources.get('image.tag'), { file: `${ROOT}/values/production/api.yaml`, line: 3, character: 7, layer: 1 });
    assert.deepEqual(result.sources.get('image.repository'), { file: `${ROOT}/values/base/api.yaml`, line: 1, character: 14, layer: 0 });
    assert.deepEqual(result.sources.get('replicaCount'), { file: `${ROOT}/values/production/api.yaml`, line: 1, character: 14, layer: 1 });
    assert.deepEqual(result.sources.get('region'), { file: `${ROOT}/values/production/acme/api.yaml`, line: 0, character: 8, layer: 2 });
    assert.deepEqual(result.sources.get('image'), { file: `${ROOT}/values/production/api.yaml`, line: 3, character: 2, layer: 1 });
  });

  it('labels a file with the layer it plays for this workload', () => {
    const p = project();
    const shared = parseValuesFile('a: 1\n', `${ROOT}/values/common.yaml`, 0);
    const result = computeEffective({ layers: [undefined, shared], variables: variables(p), context: { environment: 'dev', tenant: 'acme', workload: 'api' } });
    assert.equal(result.sources.get('a')?.layer, 1);
  });

  it('is not bound when every layer is missing, and still shows the chart defaults', () => {
    const result = compute('acme', 'dev', { chart: CHART });
    assert.equal(result.bound, false);
    assert.equal(result.values['replicaCount'], 1);
  });

  it('shares unchanged subtrees and never changes the parsed layers', () => {
    const base = parseValuesFile('a: { b: "{{hq.var.LEVEL}}" }\nc: { d: 1 }\n', `${ROOT}/values/base/api.yaml`, 0);
    const before = JSON.stringify(base.value);
    const p = project();
    computeEffective({ layers: [base], variables: variables(p), context: { environment: 'dev', tenant: 'acme', workload: 'api' } });
    assert.equal(JSON.stringify(base.value), before);
  });

  describe('imageTag', () => {
    it('reads image.tag, as text', () => {
      assert.equal(imageTag({ image: { repository: 'nginx', tag: '1.25.3' } }), '1.25.3');
      assert.equal(imageTag({ image: { tag: 42 } }), '42');
      assert.equal(imageTag({ image: { tag: '' } }), undefined);
      assert.equal(imageTag({ image: { tag: null } }), undefined);
      assert.equal(imageTag({ image: { repository: 'nginx' } }), undefined);
    });

    it('reads the tag of an image reference written as one string', () => {
      assert.equal(imageTag({ image: 'nginx:1.25' }), '1.25');
      assert.equal(imageTag({ image: 'registry.example.com:5000/team/app:2.0.1' }), '2.0.1');
      assert.equal(imageTag({ image: 'registry.example.com:5000/team/app' }), undefined);
      assert.equal(imageTag({ image: 'app:1.0@sha256:abcdef' }), '1.0');
      assert.equal(imageTag({ image: 'app@sha256:abcdef' }), undefined);
      assert.equal(imageTag({ image: 'nginx' }), undefined);
    });

    it('is undefined without an image', () => {
      assert.equal(imageTag({}), undefined);
      assert.equal(imageTag(undefined), undefined);
      assert.equal(imageTag({ image: ['x'] }), undefined);
    });
  });

  describe('layers', () => {
    it('expands the tokens of every template under the project root', () => {
      const p = project();
      const wl = p.workloads[0]!;
      assert.deepEqual(layerFiles(p, wl, 'dev', 'acme'), [
        `${ROOT}/values/base/api.yaml`,
        `${ROOT}/values/dev/api.yaml`,
        `${ROOT}/values/dev/acme/api.yaml`,
      ]);
      assert.equal(chartValuesFile(p, wl), `${ROOT}/charts/api/values.yaml`);
      assert.equal(chartSchemaFile(p, wl), `${ROOT}/charts/api/values.schema.json`);
      assert.equal(expandLayer('{env}/{env}-{tenant}/{workload}.yaml', { environment: 'e', tenant: 't', workload: 'w' }), 'e/e-t/w.yaml');
    });

    it('counts a file that two templates name once, at the first', () => {
      const p = project();
      const wl = { ...p.workloads[0]!, values: ['values/{env}.yaml', 'values/common.yaml', 'values/dev.yaml'] };
      assert.deepEqual(layerEntries(p, wl, 'dev', 'acme'), [
        { file: `${ROOT}/values/dev.yaml`, layer: 0 },
        { file: `${ROOT}/values/common.yaml`, layer: 1 },
      ]);
    });
  });
});
