import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { manifestLinkSpecs, resolveManifestLinks } from '../../../../src/core/language/manifestLinks';
import {
  placeholderKeyRanges,
  renameTargetInValues,
  renameTargetInVariables,
  renameVariable,
  type FileTextEdit,
  type RenameInput,
} from '../../../../src/core/language/renameVariable';
import { positionsOf } from '../../../../src/core/language/textPositions';
import { variableKeySpans, variablesFileSlotAt } from '../../../../src/core/language/variablesFilePositions';
import { placeholderUses, VariableUsage } from '../../../../src/core/language/variableUsage';

const ROOT = path.resolve('/repo');
const VARS = path.join(ROOT, '.gitopshq/variables.yaml');

/** The text with `|` removed and the offset where it was. */
function at(marked: string): [string, number] {
  const offset = marked.indexOf('|');
  assert.ok(offset >= 0, 'the test text marks the cursor with |');
  return [marked.slice(0, offset) + marked.slice(offset + 1), offset];
}

/** Applies the edits of one file, from the end so that offsets stay valid. */
function apply(text: string, edits: readonly FileTextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

const VARIABLES = `repo:
  LOG_LEVEL: info
  "DB_HOST": db.internal
  OTHER: x
env:
  dev:
    LOG_LEVEL: debug
  production: { LOG_LEVEL: warn, OTHER: y }
tenant:
  acme:
    REGION: eu
svc:
  acme:
    production:
      payment-api:
        LOG_LEVEL:
          value: error
          description: noisy
`;

describe('variables navigation: rename', () => {
  const values = new Map([
    [
      '/repo/values/base/api.yaml',
      [
        'level: "{{hq.var.LOG_LEVEL}}"',
        'spaced: "{{  hq.var.LOG_LEVEL  }}"',
        'pinned: "{{hq.var.env.LOG_LEVEL}} and {{ hq.var.svc.LOG_LEVEL }}"',
        'other: "{{hq.var.LOG_LEVEL_X}} {{hq.var.OTHER}} {{ .Values.LOG_LEVEL }} {{hq.var.bad.LOG_LEVEL}}"',
        'LOG_LEVEL: plain text',
        '',
      ].join('\n'),
    ],
    ['/repo/values/dev/api.yaml', 'x: 1\n'],
  ]);
  const input = (newKey: string, extra: Partial<RenameInput> = {}): RenameInput => ({
    oldKey: 'LOG_LEVEL',
    newKey,
    variablesFile: VARS,
    variablesText: VARIABLES,
    valuesTexts: values,
    ...extra,
  });

  it('renames the key in every scope section and every placeholder form, and nothing else', () => {
    const result = renameVariable(input('APP_LOG_LEVEL'));
    assert.ok(result.ok);
    const byFile = (file: string) => result.edits.filter((e) => e.file === file);
    assert.equal(byFile(VARS).length, 4, 'repo, env.dev, env.production (flow map), svc');
    assert.equal(
      apply(VARIABLES, byFile(VARS)),
      VARIABLES.replace('  LOG_LEVEL: info', '  APP_LOG_LEVEL: info')
        .replace('    LOG_LEVEL: debug', '    APP_LOG_LEVEL: debug')
        .replace('{ LOG_LEVEL: warn', '{ APP_LOG_LEVEL: warn')
        .replace('        LOG_LEVEL:\n', '        APP_LOG_LEVEL:\n'),
    );
    const file = '/repo/values/base/api.yaml';
    const text = values.get(file) as string;
    assert.equal(
      apply(text, byFile(file)),
      [
        'level: "{{hq.var.APP_LOG_LEVEL}}"',
        'spaced: "{{  hq.var.APP_LOG_LEVEL  }}"',
        'pinned: "{{hq.var.env.APP_LOG_LEVEL}} and {{ hq.var.svc.APP_LOG_LEVEL }}"',
        'other: "{{hq.var.LOG_LEVEL_X}} {{hq.var.OTHER}} {{ .Values.LOG_LEVEL }} {{hq.var.bad.LOG_LEVEL}}"',
        'LOG_LEVEL: plain text',
        '',
      ].join('\n'),
    );
    // Each edit covers exactly the old key.
    for (const e of byFile(file)) assert.equal(text.slice(e.start, e.end), 'LOG_LEVEL');
    assert.equal(byFile('/repo/values/dev/api.yaml').length, 0);
  });

  it('renames a quoted key inside its quotes', () => {
    const result = renameVariable(input('DATABASE_HOST', { oldKey: 'DB_HOST' }));
    assert.ok(result.ok);
    assert.ok(apply(VARIABLES, result.edits).includes('  "DATABASE_HOST": db.internal'));
  });

  it('uses the texts given: an unsaved buffer that adds a placeholder is renamed too', () => {
    const unsaved = new Map(values);
    unsaved.set('/repo/values/dev/api.yaml', 'x: 1\nnew: "{{ hq.var.tenant.LOG_LEVEL }}"\n');
    const result = renameVariable(input('APP_LOG_LEVEL', { valuesTexts: unsaved }));
    assert.ok(result.ok);
    const dev = result.edits.filter((e) => e.file === '/repo/values/dev/api.yaml');
    assert.deepEqual(dev, [{ file: '/repo/values/dev/api.yaml', start: 28, end: 37, newText: 'APP_LOG_LEVEL' }]);
  });

  it('refuses invalid names and names that would merge two variables, and does nothing for the same name', () => {
    for (const bad of ['1ABC', 'LOG-LEVEL', 'A.B', '', 'hq var']) {
      const result = renameVariable(input(bad));
      assert.equal(result.ok, false, bad);
      assert.match((result as { message: string }).message, /not a valid variable key/);
    }
    for (const taken of ['OTHER', 'REGION', 'DB_HOST']) {
      const result = renameVariable(input(taken));
      assert.equal(result.ok, false, taken);
      assert.match((result as { message: string }).message, new RegExp(`"${taken}" already exists.*merge`));
    }
    assert.deepEqual(renameVariable(input('LOG_LEVEL')), { ok: true, edits: [] });
  });

  it('refuses while the variables file has a syntax error, and renames placeholders only without one', () => {
    const broken = renameVariable(input('X', { variablesText: 'repo:\n  LOG_LEVEL: [\n' }));
    assert.equal(broken.ok, false);
    assert.match((broken as { message: string }).message, /syntax error/);
    const none = renameVariable(input('X', { variablesText: undefined }));
    assert.ok(none.ok);
    assert.equal(none.edits.length, 4);
  });

  it('quotes a new key that YAML would read as null or a boolean', () => {
    const result = renameVariable(input('null'));
    assert.ok(result.ok);
    assert.ok(apply(VARIABLES, result.edits.filter((e) => e.file === VARS)).startsWith('repo:\n  "null": info'));
  });

  it('finds the target under the cursor, or none', () => {
    for (const marked of ['a: "{{hq.var.LOG|_LEVEL}}"', 'a: "|{{ hq.var.env.LOG_LEVEL }}"', 'a: "{{ hq.var.LOG_LEVEL }}|"']) {
      const [text, offset] = at(marked);
      const target = renameTargetInValues(text, offset);
      assert.ok(target, marked);
      assert.equal(text.slice(target.start, target.end), 'LOG_LEVEL', marked);
    }
    for (const marked of ['a|: "{{hq.var.LOG_LEVEL}}"', 'a: "{{hq.var.nope.|X}}"', 'a: "{{ .Values.|x }}"']) {
      const [text, offset] = at(marked);
      assert.equal(renameTargetInValues(text, offset), undefined, marked);
    }
    const [vars, offset] = at(VARIABLES.replace('    LOG_LEVEL: debug', '    LOG_L|EVEL: debug'));
    const target = renameTargetInVariables(vars, offset);
    assert.equal(target?.key, 'LOG_LEVEL');
    assert.equal(vars.slice(target!.start, target!.end), 'LOG_LEVEL');
    for (const marked of [VARIABLES.replace('env:', 'e|nv:'), VARIABLES.replace('  dev:', '  d|ev:'), VARIABLES.replace('debug', 'deb|ug')]) {
      const [t, o] = at(marked);
      assert.equal(renameTargetInVariables(t, o), undefined, marked);
    }
  });

  it('places key ranges exactly in every whitespace form', () => {
    const text = '{{hq.var.K}} {{ hq.var.K }} {{\thq.var.repo.K\t}} {{hq.var.K }}';
    const ranges = placeholderKeyRanges(text, 'K');
    assert.equal(ranges.length, 4);
    for (const r of ranges) assert.equal(text.slice(r.start, r.end), 'K');
  });
});

describe('variables navigation: key spans and slots', () => {
  it('lists every variable key with its scope and names, aliases once', () => {
    const text = `${VARIABLES}x-shared: &shared\n  SHARED: 1\n`.replace('tenant:\n  acme:\n    REGION: eu', 'tenant:\n  acme: &t\n    REGION: eu\n  globex: *t');
    const { sound, spans } = variableKeySpans(text);
    assert.ok(sound);
    const summary = spans.map((s) => `${s.scope}:${s.environment ?? ''}:${s.tenant ?? ''}:${s.workload ?? ''}:${s.key}`);
    assert.deepEqual(summary, [
      'repo::::LOG_LEVEL',
      'repo::::DB_HOST',
      'repo::::OTHER',
      'env:dev:::LOG_LEVEL',
      'env:production:::LOG_LEVEL',
      'env:production:::OTHER',
      'tenant::acme::REGION',
      'svc:production:acme:payment-api:LOG_LEVEL',
    ]);
    for (const s of spans) assert.equal(text.slice(s.start, s.end), s.key);
    assert.equal(variableKeySpans('repo:\n  A: [\n').sound, false);
  });

  it('knows what the format expects at the start of each line', () => {
    const cases: [string, string | undefined, string[]?][] = [
      ['|', 'section'],
      ['repo:\n  A: 1\n|', 'section', ['repo']],
      ['env:\n  |', 'environment'],
      ['env:\n  dev:\n    A: 1\n  st|', 'environment', ['dev']],
      ['env:\n  dev:\n    A: 1\n    |', 'variable', ['A']],
      ['tenant:\n  |\n  acme: {}', 'tenant', ['acme']],
      ['svc:\n  |', 'tenant'],
      ['svc:\n  acme:\n    |', 'environment'],
      ['svc:\n  acme:\n    # a comment\n\n    production:\n      pay|', 'workload'],
      ['svc:\n  acme:\n    production:\n      payment-api:\n        |', 'variable'],
      ['repo:\n  |', 'variable'],
      ['env:\n  dev: |', undefined], // a value
      ['env:\n  dev:\n    - |', undefined], // a list
      ['env: { dev: {} }\n  |', undefined], // no block parent
      ['other:\n  |', undefined], // not a section of the format
      ['svc:\n  a:\n    b:\n      c:\n        D:\n          |', undefined], // inside a variable's object
    ];
    for (const [marked, kind, siblings] of cases) {
      const [text, offset] = at(marked);
      const slot = variablesFileSlotAt(text, offset);
      assert.equal(slot?.kind, kind, JSON.stringify(marked));
      if (siblings) assert.deepEqual(slot?.siblings, siblings, JSON.stringify(marked));
    }
  });

  it('replaces the typed word and adds the colon only when missing', () => {
    const [text, offset] = at('env:\n  st|ag: {}\n');
    const slot = variablesFileSlotAt(text, offset)!;
    assert.equal(slot.partial, 'st');
    assert.equal(text.slice(slot.replace.start, slot.replace.end), 'stag');
    assert.equal(slot.suffix, '');
    const [t2, o2] = at('env:\n  dev:\n    DB|');
    assert.equal(variablesFileSlotAt(t2, o2)?.suffix, ': ');
    const [t3, o3] = at('env:\n  |');
    assert.equal(variablesFileSlotAt(t3, o3)?.suffix, ':');
  });
});

describe('variables navigation: usage', () => {
  it('finds every valid placeholder with exact positions, pinned scopes noted', () => {
    const text = 'a: "{{hq.var.A}}"\n# {{ hq.var.B }}\nc:\n  d: "x{{ hq.var.env.A }}y" {{hq.var.bad.A}}\n';
    const uses = placeholderUses('/f.yaml', text);
    assert.deepEqual([...uses.keys()], ['A', 'B']);
    const a = uses.get('A')!;
    assert.deepEqual(
      a.map((u) => [u.line, u.character, u.endLine, u.endCharacter, u.scope]),
      [
        [0, 4, 0, 16, undefined],
        [3, 7, 3, 25, 'env'],
      ],
    );
    const at = positionsOf(text);
    for (const u of a) assert.deepEqual(at(u.start), { line: u.line, character: u.character });
  });

  it('counts per key across files and rescans only the files whose text changed', () => {
    const usage = new VariableUsage();
    const files = new Map([
      ['/a.yaml', 'x: "{{hq.var.A}} {{hq.var.B}}"\n'],
      ['/b.yaml', 'y: "{{hq.var.A}}"\n'],
    ]);
    usage.update(files);
    assert.equal(usage.count('A'), 2);
    assert.equal(usage.count('B'), 1);
    assert.equal(usage.count('C'), 0);
    assert.deepEqual(usage.files('A'), ['/a.yaml', '/b.yaml']);
    const before = usage.uses('A')[0];
    files.set('/b.yaml', 'y: "{{hq.var.C}}"\n');
    usage.update(files);
    assert.equal(usage.count('A'), 1);
    assert.equal(usage.count('C'), 1);
    assert.equal(usage.uses('A')[0], before, 'the unchanged file was not rescanned');
    const list = usage.uses('A');
    usage.update(files);
    assert.equal(usage.uses('A'), list, 'nothing changed: nothing rebuilt');
    usage.update([]);
    assert.equal(usage.count('A'), 0);
  });

  it('scans 1,000 values files quickly, and a one-file change faster still', () => {
    const files = new Map<string, string>();
    for (let f = 0; f < 1000; f++) {
      const lines: string[] = [];
      for (let i = 0; i < 100; i++) lines.push(i % 4 === 0 ? `k${i}: "{{ hq.var.VAR_${i % 50} }}"` : `k${i}: plain value ${i}`);
      files.set(`/v/${f}.yaml`, lines.join('\n'));
    }
    const usage = new VariableUsage();
    let started = performance.now();
    usage.update(files);
    const cold = performance.now() - started;
    assert.equal(usage.count('VAR_0'), 1000);
    files.set('/v/0.yaml', `${files.get('/v/0.yaml') as string}\nextra: "{{hq.var.VAR_0}}"`);
    started = performance.now();
    usage.update(files);
    const warm = performance.now() - started;
    assert.equal(usage.count('VAR_0'), 1001);
    console.log(`      usage of 1,000 files x 100 lines: cold ${cold.toFixed(1)} ms, after a one-file change ${warm.toFixed(1)} ms`);
    // Generous bounds: the figures are printed; the machine may be busy with other work.
    assert.ok(cold < 3000, `cold ${cold} ms`);
    assert.ok(warm < 1000, `warm ${warm} ms`);
  });
});

describe('variables navigation: manifest links', () => {
  const manifest = `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: P, slug: p }
spec:
  environments:
    - name: dev
    - name: prod
  tenants: [acme, globex]
  variables: ".gitopshq/variables.yaml"
  workloads:
    - name: api
      chart: charts/api
      values:
        - values/base/{workload}.yaml
        - values/{env}/{tenant}/{workload}.yaml
        - 'values/common.yaml'
        - ../outside/{env}.yaml
    - name: web
      chart: ../charts/web
      values: values/{env}/web.yaml
`;
  const specs = manifestLinkSpecs(manifest, ROOT);
  const written = (s: { start: number; end: number }) => manifest.slice(s.start, s.end);

  it('reads the paths at their exact ranges, without quotes, skipping paths outside the root', () => {
    assert.deepEqual(
      specs.map((s) => [s.field, written(s), s.templated]),
      [
        ['variables', '.gitopshq/variables.yaml', false],
        ['chart', 'charts/api', false],
        ['values', 'values/base/{workload}.yaml', true],
        ['values', 'values/{env}/{tenant}/{workload}.yaml', true],
        ['values', 'values/common.yaml', false],
        ['values', 'values/{env}/web.yaml', true],
      ],
    );
    const tenanted = specs[3]!;
    assert.deepEqual(
      tenanted.candidates.map((c) => path.relative(ROOT, c)),
      ['values/dev/acme/api.yaml', 'values/dev/globex/api.yaml', 'values/prod/acme/api.yaml', 'values/prod/globex/api.yaml'],
    );
  });

  it('links a template to its first existing expansion, or not at all', () => {
    const existing = new Set(
      ['values/prod/globex/api.yaml', 'values/dev/globex/api.yaml', 'values/base/api.yaml', 'charts/api/values.yaml'].map((f) => path.join(ROOT, f)),
    );
    const links = resolveManifestLinks(specs, ROOT, (f) => existing.has(f));
    const shown = links.map((l) => [manifest.slice(l.start, l.end), path.relative(ROOT, l.target)]);
    assert.deepEqual(shown, [
      ['.gitopshq/variables.yaml', '.gitopshq/variables.yaml'],
      ['charts/api', 'charts/api/values.yaml'],
      ['values/base/{workload}.yaml', 'values/base/api.yaml'],
      ['values/{env}/{tenant}/{workload}.yaml', 'values/dev/globex/api.yaml'],
      ['values/common.yaml', 'values/common.yaml'],
    ]);
    assert.match(links[3]!.tooltip, /first existing of the 4 files this template expands to \(2 exist\)/);
    existing.add(path.join(ROOT, 'charts/api/Chart.yaml'));
    assert.equal(path.basename(resolveManifestLinks(specs, ROOT, (f) => existing.has(f))[1]!.target), 'Chart.yaml');
  });

  it('gives nothing for a manifest without spec or that does not parse', () => {
    assert.deepEqual(manifestLinkSpecs('kind: Project\n', ROOT), []);
    assert.deepEqual(manifestLinkSpecs('spec: [\n', ROOT), []);
  });
});
