// Chart schemas end to end, without mocks: a project in memory, the real index (merge, provenance,
// substitution), the real ajv adapter, and schemaProblems mapping each error back to a line.
import * as assert from 'node:assert/strict';
import { schemaProblems, type ComboErrors } from '../../../../src/core/language/schemaProblems';
import { valuesFileContext } from '../../../../src/core/language/variableInfo';
import { linesOf } from '../../../../src/core/language/yamlPathAt';
import { ProjectIndex } from '../../../../src/core/model/projectIndex';
import type { Problem } from '../../../../src/core/types';
import { draftOf, SchemaCompiler } from '../../../../src/infra/schema/schemaValidator';
import { MemoryFileSystem } from '../../../support/memoryFileSystem';

const P = '/ws/shop';

const API_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://charts.example.com/api/values.schema.json',
  type: 'object',
  required: ['replicaCount', 'image'],
  properties: {
    replicaCount: { type: 'integer', minimum: 1, maximum: 20 },
    image: {
      type: 'object',
      required: ['repository', 'tag'],
      properties: {
        repository: { type: 'string', pattern: '^[a-z0-9./-]+$' },
        tag: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' },
      },
    },
    service: {
      type: 'object',
      additionalProperties: false,
      properties: { type: { enum: ['ClusterIP', 'NodePort'] }, port: { type: 'integer' } },
    },
    apiKey: { type: 'integer' },
  },
};

const WORKER_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['name', 'resources'],
  properties: { resources: { $ref: '#/$defs/resources' }, name: { type: 'string' } },
  $defs: {
    quantity: { type: 'string', pattern: '^[0-9]+m$' },
    resources: { type: 'object', additionalProperties: false, properties: { cpu: { $ref: '#/$defs/quantity' } } },
  },
};

const FILES: Record<string, string> = {
  [`${P}/gitopshq.yaml`]: `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: Shop, slug: shop }
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
    - name: worker
      chart: charts/worker
      values: values/{env}/{workload}.yaml
`,
  [`${P}/.gitopshq/variables.yaml`]: 'repo:\n  TAG: "1.0"\n  KEY: { value: s3cr3t-value, secret: true }\n',
  [`${P}/charts/api/Chart.yaml`]: 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
  [`${P}/charts/api/values.yaml`]: 'replicaCount: 1\nimage:\n  repository: nginx\n  tag: "1.0.0"\nservice:\n  type: ClusterIP\n  port: 80\n',
  [`${P}/charts/api/values.schema.json`]: JSON.stringify(API_SCHEMA, null, 2),
  [`${P}/charts/worker/Chart.yaml`]: 'apiVersion: v2\nname: worker\nversion: 0.1.0\n',
  [`${P}/charts/worker/values.yaml`]: '# worker defaults\nlogLevel: info\n',
  [`${P}/charts/worker/values.schema.json`]: JSON.stringify(WORKER_SCHEMA),
  [`${P}/values/base/api.yaml`]: 'image:\n  tag: "{{ hq.var.TAG }}"   # from the variables\napiKey: "{{hq.var.KEY}}"\n',
  [`${P}/values/dev/api.yaml`]: 'replicaCount: 50\nservice:\n  type: Cluster\n  extra: true\n',
  [`${P}/values/dev/acme/api.yaml`]: 'image:\n  tag: null\n',
  [`${P}/values/production/api.yaml`]: 'replicaCount: "three"\nimage:\n  repository: Bad_Repo\n',
  [`${P}/values/production/acme/api.yaml`]: 'replicaCount: 0\n',
  [`${P}/values/dev/worker.yaml`]: 'resources:\n  cpu: 1000\n  memory: 1Gi\n',
};

async function setup() {
  const mem = new MemoryFileSystem(FILES);
  const index = new ProjectIndex(mem);
  await index.scan(['/ws']);
  const compiler = new SchemaCompiler();
  const problems = async (rel: string, text = FILES[`${P}/${rel}`] as string): Promise<Problem[]> => {
    const file = `${P}/${rel}`;
    const context = valuesFileContext(index, 'shop', file);
    assert.ok(context, rel);
    const results: ComboErrors[] = [];
    for (const combo of context.combos) {
      const effective = index.effective('shop', combo.workload, combo.environment, combo.tenant);
      if (!effective.bound) continue;
      const schemaFile = `${P}/charts/${combo.workload}/values.schema.json`;
      const compiled = await compiler.compile(schemaFile, FILES[schemaFile] as string);
      assert.ok(compiled.ok);
      results.push({ combo, errors: compiled.schema.validate(effective.values), effective });
    }
    return schemaProblems({ file, kind: context.kind, lines: linesOf(text), results, combos: context.combos, tenants: ['acme', 'globex'] });
  };
  return { index, compiler, problems };
}

