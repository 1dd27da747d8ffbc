// How the Git browser reads long histories (issue 16's speed budgets): one page ahead in the background,
// later reads continuing from the last commit's parents when the history above it is a line, --skip
// when a merge makes that unsafe; always the same commits, in the same order, as `git log`. And release
// containment from the ancestry graph, on a history with an unmerged release branch.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { GitOpsHqError } from '../../../src/core/errors';
import { nullLogger, type Logger } from '../../../src/core/logger';
import type { Release } from '../../../src/core/release/types';
import type { HistoryCommit } from '../../../src/core/history/types';
import { GitHistory, type StreamLogOptions } from '../../../src/infra/git/gitHistory';
import { GitRepository } from '../../../src/infra/git/gitRepository';
import { HistoryBrowser } from '../../../src/infra/git/historyBrowser';
import { createTempRepo, type TempRepo } from '../../support/tempGitRepo';

/** The git commands a browser ran, as the queue traces them (when each ends). */
function recorder(): { logger: Logger; commands: string[] } {
  const commands: string[] = [];
  const logger: Logger = { ...nullLogger, trace: (message: string) => void commands.push(message), child: () => logger };
  return { logger, commands };
}

const logs = (commands: string[]) => commands.filter((c) => / log -z /.test(c));

/** Records each history read as it starts: where from, and how many commits it delivered. */
class RecordingHistory extends GitHistory {
  readonly reads: { opts: StreamLogOptions; delivered: number; stopped: boolean }[] = [];
  override streamLog(paths: readonly string[], opts: StreamLogOptions, onCommit: (commit: HistoryCommit) => boolean | void): Promise<void> {
    const read = { opts, delivered: 0, stopped: false };
    this.reads.push(read);
    return super.streamLog(paths, opts, (commit) => {
      read.delivered++;
      const more = onCommit(commit);
      if (more === false) read.stopped = true;
      return more;
    });
  }
}

async function fastImport(dir: string, input: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet'], { cwd: dir, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(err))));
    child.stdin.end(input);
  });
}

const commit = (n: number, file: string, from?: string, merge?: string) =>
  `commit refs/heads/main\nmark :${n}\ncommitter T <t@x> ${1_700_000_000 + n * 60} +0000\ndata ${`c${n}`.length}\nc${n}\n` +
  (from ? `from ${from}\n` : '') +
  (merge ? `merge ${merge}\n` : '') +
  `M 100644 inline ${file}\ndata ${`n: ${n}\n`.length}\nn: ${n}\n\n`;

