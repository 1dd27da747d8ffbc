// The fleet dashboard on the demo (issue 14): the API's fleet, the panel as a person sees it (tiles,
// colours and icons, filters, the summary line, actions), the status bar item, and the live updates:
// a commit on main, an approval, a crash-looping pod. Runs in the shared demo workspace: every
// commit, ref, identity and setting it changes is put back in after().
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { ApiFleetTile } from '../../src/api/gitopshq';
import type { DashboardFeature } from '../../src/vscode/dashboard/registerDashboard';
import type { ReleaseService } from '../../src/vscode/releases/releaseService';
import { keyboardPress, screenshot, webviewClick, webviewFill, webviewText, workbenchClick, workbenchText } from '../support/control';
import { startKubeApiServer, type KubeApiServer } from '../support/kube/apiServer';
import { DEMO_CONTEXTS, startDemo } from '../support/kube/demo';
import { activate, waitFor, workspaceRoot } from './support';

const run = promisify(execFile);
const SLUG = 'payment-platform';
const TITLE = 'Fleet Dashboard';
const PRODUCTION_RELEASE = 'rel_01M82J5V0T9Q3XKD7F1M4PR6ZA';
const tileSelector = (environment: string, tenant: string, colour?: string) =>
  `.tile[data-id="${SLUG}/${environment}/${tenant}"]${colour ? `[data-colour="${colour}"]` : ''}`;

