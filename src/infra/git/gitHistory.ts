// The Git browser's reads (issue 16), all through one bounded GitQueue: a page of the history of some
// paths (streamed and parsed record by record), the files of one commit, a file's text at a commit,
// the blobs the deployed branches hold, the commit graph above release heads (streamed), porcelain blame, and
// the refs the Git Browser node lists. Diffs never run external diff or textconv programs.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { parseBlamePorcelain } from '../../core/history/blame';
import type { BlameLine, CommitFile, HistoryCommit } from '../../core/history/types';
import type { Logger } from '../../core/logger';
import { GitQueue, type QueueOptions } from './gitQueue';
import { DEPLOYED_BRANCH_PREFIX, type GitRepository } from './gitRepository';

const RECORD = '\x1e';
const FORMAT = '--format=%x1e%H%x00%P%x00%an%x00%ae%x00%aI%x00%s%x00';
/** A file's text larger than this is not shown in a diff (the editor says why). */
export const MAX_SHOWN_BYTES = 5 * 1024 * 1024;

export interface LogOptions {
  skip?: number;
  limit: number;
  /** Follow one file across renames (`--follow`; git allows it for a single path only). */
  follow?: boolean;
  /** Revisions to walk (default HEAD), e.g. `['HEAD', '--not', '<sha>^@']`. */
  revs?: readonly string[];
  signal?: AbortSignal;
}

export interface StreamLogOptions {
  skip?: number;
  maxCount?: number;
  follow?: boolean;
  revs?: readonly string[];
  signal?: AbortSignal;
}

export interface RefSummary {
  name: string;
  sha: string;
  /** Committer date, ISO 8601. */
  date: string;
  subject: string;
}

export interface BrowserRefs {
  main: RefSummary | undefined;
  deployed: (RefSummary & { tenant: string; environment: string })[];
  tags: RefSummary[];
}

export class GitHistory {
  readonly queue: GitQueue;

  constructor(
    readonly repo: Pick<GitRepository, 'root' | 'gitDir' | 'commonDir' | 'trusted' | 'relative'>,
    options: Omit<QueueOptions, 'trusted'> & { logger?: Logger } = {},
  ) {
    this.queue = new GitQueue(repo.root, { ...options, trusted: repo.trusted });
  }

  /** Commits that touched `paths` (repo-relative), newest first, with their files against the first parent. */
  async log(paths: readonly string[], opts: LogOptions): Promise<HistoryCommit[]> {
    if (opts.limit <= 0) return [];
    const commits: HistoryCommit[] = [];
    await this.streamLog(paths, { ...opts, maxCount: opts.limit }, (commit) => {
      commits.push(commit);
      return commits.length < opts.limit;
    });
    return commits;
  }

  /**
   * Streams the commits that touched `paths`, newest first, parsed as they arrive (never held whole).
   * `onCommit` returning false ends git at once: a page stops the walk when it is full instead of
   * letting git walk on to the root.
   */
  async streamLog(paths: readonly string[], opts: StreamLogOptions, onCommit: (commit: HistoryCommit) => boolean | void): Promise<void> {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    let stopped = false;
    const take = (text: string, final: boolean) => {
      pending += text;
      const records = pending.split(RECORD);
      pending = final ? '' : (records.pop() as string);
      for (const record of records) {
        if (stopped) return;
        const commit = parseLogRecord(record);
        if (commit && onCommit(commit) === false) stopped = true;
      }
    };
    await this.queue
      .run(
        [
          '--literal-pathspecs',
          'log',
          '-z',
          '--raw',
          '--no-abbrev',
          '--no-ext-diff',
          '--no-textconv',
          '--diff-merges=first-parent',
          opts.follow ? '--follow' : '--no-renames',
          ...(opts.maxCount !== undefined ? [`--max-count=${opts.maxCount}`] : []),
          ...(opts.skip ? [`--skip=${opts.skip}`] : []),
          FORMAT,
          ...(opts.revs ?? ['HEAD']),
          '--',
          ...paths,
        ],
        {
          ...(opts.signal ? { signal: opts.signal } : {}),
          onData: (chunk) => {
            take(decoder.write(chunk), false);
            return !stopped;
          },
        },
      )
      .catch((err: unknown) => {
        // A repository without commits has no HEAD: no history.
        if (/does not have any commits|unknown revision|bad default revision/i.test(String(err))) return undefined;
        throw err;
      });
    take(decoder.end(), true);
  }

