import * as assert from 'node:assert/strict';
import { parseSchema, propertiesAt, schemaInfoAt, valueChoices, type JsonSchema } from '../../../../src/core/values/chartSchema';
import { keyCompletions, keyHoverMarkdown, keyRows, valueCompletions, yamlScalar } from '../../../../src/core/language/keyInfo';
import { valuesFileContext } from '../../../../src/core/language/variableInfo';
import { ProjectIndex } from '../../../../src/core/model/projectIndex';
import { SECRET_MASK } from '../../../../src/core/types';
import { MemoryFileSystem } from '../../../support/memoryFileSystem';

const SCHEMA = parseSchema(
  JSON.stringify({
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    required: ['image'],
    properties: {
      replicaCount: { type: 'integer', description: 'Pods <when> autoscaling is off.', default: 1 },
      image: {
        type: 'object',
        properties: {
          tag: { type: 'string', description: 'Image tag.' },
          pullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'], default: 'IfNotPresent' },
        },
      },
      resources: { $ref: '#/definitions/resources', description: 'Requests and limits.' },
      extraEnv: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, value: { type: 'string' } } } },
      tuple: { type: 'array', items: [{ type: 'object', properties: { first: { type: 'boolean' } } }], additionalItems: { properties: { rest: {} } } },
      probe: { allOf: [{ properties: { path: { type: 'string' } } }, { properties: { port: { type: ['integer', 'string'] } } }] },
      backend: { oneOf: [{ properties: { s3: { type: 'object' } } }, { properties: { gcs: { type: 'object' } } }] },
      debug: { type: 'boolean' },
      labels: { type: 'object', patternProperties: { '^app': { type: 'string', description: 'An app label.' } }, additionalProperties: { type: 'number' } },
    },
    definitions: {
      resources: { type: 'object', properties: { requests: { $ref: '#/definitions/cpuMemory' } } },
      cpuMemory: { type: 'object', properties: { cpu: { type: 'string', description: 'CPU quantity.' }, memory: { type: 'string' } } },
    },
  }),
) as JsonSchema;

describe('chartSchema', () => {
  it('lists properties through $ref, items, tuples and combinators', () => {
    assert.deepEqual(
      propertiesAt(SCHEMA, []).map((p) => p.key),
      ['replicaCount', 'image', 'resources', 'extraEnv', 'tuple', 'probe', 'backend', 'debug', 'labels'],
    );
    assert.deepEqual(
      propertiesAt(SCHEMA, ['resources', 'requests']).map((p) => [p.key, p.type, p.description]),
      [
        ['cpu', 'string', 'CPU quantity.'],
        ['memory', 'string', undefined],
      ],
    );
    assert.deepEqual(
      propertiesAt(SCHEMA, ['extraEnv', 3]).map((p) => [p.key, p.required]),
      [
        ['name', true],
        ['value', false],
      ],
    );
    assert.deepEqual(propertiesAt(SCHEMA, ['tuple', 0]).map((p) => p.key), ['first']);
    assert.deepEqual(propertiesAt(SCHEMA, ['tuple', 1]).map((p) => p.key), ['rest']);
    assert.deepEqual(propertiesAt(SCHEMA, ['probe']).map((p) => [p.key, p.type]), [
      ['path', 'string'],
      ['port', 'integer | string'],
    ]);
    assert.deepEqual(propertiesAt(SCHEMA, ['backend']).map((p) => [p.key, p.shape]), [
      ['s3', 'object'],
      ['gcs', 'object'],
    ]);
    assert.equal(schemaInfoAt(SCHEMA, ['labels', 'app.kubernetes.io/name'])?.description, 'An app label.');
    assert.equal(schemaInfoAt(SCHEMA, ['labels', 'team'])?.type, 'number');
    // The $ref's own description wins over the target's.
    assert.equal(schemaInfoAt(SCHEMA, ['resources'])?.description, 'Requests and limits.');
    assert.equal(schemaInfoAt(SCHEMA, ['nope']), undefined);
  });

  it('offers enum members and booleans as value choices', () => {
    assert.deepEqual(valueChoices(SCHEMA, ['image', 'pullPolicy']), ['Always', 'IfNotPresent', 'Never']);
    assert.deepEqual(valueChoices(SCHEMA, ['debug']), [true, false]);
    assert.deepEqual(valueChoices(SCHEMA, ['image', 'tag']), []);
    assert.equal(parseSchema('[1]'), undefined);
    assert.equal(parseSchema('{'), undefined);
  });
});

