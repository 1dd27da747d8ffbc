// The environment compare panel in a real VS Code, driven through its webview with Playwright (the
// runner's control server). Steps that need the browser skip themselves on hosts without one
// (the electron host answers 501): they never pass without having run.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import { compareEnvironments } from '../../src/core/compare/compare';
import type { CompareInternals } from '../../src/vscode/webviews/comparePanel';
import { screenshot, webviewClick, webviewFill, webviewText } from '../support/control';
import { closeWithoutSaving, internals, waitFor, workspaceRoot } from './support';

const TITLE = 'Compare staging ↔ production';
const ARGS = { project: 'payment-platform', source: 'staging', target: 'production', tenant: 'acme' };
const API_ROW = 'details[data-workload="payment-api"] tr[data-path="image.tag"]';

async function compareInternals(): Promise<CompareInternals> {
  const { api } = await internals();
  return (api._internal as { compare: CompareInternals }).compare;
}

async function tagOf(relative: string): Promise<string> {
  const values = parse(await fs.readFile(path.join(workspaceRoot(), relative), 'utf8')) as { image: { tag: unknown } };
  return String(values.image.tag);
}

/** webviewText, or skip this test on a host without a browser. */
async function text(ctx: Mocha.Context, selector: string, title = TITLE): Promise<string> {
  const t = await webviewText(title, selector);
  if (t === undefined) ctx.skip();
  return t;
}

async function closePanels(): Promise<void> {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('gitopshq.compare')) await vscode.window.tabGroups.close(tab);
    }
  }
}

