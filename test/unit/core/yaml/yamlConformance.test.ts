// The public YAML test suite (yaml-test-suite: every case is a YAML text and whether a parser must
// reject it) through the `yaml-syntax` diagnostics of a values file, on both ways the index reads
// one: the whole text (parseValuesFile) and the incremental snapshot of an edited file.
import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { buildSnapshot, updateSnapshot } from '../../../../src/core/yaml/incrementalValues';
import type { Problem } from '../../../../src/core/types';
import { parseValuesFile } from '../../../../src/core/yaml/valuesReader';

interface SuiteCase {
  yaml: string;
  fail?: boolean;
}
interface SuiteTest {
  id: string;
  name: string;
  cases: SuiteCase[];
}

// The package is an ES module: loaded with require (Node ≥ 20.19), untyped (its types are 700 files of literal types).
const suite = (createRequire(__filename)('yaml-test-suite') as { default: SuiteTest[] }).default;

const FILE = '/repo/values/dev/api.yaml';

/**
 * Cases where the diagnostics differ from the suite on purpose, and why. Everything else must agree.
 * `<id>#<case index>`.
 */
const DELIBERATE: Record<string, string> = {
  // `: a` and `: b` are two entries with an empty (null) key: valid YAML, but a values file where a
  // second key silently replaces the first is a mistake, so duplicate keys are errors.
  '2JQS#0': 'duplicate (empty) keys are errors in a values file',
  // The error (a tag handle of the first document used in the third) is in a later document: a
  // values file holds one document, and the second one is reported as `yaml-multi-document`.
  'QLJ7#0': 'the invalid part is in a later document, reported as yaml-multi-document',
};

/** The YAML 1.2 spec asks for a warning on these (an unknown directive, a newer version): valid, and warned about. */
const SPEC_WARNING = /^(Unknown directive|Unsupported YAML version)/;

function disagrees(expectFailure: boolean, problems: readonly Problem[]): boolean {
  const syntax = problems.filter((p) => p.code === 'yaml-syntax' || p.code === 'yaml-limits');
  const errors = syntax.filter((p) => p.severity === 'error');
  if (expectFailure) return errors.length === 0;
  return syntax.some((p) => p.severity === 'error' || !SPEC_WARNING.test(p.message));
}

function fullPath(text: string): Problem[] {
  return parseValuesFile(text, FILE, 0).problems;
}

/** The index's path for an edited file: the previous version's snapshot, updated. */
function incrementalPath(text: string, previous: string): Problem[] {
  const snapshot = updateSnapshot(buildSnapshot(previous, FILE, 0), text);
  assert.equal(snapshot.text, text);
  return (snapshot.fast ?? parseValuesFile(text, FILE, 0)).problems;
}

describe('YAML conformance (yaml-test-suite) of the values-file diagnostics', () => {
  const cases = suite.flatMap((test) => test.cases.map((c, i) => ({ id: `${test.id}#${i}`, name: test.name, ...c })));

  it('loads the suite', () => {
    assert.ok(cases.length >= 400, `only ${cases.length} cases`);
    assert.ok(cases.some((c) => c.fail) && cases.some((c) => !c.fail));
  });

  const paths: [string, (text: string) => Problem[]][] = [
    ['the whole text', fullPath],
    ['a snapshot read afresh', (text) => incrementalPath(text, '')],
    ['a snapshot after typing a new last key', (text) => incrementalPath(text, `${text}\nlast: 1\n`)],
    ['a snapshot after editing the first line', (text) => incrementalPath(text, `first: 0\n${text}`)],
  ];
  for (const [name, problemsOf] of paths) {
    it(`agrees with the suite on ≥ 99% of the cases, reading ${name}`, () => {
      const disagreeing = cases.filter((c) => disagrees(c.fail === true, problemsOf(c.yaml))).map((c) => c.id);
      const share = (100 * disagreeing.length) / cases.length;
      console.log(`      yaml-test-suite, ${name}: ${disagreeing.length} of ${cases.length} cases disagree (${share.toFixed(2)}%): ${disagreeing.join(', ')}`);
      assert.deepEqual(disagreeing.filter((id) => !(id in DELIBERATE)), [], 'cases that disagree without a listed reason');
      assert.ok(share <= 1, `${share.toFixed(2)}% disagree`);
    });
  }

  it('reports the mistakes the library lets through, and not the valid YAML it warns about', () => {
    const codes = (text: string) => fullPath(text).map((p) => `${p.code}:${p.severity}`);
    assert.deepEqual(codes('%YAML 1.2\n%YAML 1.2\n---\na: 1\n'), ['yaml-syntax:error']);
    assert.deepEqual(codes('a: !foo bar\nb: !<tag:example.com,2000:app/foo> baz\n'), []);
    assert.deepEqual(codes('a: &x: 1\nb: *x:\n'), []);
    assert.deepEqual(parseValuesFile('a: !foo bar\n', FILE, 0).value, { a: 'bar' });
  });
});