describe('keyCompletions', () => {
  it('offers schema keys with type, default, description and a snippet, then keys only the defaults have', () => {
    const items = keyCompletions({
      schema: SCHEMA,
      defaults: { replicaCount: 2, image: { tag: '1.0' }, nodeSelector: { a: 'b' }, extraEnv: [], custom: 'x' },
      parent: [],
      present: new Set(['debug', 'custom']),
    });
    const byKey = new Map(items.map((i) => [i.key, i]));
    assert.deepEqual([...byKey.keys()], ['replicaCount', 'image', 'resources', 'extraEnv', 'tuple', 'probe', 'backend', 'labels', 'nodeSelector']);
    assert.deepEqual(byKey.get('replicaCount'), {
      key: 'replicaCount',
      detail: 'integer · default 2',
      documentation: 'Pods &lt;when&gt; autoscaling is off.',
      snippet: 'replicaCount: $0',
      shape: 'scalar',
      sortText: '10000',
    });
    assert.equal(byKey.get('image')?.snippet, 'image:\n\t$0');
    assert.equal(byKey.get('image')?.sortText, '00001', 'required keys first');
    assert.equal(byKey.get('extraEnv')?.snippet, 'extraEnv:\n\t- $0');
    assert.equal(byKey.get('nodeSelector')?.detail, 'default {"a":"b"}');
    assert.equal(byKey.get('nodeSelector')?.snippet, 'nodeSelector:\n\t$0');
    assert.equal(byKey.get('nodeSelector')?.sortText.startsWith('2'), true);
  });

  it('follows the parent path, in lists too, and works without a schema', () => {
    assert.deepEqual(
      keyCompletions({ schema: SCHEMA, parent: ['image'], present: new Set(['tag']) }).map((i) => [i.key, i.detail, i.documentation]),
      [['pullPolicy', 'string · default IfNotPresent', 'Allowed: `Always`, `IfNotPresent`, `Never`']],
    );
    assert.deepEqual(keyCompletions({ schema: SCHEMA, parent: ['extraEnv', 0], present: new Set() }).map((i) => i.key), ['name', 'value']);
    assert.deepEqual(keyCompletions({ defaults: { a: { 'b.c': 1, d: true } }, parent: ['a'], present: new Set() }).map((i) => [i.key, i.snippet]), [
      ['b.c', 'b.c: $0'],
      ['d', 'd: $0'],
    ]);
    assert.deepEqual(keyCompletions({ defaults: { 'a b': 1 }, parent: [], present: new Set() })[0]?.snippet, '"a b": $0');
  });

  it('offers enum members and booleans for values, quoting strings YAML would read otherwise', () => {
    assert.deepEqual(valueCompletions(SCHEMA, ['image', 'pullPolicy']), [
      { label: 'Always', detail: 'string' },
      { label: 'IfNotPresent', detail: 'default' },
      { label: 'Never', detail: 'string' },
    ]);
    assert.deepEqual(valueCompletions(SCHEMA, ['debug']).map((v) => v.label), ['true', 'false']);
    assert.deepEqual(valueCompletions(undefined, ['debug']), []);
    assert.deepEqual(['yes', 'on', '1.0', '', 'a b', 'plain', 3, null].map(yamlScalar), ['"yes"', '"on"', '"1.0"', '""', '"a b"', 'plain', '3', 'null']);
  });
});

const P = '/ws/shop';

