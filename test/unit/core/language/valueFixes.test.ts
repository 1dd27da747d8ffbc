import * as assert from 'node:assert/strict';
import { parse } from 'yaml';
import { defineVariableEdit, doubleQuoted, quoteScalarFix, type InsertEdit } from '../../../../src/core/language/valueFixes';

function insert(text: string, edit: InsertEdit | undefined): string {
  assert.ok(edit);
  return text.slice(0, edit.offset) + edit.text + text.slice(edit.offset);
}

/** The text of the new key's value, by the edit's line and columns, in the edited text. */
function valueAt(text: string, edit: InsertEdit): string {
  return (text.split(/\r?\n/)[edit.line] ?? '').slice(edit.valueStart, edit.valueEnd);
}

describe('value fixes', () => {
  it('double-quotes a scalar with its quotes and backslashes escaped', () => {
    assert.equal(doubleQuoted('{{hq.var.X}}'), '"{{hq.var.X}}"');
    assert.equal(doubleQuoted('a "b" \\ c'), '"a \\"b\\" \\\\ c"');
    assert.equal(parse(`k: ${doubleQuoted('say "hi" \\n\t{{hq.var.X}}')}`).k, 'say "hi" \\n\t{{hq.var.X}}');
  });

  it('quotes an unquoted placeholder (the unquoted-placeholder fix)', () => {
    const line = 'host: {{hq.var.DATABASE_HOST}}   # db';
    const fix = quoteScalarFix(line, 3, 6, 30);
    assert.deepEqual(fix, {
      title: 'Quote {{hq.var.DATABASE_HOST}}',
      span: { start: { line: 3, character: 6 }, end: { line: 3, character: 30 } },
      newText: '"{{hq.var.DATABASE_HOST}}"',
      preferred: true,
    });
    const fixed = line.slice(0, 6) + fix.newText + line.slice(30);
    assert.deepEqual(parse(fixed), { host: '{{hq.var.DATABASE_HOST}}' });
    assert.equal(quoteScalarFix('a: "x"', 0, 3, 6), undefined);
  });

  describe('defineVariableEdit', () => {
    const FILE = [
      '# Variables',
      'repo:',
      '  IMAGE_REGISTRY: registry.example.com',
      '  LOG_LEVEL:',
      '    value: info',
      '',
      'env:',
      '  dev:',
      '    DATABASE_HOST: dev-db.internal',
      '  staging: { DATABASE_HOST: staging-db.internal }',
      '  production:',
      '    DATABASE_HOST: prod-db.internal',
      '',
      '# tenants below',
      'tenant:',
      '  acme: { REGION: eu-west-1 }',
      '',
    ].join('\n');

    it('adds a repo key at the end of the repo section, in its indentation', () => {
      const edit = defineVariableEdit(FILE, 'NEW_KEY', { scope: 'repo' });
      const out = insert(FILE, edit);
      assert.equal(out.split('\n')[5], '  NEW_KEY: ""');
      assert.equal(edit?.line, 5);
      assert.equal(valueAt(out, edit as InsertEdit), '""');
      assert.equal(parse(out).repo.NEW_KEY, '');
      assert.equal(parse(out).repo.LOG_LEVEL.value, 'info');
    });

    it('adds an env key under an existing environment, or the environment itself', () => {
      const edit = defineVariableEdit(FILE, 'NEW_KEY', { scope: 'env', environment: 'production' });
      const out = insert(FILE, edit);
      assert.deepEqual(parse(out).env.production, { DATABASE_HOST: 'prod-db.internal', NEW_KEY: '' });
      assert.equal(valueAt(out, edit as InsertEdit), '""');
      const qa = defineVariableEdit(FILE, 'NEW_KEY', { scope: 'env', environment: 'qa' });
      const outQa = insert(FILE, qa);
      assert.deepEqual(parse(outQa).env.qa, { NEW_KEY: '' });
      assert.equal(valueAt(outQa, qa as InsertEdit), '""');
      // A flow-style environment is left alone.
      assert.equal(defineVariableEdit(FILE, 'NEW_KEY', { scope: 'env', environment: 'staging' }), undefined);
    });

    it('adds a missing section at the end of the file, CRLF files included', () => {
      const edit = defineVariableEdit('repo:\n  A: 1', 'B', { scope: 'tenant', tenant: 'globex' });
      const out = insert('repo:\n  A: 1', edit);
      assert.equal(out, 'repo:\n  A: 1\ntenant:\n  globex:\n    B: ""\n');
      assert.equal(valueAt(out, edit as InsertEdit), '""');
      const crlf = 'env:\r\n  dev:\r\n    A: 1\r\n';
      const crlfEdit = defineVariableEdit(crlf, 'B', { scope: 'env', environment: 'dev' });
      const crlfOut = insert(crlf, crlfEdit);
      assert.equal(crlfOut, 'env:\r\n  dev:\r\n    A: 1\r\n    B: ""\r\n');
      assert.equal(valueAt(crlfOut, crlfEdit as InsertEdit), '""');
      assert.equal(insert('', defineVariableEdit('', 'K', { scope: 'repo' })), 'repo:\n  K: ""\n');
    });
  });
});
