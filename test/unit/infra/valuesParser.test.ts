import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ValuesParser } from '../../../src/infra/fs/valuesParser';
import { parseValuesFile } from '../../../src/core/yaml/valuesReader';

const FILE = '/repo/values/dev/api.yaml';
const SCRIPT = path.join(__dirname, '../../../src/infra/fs/valuesParseWorker.js');

describe('ValuesParser (worker thread)', () => {
  let parser: ValuesParser;
  beforeEach(() => (parser = new ValuesParser(SCRIPT)));
  afterEach(() => parser.dispose());

  it('gives what parseValuesFile gives: values, origins and problems, for the files the fast reader leaves to the library', async () => {
    const big = Array.from({ length: 300 }, (_, i) => `k${i}:\n  a: &x${i} { n: ${i} }\n  b: *x${i}\n  text: |\n    line ${i}\n`).join('');
    for (const text of [big, 'a: 1\nb: [1, 2\n', 'base: &b { x: 1 }\nuse:\n  <<: *b\n  y: 2\n', '']) {
      const expected = parseValuesFile(text, FILE, 2);
      const actual = await parser.parse(text, FILE, 2);
      assert.deepStrictEqual(actual.value, expected.value);
      assert.deepStrictEqual([...actual.origins], [...expected.origins]);
      assert.deepStrictEqual(actual.problems, expected.problems);
      assert.equal(actual.layer, 2);
    }
  });

  it('answers parses in flight in order, and rejects after dispose', async () => {
    const results = await Promise.all(['a: 1\n', 'b: &x 2\nc: *x\n'].map((t) => parser.parse(t, FILE, 0)));
    assert.deepEqual(results.map((r) => r.value), [{ a: 1 }, { b: 2, c: 2 }]);
    parser.dispose();
    await assert.rejects(parser.parse('a: 1\n', FILE, 0), /disposed/);
  });

  it('rejects when the worker cannot start (the index then parses on its own thread)', async () => {
    const broken = new ValuesParser('/no/such/worker.js');
    await assert.rejects(broken.parse('a: 1\n', FILE, 0));
    broken.dispose();
  });
});
