// The Git browser's answers (issue 16), from GitHistory's reads: pages of a target's history with the
// release that carried each commit and where its change is deployed, and "who changed this line".
// Everything Git says about a commit is immutable, so it is cached by commit; what moves (HEAD, the
// deployed branches) is part of each cache key.
import { stat } from 'node:fs/promises';
import { GitOpsHqError } from '../../core/errors';
import { AncestryGraph } from '../../core/history/ancestry';
import { carryingRelease, releasesTouching } from '../../core/history/attribution';
import { commitBadges, type PlacementsOf } from '../../core/history/badges';
import type { Badge, BlameLine, HistoryCommit, Placement } from '../../core/history/types';
import type { Release } from '../../core/release/types';
import type { GitHistory } from './gitHistory';
import { isCancelled } from './gitProcess';

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
/** Past this many commits the ancestry graph starts over (about 150 bytes a commit). */
const MAX_GRAPH = 2_000_000;

/** One target's history as read so far, newest first. */
interface Session {
  commits: HistoryCommit[];
  /** The walk reached the end of the history. */
  done: boolean;
  /** The git log running for this session, if any. */
  reader?: Reader | undefined;
  /** Pages waiting for more commits (woken per commit and when a read ends). */
  waiters: Set<() => void>;
  /**
   * Revisions from which the history down to the last commit read is known to be a line (no merge):
   * a new read then continues from the last commit's parents instead of skipping what was read.
   * Undefined once a merge was seen (or for --follow and excluding revisions): reads use --skip.
   */
  lineFrom: readonly string[] | undefined;
}

interface Reader {
  /** The read stops (git is ended) once the session holds this many commits. */
  target: number;
  /** Settles with the error that ended the read, if any; never rejects. */
  ended: Promise<unknown>;
}

export class HistoryBrowser {
  private readonly sessions = new Map<string, Session>();
  private readonly blobs = new Map<string, string | null>();
  private ancestry = new AncestryGraph();
  private walking: Promise<void> | undefined;
  private readonly blames = new Map<string, Promise<BlameLine[]>>();
  private readonly answers = new Map<string, Promise<HistoryEntry>>();

  constructor(
    readonly git: GitHistory,
    private readonly tips: DeployedTips,
  ) {}

