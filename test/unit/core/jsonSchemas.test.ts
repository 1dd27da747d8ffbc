// The JSON Schemas contributed to the YAML editor must accept and reject exactly what the zod
// schemas do. Every fixture goes through both; invalid fixtures also name, in `# expect:` header
// lines, the problems parseManifest/parseVariables must report (code and 0-based line:character).
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import {
  APPROVER_PATTERN,
  DATE_TIME_PATTERN,
  EMAIL_PATTERN,
  KUBE_NAME_PATTERN,
  NAMESPACE_PATTERN,
  NAME_PATTERN,
  manifestSchema,
  parseManifest,
} from '../../../src/core/model/manifest';
import { VARIABLE_KEY_PATTERN, parseVariables, variablesSchema } from '../../../src/core/model/variables';
import type { Problem } from '../../../src/core/types';

// Compiled to out/test/unit/core: the repository root is four levels up.
const ROOT = path.resolve(__dirname, '../../../..');
const FIXTURES = path.join(ROOT, 'test/unit/fixtures');

interface Subject {
  kind: 'manifests' | 'variables';
  schemaFile: string;
  zod: { safeParse(data: unknown): { success: boolean } };
  problems(text: string): Problem[];
  /** Problem codes that come from the schema (the rest are semantic checks the JSON Schema cannot express). */
  schemaCodes: string[];
}

const subjects: Subject[] = [
  {
    kind: 'manifests',
    schemaFile: 'gitopshq.schema.json',
    zod: manifestSchema,
    problems: (text) => parseManifest(text, '/repo/gitopshq.yaml').problems,
    schemaCodes: ['manifest-schema', 'yaml-syntax'],
  },
  {
    kind: 'variables',
    schemaFile: 'variables.schema.json',
    zod: variablesSchema,
    problems: (text) => parseVariables(text, '/repo/.gitopshq/variables.yaml').problems,
    schemaCodes: ['variables-schema', 'invalid-variable-key', 'yaml-syntax'],
  },
];

function loadSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(ROOT, 'media', 'schemas', file), 'utf8')) as Record<string, unknown>;
}

function compile(file: string): ValidateFunction {
  // Default strictness: unknown keywords are errors, so a typo in the schema cannot pass silently.
  return new Ajv({ allErrors: true, allowUnionTypes: true }).compile(loadSchema(file));
}

function fixtures(kind: string, validity: 'valid' | 'invalid'): string[] {
  const dir = path.join(FIXTURES, kind, validity);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** `# expect: <code> <line>:<character>` header lines of a fixture. */
function expectations(text: string): { code: string; line: number; character: number }[] {
  return [...text.matchAll(/^# expect: (\S+) (\d+):(\d+)$/gm)].map((m) => ({
    code: m[1] ?? '',
    line: Number(m[2]),
    character: Number(m[3]),
  }));
}

