// npm run test:package
//
// Tests what users install: builds the .vsix with `npm run package`, installs it into a fresh
// code-server (`--install-extension`, a fresh profile), opens the demo repository in headless
// Chromium, looks at the Explorer while the extension works (and a values file changes on disk),
// then clicks the GitOpsHQ icon and reads the rows of the Projects, HQ Variables and Releases views
// as they render, expanding nodes by clicking their arrows. Expectations come from the demo's files.
// Prints one line per check and `N passed, N failed`; exits 1 on any failure (with a screenshot in
// test-results/).
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { launchChromium } from './lib/chromium.mjs';
import { ensureCodeServer, startCodeServer } from './lib/code-server.mjs';
import { browserOperations } from './lib/control-server.mjs';
import { startDemoCluster } from './lib/demo-cluster.mjs';
import { createCleanup, exitOnSignals } from './lib/lifecycle.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const VSIX = join(ROOT, 'gitopshq-vscode.vsix');
const RESULTS_DIR = join(ROOT, 'test-results');
const LOOK_AROUND_MS = 15_000;
const log = (msg) => console.log(`[test-package] ${msg}`);

async function main() {
  const cleanup = createCleanup(log);
  exitOnSignals(cleanup, log);
  const results = [];
  try {
    log('npm run package');
    const packaged = spawnSync('npm', ['run', 'package'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (packaged.status !== 0 || !existsSync(VSIX)) throw new Error('npm run package failed');
    // Every bundle the build makes ships (the .vscodeignore is an allow-list: a new lazy bundle left
    // out of it would fail only when a user first needs it).
    const listed = spawnSync('npx', ['vsce', 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' });
    const shipped = new Set(listed.stdout.split('\n').map((l) => l.trim()));
    const built = readdirSync(join(ROOT, 'dist')).filter((f) => f.endsWith('.js')).map((f) => `dist/${f}`);
    const missing = built.filter((f) => !shipped.has(f));
    results.push({ name: 'the package holds every bundle the build makes', problem: listed.status !== 0 ? `vsce ls failed: ${listed.stderr}` : missing.length > 0 ? `missing from .vscodeignore's allow-list: ${missing.join(', ')}` : undefined });
    await ensureCodeServer();

    const { prepareDemoRepo } = createRequire(import.meta.url)('./lib/demo-repo.cjs');
    const demo = await prepareDemoRepo();
    cleanup.add('demo repository', () => demo.cleanup());
    // The demo cluster, as `npm start` serves it: the packaged dist/kube.js must connect and show health.
    const cluster = await startDemoCluster();
    cleanup.add('demo cluster', cluster.stop);
    const server = await startCodeServer({ workspace: demo.dir, installExtensions: [VSIX], settings: { 'gitopshq.kubeconfig': cluster.kubeconfig } });
    cleanup.add('code-server', server.stop);
    log(`installed ${VSIX} into code-server on port ${server.port}`);
    const browser = await launchChromium();
    cleanup.add('chromium', browser.close);
    const { page } = browser;
    const ops = browserOperations({ getPage: () => page, resultsDir: RESULTS_DIR });

    await page.goto(server.workbenchUrl(), { waitUntil: 'domcontentloaded', timeout: 120_000 });
    await page.locator('.activitybar').waitFor({ timeout: 60_000 });
    const expected = expectations(demo.dir);
    // Work the user does not see while the Explorer shows: a values file changes on disk.
    await page.waitForTimeout(LOOK_AROUND_MS / 2);
    appendFileSync(join(demo.dir, 'values', 'dev', `${expected.workloads[0]}.yaml`), '\n# edited while the GitOpsHQ views were closed\n');
    await page.waitForTimeout(LOOK_AROUND_MS / 2);
    await ops['workbench/click']({ selector: '.activitybar a.action-label[aria-label^="GitOpsHQ"]' });

    const check = async (name, view, ready, verify) => {
      let rows = [];
      const until = Date.now() + 15_000;
      while (Date.now() < until) {
        rows = (await ops['view/rows']({ view })).rows;
        if (ready(rows)) break;
        await page.waitForTimeout(200);
      }
      const problem = ready(rows) ? verify(rows) : 'the rows never appeared';
      results.push({ name, problem: problem ? `${problem}\n    rows: ${show(rows)}` : undefined });
    };
    const at = (rows, level) => rows.filter((r) => r.level === level).map((r) => r.label);
    const same = (actual, wanted) => (JSON.stringify(actual) === JSON.stringify(wanted) ? undefined : `expected ${JSON.stringify(wanted)}, saw ${JSON.stringify(actual)}`);

    // The tree renders only the rows in view: with four panes in the container the Projects pane is short,
    // so the panes not being read are folded by their headers, as a person makes room.
    const header = (pane, expanded) => `.pane-header:has(h3.title:text-is("${pane}"))[aria-expanded="${expanded}"]`;
    const pane = (name, expanded) => ops['workbench/click']({ selector: header(name, !expanded), timeoutMs: 2000 }).catch(() => undefined);
    for (const other of ['HQ Variables', 'Releases', 'History']) await pane(other, false);

    await check('Projects: the project with its environments in promotion order', 'Projects', (rows) => rows.length > expected.environments.length + 1, (rows) =>
      same(rows.map((r) => [r.level, r.label]), [[1, expected.name], ...expected.environments.map((e) => [2, e]), [2, 'Git Browser']]));
    await ops['view/toggle']({ view: 'Projects', label: expected.environments.at(-1) });
    await check('Projects: an environment expanded by its arrow shows the tenants', 'Projects', (rows) => at(rows, 3).length > 0, (rows) => same(at(rows, 3), expected.tenants));
    await ops['view/toggle']({ view: 'Projects', label: expected.tenants[0] });
    await check('Projects: a tenant expanded by its arrow shows the workloads', 'Projects', (rows) => at(rows, 4).length >= expected.workloads.length, (rows) => same(at(rows, 4).sort(), [...expected.workloads].sort()));
    await check('Projects: the demo cluster\'s health on the production workloads (3/3 ready, green)', 'Projects', (rows) => rows.some((r) => r.level === 4 && /^\d+\/\d+ /.test(r.description)), (rows) => {
      const api = rows.find((r) => r.level === 4 && r.label === 'payment-api');
      return api?.description.startsWith('3/3 ') && api.icon === 'pass-filled' ? undefined : `payment-api shows "${api?.description}" [${api?.icon}]`;
    });
    await pane('Projects', false);
    await pane('HQ Variables', true);
    await check('HQ Variables: the keys of the variables file', 'HQ Variables', (rows) => rows.length > 0, (rows) =>
      same(at(rows, 1), expected.variableKeys.slice(0, rows.length)) ?? (rows.length >= Math.min(5, expected.variableKeys.length) ? undefined : 'too few keys'));
    await pane('HQ Variables', false);
    await pane('Releases', true);
    await check('Releases: each release under its environment', 'Releases', (rows) => at(rows, 4).length > 0, (rows) =>
      same(at(rows, 2), expected.environments) ?? (at(rows, 4).every((t) => expected.releaseTitles.includes(t)) ? undefined : `titles not in the release files: ${at(rows, 4)}`));
    const failed = results.filter((r) => r.problem);
    if (failed.length > 0) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      await page.screenshot({ path: join(RESULTS_DIR, 'package-failure.png') });
    }
  } catch (err) {
    results.push({ name: 'the packaged extension installs and its views open', problem: err?.message ?? String(err) });
  } finally {
    await cleanup.run();
  }
  for (const r of results) console.log(`  ${r.problem ? '✗' : '✔'} ${r.name}${r.problem ? `\n    ${r.problem}` : ''}`);
  const failed = results.filter((r) => r.problem).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

/** What the views must show, read from the demo repository's own files. */
function expectations(dir) {
  const manifest = parse(readFileSync(join(dir, 'gitopshq.yaml'), 'utf8'));
  const variables = parse(readFileSync(join(dir, manifest.spec.variables), 'utf8')) ?? {};
  const keysOf = (section) =>
    Object.entries(section ?? {}).flatMap(([name, value]) => (/^[A-Z][A-Z0-9_]*$/.test(name) ? [name] : value && typeof value === 'object' ? keysOf(value) : []));
  const releasesDir = join(dir, '.gitopshq', 'releases');
  return {
    name: manifest.metadata.name,
    environments: manifest.spec.environments.map((e) => e.name),
    tenants: manifest.spec.tenants,
    workloads: manifest.spec.workloads.map((w) => w.name),
    variableKeys: [...new Set(Object.values(variables).flatMap(keysOf))].sort(),
    releaseTitles: readdirSync(releasesDir).filter((f) => f.endsWith('.yaml')).map((f) => parse(readFileSync(join(releasesDir, f), 'utf8')).title),
  };
}

function show(rows) {
  return rows.map((r) => `${'  '.repeat(r.level - 1)}${r.label}`).join(' | ');
}

await main();