  /**
   * Commits `skip` to `skip + limit` (newest first) and whether there are more. The git log is read as
   * it streams and ended once the page is full, except that it reads on for one more page in the
   * background ("Load more" is then answered from memory); a later read continues from the last
   * commit read when the history above it is a line, else skips what was read.
   */
  async page(query: HistoryQuery, opts: { skip?: number; limit?: number; signal?: AbortSignal } = {}): Promise<{ entries: HistoryEntry[]; more: boolean }> {
    const skip = Math.max(0, opts.skip ?? 0);
    const limit = Math.max(0, opts.limit ?? 200);
    const head = await this.git.headKey();
    // The releases' ancestry is read while git walks the history (describe joins that walk).
    if (query.paths.length > 0) this.ensureAncestry(releasesTouching(query.releases, query.paths).map((r) => r.head), opts.signal).catch(() => undefined);
    const key = [head, query.follow ? 'follow' : '', ...(query.revs ?? ['HEAD']), '--', ...query.paths].join('\u0000');
    let session: Session | undefined = this.sessions.get(key);
    if (!session) {
      const plain = !query.follow && (query.revs ?? []).every((r) => !r.startsWith('-') && !r.startsWith('^'));
      session = { commits: [], done: false, waiters: new Set(), lineFrom: plain ? this.startRevs(query, head) : undefined };
      this.sessions.set(key, session);
      if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    }
    // One more than asked tells whether a "Load more" is worth showing.
    await this.fill(session, query, head, skip + limit + 1, skip + 2 * limit + 1, opts.signal);
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

  /** Settles when no read ahead and no ancestry walk is running (tests and the bench wait for quiet). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.sessions.values()].flatMap((s) => (s.reader ? [s.reader.ended] : []));
      if (this.walking) running.push(this.walking.catch(() => undefined));
      if (running.length === 0) return;
      await Promise.all(running);
    }
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
    const [entry] = await this.describe(list, [own], { ...query, paths }, signal, own);
    return entry as HistoryEntry;
  }

  /**
   * Entries for `page`, with "later" contents read from `upto` (every newer commit, newest first).
   * With `single` (a blamed commit), containment comes from a walk bounded by that commit unless the
   * ancestry graph already knows every head.
   */
  private async describe(upto: HistoryCommit[], page: HistoryCommit[], query: HistoryQuery, signal?: AbortSignal, single?: HistoryCommit): Promise<HistoryEntry[]> {
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
    const heads = relevant.map((r) => r.head);
    const [found, contains] = await Promise.all([
      this.git.blobsAt(unique, signal),
      single && !heads.every((h) => this.ancestry.knows(h))
        ? this.containing(heads, single, signal)
        : this.ensureAncestry(heads, signal).then(() => (head: string, sha: string) => this.ancestry.contains(head, sha)),
    ]);
    unique.forEach((w, i) => this.blobs.set(`${w.tip}:${w.path}`, found[i] ?? null));
    if (this.blobs.size > MAX_BLOBS) this.blobs.clear();

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
      const release = carryingRelease(commit, relevant, (r, sha) => contains(r.head, sha));
      const entry: HistoryEntry = { ...commit, badges: pageShas.has(commit.sha) ? (badges.get(commit.sha) ?? []) : [] };
      if (release) entry.release = { id: release.id, title: release.title, state: release.state };
      return entry;
    });
  }

  /** Reads until the session holds `want` commits (or all there are); the read goes on to `ahead`. */
  private async fill(session: Session, query: HistoryQuery, head: string, want: number, ahead: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw new GitOpsHqError('cancelled', 'Reading the history was cancelled.');
      if (session.reader) session.reader.target = Math.max(session.reader.target, ahead);
      if (session.done || session.commits.length >= want) {
        if (!session.reader && !session.done && session.commits.length < ahead) this.startRead(session, query, head, ahead, signal);
        return;
      }
      const reader = session.reader ?? this.startRead(session, query, head, ahead, signal);
      let wake: () => void = () => undefined;
      const woken = new Promise<void>((resolve) => {
        wake = () => {
          if (session.commits.length >= want || session.reader !== reader || signal?.aborted) resolve();
        };
      });
      session.waiters.add(wake);
      const onAbort = () => wake();
      signal?.addEventListener('abort', onAbort, { once: true });
      const error = await Promise.race([woken.then(() => undefined), reader.ended]);
      session.waiters.delete(wake);
      signal?.removeEventListener('abort', onAbort);
      // A read another page started and then cancelled is not this page's failure: read again.
      if (error !== undefined && !(isCancelled(error) && !signal?.aborted)) throw error;
    }
  }

  private startRead(session: Session, query: HistoryQuery, head: string, target: number, signal?: AbortSignal): Reader {
    const reader: Reader = { target, ended: Promise.resolve(undefined) };
    session.reader = reader;
    const wakeAll = () => {
      for (const wake of session.waiters) wake();
    };
    reader.ended = (async () => {
      const from = await this.resumeAt(session, query, head, signal);
      if (from === 'end') {
        session.done = true;
        return undefined;
      }
      let reached = false;
      await this.git.streamLog(
        query.paths,
        { ...from, ...(query.follow ? { follow: true } : {}), ...(signal ? { signal } : {}) },
        (commit) => {
          session.commits.push(commit);
          wakeAll();
          if (session.commits.length < reader.target) return true;
          reached = true;
          return false;
        },
      );
      if (!reached) session.done = true;
      return undefined;
    })()
      .catch((err: unknown) => err)
      .finally(() => {
        if (session.reader === reader) session.reader = undefined;
        wakeAll();
      });
    return reader;
  }

  /** Where the next read of a session starts: the last commit's parents when the history above it is a line. */
  private async resumeAt(session: Session, query: HistoryQuery, head: string, signal?: AbortSignal): Promise<{ revs?: readonly string[]; skip?: number } | 'end'> {
    const last = session.commits[session.commits.length - 1];
    if (!last) return { revs: this.startRevs(query, head) };
    if (session.lineFrom) {
      if (!(await this.git.mergeAbove(session.lineFrom, last.sha, signal))) {
        session.lineFrom = [last.sha];
        return last.parents.length === 0 ? 'end' : { revs: last.parents };
      }
      session.lineFrom = undefined;
    }
    return { revs: this.startRevs(query, head), skip: session.commits.length };
  }

  /** The revisions a session walks: HEAD as it was when the session began (its key), unless told. */
  private startRevs(query: HistoryQuery, head: string): readonly string[] {
    return query.revs ?? (/^[0-9a-f]{40,64}$/.test(head) ? [head] : ['HEAD']);
  }

  /**
   * Which of `heads` contain `commit`, from a walk of the heads that stops at the commit's parents'
   * ancestors: every commit on a path from a head down to `commit` descends from it, so none is cut
   * off. It reads only the commits above `commit` (a recent blamed line reads few), where the full
   * graph reads all of history.
   */
  private async containing(heads: readonly string[], commit: HistoryCommit, signal?: AbortSignal): Promise<(head: string, sha: string) => boolean> {
    const graph = new AncestryGraph();
    await this.git.walkAncestry(heads, commit.parents, (line) => graph.addLine(line), signal);
    graph.addHeads(heads);
    return (head, sha) => graph.contains(head, sha);
  }

  /** Makes sure the ancestry graph holds every ancestor of `heads` (one walk at a time; later ones add only what is new). */
  private async ensureAncestry(heads: readonly string[], signal?: AbortSignal): Promise<void> {
    for (;;) {
      const missing = [...new Set(heads)].filter((h) => !this.ancestry.knows(h));
      if (missing.length === 0) return;
      if (!this.walking) {
        if (this.ancestry.size > MAX_GRAPH) this.ancestry = new AncestryGraph();
        const graph = this.ancestry;
        this.walking = this.git
          .walkAncestry(missing, graph.walked, (line) => graph.addLine(line), signal)
          .then(() => graph.addHeads(missing))
          .finally(() => (this.walking = undefined));
      }
      try {
        await this.walking;
      } catch (err) {
        // Another caller's walk was cancelled: walk again for this one.
        if (!isCancelled(err) || signal?.aborted) throw err;
      }
    }
  }
}