function ajvMessage(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`).join('; ');
}

describe('JSON Schemas and zod schemas', () => {
  for (const subject of subjects) {
    describe(subject.kind, () => {
      const validate = compile(subject.schemaFile);

      it('has enough fixtures', () => {
        assert.ok(fixtures(subject.kind, 'valid').length >= 2);
        assert.ok(fixtures(subject.kind, 'invalid').length >= (subject.kind === 'manifests' ? 8 : 4));
      });

      for (const validity of ['valid', 'invalid'] as const) {
        for (const file of fixtures(subject.kind, validity)) {
          it(`${validity}/${path.basename(file)}: both schemas ${validity === 'valid' ? 'accept' : 'reject'} it`, () => {
            const text = readFileSync(file, 'utf8');
            const data: unknown = parseDocument(text).toJS();
            const expected = validity === 'valid';
            assert.equal(subject.zod.safeParse(data).success, expected, 'zod');
            assert.equal(validate(data), expected, `ajv: ${ajvMessage(validate)}`);

            const problems = subject.problems(text);
            const schemaProblems = problems.filter((p) => subject.schemaCodes.includes(p.code));
            if (expected) {
              assert.deepEqual(problems.filter((p) => p.severity === 'error'), []);
              return;
            }
            assert.ok(schemaProblems.length > 0, 'a schema problem is reported');
            const wanted = expectations(text);
            assert.ok(wanted.length > 0, 'the fixture says what to expect in `# expect:` lines');
            const got = problems.map((p) => ({ code: p.code, line: p.span.start.line, character: p.span.start.character }));
            for (const w of wanted) assert.ok(got.some((g) => g.code === w.code && g.line === w.line && g.character === w.character), `expected ${JSON.stringify(w)} in ${JSON.stringify(got)}`);
          });
        }
      }
    });
  }

  it('use the same patterns as the code', () => {
    const manifest = JSON.stringify(loadSchema('gitopshq.schema.json'));
    const variables = JSON.stringify(loadSchema('variables.schema.json'));
    for (const pattern of [NAME_PATTERN, EMAIL_PATTERN, APPROVER_PATTERN, KUBE_NAME_PATTERN, NAMESPACE_PATTERN, DATE_TIME_PATTERN]) {
      assert.ok(manifest.includes(JSON.stringify(pattern.source)), `gitopshq.schema.json has ${pattern.source}`);
    }
    for (const pattern of [NAME_PATTERN, VARIABLE_KEY_PATTERN]) {
      assert.ok(variables.includes(JSON.stringify(pattern.source)), `variables.schema.json has ${pattern.source}`);
    }
  });

  describe('agree on variants of the spec example', () => {
    const validate = compile('gitopshq.schema.json');
    const base = () => parseDocument(readFileSync(path.join(FIXTURES, 'manifests/valid/spec-example.yaml'), 'utf8')).toJS() as Record<string, unknown>;
    // [data path, new value (undefined deletes the key)]
    const variants: [string, unknown][] = [
      ['metadata.name', undefined],
      ['metadata.name', ''],
      ['metadata.slug', 'a'],
      ['metadata.slug', 'a-'],
      ['metadata.slug', 42],
      ['metadata.extra', 1],
      ['spec.environments.0.cluster', {}],
      ['spec.environments.0.cluster.context', ''],
      ['spec.environments.0.cluster.namespace', 'ns.with.dots'],
      ['spec.environments.0.cluster.namespace', 'shop-{tenant}'],
      ['spec.environments.0.cluster.namespace', '{tenant}'],
      ['spec.environments.0.cluster.namespace', 'shop-{env}'],
      ['spec.environments.0.cluster.namespace', '-{tenant}'],
      ['spec.environments.0.cluster.context', 'prod-{tenant}'],
      ['spec.environments.0.approval', undefined],
      ['spec.environments.0.approval', null],
      ['spec.environments.0.approval.required', 0.5],
      ['spec.environments.0.approval.required', 10],
      ['spec.environments.0.approval.approvers', ['team:ops', 'x@y']],
      ['spec.environments.0.approval.approvers', ['team:Ops']],
      ['spec.environments.0.approval.approvers', ['a b@c']],
      ['spec.environments.0.approval.requesterCanApprove', 'yes'],
      ['spec.environments.2.freeze.until', undefined],
      ['spec.environments.2.freeze.until', '2026-12-02T00:00:00.123+05:30'],
      ['spec.environments.2.freeze.until', '2026-13-02T00:00:00Z'],
      ['spec.environments.2.freeze.until', '2026-12-02T00:00:00'],
      ['spec.environments.2.freeze.reason', ''],
      ['spec.tenants', undefined],
      ['spec.tenants', ['acme', 'ACME']],
      ['spec.teams', {}],
      ['spec.teams.sre', []],
      ['spec.teams.sre', 'sam@example.com'],
      ['spec.variables', ''],
      ['spec.variables', 'vars.yaml'],
      ['spec.workloads', []],
      ['spec.workloads', undefined],
      ['spec.workloads.0.values', 'values.yaml'],
      ['spec.workloads.0.values', ''],
      ['spec.workloads.0.values', ['']],
      ['spec.workloads.0.chart', undefined],
      ['spec.workloads.0.kube', {}],
      ['spec.workloads.0.kube.kind', 'StatefulSet'],
      ['spec.workloads.0.kube.kind', 'Job'],
      ['spec.workloads.0.kube.name', 'Api'],
      ['spec.workloads.0.kube.name', 'api.v2'],
      ['spec.workloads.0.kube.selector', { '': 'x' }],
      ['spec.workloads.0.kube.selector', { app: '' }],
      ['spec.workloads.0.kube.selector', { app: true }],
      ['kind', 'Release'],
      ['apiVersion', undefined],
    ];
    for (const [at, value] of variants) {
      it(`${at} = ${JSON.stringify(value)}`, () => {
        const data = base();
        setAt(data, at.split('.'), value);
        assert.equal(validate(data), manifestSchema.safeParse(data).success, ajvMessage(validate));
      });
    }
  });

  describe('agree on variants of variable values', () => {
    const validate = compile('variables.schema.json');
    const values: unknown[] = [
      'text', 0, -1.5, true, null, [], ['a'], {},
      { value: 'x' }, { value: null }, { value: 1, description: 'd' }, { value: 'x', secret: false },
      { secret: true }, { secret: false }, { description: 'only' }, { value: { a: 1 } }, { value: [1] },
      { value: 'x', secret: 'yes' }, { value: 'x', description: 3 }, { value: 'x', extra: 1 },
    ];
    const keys = ['A', '_a1', 'a_B', '1A', 'A-B', 'A.B', ''];
    for (const value of values) {
      it(`repo.A = ${JSON.stringify(value)}`, () => {
        const data = { repo: { A: value } };
        assert.equal(validate(data), variablesSchema.safeParse(data).success, ajvMessage(validate));
      });
    }
    for (const key of keys) {
      it(`key ${JSON.stringify(key)} in every scope`, () => {
        for (const data of [{ repo: { [key]: 1 } }, { env: { dev: { [key]: 1 } } }, { svc: { acme: { dev: { api: { [key]: 1 } } } } }]) {
          assert.equal(validate(data), variablesSchema.safeParse(data).success, `${JSON.stringify(data)}: ${ajvMessage(validate)}`);
        }
      });
    }
    for (const data of [null, [], 'x', { env: { Dev: {} } }, { env: { dev: null } }, { svc: { acme: { dev: { API: {} } } } }, { tenant: { acme: [] } }]) {
      it(`document ${JSON.stringify(data)}`, () => {
        assert.equal(validate(data), variablesSchema.safeParse(data).success, ajvMessage(validate));
      });
    }
  });
});

function setAt(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = keys.at(-1) ?? '';
  if (value === undefined) delete node[last];
  else node[last] = value;
}
