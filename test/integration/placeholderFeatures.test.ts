import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseDocument } from 'yaml';
import { closeWithoutSaving, internals, waitFor, workspaceRoot } from './support';

const MASK = '••••••';

function file(rel: string): string {
  return path.join(workspaceRoot(), rel);
}

/** The position just inside `needle` (5 characters in) in an open document. */
function positionOf(doc: vscode.TextDocument, needle: string): vscode.Position {
  const offset = doc.getText().indexOf(needle);
  assert.ok(offset >= 0, `${needle} in ${doc.uri.fsPath}`);
  return doc.positionAt(offset + 5);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

function targetOf(d: vscode.Location | vscode.LocationLink): { uri: vscode.Uri; range: vscode.Range } {
  return 'targetUri' in d ? { uri: d.targetUri, range: d.targetSelectionRange ?? d.targetRange } : { uri: d.uri, range: d.range };
}

/** 0-based lines of the variables file where `key:` is defined. */
async function definitionLines(key: string): Promise<number[]> {
  const lines = (await fs.readFile(file('.gitopshq/variables.yaml'), 'utf8')).split('\n');
  return lines.flatMap((l, i) => (new RegExp(`^\\s*${key}\\s*:`).test(l) ? [i] : []));
}

/** Opens a values file, appends a line without saving, and returns the end position of that line. */
async function appendUnsaved(rel: string, line: string): Promise<{ doc: vscode.TextDocument; end: vscode.Position }> {
  const doc = await vscode.workspace.openTextDocument(file(rel));
  const editor = await vscode.window.showTextDocument(doc);
  const at = doc.lineAt(doc.lineCount - 1).range.end;
  const prefix = doc.lineAt(doc.lineCount - 1).text === '' ? '' : '\n';
  assert.ok(await editor.edit((e) => e.insert(at, `${prefix}${line}`)));
  assert.ok(doc.isDirty);
  const last = doc.lineAt(doc.lineCount - 1).text === '' ? doc.lineCount - 2 : doc.lineCount - 1;
  return { doc, end: doc.lineAt(last).range.end };
}

async function completions(doc: vscode.TextDocument, at: vscode.Position): Promise<vscode.CompletionItem[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, at, '.');
  return list.items;
}

