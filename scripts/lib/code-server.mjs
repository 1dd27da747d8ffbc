// code-server (a VS Code server build published on npm) as the extension host for tests and `npm start`
// on machines without internet. See /work/shared/notes/test-host.md for why each install step exists.
//
//   await ensureCodeServer();                       // first use: ~2 min; later: instant
//   const server = await startCodeServer({ workspace, extensionDevelopmentPath });
//   page.goto(server.workbenchUrl({ extensionTestsPath }));
//   await server.stop();
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killGroup, startReaper } from './lifecycle.mjs';

export const CODE_SERVER_VERSION = '4.100.3';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE_DIR = join(ROOT, '.vscode-test', 'code-server');
const PACKAGE_DIR = join(CACHE_DIR, 'node_modules', 'code-server');
const VSCODE_DIR = join(PACKAGE_DIR, 'lib', 'vscode');
const ENTRY = join(PACKAGE_DIR, 'out', 'node', 'entry.js');
const STAMP = join(CACHE_DIR, 'install-complete.json');
// Outside CACHE_DIR because a failed install wipes CACHE_DIR.
const LOCK_DIR = join(ROOT, '.vscode-test', 'code-server.lock');
// VS Code's native modules; their prebuilt binaries are downloaded by install scripts, so they are
// built from source with the local Node headers instead.
const NATIVE_MODULES = ['@vscode/spdlog', '@parcel/watcher', 'node-pty', 'native-watchdog', '@vscode/deviceid'];

const log = (msg) => console.log(`[code-server] ${msg}`);

// ---------------------------------------------------------------------------------------------
// Install

/** What the native modules were built for: a different Node ABI or platform means reinstalling. */
function installIdentity() {
  return { version: CODE_SERVER_VERSION, node: process.versions.modules, platform: process.platform, arch: process.arch };
}

function isInstalled() {
  try {
    return JSON.stringify(JSON.parse(readFileSync(STAMP, 'utf8'))) === JSON.stringify(installIdentity());
  } catch {
    return false;
  }
}

/**
 * Installs code-server into .vscode-test/code-server/ unless a complete install for this Node is
 * there already. Anything without the completion stamp (an interrupted or failed install) is wiped
 * and redone from scratch, because a half-extracted node_modules is not reliably repaired by npm.
 */
