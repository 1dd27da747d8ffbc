// The Git browser's answers (issue 16), from GitHistory's reads: pages of a target's history with the
// release that carried each commit and where its change is deployed, and "who changed this line".
// Everything Git says about a commit is immutable, so it is cached by commit; what moves (HEAD, the
// deployed branches) is part of each cache key.
import { stat } from 'node:fs/promises';
import { carryingRelease, releasesTouching } from '../../core/history/attribution';
import { commitBadges, type PlacementsOf } from '../../core/history/badges';
import type { Badge, BlameLine, HistoryCommit, Placement } from '../../core/history/types';
import type { Release } from '../../core/release/types';
import type { GitHistory } from './gitHistory';

export interface HistoryEntry extends HistoryCommit {
  release?: { id: string; title: string; state: Release['state'] };
  badges: Badge[];
}

export interface HistoryQuery {
  /** Repository-relative paths (files or folders). */
  paths: readonly string[];
  follow?: boolean;
  /** Revisions to walk (default HEAD). */
  revs?: readonly string[];
  placementsOf: PlacementsOf;
  releases: readonly Release[];
}

export interface BlameAnswer {
  line: BlameLine;
  /** Undefined for an uncommitted line. */
  entry?: HistoryEntry;
}

/** Deployed branch tips keyed `tenant/env`. */
export type DeployedTips = () => Promise<Map<string, string>>;

const MAX_SESSIONS = 32;
const MAX_BLOBS = 200_000;
const MAX_BLAMES = 64;

interface Session {
  commits: HistoryCommit[];
  done: boolean;
  loading?: Promise<void> | undefined;
}

export class HistoryBrowser {
  private readonly sessions = new Map<string, Session>();
  private readonly blobs = new Map<string, string | null>();
  private readonly reachable = new Map<string, Promise<Set<string>>>();
  private readonly blames = new Map<string, Promise<BlameLine[]>>();
  private readonly answers = new Map<string, Promise<HistoryEntry>>();

  constructor(
    readonly git: GitHistory,
    private readonly tips: DeployedTips,
  ) {}

