// Keys of values files and chart schemas on the demo repository, through VS Code's own commands:
// key and value completion from values.schema.json and the chart defaults, the per-environment
// hover of a key, and `schema` diagnostics on an unsaved buffer.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { closeWithoutSaving, internals, waitFor, workspaceRoot } from './support';

const MASK = '••••••';

function file(rel: string): string {
  return path.join(workspaceRoot(), rel);
}

async function open(rel: string): Promise<{ doc: vscode.TextDocument; editor: vscode.TextEditor }> {
  const doc = await vscode.workspace.openTextDocument(file(rel));
  return { doc, editor: await vscode.window.showTextDocument(doc) };
}

/** The position `offset` characters into the first occurrence of `needle`. */
function positionOf(doc: vscode.TextDocument, needle: string, offset = 1): vscode.Position {
  const at = doc.getText().indexOf(needle);
  assert.ok(at >= 0, `${needle} in ${doc.uri.fsPath}`);
  return doc.positionAt(at + offset);
}

function lineOf(doc: vscode.TextDocument, needle: string): number {
  return positionOf(doc, needle, 0).line;
}

async function completions(doc: vscode.TextDocument, at: vscode.Position): Promise<vscode.CompletionItem[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, at);
  return list.items;
}

function label(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

async function hover(doc: vscode.TextDocument, at: vscode.Position): Promise<string[]> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
  return hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n'));
}

function schemaDiagnostics(doc: vscode.TextDocument): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(doc.uri).filter((d) => d.code === 'schema');
}

/** Inserts a new line after the line holding `after`, without saving; returns the new line's number. */
async function insertLineAfter(editor: vscode.TextEditor, after: string, text: string): Promise<number> {
  const line = lineOf(editor.document, after);
  assert.ok(await editor.edit((e) => e.insert(editor.document.lineAt(line).range.end, `\n${text}`)));
  return line + 1;
}

