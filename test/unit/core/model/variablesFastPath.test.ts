// parseVariables reads a valid variables file with the values files' fast reader and everything
// else with the `yaml` library: both paths must give the same definitions (positions included) and
// the same problems, and the fast path must never accept what the schema would report. A large
// variables file is parsed on the values parser's worker thread: the same result again.
import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseManifest } from '../../../../src/core/model/manifest';
import { parseVariables, parseVariablesFast, parseVariablesWithLibrary } from '../../../../src/core/model/variables';
import type { Project } from '../../../../src/core/types';
import { generateProject } from '../../../bench/valuesGenerator';
import { ValuesParser } from '../../../../src/infra/fs/valuesParser';
import { ProjectIndex, type ProjectIndexOptions } from '../../../../src/core/model/projectIndex';
import { NodeFileSystem } from '../../../../src/infra/fs/nodeFileSystem';

const WORKER = path.join(__dirname, '../../../../src/infra/fs/valuesParseWorker.js');

const REPO = path.resolve(__dirname, '../../../../..');
const FIXTURES = path.join(REPO, 'test/unit/fixtures');
const FILE = '/repo/.gitopshq/variables.yaml';
const yaml = (...lines: string[]) => lines.join('\n') + '\n';

function projectOf(text: string, file = '/repo/gitopshq.yaml'): Project {
  const { project, problems } = parseManifest(text, file);
  assert.ok(project, JSON.stringify(problems));
  return project;
}

/** dev, staging × acme × api */
const PROJECT = projectOf(
  yaml(
    'apiVersion: gitopshq.io/v1alpha1',
    'kind: Project',
    'metadata: { slug: shop }',
    'spec:',
    '  environments: [{ name: dev }, { name: staging }]',
    '  tenants: [acme]',
    '  workloads:',
    '    - { name: api, chart: c, values: v }',
  ),
);

/** Both paths on `text`: the same definitions in the same order, and the same problems. */
function assertSame(text: string, project?: Project): { fast: boolean } {
  const library = parseVariablesWithLibrary(text, FILE, project);
  const result = parseVariables(text, FILE, project);
  assert.deepEqual(result.variables.all(), library.variables.all());
  assert.deepEqual(result.problems, library.problems);
  const fast = parseVariablesFast(text, FILE, project);
  // Never more lenient than the library: a file with problems is never taken by the fast path.
  if (library.problems.length > 0) assert.equal(fast, undefined, `the fast path took a file with problems: ${library.problems[0]?.message}`);
  return { fast: fast !== undefined };
}

const VALID = yaml(
  '# comment',
  'repo:',
  '  A: plain',
  '  "QUOTED_KEY": 1',
  "  'SINGLE': true",
  '  EMPTY:',
  '  NUM: 1.5e3',
  '  OBJ:',
  '    value: x # trailing',
  '    description: d',
  '  SECRET_ONLY: { secret: true, description: "from the store" }',
  '  FLOW_VALUE: { value: null }',
  '  INF: .inf',
  'env:',
  '  dev: { A: dev-a, B: "b" }',
  '  staging:',
  '',
  '    A: staging-a',
  'tenant:',
  '  acme:',
  '    A: { value: acme, secret: false }',
  'svc:',
  '  acme:',
  '    dev:',
  '      api:',
  '        A: svc',
);

