import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseManifest } from '../../../../src/core/model/manifest';
import { VariableSet, parseVariables } from '../../../../src/core/model/variables';
import type { Problem, Project, VariableDef } from '../../../../src/core/types';

const FILE = '/repo/.gitopshq/variables.yaml';
const FIXTURES = path.resolve(__dirname, '../../../../../test/unit/fixtures');
const yaml = (...lines: string[]) => lines.join('\n') + '\n';
const where = (p: Problem) => [p.code, p.severity, p.span.start.line, p.span.start.character, p.span.end.line, p.span.end.character];

function projectOf(text: string): Project {
  const { project, problems } = parseManifest(text, '/repo/gitopshq.yaml');
  assert.ok(project, JSON.stringify(problems));
  return project;
}

const specProject = () => projectOf(readFileSync(path.join(FIXTURES, 'manifests/valid/spec-example.yaml'), 'utf8'));

/** dev, staging × acme, globex × api, web */
const smallProject = () =>
  projectOf(
    yaml(
      'apiVersion: gitopshq.io/v1alpha1',
      'kind: Project',
      'metadata: { slug: shop }',
      'spec:',
      '  environments: [{ name: dev }, { name: staging }]',
      '  tenants: [acme, globex]',
      '  workloads:',
      '    - { name: api, chart: c, values: v }',
      '    - { name: web, chart: c, values: v }',
    ),
  );

const ALL_SCOPES = yaml(
  'repo:', //                 0
  '  KEY: repo-value', //     1
  '  ONLY_REPO: 1', //        2
  'env:', //                  3
  '  staging:', //            4
  '    KEY: env-value', //    5
  'tenant:', //               6
  '  acme:', //               7
  '    KEY: tenant-value', // 8
  'svc:', //                  9
  '  acme:', //               10
  '    staging:', //          11
  '      api:', //            12
  '        KEY: svc-value', //13
);

