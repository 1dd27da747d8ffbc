// npm run test:integration [-- --workspace DIR] [--tests FILE|DIR|GLOB]... [--grep PATTERN]
//
// Runs mocha suites inside a real VS Code extension host with this extension loaded from source.
//   host: code-server + headless Chromium (default; works without internet), or
//         GITOPSHQ_TEST_HOST=electron: @vscode/test-electron (downloads VS Code: needs internet).
//   workspace: --workspace DIR, default a fresh Git copy of demo/ (scripts/lib/demo-repo.cjs).
//   tests: --tests (a compiled .js file, a folder: its *.test.js and *.bench.js, or a glob),
//          default out/test/integration/**/*.test.js.
// Environment: GITOPSHQ_SKIP_BUILD=1 (no esbuild/tsc), GITOPSHQ_TEST_TIMEOUT_MS (default 10 min),
// GITOPSHQ_TEST_VERBOSE=1 (also print the server's and the browser's own logs).
// Exit status: 0 when every test passed; 1 on failures, time-out or any error (then a screenshot of
// the workbench is saved as test-results/failure-<timestamp>.png).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, parseArgs } from 'node:util';
import { launchChromium, findChromium } from './lib/chromium.mjs';
import { ensureCodeServer, startCodeServer } from './lib/code-server.mjs';
import { browserOperations, startControlServer, unavailableOperations } from './lib/control-server.mjs';
import { startDemoCluster } from './lib/demo-cluster.mjs';
import { createCleanup, exitOnSignals, killGroup } from './lib/lifecycle.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = join(ROOT, 'test-results');
const TEST_ENTRY = join(ROOT, 'out', 'test', 'integration', 'index.js');
const DEFAULT_TESTS = join(ROOT, 'out', 'test', 'integration', '**', '*.test.js');
const VERBOSE = process.env.GITOPSHQ_TEST_VERBOSE === '1';

const log = (msg) => console.log(`[test-integration] ${msg}`);

