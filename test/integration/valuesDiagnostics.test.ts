import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { closeWithoutSaving, internals, waitFor, workspaceRoot } from './support';

const CODES = ['invalid-placeholder', 'undefined-variable', 'hardcoded-env-value', 'cross-env-value', 'unquoted-placeholder'];

function file(rel: string): string {
  return path.join(workspaceRoot(), rel);
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code ?? '');
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'gitopshq' && CODES.includes(codeOf(d)));
}

/** The range of `needle` in a document (first occurrence at or after `after`). */
function rangeOf(doc: vscode.TextDocument, needle: string, after = 0): vscode.Range {
  const offset = doc.getText().indexOf(needle, after);
  assert.ok(offset >= 0, `${needle} in ${doc.uri.fsPath}`);
  return new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + needle.length));
}

async function diagnosticAt(doc: vscode.TextDocument, code: string, range: vscode.Range): Promise<vscode.Diagnostic> {
  return waitFor(() => ours(doc.uri).find((d) => codeOf(d) === code && d.range.isEqual(range)), `${code} at ${JSON.stringify(range)}`);
}

async function quickFix(doc: vscode.TextDocument, diagnostic: vscode.Diagnostic, title: string | RegExp): Promise<vscode.CodeAction> {
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    doc.uri,
    diagnostic.range,
    vscode.CodeActionKind.QuickFix.value,
  );
  const action = actions.find((a) => (typeof title === 'string' ? a.title === title : title.test(a.title)));
  assert.ok(action, `a quick fix "${String(title)}" among ${JSON.stringify(actions.map((a) => a.title))}`);
  assert.ok(action.edit);
  return action;
}