function label(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

describe('HQ Variable placeholders in values files', () => {
  before(async () => {
    await internals();
  });

  afterEach(async () => {
    // Nothing any test edited is left dirty.
    for (const doc of vscode.workspace.textDocuments) if (doc.isDirty && doc.uri.scheme === 'file') await closeWithoutSaving(doc);
  });

  it('hovers with what the variable resolves to per environment and tenant, the svc scope winning', async () => {
    const doc = await vscode.workspace.openTextDocument(file('values/base/payment-api.yaml'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      doc.uri,
      positionOf(doc, '{{hq.var.DATABASE_MAX_CONNECTIONS}}'),
    );
    const text = hoverText(hovers);
    assert.ok(text.includes('| Environment | Tenant | Value | Scope |'), text);
    const row = (env: string, tenant: string) => text.split('\n').find((l) => l.startsWith(`| ${env} | ${tenant} |`)) ?? '';
    assert.match(row('production', 'acme'), /`400` \| \[svc\]\(file:\/\/.*variables\.yaml#L\d+\)/, text);
    assert.match(row('production', 'globex'), /`200` \| \[env\]/, text);
    assert.match(row('dev', 'acme'), /`20` \| \[repo\]/, text);
    assert.match(row('dev', 'globex'), /`20` \| \[repo\]/, text);
    assert.ok(text.includes('Connection pool size'), 'the description');
  });

  it("never shows a secret's value in hover or completion", async () => {
    const variables = parseDocument(await fs.readFile(file('.gitopshq/variables.yaml'), 'utf8')).toJS() as {
      env: { dev: { PAYMENT_PROVIDER_API_KEY: { value: string } } };
    };
    const secret = variables.env.dev.PAYMENT_PROVIDER_API_KEY.value;
    assert.ok(secret.length > 4);

    const doc = await vscode.workspace.openTextDocument(file('values/base/payment-api.yaml'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      doc.uri,
      positionOf(doc, '{{hq.var.PAYMENT_PROVIDER_API_KEY}}'),
    );
    const text = hoverText(hovers);
    assert.ok(text.includes(MASK), text);
    assert.ok(!text.includes(secret), 'the secret value is not shown');

    const { doc: edited, end } = await appendUnsaved('values/dev/payment-api.yaml', 'probe: "{{hq.var.');
    const items = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', edited.uri, end, '.', 100);
    const item = items.items.find((i) => label(i) === 'PAYMENT_PROVIDER_API_KEY');
    assert.ok(item, 'the secret key is offered');
    const shown = JSON.stringify([item.detail, typeof item.documentation === 'string' ? item.documentation : item.documentation?.value]);
    assert.ok(shown.includes(MASK), shown);
    assert.ok(!shown.includes(secret), 'the secret value is not in the completion');
  });

  it('completes keys after "{{hq.var. in an unsaved edit, closing the placeholder and the quote', async () => {
    const { doc, end } = await appendUnsaved('values/dev/payment-api.yaml', 'probe: "{{hq.var.');
    const items = await completions(doc, end);
    const host = items.find((i) => label(i) === 'DATABASE_HOST');
    assert.ok(host, `DATABASE_HOST is offered (got ${items.map(label).join(', ')})`);
    assert.equal(host.kind, vscode.CompletionItemKind.Variable);
    assert.match(host.detail ?? '', /^dev: dev-db\./, 'the file applies to dev only');
    assert.equal(host.insertText, 'DATABASE_HOST}}"');
    for (const scope of ['repo', 'env', 'tenant', 'svc']) {
      assert.equal(items.find((i) => label(i) === scope)?.kind, vscode.CompletionItemKind.Keyword, scope);
    }

    // Applying the item the way the editor does gives a complete, quoted placeholder.
    const editor = await vscode.window.showTextDocument(doc);
    const range = host.range as { replacing: vscode.Range } | vscode.Range;
    const replacing = range instanceof vscode.Range ? range : range.replacing;
    assert.ok(await editor.edit((e) => e.replace(replacing, String(host.insertText))));
    assert.equal(doc.lineAt(end.line).text, 'probe: "{{hq.var.DATABASE_HOST}}"');
  });

  it('completes only env-scope keys after {{hq.var.env.', async () => {
    const { doc, end } = await appendUnsaved('values/base/payment-api.yaml', 'probe: "{{ hq.var.env.');
    const items = (await completions(doc, end)).filter((i) => i.kind === vscode.CompletionItemKind.Variable || i.kind === vscode.CompletionItemKind.Keyword);
    const envKeys = parseDocument(await fs.readFile(file('.gitopshq/variables.yaml'), 'utf8')).toJS() as { env: Record<string, Record<string, unknown>> };
    const expected = [...new Set(Object.values(envKeys.env).flatMap((vars) => Object.keys(vars)))].sort();
    assert.deepEqual(items.map(label).sort(), expected);
    assert.ok(!items.some((i) => label(i) === 'REGION' || label(i) === 'IMAGE_REGISTRY'));
    assert.equal(items.find((i) => label(i) === 'DATABASE_HOST')?.insertText, 'DATABASE_HOST }}"');
  });

  it('goes to every definition, the env-scope lines of the variables file', async () => {
    const doc = await vscode.workspace.openTextDocument(file('values/base/payment-api.yaml'));
    const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
      'vscode.executeDefinitionProvider',
      doc.uri,
      positionOf(doc, '{{ hq.var.DATABASE_HOST }}'),
    );
    const targets = defs.map(targetOf);
    const variablesFile = file('.gitopshq/variables.yaml');
    assert.ok(targets.length > 0);
    for (const t of targets) assert.equal(path.normalize(t.uri.fsPath), path.normalize(variablesFile));
    assert.deepEqual(
      targets.map((t) => t.range.start.line).sort((a, b) => a - b),
      await definitionLines('DATABASE_HOST'),
    );
    // The file's first environment is dev: its definition comes first.
    const lines = (await fs.readFile(variablesFile, 'utf8')).split('\n');
    const first = targets[0]!.range.start.line;
    assert.ok(lines.slice(0, first).reverse().find((l) => /^ {2}\S/.test(l))?.startsWith('  dev:'), `line ${first} is in env.dev`);
  });

  it("Go to Definition lands on the definition of the file's environment, the others in the peek", async () => {
    // dev's DATABASE_HOST comes first in the variables file; a staging file must land on staging's.
    const { doc } = await appendUnsaved('values/staging/ledger-worker.yaml', 'probe: "{{hq.var.env.DATABASE_HOST}}"');
    const editor = await vscode.window.showTextDocument(doc);
    const at = positionOf(doc, '{{hq.var.env.DATABASE_HOST}}');
    editor.selection = new vscode.Selection(at, at);
    const lines = (await fs.readFile(file('.gitopshq/variables.yaml'), 'utf8')).split('\n');
    const staging = lines.findIndex((l, i) => /^\s+DATABASE_HOST:/.test(l) && lines.slice(0, i).reverse().find((p) => /^ {2}\S/.test(p))?.startsWith('  staging:'));
    assert.ok(staging > 0 && lines.findIndex((l) => /^\s+DATABASE_HOST:/.test(l)) < staging, 'another environment defines it earlier in the file');
    try {
      await vscode.commands.executeCommand('editor.action.revealDefinition');
      const landed = await waitFor(() => {
        const active = vscode.window.activeTextEditor;
        return active && path.normalize(active.document.uri.fsPath) === path.normalize(file('.gitopshq/variables.yaml')) ? active : undefined;
      }, 'the variables file to open');
      assert.equal(landed.selection.active.line, staging, `landed on line ${landed.selection.active.line}, staging's is ${staging}`);
    } finally {
      await vscode.commands.executeCommand('closeReferenceSearch');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });

  it('finds the references across values files, the definitions, and unsaved edits', async () => {
    const { doc } = await appendUnsaved('values/base/payment-api.yaml', 'probe: "{{hq.var.env.DATABASE_HOST}}"');
    const refs = await vscode.commands.executeCommand<vscode.Location[]>(
      'vscode.executeReferenceProvider',
      doc.uri,
      positionOf(doc, '{{ hq.var.DATABASE_HOST }}'),
    );
    const where = refs.map((r) => `${path.relative(workspaceRoot(), r.uri.fsPath).split(path.sep).join('/')}:${r.range.start.line}`);
    const files = new Set(where.map((w) => w.split(':')[0]));
    for (const f of ['values/base/payment-api.yaml', 'values/staging/ledger-worker.yaml', 'values/production/ledger-worker.yaml', '.gitopshq/variables.yaml']) {
      assert.ok(files.has(f), `${f} in ${where.join(', ')}`);
    }
    assert.ok(where.includes(`values/base/payment-api.yaml:${doc.lineCount - 2}`) || where.includes(`values/base/payment-api.yaml:${doc.lineCount - 1}`), `the unsaved line (${where.join(', ')})`);
    for (const line of await definitionLines('DATABASE_HOST')) assert.ok(where.includes(`.gitopshq/variables.yaml:${line}`), `definition at ${line}`);
    for (const r of refs.filter((r) => r.uri.fsPath.endsWith('.yaml') && !r.uri.fsPath.includes('.gitopshq'))) {
      const text = (await vscode.workspace.openTextDocument(r.uri)).getText(r.range);
      assert.match(text, /^\{\{\s*hq\.var\.(env\.)?DATABASE_HOST\s*\}\}$/);
    }
  });

  it('hovers in an unsaved edit, and offers nothing in the variables file', async () => {
    const { doc, end } = await appendUnsaved('values/production/acme/payment-api.yaml', 'probe: "{{hq.var.DATABASE_MAX_CONNECTIONS}}"');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, end.translate(0, -5));
    const text = hoverText(hovers);
    // The file applies to production/acme: that row first, then every other environment and
    // tenant in promotion order, each saying it is not from this file.
    const rows = text.split('\n').filter((l) => /^\| (dev|staging|production)\b/.test(l));
    assert.deepEqual(
      rows.map((l) => l.split(' | ').slice(0, 3).join(' | ')),
      [
        '| production | acme | `400`',
        '| dev _(not from this file)_ | acme | `20`',
        '| dev _(not from this file)_ | globex | `20`',
        '| staging _(not from this file)_ | acme | `20`',
        '| staging _(not from this file)_ | globex | `20`',
        '| production _(not from this file)_ | globex | `200`',
      ],
      text,
    );

    const other = await vscode.workspace.openTextDocument(file('.gitopshq/variables.yaml'));
    const found = other.getText().indexOf('{{ hq.var.KEY }}');
    assert.ok(found >= 0, 'the variables file mentions a placeholder (in a comment)');
    const none = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', other.uri, other.positionAt(found + 5));
    assert.ok(!hoverText(none).includes('HQ Variable'), hoverText(none));
  });
});
