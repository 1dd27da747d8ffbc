// The demo cluster: the fake Kubernetes API server of test/support/kube with the demo's workloads
// (test/support/kube/demo.ts), in its own process, and a kubeconfig for it in a temp folder (never
// the user's ~/.kube). Used by `npm start` and by the integration runner, so both show a live tree.
//
//   const cluster = await startDemoCluster({ stepMs, repo });   // { url, kubeconfig, exited, stop() }
//
// `repo`: the demo repository; a GitOps controller in the server then follows its deployed branches.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function startDemoCluster({ stepMs = 1500, onOutput, repo } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gitopshq-demo-cluster-'));
  const entry = join(dir, 'serve.cjs');
  // Bundled on the fly: `npm start` does not compile the tests, and the server is a few hundred lines.
  await esbuild.build({
    entryPoints: [join(ROOT, 'test', 'support', 'kube', 'serve.ts')],
    outfile: entry,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(process.execPath, [entry, '--kubeconfig', kubeconfig, '--step-ms', String(stepMs), ...(repo ? ['--repo', repo] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    onOutput?.(String(chunk));
  });
  const ready = await new Promise((resolveReady, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) resolveReady(JSON.parse(line));
    });
    void exited.then(({ code }) => reject(new Error(`the demo cluster exited (${code}) before serving:\n${stderr}`)));
  });
  let stopped;
  return {
    url: ready.url,
    kubeconfig,
    exited,
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null) {
          child.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
          if (child.exitCode === null) child.kill('SIGKILL');
        }
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
}