describe('values diagnostics and quick fixes', () => {
  before(async () => {
    await internals();
  });

  afterEach(async () => {
    for (const doc of vscode.workspace.textDocuments) if (doc.isDirty && doc.uri.scheme === 'file') await closeWithoutSaving(doc);
  });

  it('finds nothing to report in the demo as shipped', async () => {
    const { service } = await internals();
    const files = [...new Set(service.index.valuesFiles('payment-platform').filter((f) => f.exists).map((f) => f.file))];
    assert.ok(files.length >= 15, `values files: ${files.length}`);
    const docs = await Promise.all(files.map((f) => vscode.workspace.openTextDocument(f)));
    // A probe that must be reported shows that the checks ran on open documents at all.
    const probe = docs.find((d) => d.uri.fsPath === file('values/staging/payment-api.yaml')) as vscode.TextDocument;
    const editor = await vscode.window.showTextDocument(probe);
    await editor.edit((e) => e.insert(new vscode.Position(probe.lineCount, 0), 'probe: "{{hq.var.NOPE}}"\n'));
    await waitFor(() => ours(probe.uri).some((d) => codeOf(d) === 'undefined-variable'), 'the probe');
    await closeWithoutSaving(probe);
    for (const doc of docs) {
      if (doc === probe) continue;
      assert.deepEqual(
        ours(doc.uri).map((d) => `${codeOf(d)} ${d.message}`),
        [],
        path.relative(workspaceRoot(), doc.uri.fsPath),
      );
    }
  });

  it('reports each code at its exact range in an unsaved buffer, and each quick fix removes its diagnostic', async () => {
    const doc = await vscode.workspace.openTextDocument(file('values/staging/payment-api.yaml'));
    const editor = await vscode.window.showTextDocument(doc);
    const added = [
      'extra:',
      '  host: prod-db.payments.internal',
      '  url: "postgres://staging-db.payments.internal:5432/app"',
      '  bad: "{{hq.var.prod.DATABASE_HOST}}"',
      '  typo: "{{ hq.var.DATABASE_HOTS }}"',
      '  region: "{{hq.var.env.REGION}}"',
      '  unquoted: {{hq.var.LOG_LEVEL}}',
      '',
    ].join('\n');
    const start = doc.getText().length;
    assert.ok(await editor.edit((e) => e.insert(doc.positionAt(start), added)));
    assert.ok(doc.isDirty);

    const cross = await diagnosticAt(doc, 'cross-env-value', rangeOf(doc, 'prod-db.payments.internal', start));
    assert.equal(cross.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(
      cross.message,
      'This value is the production value of HQ Variable DATABASE_HOST; in staging it is staging-db.payments.internal: use {{hq.var.DATABASE_HOST}}.',
    );
    const hardcoded = await diagnosticAt(doc, 'hardcoded-env-value', rangeOf(doc, 'staging-db.payments.internal', start));
    assert.equal(hardcoded.severity, vscode.DiagnosticSeverity.Hint);
    assert.equal(hardcoded.message, 'This value equals HQ Variable DATABASE_HOST in staging; use {{hq.var.DATABASE_HOST}}');
    const invalid = await diagnosticAt(doc, 'invalid-placeholder', rangeOf(doc, '{{hq.var.prod.DATABASE_HOST}}', start));
    assert.equal(invalid.severity, vscode.DiagnosticSeverity.Error);
    assert.match(invalid.message, /Unknown scope "prod".*Did you mean \{\{hq\.var\.DATABASE_HOST\}\}\?/);
    const typo = await diagnosticAt(doc, 'undefined-variable', rangeOf(doc, '{{ hq.var.DATABASE_HOTS }}', start));
    assert.match(typo.message, /DATABASE_HOTS is not defined .*Did you mean DATABASE_HOST\?/);
    const pinned = await diagnosticAt(doc, 'undefined-variable', rangeOf(doc, '{{hq.var.env.REGION}}', start));
    assert.match(pinned.message, /REGION has no env-scope definition for staging/);
    const unquoted = await diagnosticAt(doc, 'unquoted-placeholder', rangeOf(doc, '{{hq.var.LOG_LEVEL}}', start));

    // Apply one fix at a time (each changes the ranges after it), checking the line and that the diagnostic goes.
    const fixes: [vscode.Diagnostic, string | RegExp, string, string][] = [
      [cross, 'Replace with {{hq.var.DATABASE_HOST}}', '  host: "{{hq.var.DATABASE_HOST}}"', 'cross-env-value'],
      [hardcoded, 'Replace with {{hq.var.DATABASE_HOST}}', '  url: "postgres://{{hq.var.DATABASE_HOST}}:5432/app"', 'hardcoded-env-value'],
      [invalid, 'Change to {{hq.var.DATABASE_HOST}}', '  bad: "{{hq.var.DATABASE_HOST}}"', 'invalid-placeholder'],
      [typo, 'Change to {{ hq.var.DATABASE_HOST }}', '  typo: "{{ hq.var.DATABASE_HOST }}"', 'undefined-variable'],
      [unquoted, 'Quote {{hq.var.LOG_LEVEL}}', '  unquoted: "{{hq.var.LOG_LEVEL}}"', 'unquoted-placeholder'],
    ];
    for (const [diagnostic, title, expected, code] of fixes) {
      const current = await diagnosticAt(doc, code, diagnostic.range);
      const action = await quickFix(doc, current, title);
      assert.ok(await vscode.workspace.applyEdit(action.edit as vscode.WorkspaceEdit));
      assert.equal(doc.lineAt(current.range.start.line).text, expected);
      await waitFor(() => !ours(doc.uri).some((d) => codeOf(d) === code && d.range.start.line === current.range.start.line), `${code} gone`);
    }
    const preferred = await quickFix(doc, await diagnosticAt(doc, 'undefined-variable', rangeOf(doc, '{{hq.var.env.REGION}}', start)), /^Define REGION/);
    assert.equal(preferred.title, 'Define REGION in .gitopshq/variables.yaml (env: staging)');
  });

  it('defines an undefined variable in the variables file, and the diagnostic disappears', async () => {
    const doc = await vscode.workspace.openTextDocument(file('values/staging/checkout-web.yaml'));
    const editor = await vscode.window.showTextDocument(doc);
    const start = doc.getText().length;
    assert.ok(await editor.edit((e) => e.insert(doc.positionAt(start), 'cdn: "{{hq.var.CDN_HOST}}"\n')));
    const diagnostic = await diagnosticAt(doc, 'undefined-variable', rangeOf(doc, '{{hq.var.CDN_HOST}}', start));
    assert.match(diagnostic.message, /CDN_HOST is not defined \(needed in staging\)/);
    const action = await quickFix(doc, diagnostic, 'Define CDN_HOST in .gitopshq/variables.yaml (repo)');
    assert.ok(await vscode.workspace.applyEdit(action.edit as vscode.WorkspaceEdit));
    const variables = await vscode.workspace.openTextDocument(file('.gitopshq/variables.yaml'));
    assert.ok(variables.isDirty);
    const line = variables.getText().split('\n').findIndex((l) => l === '  CDN_HOST: ""');
    assert.ok(line > 0, 'CDN_HOST under repo:');
    assert.ok(variables.getText().split('\n').slice(0, line).some((l) => l === 'repo:'));
    await waitFor(() => !ours(doc.uri).some((d) => codeOf(d) === 'undefined-variable'), 'undefined-variable gone', 15_000);
  });

  it('clears the diagnostics when an unsaved edit is reverted and the editor closed', async () => {
    const doc = await vscode.workspace.openTextDocument(file('values/dev/payment-api.yaml'));
    const editor = await vscode.window.showTextDocument(doc);
    assert.ok(await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'x: "{{hq.var.}}"\n')));
    await waitFor(() => ours(doc.uri).some((d) => codeOf(d) === 'invalid-placeholder'), 'invalid-placeholder');
    await closeWithoutSaving(doc);
    await waitFor(() => ours(doc.uri).length === 0, 'no diagnostics after closing');
  });
});