async function main() {
  const options = parseOptions();
  const cleanup = createCleanup(log);
  exitOnSignals(cleanup, log);
  const started = Date.now();
  let status = 1;
  try {
    status = await runTests(options, cleanup);
  } catch (err) {
    if (!cleanup.started) console.error(`[test-integration] ${(VERBOSE && err?.stack) || err?.message || err}`);
  } finally {
    await cleanup.run();
  }
  log(`${status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(status);
}

function parseOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        workspace: { type: 'string' },
        tests: { type: 'string', multiple: true },
        grep: { type: 'string' },
      },
      // Extra words are more tests: an unquoted glob after --tests arrives expanded by the shell.
      allowPositionals: true,
    });
  } catch (err) {
    console.error(`[test-integration] ${err.message}\nusage: node scripts/test-integration.mjs [--workspace DIR] [--tests FILE|DIR|GLOB]... [--grep PATTERN]`);
    process.exit(2);
  }
  const { values, positionals } = parsed;
  const tests = [...(values.tests ?? []), ...positionals];
  return {
    workspace: values.workspace && resolve(values.workspace),
    tests: tests.length > 0 ? tests : [DEFAULT_TESTS],
    grep: values.grep,
    host: process.env.GITOPSHQ_TEST_HOST === 'electron' ? 'electron' : 'code-server',
    timeoutMs: Number(process.env.GITOPSHQ_TEST_TIMEOUT_MS) || 10 * 60_000,
  };
}

async function runTests(options, cleanup) {
  if (process.env.GITOPSHQ_SKIP_BUILD !== '1') build();
  if (!existsSync(TEST_ENTRY)) throw new Error(`${relative(ROOT, TEST_ENTRY)} is missing: compile with npx tsc -p tsconfig.test.json`);
  const files = resolveTestFiles(options.tests);
  log(`${files.length} test file${files.length === 1 ? '' : 's'}: ${files.map((f) => relative(process.cwd(), f)).join(', ')}`);
  const workspace = await prepareWorkspace(options.workspace, cleanup);

  // The control server needs the page, which exists only later: it asks for it on each call.
  let page;
  const operations = options.host === 'electron' ? unavailableOperations() : browserOperations({ getPage: () => page, resultsDir: RESULTS_DIR });
  const control = await startControlServer(operations, log);
  cleanup.add('control server', control.close);

  // The demo cluster `npm start` shows, so the suites meet the live tree a user of the demo meets.
  const cluster = await startDemoCluster({ repo: workspace });
  cleanup.add('demo cluster', cluster.stop);
  log(`demo cluster: ${cluster.url}`);

  // Inherited by the extension host: read by test/integration/index.ts and test/support/control.ts.
  const env = {
    GITOPSHQ_DEMO_KUBECONFIG: cluster.kubeconfig,
    GITOPSHQ_TESTS: JSON.stringify(files),
    GITOPSHQ_TEST_CONTROL: control.url,
    GITOPSHQ_TEST_HOST: options.host,
    GITOPSHQ_TEST_RESULTS: RESULTS_DIR,
    ...(options.grep ? { GITOPSHQ_TEST_GREP: options.grep } : {}),
  };
  const run = { workspace, env, timeoutMs: options.timeoutMs, cleanup, settings: { 'gitopshq.kubeconfig': cluster.kubeconfig } };
  return options.host === 'electron'
    ? runInElectron(run)
    : runInCodeServer({ ...run, onPage: (p) => (page = p) });
}

/** The extension bundle and the compiled tests (tests compile with tsc into out/). */
function build() {
  const steps = [
    ['esbuild', [join(ROOT, 'esbuild.mjs')]],
    ['tsc -p tsconfig.test.json', [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.test.json']],
  ];
  for (const [name, args] of steps) {
    log(`build: ${name}`);
    const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`build step "${name}" failed (status ${r.status})`);
  }
}

/** --workspace as given, or a fresh Git repository made from demo/ (removed afterwards). */
async function prepareWorkspace(workspace, cleanup) {
  if (workspace) {
    if (!existsSync(workspace) || !statSync(workspace).isDirectory()) throw new Error(`--workspace ${workspace} is not a folder`);
    return workspace;
  }
  const { prepareDemoRepo } = createRequire(import.meta.url)('./lib/demo-repo.cjs');
  const demo = await prepareDemoRepo();
  cleanup.add('demo repository', () => demo.cleanup());
  log(`workspace: demo repository in ${demo.dir}`);
  return demo.dir;
}

// ---------------------------------------------------------------------------------------------
// Test selection: Node 20 has no fs.glob, so a small expander (*, ?, **, {a,b}).

/** Absolute paths of the test files for each --tests value: a file, a folder or a glob. */
function resolveTestFiles(patterns) {
  const files = new Set();
  for (const pattern of patterns) {
    const abs = resolve(pattern);
    let matched;
    if (/[*?{]/.test(pattern)) matched = expandGlob(abs);
    else if (existsSync(abs) && statSync(abs).isDirectory()) matched = expandGlob(join(abs, '**', '*.{test,bench}.js'));
    else matched = existsSync(abs) ? [abs] : [];
    if (matched.length === 0) throw new Error(`no test files match ${pattern}`);
    for (const f of matched) files.add(f);
  }
  return [...files];
}

function expandGlob(pattern) {
  const segments = pattern.split(sep);
  const firstWild = segments.findIndex((s) => /[*?{]/.test(s));
  if (firstWild === -1) return existsSync(pattern) ? [pattern] : [];
  const base = segments.slice(0, firstWild).join(sep) || sep;
  const regex = globToRegExp(segments.slice(firstWild).join('/'));
  return listFiles(base)
    .filter((file) => regex.test(relative(base, file).split(sep).join('/')))
    .sort();
}

function globToRegExp(glob) {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (glob.startsWith('**/', i)) {
      re += '(?:[^/]+/)*';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      re += '(?:';
      braces++;
    } else if (c === '}' && braces > 0) {
      re += ')';
      braces--;
    } else if (c === ',' && braces > 0) re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Every file under `dir`, skipping dot-folders and node_modules. */
function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('.') || entry.name === 'node_modules' ? [] : listFiles(path);
    return entry.isFile() ? [path] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// Host: code-server + headless Chromium

async function runInCodeServer({ workspace, env, settings, timeoutMs, cleanup, onPage }) {
  const executablePath = findChromium(); // before the slow parts: a missing browser fails at once
  await ensureCodeServer();

  const server = await startCodeServer({
    workspace,
    extensionDevelopmentPath: ROOT,
    env,
    settings,
    onOutput: (line) => VERBOSE && console.log(`[server] ${line}`),
  });
  cleanup.add('code-server', server.stop);
  log(`code-server on port ${server.port}`);

  const browser = await launchChromium({ executablePath });
  cleanup.add('chromium', browser.close);
  const { page } = browser;
  onPage(page);

  const outcome = await driveWorkbench(page, server, timeoutMs);
  if (cleanup.started) return 1; // interrupted (Ctrl+C): the server and browser are going away
  if (outcome.error) console.error(`[test-integration] ${outcome.error}`);
  const status = outcome.error ? 1 : outcome.code;
  if (status !== 0) await saveFailureArtifacts(page, outcome.logs, server.logsDir);
  return status;
}

/**
 * Opens the workbench with the test payload and waits for the extension host to report the mocha
 * run's end through window.codeAutomationExit. Resolves { code } or { error }.
 */
async function driveWorkbench(page, server, timeoutMs) {
  let settle;
  const outcome = new Promise((r) => (settle = r));

  // Both bindings must exist before the workbench loads: it looks them up when it starts.
  // In a test run the workbench sends everything the extension host prints (mocha's reporter
  // included) to codeAutomationLog instead of the browser console.
  await page.exposeFunction('codeAutomationLog', (type, args) => printHostLog(type, args));
  // `logs`: the workbench's log files (kept in the browser, not on disk), saved when the run fails.
  await page.exposeFunction('codeAutomationExit', (code, logs) => settle({ code: Number(code), logs }));

  page.on('crash', () => settle({ error: 'the workbench page crashed' }));
  page.on('pageerror', (err) => VERBOSE && console.log(`[browser] page error: ${err.message}`));
  page.on('console', (msg) => VERBOSE && console.log(`[browser] ${msg.type()}: ${msg.text()}`));
  void server.exited.then(({ code, signal }) => settle({ error: `code-server exited early (code ${code}, signal ${signal})\n${server.output().slice(-30).join('\n')}` }));
  const timer = setTimeout(() => settle({ error: `timed out after ${timeoutMs / 1000} s (GITOPSHQ_TEST_TIMEOUT_MS)` }), timeoutMs);

  try {
    await page.goto(server.workbenchUrl({ extensionTestsPath: TEST_ENTRY }), { waitUntil: 'domcontentloaded', timeout: 120_000 });
    return await outcome;
  } finally {
    clearTimeout(timer);
  }
}

// The workbench's own start-up chatter and the failed extension-gallery lookups (no internet) reach
// codeAutomationLog as well; they are only noise in a test report.
const WORKBENCH_NOISE = [
  /^(Resolving|Resolved) connection token/,
  /^Creating a socket/,
  /^\[Service Worker\]/,
  /^ChatSessionStore:/,
  /^Updating additional builtin extensions cache/,
  /^Creation of workbench contribution '.*' took \d+ms/,
  /ENOTFOUND (open-vsx\.org|marketplace\.visualstudio\.com|update\.code\.visualstudio\.com)/,
];

/**
 * Prints one log call of the extension host (console.log, mocha's reporter) as the terminal would
 * have: the arguments arrive unformatted (format string first), so util.format puts them together.
 */
function printHostLog(type, args) {
  const text = format(...args);
  if (!VERBOSE && WORKBENCH_NOISE.some((re) => re.test(text))) return;
  (type === 'error' || type === 'warn' ? process.stderr : process.stdout).write(`${text}\n`);
}

/**
 * test-results/failure-<timestamp>.png, and next to it the logs: the browser side's (`logs`, from
 * codeAutomationExit) and the server side's (extension host, the extension's output channels).
 */
async function saveFailureArtifacts(page, logs, serverLogsDir) {
  const base = join(RESULTS_DIR, `failure-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  try {
    await page.screenshot({ path: `${base}.png`, timeout: 10_000 });
    log(`screenshot of the workbench: ${relative(process.cwd(), `${base}.png`)}`);
  } catch (err) {
    log(`no screenshot: ${err.message}`);
  }
  const logsDir = `${base}-logs`;
  if (existsSync(serverLogsDir)) cpSync(serverLogsDir, join(logsDir, 'server'), { recursive: true });
  for (const { relativePath, contents } of Array.isArray(logs) ? logs : []) {
    const file = join(logsDir, 'browser', relativePath);
    if (!file.startsWith(`${logsDir}${sep}`)) continue; // a path from the page stays inside the folder
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, contents);
  }
  if (existsSync(logsDir)) log(`logs: ${relative(process.cwd(), logsDir)}`);
}

