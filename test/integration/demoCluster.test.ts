// What `npm start` shows: the demo repository against the demo cluster (the runner starts it and
// points gitopshq.kubeconfig at it, as `npm start` does). Read from the rendered rows.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { screenshot, viewRows, viewToggle, workbenchClick, type RenderedRow } from '../support/control';
import { internals, openInProjectsTree, showRows, waitFor } from './support';

describe('The demo cluster in the tree', function () {
  this.timeout(120_000);

  before(function () {
    if (!process.env['GITOPSHQ_DEMO_KUBECONFIG']) this.skip(); // a runner that starts no demo cluster
  });

  // The tree renders only the rows in view, and four panes leave the Projects pane short: the others are
  // folded by their headers while this suite reads, as a person makes room, and unfolded afterwards.
  const header = (pane: string, expanded: boolean) => `.pane-header:has(h3.title:text-is("${pane}"))[aria-expanded="${expanded}"]`;
  const folded: string[] = [];
  after(async () => {
    for (const pane of folded) await workbenchClick(header(pane, false), { timeoutMs: 2000 }).catch(() => false);
  });

  it('production healthy, the staging release failing (crash loop), acme crash-looping in dev while globex is fine', async () => {
    const { api } = await internals();
    await openInProjectsTree('dev', 'acme');
    for (const pane of ['HQ Variables', 'Releases', 'History']) {
      if (await workbenchClick(header(pane, true), { timeoutMs: 2000 }).catch(() => false)) folded.push(pane);
    }
    let last: RenderedRow[] | undefined;
    const rows = await waitFor(async () => {
      const r = (last = await viewRows('Projects'));
      const checkout = r?.find((x) => x.level === 4 && x.label === 'checkout-web');
      return checkout?.icon === 'error' && /CrashLoopBackOff/.test(checkout.description) ? r : undefined;
    }, () => `acme/dev checkout-web red (rows: ${showRows(last)})`, 20_000);
    const row = (level: number, label: string) => rows.find((r) => r.level === level && r.label === label)!;
    assert.equal(row(2, 'dev').icon, 'error');
    assert.match(row(3, 'acme').description, /checkout-web CrashLoopBackOff/);
    assert.match(row(4, 'checkout-web').description, /^0\/1 CrashLoopBackOff · 1\.8\.0$/);
    assert.equal(row(3, 'globex').icon, 'pass-filled');
    assert.match(row(4, 'payment-api').description, /^1\/1 · 2\.5\.0$/);
    assert.equal(row(4, 'payment-api').icon, 'pass-filled');
    assert.equal(row(4, 'ledger-worker').description, 'not bound');

    const globexDev = await api.clusterStatus('payment-platform', 'dev', { tenant: 'globex' });
    assert.deepEqual(globexDev.workloads.map((w) => [w.name, w.health]), [['payment-api', 'healthy'], ['checkout-web', 'healthy']]);
    const production = await api.clusterStatus('payment-platform', 'production', { tenant: 'acme' });
    assert.deepEqual(production.workloads.map((w) => [w.name, w.health, `${w.ready}/${w.desired}`]), [
      ['payment-api', 'healthy', '3/3'],
      ['checkout-web', 'healthy', '2/2'],
      ['ledger-worker', 'healthy', '2/2'],
    ]);
    // The demo's GitOps controller rolled staging to the release's 2.4.1, which crash-loops: its timeline says Failed.
    const staging = await waitFor(async () => {
      const s = await api.clusterStatus('payment-platform', 'staging');
      return s.workloads.find((w) => w.name === 'payment-api')?.reason === 'CrashLoopBackOff' ? s : undefined;
    }, 'staging payment-api crash-looping', 30_000);
    assert.equal(staging.connection, 'connected');
    assert.equal(staging.workloads.find((w) => w.name === 'payment-api')?.health, 'degraded');
    const release = await api.timeline('payment-platform', { release: 'rel_01M7YXBA51KQHFN5TEW15CYEWB' });
    assert.equal(release.phase, 'failed');
    assert.equal(release.reason, 'CrashLoopBackOff');
    assert.match(release.pod ?? '', /^payment-api-/);

    // The README's picture: room for the descriptions, the other views folded.
    await vscode.commands.executeCommand('workbench.action.focusSideBar');
    for (let i = 0; i < 12; i++) await vscode.commands.executeCommand('workbench.action.increaseViewSize');
    await viewToggle('Projects', 'staging');
    await viewToggle('Projects', 'production');
    await waitFor(async () => (await viewRows('Projects'))?.some((r) => r.level === 3 && r.label === 'globex' && rows.some((x) => x.label === 'production')), 'production tenants');
    // The staging release's Failed notification would sit over the picture.
    await vscode.commands.executeCommand('notifications.clearAll');
    await new Promise((r) => setTimeout(r, 500));
    // Only the Projects pane: the picture in the README and docs/cluster.md.
    await screenshot('cluster-tree', '.pane:has(.pane-header h3.title:text-is("Projects"))');
  });
});