async function project() {
  const mem = new MemoryFileSystem({
    [`${P}/gitopshq.yaml`]: `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: Shop, slug: shop }
spec:
  environments:
    - name: dev
    - name: staging
    - name: production
  tenants: [acme, globex]
  workloads:
    - name: api
      chart: charts/api
      values:
        - values/base/{workload}.yaml
        - values/{env}/{workload}.yaml
        - values/{env}/{tenant}/{workload}.yaml
`,
    [`${P}/.gitopshq/variables.yaml`]:
      'repo:\n  KEY: { value: s3cr3t-value, secret: true }\nenv:\n  dev:\n    HOST: dev-db\n  production:\n    HOST: { value: prod-pw, secret: true }\n',
    [`${P}/charts/api/Chart.yaml`]: 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
    [`${P}/charts/api/values.yaml`]: 'replicaCount: 1\nconfig:\n  apiKey: ""\n  url: x\n',
    [`${P}/values/base/api.yaml`]: 'config:\n  apiKey: "{{hq.var.KEY}}"\n  url: "postgres://{{ hq.var.HOST }}:5432"\n',
    [`${P}/values/dev/api.yaml`]: 'replicaCount: 2\n',
    [`${P}/values/production/api.yaml`]: 'replicaCount: 5\n',
    [`${P}/values/production/acme/api.yaml`]: 'replicaCount: 9\nconfig:\n  url: null\n',
  });
  const index = new ProjectIndex(mem);
  await index.scan(['/ws']);
  return index;
}

describe('keyRows and keyHoverMarkdown', () => {
  it('shows the effective value per environment and tenant with the file and line that set it', async () => {
    const index = await project();
    const context = valuesFileContext(index, 'shop', `${P}/values/base/api.yaml`);
    assert.ok(context);
    const rows = keyRows(index, 'shop', context, ['replicaCount']);
    assert.deepEqual(
      rows.map((r) => [r.environment, r.tenant, r.display, r.state, r.origin && `${r.origin.file.slice(P.length + 1)}:${r.origin.line}`]),
      [
        ['dev', 'acme', '2', 'set', 'values/dev/api.yaml:0'],
        ['dev', 'globex', '2', 'set', 'values/dev/api.yaml:0'],
        ['staging', 'acme', '1', 'set', 'charts/api/values.yaml:0'],
        ['staging', 'globex', '1', 'set', 'charts/api/values.yaml:0'],
        ['production', 'acme', '9', 'set', 'values/production/acme/api.yaml:0'],
        ['production', 'globex', '5', 'set', 'values/production/api.yaml:0'],
      ],
    );
    const md = keyHoverMarkdown(['replicaCount'], { type: 'integer', description: 'Pods.', hasDefault: true, default: 1 }, rows, { tenants: true, root: P });
    const lines = md.split('\n');
    assert.equal(lines[0], '**Values key** `replicaCount` · integer');
    assert.ok(lines.includes('Pods.'));
    assert.ok(lines.includes('Schema default: `1`'));
    assert.ok(lines.includes('| Environment | Tenant | Value | Set in |'));
    assert.ok(lines.includes(`| production | acme | \`9\` | [values/production/acme/api.yaml:1](file://${P}/values/production/acme/api.yaml#L1) |`));
  });

  it('masks every value a secret went into, whole or inside a string, and marks removed keys', async () => {
    const index = await project();
    const context = valuesFileContext(index, 'shop', `${P}/values/base/api.yaml`);
    assert.ok(context);
    const apiKey = keyRows(index, 'shop', context, ['config', 'apiKey']);
    assert.ok(apiKey.every((r) => r.display === SECRET_MASK && r.secret));
    const url = keyRows(index, 'shop', context, ['config', 'url']);
    assert.deepEqual(
      url.map((r) => [r.environment, r.tenant, r.display, r.state]),
      [
        ['dev', 'acme', 'postgres://dev-db:5432', 'set'],
        ['dev', 'globex', 'postgres://dev-db:5432', 'set'],
        ['staging', 'acme', 'postgres://{{ hq.var.HOST }}:5432', 'set'],
        ['staging', 'globex', 'postgres://{{ hq.var.HOST }}:5432', 'set'],
        ['production', 'acme', 'unset', 'unset'],
        ['production', 'globex', SECRET_MASK, 'set'],
      ],
    );
    const config = keyRows(index, 'shop', context, ['config']);
    const md = [
      keyHoverMarkdown(['config', 'apiKey'], undefined, apiKey, { tenants: true, root: P }),
      keyHoverMarkdown(['config', 'url'], undefined, url, { tenants: true, root: P }),
      keyHoverMarkdown(['config'], undefined, config, { tenants: true, root: P }),
    ].join('\n');
    assert.ok(!md.includes('s3cr3t') && !md.includes('prod-pw'), md);
    assert.ok(md.includes('| production | acme | _unset_ |  |'));
  });
});