describe('parseVariables: fast path and library path', () => {
  it('gives the same definitions and positions on a file using every form the fast reader takes', () => {
    assert.deepEqual(assertSame(VALID, PROJECT), { fast: true });
    assert.deepEqual(assertSame(VALID), { fast: true });
    assert.deepEqual(assertSame(VALID.replace(/\n/g, '\r\n'), PROJECT), { fast: true });
    const defs = parseVariables(VALID, FILE, PROJECT).variables.all();
    assert.deepEqual(
      defs.map((d) => [d.scope, d.key, d.origin.line, d.origin.character]).filter(([, key]) => key === 'A'),
      [
        ['repo', 'A', 2, 2],
        ['env', 'A', 14, 9],
        ['env', 'A', 17, 4],
        ['tenant', 'A', 20, 4],
        ['svc', 'A', 25, 8],
      ],
    );
  });

  it('takes the demo repository and the benchmark file (500 variables × 10 environments) on the fast path, with the same result', async () => {
    const demo = projectOf(readFileSync(path.join(REPO, 'demo/gitopshq.yaml'), 'utf8'), path.join(REPO, 'demo/gitopshq.yaml'));
    assert.deepEqual(assertSame(readFileSync(path.join(REPO, 'demo/.gitopshq/variables.yaml'), 'utf8'), demo), { fast: true });
    const root = await mkdtemp(path.join(os.tmpdir(), 'gitopshq-variables-'));
    try {
      const generated = await generateProject(root);
      const project = projectOf(await readFile(path.join(generated.root, 'gitopshq.yaml'), 'utf8'));
      const text = await readFile(path.join(generated.root, '.gitopshq/variables.yaml'), 'utf8');
      assert.deepEqual(assertSame(text, project), { fast: true });
      assert.equal(parseVariables(text, FILE, project).variables.all().length, 50 + 10 * 450);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('agrees with the library on every fixture, valid and invalid', () => {
    for (const kind of ['valid', 'invalid']) {
      for (const name of readdirSync(path.join(FIXTURES, 'variables', kind))) {
        const text = readFileSync(path.join(FIXTURES, 'variables', kind, name), 'utf8');
        assert.doesNotThrow(() => assertSame(text), `${kind}/${name}`);
        assert.doesNotThrow(() => assertSame(text, PROJECT), `${kind}/${name} with a project`);
      }
    }
  });

  it('leaves every broken or unusual file to the library, which reports the same problems', () => {
    const variants: Record<string, string> = {
      'not-a-number': yaml('repo:', '  A: .nan'),
      'missing value': yaml('repo:', '  A: { description: d }'),
      'secret false without value': yaml('repo:', '  A:', '    secret: false'),
      'unknown field': yaml('repo:', '  A: { value: 1, note: x }'),
      'description not a string': yaml('repo:', '  A: { value: 1, description: 2 }'),
      'secret not a boolean': yaml('repo:', '  A: { value: 1, secret: "yes" }'),
      'list value': yaml('repo:', '  A: [1, 2]'),
      'empty section': yaml('repo:', 'env:', '  dev: { A: 1 }'),
      'empty environment': yaml('env:', '  dev:'),
      'unknown section': yaml('global:', '  A: 1'),
      'unknown environment': yaml('env:', '  prod: { A: 1 }'),
      'unknown tenant': yaml('tenant:', '  initech: { A: 1 }'),
      'unknown workload': yaml('svc:', '  acme:', '    dev:', '      worker: { A: 1 }'),
      'bad environment name': yaml('env:', '  Dev: { A: 1 }'),
      'index-like environment': yaml('env:', '  "1": { A: 1 }', '  dev: { A: 2 }'),
      'bad key': yaml('repo:', '  my-key: 1'),
      'duplicate key': yaml('repo:', '  A: 1', '  A: 2'),
      'anchor and alias': yaml('env:', '  dev: &d { A: 1 }', '  staging: *d'),
      'block scalar with an indentation indicator': yaml('repo:', '  A: |1', '    text'),
      'syntax error': yaml('repo:', '  A: "open'),
      'root is a list': yaml('- a'),
      'tab': 'repo:\n\tA: 1\n',
      'second document': yaml('repo:', '  A: 1', '---', 'repo:', '  B: 2'),
    };
    for (const [name, text] of Object.entries(variants)) {
      let fast = true;
      assert.doesNotThrow(() => ({ fast } = assertSame(text, PROJECT)), name);
      assert.equal(fast, false, `${name}: the fast path took it`);
    }
  });

  it('takes block scalars, a leading --- and multi-line flow collections, with the same result', () => {
    const text = yaml('---', 'repo:', '  A: |', '    text', '  B: >-', '    folded', '    text', 'env:', '  dev: {', '    C: 1,', '  }');
    assert.deepEqual(assertSame(text, PROJECT), { fast: true });
  });

  it('takes an empty file and a file of comments', () => {
    for (const text of ['', '# nothing yet\n', '\n\n']) assert.deepEqual(assertSame(text, PROJECT), { fast: true });
  });
});

describe('parseVariables on the worker thread (ValuesParser.parseVariables, ProjectIndex option)', () => {
  let root: string;
  let parser: ValuesParser;
  before(async () => (root = await mkdtemp(path.join(os.tmpdir(), 'gitopshq-variables-worker-'))));
  after(() => rm(root, { recursive: true, force: true }));
  beforeEach(() => (parser = new ValuesParser(WORKER)));
  afterEach(() => parser.dispose());

  it('gives the same VariableSet and problems as the in-thread parse: demo, generated, broken files', async () => {
    const demo = projectOf(readFileSync(path.join(REPO, 'demo/gitopshq.yaml'), 'utf8'), path.join(REPO, 'demo/gitopshq.yaml'));
    const generated = await generateProject(root);
    const bench = projectOf(await readFile(path.join(generated.root, 'gitopshq.yaml'), 'utf8'));
    const cases: [string, Project][] = [
      [readFileSync(path.join(REPO, 'demo/.gitopshq/variables.yaml'), 'utf8'), demo],
      [await readFile(path.join(generated.root, '.gitopshq/variables.yaml'), 'utf8'), bench],
      [yaml('env:', '  prod: { A: 1 }', '  dev: { A: .nan, B: 2 }'), PROJECT],
      [yaml('repo:', '  A: "open'), PROJECT],
      [yaml('repo:', '  BIG: .inf', '  SMALL: { value: -.inf, description: "JSON has no infinity" }'), PROJECT],
    ];
    for (const [text, project] of cases) {
      const expected = parseVariables(text, FILE, project);
      const actual = await parser.parseVariables(text, FILE, project);
      assert.deepEqual(actual.variables.all(), expected.variables.all());
      assert.deepEqual(actual.variables.keys(), expected.variables.keys());
      assert.deepEqual(actual.problems, expected.problems);
    }
  });

  it('the index uses it for a large variables file, and parses on its own thread when it fails', async () => {
    const generated = await generateProject(root);
    const nodeFs = new NodeFileSystem();
    try {
      const scan = async (parseVariables: ProjectIndexOptions['parseVariables']) => {
        const index = new ProjectIndex(nodeFs, undefined, parseVariables ? { parseVariables } : {});
        await index.scan([generated.root]);
        return index;
      };
      const calls: string[] = [];
      const inThread = await scan(undefined);
      const onWorker = await scan((text, file, project) => (calls.push(file), parser.parseVariables(text, file, project)));
      const fallback = await scan(() => Promise.reject(new Error('no worker')));
      assert.equal(calls.length, 1);
      const slug = inThread.projects()[0]?.project?.slug as string;
      for (const index of [onWorker, fallback]) {
        assert.deepEqual(index.variables(slug).all(), inThread.variables(slug).all());
        assert.deepEqual(index.projects()[0]?.problems, inThread.projects()[0]?.problems);
      }
      assert.equal(inThread.variables(slug).all().length, 4550);
    } finally {
      nodeFs.dispose();
    }
  });
});
