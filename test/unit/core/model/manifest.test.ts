import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { checkManifestFiles, parseManifest, parseManifestWithPositions, pathEscapeMessage, type ManifestResult } from '../../../../src/core/model/manifest';
import { parseFast } from '../../../../src/core/yaml/valuesReader';
import type { FileSystemPort } from '../../../../src/core/fileSystem';
import type { Problem, Project } from '../../../../src/core/types';

const MANIFEST = '/repo/gitopshq.yaml';
const FIXTURES = path.resolve(__dirname, '../../../../../test/unit/fixtures');

/** Lines joined, so that a test reads its 0-based line numbers off the array index. */
const yaml = (...lines: string[]) => lines.join('\n') + '\n';

const HEADER = ['apiVersion: gitopshq.io/v1alpha1', 'kind: Project', 'metadata:', '  slug: shop', 'spec:'];

/** [code, severity, startLine, startChar, endLine, endChar] */
type Where = [string, string, number, number, number, number];
const where = (p: Problem): Where => [p.code, p.severity, p.span.start.line, p.span.start.character, p.span.end.line, p.span.end.character];
const withCode = (r: ManifestResult, code: string) => r.problems.filter((p) => p.code === code);
const only = (r: ManifestResult, code: string): Problem => {
  const found = withCode(r, code);
  assert.equal(found.length, 1, `one ${code} in ${JSON.stringify(r.problems.map(where))}`);
  return found[0] as Problem;
};
const project = (r: ManifestResult): Project => {
  assert.ok(r.project, `a project, problems: ${JSON.stringify(r.problems.map((p) => p.message))}`);
  return r.project;
};

