// npm start [-- --port N] [--desktop]
//
// Builds the extension, prepares the demo repository (a fresh Git copy of demo/) and opens the
// extension on it: in code-server (prints the URL to open in a browser), or with --desktop in VS Code
// desktop (`code` on PATH). Runs until Ctrl+C, which stops everything and removes the temp folders.
//
// Everything it runs is a "demo service" { name, start(ctx), stop() }, started in order and stopped
// in reverse. Services share `ctx`: { workspace, env, settings, exited[] } — the demo repository sets
// `workspace`; the demo cluster adds its kubeconfig to `settings` (and KUBECONFIG to `env` for the
// desktop) before the editor starts, and any service can push a promise to `exited` that settles if it dies.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureCodeServer, startCodeServer } from './lib/code-server.mjs';
import { startDemoCluster } from './lib/demo-cluster.mjs';
import { createCleanup, exitOnSignals } from './lib/lifecycle.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => console.log(`[start] ${msg}`);

function demoRepository() {
  let demo;
  return {
    name: 'demo repository',
    async start(ctx) {
      const { prepareDemoRepo } = createRequire(import.meta.url)('./lib/demo-repo.cjs');
      demo = await prepareDemoRepo();
      ctx.workspace = demo.dir;
      log(`demo repository: ${demo.dir}`);
    },
    stop: () => demo?.cleanup(),
  };
}

/**
 * The fake Kubernetes API server with the demo's workloads: production healthy, staging's release
 * failing (crash loop), acme's dev crash-looping; a GitOps controller in it follows the demo repository's
 * deployed branches, so deploying the pending production release rolls it out live. Its kubeconfig reaches the extension through the gitopshq.kubeconfig
 * setting (code-server's fresh profile) or KUBECONFIG (desktop), never the user's ~/.kube.
 */
function demoCluster() {
  let cluster;
  return {
    name: 'demo cluster',
    async start(ctx) {
      cluster = await startDemoCluster({ repo: ctx.workspace, onOutput: (text) => text.startsWith('gitops:') && log(text.trim()) });
      ctx.settings['gitopshq.kubeconfig'] = cluster.kubeconfig;
      ctx.env.KUBECONFIG = cluster.kubeconfig;
      ctx.exited.push(cluster.exited.then(({ code }) => `the demo cluster exited (${code})`));
      log(`demo cluster: ${cluster.url} (kubeconfig ${cluster.kubeconfig})`);
    },
    stop: () => cluster?.stop(),
  };
}

function codeServer({ port }) {
  let server;
  return {
    name: 'code-server',
    async start(ctx) {
      await ensureCodeServer();
      server = await startCodeServer({ workspace: ctx.workspace, extensionDevelopmentPath: ROOT, env: ctx.env, settings: ctx.settings, port });
      ctx.exited.push(server.exited.then(() => `code-server exited:\n${server.output().slice(-20).join('\n')}`));
      console.log(`\nGitOpsHQ demo: ${server.workbenchUrl()}\n`);
    },
    stop: () => server?.stop(),
  };
}

/** VS Code desktop on the demo repository; `--wait` keeps the CLI running until the window closes. */
function desktop() {
  let child;
  return {
    name: 'VS Code desktop',
    async start(ctx) {
      if (spawnSync('sh', ['-c', 'command -v code'], { stdio: 'ignore' }).status !== 0) {
        throw new Error('--desktop needs the `code` command on PATH (VS Code: "Shell Command: Install \'code\' command in PATH"); without --desktop, code-server is used');
      }
      child = spawn('code', ['--new-window', '--wait', `--extensionDevelopmentPath=${ROOT}`, ctx.workspace], {
        stdio: 'inherit',
        env: { ...process.env, ...ctx.env },
      });
      ctx.exited.push(new Promise((r) => child.once('exit', () => r('the VS Code window was closed'))));
      log(`opened VS Code desktop on ${ctx.workspace}`);
    },
    stop: () => {
      if (child?.exitCode === null) child.kill();
    },
  };
}

function parseOptions() {
  const { values } = parseArgs({ options: { port: { type: 'string' }, desktop: { type: 'boolean', default: false } } });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`--port ${values.port} is not a port number`);
  return { port, desktop: values.desktop };
}

async function main() {
  const options = parseOptions();
  const cleanup = createCleanup(log);
  exitOnSignals(cleanup, log);

  log('build: esbuild');
  if (spawnSync(process.execPath, [join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' }).status !== 0) {
    throw new Error('the build failed');
  }

  const services = [demoRepository(), demoCluster(), options.desktop ? desktop() : codeServer(options)];
  const ctx = { workspace: undefined, env: {}, settings: {}, exited: [] };
  try {
    for (const service of services) {
      cleanup.add(service.name, () => service.stop()); // registered first: a half-started service is stopped too
      await service.start(ctx);
    }
    log('running; press Ctrl+C to stop');
    const why = await Promise.race(ctx.exited);
    if (!cleanup.started) log(`stopping: ${why}`); // else Ctrl+C is stopping the services
  } finally {
    await cleanup.run();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`[start] ${err?.message ?? err}`);
    process.exit(1);
  },
);
