import * as assert from 'node:assert/strict';
import { buildSnapshot, buildSnapshotInSlices, updateSnapshot, type ValuesSnapshot } from '../../../../src/core/yaml/incrementalValues';
import { parseFast, parseValuesFile, type ParsedValues } from '../../../../src/core/yaml/valuesReader';

const FILE = '/repo/values/dev/api.yaml';
const LAYER = 1;

/** Mulberry32: a small seeded PRNG, so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
const int = (r: Random, n: number): number => Math.floor(r() * n);

const SCALARS = ['1', 'true', 'null', '~', 'nginx', '"quoted: text"', "'single'", '"{{hq.var.DB_HOST}}"', '3.5', '[a, b]', '{x: 1}', '0x1F', ''];

/** A values file of a few top-level blocks: nested maps, lists at and below their key, comments, flow collections. */
function valuesFile(r: Random): string {
  const lines: string[] = [];
  if (r() < 0.3) lines.push('# generated values', '');
  if (r() < 0.1) lines.push('---');
  const keys = 2 + int(r, 6);
  for (let k = 0; k < keys; k++) {
    const key = `key${k}`;
    switch (int(r, 7)) {
      case 5:
        lines.push(`${key}: ${pick(r, ['|', '>-', '|+'])}`, '  line one', '', `  ${pick(r, SCALARS)}`);
        break;
      case 6:
        lines.push(`${key}: [`, `  ${pick(r, SCALARS)},`, '  b, # c', pick(r, [']', '  ]']));
        break;
      case 0:
        lines.push(`${key}: ${pick(r, SCALARS)}`);
        break;
      case 1:
        lines.push(`${key}:`, `  name: ${pick(r, SCALARS)}`, '  nested:', `    deep: ${pick(r, SCALARS)}`, `    other: ${pick(r, SCALARS)}`);
        break;
      case 2:
        lines.push(`${key}:`, `- ${pick(r, SCALARS)}`, '- name: item', `  value: ${pick(r, SCALARS)}`);
        break;
      case 3:
        lines.push(`${key}:`, '  list:', `    - ${pick(r, SCALARS)}`, '    - a: 1', '      b: 2', '  # a comment', `  after: ${pick(r, SCALARS)}`);
        break;
      default:
        lines.push(`# about ${key}`, `${key}: # trailing`, `  env: ${pick(r, SCALARS)}`, '');
    }
  }
  return lines.join('\n') + (r() < 0.8 ? '\n' : '');
}

const FRAGMENTS = [
  ' ',
  '  ',
  '\n',
  '\n\n',
  ':',
  ': ',
  '-',
  '- ',
  '#',
  ' # c',
  '"',
  "'",
  'x',
  'abc',
  '{',
  '}',
  '[',
  ']',
  '&a ',
  '*a',
  '\t',
  '\r\n',
  '\r',
  '---\n',
  '...',
  '|\n',
  'newKey: 1\n',
  'key0: dup\n',
  '  indented: 2\n',
  '- item\n',
  '"{{hq.var.NEW}}"',
  '{{hq.var.NEW}}',
  '__proto__: 1\n',
];

/** Edits that keep a file readable most of the time: typing values, adding keys, comments and lines. */
const BENIGN = ['0', 'a', ' ', '"{{hq.var.Z}}"', '\n# note', '\n  child: 1', `\nfresh${'_'}KEY: 1`, '\n'];

/**
 * One random edit: insert, delete or replace characters or whole lines, often at line starts; half
 * of them benign (typing at the end of a line), so the file is readable often enough to exercise
 * the incremental path rather than the fallback.
 */
function edit(r: Random, text: string): string {
  const lines = text.split('\n');
  if (r() < 0.5) {
    const i = int(r, lines.length);
    const insert = pick(r, BENIGN).replace('KEY', String(int(r, 1e6)));
    if ((lines[i] ?? '').trim() !== '') lines[i] += insert;
    return lines.join('\n');
  }
  const lineStart = (i: number) => lines.slice(0, i).reduce((n, l) => n + l.length + 1, 0);
  const at = r() < 0.5 ? lineStart(int(r, lines.length)) : int(r, text.length + 1);
  switch (int(r, 6)) {
    case 0:
      return text.slice(0, at) + pick(r, FRAGMENTS) + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + int(r, 3));
    case 2:
      return text.slice(0, at) + pick(r, FRAGMENTS) + text.slice(at + 1 + int(r, 4));
    case 3: {
      const i = int(r, lines.length);
      lines.splice(i, 1 + int(r, 2));
      return lines.join('\n');
    }
    case 4: {
      const i = int(r, lines.length + 1);
      lines.splice(i, 0, pick(r, ['other: value', '# comment', '', '  child: 1', '- x', 'key1:', 'top:', '  - y']));
      return lines.join('\n');
    }
    default: {
      const i = int(r, lines.length);
      lines[i] = (lines[i] ?? '').replace(/\w+$/, pick(r, ['edited', '42', '"{{hq.var.Y}}"', '', 'a: b']));
      return lines.join('\n');
    }
  }
}

function entries(parsed: ParsedValues) {
  return [...parsed.origins];
}