describe('variables', () => {
  describe('the spec example', () => {
    const text = readFileSync(path.join(FIXTURES, 'variables/valid/spec-example.yaml'), 'utf8');
    const { variables, problems } = parseVariables(text, FILE, specProject());
    const ctx = (environment: string, tenant = 'acme', workload = 'payment-api') => ({ environment, tenant, workload });

    it('parses without problems against the spec project', () => assert.deepEqual(problems, []));

    it('lists every key, sorted', () => {
      assert.deepEqual(variables.keys(), ['DATABASE_HOST', 'DATABASE_MAX_CONNECTIONS', 'FEATURE_NEW_CHECKOUT', 'IMAGE_REGISTRY', 'LOG_LEVEL', 'REGION', 'REPLICA_COUNT']);
    });

    it('resolves by precedence with the value types of the file', () => {
      assert.equal(variables.resolve('LOG_LEVEL', ctx('dev')).value, 'debug');
      assert.equal(variables.resolve('LOG_LEVEL', ctx('staging')).value, 'info');
      assert.equal(variables.resolve('DATABASE_MAX_CONNECTIONS', ctx('production')).value, 200);
      assert.equal(variables.resolve('FEATURE_NEW_CHECKOUT', ctx('dev')).value, 'false');
      assert.equal(variables.resolve('REPLICA_COUNT', ctx('production')).value, 8);
      assert.equal(variables.resolve('REPLICA_COUNT', ctx('production', 'globex')).defined, false);
      assert.equal(variables.resolve('REGION', ctx('dev', 'globex')).defined, false);
      assert.equal(variables.resolve('REGION', ctx('dev')).scope, 'tenant');
    });
  });

  describe('precedence svc > tenant > env > repo', () => {
    const { variables, problems } = parseVariables(ALL_SCOPES, FILE, smallProject());
    const resolve = (tenant: string, environment: string, workload: string) => variables.resolve('KEY', { environment, tenant, workload });

    it('parses without problems', () => assert.deepEqual(problems, []));

    it('takes the service scope for its tenant, environment and workload', () => {
      assert.deepEqual([resolve('acme', 'staging', 'api').value, resolve('acme', 'staging', 'api').scope], ['svc-value', 'svc']);
    });

    it('falls back to the tenant scope for another workload or environment', () => {
      assert.equal(resolve('acme', 'staging', 'web').scope, 'tenant');
      assert.equal(resolve('acme', 'dev', 'api').value, 'tenant-value');
    });

    it('falls back to the environment scope for another tenant', () => {
      assert.equal(resolve('globex', 'staging', 'api').scope, 'env');
      assert.equal(resolve('globex', 'staging', 'api').value, 'env-value');
    });

    it('falls back to the repository scope', () => {
      assert.equal(resolve('globex', 'dev', 'api').scope, 'repo');
      assert.equal(resolve('globex', 'dev', 'api').value, 'repo-value');
    });

    it('reports an undefined key as not defined', () => {
      assert.deepEqual(variables.resolve('NOPE', { environment: 'dev', tenant: 'acme', workload: 'api' }), { defined: false, secret: false });
    });

    it('looks in one scope only when pinned', () => {
      const ctx = { environment: 'staging', tenant: 'acme', workload: 'api' };
      assert.equal(variables.resolve('KEY', ctx, 'repo').value, 'repo-value');
      assert.equal(variables.resolve('KEY', ctx, 'env').value, 'env-value');
      assert.equal(variables.resolve('KEY', ctx, 'tenant').value, 'tenant-value');
      assert.equal(variables.resolve('KEY', ctx, 'svc').value, 'svc-value');
      const other = { environment: 'dev', tenant: 'globex', workload: 'web' };
      assert.equal(variables.resolve('KEY', other, 'svc').defined, false);
      assert.equal(variables.resolve('KEY', other, 'env').defined, false);
      assert.equal(variables.resolve('KEY', other, 'tenant').defined, false);
      assert.equal(variables.resolve('ONLY_REPO', ctx, 'env').defined, false);
    });

    it('lists definitions most specific first, with their names and key positions', () => {
      const defs = variables.definitions('KEY');
      assert.deepEqual(defs.map((d) => d.scope), ['svc', 'tenant', 'env', 'repo']);
      assert.deepEqual(defs[0], {
        key: 'KEY',
        scope: 'svc',
        value: 'svc-value',
        secret: false,
        origin: { file: FILE, line: 13, character: 8, layer: -1 },
        tenant: 'acme',
        environment: 'staging',
        workload: 'api',
      });
      assert.deepEqual(defs[3]?.origin, { file: FILE, line: 1, character: 2, layer: -1 });
      assert.deepEqual(variables.definitions('NOPE'), []);
    });

    it('lists all definitions in file order', () => {
      assert.deepEqual(variables.all().map((d) => `${d.scope}:${d.key}`), ['repo:KEY', 'repo:ONLY_REPO', 'env:KEY', 'tenant:KEY', 'svc:KEY']);
    });

    it('lists the keys a scope defines, overall or for a context', () => {
      assert.deepEqual(variables.definedInScope('repo'), ['KEY', 'ONLY_REPO']);
      assert.deepEqual(variables.definedInScope('svc'), ['KEY']);
      assert.deepEqual(variables.definedInScope('env', { environment: 'dev', tenant: 'acme', workload: 'api' }), []);
      assert.deepEqual(variables.definedInScope('env', { environment: 'staging', tenant: 'acme', workload: 'api' }), ['KEY']);
    });

    it('resolves fast enough for the index', () => {
      const ctx = { environment: 'staging', tenant: 'globex', workload: 'web' };
      const started = process.hrtime.bigint();
      for (let i = 0; i < 200_000; i++) variables.resolve(i % 2 ? 'KEY' : 'ONLY_REPO', ctx);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.ok(ms < 500, `200k resolutions took ${ms} ms`);
    });
  });

  describe('secrets', () => {
    const text = readFileSync(path.join(FIXTURES, 'variables/valid/secrets.yaml'), 'utf8');
    const { variables, problems } = parseVariables(text, FILE);
    const ctx = { environment: 'dev', tenant: 'default', workload: 'api' };

    it('parses without problems', () => assert.deepEqual(problems, []));

    it('never puts a secret value in a Resolution', () => {
      const r = variables.resolve('DB_PASSWORD', ctx);
      assert.equal(r.defined, true);
      assert.equal(r.secret, true);
      assert.equal('value' in r, false);
      assert.equal(r.def && 'value' in r.def, false);
      assert.ok(!JSON.stringify(r).includes('hunter22'));
      assert.ok(!JSON.stringify(variables.resolve('DB_PASSWORD', ctx, 'repo')).includes('hunter22'));
    });

    it('counts a secret without value as defined', () => {
      const r = variables.resolve('API_TOKEN', ctx);
      assert.deepEqual([r.defined, r.secret, 'value' in r], [true, true, false]);
      assert.equal(r.def?.description, 'Token for the payment gateway');
    });

    it('keeps secret values in the definitions for masking logs only', () => {
      assert.deepEqual(variables.secretValues(), ['hunter22']);
      assert.equal(variables.all().find((d) => d.key === 'DB_PASSWORD')?.value, 'hunter22');
    });

    it('reads the object form and scalar edge cases', () => {
      assert.deepEqual([variables.resolve('TIMEOUT_SECONDS', ctx).value, variables.resolve('TIMEOUT_SECONDS', ctx).def?.description], [30, 'HTTP client timeout']);
      assert.deepEqual([variables.resolve('EMPTY', ctx).defined, variables.resolve('EMPTY', ctx).value], [true, null]);
      assert.equal(variables.resolve('_PRIVATE', ctx).value, 'yes', 'YAML 1.2: yes is a string');
    });

    it('hides secret values of definitions built in code too', () => {
      const def: VariableDef = { key: 'T', scope: 'repo', value: 's3cr3t', secret: true, origin: { file: FILE, line: 0, character: 0, layer: -1 } };
      const r = new VariableSet([def]).resolve('T', ctx);
      assert.ok(!JSON.stringify(r).includes('s3cr3t'));
    });
  });

  describe('problems', () => {
    it('reports an invalid key at the key and keeps its neighbours', () => {
      const { variables, problems } = parseVariables(yaml('repo:', '  bad-key: 1', '  GOOD: 2'), FILE);
      assert.deepEqual(problems.map(where), [['invalid-variable-key', 'error', 1, 2, 1, 9]]);
      assert.deepEqual(variables.keys(), ['GOOD']);
    });

    it('reports a structural problem as variables-schema at the value and keeps the rest', () => {
      const { variables, problems } = parseVariables(yaml('repo:', '  HOSTS: [a, b]', '  PORT: 5432'), FILE);
      assert.deepEqual(problems.map(where), [['variables-schema', 'error', 1, 9, 1, 15]]);
      assert.deepEqual(variables.keys(), ['PORT']);
    });

    it('requires a value unless the variable is secret', () => {
      const { problems } = parseVariables(yaml('repo:', '  HOST: { description: "db", secret: false }'), FILE);
      assert.deepEqual(problems.map(where), [['variables-schema', 'error', 1, 8, 1, 44]]);
    });

    it('reports unknown environments, tenants and workloads at their line, and skips them', () => {
      const text = yaml(
        'env:', //                              0
        '  qa: { A: 1 }', //                    1
        '  dev: { A: 2 }', //                   2
        'tenant:', //                           3
        '  initech: { B: 1 }', //               4
        'svc:', //                              5
        '  acme:', //                           6
        '    production:', //                   7
        '      payment-web: { C: 1 }', //       8
        '      payment-api: { C: 2 }', //       9
        '  umbrella:', //                       10
        '    dev: {}', //                       11
      );
      const { variables, problems } = parseVariables(text, FILE, specProject());
      assert.deepEqual(problems.map(where), [
        ['unknown-environment', 'error', 1, 2, 1, 4],
        ['unknown-tenant', 'error', 4, 2, 4, 9],
        ['unknown-workload', 'error', 8, 6, 8, 17],
        ['unknown-tenant', 'error', 10, 2, 10, 10],
      ]);
      assert.match(problems[0]?.message ?? '', /Unknown environment "qa": the project declares dev, staging, production/);
      assert.deepEqual(variables.definitions('A').map((d) => d.environment), ['dev']);
      assert.deepEqual(variables.definitions('C').map((d) => d.workload), ['payment-api']);
      assert.equal(variables.definitions('B').length, 0);
      assert.deepEqual(parseVariables(text, FILE).problems, [], 'without a project, names are not checked');
    });

    it('knows the `default` tenant of a project without tenants', () => {
      const project = projectOf(yaml('apiVersion: gitopshq.io/v1alpha1', 'kind: Project', 'metadata: { slug: shop }', 'spec:', '  environments: [{ name: dev }]'));
      const { variables, problems } = parseVariables(yaml('tenant:', '  default: { A: 1 }', '  acme: { A: 2 }'), FILE, project);
      assert.deepEqual(problems.map(where), [['unknown-tenant', 'error', 2, 2, 2, 6]]);
      assert.match(problems[0]?.message ?? '', /the project declares default/);
      assert.equal(variables.resolve('A', { environment: 'dev', tenant: 'default', workload: 'x' }).value, 1);
    });

    it('reports an unknown section with a suggestion', () => {
      const { problems } = parseVariables(yaml('envs:', '  dev: { A: 1 }'), FILE);
      assert.deepEqual(problems.map(where), [['variables-schema', 'error', 0, 0, 0, 4]]);
      assert.match(problems[0]?.message ?? '', /Did you mean "env"\?/);
    });

    it('returns no variables after a syntax error', () => {
      const { variables, problems } = parseVariables(yaml('repo:', '  A: [1, 2', 'env: {}'), FILE);
      assert.deepEqual(variables.keys(), []);
      assert.deepEqual(problems.map((p) => p.code), ['yaml-syntax']);
    });

    it('reports a duplicate key but keeps the file usable', () => {
      const { variables, problems } = parseVariables(yaml('repo:', '  A: 1', '  A: 2'), FILE);
      assert.deepEqual(problems.map(where), [['yaml-syntax', 'error', 2, 2, 2, 3]]);
      assert.deepEqual(variables.keys(), ['A']);
    });

    it('accepts an empty file', () => {
      const { variables, problems } = parseVariables('', FILE);
      assert.deepEqual([variables.keys(), problems], [[], []]);
      assert.deepEqual(VariableSet.empty().resolve('A', { environment: 'e', tenant: 't', workload: 'w' }), { defined: false, secret: false });
    });
  });
});
