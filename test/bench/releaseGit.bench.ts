// Release Git operations on a generated repository (npm run bench, or
// node -e "require('./out/test/bench/releaseGit.bench.js').run().then(r=>console.log(r))"):
// 5,000 commits over 2,000 files (25 charts of 4 files, values for 500 workloads in base, dev and
// staging, 399 in production, one variables file), written with `git fast-import` in a temp folder. The deployed branch
// of (main, staging) sits 1,000 commits behind main, and the work tree has a few uncommitted edits.
// Timed: candidate changes for staging over the paths of all its workloads (as the service asks
// them: one path per layer file and chart folder), and the creation of a release (commitRelease).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitRepository } from '../../src/infra/git/gitRepository';
import { ReleaseGit } from '../../src/infra/git/releaseGit';
import { runGit } from '../support/tempGitRepo';
import type { BenchResult } from './projectIndex.bench';
import { median, round } from './stats';

const COMMITS = 5_000;
const DEPLOYED_AT = 4_000;
const CHARTS = 25;
const WORKLOADS = 500;
const LAYERS: [string, number][] = [
  ['base', 500],
  ['dev', 500],
  ['staging', 500],
  ['production', 399],
];
const RUNS = 5;
const AUTHOR = { name: 'Bench Runner', email: 'bench@example.com' };

export async function run(): Promise<BenchResult[]> {
  const root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-bench-release-')));
  try {
    const files = await generate(root);
    if (files !== 2_000) throw new Error(`expected 2000 files, generated ${files}`);
    const repository = await GitRepository.open(root);
    if (repository === undefined) throw new Error('the generated repository did not open');
    const git = await ReleaseGit.open(repository);
    const paths = stagingPaths();

    await git.candidateChanges('main', 'staging', paths, { includeUncommitted: true }); // warm-up
    const candidateTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const changes = await git.candidateChanges('main', 'staging', paths, { includeUncommitted: true });
      candidateTimes.push(performance.now() - started);
      if (changes.length === 0 || !changes.some((change) => change.uncommitted)) throw new Error('expected committed and uncommitted candidate changes');
    }

    const createTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const expectedHead = (await git.head()).sha;
      const started = performance.now();
      await git.commitRelease({
        releasePath: `.gitopshq/releases/rel_BENCH${i}.yaml`,
        content: `apiVersion: gitopshq.io/v1alpha1\nkind: Release\nid: rel_BENCH${i}\ntitle: Bench release ${i}\n`,
        message: `Release: Bench release ${i}`,
        expectedHead,
        author: AUTHOR,
      });
      createTimes.push(performance.now() - started);
    }
    return [
      { name: 'release.candidateChanges.5000commits', value: round(median(candidateTimes)), unit: 'ms', budget: 1000 },
      { name: 'release.commitRelease.5000commits', value: round(median(createTimes)), unit: 'ms', budget: 1000 },
    ];
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

const svc = (i: number) => `svc${String(i).padStart(3, '0')}`;
const chartOf = (i: number) => `chart${String(i % CHARTS).padStart(2, '0')}`;

/** The paths that affect staging, one per layer file and chart folder (tenant layers mostly absent). */
function stagingPaths(): string[] {
  const paths = new Set<string>(['.gitopshq/variables.yaml']);
  for (let i = 0; i < WORKLOADS; i++) {
    paths.add(`charts/${chartOf(i)}`);
    paths.add(`values/base/${svc(i)}.yaml`);
    paths.add(`values/staging/${svc(i)}.yaml`);
    paths.add(`values/staging/main/${svc(i)}.yaml`);
  }
  return [...paths];
}

/** Writes the repository with fast-import; returns the number of files at HEAD. */
async function generate(root: string): Promise<number> {
  await runGit(root, ['init', '-q', '-b', 'main']);
  const files: string[] = ['.gitopshq/variables.yaml'];
  for (let c = 0; c < CHARTS; c++) {
    const chart = `charts/chart${String(c).padStart(2, '0')}`;
    files.push(`${chart}/Chart.yaml`, `${chart}/values.yaml`, `${chart}/templates/deployment.yaml`, `${chart}/templates/service.yaml`);
  }
  for (const [layer, count] of LAYERS) for (let i = 0; i < count; i++) files.push(`values/${layer}/${svc(i)}.yaml`);

  let random = 42;
  const next = (n: number) => {
    random = (random * 1103515245 + 12345) % 2 ** 31;
    return random % n;
  };
  const chunks: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const time = 1_700_000_000;
  for (let n = 1; n <= COMMITS; n++) {
    chunks.push(`commit refs/heads/main\nmark :${n}\n`);
    chunks.push(`author ${AUTHOR.name} <${AUTHOR.email}> ${time + n * 60} +0000\ncommitter ${AUTHOR.name} <${AUTHOR.email}> ${time + n * 60} +0000\n`);
    chunks.push(data(`Change ${n}`));
    if (n === 1) {
      for (const file of files) chunks.push(`M 100644 inline ${file}\n${data(`# ${file}\nreplicas: 1\nimage: v1\n`)}`);
    } else {
      chunks.push(`from :${n - 1}\n`);
      for (let k = 0; k < 2; k++) {
        const file = files[next(files.length)] ?? files[0];
        chunks.push(`M 100644 inline ${file}\n${data(`# ${file}\nreplicas: ${n}\nimage: v${n % 97}\n`)}`);
      }
    }
    chunks.push('\n');
    if (n === DEPLOYED_AT) chunks.push(`reset refs/heads/gitopshq/deployed/main/staging\nfrom :${n}\n\n`);
  }
  await fastImport(root, chunks.join(''));
  await runGit(root, ['reset', '-q', '--hard', 'main']);
  // A few uncommitted edits and a new file, as a user would have them.
  for (let i = 0; i < 5; i++) await fs.appendFile(path.join(root, 'values', 'staging', `${svc(i * 7)}.yaml`), `edited: ${i}\n`);
  await fs.mkdir(path.join(root, 'values', 'staging', 'main'), { recursive: true });
  await fs.writeFile(path.join(root, 'values', 'staging', 'main', `${svc(3)}.yaml`), 'replicas: 9\n');
  return (await runGit(root, ['ls-files'])).split('\n').filter(Boolean).length;
}

function fastImport(cwd: string, stream: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet'], { cwd, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import failed (${code}): ${stderr}`))));
    child.stdin.end(stream);
  });
}
