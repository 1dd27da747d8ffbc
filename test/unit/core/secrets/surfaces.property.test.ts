// One property for every surface: random secrets, written in random YAML forms in the variables file
// (and one also literally in a values file), never appear in what hover, completion, compare, the
// diffs, the audit, logs or webview messages show. Each surface is the core function its adapter calls.
import * as assert from 'node:assert/strict';
import { compareEnvironments, renderEffectiveYaml } from '../../../../src/core/compare/compare';
import { keyHoverMarkdown, keyRows } from '../../../../src/core/language/keyInfo';
import { completionDetail, hoverMarkdown, hoverRows, valuesFileContext, variableRows } from '../../../../src/core/language/variableInfo';
import { ProjectIndex } from '../../../../src/core/model/projectIndex';
import { auditEntries, type ValuesCommit } from '../../../../src/core/release/audit';
import { fileDiff } from '../../../../src/core/release/fileDiff';
import { DISPLAY_MASKING, LOG_MASKING, logExcerpt, sanitizeLog, secretMasker, unsafeSecretReason } from '../../../../src/core/secrets/mask';
import { maskCompareResult } from '../../../../src/core/secrets/maskCompare';
import { MemoryFileSystem } from '../../../support/memoryFileSystem';

const P = '/ws/shop';
const RUNS = 25;