describe('manifest', () => {
  describe('the spec example', () => {
    const text = readFileSync(path.join(FIXTURES, 'manifests/valid/spec-example.yaml'), 'utf8');
    const result = parseManifest(text, MANIFEST);

    it('parses without problems', () => {
      assert.deepEqual(result.problems, []);
    });

    it('keeps the environments in promotion order with their policies', () => {
      const p = project(result);
      assert.deepEqual(p.environments.map((e) => e.name), ['dev', 'staging', 'production']);
      assert.deepEqual(p.environments[0]?.cluster, { context: 'kind-dev', namespace: 'payments-dev' });
      assert.deepEqual(p.environments[0]?.approval, { required: 0, approvers: [], requesterCanApprove: false });
      assert.deepEqual(p.environments[2]?.approval, { required: 2, approvers: ['team:sre', 'lead@example.com'], requesterCanApprove: false });
      assert.deepEqual(p.environments[2]?.freeze, { reason: 'Peak season freeze', until: '2026-12-02T00:00:00Z' });
    });

    it('makes root, manifest and variables paths absolute and keeps the others as written', () => {
      const p = project(result);
      assert.equal(p.root, '/repo');
      assert.equal(p.manifestPath, MANIFEST);
      assert.equal(p.variablesPath, '/repo/.gitopshq/variables.yaml');
      assert.equal(p.workloads[0]?.chart, 'charts/payment-api');
      assert.deepEqual(p.workloads[0]?.values, ['values/base/{workload}.yaml', 'values/{env}/{workload}.yaml', 'values/{env}/{tenant}/{workload}.yaml']);
    });

    it('reads identity, tenants and teams', () => {
      const p = project(result);
      assert.equal(p.name, 'Payment Service');
      assert.equal(p.slug, 'payment-service');
      assert.deepEqual(p.tenants, ['acme', 'globex']);
      assert.equal(p.tenantsDeclared, true);
      assert.deepEqual(p.teams, { devops: ['dana@example.com'], sre: ['sam@example.com', 'sue@example.com'] });
    });

    it('locates nodes by data path', () => {
      assert.deepEqual(result.locate(['spec', 'workloads', 0, 'chart']), { start: { line: 34, character: 13 }, end: { line: 34, character: 31 } });
      assert.equal(result.locate(['spec', 'nothing']), undefined);
    });
  });

  describe('defaults', () => {
    const result = parseManifest(
      yaml(...HEADER, '  environments:', '    - name: dev', '  workloads:', '    - name: api', '      chart: charts/api', '      values: values/{env}/api.yaml', '    - name: db', '      chart: charts/db', '      values: [values/db.yaml]', '      kube: { kind: StatefulSet, name: postgres }'),
      MANIFEST,
    );

    it('has no problems', () => assert.deepEqual(result.problems, []));

    it('names the project by its slug, with one `default` tenant, no teams and the default variables file', () => {
      const p = project(result);
      assert.equal(p.name, 'shop');
      assert.deepEqual(p.tenants, ['default']);
      assert.equal(p.tenantsDeclared, false);
      assert.deepEqual(p.teams, {});
      assert.equal(p.variablesPath, '/repo/.gitopshq/variables.yaml');
    });

    it('gives environments no approval gate', () => {
      assert.deepEqual(project(result).environments[0], { name: 'dev', approval: { required: 0, approvers: [], requesterCanApprove: false } });
    });

    it('turns a single values string into one layer and fills kube from the workload name', () => {
      assert.deepEqual(project(result).workloads[0], {
        name: 'api',
        chart: 'charts/api',
        values: ['values/{env}/api.yaml'],
        kube: { kind: 'Deployment', name: 'api', selector: { 'app.kubernetes.io/name': 'api' } },
      });
    });

    it('derives the default selector from kube.name when it is given', () => {
      assert.deepEqual(project(result).workloads[1]?.kube, { kind: 'StatefulSet', name: 'postgres', selector: { 'app.kubernetes.io/name': 'postgres' } });
    });

    it('has no workloads when `workloads` is absent', () => {
      const r = parseManifest(yaml(...HEADER, '  environments:', '    - name: dev'), MANIFEST);
      assert.deepEqual(project(r).workloads, []);
    });
  });

  describe('yaml-syntax and yaml-multi-document', () => {
    it('reports a syntax error at its range and returns no project', () => {
      const r = parseManifest(yaml(...HEADER, '  environments: [dev', '  tenants: [a]'), MANIFEST);
      assert.equal(r.project, undefined);
      assert.deepEqual(r.problems.map(where), [['yaml-syntax', 'error', 6, 2, 6, 3]]);
    });

    it('reports a duplicate key at the second key', () => {
      const r = parseManifest(yaml(...HEADER, '  environments:', '    - name: dev', '      name: prod'), MANIFEST);
      const p = only(r, 'yaml-syntax');
      assert.deepEqual(where(p), ['yaml-syntax', 'error', 7, 6, 7, 10]);
      assert.match(p.message, /Duplicate key "name"/);
      assert.equal(r.project, undefined);
    });

    it('reports a second document on its `---` line', () => {
      const r = parseManifest(yaml(...HEADER, '  environments:', '    - name: dev', '---', 'kind: Project'), MANIFEST);
      assert.deepEqual(where(only(r, 'yaml-multi-document')), ['yaml-multi-document', 'error', 7, 0, 7, 3]);
      assert.equal(r.project, undefined);
    });

    it('reports an empty manifest', () => {
      const r = parseManifest('# nothing yet\n', MANIFEST);
      assert.deepEqual(where(only(r, 'manifest-schema')), ['manifest-schema', 'error', 0, 0, 0, 0]);
    });
  });

  describe('manifest-schema', () => {
    it('points at an unknown key and suggests the known one', () => {
      const r = parseManifest(yaml(...HEADER, '  environments:', '    - name: dev', '      aproval: { required: 1 }'), MANIFEST);
      const p = only(r, 'manifest-schema');
      assert.deepEqual(where(p), ['manifest-schema', 'error', 7, 6, 7, 13]);
      assert.match(p.message, /Unknown key "aproval" in spec\.environments\[0\]\. Did you mean "approval"\?/);
    });

    it('points a missing key at its parent key', () => {
      const r = parseManifest(yaml('apiVersion: gitopshq.io/v1alpha1', 'kind: Project', 'metadata:', '  name: Shop', 'spec:', '  environments:', '    - name: dev'), MANIFEST);
      const p = only(r, 'manifest-schema');
      assert.deepEqual(where(p), ['manifest-schema', 'error', 2, 0, 2, 8]);
      assert.equal(p.message, 'Missing required key "slug" in metadata.');
      assert.equal(r.project, undefined);
    });

    it('points a missing key of a list item at the first line of the item', () => {
      const r = parseManifest(yaml(...HEADER, '  environments:', '    - name: dev', '  workloads:', '    - name: api', '      values: v.yaml'), MANIFEST);
      assert.deepEqual(where(only(r, 'manifest-schema')), ['manifest-schema', 'error', 8, 6, 8, 15]);
    });

    it('points a wrong type at the value', () => {
      const r = parseManifest(yaml(...HEADER, '  environments:', '    - name: dev', '      approval:', '        requesterCanApprove: "no"'), MANIFEST);
      const p = only(r, 'manifest-schema');
      assert.deepEqual(where(p), ['manifest-schema', 'error', 8, 29, 8, 33]);
      assert.match(p.message, /Expected true or false, got a string/);
    });

    it('points an empty value at its key', () => {
      const r = parseManifest(yaml('apiVersion: gitopshq.io/v1alpha1', 'kind: Project', 'metadata:', '  slug:', 'spec:', '  environments:', '    - name: dev'), MANIFEST);
      assert.deepEqual(where(only(r, 'manifest-schema')), ['manifest-schema', 'error', 3, 2, 3, 6]);
    });

    it('rejects a wrong apiVersion and kind', () => {
      const r = parseManifest(yaml('apiVersion: v1', 'kind: Deployment', 'metadata:', '  slug: shop', 'spec:', '  environments:', '    - name: dev'), MANIFEST);
      assert.deepEqual(withCode(r, 'manifest-schema').map(where), [
        ['manifest-schema', 'error', 0, 12, 0, 14],
        ['manifest-schema', 'error', 1, 6, 1, 16],
      ]);
    });

    it('drops only the broken workload and keeps the project', () => {
      const r = parseManifest(
        yaml(...HEADER, '  environments:', '    - name: dev', '  workloads:', '    - name: api', '      chart: charts/api', '      values: v.yaml', '      kube: { kind: Job }', '    - name: web', '      chart: charts/web', '      values: v.yaml'),
        MANIFEST,
      );
      assert.deepEqual(where(only(r, 'manifest-schema')), ['manifest-schema', 'error', 11, 20, 11, 23]);
      assert.deepEqual(project(r).workloads.map((w) => w.name), ['web']);
    });

    it('drops a broken environment but keeps the others', () => {
      const r = parseManifest(yaml(...HEADER, '  environments:', '    - name: Dev', '    - name: prod'), MANIFEST);
      assert.deepEqual(where(only(r, 'manifest-schema')), ['manifest-schema', 'error', 6, 12, 6, 15]);
      assert.deepEqual(project(r).environments.map((e) => e.name), ['prod']);
    });

    it('returns no project when project-level fields are broken', () => {
      const r = parseManifest(yaml(...HEADER, '  environments:', '    - name: dev', '  teams: [sre]'), MANIFEST);
      assert.deepEqual(where(only(r, 'manifest-schema')), ['manifest-schema', 'error', 7, 9, 7, 14]);
      assert.equal(r.project, undefined);
    });
  });

  describe('duplicate-name', () => {
    it('reports a duplicate environment at the second occurrence, naming the first line', () => {
      const r = parseManifest(yaml(...HEADER, '  environments:', '    - name: dev', '    - name: prod', '    - name: dev'), MANIFEST);
      const p = only(r, 'duplicate-name');
      assert.deepEqual(where(p), ['duplicate-name', 'error', 8, 12, 8, 15]);
      assert.match(p.message, /Environment "dev" is already declared on line 7/);
      assert.deepEqual(project(r).environments.map((e) => e.name), ['dev', 'prod']);
    });

    it('reports duplicate tenants and workloads', () => {
      const r = parseManifest(
        yaml(...HEADER, '  environments:', '    - name: dev', '  tenants: [acme, globex, acme]', '  workloads:', '    - { name: api, chart: c, values: v }', '    - { name: api, chart: d, values: v }'),
        MANIFEST,
      );
      assert.deepEqual(withCode(r, 'duplicate-name').map(where), [
        ['duplicate-name', 'error', 7, 26, 7, 30],
        ['duplicate-name', 'error', 10, 14, 10, 17],
      ]);
      assert.match(withCode(r, 'duplicate-name')[0]?.message ?? '', /Tenant "acme" is already declared on line 8/);
      assert.match(withCode(r, 'duplicate-name')[1]?.message ?? '', /Workload "api" is already declared on line 10/);
      assert.deepEqual(project(r).tenants, ['acme', 'globex']);
      assert.deepEqual(project(r).workloads.map((w) => w.chart), ['c']);
    });
  });

  describe('path-escape', () => {
    it('rejects a chart that leaves the root, saying what to write', () => {
      const r = parseManifest(yaml(...HEADER, '  environments:', '    - name: dev', '  workloads:', '    - name: api', '      chart: ../shared/charts/api', '      values: v.yaml'), MANIFEST);
      const p = only(r, 'path-escape');
      assert.deepEqual(where(p), ['path-escape', 'error', 9, 13, 9, 33]);
      assert.match(p.message, /leaves the project root.*"shared\/charts\/api"/);
      assert.deepEqual(project(r).workloads, []);
    });

    it('rejects an absolute values layer and suggests the relative path', () => {
      const r = parseManifest(
        yaml(...HEADER, '  environments:', '    - name: dev', '  workloads:', '    - name: api', '      chart: charts/api', '      values:', '        - values/base.yaml', '        - /repo/values/{env}.yaml'),
        MANIFEST,
      );
      const p = only(r, 'path-escape');
      assert.deepEqual(where(p), ['path-escape', 'error', 12, 10, 12, 33]);
      assert.match(p.message, /absolute path.*write "values\/\{env\}\.yaml" instead/);
    });

    it('rejects a variables path with `..` and leaves no project', () => {
      const r = parseManifest(yaml(...HEADER, '  environments:', '    - name: dev', '  variables: config/../../vars.yaml'), MANIFEST);
      assert.deepEqual(where(only(r, 'path-escape')), ['path-escape', 'error', 7, 13, 7, 35]);
      assert.equal(r.project, undefined);
    });

    it('accepts `..` that stays inside the root', () => {
      assert.equal(pathEscapeMessage('charts/../charts/api', 'chart', '/repo'), undefined);
      assert.equal(pathEscapeMessage('./charts/api', 'chart', '/repo'), undefined);
      assert.ok(pathEscapeMessage('C:\\charts\\api', 'chart', '/repo'));
      assert.ok(pathEscapeMessage('..', 'chart', '/repo'));
    });
  });

  describe('unknown-token', () => {
    it('points at the token inside the layer template', () => {
      const r = parseManifest(
        yaml(...HEADER, '  environments:', '    - name: dev', '  workloads:', '    - name: api', '      chart: charts/api', '      values: ["values/{environment}/{workload}.yaml"]'),
        MANIFEST,
      );
      const p = only(r, 'unknown-token');
      assert.deepEqual(where(p), ['unknown-token', 'error', 10, 23, 10, 36]);
      assert.match(p.message, /Unknown token "\{environment\}".*\{env\}, \{tenant\} or \{workload\}/);
      assert.deepEqual(project(r).workloads, []);
    });
  });

  describe('{tenant} in cluster', () => {
    const env = (cluster: string) => parseManifest(yaml(...HEADER, '  environments:', '    - name: prod', `      cluster: ${cluster}`, '  tenants: [acme, globex]'), MANIFEST);

    it('accepts {tenant} in the context and the namespace, kept as written for each tenant to fill in', () => {
      const r = env('{ context: "prod-{tenant}", namespace: "shop-{tenant}" }');
      assert.deepEqual(r.problems, []);
      assert.deepEqual(project(r).environments[0]?.cluster, { context: 'prod-{tenant}', namespace: 'shop-{tenant}' });
      assert.deepEqual(env('{ namespace: "{tenant}" }').problems, []);
      assert.deepEqual(env('{ namespace: "{tenant}-{tenant}" }').problems, []);
    });

    it('still refuses a namespace that no tenant could make valid, saying {tenant} is allowed', () => {
      for (const bad of ['shop-{env}', 'Shop-{tenant}', 'shop-{tenant}-', '{Tenant}']) {
        const p = only(env(`{ namespace: "${bad}" }`), 'manifest-schema');
        assert.match(p.message, /namespace must be .*\{tenant\} may stand for the tenant's name/, bad);
      }
    });
  });

  describe('approvers', () => {
    const env = (approval: string) => parseManifest(yaml(...HEADER, '  environments:', '    - name: prod', `      approval: ${approval}`, '  teams:', '    sre: [sam@example.com, sue@example.com]'), MANIFEST);

    it('warns about an unknown team at the approver', () => {
      const r = env('{ required: 1, approvers: [team:sre, "team:ops"] }');
      const p = only(r, 'unknown-team');
      assert.deepEqual(where(p), ['unknown-team', 'warning', 7, 53, 7, 63]);
      assert.match(p.message, /Unknown team "ops" \(declared teams: sre\)/);
      assert.ok(r.project, 'a warning keeps the project');
      assert.deepEqual(withCode(r, 'approval-unreachable'), [], 'not computable with an unknown team');
    });

    it('warns when more approvals are required than people can give', () => {
      const r = env('{ required: 3, approvers: [team:sre, Sam@example.com] }');
      const p = only(r, 'approval-unreachable');
      assert.deepEqual(where(p), ['approval-unreachable', 'warning', 7, 28, 7, 29]);
      assert.match(p.message, /requires 3 approval\(s\) but only 2 people can approve/);
    });

    it('warns when approval is required and nobody is listed', () => {
      assert.match(only(env('{ required: 1 }'), 'approval-unreachable').message, /nobody is listed/);
    });

    it('is quiet when enough people can approve', () => {
      assert.deepEqual(env('{ required: 3, approvers: [team:sre, lead@example.com] }').problems, []);
    });
  });

  describe('the fast path (plain data first, positions only for problems)', () => {
    const fixtures = ['valid', 'invalid'].flatMap((validity) => {
      const dir = path.join(FIXTURES, 'manifests', validity);
      return readdirSync(dir).map((f) => [`${validity}/${f}`, readFileSync(path.join(dir, f), 'utf8')] as const);
    });
    const env = '  environments:';
    const cases: (readonly [string, string])[] = [
      ...fixtures,
      ['flow maps, comments, quotes', yaml('# top', ...HEADER, `${env} # promotion order`, '    - { name: dev, cluster: { context: "kind-dev", namespace: \'dev\' } }', '    - name: prod', '      approval: { required: 1, approvers: [a@example.com] }', '  tenants: [acme, "globex"]', '  workloads:', '    - name: api # the API', '      chart: charts/api', '      values:', '        - values/{env}/{workload}.yaml', '      kube:', '        selector: { app: api, tier: "1" }')],
      ['CRLF line endings', yaml(...HEADER, env, '    - name: dev').replace(/\n/g, '\r\n')],
      ['numbers and booleans where strings belong', yaml(...HEADER, env, '    - name: 1', '  workloads:', '    - { name: api, chart: 0x1F, values: [true] }')],
      ['numeric keys in a record', yaml(...HEADER, env, '    - name: dev', '  teams:', '    0x1f: [a@example.com]')],
      ['semantic warnings only', yaml(...HEADER, env, '    - name: dev', '      approval: { required: 2, approvers: [team:nope] }')],
      ['semantic errors', yaml(...HEADER, env, '    - name: dev', '    - name: dev', '  workloads:', '    - { name: api, chart: ../api, values: "values/{stage}.yaml" }', '  variables: /abs/vars.yaml')],
      ['anchors and aliases', yaml(...HEADER, env, '    - &dev { name: dev }', '  workloads:', '    - { name: api, chart: c, values: v.yaml }', '  tenants: [*dev]')],
      ['a block scalar', yaml(...HEADER, env, '    - name: dev', '      freeze:', '        reason: |', '          Peak season')],
      ['a duplicate key', yaml(...HEADER, env, '    - name: dev', '  environments: []')],
      ['a second document', yaml(...HEADER, env, '    - name: dev', '---', 'kind: Project')],
      ['a syntax error', yaml(...HEADER, env, '    - name: [dev')],
      ['an empty document', '# nothing yet\n'],
      ['a list', '- apiVersion: gitopshq.io/v1alpha1\n'],
      ['a scalar', 'Project\n'],
    ];

    for (const [name, text] of cases) {
      it(`gives what the full path gives: ${name}`, () => {
        const fast = parseManifest(text, MANIFEST);
        const full = parseManifestWithPositions(text, MANIFEST);
        assert.deepEqual(fast.project, full.project);
        assert.deepEqual(fast.problems, full.problems);
        assert.deepEqual(fast.source, full.source);
        for (const at of [['metadata', 'slug'], ['spec', 'environments', 0], ['spec', 'workloads', 0, 'chart'], ['spec', 'nothing']]) {
          assert.deepEqual(fast.locate(at), full.locate(at), `locate ${at.join('.')}`);
        }
      });
    }

    it('is taken by the valid fixtures', () => {
      for (const [name, text] of fixtures.filter(([n]) => n.startsWith('valid/'))) {
        assert.ok(parseFast(text, MANIFEST, 0), `the fast reader declines ${name}`);
        assert.deepEqual(parseManifest(text, MANIFEST).problems, [], name);
      }
    });
  });

  describe('checkManifestFiles', () => {
    const text = yaml(...HEADER, '  environments:', '    - name: dev', '  workloads:', '    - { name: api, chart: charts/api, values: v.yaml }', '    - { name: web, chart: charts/web, values: v.yaml }', '    - { name: db, chart: charts/db, values: v.yaml }');
    const fs = (files: Record<string, string>, dirs: string[]): FileSystemPort => ({
      readFile: (p) => Promise.resolve(files[p]),
      isDirectory: (p) => Promise.resolve(dirs.includes(p)),
      findFiles: () => Promise.resolve([]),
    });

    it('reports a missing chart folder and a chart without values.yaml at the chart', async () => {
      const problems = await checkManifestFiles(parseManifest(text, MANIFEST), fs({ '/repo/charts/api/values.yaml': 'a: 1' }, ['/repo/charts/api', '/repo/charts/web']));
      assert.deepEqual(problems.map(where), [
        ['missing-chart-values', 'warning', 9, 26, 9, 36],
        ['missing-chart', 'error', 10, 25, 10, 34],
      ]);
      assert.match(problems[1]?.message ?? '', /Chart folder "charts\/db" of workload "db" does not exist/);
    });

    it('does not require the default variables file', async () => {
      const r = parseManifest(yaml(...HEADER, '  environments:', '    - name: dev'), MANIFEST);
      assert.deepEqual(await checkManifestFiles(r, fs({}, [])), []);
    });

    it('requires a variables file the manifest names', async () => {
      const r = parseManifest(yaml(...HEADER, '  environments:', '    - name: dev', '  variables: config/vars.yaml'), MANIFEST);
      const problems = await checkManifestFiles(r, fs({}, []));
      assert.deepEqual(problems.map(where), [['missing-variables-file', 'error', 7, 13, 7, 29]]);
      assert.deepEqual(await checkManifestFiles(r, fs({ '/repo/config/vars.yaml': '' }, [])), []);
    });

    it('points at the right workload when an earlier one was dropped', async () => {
      const r = parseManifest(yaml(...HEADER, '  environments:', '    - name: dev', '  workloads:', '    - { name: Bad, chart: c, values: v }', '    - { name: ok, chart: charts/ok, values: v }'), MANIFEST);
      const problems = await checkManifestFiles(r, fs({}, []));
      assert.deepEqual(problems.filter((p) => p.code === 'missing-chart').map(where), [['missing-chart', 'error', 9, 25, 9, 34]]);
    });

    it('checks nothing without a project', async () => {
      assert.deepEqual(await checkManifestFiles(parseManifest('kind: Project\n', MANIFEST), fs({}, [])), []);
    });
  });
});
