import * as assert from 'node:assert/strict';
import { structuredPatch } from 'diff';
import { fileDiff, MAX_DIFF_LINES } from '../../../../src/core/release/fileDiff';
import { isVariablesFile } from '../../../../src/core/release/largeTexts';
import { DISPLAY_MASKING, SECRET_MASK, SecretMasker } from '../../../../src/core/secrets/mask';
import { fileDiffSchema } from '../../../../src/protocol/releaseShapes';

const none = new SecretMasker([], DISPLAY_MASKING);
const VARIABLES_BEFORE = `repo:
  LOG_LEVEL: info
  API_KEY:
    secret: true
    value: live-key-0001
env:
  dev:
    API_KEY:
      value: "sandbox-key-1"
      secret: true
      description: Sandbox
`;

describe('release file diff', () => {
  it('is a unified diff with counts and line prefixes, valid on the wire', () => {
    const diff = fileDiff('values/staging/payment-api.yaml', 'image:\n  tag: "2.4.0"\nreplicaCount: 2\n', 'image:\n  tag: "2.5.0"\nreplicaCount: 2\n', none, false);
    assert.ok(fileDiffSchema.safeParse(diff).success);
    assert.equal(diff.added, 1);
    assert.equal(diff.removed, 1);
    assert.deepEqual(diff.hunks[0]!.lines, [' image:', '-  tag: "2.4.0"', '+  tag: "2.5.0"', ' replicaCount: 2']);
    assert.equal(diff.masked, false);
  });

  it('never carries a secret of the variables file, before or after', () => {
    const after = VARIABLES_BEFORE.replace('live-key-0001', 'live-key-0002').replace('LOG_LEVEL: info', 'LOG_LEVEL: debug');
    const diff = fileDiff('.gitopshq/variables.yaml', VARIABLES_BEFORE, after, none, true);
    const json = JSON.stringify(diff);
    assert.ok(!json.includes('live-key-000') && !json.includes('sandbox-key-1'), json);
    assert.ok(diff.masked);
    assert.equal(diff.added, 1, 'a secret rotation is not visible as a change; the LOG_LEVEL change is');
    assert.ok(json.includes('+  LOG_LEVEL: debug'));
  });

  it('masks a secret written literally in a values file', () => {
    const diff = fileDiff('values/prod/api.yaml', 'a: 1\n', 'a: 1\npassword: live-key-0001\n', new SecretMasker(['live-key-0001'], DISPLAY_MASKING), false);
    assert.deepEqual(diff.hunks[0]!.lines, [' a: 1', `+password: ${SECRET_MASK}`]);
  });

  it('a new file is all additions; a huge one is cut', () => {
    const added = fileDiff('a.yaml', '', 'a: 1\nb: 2\n', none, false);
    assert.equal(added.added, 2);
    assert.equal(added.removed, 0);
    const big = Array.from({ length: MAX_DIFF_LINES + 500 }, (_, i) => `k${i}: ${i}`).join('\n') + '\n';
    const cut = fileDiff('big.yaml', '', big, none, false);
    assert.ok(cut.truncated);
    assert.equal(cut.added, MAX_DIFF_LINES + 500, 'counts cover the whole file');
    assert.ok(cut.hunks.reduce((n, h) => n + h.lines.length, 0) <= MAX_DIFF_LINES);
  });

  it('gives the same hunks as the whole-text diff when it skips the shared start and end', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `k${i}: ${i}`);
    const variants: [string, string][] = [];
    const edit = (at: number[], f: (l: string) => string | null) =>
      lines.flatMap((l, i) => (at.includes(i) ? [f(l)].filter((x): x is string => x !== null) : [l])).join('\n');
    const base = lines.join('\n');
    variants.push([base + '\n', edit([200], (l) => `${l}x`) + '\n']);
    variants.push([base, edit([0, 399], (l) => `${l}x`)]);
    variants.push([base + '\n', edit([100, 104, 300], () => null) + '\n']);
    variants.push([base, base + '\n']);
    variants.push([base + '\n', edit([2], (l) => `${l}\nnew: line`) + '\n']);
    for (const [before, after] of variants) {
      const expected = structuredPatch('a/f', 'b/f', before, after, '', '', { context: 3 }).hunks.map(({ oldStart, oldLines, newStart, newLines, lines: l }) => ({
        oldStart,
        oldLines,
        newStart,
        newLines,
        lines: l,
      }));
      assert.deepEqual(fileDiff('f', before, after, none, false).hunks, expected);
    }
  });

  it('diffs and masks an unchanged 2 MB values file in well under a second', () => {
    const text = Array.from({ length: 40_000 }, (_, i) => `key_${i}: "value number ${i} of a large file"`).join('\n');
    const after = text.replace('value number 20000 ', 'changed ');
    const started = performance.now();
    const diff = fileDiff('big.yaml', text, after, new SecretMasker(['s3cr3t-value'], DISPLAY_MASKING), false);
    assert.ok(performance.now() - started < 500, `${performance.now() - started} ms`);
    assert.equal(diff.hunks[0]!.oldStart, 19998);
  });

  it('isVariablesFile: the project variables file by its repository path', () => {
    const project = { variablesPath: '/repo/apps/.gitopshq/variables.yaml' };
    assert.ok(isVariablesFile(project, 'apps/.gitopshq/variables.yaml'));
    assert.ok(!isVariablesFile(project, 'apps/values/variables.yaml'));
    assert.ok(isVariablesFile(undefined, 'anything.yaml'), 'unknown project: mask structurally, to be safe');
  });
});