  /** Commits `skip` to `skip + limit` (newest first) and whether there are more. */
  async page(query: HistoryQuery, opts: { skip?: number; limit?: number; signal?: AbortSignal } = {}): Promise<{ entries: HistoryEntry[]; more: boolean }> {
    const skip = Math.max(0, opts.skip ?? 0);
    const limit = Math.max(0, opts.limit ?? 200);
    const head = await this.git.headKey();
    const key = [head, query.follow ? 'follow' : '', ...(query.revs ?? ['HEAD']), '--', ...query.paths].join('\u0000');
    let session = this.sessions.get(key);
    if (!session) {
      session = { commits: [], done: false };
      this.sessions.set(key, session);
      if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    }
    // One more than asked: it tells whether a "Load more" is worth showing.
    while (!session.done && session.commits.length < skip + limit + 1) {
      const s = session;
      s.loading ??= (async () => {
        const want = Math.max(200, skip + limit + 1 - s.commits.length);
        const got = await this.git.log(query.paths, {
          skip: s.commits.length,
          limit: want,
          ...(query.follow ? { follow: true } : {}),
          ...(query.revs ? { revs: query.revs } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        s.commits.push(...got);
        if (got.length < want) s.done = true;
      })().finally(() => (s.loading = undefined));
      await s.loading;
    }
    const upto = session.commits.slice(0, skip + limit);
    const pageCommits = upto.slice(skip);
    const entries = await this.describe(upto, pageCommits, query, opts.signal);
    return { entries, more: session.commits.length > skip + limit };
  }

  /**
   * The last commit that changed 0-based `line` of the saved file `repoPath` (absolute `absPath`),
   * with its release and badges. Cached per file revision (HEAD, size and mtime).
   */
  async blame(absPath: string, repoPath: string, line: number, query: Omit<HistoryQuery, 'paths' | 'follow'>, signal?: AbortSignal): Promise<BlameAnswer | undefined> {
    const [head, info] = await Promise.all([this.git.headKey(), stat(absPath)]);
    const key = `${absPath}\u0000${head}\u0000${info.size}\u0000${info.mtimeMs}`;
    let lines = this.blames.get(key);
    if (!lines) {
      for (const k of this.blames.keys()) if (k.startsWith(`${absPath}\u0000`)) this.blames.delete(k);
      lines = this.git.blame(repoPath, signal);
      this.blames.set(key, lines);
      lines.catch(() => this.blames.delete(key));
      if (this.blames.size > MAX_BLAMES) this.blames.delete(this.blames.keys().next().value as string);
    }
    const blamed = (await lines)[line + 1];
    if (!blamed) return undefined;
    if (blamed.uncommitted) return { line: blamed };
    const tips = await this.tips();
    const answerKey = [head, blamed.sha, blamed.filename, repoPath, ...[...tips].map(([k, v]) => `${k}=${v}`).sort()].join('\u0000');
    let entry = this.answers.get(answerKey);
    if (!entry) {
      entry = this.commitEntry(blamed, repoPath, query, signal);
      this.answers.set(answerKey, entry);
      entry.catch(() => this.answers.delete(answerKey));
      if (this.answers.size > 5_000) this.answers.delete(this.answers.keys().next().value as string);
    }
    return { line: blamed, entry: await entry };
  }

  /** Forget everything keyed by things that can move without HEAD moving (a release file, a deploy). */
  invalidate(): void {
    this.answers.clear();
  }

  // -------------------------------------------------------------------------------------------

  private async commitEntry(blamed: BlameLine, repoPath: string, query: Omit<HistoryQuery, 'paths' | 'follow'>, signal?: AbortSignal): Promise<HistoryEntry> {
    const paths = [...new Set([repoPath, blamed.filename])];
    // The commit and every later one that touched the file: their contents are what "deployed" may hold.
    const commits = await this.git.log(paths, { limit: 10_000, revs: ['HEAD', '--not', `${blamed.sha}^@`], ...(signal ? { signal } : {}) });
    const own = commits.find((c) => c.sha === blamed.sha) ?? (await this.git.commitFiles(blamed.sha, signal));
    if (!own) throw new Error(`Commit ${blamed.sha} is not in this repository.`);
    const list = commits.some((c) => c.sha === own.sha) ? commits : [...commits, own];
    const [entry] = await this.describe(list, [own], { ...query, paths }, signal);
    return entry as HistoryEntry;
  }

  /** Entries for `page`, with "later" contents read from `upto` (every newer commit, newest first). */
  private async describe(upto: HistoryCommit[], page: HistoryCommit[], query: HistoryQuery, signal?: AbortSignal): Promise<HistoryEntry[]> {
    const tips = await this.tips();
    const placementsCache = new Map<string, readonly Placement[]>();
    const placementsOf = (p: string) => {
      let list = placementsCache.get(p);
      if (!list) placementsCache.set(p, (list = query.placementsOf(p)));
      return list;
    };
    // Only the page's files need the deployed branches' blobs: older commits are judged on later pages.
    const wanted: { tip: string; path: string }[] = [];
    for (const commit of page) {
      for (const file of commit.files) {
        for (const placement of placementsOf(file.path)) {
          const tip = tips.get(`${placement.tenant}/${placement.environment}`);
          if (tip !== undefined && !this.blobs.has(`${tip}:${file.path}`)) wanted.push({ tip, path: file.path });
        }
      }
    }
    const unique = [...new Map(wanted.map((w) => [`${w.tip}:${w.path}`, w])).values()];
    const relevant = releasesTouching(query.releases, query.paths.length > 0 ? query.paths : page.flatMap((c) => c.files.map((f) => f.path)));
    const [found, contained] = await Promise.all([
      this.git.blobsAt(unique, signal),
      Promise.all(relevant.map(async (r) => [r.id, await this.reachableFrom(r.head, query.paths, signal)] as const)),
    ]);
    unique.forEach((w, i) => this.blobs.set(`${w.tip}:${w.path}`, found[i] ?? null));
    if (this.blobs.size > MAX_BLOBS) this.blobs.clear();
    const containedBy = new Map(contained);

    const pageShas = new Set(page.map((c) => c.sha));
    const badges = commitBadges(
      upto,
      (p) => placementsOf(p),
      (placement, p) => {
        const tip = tips.get(`${placement.tenant}/${placement.environment}`);
        if (tip === undefined) return undefined;
        // Commits outside the page are only read for their contents; their own badges are not used.
        return this.blobs.get(`${tip}:${p}`) ?? null;
      },
    );
    return page.map((commit) => {
      const release = carryingRelease(commit, relevant, (r, sha) => r.head === sha || (containedBy.get(r.id)?.has(sha) ?? false));
      const entry: HistoryEntry = { ...commit, badges: pageShas.has(commit.sha) ? (badges.get(commit.sha) ?? []) : [] };
      if (release) entry.release = { id: release.id, title: release.title, state: release.state };
      return entry;
    });
  }

  private reachableFrom(head: string, paths: readonly string[], signal?: AbortSignal): Promise<Set<string>> {
    const key = [head, ...paths].join('\u0000');
    let result = this.reachable.get(key);
    if (!result) {
      result = this.git.reachable(head, paths, signal);
      this.reachable.set(key, result);
      result.catch(() => this.reachable.delete(key));
      if (this.reachable.size > 1_000) this.reachable.delete(this.reachable.keys().next().value as string);
    }
    return result;
  }
}