/** [line, start, end, message] of each problem (all are errors with code `schema`). */
function summary(problems: Problem[]): [number, number, number, string][] {
  for (const p of problems) {
    assert.equal(p.severity, 'error');
    assert.equal(p.code, 'schema');
    assert.equal(p.span.start.line, p.span.end.line);
  }
  return problems.map((p) => [p.span.start.line, p.span.start.character, p.span.end.character, p.message]);
}

describe('chart schemas: SchemaCompiler', () => {
  it('chooses the draft from $schema', async () => {
    assert.equal(draftOf(API_SCHEMA), 'draft-07');
    assert.equal(draftOf(WORKER_SCHEMA), '2020-12');
    assert.equal(draftOf({ $schema: 'https://json-schema.org/draft/2019-09/schema' }), '2019-09');
    assert.equal(draftOf({}), 'draft-07');
    const compiler = new SchemaCompiler();
    const r2019 = await compiler.compile('/c/2019.json', JSON.stringify({ $schema: 'https://json-schema.org/draft/2019-09/schema', dependentRequired: { a: ['b'] } }));
    assert.ok(r2019.ok);
    assert.equal(r2019.schema.draft, '2019-09');
    assert.deepEqual(
      r2019.schema.validate({ a: 1 }).map((e) => e.keyword),
      ['dependentRequired'],
    );
  });

  it('accepts every form of every draft id: http or https, with or without #', async () => {
    const compiler = new SchemaCompiler();
    const ids: [string, string][] = [];
    for (const draft of ['draft-04', 'draft-06', 'draft-07']) {
      for (const scheme of ['http', 'https']) for (const hash of ['', '#']) ids.push([`${scheme}://json-schema.org/${draft}/schema${hash}`, draft]);
    }
    for (const draft of ['2019-09', '2020-12']) {
      for (const scheme of ['http', 'https']) for (const hash of ['', '#']) ids.push([`${scheme}://json-schema.org/draft/${draft}/schema${hash}`, draft]);
    }
    for (const [id, draft] of ids) {
      assert.equal(draftOf({ $schema: id }), draft, id);
      const result = await compiler.compile(`/c/${id}.json`, JSON.stringify({ $schema: id, type: 'object', properties: { port: { type: 'integer' } } }));
      assert.ok(result.ok, `${id}: ${result.ok ? '' : result.message}`);
      assert.equal(result.schema.draft, draft, id);
      assert.deepEqual(result.schema.validate({ port: 'x' }).map((e) => `${e.instancePath} ${e.keyword}`), ['/port type'], id);
      assert.deepEqual(result.schema.validate({ port: 80 }), [], id);
    }
  });

  it('reads draft-04 as draft-04: `id`, boolean exclusiveMinimum and exclusiveMaximum', async () => {
    const compiler = new SchemaCompiler();
    const schema = {
      $schema: 'http://json-schema.org/draft-04/schema#',
      id: 'https://charts.example.com/old/values.schema.json',
      type: 'object',
      properties: {
        replicas: { type: 'integer', minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: true },
        ratio: { $ref: '#/definitions/ratio' },
      },
      definitions: { ratio: { type: 'number', maximum: 1 } },
    };
    const result = await compiler.compile('/c/04.json', JSON.stringify(schema));
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.equal(result.schema.draft, 'draft-04');
    assert.deepEqual(result.schema.validate({ replicas: 1, ratio: 0.5 }), []);
    // draft-04 reports an exclusive bound under `minimum`/`maximum`, with a strict comparison.
    assert.deepEqual(result.schema.validate({ replicas: 0 }).map((e) => `${e.instancePath} ${e.message}`), ['/replicas must be > 0']);
    assert.deepEqual(result.schema.validate({ replicas: 10, ratio: 2 }).map((e) => `${e.instancePath} ${e.message}`), [
      '/replicas must be < 10',
      '/ratio must be <= 1',
    ]);
  });

  it('refuses a $schema it does not know, saying which it knows', async () => {
    const compiler = new SchemaCompiler();
    for (const id of ['http://json-schema.org/draft-03/schema#', 'https://example.com/my-meta', 'http://json-schema.org/schema#']) {
      const result = await compiler.compile(`/c/${id}.json`, JSON.stringify({ $schema: id, type: 'object' }));
      assert.equal(result.ok, false, id);
      assert.match(result.ok ? '' : result.message, /names no JSON Schema draft this extension validates with: it knows draft-04, draft-06, draft-07, 2019-09 and 2020-12/, id);
    }
  });

  it('compiles each content once, again after an edit, and reports invalid schemas', async () => {
    const compiler = new SchemaCompiler();
    const text = JSON.stringify(API_SCHEMA);
    const first = await compiler.compile('/c/a.json', text);
    assert.equal(await compiler.compile('/c/a.json', text), first);
    // The same $id again after an edit: a fresh engine, no "already exists" clash.
    const edited = await compiler.compile('/c/a.json', JSON.stringify({ ...API_SCHEMA, title: 'x' }));
    assert.notEqual(edited, first);
    assert.ok(edited.ok);
    const broken = await compiler.compile('/c/b.json', '{ nope');
    assert.equal(broken.ok, false);
    assert.match(broken.ok ? '' : broken.message, /not valid JSON/);
    const invalid = await compiler.compile('/c/c.json', JSON.stringify({ type: 'nonsense' }));
    assert.equal(invalid.ok, false);
    assert.match(invalid.ok ? '' : invalid.message, /not a valid JSON Schema \(draft-07\)/);
    const unknownFormat = await compiler.compile('/c/d.json', JSON.stringify({ type: 'string', format: 'hostname', 'x-custom': 1 }));
    assert.ok(unknownFormat.ok, 'formats and unknown keywords are ignored');
  });
});