  /**
   * Whether a merge commit is reachable from `tips` but not from `commit` (commit objects only, no
   * trees). Without one, the history from the tips down to `commit` is a line, and a walk that
   * continues from `commit`'s parents lists exactly what the walk from the tips lists after `commit`.
   */
  async mergeAbove(tips: readonly string[], commit: string, signal?: AbortSignal): Promise<boolean> {
    const text = await this.queue.text(['rev-list', '--min-parents=2', '--max-count=1', ...tips, `^${commit}`, '--'], signal ? { signal } : {});
    return text.trim() !== '';
  }

  /** The files of one commit against its first parent (renames detected). */
  async commitFiles(sha: string, signal?: AbortSignal): Promise<HistoryCommit | undefined> {
    const text = await this.queue.text(
      ['show', '-z', '--raw', '--no-abbrev', '--no-ext-diff', '--no-textconv', '--diff-merges=first-parent', '-M', FORMAT, sha, '--'],
      signal ? { signal } : {},
    );
    return parseLogRecord(text.split(RECORD).find((r) => r !== '') ?? '');
  }

  /** A file's text at `ref`, undefined when it does not exist there; too large a file is an error. */
  async show(ref: string, repoPath: string, signal?: AbortSignal): Promise<string | undefined> {
    const out = (await this.queue.run(['cat-file', '--batch'], { input: `${ref}:${repoPath}\n`, maxBytes: MAX_SHOWN_BYTES + 200, ...(signal ? { signal } : {}) })).stdout;
    const newline = out.indexOf(0x0a);
    const header = out.subarray(0, newline < 0 ? out.length : newline).toString('utf8');
    const match = /^\S+ (\w+) (\d+)$/.exec(header);
    if (!match || match[1] !== 'blob') return undefined;
    return out.subarray(newline + 1, newline + 1 + Number(match[2])).toString('utf8');
  }

  /** The blob at each `tip:path` (null when absent), from one `cat-file --batch-check`. */
  async blobsAt(pairs: readonly { tip: string; path: string }[], signal?: AbortSignal): Promise<(string | null)[]> {
    if (pairs.length === 0) return [];
    const input = pairs.map((p) => `${p.tip}:${p.path}\n`).join('');
    const text = await this.queue.text(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { input, ...(signal ? { signal } : {}) });
    const lines = text.split('\n');
    return pairs.map((_, i) => {
      const match = /^([0-9a-f]{40,64}) blob$/.exec(lines[i] ?? '');
      return match ? (match[1] as string) : null;
    });
  }

  /**
   * Streams `git rev-list --parents` lines ("<sha> <parent>…") of the ancestors of `heads` that are not
   * ancestors of `known`. Heads missing from the repository are skipped. Only commit objects are read.
   */
  async walkAncestry(heads: readonly string[], known: readonly string[], onLine: (line: string) => void, signal?: AbortSignal): Promise<void> {
    if (heads.length === 0) return;
    const decoder = new StringDecoder('utf8');
    let pending = '';
    const take = (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() as string;
      for (const line of lines) if (line !== '') onLine(line);
    };
    // Through stdin: a repository with hundreds of releases would not fit a command line.
    const input = [...heads, ...known.map((k) => `^${k}`)].join('\n') + '\n';
    await this.queue.run(['rev-list', '--parents', '--ignore-missing', '--stdin'], {
      input,
      ...(signal ? { signal } : {}),
      onData: (chunk) => take(decoder.write(chunk)),
    });
    take(decoder.end());
    if (pending !== '') onLine(pending);
  }

  /** `git blame --porcelain` of the saved file; lines by 1-based number. */
  async blame(repoPath: string, signal?: AbortSignal): Promise<BlameLine[]> {
    const text = await this.queue.text(['blame', '--porcelain', '--no-progress', '--', repoPath], signal ? { signal } : {});
    return parseBlamePorcelain(text);
  }

