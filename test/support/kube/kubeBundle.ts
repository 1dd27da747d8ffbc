// The Kubernetes bundle as it ships: src/infra/kube/index.ts built with esbuild the way esbuild.mjs
// builds dist/kube.js (node, cjs, bundled), into a temp folder, once per test process. Tests compiled
// to CommonJS cannot require the ESM-only @kubernetes/client-node directly on every Node 20.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

export type KubeBundle = typeof import('../../../src/infra/kube/index');

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
let built: Promise<KubeBundle> | undefined;

export function loadKubeBundle(): Promise<KubeBundle> {
  built ??= (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gitopshq-kube-bundle-'));
    const outfile = path.join(dir, 'kube.js');
    await esbuild.build({
      entryPoints: [path.join(repoRoot, 'src', 'infra', 'kube', 'index.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    });
    return require(outfile) as KubeBundle;
  })();
  return built;
}