describe('Fleet dashboard', function () {
  this.timeout(180_000);
  let root: string;
  let dashboard: DashboardFeature;
  let releases: ReleaseService;
  let start: { head: string; refs: string; name: string; email: string };
  const git = async (...args: string[]) => (await run('git', args, { cwd: root })).stdout.trim();
  const tile = async (environment: string, tenant: string): Promise<ApiFleetTile> => {
    const api = await activate();
    const fleet = await api.fleet();
    const t = fleet.projects.find((p) => p.slug === SLUG)?.environments.find((e) => e.name === environment)?.tenants.find((x) => x.name === tenant);
    assert.ok(t, `${environment}/${tenant} in the fleet`);
    return t;
  };
  /** The tile as the open panel has it (the host's last state), without asking any cluster. */
  const shown = async (environment: string, tenant: string) => {
    const state = await dashboard.panelState();
    return state?.shown?.projects.find((p) => p.slug === SLUG)?.environments.find((e) => e.name === environment)?.tenants.find((t) => t.tenant === tenant);
  };
  const SUMMARY = /✔ \d+ healthy · ⚠\uFE0E? \d+ warning · ✖ \d+ action needed/;
  /** Opens (or reveals) the dashboard without filters, so every tile is there to read. */
  const showAll = async () => {
    await vscode.commands.executeCommand('gitopshq.dashboard.show', { mine: false, problems: false, text: '' });
    await waitFor(async () => (await dashboard.panelState())?.shown !== undefined, 'the dashboard to show the fleet');
  };
  const panelOpen = () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label === TITLE));

  before(async () => {
    const api = await activate();
    const internal = api._internal as { dashboard: DashboardFeature; releases: ReleaseService };
    dashboard = internal.dashboard;
    releases = internal.releases;
    root = workspaceRoot();
    start = {
      head: await git('rev-parse', 'HEAD'),
      refs: await git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/gitopshq/deployed/'),
      name: await git('config', 'user.name'),
      email: await git('config', 'user.email'),
    };
    await releases.settled();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await git('reset', '-q', '--hard', start.head);
    const before = new Map(start.refs.split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string]));
    for (const [ref, sha] of before) await git('update-ref', ref, sha);
    await git('config', 'user.name', start.name);
    await git('config', 'user.email', start.email);
    await releases.identity(SLUG).catch(() => undefined);
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
  });

  it('answers fleet() with the demo: every colour, for a reason a person reads', async function () {
    if (!process.env['GITOPSHQ_DEMO_KUBECONFIG']) this.skip();
    const api = await activate();
    const fleet = await waitFor(async () => {
      const f = await api.fleet();
      const tiles = f.projects[0]?.environments.flatMap((e) => e.tenants.map((t) => [e.name, t] as const)) ?? [];
      const red = (env: string, tenant: string) => tiles.some(([e, t]) => e === env && t.name === tenant && t.colour === 'red');
      // Staging's release fails its rollout (the demo's GitOps controller rolls it to a crash-looping image).
      return red('dev', 'acme') && red('staging', 'acme') && red('staging', 'globex') ? f : undefined;
    }, 'dev/acme and staging red in the fleet', 60_000);
    const project = fleet.projects.find((p) => p.slug === SLUG)!;
    assert.deepEqual(project.environments.map((e) => e.name), ['dev', 'staging', 'production'], 'promotion order');
    const byId = new Map(project.environments.flatMap((e) => e.tenants.map((t) => [`${e.name}/${t.name}`, t] as const)));
    const devAcme = byId.get('dev/acme')!;
    assert.equal(devAcme.colour, 'red');
    assert.ok(devAcme.reasons.some((r) => /^checkout-web: CrashLoopBackOff \(pod checkout-web-/.test(r)), devAcme.reasons.join(' | '));
    assert.equal(devAcme.unhealthy, 1);
    assert.equal(devAcme.connection, 'connected');
    assert.equal(byId.get('dev/globex')!.colour, 'green');
    assert.deepEqual(byId.get('dev/globex')!.reasons, []);
    assert.equal(byId.get('dev/globex')!.deployed?.release, 'rel_01M80Q3F7RZ2D9WGKX4T6B8HNC', 'the dev release deployed the tip');
    for (const [tenant, changes] of [['acme', 1], ['globex', 2]] as const) {
      const t = byId.get(`staging/${tenant}`)!;
      assert.equal(t.colour, 'red', `staging/${tenant}`);
      assert.equal(t.drift, changes);
      assert.ok(t.reasons.includes(`${changes} change${changes === 1 ? '' : 's'} not deployed`), t.reasons.join(' | '));
      assert.ok(t.reasons.some((r) => /payment-api: CrashLoopBackOff/.test(r)), t.reasons.join(' | '));
    }
    assert.equal(byId.get('production/acme')!.colour, 'green');
    const globex = byId.get('production/globex')!;
    assert.equal(globex.colour, 'yellow');
    assert.equal(globex.deployed, undefined);
    assert.equal(globex.pendingApprovals, 1);
    assert.equal(globex.mayApprove, 0, 'Dana is not a production approver');
    assert.deepEqual(globex.reasons.slice(0, 2), ['Never deployed (no branch gitopshq/deployed/globex/production)', '1 release waits for approval']);
    assert.deepEqual(fleet.summary, { green: 2, yellow: 1, red: 3 });
  });

  it('shows the status bar summary; a click opens the dashboard with tiles, icons, colours and the summary line', async () => {
    await waitFor(() => /\$\(pass-filled\) \d+ {2}\$\(warning\) \d+ {2}\$\(error\) \d+/.test(dashboard.statusBar.item.text), 'the status bar text');
    const summary = dashboard.fleet.fleet().summary;
    assert.equal(dashboard.statusBar.item.text, `$(pass-filled) ${summary.green}  $(warning) ${summary.yellow}  $(error) ${summary.red}`);
    const tooltip = dashboard.statusBar.item.tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /\*\*GitOpsHQ fleet\*\*: \d+ healthy · \d+ warning · \d+ action needed/);
    assert.match(tooltip.value, /Never deployed/, 'the tooltip lists what needs attention');

    const clicked = await workbenchClick('[id="gitopshq.gitopshq-vscode.gitopshq.fleet"] a, [id="gitopshq.gitopshq-vscode.gitopshq.fleet"]', { timeoutMs: 5000 }).catch(() => false);
    if (!clicked) await vscode.commands.executeCommand(dashboard.statusBar.item.command as string);
    await waitFor(panelOpen, 'the dashboard panel to open');

    const line = await webviewText(TITLE, '#summary');
    if (line === undefined) return; // a host without the browser side: the API test covered the data
    await waitFor(async () => SUMMARY.test((await webviewText(TITLE, '#summary')) ?? ''), 'the summary line');
    const red = await webviewText(TITLE, tileSelector('dev', 'acme', 'red'), { timeoutMs: 30_000 });
    assert.match(red!, /✖/);
    assert.match(red!, /Action needed/);
    assert.match(red!, /checkout-web: CrashLoopBackOff/);
    const green = await webviewText(TITLE, tileSelector('production', 'acme', 'green'), { timeoutMs: 30_000 });
    assert.match(green!, /✔/);
    assert.match(green!, /In sync with main · 3 workloads healthy/);
    const yellow = await webviewText(TITLE, tileSelector('production', 'globex', 'yellow'));
    assert.match(yellow!, /⚠/);
    assert.match(yellow!, /Never deployed/);
    assert.match((await webviewText(TITLE, '.row.head')) ?? '', /Project\s+dev\s+staging\s+production/, 'columns in promotion order');
  });

  it('filters: only problems, text search, and back', async function () {
    if (!(await webviewText(TITLE, '#summary'))) this.skip();
    try {
      await filters();
    } finally {
      await showAll();
    }
  });

  async function filters(): Promise<void> {
    await webviewClick(TITLE, '#problems');
    await waitFor(async () => (await dashboard.panelState())?.filter.problems === true, 'the problems filter');
    const onlyProblems = await waitFor(async () => {
      const text = (await webviewText(TITLE, '#fleet')) ?? '';
      return /Action needed/.test(text) && !/Healthy/.test(text) ? text : undefined;
    }, 'no green tile left');
    assert.match(onlyProblems, /Warning/);
    assert.match((await webviewText(TITLE, '#summary')) ?? '', /✔ 0 healthy · ⚠\uFE0E? 1 warning · ✖ 3 action needed \(4 of 6 shown\)/);
    await webviewClick(TITLE, '#problems');
    await webviewFill(TITLE, '#search input', 'globex');
    const tenantsShown = async () => (await dashboard.panelState())?.shown?.projects[0]?.environments.flatMap((e) => e.tenants.map((t) => t.tenant)).join(',');
    await waitFor(async () => (await tenantsShown()) === 'globex,globex,globex', 'only globex tiles');
    await waitFor(async () => !/\bacme\b/.test((await webviewText(TITLE, '#fleet')) ?? 'acme'), 'no acme tile rendered');
    await webviewFill(TITLE, '#search input', '');
    await waitFor(async () => (await dashboard.panelState())?.filter.text === '', 'the filter cleared');
  }

  it('a new commit on main turns a green tile yellow, re-rendering that tile alone within budget', async () => {
    await showAll();
    await waitFor(async () => (await shown('production', 'acme'))?.colour === 'green', 'production/acme green first', 30_000);
    const file = path.join(root, 'values/production/acme/payment-api.yaml');
    const before = await readFile(file, 'utf8');
    const renders = dashboard.renders.length;
    await writeFile(file, `${before}\n# more headroom\n`);
    await git('commit', '-q', '-am', 'production: a note for acme');
    const t = await waitFor(async () => {
      const x = await shown('production', 'acme');
      return x?.colour === 'yellow' ? x : undefined;
    }, 'production/acme yellow', 30_000);
    assert.equal(t.drift, 1);
    assert.equal(t.sentence, '1 change not deployed');
    if (await webviewText(TITLE, '#summary')) {
      const text = await webviewText(TITLE, tileSelector('production', 'acme', 'yellow'), { timeoutMs: 20_000 });
      assert.match(text!, /⚠.*\n?.*1 change not deployed/s);
      const patch = await waitFor(() => dashboard.renders.slice(renders).find((r) => r.kind === 'patch'), 'a patch render reported');
      assert.ok(patch.ms <= 30 * 3, `a live update of one tile took ${patch.ms.toFixed(1)} ms (budget 30 ms, margin for a shared machine)`);
      console.log(`      dashboard live update: ${patch.tiles} tile(s) in ${patch.ms.toFixed(1)} ms`);
    }
  });

  it('an approval clears a pending count; Approve… opens the release panel', async () => {
    await git('config', 'user.name', 'Sue Lindqvist');
    await git('config', 'user.email', 'sue@example.com');
    await releases.identity(SLUG);
    await showAll();
    const waiting = await waitFor(async () => {
      const x = await shown('production', 'globex');
      return x?.mayApprove === 1 ? x : undefined;
    }, 'the release waits for Sue', 20_000);
    assert.equal(waiting.pendingApprovals, 1);
    assert.match(waiting.sentence, /1 release waits for your approval/);
    if (await webviewText(TITLE, '#summary')) {
      await webviewClick(TITLE, `${tileSelector('production', 'globex')} button[data-action="approve"]`);
      await waitFor(() => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => /Onboard globex/.test(t.label))), 'the release panel to open');
    }
    assert.deepEqual(await vscode.commands.executeCommand('gitopshq.release.approve', { project: SLUG, id: PRODUCTION_RELEASE }), { id: PRODUCTION_RELEASE, state: 'approved' });
    const after = await waitFor(async () => {
      const x = await shown('production', 'globex');
      return x?.pendingApprovals === 0 ? x : undefined;
    }, 'no pending approval left', 20_000);
    assert.doesNotMatch(after.sentence, /approval/);
    assert.equal((await tile('production', 'globex')).pendingApprovals, 0);
  });

  it('the tile actions open the tree node, the compare panel and the create release panel', async function () {
    await showAll();
    if (!(await webviewText(TITLE, '#summary'))) this.skip();
    await webviewClick(TITLE, `${tileSelector('staging', 'acme')} button[data-action="openInTree"]`);
    const { views } = (await activate())._internal as { views: { projectsView: vscode.TreeView<{ id: string }> } };
    await waitFor(() => views.projectsView.selection[0]?.id === `tenant:${SLUG}/staging/acme`, () => `the tree node selected (selection: ${views.projectsView.selection.map((n) => n.id).join(', ')})`);
    await vscode.commands.executeCommand('gitopshq.dashboard.show');
    await webviewClick(TITLE, `${tileSelector('dev', 'acme')} button[data-action="compare"]`);
    await waitFor(() => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => /dev.*staging|Compare/i.test(t.label))), 'the compare panel to open');
    await vscode.commands.executeCommand('gitopshq.dashboard.show');
    await webviewClick(TITLE, `${tileSelector('staging', 'globex')} button[data-action="createRelease"]`);
    await waitFor(() => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => /Create Release/i.test(t.label))), 'the create release panel to open');

    // Keyboard only: a tile takes the focus, arrows move across environments and tenants, Enter reveals it.
    await showAll();
    await webviewClick(TITLE, `${tileSelector('dev', 'globex')} .tile-head`);
    assert.ok(await keyboardPress('ArrowUp'));
    assert.ok(await keyboardPress('ArrowRight'));
    assert.ok(await keyboardPress('ArrowDown'));
    assert.ok(await keyboardPress('Enter'));
    await waitFor(() => views.projectsView.selection[0]?.id === `tenant:${SLUG}/staging/globex`, () => `dev/globex ↑ → ↓ Enter reveals staging/globex (selection: ${views.projectsView.selection.map((n) => n.id).join(', ')})`);
  });

  it('a crash-looping pod in the test server turns a tile red, naming the reason', async () => {
    const config = vscode.workspace.getConfiguration('gitopshq');
    const previous = config.inspect<string>('kubeconfig')?.globalValue;
    const dir = await mkdtemp(path.join(tmpdir(), 'gitopshq-dashboard-'));
    let server: KubeApiServer | undefined;
    try {
      server = await startKubeApiServer({ stepMs: 100 });
      startDemo(server);
      await server.writeKubeconfig(path.join(dir, 'kubeconfig'), DEMO_CONTEXTS, 'prod-eu');
      await config.update('kubeconfig', path.join(dir, 'kubeconfig'), vscode.ConfigurationTarget.Global);
      await showAll();
      await waitFor(async () => (await shown('production', 'acme'))?.connection === 'connected', 'production connected to the test server', 30_000);
      void server.scenario.crashLoop('payments', 'payment-api');
      const red = await waitFor(async () => {
        const x = await shown('production', 'acme');
        return x?.colour === 'red' ? x : undefined;
      }, 'production/acme red', 60_000);
      assert.match(red.sentence, /payment-api: CrashLoopBackOff/);
      assert.equal(red.unhealthy[0]?.reason, 'CrashLoopBackOff');
      if (await webviewText(TITLE, '#summary')) {
        assert.match((await webviewText(TITLE, tileSelector('production', 'acme', 'red'), { timeoutMs: 20_000 }))!, /✖[\s\S]*payment-api: CrashLoopBackOff/);
      }
    } finally {
      await config.update('kubeconfig', previous, vscode.ConfigurationTarget.Global);
      await server?.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads in light and dark themes (the pictures in the docs)', async function () {
    await showAll();
    if (!(await webviewText(TITLE, '#summary'))) this.skip();
    await git('reset', '-q', '--hard', start.head);
    await git('config', 'user.email', start.email);
    await git('config', 'user.name', start.name);
    await releases.identity(SLUG);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await showAll();
    await waitFor(async () => (await shown('dev', 'acme'))?.colour === 'red' && (await shown('production', 'globex'))?.pendingApprovals === 1, 'the demo fleet again', 30_000);
    for (const [theme, name] of [['Default Light Modern', 'dashboard-light'], ['Default Dark Modern', 'dashboard']] as const) {
      await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);
      // The picture is of the dashboard: toasts of earlier suites (a failed rollout) would cover tiles.
      await vscode.commands.executeCommand('notifications.clearAll');
      await new Promise((r) => setTimeout(r, 1500));
      assert.ok(await screenshot(name), `screenshot ${name}`);
    }
    assert.match((await workbenchText('[id="gitopshq.gitopshq-vscode.gitopshq.fleet"]')) ?? '', /\d+\s+\d+\s+\d+/);
  });
});
