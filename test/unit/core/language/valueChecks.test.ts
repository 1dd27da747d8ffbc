import * as assert from 'node:assert/strict';
import { parse } from 'yaml';
import { checkValuesFile, suggestPlaceholder, topLevelBlocks, ValueChecker, type ValueProblem } from '../../../../src/core/language/valueChecks';
import { valuesFileContext } from '../../../../src/core/language/variableInfo';
import { ProjectIndex } from '../../../../src/core/model/projectIndex';
import type { TextFix } from '../../../../src/core/language/valueFixes';
import { MemoryFileSystem } from '../../../support/memoryFileSystem';

const P = '/ws/shop';

const VARIABLES = `repo:
  REGISTRY: registry.example.com/shop
  LOG_LEVEL: info
  POOL: 20
env:
  dev:
    DB_HOST: dev-db.internal
    API_KEY: { value: sandbox-key-123, secret: true }
  staging:
    DB_HOST: staging-db.internal
    PORT: 8080
  production:
    DB_HOST: prod-db.internal
    POOL: 200
    API_KEY: { value: live-key-999, secret: true }
tenant:
  acme: { REGION: eu-west-1, THEME: acme-blue }
  globex: { REGION: us-east-1 }
svc:
  acme:
    production:
      api: { POOL: 400, DB_HOST: acme-db.internal }
`;

const MANIFEST = `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: Shop, slug: shop }
spec:
  environments:
    - name: dev
    - name: staging
    - name: production
  tenants: [acme, globex]
  workloads:
    - name: api
      chart: charts/api
      values:
        - values/base/{workload}.yaml
        - values/{env}/{workload}.yaml
        - values/{env}/{tenant}/{workload}.yaml
`;

async function contextOf(rel: string) {
  const index = new ProjectIndex(
    new MemoryFileSystem({
      [`${P}/gitopshq.yaml`]: MANIFEST,
      [`${P}/.gitopshq/variables.yaml`]: VARIABLES,
      [`${P}/charts/api/Chart.yaml`]: 'apiVersion: v2\nname: api\nversion: 1.0.0\n',
      [`${P}/charts/api/values.yaml`]: 'a: 1\n',
      [`${P}/${rel}`]: 'a: 1\n',
    }),
  );
  await index.scan(['/ws']);
  const ctx = valuesFileContext(index, 'shop', `${P}/${rel}`);
  assert.ok(ctx, rel);
  return { ctx, variables: index.variables('shop') };
}

async function checker(rel: string): Promise<(text: string) => ValueProblem[]> {
  const { ctx, variables } = await contextOf(rel);
  return (text) => checkValuesFile(ctx, text, variables);
}

type Where = [code: string, line: number, start: number, end: number];

function where(problems: readonly ValueProblem[]): Where[] {
  return problems.map((p) => {
    assert.equal(p.span.start.line, p.span.end.line);
    return [p.code, p.span.start.line, p.span.start.character, p.span.end.character];
  });
}

/** The range of the first `needle` on `line` of `text`, as [line, start, end]. */
function at(text: string, line: number, needle: string): [number, number, number] {
  const start = (text.split('\n')[line] ?? '').indexOf(needle);
  assert.ok(start >= 0, `${needle} on line ${line}`);
  return [line, start, start + needle.length];
}

function apply(text: string, fix: TextFix): string {
  const lines = text.split('\n');
  const { start, end } = fix.span;
  const line = lines[start.line] ?? '';
  lines[start.line] = line.slice(0, start.character) + fix.newText + line.slice(end.character);
  assert.equal(start.line, end.line);
  return lines.join('\n');
}

function only(problems: readonly ValueProblem[], code: string): ValueProblem {
  const found = problems.filter((p) => p.code === code);
  assert.equal(found.length, 1, `one ${code} in ${JSON.stringify(problems, null, 1)}`);
  return found[0] as ValueProblem;
}