describe('HistoryBrowser reading long histories', () => {
  describe('on a line of commits', () => {
    let repo: TempRepo;
    before(async function () {
      this.timeout(30_000);
      repo = await createTempRepo();
      // 700 commits; every other one touches v.yaml (350 on the path).
      const chunks: string[] = [];
      for (let n = 1; n <= 700; n++) chunks.push(commit(n, n % 2 === 0 ? 'v.yaml' : 'other.yaml', n > 1 ? `:${n - 1}` : undefined));
      await fastImport(repo.dir, chunks.join(''));
      await repo.git('reset', '-q', '--hard', 'main');
    });
    after(() => repo.cleanup());

    it('answers the next page from the page read ahead, and continues from the last commit, not with --skip', async () => {
      const { logger, commands } = recorder();
      const repository = (await GitRepository.open(repo.dir))!;
      const history = new RecordingHistory(repository, { logger });
      const browser = new HistoryBrowser(history, async () => new Map());
      const q = { paths: ['v.yaml'], releases: [], placementsOf: () => [] };
      const pages = [];
      for (let skip = 0; skip < 400; skip += 100) {
        pages.push(await browser.page(q, { skip, limit: 100 }));
        await browser.idle();
      }
      const all = pages.flatMap((p) => p.entries);
      assert.deepEqual(pages.map((p) => p.more), [true, true, true, false]);
      assert.deepEqual(all.map((e) => e.sha), (await repo.git('log', '--format=%H', '--', 'v.yaml')).trim().split('\n'));
      // The first read fills pages 1 and 2 (and one commit to know there is more); page 2 then reads
      // page 3 ahead from the parents of the last commit held, page 3 reads the rest the same way.
      assert.deepEqual(
        history.reads.map((r) => r.opts.revs),
        [[(await repo.git('rev-parse', 'HEAD')).trim()], all[200]!.parents, all[300]!.parents],
      );
      assert.deepEqual(history.reads.map((r) => r.delivered), [201, 100, 49]);
      assert.deepEqual(logs(commands).filter((c) => c.includes('--skip')), [], 'no read re-walked what was read');
      assert.ok(commands.some((c) => c.includes('rev-list --min-parents=2')), 'the line was checked before continuing from it');
    });

    it('ends git once the page and the next one are read, instead of walking to the root', async () => {
      const repository = (await GitRepository.open(repo.dir))!;
      const history = new RecordingHistory(repository);
      const browser = new HistoryBrowser(history, async () => new Map());
      const page = await browser.page({ paths: ['v.yaml'], releases: [], placementsOf: () => [] }, { limit: 10 });
      await browser.idle();
      assert.equal(page.entries.length, 10);
      assert.equal(page.more, true);
      assert.equal(history.reads.length, 1);
      assert.equal(history.reads[0]?.opts.maxCount, undefined, 'stopped by the reader, not by a count');
      assert.deepEqual([history.reads[0]?.delivered, history.reads[0]?.stopped], [21, true]);
    });

    it('a page whose read-ahead was cancelled by its caller still lets another caller read on', async () => {
      const repository = (await GitRepository.open(repo.dir))!;
      const browser = new HistoryBrowser(new GitHistory(repository), async () => new Map());
      const q = { paths: ['v.yaml'], releases: [], placementsOf: () => [] };
      const controller = new AbortController();
      const first = await browser.page(q, { limit: 100, signal: controller.signal });
      controller.abort();
      await assert.rejects(browser.page(q, { skip: 100, limit: 100, signal: controller.signal }), (err: unknown) => GitOpsHqError.is(err, 'cancelled'));
      const second = await browser.page(q, { skip: 100, limit: 100 });
      const expected = (await repo.git('log', '--format=%H', '--max-count=200', '--', 'v.yaml')).trim().split('\n');
      assert.deepEqual([...first.entries, ...second.entries].map((e) => e.sha), expected);
    });
  });

  describe('with merges', () => {
    let repo: TempRepo;
    let release: string;
    let side: string;
    before(async function () {
      this.timeout(30_000);
      repo = await createTempRepo();
      // main and a feature branch alternate commits on the same file by date, then merge; twice.
      const chunks: string[] = [commit(1, 'v.yaml')];
      let mainTip = ':1';
      let n = 2;
      for (let round = 0; round < 2; round++) {
        const fork = mainTip;
        let featureTip = fork;
        for (let k = 0; k < 6; k++) {
          chunks.push(commit(n, 'v.yaml', mainTip));
          mainTip = `:${n++}`;
          chunks.push(commit(n, `f${round}.yaml`, featureTip).replace('refs/heads/main', `refs/heads/feature${round}`));
          featureTip = `:${n++}`;
        }
        chunks.push(commit(n, 'v.yaml', mainTip, featureTip));
        mainTip = `:${n++}`;
      }
      // An unmerged release branch from the first fork.
      chunks.push(commit(n, 'v.yaml', ':2').replace('refs/heads/main', 'refs/heads/release'));
      await fastImport(repo.dir, chunks.join(''));
      await repo.git('reset', '-q', '--hard', 'main');
      release = (await repo.git('rev-parse', 'release')).trim();
      side = (await repo.git('rev-parse', 'feature0')).trim();
    });
    after(() => repo.cleanup());

    it('pages exactly like git log, reading on with --skip once a merge is above the last commit', async () => {
      const { logger, commands } = recorder();
      const repository = (await GitRepository.open(repo.dir))!;
      const browser = new HistoryBrowser(new GitHistory(repository, { logger }), async () => new Map());
      const q = { paths: ['v.yaml', 'f0.yaml', 'f1.yaml'], releases: [], placementsOf: () => [] };
      const shas: string[] = [];
      for (let skip = 0; ; skip += 2) {
        const page = await browser.page(q, { skip, limit: 2 });
        shas.push(...page.entries.map((e) => e.sha));
        if (!page.more) break;
      }
      assert.deepEqual(shas, (await repo.git('log', '--format=%H', 'HEAD', '--', 'v.yaml', 'f0.yaml', 'f1.yaml')).trim().split('\n'));
      assert.ok(shas.includes(side), 'commits of the merged branch are listed');
      assert.ok(logs(commands).some((c) => c.includes('--skip')), 'a read after a merge skipped');
    });

    it('attributes a commit only to a release whose head contains it', async () => {
      const repository = (await GitRepository.open(repo.dir))!;
      const browser = new HistoryBrowser(new GitHistory(repository), async () => new Map());
      const at = (head: string, id: string) =>
        ({ id, title: id, head, state: 'deployed', createdAt: '2026-01-01T00:00:00Z', environment: 'staging', tenants: ['t'], changes: [{ path: 'v.yaml', blob: null }] }) as unknown as Release;
      const releases = [at(release, 'rel_BRANCH'), at('0'.repeat(40), 'rel_MISSING')];
      const { entries } = await browser.page({ paths: ['v.yaml'], releases, placementsOf: () => [] });
      const log = (await repo.git('log', '--format=%H', '--', 'v.yaml')).trim().split('\n');
      const c1 = log[log.length - 1]!;
      const c2 = (await repo.git('rev-parse', `${release}~1`)).trim();
      const of = (sha: string) => entries.find((e) => e.sha === sha)?.release?.id;
      assert.equal(of(c1), 'rel_BRANCH', 'the release branch contains the first commit');
      assert.equal(of(c2), 'rel_BRANCH', 'and its fork point');
      assert.equal(entries.filter((e) => e.release !== undefined).length, 2, 'no main commit after the fork is in it; a missing head contains nothing');
    });

    it('attributes a blamed line’s commit to a release whose head contains it, cold or after the graph is built', async () => {
      const k = await repo.commit('Add b', { 'b.yaml': 'b: 1\n' });
      const l = await repo.commit('Touch another file', { 'other.yaml': 'o: 1\n' });
      const at = (head: string, id: string) =>
        ({ id, title: id, head, state: 'deployed', createdAt: '2026-01-01T00:00:00Z', environment: 'staging', tenants: ['t'], changes: [{ path: 'b.yaml', blob: null }] }) as unknown as Release;
      const releases = [at(release, 'rel_BRANCH'), at(l, 'rel_L')];
      const repository = (await GitRepository.open(repo.dir))!;
      const file = `${repo.dir}/b.yaml`;
      const history = new WalkRecordingHistory(repository);
      const cold = await new HistoryBrowser(history, async () => new Map()).blame(file, 'b.yaml', 0, { releases, placementsOf: () => [] });
      assert.equal(cold?.line.sha, k);
      assert.equal(cold?.entry?.release?.id, 'rel_L', 'the later release head contains it; the release branch does not');
      assert.deepEqual(history.walks, [{ heads: [release, l], known: cold!.entry!.parents }], 'one walk, stopped at the commit’s parents');
      const warm = new HistoryBrowser(new GitHistory(repository), async () => new Map());
      await warm.page({ paths: ['b.yaml'], releases, placementsOf: () => [] });
      const again = await warm.blame(file, 'b.yaml', 0, { releases, placementsOf: () => [] });
      assert.equal(again?.entry?.release?.id, 'rel_L');
    });
  });
});

/** Records the ancestry walks: which heads, and whose ancestors were left out. */
class WalkRecordingHistory extends GitHistory {
  readonly walks: { heads: readonly string[]; known: readonly string[] }[] = [];
  override walkAncestry(heads: readonly string[], known: readonly string[], onLine: (line: string) => void, signal?: AbortSignal): Promise<void> {
    this.walks.push({ heads, known });
    return super.walkAncestry(heads, known, onLine, signal);
  }
}
