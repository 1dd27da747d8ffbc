// The first thing every user sees: the GitOpsHQ views opened by a click on the activity bar after the
// extension has worked in the background while the Explorer was showing. The runner starts each run
// with a fresh profile and index.ts runs this file first, so no suite has opened, revealed or
// refreshed a view before; nothing here does either. Rows are read from the rendered workbench and
// nodes expanded by clicking their arrows, as a person does.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parse } from 'yaml';
import { viewRows, viewToggle, workbenchClick, type RenderedRow } from '../support/control';
import { bundleLoaded, internals, waitFor, workspaceRoot } from './support';

const ACTIVITY_BAR_ICON = '.activitybar a.action-label[aria-label^="GitOpsHQ"]';
/** How long the user looks at the Explorer before clicking the icon (the issue saw it at 15 s). */
const LOOK_AROUND_MS = 15_000;

describe('GitOpsHQ views opened as a person opens them', function () {
  this.timeout(120_000);
  let restore: (() => Promise<void>) | undefined;

  after(async () => restore?.());

  it('shows projects, variables and releases after background work while the views were hidden', async function () {
    const { api, service } = await internals();
    const project = api.projects()[0];
    assert.ok(project, 'the demo workspace has a project');
    assert.equal(bundleLoaded('kube'), false, 'activation does not load the Kubernetes client');
    assert.equal(bundleLoaded('panels'), false, 'no panel host is loaded before a panel opens');

    // Work the user does not see: a values file changes on disk (an edit, a `git pull`) while the
    // GitOpsHQ container is closed, so the extension refreshes views that are not showing.
    const file = path.join(workspaceRoot(), 'values', 'dev', `${project.workloads[0]}.yaml`);
    const before = await fs.readFile(file, 'utf8');
    restore = () => fs.writeFile(file, before);
    const changed = new Promise<void>((resolve) => {
      const sub = service.onDidChange(() => {
        sub.dispose();
        resolve();
      });
    });
    await fs.writeFile(file, `${before}\n# edited while the GitOpsHQ views were closed\n`);
    await changed;
    await new Promise((r) => setTimeout(r, LOOK_AROUND_MS));

    if (!(await workbenchClick(ACTIVITY_BAR_ICON))) this.skip(); // a host without a browser to click in

    // Projects: the project expanded with its environments in promotion order, then its Git Browser.
    const projects = await settledRows('Projects', (rows) => rows.length > project.environments.length + 1);
    assert.deepEqual(
      projects.map((r) => [r.level, r.label]),
      [[1, project.name], ...project.environments.map((e) => [2, e]), [2, 'Git Browser']],
      `Projects rows: ${show(projects)}`,
    );
    assert.equal(projects[0]!.expanded, true);

    // Expanding an environment by its arrow shows its tenants, and a tenant its workloads.
    const production = project.environments.at(-1)!;
    await viewToggle('Projects', production);
    const withTenants = await settledRows('Projects', (rows) => rows.some((r) => r.level === 3));
    assert.deepEqual(levelRows(withTenants, 3), project.tenants, `Projects rows: ${show(withTenants)}`);
    await viewToggle('Projects', project.tenants[0]!);
    const withWorkloads = await settledRows('Projects', (rows) => rows.some((r) => r.level === 4));
    assert.deepEqual(levelRows(withWorkloads, 4).sort(), [...project.workloads].sort(), `Projects rows: ${show(withWorkloads)}`);

    // HQ Variables: one project, so its keys are the top level.
    const variables = parse(await fs.readFile(path.join(project.root, '.gitopshq', 'variables.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
    const keys = new Set(Object.values(variables).flatMap((scope) => keysOf(scope)));
    const variableRows = await settledRows('HQ Variables', (rows) => rows.length >= keys.size);
    assert.deepEqual(new Set(levelRows(variableRows, 1)), keys, `HQ Variables rows: ${show(variableRows)}`);

    // Releases: project → environment → state group → the release titles of the release files. The
    // panes read above are collapsed first, as a person makes room: the tree renders only rows in view,
    // and with the History pane below, the Releases pane is too short for all of them.
    const header = (pane: string, expanded: boolean) => `.pane-header:has(h3.title:text-is("${pane}"))[aria-expanded="${expanded}"]`;
    const collapsed: string[] = [];
    for (const pane of ['Projects', 'HQ Variables']) if (await workbenchClick(header(pane, true), { timeoutMs: 2000 }).catch(() => false)) collapsed.push(pane);
    const releases = await releaseFiles(project.root);
    const releaseRows = await settledRows('Releases', (rows) => rows.some((r) => r.level === 4)).finally(async () => {
      // Put them back for the suites that follow.
      for (const pane of collapsed) await workbenchClick(header(pane, false), { timeoutMs: 2000 }).catch(() => false);
    });
    assert.equal(releaseRows[0]!.label, project.name, `Releases rows: ${show(releaseRows)}`);
    assert.deepEqual(levelRows(releaseRows, 2), project.environments, `Releases rows: ${show(releaseRows)}`);
    assert.deepEqual(new Set(levelRows(releaseRows, 4)), new Set(releases.map((r) => r.title)), `Releases rows: ${show(releaseRows)}`);
  });
});

/** Waits until the view's rendered rows satisfy `ready`, then until they stop changing. */
async function settledRows(view: string, ready: (rows: RenderedRow[]) => boolean): Promise<RenderedRow[]> {
  let last: RenderedRow[] = [];
  await waitFor(async () => {
    last = (await viewRows(view)) ?? [];
    return ready(last);
  }, () => `the ${view} view to render (rows: ${show(last)})`, 15_000);
  return last;
}

function levelRows(rows: RenderedRow[], level: number): string[] {
  return rows.filter((r) => r.level === level).map((r) => r.label);
}

function show(rows: RenderedRow[]): string {
  return rows.map((r) => `${'  '.repeat(r.level - 1)}${r.label}${r.expanded === null ? '' : r.expanded ? ' ▾' : ' ▸'}`).join(' | ');
}

/** Variable keys of one scope section: the repo scope maps keys directly, the others nest by name. */
function keysOf(scope: Record<string, unknown>): string[] {
  return Object.entries(scope ?? {}).flatMap(([name, value]) =>
    /^[A-Z][A-Z0-9_]*$/.test(name) ? [name] : value && typeof value === 'object' ? keysOf(value as Record<string, unknown>) : [],
  );
}

async function releaseFiles(root: string): Promise<{ title: string }[]> {
  const dir = path.join(root, '.gitopshq', 'releases');
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.yaml'));
  return Promise.all(names.map(async (n) => parse(await fs.readFile(path.join(dir, n), 'utf8')) as { title: string }));
}
