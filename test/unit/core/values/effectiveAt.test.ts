import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { computeEffective, substituteNode, type EffectiveInput } from '../../../../src/core/values/effective';
import { effectiveAt, effectiveAtInput, effectiveInputOf } from '../../../../src/core/values/effectiveAt';
import { valueAt } from '../../../../src/core/values/paths';
import { mergeValues } from '../../../../src/core/values/merge';
import { parseManifest } from '../../../../src/core/model/manifest';
import { ProjectIndex } from '../../../../src/core/model/projectIndex';
import { SECRET_MASK } from '../../../../src/core/types';
import { parseVariables } from '../../../../src/core/model/variables';
import { asLayer, parseValuesFile, type ParsedValues } from '../../../../src/core/yaml/valuesReader';
import { formatPath, isPlainMap, parsePath, type PathSegment } from '../../../../src/core/values/paths';
import { NodeFileSystem } from '../../../../src/infra/fs/nodeFileSystem';
import { generateProject, SLUG } from '../../../bench/valuesGenerator';

const DEMO = path.resolve(__dirname, '../../../../../demo');

/** Every path of a tree (maps and lists), the root excluded. */
function pathsOf(node: unknown, prefix: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  const children: [PathSegment, unknown][] = Array.isArray(node) ? node.map((item, i) => [i, item]) : isPlainMap(node) ? Object.entries(node) : [];
  for (const [segment, child] of children) {
    out.push([...prefix, segment]);
    pathsOf(child, [...prefix, segment], out);
  }
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the full effective values hold at `path`, in the shape effectiveAt answers. */
function expected(full: ReturnType<typeof computeEffective>, at: readonly PathSegment[]) {
  const dotted = formatPath(at);
  const value = at.length === 0 ? full.values : valueAt(full.values, at);
  const under = (p: string) => p === dotted || dotted === '' || p.startsWith(`${dotted}.`) || p.startsWith(`${dotted}[`);
  return {
    bound: full.bound,
    value,
    origin: value === undefined || at.length === 0 ? undefined : full.sources.get(dotted),
    secretPaths: value === undefined ? [] : full.secretPaths.filter(under),
  };
}

function same(actual: ReturnType<typeof effectiveAtInput>, wanted: ReturnType<typeof expected>, what: string): void {
  assert.deepEqual({ ...actual, origin: actual.origin }, wanted, what);
}

/** Paths that exist, and around them: missing keys, keys under scalars, indexes past a list's end. */
function probes(full: unknown, layers: unknown[], rnd: () => number, count: number): PathSegment[][] {
  const known = [...pathsOf(full), ...layers.flatMap((l) => pathsOf(l))];
  const out: PathSegment[][] = [[]];
  for (let i = 0; i < count && known.length > 0; i++) {
    const base = known[Math.floor(rnd() * known.length)] as PathSegment[];
    const r = rnd();
    if (r < 0.6) out.push(base);
    else if (r < 0.75) out.push([...base, 'missing']);
    else if (r < 0.85) out.push([...base, 0]);
    else if (r < 0.95) out.push([...base, 7]);
    else out.push(['nowhere', ...base]);
  }
  return out;
}

/** The effective values merged and substituted in one go (computeEffective reuses unchanged top-level keys). */
function reference(input: EffectiveInput): { values: unknown; secretPaths: string[]; unresolved: string[] } {
  const layers: ParsedValues[] = [];
  if (input.chart) layers.push(asLayer(input.chart, -1));
  input.layers.forEach((l, i) => l && layers.push(asLayer(l, i)));
  const { value, secretPaths, unresolved } = substituteNode(mergeValues(layers), [], input.variables, input.context);
  return { values: value, secretPaths, unresolved };
}

function sameAsReference(input: EffectiveInput, what: string): void {
  const full = computeEffective(input);
  assert.deepEqual({ values: full.values, secretPaths: full.secretPaths, unresolved: full.unresolved }, reference(input), what);
  // Key order too (the effective YAML view prints it).
  assert.equal(JSON.stringify(full.values), JSON.stringify(reference(input).values), what);
}

describe('effectiveAt', () => {
  describe('on random layers (a property test against computeEffective)', () => {
    const manifest = parseManifest(
      `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: P, slug: p }
spec:
  environments: [{ name: dev }, { name: production }]
  tenants: [acme]
  workloads:
    - name: api
      chart: charts/api
      values: [a.yaml, b.yaml, c.yaml]
`,
      '/r/gitopshq.yaml',
    );
    assert.ok(manifest.project);
    const vars = parseVariables(
      'repo:\n  A: alpha\n  N: 3\n  S: { value: hunter2, secret: true }\nenv:\n  production:\n    A: prod\n',
      '/r/.gitopshq/variables.yaml',
      manifest.project,
    ).variables;
    const KEYS = ['a', 'b', 'c', 'x.y'];
    const SCALARS: unknown[] = [null, 1, true, 'text', '{{ hq.var.A }}', '{{ hq.var.S }}', 'pre-{{ hq.var.N }}', '{{ hq.var.UNDEFINED }}', ''];

    function tree(rnd: () => number, depth: number): unknown {
      const r = rnd();
      if (depth >= 3 || r < 0.35) return SCALARS[Math.floor(rnd() * SCALARS.length)];
      if (r < 0.5) return Array.from({ length: Math.floor(rnd() * 3) }, () => tree(rnd, depth + 1));
      const out: Record<string, unknown> = {};
      for (const key of KEYS) if (rnd() < 0.55) out[key] = tree(rnd, depth + 1);
      return out;
    }

    it('equals the full merge at every probed path (values, origins, secrets) over 400 random stacks', () => {
      const rnd = random(42);
      let probed = 0;
      for (let round = 0; round < 400; round++) {
        const texts = Array.from({ length: 4 }, () => {
          const t = tree(rnd, 0);
          return isPlainMap(t) ? t : { a: t };
        });
        const parsed = texts.map((t, i) => (rnd() < 0.15 && i > 0 ? undefined : parseValuesFile(JSON.stringify(t), `/r/${i}.yaml`, i - 1)));
        const input = {
          chart: parsed[0],
          layers: parsed.slice(1),
          variables: vars,
          context: { environment: rnd() < 0.5 ? 'dev' : 'production', tenant: 'acme', workload: 'api' },
        };
        sameAsReference(input, `round ${round}: ${JSON.stringify(texts)}`);
        const full = computeEffective(input);
        for (const at of probes(full.values, texts, rnd, 25)) {
          same(effectiveAtInput(input, at), expected(full, at), `round ${round}, path ${formatPath(at)}: ${JSON.stringify(texts)}`);
          probed++;
        }
      }
      assert.ok(probed > 5000);
    });

    it('answers for a key deleted by null, a map replaced by a scalar and a scalar replaced by a map', () => {
      const layer = (text: string, i: number) => parseValuesFile(text, `/r/${i}.yaml`, i);
      const input = {
        chart: parseValuesFile('a:\n  b: 1\n  c: 2\nd: 1\nlist: [1, 2]\nkeep: null\n', '/r/chart.yaml', -1),
        layers: [layer('a:\n  b: null\nd:\n  e: "{{ hq.var.S }}"\n', 0), layer('a: 5\nlist:\n  - x: "{{ hq.var.A }}"\n', 1), undefined],
        variables: vars,
        context: { environment: 'production', tenant: 'acme', workload: 'api' },
      };
      const at = (dotted: string) => effectiveAtInput(input, parsePath(dotted) ?? []);
      assert.equal(at('a').value, 5);
      assert.equal(at('a').origin?.file, '/r/1.yaml');
      assert.equal(at('a').origin?.layer, 1);
      assert.equal(at('a.b').value, undefined);
      assert.deepEqual(at('d').value, { e: SECRET_MASK });
      assert.equal(at('d.e').value, SECRET_MASK);
      assert.deepEqual(at('d').secretPaths, ['d.e']);
      assert.deepEqual(at('list[0].x').value, 'prod');
      assert.equal(at('keep').value, null);
      assert.equal(at('keep').origin?.layer, -1);
      assert.equal(at('list[3]').value, undefined);
    });
  });

  async function compareOnIndex(index: ProjectIndex, slug: string, seed: number, perCombo: number): Promise<number> {
    const project = index.project(slug);
    assert.ok(project);
    const rnd = random(seed);
    let probed = 0;
    for (const wl of project.workloads) {
      for (const env of project.environments) {
        for (const tenant of project.tenants) {
          const full = index.effective(slug, wl.name, env.name, tenant);
          const input = effectiveInputOf(index, slug, wl.name, env.name, tenant);
          const layerValues = [input.chart, ...input.layers].map((l) => l?.value);
          for (const at of probes(full.values, layerValues, rnd, perCombo)) {
            same(effectiveAt(index, slug, wl.name, env.name, tenant, at), expected(full, at), `${wl.name}/${env.name}/${tenant} ${formatPath(at)}`);
            probed++;
          }
        }
      }
    }
    return probed;
  }

  it('equals ProjectIndex.effective at random paths of the demo repository', async () => {
    const nodeFs = new NodeFileSystem();
    try {
      const index = new ProjectIndex(nodeFs);
      await index.scan([DEMO]);
      const slug = index.projects()[0]?.project?.slug;
      assert.ok(slug);
      assert.ok((await compareOnIndex(index, slug, 7, 60)) > 1000);
    } finally {
      nodeFs.dispose();
    }
  });

  it('equals ProjectIndex.effective at random paths of the generated 10k/50k-line project', async function () {
    this.timeout(60_000);
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-effective-at-'));
    const nodeFs = new NodeFileSystem();
    try {
      await generateProject(root);
      const index = new ProjectIndex(nodeFs);
      await index.scan([root]);
      assert.ok((await compareOnIndex(index, SLUG, 11, 40)) > 500);
      // After one-line edits (the incremental re-parse keeps the other blocks' objects), the
      // effective values, reused key by key, equal a merge from scratch; and effectiveAt follows.
      const file = path.join(root, 'values/base/app10k.yaml');
      let text = await fs.readFile(file, 'utf8');
      for (let i = 0; i < 5; i++) {
        const at = text.indexOf('    retries: ', text.indexOf(`\ncomponent${String(i * 7 + 1).padStart(4, '0')}:\n`));
        text = `${text.slice(0, at)}    retries: ${900 + i}\n    added${i}: "{{ hq.var.VAR_001 }}"${text.slice(text.indexOf('\n', at))}`;
        await index.fileChanged(file, text);
        for (const env of ['env0', 'env3']) {
          sameAsReference(effectiveInputOf(index, SLUG, 'app10k', env), `edit ${i} ${env}`);
          assert.deepEqual(index.effective(SLUG, 'app10k', env).values, reference(effectiveInputOf(index, SLUG, 'app10k', env)).values);
        }
        const edited = [`component${String(i * 7 + 1).padStart(4, '0')}`, `added${i}`];
        same(effectiveAt(index, SLUG, 'app10k', 'env0', undefined, edited), expected(index.effective(SLUG, 'app10k', 'env0'), edited), `edit ${i}`);
      }
    } finally {
      nodeFs.dispose();
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