describe('value checks', () => {
  describe('invalid-placeholder', () => {
    it('reports every malformed form at its exact range, says what is wrong and shows a valid form', async () => {
      const check = await checker('values/staging/api.yaml');
      const text = [
        'a: "{{hq.var.prod.DB_HOST}}"',
        "b: 'x {{ hq.var.1KEY }} y'",
        'c: "{{hq.var.DB_HOST"',
        'd: "{{ hq.var }}"',
        'e: "{{hq.var.a.b.c}}"',
        'f: "{{ hq.vars.DB-HOST }}"',
        'g:',
        '  - "{{hq.var.env.}}"',
        '  - url: http://{{hq.var.DB-HOST}}:80   # plain, embedded',
      ].join('\n');
      const problems = check(text);
      assert.deepEqual(where(problems), [
        ['invalid-placeholder', ...at(text, 0, '{{hq.var.prod.DB_HOST}}')],
        ['invalid-placeholder', ...at(text, 1, '{{ hq.var.1KEY }}')],
        ['invalid-placeholder', ...at(text, 2, '{{hq.var.DB_HOST')],
        ['invalid-placeholder', ...at(text, 3, '{{ hq.var }}')],
        ['invalid-placeholder', ...at(text, 4, '{{hq.var.a.b.c}}')],
        ['invalid-placeholder', ...at(text, 5, '{{ hq.vars.DB-HOST }}')],
        ['invalid-placeholder', ...at(text, 7, '{{hq.var.env.}}')],
        ['invalid-placeholder', ...at(text, 8, '{{hq.var.DB-HOST}}')],
      ]);
      const messages = problems.map((p) => p.message);
      assert.match(messages[0] ?? '', /Unknown scope "prod".*Did you mean \{\{hq\.var\.DB_HOST\}\}\?/);
      assert.match(messages[1] ?? '', /Invalid variable key "1KEY".*A valid form is \{\{ hq\.var\.KEY \}\} or \{\{ hq\.var\.SCOPE\.KEY \}\}/);
      assert.match(messages[2] ?? '', /Missing "\}\}".*Did you mean \{\{hq\.var\.DB_HOST\}\}\?/);
      assert.match(messages[3] ?? '', /Missing variable key/);
      assert.match(messages[4] ?? '', /Too many parts/);
      assert.match(messages[5] ?? '', /not an HQ Variable.*Did you mean \{\{ hq\.var\.DB_HOST \}\}\?/);
      assert.match(messages[6] ?? '', /Missing variable key after the scope: write \{\{ hq\.var\.env\.KEY \}\}/);
      assert.ok(problems.every((p) => p.severity === 'error' && p.file === `${P}/values/staging/api.yaml`));
      // A fix only where the suggested key exists.
      assert.deepEqual(
        problems.map((p) => p.fixes?.map((f) => f.newText)),
        [['{{hq.var.DB_HOST}}'], undefined, ['{{hq.var.DB_HOST}}'], undefined, undefined, ['{{ hq.var.DB_HOST }}'], undefined, ['{{hq.var.DB_HOST}}']],
      );
      assert.equal(apply(text, problems[0]?.fixes?.[0] as TextFix).split('\n')[0], 'a: "{{hq.var.DB_HOST}}"');
    });

    it('ignores keys, comments, Helm templates and valid forms with any whitespace', async () => {
      const check = await checker('values/staging/api.yaml');
      const text = [
        '# {{hq.var.prod.X}} in a comment',
        '"{{hq.var.prod.X}}": key',
        'helm: "{{ .Values.image.tag }}"',
        'a: "{{hq.var.DB_HOST}}"   # {{hq.var.bad.}}',
        'b: "{{   hq.var.env.DB_HOST   }}"',
        'c: "{{\thq.var.repo.POOL\t}}"',
        'd: "{{hq.var.svc.DB_HOST}}{{hq.var.tenant.REGION}}"',
      ].join('\n');
      // svc.DB_HOST is undefined (no svc definition), nothing is invalid.
      assert.deepEqual(
        check(text).map((p) => p.code),
        ['undefined-variable'],
      );
    });

    it('suggests the form a malformed placeholder most likely meant', () => {
      assert.deepEqual(suggestPlaceholder('{{hq.var.prod.X}}'), { key: 'X', text: '{{hq.var.X}}' });
      assert.deepEqual(suggestPlaceholder('{{ hq.var.env.X'), { key: 'X', text: '{{ hq.var.env.X }}' });
      assert.deepEqual(suggestPlaceholder('{{ hq.variables.my-key }}'), { key: 'my_key', text: '{{ hq.var.my_key }}' });
      assert.equal(suggestPlaceholder('{{ hq.var }}'), undefined);
      assert.equal(suggestPlaceholder('{{hq.var.X}}'), undefined);
    });
  });

  describe('undefined-variable', () => {
    it('names the environments (and tenants) where the key does not resolve', async () => {
      const check = await checker('values/base/api.yaml');
      const text = [
        'key: "{{hq.var.API_KEY}}"',
        'theme: "x-{{ hq.var.THEME }}-y"',
        'nope: "{{hq.var.NOPE}}"',
        'ok: "{{hq.var.DB_HOST}}:{{hq.var.REGION}}"',
      ].join('\n');
      const problems = check(text);
      assert.deepEqual(where(problems), [
        ['undefined-variable', ...at(text, 0, '{{hq.var.API_KEY}}')],
        ['undefined-variable', ...at(text, 1, '{{ hq.var.THEME }}')],
        ['undefined-variable', ...at(text, 2, '{{hq.var.NOPE}}')],
      ]);
      assert.match(problems[0]?.message ?? '', /^HQ Variable API_KEY is not defined in staging: /);
      assert.match(problems[1]?.message ?? '', /THEME is not defined in dev \(globex\), staging \(globex\) and production \(globex\)/);
      assert.match(problems[2]?.message ?? '', /NOPE is not defined \(needed in dev, staging and production\).*Define it in \.gitopshq\/variables\.yaml/);
      assert.deepEqual(problems[0]?.missing, [
        { environment: 'staging', tenant: 'acme', workload: 'api' },
        { environment: 'staging', tenant: 'globex', workload: 'api' },
      ]);
      assert.equal(problems[0]?.key, 'API_KEY');
      assert.ok(problems.every((p) => p.severity === 'error'));
    });

    it('checks a pinned placeholder in its scope only', async () => {
      const check = await checker('values/production/acme/api.yaml');
      const text = 'a: "{{hq.var.env.REGION}}"\nb: "{{hq.var.tenant.REGION}}"\nc: "{{hq.var.svc.POOL}}"\nd: "{{hq.var.repo.DB_HOST}}"';
      const problems = check(text);
      assert.deepEqual(where(problems), [
        ['undefined-variable', ...at(text, 0, '{{hq.var.env.REGION}}')],
        ['undefined-variable', ...at(text, 3, '{{hq.var.repo.DB_HOST}}')],
      ]);
      assert.match(problems[0]?.message ?? '', /REGION has no env-scope definition for production: a placeholder pinned to "env" looks in that scope only/);
      assert.equal(problems[0]?.pinned, 'env');
    });

    it('suggests a defined key for a misspelt one, as a fix', async () => {
      const check = await checker('values/staging/api.yaml');
      const text = 'host: "postgres://{{ hq.var.DB_HOTS }}/db"';
      const p = only(check(text), 'undefined-variable');
      assert.match(p.message, /Did you mean DB_HOST\?/);
      assert.equal(apply(text, p.fixes?.[0] as TextFix), 'host: "postgres://{{ hq.var.DB_HOST }}/db"');
    });
  });

  describe('hardcoded-env-value', () => {
    it("hints at literals equal to this environment's value, at the literal, with a fix that keeps valid YAML", async () => {
      const check = await checker('values/staging/api.yaml');
      const text = [
        'host: staging-db.internal',
        "quoted: 'staging-db.internal'",
        'url: "postgres://staging-db.internal:5432/db?x=1"',
        'plain: postgres://staging-db.internal/db # comment',
        'port: 8080',
        'image: registry.example.com/shop/api',
        'list:',
        '  - staging-db.internal',
        'script: |',
        '  connect staging-db.internal now',
      ].join('\n');
      const problems = check(text);
      assert.deepEqual(where(problems), [
        ['hardcoded-env-value', ...at(text, 0, 'staging-db.internal')],
        ['hardcoded-env-value', ...at(text, 1, 'staging-db.internal')],
        ['hardcoded-env-value', ...at(text, 2, 'staging-db.internal')],
        ['hardcoded-env-value', ...at(text, 3, 'staging-db.internal')],
        ['hardcoded-env-value', ...at(text, 4, '8080')],
        ['hardcoded-env-value', ...at(text, 5, 'registry.example.com/shop')],
        ['hardcoded-env-value', ...at(text, 7, 'staging-db.internal')],
        ['hardcoded-env-value', ...at(text, 9, 'staging-db.internal')],
      ]);
      assert.equal(problems[0]?.message, 'This value equals HQ Variable DB_HOST in staging; use {{hq.var.DB_HOST}}');
      assert.equal(problems[4]?.message, 'This value equals HQ Variable PORT in staging; use {{hq.var.PORT}}');
      assert.ok(problems.every((p) => p.severity === 'hint' && p.fixes?.[0]?.preferred === true));

      let fixed = text;
      for (const p of [...problems].reverse()) fixed = apply(fixed, p.fixes?.[0] as TextFix);
      assert.deepEqual(fixed.split('\n'), [
        'host: "{{hq.var.DB_HOST}}"',
        "quoted: '{{hq.var.DB_HOST}}'",
        'url: "postgres://{{hq.var.DB_HOST}}:5432/db?x=1"',
        'plain: "postgres://{{hq.var.DB_HOST}}/db" # comment',
        'port: "{{hq.var.PORT}}"',
        'image: "{{hq.var.REGISTRY}}/api"',
        'list:',
        '  - "{{hq.var.DB_HOST}}"',
        'script: |',
        '  connect {{hq.var.DB_HOST}} now',
      ]);
      assert.deepEqual(parse(fixed), {
        host: '{{hq.var.DB_HOST}}',
        quoted: '{{hq.var.DB_HOST}}',
        url: 'postgres://{{hq.var.DB_HOST}}:5432/db?x=1',
        plain: 'postgres://{{hq.var.DB_HOST}}/db',
        port: '{{hq.var.PORT}}',
        image: '{{hq.var.REGISTRY}}/api',
        list: ['{{hq.var.DB_HOST}}'],
        script: 'connect {{hq.var.DB_HOST}} now\n',
      });
      // Nothing is left to report once fixed.
      assert.deepEqual(check(fixed), []);
    });

    it('skips trivial values, values that differ per tenant, mismatched types and multi-environment files', async () => {
      const staging = await checker('values/staging/api.yaml');
      // info: a common word; 20: two digits; "8080" quoted is a string, PORT a number.
      assert.deepEqual(staging('level: info\npool: 20\nport: "8080"\nenabled: true\n'), []);
      // production/api.yaml applies to acme (POOL 400) and globex (POOL 200).
      const production = await checker('values/production/api.yaml');
      assert.deepEqual(production('pool: 200\n'), []);
      const acme = await checker('values/production/acme/api.yaml');
      assert.deepEqual(where(acme('pool: 400\n')), [['hardcoded-env-value', 0, 6, 9]]);
      const base = await checker('values/base/api.yaml');
      assert.deepEqual(base('host: staging-db.internal\nother: prod-db.internal\n'), []);
    });

    it('detects a hardcoded secret without ever showing it', async () => {
      const check = await checker('values/dev/api.yaml');
      const text = 'apiKey: "sandbox-key-123"';
      const p = only(check(text), 'hardcoded-env-value');
      assert.deepEqual(where([p]), [['hardcoded-env-value', ...at(text, 0, 'sandbox-key-123')]]);
      assert.equal(p.severity, 'warning');
      assert.match(p.message, /secret HQ Variable API_KEY in dev/);
      assert.doesNotMatch(JSON.stringify(p), /sandbox/);
    });

    it('detects a secret written literally in a file shared by several environments, with a fix to the placeholder', async () => {
      const base = await checker('values/base/api.yaml');
      for (const secret of ['sandbox-key-123', 'live-key-999']) {
        const text = `auth:\n  token: "${secret}"\n`;
        const p = only(base(text), 'hardcoded-env-value');
        assert.deepEqual(where([p]), [['hardcoded-env-value', ...at(text, 1, secret)]]);
        assert.equal(p.severity, 'warning');
        assert.equal(p.message, 'This value equals the secret HQ Variable API_KEY: keep secrets out of values files; use {{hq.var.API_KEY}}');
        assert.doesNotMatch(JSON.stringify(p), new RegExp(secret));
        assert.match(p.fixes?.[0]?.newText ?? '', /^"?{{hq\.var\.API_KEY}}"?$/);
      }
      assert.deepEqual(base('auth:\n  token: "some-other-key"\n'), []);
    });
  });

  describe('cross-env-value', () => {
    it("warns about another environment's value, naming it and this environment's value", async () => {
      const check = await checker('values/staging/api.yaml');
      const text = 'db:\n  host: prod-db.internal\n  url: "jdbc://dev-db.internal/x"';
      const problems = check(text);
      assert.deepEqual(where(problems), [
        ['cross-env-value', ...at(text, 1, 'prod-db.internal')],
        ['cross-env-value', ...at(text, 2, 'dev-db.internal')],
      ]);
      assert.equal(
        problems[0]?.message,
        'This value is the production (globex) value of HQ Variable DB_HOST; in staging it is staging-db.internal: use {{hq.var.DB_HOST}}.',
      );
      assert.ok(problems.every((p) => p.severity === 'warning' && p.key === 'DB_HOST'));
      assert.equal(apply(text, problems[0]?.fixes?.[0] as TextFix).split('\n')[1], '  host: "{{hq.var.DB_HOST}}"');
      assert.equal(problems[0]?.fixes?.[0]?.preferred, false);
    });

    it('names tenants when only some have the value, and masks secrets', async () => {
      const dev = await checker('values/dev/api.yaml');
      const text = 'key: live-key-999\nregion: eu-west-1\n';
      const problems = dev(text);
      // eu-west-1 is acme's REGION in dev too: not another environment's value.
      assert.deepEqual(where(problems), [['cross-env-value', ...at(text, 0, 'live-key-999')]]);
      assert.equal(problems[0]?.message, 'This value is the production value of the secret HQ Variable API_KEY; in dev it is ••••••: use {{hq.var.API_KEY}}.');
      assert.doesNotMatch(JSON.stringify(problems), /live-key|sandbox/);

      const shared = await checker('values/staging/api.yaml');
      assert.equal(
        only(shared('db: acme-db.internal\n'), 'cross-env-value').message,
        'This value is the production (acme) value of HQ Variable DB_HOST; in staging it is staging-db.internal: use {{hq.var.DB_HOST}}.',
      );

      const staging = await checker('values/staging/acme/api.yaml');
      const p = only(staging('key: live-key-999\npool: "400"\n'), 'cross-env-value');
      assert.equal(p.message, 'This value is the production value of the secret HQ Variable API_KEY; staging does not define API_KEY.');
      assert.equal(p.fixes, undefined);
    });
  });

  describe('blocks', () => {
    const text = [
      '# header',
      'a:',
      '  b: "{{hq.var.NOPE}}"',
      '  script: |',
      '    echo {{hq.var.NOPE}}',
      '',
      '    key: "{{hq.var.prod.X}}"',
      '# between',
      'long: "first line {{hq.var.NOPE}}',
      '  second {{hq.var.bad.}}"',
      'c: {{hq.var.NOPE}}',
      '- x',
    ].join('\n');

    it('splits at every line that starts with content', () => {
      assert.deepEqual(
        topLevelBlocks(text).map((b) => [b.line, text.slice(b.start, b.end).split('\n')[0]]),
        [
          [0, '# header'],
          [1, 'a:'],
          [8, 'long: "first line {{hq.var.NOPE}}'],
          [10, 'c: {{hq.var.NOPE}}'],
          [11, '- x'],
        ],
      );
      assert.deepEqual(topLevelBlocks(''), [{ start: 0, end: 0, line: 0 }]);
    });

    it('checks block by block exactly as the whole file, block scalars and multi-line strings included', async () => {
      const check = await checker('values/staging/api.yaml');
      const whole = check(text);
      assert.deepEqual(where(whole), [
        ['undefined-variable', ...at(text, 2, '{{hq.var.NOPE}}')],
        ['undefined-variable', ...at(text, 4, '{{hq.var.NOPE}}')],
        ['invalid-placeholder', ...at(text, 6, '{{hq.var.prod.X}}')],
        ['undefined-variable', ...at(text, 8, '{{hq.var.NOPE}}')],
        ['invalid-placeholder', ...at(text, 9, '{{hq.var.bad.}}')],
        ['undefined-variable', ...at(text, 10, '{{hq.var.NOPE}}')],
      ]);
      const { ctx, variables } = await contextOf('values/staging/api.yaml');
      const checkerObj = new ValueChecker(ctx, variables);
      const byBlock = topLevelBlocks(text).flatMap((b) => checkerObj.checkRange(text, b.start, b.end, b.line));
      assert.deepEqual(byBlock, whole);
      // A block checked on its own (as a cache would) gives the same problems, shifted.
      const sliced = topLevelBlocks(text).flatMap((b) =>
        checkerObj.checkRange(text.slice(b.start, b.end)).map((p) => ({
          ...p,
          span: { start: { ...p.span.start, line: p.span.start.line + b.line }, end: { ...p.span.end, line: p.span.end.line + b.line } },
        })),
      );
      assert.deepEqual(sliced, whole);
    });

    it('handles CRLF line ends', async () => {
      const check = await checker('values/staging/api.yaml');
      assert.deepEqual(where(check('a: x\r\nb: "{{hq.var.NOPE}}"\r\nc: prod-db.internal\r\n')), [
        ['undefined-variable', 1, 4, 19],
        ['cross-env-value', 2, 3, 19],
      ]);
    });
  });
});
