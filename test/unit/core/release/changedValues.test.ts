import * as assert from 'node:assert/strict';
import { changedValuePaths, valueChanges } from '../../../../src/core/release/changedValues';

const BEFORE = `image:
  repository: ghcr.io/acme/payment-api
  tag: 2.4.0
replicas: 2
env:
  - { name: A, value: "1" }
podAnnotations:
  prometheus.io/scrape: "true"
removed:
  deep: { a: 1 }
`;
const AFTER = `image:
  repository: ghcr.io/acme/payment-api
  tag: 2.5.0
replicas: 2
env:
  - { name: A, value: "2" }
podAnnotations:
  prometheus.io/scrape: "false"
feature:
  newCheckout: true
`;

describe('changedValuePaths', () => {
  it('lists changed leaves, whole lists, added and removed subtrees', () => {
    assert.deepEqual(changedValuePaths(BEFORE, AFTER), ['image.tag', 'env', 'podAnnotations["prometheus.io/scrape"]', 'feature', 'removed']);
    assert.deepEqual(valueChanges(BEFORE, AFTER)?.[0], { path: 'image.tag', before: '2.4.0', after: '2.5.0' });
    assert.deepEqual(valueChanges(BEFORE, AFTER)?.[3], { path: 'feature', after: { newCheckout: true } });
    assert.deepEqual(valueChanges(BEFORE, AFTER)?.[4], { path: 'removed', before: { deep: { a: 1 } } });
  });

  it('a file that appears or disappears: every top-level key', () => {
    assert.deepEqual(changedValuePaths(undefined, 'a: 1\nb: { c: 2 }\n'), ['a', 'b']);
    assert.deepEqual(changedValuePaths('a: 1\n', undefined), ['a']);
    assert.deepEqual(changedValuePaths(undefined, undefined), []);
  });

  it('equal content (even reformatted), types that differ, null values', () => {
    assert.deepEqual(changedValuePaths('a: { b: [1, 2] }\n', 'a:\n  b:\n    - 1\n    - 2\n'), []);
    assert.deepEqual(changedValuePaths('a: 1\n', 'a: "1"\n'), ['a']);
    assert.deepEqual(changedValuePaths('a: ~\n', 'a: 0\n'), ['a']);
    assert.deepEqual(changedValuePaths('a: { b: 1 }\n', 'a: 5\n'), ['a']);
  });

  it('a text that is not a values file gives nothing rather than a guess', () => {
    assert.equal(valueChanges('a: [1\n', 'a: 1\n'), undefined);
    assert.deepEqual(changedValuePaths('{{ .Values.x }}: [\n', 'a: 1\n'), []);
  });
});

describe('valueChanges on large files', () => {
  // 2 MB: one flat map of 40,000 keys, and a block scalar the fast reader may leave to the `yaml` library.
  const big = (edit: (i: number) => string | undefined) =>
    Array.from({ length: 40_000 }, (_, i) => edit(i) ?? `key_${i}: "value number ${i} of a large file"`).join('\n') +
    '\nnotes: |\n  first line\n  second line\n';

  it('compares only the top-level blocks that differ, with the same answer as the whole texts', () => {
    const before = big(() => undefined);
    const after = big((i) => (i === 7 ? 'key_7: changed' : i === 30_000 ? 'added_key: 1\nkey_30000: "value number 30000 of a large file"' : undefined));
    const started = performance.now();
    const changes = valueChanges(before, after);
    assert.ok(performance.now() - started < 1000, `${performance.now() - started} ms`);
    assert.deepEqual(changes, [
      { path: 'key_7', before: 'value number 7 of a large file', after: 'changed' },
      { path: 'added_key', after: 1 },
    ]);
  });

  it('falls back to the whole texts when blocks cannot be compared alone (anchors)', () => {
    const pad = '#'.repeat(70_000);
    const before = `${pad}\nbase: &b { a: 1 }\nuse: *b\n`;
    const after = `${pad}\nbase: &b { a: 2 }\nuse: *b\n`;
    assert.deepEqual(changedValuePaths(before, after), ['base.a', 'use.a']);
  });
});