describe('values keys and chart schemas', () => {
  before(async () => {
    await internals();
  });

  afterEach(async () => {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.isDirty && doc.uri.scheme === 'file') {
        await closeWithoutSaving(doc);
      }
    }
  });

  it('completes the keys the schema and the chart defaults allow at the cursor, without those present', async () => {
    const { doc, editor } = await open('values/production/payment-api.yaml');
    // A new key inside `image:` (which already has `tag`).
    const inImage = await insertLineAfter(editor, '  tag: "2.4.0"', '  ');
    const imageKeys = await completions(doc, new vscode.Position(inImage, 2));
    const names = imageKeys.map(label);
    assert.ok(names.includes('repository') && names.includes('pullPolicy'), names.join(', '));
    assert.ok(!names.includes('tag'), 'tag is already there');
    assert.ok(!names.includes('replicaCount'), 'only keys of image');
    const pullPolicy = imageKeys.find((i) => label(i) === 'pullPolicy');
    assert.equal(pullPolicy?.detail, 'string · default IfNotPresent');

    // A new top-level key: replicaCount (from the schema, with its description), not ingress (present).
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    assert.ok(await editor.edit((e) => e.insert(end, doc.lineAt(doc.lineCount - 1).text === '' ? 'repl' : '\nrepl')));
    const items = await completions(doc, doc.lineAt(doc.lineCount - 1).range.end);
    const replica = items.find((i) => label(i) === 'replicaCount');
    assert.ok(replica, items.map(label).join(', '));
    assert.equal(replica.detail, 'integer · default 1');
    const documentation = replica.documentation instanceof vscode.MarkdownString ? replica.documentation.value : String(replica.documentation);
    assert.match(documentation, /Number of pods when autoscaling is off/);
    assert.equal(replica.insertText instanceof vscode.SnippetString ? replica.insertText.value : replica.insertText, 'replicaCount: $0');
    assert.ok(!items.map(label).includes('ingress'));
    // Keys only the chart's values.yaml knows would come too; here every default key is in the schema.
    assert.ok(items.map(label).includes('tolerations'));
  });

  it('completes the keys of a new list item after the existing ones, and the rest of the item after its first key', async () => {
    const { doc, editor } = await open('values/base/payment-api.yaml');
    const item = await insertLineAfter(editor, '    value: payment-api', '  - ');
    const keys = (await completions(doc, new vscode.Position(item, 4))).map(label);
    assert.ok(keys.includes('name') && keys.includes('value'), `a third item of extraEnv offers name and value (got ${keys.join(', ')})`);
    // After `- name: X`, only value is left for that item.
    assert.ok(await editor.edit((e) => e.insert(new vscode.Position(item, 4), 'name: EXTRA\n    ')));
    const rest = (await completions(doc, new vscode.Position(item + 1, 4))).map(label);
    assert.ok(rest.includes('value') && !rest.includes('name'), rest.join(', '));
  });

  it('completes enum members and booleans as values', async () => {
    const { doc, editor } = await open('values/production/payment-api.yaml');
    const line = await insertLineAfter(editor, '  tag: "2.4.0"', '  pullPolicy: ');
    const values = (await completions(doc, new vscode.Position(line, 14))).map(label);
    assert.deepEqual(
      values.filter((v) => ['Always', 'IfNotPresent', 'Never'].includes(v)),
      ['Always', 'IfNotPresent', 'Never'],
    );
    const bool = await insertLineAfter(editor, '  enabled: true', '  tls: ');
    const booleans = (await completions(doc, new vscode.Position(bool, 7))).map(label);
    assert.ok(booleans.includes('true') && booleans.includes('false'), booleans.join(', '));
  });

  it('hovers a key with its value in every environment and tenant and the line that set it', async () => {
    const { doc } = await open('values/base/payment-api.yaml');
    const texts = await hover(doc, positionOf(doc, 'replicaCount:', 2));
    const text = texts.find((t) => t.includes('**Values key**'));
    assert.ok(text, texts.join('\n---\n'));
    assert.match(text, /`replicaCount` · integer/);
    assert.match(text, /Number of pods when autoscaling is off\./);
    const rows = text.split('\n').filter((l) => /^\| (dev|staging|production) \|/.test(l));
    assert.equal(rows.length, 6, text);
    const base = `values/base/payment-api.yaml:4](${vscode.Uri.file(file('values/base/payment-api.yaml')).toString()}#L4)`;
    assert.ok(rows[0]?.startsWith('| dev | acme | `1` | [') && rows[0].includes(base), rows[0]);
    assert.ok(rows[2]?.startsWith('| staging | acme | `2` |'), rows[2]);
    assert.ok(rows[4]?.startsWith('| production | acme | `3` |'), rows[4]);

    // A key set by a tenant layer links to that layer.
    const prod = (await open('values/production/payment-api.yaml')).doc;
    const host = (await hover(prod, positionOf(prod, '  host:', 3))).find((t) => t.includes('**Values key**')) ?? '';
    assert.match(host, /\| production \| acme \| `pay\.acme\.example\.com` \| \[values\/production\/acme\/payment-api\.yaml:4\]/);
    assert.match(host, /\| production \| globex \| `pay\.globex\.example\.com` \|/);
  });

  it("never shows a secret's value, and leaves placeholders to the placeholder hover", async () => {
    const { doc } = await open('values/base/payment-api.yaml');
    const texts = await hover(doc, positionOf(doc, 'apiKey:', 2));
    const text = texts.join('\n');
    assert.match(text, /\*\*Values key\*\* `config\.paymentProvider\.apiKey`/);
    const rows = text.split('\n').filter((l) => /^\| (dev|staging|production) \|/.test(l));
    assert.equal(rows.length, 6);
    assert.ok(rows.every((r) => r.includes(MASK)), rows.join('\n'));
    assert.ok(!text.includes('sandbox-7Qm2Xv9LrT4nB8cK'));

    const onPlaceholder = await hover(doc, positionOf(doc, '{{hq.var.LOG_LEVEL}}', 5));
    assert.equal(onPlaceholder.filter((t) => t.includes('**Values key**')).length, 0, onPlaceholder.join('\n---\n'));
    assert.equal(onPlaceholder.filter((t) => t.includes('HQ Variable')).length, 1);
    const inside = await completions(doc, positionOf(doc, '{{hq.var.LOG_LEVEL}}', 10));
    assert.ok(!inside.map(label).includes('replicaCount'));
  });

  it('reports a schema violation of an unsaved edit at its line, naming the environments, until undone', async () => {
    const { doc, editor } = await open('values/base/payment-api.yaml');
    // The demo as shipped has no schema problem.
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(schemaDiagnostics(doc), []);

    const line = lineOf(doc, '- name: OTEL_SERVICE_NAME');
    const start = doc.lineAt(line).text.indexOf('OTEL_SERVICE_NAME');
    assert.ok(await editor.edit((e) => e.replace(new vscode.Range(line, start, line, start + 'OTEL_SERVICE_NAME'.length), 'otel-service-name')));
    assert.ok(doc.isDirty);
    const found = await waitFor(() => schemaDiagnostics(doc)[0], 'a schema diagnostic');
    assert.equal(found.message, '`extraEnv[1].name` must match pattern "^[A-Z_][A-Z0-9_]*$" in dev, staging, production.');
    assert.equal(found.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(found.source, 'gitopshq');
    assert.deepEqual([found.range.start.line, found.range.start.character, found.range.end.line, found.range.end.character], [line, 4, line, 27]);

    await vscode.commands.executeCommand('undo');
    assert.ok(!doc.getText().includes('otel-service-name'));
    await waitFor(() => schemaDiagnostics(doc).length === 0, 'the diagnostic to go');
  });

  it('names the tenants when only some fail, in the layer that set the value', async () => {
    const { doc, editor } = await open('values/production/payment-api.yaml');
    const line = lineOf(doc, '  minReplicas: 3');
    assert.ok(await editor.edit((e) => e.replace(new vscode.Range(line, 15, line, 16), '0')));
    // acme overrides minReplicas in its own layer: only globex gets 0.
    const found = await waitFor(() => schemaDiagnostics(doc)[0], 'a schema diagnostic');
    assert.equal(found.message, '`autoscaling.minReplicas` must be >= 1 in production (globex).');
    assert.deepEqual([found.range.start.line, found.range.start.character, found.range.end.character], [line, 2, 16]);
  });

  it("validates with Helm's `$schema` form, and says so on both files when the schema cannot be compiled", async () => {
    const schema = await open('charts/payment-api/values.schema.json');
    const setSchemaId = async (id: string) => {
      const line = lineOf(schema.doc, '"$schema"');
      const text = schema.doc.lineAt(line).text;
      const editor = await vscode.window.showTextDocument(schema.doc);
      assert.ok(await editor.edit((e) => e.replace(schema.doc.lineAt(line).range, text.replace(/"\$schema": "[^"]*"/, `"$schema": "${id}"`))));
    };
    // The form Helm's docs use (https, with #): compiled, so violations are reported.
    await setSchemaId('https://json-schema.org/draft-07/schema#');
    const { doc, editor } = await open('values/production/payment-api.yaml');
    const line = lineOf(doc, '  minReplicas: 3');
    assert.ok(await editor.edit((e) => e.replace(new vscode.Range(line, 15, line, 16), '0')));
    const found = await waitFor(() => schemaDiagnostics(doc)[0], 'a schema diagnostic with the https draft-07 id');
    assert.equal(found.message, '`autoscaling.minReplicas` must be >= 1 in production (globex).');

    // A $schema no validator knows: an error on the schema, one information line on the values file.
    await setSchemaId('https://example.com/not-a-draft');
    const onSchema = await waitFor(
      () => vscode.languages.getDiagnostics(schema.doc.uri).find((d) => d.code === 'schema-invalid'),
      'a diagnostic on values.schema.json',
    );
    assert.equal(onSchema.severity, vscode.DiagnosticSeverity.Error);
    assert.match(onSchema.message, /"\$schema": "https:\/\/example\.com\/not-a-draft" names no JSON Schema draft/);
    assert.equal(onSchema.range.start.line, lineOf(schema.doc, '"$schema"'));
    const unchecked = await waitFor(() => {
      const list = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.code === 'schema-unchecked');
      return list.length > 0 ? list : undefined;
    }, 'the information line on the values file');
    assert.equal(unchecked.length, 1);
    assert.equal(unchecked[0]?.severity, vscode.DiagnosticSeverity.Information);
    assert.equal(unchecked[0]?.message, 'Not checked against charts/payment-api/values.schema.json: that schema cannot be compiled (see the problem reported on it).');
    assert.deepEqual(schemaDiagnostics(doc), [], 'no stale violations from the previous schema');
  });
});