export async function ensureCodeServer() {
  if (isInstalled()) return;
  const release = await acquireLock();
  try {
    if (isInstalled()) return; // another run finished it while we waited
    const started = Date.now();
    log(`installing code-server@${CODE_SERVER_VERSION} into ${CACHE_DIR} (first use only)`);
    await install();
    writeFileSync(STAMP, JSON.stringify(installIdentity()));
    log(`installed in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    release();
  }
}

async function install() {
  rmSync(CACHE_DIR, { recursive: true, force: true });
  mkdirSync(CACHE_DIR, { recursive: true });
  // Its own package.json makes the cache folder an npm project of its own, not part of ours.
  writeFileSync(join(CACHE_DIR, 'package.json'), JSON.stringify({ name: 'gitopshq-code-server-cache', private: true }, null, 2));

  // 1. Scripts off: the postinstall refuses root and would download binaries from GitHub.
  await npm('1/5 code-server package', CACHE_DIR, ['install', '--ignore-scripts', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`]);
  // 2. What the skipped postinstall would have installed: VS Code's own runtime dependencies.
  await npm('2/5 VS Code server dependencies', VSCODE_DIR, ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund']);
  // 3. Native modules from source (node-gyp with this Node's headers; about a minute on 2 cores).
  await npm('3/5 native modules (builds from source, about a minute)', VSCODE_DIR, ['rebuild', ...NATIVE_MODULES], { npm_config_yes: 'true' });
  // 4. Files the postinstall would have laid out.
  log('4/5 node_modules.asar link and ripgrep');
  const asar = join(VSCODE_DIR, 'node_modules.asar');
  if (!existsSync(asar)) symlinkSync('node_modules', asar);
  installRipgrep();
  // 5. code-server imports argon2 at start-up, even with --auth none. npm hoisted it to the cache
  //    folder's node_modules, so it is rebuilt from there (from code-server's folder npm finds nothing).
  await npm('5/5 argon2', CACHE_DIR, ['rebuild', 'argon2'], { npm_config_yes: 'true' });
  checkNativeModules();
}

/** @vscode/ripgrep downloads its binary from GitHub; use the system's (Debian package `ripgrep`). */
function installRipgrep() {
  const target = join(VSCODE_DIR, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  const source = ['/usr/bin/rg', '/usr/local/bin/rg'].find((p) => existsSync(p)) ?? which('rg');
  if (!source) {
    // Search is not used by the tests; the workbench still starts without it.
    log('warning: no ripgrep found (apt-get install ripgrep); text search in the workbench will not work');
    return;
  }
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target); // a copy, so the cache survives ripgrep being removed
  chmodSync(target, 0o755);
}

/** Fails the install now, with a clear message, rather than at server start. */
function checkNativeModules() {
  const missing = [];
  for (const [dir, mod] of [[VSCODE_DIR, '@vscode/spdlog'], [VSCODE_DIR, 'node-pty'], [VSCODE_DIR, '@parcel/watcher'], [PACKAGE_DIR, 'argon2']]) {
    const probe = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(mod)})`], { cwd: dir, encoding: 'utf8' });
    if (probe.status !== 0) missing.push(`${mod}: ${(probe.stderr || '').trim().split('\n').find((l) => /Error/.test(l)) ?? 'failed to load'}`);
  }
  if (missing.length > 0) throw new Error(`native modules did not build: ${missing.join('; ')}`);
}

/** Runs npm in `cwd`, quietly: its output is shown only when it fails. */
function npm(title, cwd, args, extraEnv = {}) {
  log(title);
  const started = Date.now();
  const npmCommand = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  return new Promise((resolvePromise, reject) => {
    // --prefix pins the project folder: when we run under `npm test`, npm_config_local_prefix
    // would otherwise point every nested npm at our own project.
    const child = spawn(npmCommand, ['--prefix', cwd, ...args], { cwd, env: npmEnv(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    const keep = (chunk) => {
      output.push(chunk);
      if (output.length > 400) output.shift();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (status) => {
      if (status === 0) {
        log(`   done in ${Math.round((Date.now() - started) / 1000)} s`);
        resolvePromise();
      } else {
        process.stderr.write(Buffer.concat(output).toString('utf8').split('\n').slice(-60).join('\n') + '\n');
        reject(new Error(`npm ${args.join(' ')} failed with status ${status} in ${cwd}`));
      }
    });
  });
}

/**
 * The environment for nested npm runs: the caller's npm_* variables are dropped (they describe the
 * outer npm command: its prefix, lifecycle, --omit flags) except the ones that say how to reach the
 * registry; node-gyp is pointed at this Node's headers so it never downloads them.
 */
function npmEnv(extra) {
  const keep = /^npm_config_(registry|cache|userconfig|globalconfig|cafile|ca|proxy|https_proxy|noproxy|strict_ssl|nodedir|node_gyp|.*:.*)$/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keep.test(k)));
  const nodePrefix = dirname(dirname(process.execPath));
  if (!env.npm_config_nodedir && existsSync(join(nodePrefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = nodePrefix;
  return { ...env, ...extra };
}

function which(command) {
  const r = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/**
 * An exclusive lock across processes (engineers may run tests side by side in one checkout):
 * mkdir is atomic. A lock whose owner died is taken over.
 */
async function acquireLock() {
  let waited = false;
  // The cache folder itself may not exist yet on a fresh clone; only the lock's own mkdir must be atomic.
  mkdirSync(dirname(LOCK_DIR), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK_DIR, { recursive: false });
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid));
      return () => rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const owner = lockOwner();
    // A lock without a pid for long means its owner died between mkdir and writing the pid.
    if (owner ? !isAlive(owner) : lockAgeMs() > 10_000) {
      rmSync(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    if (!waited) log(`waiting for another code-server install (pid ${owner || '?'}) to finish…`);
    waited = true;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The pid in the lock, or 0 while the owner has not written it yet (or just removed the lock). */
function lockOwner() {
  try {
    return Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8')) || 0;
  } catch {
    return 0;
  }
}

function lockAgeMs() {
  try {
    return Date.now() - statSync(LOCK_DIR).mtimeMs;
  } catch {
    return 0;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

// ---------------------------------------------------------------------------------------------
// Run

/** A port that was free a moment ago (the server binds it right after). */
export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

// Settings that keep the workbench quiet and deterministic: no welcome page, no update or gallery
// checks that fail without internet anyway.
const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  // VS Code desktop's default; code-server's afterDelay would save the unsaved edits tests rely on.
  'files.autoSave': 'off',
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.openRepositoryInParentFolders': 'never',
};

/**
 * Starts code-server on 127.0.0.1 with fresh user-data and extensions folders, and resolves once it
 * answers HTTP. The server runs in its own process group, which `stop()` kills as a whole (the
 * server forks the extension host, the pty host and file watchers); a reaper kills the group too
 * if this process dies first.
 *
 * @param {object} options
 * @param {string} options.workspace folder to open
 * @param {string} [options.extensionDevelopmentPath] extension folder loaded as a development extension
 * @param {Record<string,string>} [options.env] extra environment; the extension host inherits it
 * @param {number} [options.port] default: a free port
 * @param {(line: string) => void} [options.onOutput] each line the server prints
 * @param {string[]} [options.installExtensions] .vsix files installed into the server's fresh extensions folder first, as a user installs them
 */
export async function startCodeServer({ workspace, extensionDevelopmentPath, env = {}, port, onOutput, settings = {}, installExtensions = [] }) {
  if (!existsSync(ENTRY)) throw new Error('code-server is not installed: call ensureCodeServer() first');
  // A free port can be taken between our probe and the server's bind: retry with another one.
  for (let attempt = 1; ; attempt++) {
    const chosen = port ?? (await freePort());
    try {
      return await startOnce({ workspace, extensionDevelopmentPath, env, port: chosen, onOutput, settings, installExtensions });
    } catch (err) {
      if (port !== undefined || attempt >= 3 || !/EADDRINUSE/.test(err.message)) throw err;
    }
  }
}

async function startOnce({ workspace, extensionDevelopmentPath, env, port, onOutput, settings, installExtensions }) {
  const tmp = mkdtempSync(join(tmpdir(), 'gitopshq-code-server-'));
  const userData = join(tmp, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2));
  for (const vsix of installExtensions) installExtension(vsix, { userData, extensionsDir: join(tmp, 'extensions'), env });

  const args = [
    ENTRY,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--user-data-dir', userData,
    '--extensions-dir', join(tmp, 'extensions'),
    // Its own config file: otherwise it creates ~/.config/code-server/config.yaml with a password.
    '--config', join(tmp, 'config.yaml'),
    workspace,
  ];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv(env) });
  const reaper = startReaper(child.pid);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const tail = collectLines(child, onOutput);

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child.pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      // The leader is gone; its children (extension host, pty host) may not be.
      killGroup(child.pid, 'SIGKILL');
      reaper.release();
      rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
    })();
    return stopping;
  };

  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/healthz`, exited, 60_000);
  } catch (err) {
    await stop();
    throw new Error(`${err.message}\n--- code-server output ---\n${tail().join('\n')}`);
  }

  return {
    port,
    process: child,
    /** Absolute URL on this server, e.g. url('/healthz'). */
    url: (path = '/') => `${base}${path}`,
    /**
     * The workbench on `folder` (default: the workspace it was started with), with this server's
     * development extension and, for tests, the compiled test entry.
     */
    workbenchUrl({ folder = workspace, extensionTestsPath } = {}) {
      const remote = (p) => `vscode-remote://127.0.0.1:${port}${resolve(p)}`;
      const payload = [];
      if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
      if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
      payload.push(['skipWelcome', 'true']);
      return `${base}/?folder=${encodeURIComponent(resolve(folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    },
    /** The server side's log files (extension host, output channels); removed by stop(). */
    logsDir: join(userData, 'logs'),
    /** The last lines the server printed (for error reports). */
    output: tail,
    exited,
    stop,
  };
}

/** `code-server --install-extension`: the command a user runs; fails loudly with its output. */
function installExtension(vsix, { userData, extensionsDir, env }) {
  const r = spawnSync(
    process.execPath,
    [ENTRY, '--user-data-dir', userData, '--extensions-dir', extensionsDir, '--install-extension', resolve(vsix)],
    { encoding: 'utf8', env: serverEnv(env), timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (status ${r.status}):\n${r.stdout}${r.stderr}`);
}

/**
 * The server's environment: ours plus `extra`, without VS Code's own variables. When we run inside a
 * VS Code terminal, VSCODE_IPC_HOOK_CLI would make code-server hand the folder to that VS Code and
 * exit instead of starting a server.
 */
function serverEnv(extra) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VSCODE_|ELECTRON_RUN_AS_NODE$)/.test(k)));
  return { ...env, ...extra };
}

/** Passes each output line to `onOutput` and keeps the last 200 for error messages. */
function collectLines(child, onOutput) {
  const lines = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop();
      for (const line of parts) {
        lines.push(line);
        if (lines.length > 200) lines.shift();
        onOutput?.(line);
      }
    });
  }
  return () => [...lines];
}

/** Polls `url` until it answers (any status below 500); fails if `exited` settles first. */
async function waitForHttp(url, exited, timeoutMs) {
  let exit;
  void exited.then((e) => (exit = e));
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (exit) throw new Error(`code-server exited during start-up (code ${exit.code}, signal ${exit.signal})`);
    if (await answers(url)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs / 1000} s`);
}

function answers(url) {
  return new Promise((resolvePromise) => {
    const req = request(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolvePromise(res.statusCode < 500);
    });
    req.on('error', () => resolvePromise(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
