import * as assert from 'node:assert/strict';
import { parseManifest } from '../../../../src/core/model/manifest';
import { quoteScalarFix } from '../../../../src/core/language/valueFixes';
import { findUnquotedTemplates } from '../../../../src/core/language/unquotedTemplates';

const manifest = (values: string) =>
  [
    'apiVersion: gitopshq.io/v1alpha1',
    'kind: Project',
    'metadata: { slug: shop }',
    'spec:',
    '  environments: [{ name: dev }, { name: prod }]',
    '  workloads:',
    '    - name: api',
    '      chart: charts/api',
    `      values: ${values}`,
    '    - name: web',
    '      chart: charts/web',
    '      values: "values/{env}/web.yaml"',
    '',
  ].join('\n');

describe('unquoted path templates in gitopshq.yaml', () => {
  it('one unquoted {workload} in a flow list: one diagnostic on it, not a cascade of syntax errors', () => {
    const text = manifest('[values/common/{workload}.yaml, "values/{env}/{workload}.yaml"]');
    const { project, problems } = parseManifest(text, '/repo/gitopshq.yaml');
    assert.equal(project, undefined);
    assert.deepEqual(
      problems.map((p) => [p.code, p.severity, p.span.start.line, p.span.start.character, p.span.end.character]),
      [['unquoted-path-template', 'error', 8, 15, 44]],
    );
    assert.match(problems[0]?.message ?? '', /Write "values\/common\/\{workload\}\.yaml"/);
  });

  it('the quick fix quotes it, and the manifest then reads without problems', () => {
    const text = manifest('[values/common/{workload}.yaml, "values/{env}/{workload}.yaml"]');
    const [problem] = parseManifest(text, '/repo/gitopshq.yaml').problems;
    assert.ok(problem);
    const lines = text.split('\n');
    const { start, end } = problem.span;
    const fix = quoteScalarFix(lines[start.line] as string, start.line, start.character, end.character);
    assert.ok(fix);
    lines[start.line] = (lines[start.line] as string).slice(0, fix.span.start.character) + fix.newText + (lines[start.line] as string).slice(fix.span.end.character);
    const fixed = parseManifest(lines.join('\n'), '/repo/gitopshq.yaml');
    assert.deepEqual(fixed.problems, []);
    assert.deepEqual(fixed.project?.workloads[0]?.values, ['values/common/{workload}.yaml', 'values/{env}/{workload}.yaml']);
  });

  it('keeps reporting the other problems of the file', () => {
    const text = manifest('[values/{env}/{workload}.yaml]').replace('name: web', 'name: Web');
    const codes = parseManifest(text, '/repo/gitopshq.yaml').problems.map((p) => p.code);
    assert.deepEqual(codes, ['unquoted-path-template', 'manifest-schema']);
  });

  it('finds only unquoted items with a layer token', () => {
    const found = (line: string) => findUnquotedTemplates(line, ['env', 'tenant', 'workload']).map((t) => t.text);
    assert.deepEqual(found('values: [a/{env}.yaml, "b/{env}.yaml", c.yaml, d/{other}.yaml, {tenant}/x.yaml]'), ['a/{env}.yaml', '{tenant}/x.yaml']);
    assert.deepEqual(found('values: {workload}/values.yaml # c'), ['{workload}/values.yaml']);
    assert.deepEqual(found('values: values/{env}.yaml'), []);
  });
});
