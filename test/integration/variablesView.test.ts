import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseDocument } from 'yaml';
import { internals, label, workspaceRoot } from './support';

type Item = { node: unknown; item: vscode.TreeItem };

describe('HQ Variables view', () => {
  async function view() {
    const { views } = await internals();
    const provider = views.variables;
    const children = (node?: unknown): Item[] =>
      (provider.getChildren(node as never) as unknown[]).map((n) => ({ node: n, item: provider.getTreeItem(n as never) }));
    return { provider, children };
  }

  afterEach(async () => {
    await vscode.commands.executeCommand('gitopshq.variables.clearFilter');
  });

  it('lists every key of the variables file with its value per environment and tenant', async () => {
    const { children } = await view();
    const file = path.join(workspaceRoot(), '.gitopshq/variables.yaml');
    const doc = parseDocument(await fs.readFile(file, 'utf8')).toJS() as Record<string, Record<string, unknown>>;
    const expectedKeys = new Set<string>(Object.keys(doc['repo'] ?? {}));
    for (const vars of Object.values(doc['env'] ?? {})) for (const k of Object.keys(vars as object)) expectedKeys.add(k);
    for (const vars of Object.values(doc['tenant'] ?? {})) for (const k of Object.keys(vars as object)) expectedKeys.add(k);
    const keys = children().map((k) => label(k.item));
    for (const key of expectedKeys) assert.ok(keys.includes(key), `${key} is listed (got ${keys.join(', ')})`);

    const dbHost = children().find((k) => label(k.item) === 'DATABASE_HOST')!;
    const rows = children(dbHost.node).map((r) => `${label(r.item)} = ${String(r.item.description)}`);
    const env = doc['env'] as Record<string, Record<string, unknown>>;
    for (const name of ['dev', 'staging', 'production']) {
      for (const tenant of ['acme', 'globex']) {
        assert.ok(rows.includes(`${name} / ${tenant} = ${String(env[name]!['DATABASE_HOST'])} · env`), rows.join('\n'));
      }
    }
  });

  it('goes to the definition line when a row is clicked', async () => {
    const { children } = await view();
    const region = children().find((k) => label(k.item) === 'REGION')!;
    const row = children(region.node).find((r) => label(r.item) === 'dev / acme')!;
    assert.equal(row.item.command?.command, 'vscode.open');
    const [uri, options] = row.item.command!.arguments as [vscode.Uri, { selection: vscode.Range }];
    await vscode.commands.executeCommand('vscode.open', uri, options);
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.fsPath, path.join(workspaceRoot(), '.gitopshq/variables.yaml'));
    const lineText = editor.document.lineAt(editor.selection.active.line).text;
    assert.match(lineText, /^\s*REGION:/, 'the cursor is on the tenant-scope REGION line');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('never shows a secret value', async () => {
    const { children } = await view();
    const text = await fs.readFile(path.join(workspaceRoot(), '.gitopshq/variables.yaml'), 'utf8');
    const secretValues = [...text.matchAll(/value: (\S+)\n\s+secret: true/g)].map((m) => m[1]!);
    assert.ok(secretValues.length > 0, 'the fixture has a secret with a value');
    const secret = children().find((k) => label(k.item) === 'PAYMENT_PROVIDER_API_KEY')!;
    const shown = JSON.stringify([secret.item, ...children(secret.node).map((r) => r.item)]);
    for (const value of secretValues) assert.ok(!shown.includes(value), 'the secret value does not reach the view');
    assert.ok(shown.includes('••••••'));
  });

  it('filters keys with the filter command', async () => {
    const { children } = await view();
    await vscode.commands.executeCommand('gitopshq.variables.filter', 'database');
    const keys = children().map((k) => label(k.item));
    assert.ok(keys.length >= 2, keys.join(', '));
    assert.ok(keys.every((k) => k.toLowerCase().includes('database')), keys.join(', '));
    await vscode.commands.executeCommand('gitopshq.variables.clearFilter');
    assert.ok(children().length > keys.length);
  });
});
