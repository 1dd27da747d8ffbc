// Hostile or huge YAML in any file the extension reads: never an exception, always a diagnostic.
import * as assert from 'node:assert/strict';
import { buildSnapshot } from '../../../../src/core/yaml/incrementalValues';
import { parseManifest } from '../../../../src/core/model/manifest';
import { parseReleaseFile } from '../../../../src/core/release/releaseFile';
import type { Problem } from '../../../../src/core/types';
import { parseVariables } from '../../../../src/core/model/variables';
import { parseValuesFile } from '../../../../src/core/yaml/valuesReader';

const DEEP = 4000;
const nested = (open: string, close: string) => open.repeat(DEEP) + close.repeat(DEEP);
const codes = (problems: readonly Problem[]) => problems.map((p) => p.code);

const MANIFEST = [
  'apiVersion: gitopshq.io/v1alpha1',
  'kind: Project',
  'metadata: { slug: shop }',
  'spec:',
  '  environments: [{ name: dev }]',
  '  workloads: [{ name: api, chart: charts/api, values: "values/{env}/{workload}.yaml" }]',
].join('\n');

/** `a: &a x` and a hundred `B<i>: *a`: the library's own limit (100 aliases) throws on this. */
const hundredAliases = (indent: string, anchor = 'x') =>
  [`${indent}A: &a ${anchor}`, ...Array.from({ length: 100 }, (_, i) => `${indent}B${i}: *a`)].join('\n') + '\n';

describe('hostile YAML', () => {
  describe(`${DEEP} nested brackets`, () => {
    for (const [open, close] of [['[', ']'], ['{a: ', '}'], ['[', '']] as const) {
      const value = nested(open, close);
      it(`a values file with ${JSON.stringify(open)}…: a yaml-limits or yaml-syntax error, no value, no exception`, () => {
        const text = `ok: 1\ndeep: ${value}\n`;
        for (const parsed of [parseValuesFile(text, '/v.yaml', 0), buildSnapshot(text, '/v.yaml', 0).fast ?? parseValuesFile(text, '/v.yaml', 0)]) {
          assert.deepEqual(parsed.value, {});
          assert.ok(parsed.problems.some((p) => p.severity === 'error' && /^yaml-(limits|syntax)$/.test(p.code)), JSON.stringify(codes(parsed.problems)));
        }
      });
    }

    it('a manifest: problems, no project, no exception', () => {
      const result = parseManifest(`${MANIFEST}\nextra: ${nested('[', ']')}\n`, '/repo/gitopshq.yaml');
      assert.equal(result.project, undefined);
      assert.ok(codes(result.problems).some((c) => c === 'yaml-limits' || c === 'yaml-syntax'), JSON.stringify(codes(result.problems)));
    });

    it('a variables file: problems, no variables, no exception', () => {
      const result = parseVariables(`repo:\n  A: 1\n  B: ${nested('[', ']')}\n`, '/repo/.gitopshq/variables.yaml');
      assert.equal(result.variables.all().length, 0);
      assert.ok(result.problems.length > 0);
    });

    it('a release file: a release-invalid problem, no release, no exception', () => {
      const result = parseReleaseFile(`apiVersion: gitopshq.io/v1alpha1\nkind: Release\nnotes: ${nested('[', ']')}\n`, '/repo/.gitopshq/releases/x.yaml');
      assert.equal(result.release, undefined);
      assert.deepEqual([...new Set(codes(result.problems))], ['release-invalid']);
    });

    it('caps depth below what every recursive reader can take, with the place and the reason', () => {
      const text = `top:\n  deep: ${nested('[', ']').slice(DEEP - 300, DEEP + 300)}\n`;
      const [problem] = parseValuesFile(text, '/v.yaml', 0).problems;
      assert.equal(problem?.code, 'yaml-limits');
      assert.match(problem.message, /nest more than 200 levels deep/);
      assert.equal(problem.span.start.line, 1);
      // 150 levels are fine, on both readers.
      const fine = `deep: ${nested('[', ']').slice(DEEP - 150, DEEP + 150)}\n`;
      assert.deepEqual(parseValuesFile(fine, '/v.yaml', 0).problems, []);
    });
  });

  describe('100 aliases (B0..B99: *a)', () => {
    it('a variables file: all 101 variables, no exception', () => {
      const result = parseVariables(`repo:\n${hundredAliases('  ')}`, '/repo/.gitopshq/variables.yaml');
      assert.deepEqual(result.problems, []);
      assert.equal(result.variables.all().length, 101);
      assert.equal(result.variables.resolve('B99', { environment: 'dev', tenant: 'default', workload: 'api' }).value, 'x');
    });

    it('a manifest: read, with 100 environments sharing one approval through an alias', () => {
      const envs = Array.from({ length: 100 }, (_, i) => `    - { name: env${i}, approval: *gate }`).join('\n');
      const text = [
        'apiVersion: gitopshq.io/v1alpha1',
        'kind: Project',
        'metadata: { slug: shop }',
        'spec:',
        '  environments:',
        '    - { name: prod, approval: &gate { required: 0 } }',
        envs,
        '  workloads: [{ name: api, chart: charts/api, values: "values/{env}/{workload}.yaml" }]',
        '',
      ].join('\n');
      const result = parseManifest(text, '/repo/gitopshq.yaml');
      assert.deepEqual(result.problems, []);
      assert.equal(result.project?.environments.length, 101);
    });

    it('a release file: its schema problems, no exception', () => {
      const text = `apiVersion: gitopshq.io/v1alpha1\nkind: Release\n${hundredAliases('')}`;
      const result = parseReleaseFile(text, '/repo/.gitopshq/releases/x.yaml');
      assert.equal(result.release, undefined);
      assert.ok(result.problems.length > 0);
    });

    it('aliases that expand past the node cap: one yaml-limits error, in every kind of file', () => {
      let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
      for (let i = 1; i < 9; i++) bomb += `a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]\n`;
      assert.deepEqual(codes(parseValuesFile(bomb, '/v.yaml', 0).problems), ['yaml-limits']);
      assert.deepEqual(codes(parseVariables(`repo:\n${bomb.replace(/^/gm, '  ')}`, '/vars.yaml').problems), ['yaml-limits']);
      assert.deepEqual(codes(parseManifest(`${MANIFEST}\n${bomb}`, '/repo/gitopshq.yaml').problems), ['yaml-limits']);
    });
  });
});