describe('chart schemas: problems at the line that set the value', () => {
  it('type, minimum and maximum: in the layer that set them, naming environments and tenants', async () => {
    const { problems } = await setup();
    assert.deepEqual(summary(await problems('values/dev/api.yaml')), [
      [0, 0, 16, '`replicaCount` must be <= 20 in dev.'],
      [2, 2, 15, '`service.type` must be one of "ClusterIP", "NodePort" in dev.'],
      [3, 2, 13, "`service.extra` is not allowed: the chart's schema defines no such key in `service` in dev."],
    ]);
    assert.deepEqual(summary(await problems('values/production/api.yaml')), [
      // acme overrides replicaCount: the type error only holds for globex.
      [0, 0, 21, '`replicaCount` must be integer in production (globex).'],
      [2, 2, 22, '`image.repository` must match pattern "^[a-z0-9./-]+$" in production.'],
    ]);
    assert.deepEqual(summary(await problems('values/production/acme/api.yaml')), [[0, 0, 15, '`replicaCount` must be >= 1 in production (acme).']]);
  });

  it('pattern through a placeholder: reported where the placeholder is, once for every environment', async () => {
    const { problems } = await setup();
    // dev/acme removes the tag (required, below): the pattern fails everywhere else.
    assert.deepEqual(summary(await problems('values/base/api.yaml')), [[1, 2, 25, '`image.tag` must match pattern "^[0-9]+\\.[0-9]+\\.[0-9]+$" in dev (globex), production.']]);
  });

  it('required: on the key of the map, in the file that wrote it last', async () => {
    const { problems } = await setup();
    assert.deepEqual(summary(await problems('values/dev/acme/api.yaml')), [[0, 0, 5, '`image` is missing the required key "tag" in dev (acme).']]);
    // The chart's values.yaml wrote image too, but a later layer did: nothing there.
    assert.deepEqual(summary(await problems('charts/api/values.yaml')), []);
  });

  it('never reports a value a secret went into (its real value is not known here)', async () => {
    const { problems, index } = await setup();
    assert.ok(index.effective('shop', 'api', 'dev', 'acme').secretPaths.includes('apiKey'));
    const all = [...(await problems('values/base/api.yaml')), ...(await problems('values/dev/api.yaml'))];
    assert.ok(all.every((p) => !p.message.includes('apiKey') && !p.message.includes('s3cr3t')));
  });

  it('2020-12 with $ref: type and additionalProperties inside a referenced definition; a missing top-level key in the chart values', async () => {
    const { problems } = await setup();
    assert.deepEqual(summary(await problems('values/dev/worker.yaml')), [
      [1, 2, 11, '`resources.cpu` must be string in dev.'],
      [2, 2, 13, "`resources.memory` is not allowed: the chart's schema defines no such key in `resources` in dev."],
    ]);
    // Only dev is bound for the worker; the top-level key nobody sets is the chart's to declare.
    assert.deepEqual(summary(await problems('charts/worker/values.yaml')), [[1, 0, 14, 'The values miss the required top-level key "name" in dev.']]);
  });

  it('a map of the wrong type is reported on its key, and an unsaved text moves the range with it', async () => {
    const { problems, index } = await setup();
    const text = '# moved down\n\nreplicaCount:\n  nested: 1\nservice:\n  type: Cluster\n  extra: true\n';
    await index.fileChanged(`${P}/values/dev/api.yaml`, text);
    assert.deepEqual(summary(await problems('values/dev/api.yaml', text)), [
      [2, 0, 12, '`replicaCount` must be integer in dev.'],
      [5, 2, 15, '`service.type` must be one of "ClusterIP", "NodePort" in dev.'],
      [6, 2, 13, "`service.extra` is not allowed: the chart's schema defines no such key in `service` in dev."],
    ]);
  });
});
