import * as assert from 'node:assert/strict';
import { scanPlaceholders, substitute, type VariableResolver } from '../../../../src/core/values/placeholders';
import { SECRET_MASK, type Resolution, type Scalar, type VariableScope } from '../../../../src/core/types';

/** A resolver over a table: `KEY` by precedence, `scope:KEY` for pinned lookups; `secret:` marks secrets. */
function resolver(table: Record<string, Scalar | { secret: true; value?: Scalar }>): VariableResolver & { calls: string[] } {
  const calls: string[] = [];
  const fn = (key: string, scope?: VariableScope): Resolution => {
    calls.push(scope ? `${scope}.${key}` : key);
    const entry = table[scope ? `${scope}:${key}` : key];
    if (entry === undefined) return { defined: false, secret: false };
    if (typeof entry === 'object' && entry !== null) return { defined: true, secret: true };
    return { defined: true, secret: false, value: entry };
  };
  return Object.assign(fn, { calls });
}

describe('placeholders', () => {
  describe('scanPlaceholders', () => {
    it('finds plain and pinned placeholders, with or without whitespace inside the braces', () => {
      const text = 'a {{hq.var.HOST}} b {{ hq.var.env.PORT }} c {{   hq.var.svc._X1   }}';
      const found = scanPlaceholders(text);
      assert.deepEqual(
        found.map((m) => ({ text: text.slice(m.start, m.end), key: m.key, scope: m.scope, valid: m.valid })),
        [
          { text: '{{hq.var.HOST}}', key: 'HOST', scope: undefined, valid: true },
          { text: '{{ hq.var.env.PORT }}', key: 'PORT', scope: 'env', valid: true },
          { text: '{{   hq.var.svc._X1   }}', key: '_X1', scope: 'svc', valid: true },
        ],
      );
    });

    it('accepts every scope and a key named like a scope', () => {
      for (const scope of ['repo', 'env', 'tenant', 'svc']) {
        assert.deepEqual(scanPlaceholders(`{{hq.var.${scope}.K}}`)[0]?.scope, scope);
      }
      assert.deepEqual(scanPlaceholders('{{hq.var.env}}')[0], { start: 0, end: 14, key: 'env', valid: true });
    });

    it('ignores Helm templates and other braces', () => {
      assert.deepEqual(scanPlaceholders('{{ .Values.image.tag }} {{- include "x" . }} {{hqvar}} {x} }}'), []);
      assert.deepEqual(scanPlaceholders('plain text'), []);
    });

    it('finds a placeholder right after another opening brace', () => {
      const found = scanPlaceholders('{{{hq.var.A}}}');
      assert.equal(found.length, 1);
      assert.equal(found[0]?.key, 'A');
      assert.equal(found[0]?.start, 1);
    });

    it('reports malformed hq forms with a message', () => {
      const cases: [string, RegExp][] = [
        ['{{ hq.var.prod.KEY }}', /Unknown scope "prod"/],
        ['{{ hq.var.1KEY }}', /Invalid variable key "1KEY"/],
        ['{{ hq.var.env.KEY-2 }}', /Invalid variable key "KEY-2"/],
        ['{{ hq.var }}', /Missing variable key/],
        ['{{ hq.var. }}', /Missing variable key/],
        ['{{ hq.var.env. }}', /Missing variable key after the scope/],
        ['{{ hq.var.a.b.c }}', /Too many parts/],
        ['{{ hq.vars.KEY }}', /not an HQ Variable/],
        ['{{ hq.KEY }}', /not an HQ Variable/],
        ['{{ hq.var.KEY | default "x" }}', /Unexpected text/],
      ];
      for (const [text, error] of cases) {
        const [m] = scanPlaceholders(text);
        assert.ok(m, text);
        assert.equal(m.valid, false, text);
        assert.match(m.error ?? '', error, text);
        assert.deepEqual([m.start, m.end], [0, text.length], text);
      }
    });

    it('reports an unterminated placeholder up to the end of its line or the next opening', () => {
      const text = 'x {{ hq.var.A \nnext';
      const [m] = scanPlaceholders(text);
      assert.equal(m?.valid, false);
      assert.match(m?.error ?? '', /Missing "}}"/);
      assert.equal(text.slice(m?.start, m?.end), '{{ hq.var.A');

      const both = scanPlaceholders('{{ hq.var.A {{ hq.var.B }}');
      assert.deepEqual(
        both.map((f) => [f.valid, f.key]),
        [
          [false, undefined],
          [true, 'B'],
        ],
      );
    });
  });

  describe('substitute', () => {
    it('gives a whole-scalar placeholder the variable with its type', () => {
      const r = resolver({ N: 8, B: false, S: 'db', Z: null });
      assert.deepEqual(substitute('{{hq.var.N}}', r), { value: 8, unresolved: [], secret: false });
      assert.deepEqual(substitute('{{ hq.var.B }}', r), { value: false, unresolved: [], secret: false });
      assert.deepEqual(substitute('{{hq.var.S}}', r), { value: 'db', unresolved: [], secret: false });
      assert.deepEqual(substitute('{{hq.var.Z}}', r), { value: null, unresolved: [], secret: false });
    });

    it('substitutes embedded placeholders as text', () => {
      const r = resolver({ HOST: 'db', PORT: 5432, TLS: true, NONE: null });
      assert.deepEqual(substitute('postgres://{{hq.var.HOST}}:{{ hq.var.PORT }}/app?tls={{hq.var.TLS}}&x={{hq.var.NONE}}', r), {
        value: 'postgres://db:5432/app?tls=true&x=',
        unresolved: [],
        secret: false,
      });
      // Whitespace around the braces makes it text, not a whole-scalar placeholder.
      assert.deepEqual(substitute(' {{hq.var.PORT}}', r).value, ' 5432');
    });

    it('resolves pinned placeholders in their scope only', () => {
      const r = resolver({ K: 'by-precedence', 'env:K': 'from-env' });
      assert.equal(substitute('{{hq.var.env.K}}', r).value, 'from-env');
      assert.deepEqual(substitute('{{hq.var.tenant.K}}', r), { value: '{{hq.var.tenant.K}}', unresolved: ['{{hq.var.tenant.K}}'], secret: false });
      assert.deepEqual(r.calls, ['env.K', 'tenant.K']);
    });

    it('masks secrets, whole or embedded', () => {
      const r = resolver({ KEY: { secret: true }, USER: 'app' });
      assert.deepEqual(substitute('{{hq.var.KEY}}', r), { value: SECRET_MASK, unresolved: [], secret: true });
      assert.deepEqual(substitute('{{hq.var.USER}}:{{hq.var.KEY}}@host', r), { value: `app:${SECRET_MASK}@host`, unresolved: [], secret: true });
    });

    it('leaves unresolved and malformed placeholders as written', () => {
      const r = resolver({ A: 'a' });
      assert.deepEqual(substitute('{{ hq.var.MISSING }}', r), { value: '{{ hq.var.MISSING }}', unresolved: ['{{ hq.var.MISSING }}'], secret: false });
      assert.deepEqual(substitute('{{hq.var.A}}-{{hq.var.B}}-{{hq.var.1x}}', r), {
        value: 'a-{{hq.var.B}}-{{hq.var.1x}}',
        unresolved: ['{{hq.var.B}}', '{{hq.var.1x}}'],
        secret: false,
      });
    });

    it('leaves text without placeholders untouched, Helm templates included', () => {
      const r = resolver({});
      assert.deepEqual(substitute('{{ .Values.x }} and {x}', r), { value: '{{ .Values.x }} and {x}', unresolved: [], secret: false });
      assert.deepEqual(r.calls, []);
    });
  });
});