  /** `main` (or master), the deployed branches and the newest tags, from one for-each-ref. */
  async refs(signal?: AbortSignal): Promise<BrowserRefs> {
    const text = await this.queue.text(
      [
        'for-each-ref',
        '--sort=-creatordate',
        '--format=%(refname)%00%(objectname)%00%(*objectname)%00%(committerdate:iso-strict)%00%(creatordate:iso-strict)%00%(subject)',
        'refs/heads/main',
        'refs/heads/master',
        `refs/heads/${DEPLOYED_BRANCH_PREFIX.slice(0, -1)}`,
        'refs/tags',
      ],
      signal ? { signal } : {},
    );
    const refs: BrowserRefs = { main: undefined, deployed: [], tags: [] };
    let master: RefSummary | undefined;
    for (const line of text.split('\n')) {
      const [refname, sha, peeled, committed, created, subject] = line.split('\0');
      if (!refname || !sha) continue;
      const summary = (name: string): RefSummary => ({ name, sha: peeled || sha, date: committed || created || '', subject: subject ?? '' });
      if (refname === 'refs/heads/main') refs.main = summary('main');
      else if (refname === 'refs/heads/master') master = summary('master');
      else if (refname.startsWith('refs/tags/')) {
        if (refs.tags.length < 50) refs.tags.push(summary(refname.slice('refs/tags/'.length)));
      } else {
        const parts = refname.slice(`refs/heads/${DEPLOYED_BRANCH_PREFIX}`.length).split('/');
        if (parts.length === 2) refs.deployed.push({ ...summary(refname.slice('refs/heads/'.length)), tenant: parts[0]!, environment: parts[1]! });
      }
    }
    refs.main ??= master;
    refs.deployed.sort((a, b) => (a.name < b.name ? -1 : 1));
    return refs;
  }

  /**
   * What identifies the repository's HEAD commit now, read from files (a few hundred microseconds,
   * no process): caches of blame results key on it, so a commit, checkout or pull invalidates them.
   */
  async headKey(): Promise<string> {
    const head = (await readFile(path.join(this.repo.gitDir, 'HEAD'), 'utf8').catch(() => '')).trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    const loose = (await readFile(path.join(this.repo.commonDir, ref), 'utf8').catch(() => '')).trim();
    if (loose !== '') return loose;
    const packed = await readFile(path.join(this.repo.commonDir, 'packed-refs'), 'utf8').catch(() => '');
    const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
    return line?.split(' ')[0] ?? `unborn ${ref}`;
  }
}

/** One `%x1e`-led record of `log -z --raw` in FORMAT. */
export function parseLogRecord(record: string): HistoryCommit | undefined {
  const tokens = record.split('\0');
  const [sha, parents, name, email, date, subject] = tokens;
  if (!sha || parents === undefined || name === undefined || email === undefined || date === undefined || subject === undefined) return undefined;
  return {
    sha: sha.trim(),
    parents: parents === '' ? [] : parents.split(' '),
    author: { name, email },
    date,
    subject,
    files: parseRaw(tokens.slice(6)),
  };
}

/** `:<old mode> <new mode> <old> <new> <status>` NUL `<path>` [NUL `<new path>` for R and C]. */
function parseRaw(tokens: string[]): CommitFile[] {
  const files: CommitFile[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const meta = tokens[i]?.trim();
    if (!meta?.startsWith(':')) continue;
    const [oldMode, newMode, oldBlob, newBlob, status] = meta.slice(1).split(' ');
    if (!oldMode || !newMode || !oldBlob || !newBlob || !status) continue;
    const first = tokens[++i];
    if (first === undefined) break;
    const two = status.startsWith('R') || status.startsWith('C');
    const second = two ? tokens[++i] : undefined;
    if (oldMode === '160000' || newMode === '160000') continue;
    const zero = /^0+$/;
    const file: CommitFile = {
      path: second ?? first,
      status: status.startsWith('A') ? 'added' : status.startsWith('D') ? 'deleted' : two ? 'renamed' : 'modified',
      oldBlob: zero.test(oldBlob) ? null : oldBlob,
      newBlob: zero.test(newBlob) ? null : newBlob,
    };
    if (second !== undefined && status.startsWith('R')) file.oldPath = first;
    files.push(file);
  }
  return files;
}
