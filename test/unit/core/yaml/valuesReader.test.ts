import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { formatPath, joinPath, parsePath } from '../../../../src/core/values/paths';
import { parseFast, parseValuesFile, parseWithLibrary, resolvePlain, type ParsedValues } from '../../../../src/core/yaml/valuesReader';

const FILE = '/repo/values/dev/api.yaml';

function origins(parsed: ParsedValues): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const [path, o] of parsed.origins) out[path] = [o.line, o.character];
  return out;
}

/** Both readers, when the fast one takes the text, must give the same values, positions and (no) problems. */
function assertSameAsLibrary(text: string): boolean {
  const fast = parseFast(text, FILE, 2);
  if (!fast) return false;
  const library = parseWithLibrary(text, FILE, 2);
  assert.deepEqual(library.problems, [], `the fast reader took a text the library rejects: ${JSON.stringify(text)}`);
  assert.deepStrictEqual(fast.value, library.value, JSON.stringify(text));
  assert.deepStrictEqual(origins(fast), origins(library), JSON.stringify(text));
  return true;
}

describe('valuesReader', () => {
  describe('dotted paths', () => {
    it('formats keys, list items and keys that need quotes', () => {
      assert.equal(formatPath(['ingress', 'hosts', 0, 'host']), 'ingress.hosts[0].host');
      assert.equal(formatPath(['podAnnotations', 'prometheus.io/scrape']), 'podAnnotations["prometheus.io/scrape"]');
      assert.equal(formatPath(['a.b', 'c']), '["a.b"].c');
      assert.equal(formatPath(['', 'x[0]', 'q"k', 'with space', '0']), '[""]["x[0]"]["q\\"k"].with space.0');
      assert.equal(formatPath([0, 1]), '[0][1]');
      assert.equal(joinPath('', 'a'), 'a');
      assert.equal(joinPath('a', 3), 'a[3]');
    });

    it('parses what it formats (round trip)', () => {
      const cases: (string | number)[][] = [
        ['image', 'tag'],
        ['ingress', 'hosts', 0, 'host'],
        ['podAnnotations', 'prometheus.io/scrape'],
        ['a.b', 'c', 'd]', '[e', 'f"g', ''],
        [0, 'x', 12, 'y'],
        ['0', 'key with spaces', 'é', '🙂'],
        ['back\\slash', 'tab\there'],
      ];
      for (const segments of cases) assert.deepEqual(parsePath(formatPath(segments)), segments);
    });

    it('rejects malformed paths', () => {
      for (const bad of ['a..b', '.a', 'a.', 'a[', 'a[x]', 'a[01]', 'a["b]', 'a["b"', 'a]b', 'a"b', 'a[0]b']) {
        assert.equal(parsePath(bad), undefined, bad);
      }
      assert.deepEqual(parsePath(''), []);
    });
  });

  describe('parseValuesFile', () => {
    it('reads a values file into plain data with the position of every node', () => {
      const text = [
        '# chart values',
        'replicaCount: 2',
        'image:',
        '  repository: "{{ hq.var.IMAGE_REGISTRY }}/api"',
        '  tag: 1.4.2',
        'env:',
        '- name: LOG_LEVEL',
        '  value: debug',
        'resources: { limits: { cpu: 500m } }',
        'podAnnotations:',
        '  prometheus.io/scrape: "true"',
        'tolerations: []',
        'empty:',
      ].join('\n');
      const parsed = parseValuesFile(text, FILE, 1);
      assert.deepEqual(parsed.value, {
        replicaCount: 2,
        image: { repository: '{{ hq.var.IMAGE_REGISTRY }}/api', tag: '1.4.2' },
        env: [{ name: 'LOG_LEVEL', value: 'debug' }],
        resources: { limits: { cpu: '500m' } },
        podAnnotations: { 'prometheus.io/scrape': 'true' },
        tolerations: [],
        empty: null,
      });
      assert.deepEqual(origins(parsed), {
        replicaCount: [1, 14],
        image: [3, 2],
        'image.repository': [3, 14],
        'image.tag': [4, 7],
        env: [6, 0],
        'env[0]': [6, 2],
        'env[0].name': [6, 8],
        'env[0].value': [7, 9],
        resources: [8, 11],
        'resources.limits': [8, 21],
        'resources.limits.cpu': [8, 28],
        podAnnotations: [10, 2],
        'podAnnotations["prometheus.io/scrape"]': [10, 24],
        tolerations: [11, 13],
        empty: [12, 6],
      });
      assert.deepEqual(parsed.origins.get('image.tag'), { file: FILE, line: 4, character: 7, layer: 1 });
      assert.deepEqual(parsed.problems, []);
    });

    it('treats an empty or comment-only file as an empty map', () => {
      for (const text of ['', '\n\n', '# nothing here\n', '---\n', '~\n']) {
        const parsed = parseValuesFile(text, FILE, 0);
        assert.deepEqual(parsed.value, {}, JSON.stringify(text));
        assert.deepEqual(parsed.problems, [], JSON.stringify(text));
      }
    });

    it('reports a top level that is not a map', () => {
      for (const text of ['- a\n- b\n', 'just text\n', '42\n']) {
        const parsed = parseValuesFile(text, FILE, 0);
        assert.deepEqual(parsed.value, {});
        assert.deepEqual(
          parsed.problems.map((p) => [p.code, p.file, p.span.start.line]),
          [['values-not-a-map', FILE, 0]],
        );
      }
    });

    it('contributes nothing but its problem when the YAML is broken', () => {
      const parsed = parseValuesFile('a: 1\nb: [unclosed\nc: 3\n', FILE, 0);
      assert.deepEqual(parsed.value, {});
      assert.equal(parsed.origins.size, 0);
      assert.ok(parsed.problems.length > 0);
      assert.ok(parsed.problems.every((p) => p.code === 'yaml-syntax' && p.file === FILE));
    });

    it('reads an unquoted placeholder as the string it meant, with an error to quote it', () => {
      const parsed = parseValuesFile('host: {{hq.var.DATABASE_HOST}}\nport: 5432\n', FILE, 0);
      assert.deepEqual(parsed.value, { host: '{{hq.var.DATABASE_HOST}}', port: 5432 });
      assert.deepEqual(
        parsed.problems.map((p) => [p.code, p.span.start, p.span.end]),
        [['unquoted-placeholder', { line: 0, character: 6 }, { line: 0, character: 30 }]],
      );
    });

    it('handles what the fast reader leaves to the library: anchors, block scalars, merge keys, multi-line', () => {
      const text = [
        'defaults: &d',
        '  cpu: 100m',
        '  memory: 128Mi',
        'limits:',
        '  <<: *d',
        '  cpu: 200m',
        'script: |',
        '  echo hi',
        'folded: a',
        '  b',
        'copy: *d',
      ].join('\n');
      assert.equal(parseFast(text, FILE, 0), undefined);
      const parsed = parseValuesFile(text, FILE, 0);
      assert.deepEqual(parsed.value, {
        defaults: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '200m', memory: '128Mi' },
        script: 'echo hi\n',
        folded: 'a b',
        copy: { cpu: '100m', memory: '128Mi' },
      });
      assert.deepEqual(parsed.origins.get('copy'), { file: FILE, line: 10, character: 6, layer: 0 });
      assert.deepEqual(parsed.origins.get('copy.cpu'), { file: FILE, line: 1, character: 7, layer: 0 });
    });

    it('stops expanding aliases that would blow up', () => {
      let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
      for (let i = 1; i < 9; i++) text += `a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]\n`;
      const parsed = parseValuesFile(text, FILE, 0);
      assert.deepEqual(
        parsed.problems.map((p) => p.code),
        ['yaml-limits'],
      );
    });

    it('keeps a "__proto__" key as data', () => {
      const parsed = parseValuesFile('__proto__:\n  polluted: true\n', FILE, 0);
      assert.equal(Object.getPrototypeOf(parsed.value), Object.prototype);
      assert.deepEqual(Object.keys(parsed.value), ['__proto__']);
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    });

    it('resolves plain scalars with the YAML 1.2 core schema', () => {
      const cases: [string, unknown][] = [
        ['~', null], ['null', null], ['Null', null], ['true', true], ['False', false], ['yes', 'yes'], ['on', 'on'],
        ['12', 12], ['-3', -3], ['+4', 4], ['0o17', 15], ['0x1F', 31], ['1.5', 1.5], ['1e3', 1000], ['.5', 0.5],
        ['.inf', Infinity], ['-.Inf', -Infinity], ['1_000', '1_000'], ['0b11', '0b11'], ['v1.2', 'v1.2'], ['500m', '500m'],
      ];
      for (const [text, value] of cases) assert.deepStrictEqual(resolvePlain(text), value, text);
      assert.ok(Number.isNaN(resolvePlain('.nan')));
    });
  });

  describe('the fast reader', () => {
    it('takes the usual shapes of values files', () => {
      const texts = [
        'a: 1\nb:\n  c: "x"\n  d: \'y\'\n',
        'list:\n  - a\n  - b: 1\n    c: 2\n  -\n    d: 3\n',
        'env:\n- name: A\n  value: "1"\n- name: B\n  valueFrom:\n    secretKeyRef: {name: s, key: k}\n',
        'a: [1, "b", c d, {e: f}, []]\nb: {}\nc: { a: 1, b: 2, }\n',
        'url: http://x:80/y?q=1#frag # comment\nhash: a#b\n',
        'a:\r\n  b: 1\r\n',
        'nested:\n    deep:\n        deeper: [x]\n',
        'key with spaces: 1\n"quoted.key": 2\n\'single\': 3\n',
        // Block scalars, a document start, flow collections on the next line or over several lines.
        'script: |\n  #!/bin/sh\n  echo "a: b"\n\n  exit 0\nnext: 1\n',
        'notes: >-\n  folded\n  text\n\n  para\nkeep: |+\n  x\n\n',
        'list:\n  - |\n    item\n  - >\n    other\n',
        '# comment\n--- # start\na: 1\n',
        'a:\n  {}\nb:\n  []\nc:\n  [x, y]\n',
        'args: [\n  "--a", # first\n  --b,\n]\nm:\n  n: {\n    k: v,\n    l: [1,\n      2]\n  }\n',
      ];
      for (const text of texts) assert.ok(assertSameAsLibrary(text), `not taken: ${JSON.stringify(text)}`);
    });

    it('takes the YAML files of the demo repository, and agrees with the library on them', async () => {
      const demo = path.resolve(__dirname, '../../../../../demo');
      const files = (await fs.readdir(demo, { recursive: true }))
        // Release files use folded notes (`>-`), which the library reads; they are not values files.
        .filter((f) => /\.ya?ml$/.test(f) && !f.includes('templates') && !f.includes('releases'))
        .map((f) => path.join(demo, f));
      assert.ok(files.length > 10);
      let taken = 0;
      for (const file of files) if (assertSameAsLibrary(await fs.readFile(file, 'utf8'))) taken++;
      assert.ok(taken >= files.length - 2, `the fast reader took ${taken} of ${files.length}`);
    });

    it('leaves everything unusual to the library', () => {
      const texts = [
        'a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: |2\n  x\n', 'a: >\n  x\n    more\n', 'a: multi\n  line\n', 'a: "multi\n  line"\n',
        'a: [1\n  2]\n', 'm:\n  a: [\n  1]\n', '---\na: 1\n---\nb: 2\n', '--- a\n', 'a: 1\na: 2\n', '1: a\n', 'true: x\n', '<<: {a: 1}\n', 'a:\tb\n', 'a: "\\x41"\n', '- a\n', 'a: b: c\n',
        'a: {{hq.var.X}}\n', '\ufeffa: 1\n', '  a: 1\n',
      ];
      for (const text of texts) assert.equal(parseFast(text, FILE, 0), undefined, JSON.stringify(text));
    });

    it('agrees with the library on thousands of generated documents', () => {
      let seed = 20261126;
      const rnd = (n: number): number => {
        seed = (seed + 0x6d2b79f5) >>> 0;
        let t = seed;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) % n;
      };
      const pick = <T>(items: readonly T[]): T => items[rnd(items.length)] as T;
      const scalars = ['x', 'hello world', '1', '-2', '3.5', 'true', 'null', '~', '0x1F', '1e3', 'v1.2.3', 'a:b', 'a#b', 'http://x:80/y',
        '{{ hq.var.X }}', 'pre-{{hq.var.env.Y}}-post', '', "it's", 'say "hi"', 'back\\slash', 'a, b', 'a]', '-x', ':x', '500m', 'é', '007'];
      const keys = ['a', 'image', 'tag', 'prometheus.io/scrape', 'x[0]', 'q"k', '', 'with space', 'k:v', '-k', 'true', '1', 'dash-key'];
      const BLOCK_TEXT = ['echo hi', 'a: b', '# not a comment', '- item', 'x "q" \'s\'', 'trailing  ', '{{ hq.var.X }}'];
      type V = string | V[] | { [k: string]: V };
      const value = (depth: number): V => {
        const r = rnd(10);
        if (depth > 3 || r < 5) return pick(scalars);
        if (r < 8) {
          const o: { [k: string]: V } = {};
          for (let i = rnd(4); i > 0; i--) o[pick(keys)] = value(depth + 1);
          return o;
        }
        return Array.from({ length: rnd(4) }, () => value(depth + 1));
      };
      const scalar = (s: string) => [JSON.stringify(s), `'${s.replace(/'/g, "''")}'`, s, s][rnd(4)] as string;
      const flow = (v: V): string =>
        typeof v === 'string' ? scalar(v) : Array.isArray(v) ? `[${v.map(flow).join(pick([', ', ',']))}]` : `{${Object.entries(v).map(([k, x]) => `${scalar(k)}: ${flow(x)}`).join(', ')}}`;
      const comment = () => pick(['', '', '', ' # c', '  #x: y']);
      const isEmpty = (v: V) => typeof v !== 'string' && (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0);
      const block = (v: V, indent: number, lines: string[]): void => {
        const pad = ' '.repeat(indent);
        if (typeof v === 'string') return;
        if (Array.isArray(v)) {
          for (const item of v) {
            if (typeof item !== 'string' && !isEmpty(item) && rnd(2)) {
              lines.push(pad + '-' + comment());
              block(item, indent + 2, lines);
            } else {
              lines.push(`${pad}- ${flow(item)}${comment()}`);
            }
          }
          return;
        }
        for (const [k, x] of Object.entries(v)) {
          if (typeof x === 'string' && !rnd(5)) {
            lines.push(`${pad}${scalar(k)}: ${pick(['|', '|-', '|+', '>', '>-', '>+'])}${comment()}`);
            const inner = ' '.repeat(indent + pick([1, 2, 4]));
            for (let n = 1 + rnd(4); n > 0; n--) lines.push(pick(['', inner + pick(BLOCK_TEXT), inner + pick(BLOCK_TEXT), `${inner}  more`, '  ']));
            continue;
          }
          if (typeof x !== 'string' && !rnd(6)) {
            // On the next line, or over several lines (one item per line, trailing comma or not).
            if (rnd(2)) lines.push(`${pad}${scalar(k)}:`, `${pad}${pick(['  ', '    '])}${flow(x)}${comment()}`);
            else if (Array.isArray(x)) lines.push(`${pad}${scalar(k)}: [`, ...x.map((i) => `${pad}  ${flow(i)},${comment()}`), `${pad}${pick(['', '  '])}]`);
            else lines.push(`${pad}${scalar(k)}: {`, ...Object.entries(x).map(([a, b]) => `${pad}  ${scalar(a)}: ${flow(b)},`), `${pad}}`);
            continue;
          }
          if (typeof x !== 'string' && !isEmpty(x) && rnd(4)) {
            lines.push(`${pad}${scalar(k)}:${comment()}`);
            block(x, Array.isArray(x) && rnd(2) ? indent : indent + pick([1, 2, 4]), lines);
          } else {
            lines.push(`${pad}${scalar(k)}:${pick([' ', '  '])}${flow(x)}${comment()}`);
          }
          if (!rnd(8)) lines.push(pick(['', `${pad}# comment`, '   ']));
        }
      };
      let taken = 0;
      const takenForms = new Set<string>();
      for (let n = 0; n < 2000; n++) {
        const root: { [k: string]: V } = {};
        for (let i = 1 + rnd(5); i > 0; i--) root[pick(keys)] = value(0);
        const lines: string[] = rnd(8) ? [] : pick([['---'], ['# c', '--- # doc']]);
        block(root, 0, lines);
        const text = lines.join('\n') + '\n';
        if (assertSameAsLibrary(text)) {
          taken++;
          if (/: [|>]/.test(text)) takenForms.add('block scalar');
          if (text.startsWith('---') || text.includes('\n--- ')) takenForms.add('document start');
          if (/: [[{]\n/.test(text)) takenForms.add('multi-line flow');
          if (/:\n +[[{]/.test(text)) takenForms.add('flow on the next line');
        }
      }
      assert.ok(taken > 700, `the fast reader took only ${taken} of 2000`);
      // The generated block scalars, document starts and multi-line flows are read, not only declined.
      assert.ok(takenForms.size >= 4, `forms the fast reader took: ${[...takenForms].join(', ')}`);
    });
  });
});
