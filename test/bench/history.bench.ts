// The Git browser on a generated repository (issue 16): 10,000 commits over 2,000 files (25 charts of 4
// files, value layers of 500 workloads in base, dev, staging and production, one variables file), written
// with `git fast-import`. Workload svc007's staging layer is a 2,000-line values file changed by every
// 100th commit; staging's deployed branch holds main's content at commit 9,000. Timed: the first page
// (200) of svc007's history with badges and releases, the next page, and "who changed this" on a line
// of the 2,000-line file, cold (a fresh browser) and cached.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitHistory } from '../../src/infra/git/gitHistory';
import { GitRepository } from '../../src/infra/git/gitRepository';
import { HistoryBrowser } from '../../src/infra/git/historyBrowser';
import { runGit } from '../support/tempGitRepo';
import type { BenchResult } from './projectIndex.bench';
import { median, round } from './stats';

const COMMITS = 10_000;
const RUNS = 5;
const svc = (i: number) => `svc${String(i).padStart(3, '0')}`;
const BIG = 'values/staging/svc007.yaml';

export async function run(): Promise<BenchResult[]> {
  const root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-bench-history-')));
  try {
    await generate(root);
    const repository = (await GitRepository.open(root))!;
    const tips = async () => new Map([...(await repository.deployedBranches())].map(([k, v]) => [k, v.sha]));
    const paths = ['.gitopshq/variables.yaml', 'charts/chart07', 'values/base/svc007.yaml', BIG, 'values/production/svc007.yaml', 'values/dev/svc007.yaml'];
    const placementsOf = (p: string) =>
      p.includes('/staging/') ? [{ tenant: 'main', environment: 'staging' }] : p.startsWith('values/base') || p.startsWith('charts') || p.startsWith('.gitopshq') ? [{ tenant: 'main', environment: 'staging' }, { tenant: 'main', environment: 'production' }] : [];
    const head = (await runGit(root, ['rev-parse', 'HEAD~500'])).trim();
    const releases = [{ id: 'rel_BENCH', title: 'Bench', head, state: 'deployed', createdAt: '2026-01-01T00:00:00Z', changes: [{ path: BIG, blob: null }] }] as never[];
    const first: number[] = [];
    const next: number[] = [];
    const cold: number[] = [];
    const cached: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const browser = new HistoryBrowser(new GitHistory(repository), tips);
      let t = performance.now();
      const page = await browser.page({ paths, placementsOf, releases });
      first.push(performance.now() - t);
      if (page.entries.length !== 200 || !page.more || !page.entries.some((e) => e.badges.length > 0)) throw new Error('expected a full first page with badges');
      t = performance.now();
      const second = await browser.page({ paths, placementsOf, releases }, { skip: 200 });
      next.push(performance.now() - t);
      if (second.entries.length === 0) throw new Error('expected a second page');
      // The browser reads the third page ahead in the background; a hover comes after that, not during it.
      await browser.idle();
      const blamer = new HistoryBrowser(new GitHistory(repository), tips);
      t = performance.now();
      const answer = await blamer.blame(path.join(root, BIG), BIG, 1000 + i, { placementsOf, releases });
      cold.push(performance.now() - t);
      if (!answer?.entry) throw new Error('expected a blamed commit');
      t = performance.now();
      await blamer.blame(path.join(root, BIG), BIG, 1000 + i, { placementsOf, releases });
      cached.push(performance.now() - t);
    }
    return [
      { name: 'history.firstPage.10000commits', value: round(median(first)), unit: 'ms', budget: 500 },
      { name: 'history.nextPage.10000commits', value: round(median(next)), unit: 'ms', budget: 200 },
      { name: 'history.blame.2000lines.cold', value: round(median(cold)), unit: 'ms', budget: 300 },
      { name: 'history.blame.2000lines.cached', value: round(median(cached)), unit: 'ms', budget: 5 },
    ];
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

export async function generate(root: string): Promise<void> {
  await runGit(root, ['init', '-q', '-b', 'main']);
  const files = ['.gitopshq/variables.yaml'];
  for (let c = 0; c < 25; c++) {
    const chart = `charts/chart${String(c).padStart(2, '0')}`;
    files.push(`${chart}/Chart.yaml`, `${chart}/values.yaml`, `${chart}/templates/deployment.yaml`, `${chart}/templates/service.yaml`);
  }
  for (const layer of ['base', 'dev', 'staging', 'production']) for (let i = 0; i < (layer === 'production' ? 399 : 500); i++) files.push(`values/${layer}/${svc(i)}.yaml`);
  let random = 7;
  const pick = () => {
    random = (random * 1103515245 + 12345) % 2 ** 31;
    return files[random % files.length] as string;
  };
  const big = (n: number) => Array.from({ length: 2000 }, (_, l) => `key${l}: ${l % 100 === n % 100 ? `v${n}` : `v${Math.floor(n / 1000)}-${l}`}`).join('\n') + '\n';
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const chunks: string[] = [];
  for (let n = 1; n <= COMMITS; n++) {
    chunks.push(`commit refs/heads/main\nmark :${n}\ncommitter Bench <bench@example.com> ${1_700_000_000 + n * 60} +0000\n${data(`Change ${n}`)}`);
    if (n === 1) {
      for (const f of files) chunks.push(`M 100644 inline ${f}\n${data(f === BIG ? big(0) : `# ${f}\nreplicas: 1\n`)}`);
    } else {
      chunks.push(`from :${n - 1}\n`);
      for (let k = 0; k < 2; k++) {
        const f = pick();
        if (f !== BIG) chunks.push(`M 100644 inline ${f}\n${data(`# ${f}\nreplicas: ${n}\n`)}`);
      }
      if (n % 100 === 0) chunks.push(`M 100644 inline ${BIG}\n${data(big(n))}`);
      if (n % 50 === 0) chunks.push(`M 100644 inline values/base/svc007.yaml\n${data(`replicas: ${n}\n`)}`);
    }
    chunks.push('\n');
    if (n === 9_000) chunks.push(`reset refs/heads/gitopshq/deployed/main/staging\nfrom :${n}\n\n`);
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet'], { cwd: root, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(err))));
    child.stdin.end(chunks.join(''));
  });
  await runGit(root, ['reset', '-q', '--hard', 'main']);
}