// ---------------------------------------------------------------------------------------------
// Host: @vscode/test-electron (VS Code desktop; downloads it, so it needs internet)

async function runInElectron({ workspace, env, timeoutMs, cleanup }) {
  const { runTests } = await import('@vscode/test-electron');
  startXvfbIfNeeded(cleanup);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s (GITOPSHQ_TEST_TIMEOUT_MS)`)), timeoutMs);
  });
  try {
    const run = runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: TEST_ENTRY,
      launchArgs: [workspace, '--disable-extensions'],
      // No user settings to pass here: the demo cluster's kubeconfig goes in through KUBECONFIG.
      extensionTestsEnv: { ...env, KUBECONFIG: env.GITOPSHQ_DEMO_KUBECONFIG },
    });
    await Promise.race([run, timeout]);
    return 0;
  } catch (err) {
    // test-electron rejects with "Test run failed with code N" after printing mocha's output.
    const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/.test(String(err?.message));
    console.error(`[test-integration] ${err?.message ?? err}${offline ? ' (the electron host downloads VS Code: it needs internet; the default host does not)' : ''}`);
    return 1;
  } finally {
    clearTimeout(timer);
  }
}

/** VS Code desktop needs an X display: on a headless Linux, start Xvfb (Debian package xvfb). */
function startXvfbIfNeeded(cleanup) {
  if (process.platform !== 'linux' || process.env.DISPLAY) return;
  const display = `:${90 + (process.pid % 100)}`;
  const xvfb = spawn('Xvfb', [display, '-screen', '0', '1440x900x24', '-nolisten', 'tcp'], { stdio: 'ignore', detached: true });
  xvfb.on('error', () => log('no DISPLAY and no Xvfb (apt-get install xvfb): VS Code desktop may not start'));
  cleanup.add('Xvfb', () => killGroup(xvfb.pid, 'SIGTERM'));
  process.env.DISPLAY = display;
}

await main();