/** The incremental result must be exactly what a full parse gives: values, origins (in order), problems. */
function assertSameAsFull(snapshot: ValuesSnapshot, text: string, context: string): void {
  assert.equal(snapshot.text, text);
  const full = parseValuesFile(text, FILE, LAYER);
  const parsed = snapshot.fast ?? parseValuesFile(text, FILE, LAYER);
  assert.deepStrictEqual(parsed.value, full.value, context);
  // Looked up one by one first (the block origins answer get and has without the whole map), then whole.
  for (const [path, origin] of full.origins) assert.deepStrictEqual(parsed.origins.get(path), origin, `${context}: ${path}`);
  assert.equal(parsed.origins.has('no.such[0].path'), false);
  assert.equal(parsed.origins.size, full.origins.size, context);
  assert.deepStrictEqual(entries(parsed), entries(full), context);
  assert.deepStrictEqual(parsed.problems, full.problems, context);
  assert.equal(parsed.file, FILE);
  assert.equal(parsed.layer, LAYER);
  // The fast result exists only where the fast reader takes the whole text.
  if (snapshot.fast) assert.ok(parseFast(text, FILE, LAYER), `fast result for a text the fast reader refuses: ${context}`);
}

describe('incrementalValues', () => {
  it('re-reads only the block an edit touches and moves the blocks after it', () => {
    const text = 'a: 1\nb:\n  c: 2\n  d: [x, y]\ne:\n- 1\n- 2\n';
    const before = buildSnapshot(text, FILE, LAYER);
    const after = updateSnapshot(before, text.replace('c: 2', 'c: 3\n  f: 4'));
    assert.deepEqual(after.fast?.value, { a: 1, b: { c: 3, f: 4, d: ['x', 'y'] }, e: [1, 2] });
    assert.equal(after.blocks[0], before.blocks[0], 'the block before the edit is kept as is');
    assert.equal(after.blocks[2]?.read, before.blocks[2]?.read, 'the block after the edit is reused');
    assert.equal(after.blocks[2]?.start, 5);
    assert.deepEqual(after.fast?.origins.get('e[1]'), { file: FILE, line: 7, character: 2, layer: LAYER });
  });

  it('has no fast result while a block is broken, and recovers when it is fixed', () => {
    const text = 'a: 1\nb:\n  c: 2\nz: 9\n';
    const broken = updateSnapshot(buildSnapshot(text, FILE, LAYER), 'a: 1\nb:\n  c: "2\nz: 9\n');
    assert.equal(broken.fast, undefined);
    assert.equal(broken.blocks.filter((b) => b.read === undefined).length, 1);
    const fixed = updateSnapshot(broken, 'a: 1\nb:\n  c: "2"\nz: 9\n');
    assert.deepEqual(fixed.fast?.value, { a: 1, b: { c: '2' }, z: 9 });
  });

  it('falls back when two blocks define the same key, or a block reaches the lines before the first key', () => {
    const start = buildSnapshot('# head\na: 1\nb: 2\n', FILE, LAYER);
    assert.equal(updateSnapshot(start, '# head\na: 1\na: 2\n').fast, undefined);
    assert.deepEqual(updateSnapshot(start, '  # head\na: 1\nb: 2\n').fast?.value, { a: 1, b: 2 });
    assert.equal(updateSnapshot(start, '  head\na: 1\nb: 2\n').fast, undefined);
  });

  it('reads in slices like in one go', async () => {
    const r = prng(7);
    const text = Array.from({ length: 50 }, () => valuesFile(r)).join('').replace(/^key(\d+):/gm, (_, n: string) => `k${n}_${int(r, 1e9)}:`);
    let pauses = 0;
    const sliced = await buildSnapshotInSlices(text, FILE, LAYER, async () => void pauses++, 20);
    assert.ok(pauses > 5);
    assertSameAsFull(sliced, text, 'sliced');
    assert.deepStrictEqual(entries(sliced.fast ?? parseValuesFile(text, FILE, LAYER)), entries(buildSnapshot(text, FILE, LAYER).fast ?? parseValuesFile(text, FILE, LAYER)));
  });

  it('equals a full parse after thousands of random edits (seeded)', function () {
    this.timeout(120_000);
    const CASES = 400;
    const EDITS = 8;
    let checked = 0;
    let fast = 0;
    let reused = 0;
    for (let seed = 1; seed <= CASES; seed++) {
      const r = prng(seed);
      let text = valuesFile(r);
      let snapshot = buildSnapshot(text, FILE, LAYER);
      assertSameAsFull(snapshot, text, `seed ${seed}, initial ${JSON.stringify(text)}`);
      const history = [text];
      for (let step = 0; step < EDITS; step++) {
        // Sometimes an undo: the user fixes what the last edits broke.
        const next = r() < 0.2 ? (history[int(r, history.length)] as string) : edit(r, text);
        history.push(next);
        const updated = updateSnapshot(snapshot, next);
        assertSameAsFull(updated, next, `seed ${seed}, step ${step}: ${JSON.stringify(text)} -> ${JSON.stringify(next)}`);
        checked++;
        if (updated.fast) fast++;
        if (updated.blocks.some((b) => snapshot.blocks.some((old) => old.read !== undefined && old.read === b.read))) reused++;
        text = next;
        snapshot = updated;
      }
    }
    assert.equal(checked, CASES * EDITS);
    // The edits must exercise the incremental path, not only the fallback.
    assert.ok(fast > checked / 4, `only ${fast} of ${checked} results came from the blocks`);
    assert.ok(reused > checked / 4, `only ${reused} of ${checked} updates reused a block`);
  });
});
