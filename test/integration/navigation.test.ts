import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseDocument } from 'yaml';
import type { ProjectService } from '../../src/vscode/projectService';
import { closeWithoutSaving, internals, waitFor, workspaceRoot } from './support';

const SLUG = 'payment-platform';
const MASK = '••••••';
const VARIABLES = '.gitopshq/variables.yaml';

function file(rel: string): string {
  return path.join(workspaceRoot(), rel);
}

function rel(uri: vscode.Uri): string {
  return path.relative(workspaceRoot(), uri.fsPath).split(path.sep).join('/');
}

async function open(relPath: string): Promise<vscode.TextDocument> {
  return vscode.workspace.openTextDocument(file(relPath));
}

/** The position `into` characters into the `nth` occurrence of `needle`. */
function positionOf(doc: vscode.TextDocument, needle: string, into = 2, nth = 0): vscode.Position {
  let offset = -1;
  for (let i = 0; i <= nth; i++) offset = doc.getText().indexOf(needle, offset + 1);
  assert.ok(offset >= 0, `${needle} in ${doc.uri.fsPath}`);
  return doc.positionAt(offset + into);
}

/** Inserts `text` at the start of the line after the last line equal to `afterLine`, without saving. */
async function insertAfter(doc: vscode.TextDocument, afterLine: string, text: string): Promise<vscode.Position> {
  const editor = await vscode.window.showTextDocument(doc);
  const line = doc.getText().split('\n').lastIndexOf(afterLine);
  assert.ok(line >= 0, `line "${afterLine}" in ${doc.uri.fsPath}`);
  const at = new vscode.Position(line + 1, 0);
  assert.ok(await editor.edit((e) => e.insert(at, text)));
  assert.ok(doc.isDirty);
  const inserted = text.split('\n')[0] ?? '';
  await waitFor(() => doc.lineAt(line + 1).text === inserted, `"${inserted}" at line ${line + 1}`);
  return at;
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

function label(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

/** Every edit of a WorkspaceEdit as `file → [[line, character, old text, new text]]`. */
async function editsOf(edit: vscode.WorkspaceEdit): Promise<Map<string, [number, number, string, string][]>> {
  const out = new Map<string, [number, number, string, string][]>();
  for (const [uri, edits] of edit.entries()) {
    const doc = await vscode.workspace.openTextDocument(uri);
    out.set(
      rel(uri),
      edits.map((e) => [e.range.start.line, e.range.start.character, doc.getText(e.range), e.newText] as [number, number, string, string]),
    );
  }
  return out;
}

function unusedWarnings(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.code === 'unused-variable');
}

describe('Navigation: rename, manifest links and the variables file', () => {
  let service: ProjectService;

  before(async () => {
    ({ service } = await internals());
  });

  afterEach(async () => {
    for (const doc of vscode.workspace.textDocuments) if (doc.isDirty && doc.uri.scheme === 'file') await closeWithoutSaving(doc);
    await service.settled();
  });

  it('renames a variable everywhere in one edit (scopes, pinned and spaced forms, an unsaved buffer), and back', async () => {
    const originals = new Map<string, string>();
    for (const f of [VARIABLES, 'values/base/payment-api.yaml', 'values/production/ledger-worker.yaml', 'values/staging/ledger-worker.yaml']) {
      originals.set(f, await fs.readFile(file(f), 'utf8'));
    }
    // An unsaved placeholder counts like a saved one.
    const dev = await open('values/dev/payment-api.yaml');
    await insertAfter(dev, 'image:', '  probe: "{{ hq.var.env.LOG_LEVEL }}"\n');

    const base = await open('values/base/payment-api.yaml');
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>(
      'vscode.executeDocumentRenameProvider',
      base.uri,
      positionOf(base, '{{hq.var.LOG_LEVEL}}', 12),
      'APP_LOG_LEVEL',
    );
    const edits = await editsOf(edit);
    /** Where LOG_LEVEL is in the line of `f` that holds `needle`. */
    const keyIn = (f: string, needle: string): [number, number, string, string] => {
      const lines = (originals.get(f) ?? dev.getText()).split('\n');
      const line = lines.findIndex((l) => l.includes(needle));
      return [line, lines[line]?.indexOf('LOG_LEVEL') ?? -1, 'LOG_LEVEL', 'APP_LOG_LEVEL'];
    };
    const variableLines = (originals.get(VARIABLES) ?? '').split('\n').flatMap((l, i) => (/^\s*LOG_LEVEL:/.test(l) ? [i] : []));
    assert.equal(variableLines.length, 3, 'repo, env.dev, env.production');
    assert.deepEqual(
      Object.fromEntries([...edits].sort(([a], [b]) => a.localeCompare(b))),
      {
        [VARIABLES]: variableLines.map((line) => [line, 2 + (line > variableLines[0]! ? 2 : 0), 'LOG_LEVEL', 'APP_LOG_LEVEL']),
        'values/base/payment-api.yaml': [keyIn('values/base/payment-api.yaml', 'hq.var.LOG_LEVEL')],
        'values/dev/payment-api.yaml': [keyIn('values/dev/payment-api.yaml', 'probe:')],
        'values/production/ledger-worker.yaml': [keyIn('values/production/ledger-worker.yaml', 'hq.var.env.LOG_LEVEL')],
        'values/staging/ledger-worker.yaml': [keyIn('values/staging/ledger-worker.yaml', 'hq.var.LOG_LEVEL')],
      },
    );

    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor(async () => {
      await service.settled();
      return service.index.variables(SLUG).definitions('APP_LOG_LEVEL').length === 3 && service.index.variables(SLUG).definitions('LOG_LEVEL').length === 0;
    }, 'the index to hold the renamed variable');
    const config = service.index.effective(SLUG, 'payment-api', 'dev', 'acme').values['config'] as Record<string, unknown>;
    assert.equal(config['logLevel'], 'debug', 'the renamed placeholder resolves to the renamed variable');

    // Renaming back from the variables file restores every file as it was.
    const variables = await open(VARIABLES);
    const back = await vscode.commands.executeCommand<vscode.WorkspaceEdit>(
      'vscode.executeDocumentRenameProvider',
      variables.uri,
      positionOf(variables, 'APP_LOG_LEVEL', 4),
      'LOG_LEVEL',
    );
    assert.equal(back.size, 5);
    assert.ok(await vscode.workspace.applyEdit(back));
    for (const [f, text] of originals) assert.equal((await open(f)).getText(), text, f);
    assert.ok(dev.getText().includes('probe: "{{ hq.var.env.LOG_LEVEL }}"'));
  });

  it('refuses a rename off a variable, to an invalid key, or onto an existing variable', async () => {
    const base = await open('values/base/payment-api.yaml');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vscode.prepareRename', base.uri, positionOf(base, 'extraEnv'))),
      /Only an HQ Variable can be renamed here/,
    );
    const at = positionOf(base, '{{hq.var.REGION}}', 10);
    const prepared = await vscode.commands.executeCommand<{ range: vscode.Range; placeholder: string }>('vscode.prepareRename', base.uri, at);
    assert.equal(prepared.placeholder, 'REGION');
    assert.equal(base.getText(prepared.range), 'REGION');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vscode.executeDocumentRenameProvider', base.uri, at, '9REGION')),
      /not a valid variable key/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vscode.executeDocumentRenameProvider', base.uri, at, 'CURRENCY')),
      /"CURRENCY" already exists.*merge/,
    );
  });

  it('links the paths of gitopshq.yaml to their files, a template to its first existing expansion', async () => {
    const manifest = await open('gitopshq.yaml');
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', manifest.uri, 50);
    const lines = manifest.getText().split('\n');
    const shown = links.map((l) => ({
      line: l.range.start.line,
      text: manifest.getText(l.range),
      target: l.target ? rel(l.target) : undefined,
      tooltip: l.tooltip ?? '',
    }));
    const find = (text: string, nth = 0) => shown.filter((l) => l.text === text)[nth];
    assert.equal(find('.gitopshq/variables.yaml')?.target, VARIABLES);
    assert.equal(find('charts/payment-api')?.target, 'charts/payment-api/Chart.yaml');
    assert.equal(find('charts/ledger-worker')?.target, 'charts/ledger-worker/Chart.yaml');
    // payment-api: base layer, env layer, tenant layer (6 expansions: only production/acme and production/globex exist).
    assert.equal(find('values/base/{workload}.yaml')?.target, 'values/base/payment-api.yaml');
    assert.equal(find('values/{env}/{workload}.yaml')?.target, 'values/dev/payment-api.yaml');
    const tenanted = find('values/{env}/{tenant}/{workload}.yaml');
    assert.equal(tenanted?.target, 'values/production/acme/payment-api.yaml');
    assert.match(tenanted?.tooltip ?? '', /6 files this template expands to \(2 exist\)/);
    // checkout-web's tenant layer: staging/globex is the first that exists.
    assert.equal(find('values/{env}/{tenant}/{workload}.yaml', 1)?.target, 'values/staging/globex/checkout-web.yaml');
    // ledger-worker has no dev layer: its env template links to staging.
    assert.equal(find('values/{env}/{workload}.yaml', 2)?.target, 'values/staging/ledger-worker.yaml');
    for (const l of shown) assert.ok(lines[l.line]?.includes(l.text), JSON.stringify(l));
    assert.equal(shown.length, 3 + 1 + 3 * 2 + 2, 'variables, 3 charts, 3+3+2 layers');
  });

  it('completes environment, workload and variable names where the variables file expects them', async () => {
    const variables = await open(VARIABLES);
    // svc → globex → (environment): staging is already there.
    const envAt = await insertAfter(variables, '  globex:', '    \n');
    const envItems = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      variables.uri,
      envAt.translate(0, 4),
    );
    const names = (items: vscode.CompletionList, kind: vscode.CompletionItemKind) => items.items.filter((i) => i.kind === kind).map(label);
    assert.deepEqual(names(envItems, vscode.CompletionItemKind.EnumMember), ['dev', 'production']);
    const dev = envItems.items.find((i) => label(i) === 'dev');
    assert.equal(dev?.insertText, 'dev:');

    // svc → acme → production → (workload): payment-api is already there.
    const wlAt = await insertAfter(variables, '    production:', '      \n');
    const wlItems = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', variables.uri, wlAt.translate(0, 6));
    assert.deepEqual(names(wlItems, vscode.CompletionItemKind.Class), ['checkout-web', 'ledger-worker']);

    // env → staging → (variable): the keys defined elsewhere, not those staging has.
    const varAt = await insertAfter(variables, '  staging:', '    DATA\n');
    // The half-typed key is a YAML error in the index: completion still knows the keys.
    await service.settled();
    const varItems = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', variables.uri, varAt.translate(0, 8));
    const keys = names(varItems, vscode.CompletionItemKind.Variable);
    assert.ok(keys.includes('DATABASE_MAX_CONNECTIONS'), keys.join());
    const around = variables.getText().split('\n').slice(varAt.line - 1, varAt.line + 3);
    assert.ok(!keys.includes('DATABASE_HOST'), `staging defines it already (lines ${JSON.stringify(around)})`);
    assert.equal(varItems.items.find((i) => label(i) === 'DATABASE_MAX_CONNECTIONS')?.insertText, 'DATABASE_MAX_CONNECTIONS: ');
  });

  it('hovers on a variable key with its usages and its value per environment, secrets masked', async () => {
    const variables = await open(VARIABLES);
    const hover = hoverText(
      await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', variables.uri, positionOf(variables, 'DATABASE_HOST', 3, 1)),
    );
    assert.ok(hover.includes('| Environment | Tenant | Value | Scope |'), hover);
    assert.match(hover, /\| staging \| acme \| `staging-db\.payments\.internal` \| \[env\]/);
    assert.match(hover, /\| production \| globex \| `prod-db\.payments\.internal` \| \[env\]/);
    assert.ok(hover.includes('**3 usages** in 3 files'), hover);
    const base = (await fs.readFile(file('values/base/payment-api.yaml'), 'utf8')).split('\n').findIndex((l) => l.includes('DATABASE_HOST'));
    assert.ok(hover.includes(`[values/base/payment-api.yaml:${base + 1}](file://`), hover);

    const secret = (parseDocument(variables.getText()).toJS() as { env: { dev: { PAYMENT_PROVIDER_API_KEY: { value: string } } } }).env.dev
      .PAYMENT_PROVIDER_API_KEY.value;
    const secretHover = hoverText(
      await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', variables.uri, positionOf(variables, 'PAYMENT_PROVIDER_API_KEY', 3, 1)),
    );
    assert.ok(secretHover.includes(MASK), secretHover);
    assert.ok(!secretHover.includes(secret), 'the secret value is not shown');
  });

  it('shows a usage CodeLens on each variable key that opens the references', async () => {
    const variables = await open(VARIABLES);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', variables.uri, 200);
    const registry = lenses.find((l) => variables.getText(l.range) === 'IMAGE_REGISTRY');
    assert.equal(registry?.command?.title, '4 usages');
    assert.equal(registry?.command?.command, 'editor.action.showReferences');
    const locations = registry?.command?.arguments?.[2] as vscode.Location[];
    assert.deepEqual(
      locations.map((l) => rel(l.uri)).sort(),
      ['values/base/checkout-web.yaml', 'values/base/payment-api.yaml', 'values/production/ledger-worker.yaml', 'values/staging/ledger-worker.yaml'],
    );
    for (const l of locations) assert.match((await open(rel(l.uri))).getText(l.range), /^\{\{ ?hq\.var\.(repo\.)?IMAGE_REGISTRY ?\}\}$/);
    // One lens per definition: LOG_LEVEL is defined in repo, env.dev and env.production.
    assert.equal(lenses.filter((l) => variables.getText(l.range) === 'LOG_LEVEL').length, 3);
  });

  it('warns on a variable that no values file uses, in an unsaved buffer, and stops when it is used', async () => {
    const variables = await open(VARIABLES);
    assert.deepEqual(unusedWarnings(variables.uri), [], 'every demo variable is used');
    const at = await insertAfter(variables, 'repo:', '  UNUSED_PROBE: 1\n');
    const [warning] = await waitFor(() => {
      const found = unusedWarnings(variables.uri);
      return found.length > 0 ? found : undefined;
    }, 'the unused-variable warning');
    assert.equal(warning?.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(warning?.source, 'gitopshq');
    assert.deepEqual([warning?.range.start, warning?.range.end], [at.translate(0, 2), at.translate(0, 14)]);
    assert.match(warning?.message ?? '', /"UNUSED_PROBE" is not used by any values file/);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', variables.uri, 200);
    assert.equal(lenses.find((l) => variables.getText(l.range) === 'UNUSED_PROBE')?.command?.title, 'unused');

    // Using it in another unsaved buffer clears the warning.
    const dev = await open('values/dev/payment-api.yaml');
    await insertAfter(dev, 'image:', '  probe: "{{hq.var.UNUSED_PROBE}}"\n');
    await waitFor(() => unusedWarnings(variables.uri).length === 0, 'the warning to go');
  });
});