describe('Compare environments panel', function () {
  this.timeout(60_000);
  const productionValues = () => path.join(workspaceRoot(), 'values/production/payment-api.yaml');

  let savedProductionValues: string;
  let savedAutoSave: unknown;
  before(async () => {
    await internals();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // code-server defaults files.autoSave to afterDelay: the "unsaved edit" would be saved after 1 s.
    savedAutoSave = vscode.workspace.getConfiguration('files').inspect('autoSave')?.globalValue;
    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    savedProductionValues = await fs.readFile(productionValues(), 'utf8');
  });

  // Every test starts from the panel on staging ↔ production for acme (opened, or revealed and reset).
  beforeEach(async () => {
    await vscode.commands.executeCommand('gitopshq.compareEnvironments', ARGS);
  });

  after(async () => {
    // Undo the unsaved edit, if a failure left it behind, and close what the suite opened.
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === productionValues());
    if (doc?.isDirty) {
      await closeWithoutSaving(doc);
    }
    await closePanels();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if ((await fs.readFile(productionValues(), 'utf8')) !== savedProductionValues) await fs.writeFile(productionValues(), savedProductionValues);
    // Put back what the profile had (the runner's is `off`): removing the setting would turn code-server's
    // afterDelay on and save the unsaved edits of the suites after this one.
    await vscode.workspace.getConfiguration('files').update('autoSave', savedAutoSave, vscode.ConfigurationTarget.Global);
  });

  it('opens on the demo with the arguments and shows the summary and the image tags', async function () {
    const { service } = await internals();
    const selection = await vscode.commands.executeCommand(`gitopshq.compareEnvironments`, ARGS);
    assert.deepEqual(selection, ARGS);
    const compare = await compareInternals();
    assert.equal(compare.panelTitle(), TITLE);

    const expected = compareEnvironments(service.index, ARGS).summary;
    const summary = await text(this, '#summary');
    assert.match(summary, new RegExp(`\\b${expected.workloadsChanged} workloads? changed`), summary);
    assert.match(summary, new RegExp(`\\b${expected.differences} differences?`), summary);
    assert.match(summary, new RegExp(`\\b${expected.findings.warning} warnings?`), summary);

    const [stagingTag, productionTag] = [await tagOf('values/staging/payment-api.yaml'), await tagOf('values/production/payment-api.yaml')];
    const row = await text(this, API_ROW);
    assert.ok(row.includes(stagingTag) && row.includes(productionTag), `image.tag row shows ${stagingTag} and ${productionTag}: ${row}`);
    assert.match(row, /values\/staging\/payment-api\.yaml:\d+/, 'the source origin is shown');

    const render = await waitFor(() => compare.lastRender(), 'the webview to report its render time');
    console.log(`      compare panel (demo): ${render.rows} rows of ${render.differences} differences rendered in ${render.ms.toFixed(1)} ms`);
    const shot = await screenshot('compare-panel');
    if (shot) console.log(`      screenshot: ${shot}`);
  });

  it('filters rows by path', async function () {
    if (!(await webviewFill(TITLE, '#search input', 'image.tag'))) this.skip();
    await waitFor(async () => !(await text(this, '#workloads')).includes('ingress.host'), 'the search to hide other paths');
    const rows = await text(this, '#workloads');
    assert.ok(rows.includes('image.tag'), rows);
    assert.ok(await webviewFill(TITLE, '#search input', ''));
    await waitFor(async () => (await text(this, '#workloads')).includes('ingress.host'), 'clearing the search to show every path');
  });

  it('lists equal values when "Differences only" is unchecked, and shows the chart version', async function () {
    const { service } = await internals();
    const header = await text(this, 'details[data-workload="payment-api"] summary');
    const chart = parse(await fs.readFile(path.join(workspaceRoot(), 'charts/payment-api/Chart.yaml'), 'utf8')) as { version: unknown };
    assert.ok(header.includes(`chart ${String(chart.version)}`), `the header shows the chart version ${String(chart.version)}: ${header}`);

    // A path whose value is the same in staging and production (for acme), and no difference's path contains it.
    const full = compareEnvironments(service.index, { ...ARGS, includeEqual: true }).workloads.find((w) => w.name === 'payment-api')!;
    const real = full.differences.filter((d) => d.kind !== 'equal');
    const equal = full.differences.find((d) => d.kind === 'equal' && !real.some((r) => r.path.includes(d.path)));
    assert.ok(equal, 'payment-api has a value equal in staging and production');
    const table = 'details[data-workload="payment-api"] table.differences';
    assert.ok(!(await text(this, table)).includes(equal.path), `${equal.path} is not listed by default`);

    assert.ok(await webviewClick(TITLE, '#differences-only'));
    try {
      await waitFor(async () => (await text(this, table)).includes(equal.path), `the equal row ${equal.path} to appear`);
      const row = await text(this, `${table} tr.kind-equal[data-path="${equal.path}"]`);
      assert.ok(row.includes(equal.path), row);
      // The summary still counts real differences only.
      const { differences } = compareEnvironments(service.index, ARGS).summary;
      assert.match(await text(this, '#summary'), new RegExp(`\\b${differences} differences?`));
    } finally {
      assert.ok(await webviewClick(TITLE, '#differences-only'));
    }
    await waitFor(async () => !(await text(this, table)).includes(equal.path), 'equal rows to be hidden again');
  });

  it('opens the origin of a value in the editor at its line', async function () {
    const selector = `${API_ROW} td.target a.origin`;
    const link = await text(this, selector);
    const line = Number(/:(\d+)$/.exec(link.trim())?.[1]);
    assert.ok(line >= 1, link);
    assert.ok(await webviewClick(TITLE, selector));
    const editor = await waitFor(
      () => {
        const e = vscode.window.activeTextEditor;
        return e?.document.uri.fsPath === productionValues() ? e : undefined;
      },
      'the production values file to open',
    );
    assert.equal(editor.selection.active.line, line - 1);
    assert.match(editor.document.lineAt(line - 1).text, /^\s*tag:/);
  });

  it('opens the native diff of the effective values', async function () {
    const selector = 'details[data-workload="payment-api"] .open-diff';
    await text(this, selector);
    assert.ok(await webviewClick(TITLE, selector));
    const tab = await waitFor(() => {
      const t = vscode.window.tabGroups.activeTabGroup.activeTab;
      return t?.input instanceof vscode.TabInputTextDiff ? t : undefined;
    }, 'a diff editor to become the active tab');
    const input = tab.input as vscode.TabInputTextDiff;
    assert.equal(input.original.scheme, 'gitopshq-effective');
    assert.equal(tab.label, 'payment-api: staging ↔ production (acme)');
    const right = await vscode.workspace.openTextDocument(input.modified);
    assert.ok(right.getText().includes(await tagOf('values/production/payment-api.yaml')), 'the right side is production');
  });

  it('follows an unsaved edit of a values file, with its finding, and filters findings', async function () {
    const doc = await vscode.workspace.openTextDocument(productionValues());
    // Edit in an editor beside the panel (showing the file over the panel would hide it; a
    // WorkspaceEdit on a file open in no editor is saved by VS Code's refactoring auto-save).
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Two, preserveFocus: true });
    const match = /tag: "([^"]+)"/.exec(doc.getText())!;
    const start = doc.positionAt(match.index);
    // A tag above staging's: production would run what staging never ran (a finding).
    assert.ok(await editor.edit((e) => e.replace(new vscode.Range(start, start.translate(0, match[0].length)), 'tag: "9.9.9"')));
    assert.ok(doc.isDirty, 'the edit is not saved');
    try {
      await waitFor(async () => (await text(this, API_ROW)).includes('9.9.9'), 'the panel to show the edited tag', 15_000);
      const summary = await text(this, '#summary');
      assert.match(summary, /\b[1-9]\d* warnings?/, summary);
      assert.match(await text(this, '#findings'), /payment-api/);
      await screenshot('compare-panel-findings');

      assert.ok(await webviewClick(TITLE, '#findings-only'));
      await waitFor(async () => !(await text(this, '#workloads')).includes('ingress.host'), 'findings only to hide rows without findings');
      assert.ok((await text(this, '#workloads')).includes('image.tag'));
      assert.ok(await webviewClick(TITLE, '#findings-only'));
      await waitFor(async () => (await text(this, '#workloads')).includes('ingress.host'), 'all rows again');
    } finally {
      // Revert from the editor group beside the panel: showing the file over the panel would hide it.
      await closeWithoutSaving(doc, vscode.ViewColumn.Two);
    }
    await waitFor(async () => (await text(this, API_ROW)).includes(match[1]!), 'the panel to return to the saved tag');
  });

  it('picks another target environment and tenant in the webview', async function () {
    if (!(await webviewClick(TITLE, '#tenant'))) this.skip();
    const compare = await compareInternals();
    assert.ok(await webviewClick(TITLE, '#tenant vscode-option[value="globex"]'));
    // The tenant is not in the title: the row of the globex layer tells it.
    await waitFor(async () => /values\/production\/globex\//.test(await text(this, '#workloads')), 'the globex comparison');
    assert.ok(await webviewClick(TITLE, '#target'));
    assert.ok(await webviewClick(TITLE, '#target vscode-option[value="dev"]'));
    await waitFor(() => compare.panelTitle() === 'Compare staging ↔ dev', 'the title of staging ↔ dev');
  });

  it('swaps source and target', async function () {
    if (!(await webviewClick(TITLE, '#swap'))) this.skip();
    const compare = await compareInternals();
    await waitFor(() => compare.panelTitle() === 'Compare production ↔ staging', 'the swapped title');
    await vscode.commands.executeCommand('gitopshq.compareEnvironments', ARGS);
    assert.equal(compare.panelTitle(), TITLE);
  });

  it('opens from an environment or tenant node of the tree: that environment against the next one', async () => {
    const { views } = await internals();
    const tree = views.projects;
    const project = tree.getChildren().find((n) => n.kind === 'project' && n.slug === 'payment-platform')!;
    const envs = tree.getChildren(project);
    const staging = envs.find((n) => n.kind === 'environment' && n.environment === 'staging')!;
    const production = envs.find((n) => n.kind === 'environment' && n.environment === 'production')!;
    const globex = tree.getChildren(staging).find((n) => n.kind === 'tenant' && n.tenant === 'globex')!;
    assert.ok(staging && production && globex, 'the tree has the demo nodes');
    assert.deepEqual(await vscode.commands.executeCommand('gitopshq.compareEnvironments', staging), { ...ARGS, tenant: 'acme' });
    assert.deepEqual(await vscode.commands.executeCommand('gitopshq.compareEnvironments', globex), { ...ARGS, tenant: 'globex' });
    // The last environment has no next one: it is compared with the one before it.
    assert.deepEqual(await vscode.commands.executeCommand('gitopshq.compareEnvironments', production), {
      ...ARGS,
      source: 'production',
      target: 'staging',
    });
    assert.equal((await compareInternals()).panelTitle(), 'Compare production ↔ staging');
  });

  it('keeps its filters when the webview reloads, and follows the colour theme', async function () {
    if (!(await webviewFill(TITLE, '#search input', 'image.tag'))) this.skip();
    await waitFor(async () => !(await text(this, '#workloads')).includes('ingress.host'), 'the search to apply');
    const compare = await compareInternals();
    const before = compare.lastRender();
    await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
    await waitFor(() => compare.lastRender() !== before, 'the reloaded webview to render again');
    const workbench = vscode.workspace.getConfiguration('workbench');
    try {
      const rows = await text(this, '#workloads');
      assert.ok(rows.includes('image.tag') && !rows.includes('ingress.host'), `the search survived the reload: ${rows}`);

      await workbench.update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
      assert.ok(await webviewFill(TITLE, '#search input', ''));
      await waitFor(async () => (await text(this, '#workloads')).includes('ingress.host'), 'all rows again');
      await new Promise((r) => setTimeout(r, 500)); // let the theme's colours reach the webview
      await screenshot('compare-panel-dark');
    } finally {
      await webviewFill(TITLE, '#search input', '');
      await workbench.update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  describe('5,000 differences', () => {
    let dir: string | undefined;

    after(async () => {
      await closePanels();
      if (!dir) return;
      await fs.rm(dir, { recursive: true, force: true });
      const { service } = await internals();
      await service.rescan();
      await service.settled();
    });

    it('renders its first page within 500 ms in the webview', async () => {
      const { service } = await internals();
      dir = path.join(workspaceRoot(), 'compare-bench-tmp');
      await writeBenchProject(dir, 5000);
      // This test measures the panel, not the file watcher (which may report a burst of new folders late
      // on a loaded machine): scan explicitly, as the Refresh command does.
      await service.rescan();
      await waitFor(() => service.index.project('compare-bench'), 'the temporary project to be indexed', 20_000);
      await service.settled();
      // Filters carry over from one comparison to the next: start from none.
      if (await webviewFill(TITLE, '#search input', '')) await new Promise((r) => setTimeout(r, 300));
      const args = { project: 'compare-bench', source: 'a', target: 'b' };
      assert.equal(compareEnvironments(service.index, args).summary.differences, 5000);

      await vscode.commands.executeCommand('gitopshq.compareEnvironments', args);
      const compare = await compareInternals();
      const render = await waitFor(
        () => {
          const r = compare.lastRender();
          return r?.differences === 5000 ? r : undefined;
        },
        'the webview to report rendering 5,000 differences',
        20_000,
      );
      console.log(`      compare panel: first render of ${render.differences} differences (${render.rows} rows) in ${render.ms.toFixed(1)} ms`);
      assert.equal(render.rows, 200, 'the first page of the workload group');
      assert.ok(render.ms <= 500, `first render took ${render.ms.toFixed(1)} ms (budget 500 ms)`);
    });
  });
});

/** A project with one workload whose values in environments a and b differ in `leaves` leaves. */
async function writeBenchProject(dir: string, leaves: number): Promise<void> {
  await fs.mkdir(path.join(dir, 'charts/bench'), { recursive: true });
  await fs.mkdir(path.join(dir, 'values/a'), { recursive: true });
  await fs.mkdir(path.join(dir, 'values/b'), { recursive: true });
  await fs.writeFile(
    path.join(dir, 'gitopshq.yaml'),
    [
      'apiVersion: gitopshq.io/v1alpha1',
      'kind: Project',
      'metadata:',
      '  name: Compare Bench',
      '  slug: compare-bench',
      'spec:',
      '  environments:',
      '    - name: a',
      '    - name: b',
      '  workloads:',
      '    - name: bench',
      '      chart: charts/bench',
      '      values:',
      '        - values/{env}/{workload}.yaml',
      '      kube:',
      '        kind: Deployment',
      '',
    ].join('\n'),
  );
  await fs.writeFile(path.join(dir, 'charts/bench/Chart.yaml'), 'apiVersion: v2\nname: bench\nversion: 0.1.0\n');
  await fs.writeFile(path.join(dir, 'charts/bench/values.yaml'), 'replicaCount: 1\n');
  const values = (side: string) => {
    const lines: string[] = [];
    const perGroup = 100;
    for (let g = 0; g < Math.ceil(leaves / perGroup); g++) {
      lines.push(`group${g}:`);
      for (let k = 0; k < perGroup && g * perGroup + k < leaves; k++) lines.push(`  key${k}: "${side}-${g}-${k}"`);
    }
    return lines.join('\n') + '\n';
  };
  await fs.writeFile(path.join(dir, 'values/a/bench.yaml'), values('a'));
  await fs.writeFile(path.join(dir, 'values/b/bench.yaml'), values('b'));
}