/** mulberry32: the same cases on every run; the seed is in the failure message. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.:/#@"\'\\';

function secretOf(next: () => number): string {
  for (;;) {
    const length = 8 + Math.floor(next() * 24);
    let s = '';
    for (let i = 0; i < length; i++) {
      const r = next();
      // Words separated by single spaces now and then, so that folded forms have somewhere to fold.
      s += r < 0.08 && i > 0 && i < length - 1 && !s.endsWith(' ') ? ' ' : ALPHABET[Math.floor(next() * ALPHABET.length)];
    }
    if (!unsafeSecretReason(s) && /[A-Za-z]{2}/.test(s)) return s;
  }
}

/** The secret as a YAML value, in one of the forms YAML allows; the text that must not appear is the secret itself and each form's body. */
function written(secret: string, next: () => number, indent: string): { yaml: string; body: string[] } {
  const forms: (() => { yaml: string; body: string[] } | undefined)[] = [
    () => ({ yaml: JSON.stringify(secret), body: [JSON.stringify(secret).slice(1, -1)] }),
    () => {
      // Every letter e as \u0065, every a as \x61.
      const body = JSON.stringify(secret).slice(1, -1).replace(/e/g, '\\u0065').replace(/a/g, '\\x61');
      return { yaml: `"${body}"`, body: [body] };
    },
    () => ({ yaml: `'${secret.replace(/'/g, "''")}'`, body: [secret.replace(/'/g, "''")] }),
    () => {
      if (!/ /.test(secret) || /^ | $| {2}|[\\"']/.test(secret)) return undefined;
      const words = secret.split(' ');
      return { yaml: `>-\n${words.map((w) => `${indent}  ${w}`).join('\n')}`, body: words.filter((w) => w.length >= 6) };
    },
  ];
  for (;;) {
    const form = forms[Math.floor(next() * forms.length)]?.();
    if (form) return form;
  }
}

function secretKeyForm(next: () => number): string {
  return ['secret', '"secret"', "'secret'"][Math.floor(next() * 3)] as string;
}

async function scenario(seed: number) {
  const next = random(seed);
  const secrets = [secretOf(next), secretOf(next), secretOf(next)];
  const forms = secrets.map((s) => written(s, next, '    '));
  const variables = [
    'repo:',
    '  PLAIN: visible-value',
    ...secrets.flatMap((_, i) => [`  SECRET_${i}:`, `    ${secretKeyForm(next)}: true`, `    value: ${(forms[i] as { yaml: string }).yaml.replace(/\n/g, '\n  ')}`]),
    '',
  ].join('\n');
  const literal = written(secrets[2] as string, next, '  ');
  const mem = new MemoryFileSystem({
    [`${P}/gitopshq.yaml`]: `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: Shop, slug: shop }
spec:
  environments:
    - name: dev
    - name: production
  workloads:
    - name: api
      chart: charts/api
      values:
        - values/base/{workload}.yaml
        - values/{env}/{workload}.yaml
`,
    [`${P}/.gitopshq/variables.yaml`]: variables,
    [`${P}/charts/api/Chart.yaml`]: 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
    [`${P}/charts/api/values.yaml`]: 'replicaCount: 1\n',
    [`${P}/values/base/api.yaml`]: 'config:\n  key0: "{{hq.var.SECRET_0}}"\n  url: "https://u:{{ hq.var.SECRET_1 }}@db"\n  plain: "{{hq.var.PLAIN}}"\n',
    [`${P}/values/dev/api.yaml`]: 'replicaCount: 2\n',
    [`${P}/values/production/api.yaml`]: `replicaCount: 3\npassword: ${literal.yaml}\n`,
  });
  const index = new ProjectIndex(mem);
  await index.scan(['/ws']);
  await index.settled();
  return { index, secrets, forms, literal, variables, values: `replicaCount: 3\npassword: ${literal.yaml}\n` };
}

function assertClean(what: string, output: string, s: Awaited<ReturnType<typeof scenario>>, seed: number): void {
  const forbidden = [...s.secrets, ...s.secrets.map((x) => JSON.stringify(x).slice(1, -1)), ...s.forms.flatMap((f) => f.body), ...s.literal.body];
  for (const f of forbidden) assert.ok(!output.includes(f), `seed ${seed}: ${what} shows ${JSON.stringify(f)}:\n${output}`);
}

describe('no surface shows a secret (property, random secrets and forms)', () => {
  for (let seed = 1; seed <= RUNS; seed++) {
    it(`seed ${seed}`, async () => {
      const s = await scenario(seed);
      const { index } = s;
      const check = (what: string, output: unknown) => assertClean(what, typeof output === 'string' ? output : JSON.stringify(output), s, seed);
      const variables = index.variables('shop');
      assert.deepEqual(new Set(variables.secretValues()), new Set(s.secrets), `seed ${seed}: the variables file reads back every secret`);
      const display = secretMasker(variables.secretValues(), DISPLAY_MASKING);

      // Hover and completion of placeholders, hover of keys.
      for (const file of [`${P}/values/base/api.yaml`, `${P}/values/production/api.yaml`]) {
        const context = valuesFileContext(index, 'shop', file);
        assert.ok(context);
        for (const key of ['SECRET_0', 'SECRET_1', 'SECRET_2', 'PLAIN']) {
          check('placeholder hover', hoverMarkdown(hoverRows(variables, context, key), key));
          check('completion detail', completionDetail(variableRows(variables, context, key)));
        }
        for (const path of [['config', 'key0'], ['config', 'url'], ['password'], ['config']]) {
          check('key hover', keyHoverMarkdown(path, undefined, keyRows(index, 'shop', context, path), { tenants: false, root: P }));
        }
      }

      // Compare: the API's result and the panel's message; the effective values (API) and their diff documents.
      const result = compareEnvironments(index, { project: 'shop', source: 'dev', target: 'production', includeEqual: true });
      check('compare (API)', result);
      check('compare (webview message)', maskCompareResult(result, display));
      for (const env of ['dev', 'production']) {
        const effective = index.effective('shop', 'api', env, index.project('shop')?.tenants[0] ?? 'default');
        check('effective values (API)', effective.values);
        check('effective values document', renderEffectiveYaml(effective.values));
      }

      // Release diffs: the variables file (structural: old secrets nobody knows any more too) and the values file.
      const older = s.variables.replace(/SECRET_/g, 'OLD_SECRET_');
      check('release diff of the variables file', fileDiff('.gitopshq/variables.yaml', older, s.variables, secretMasker([], DISPLAY_MASKING), true));
      check('release diff of a values file', fileDiff('values/production/api.yaml', 'replicaCount: 3\n', s.values, display, false));

      // Audit: the values a commit changed, as the panel receives them.
      const commit: ValuesCommit = {
        sha: 'a'.repeat(40),
        author: { name: 'A', email: 'a@example.com' },
        date: '2026-01-01T00:00:00Z',
        subject: 'rotate',
        files: [{ path: 'values/production/api.yaml', before: 'replicaCount: 3\n', after: s.values }],
      };
      const project = index.project('shop');
      assert.ok(project);
      const entries = auditEntries([], [commit], project, (abs) => abs.slice(P.length + 1), (t) => display.text(t));
      assert.match(entries[0]?.summary ?? '', /password: added/, `seed ${seed}: the audit still says what changed`);
      check('audit', entries.map((e) => display.deep(e)));

      // Logs: a webview message with the secret, cut at 200 characters after masking.
      const logMasker = secretMasker(variables.secretValues(), LOG_MASKING);
      const excerpt = logExcerpt({ method: 'select', params: { note: `${'x'.repeat(180)}${s.secrets[0] as string}`, other: s.secrets } }, 200);
      check('log line', sanitizeLog(JSON.stringify(excerpt.value), logMasker, excerpt.maxLength));
    });
  }
});
