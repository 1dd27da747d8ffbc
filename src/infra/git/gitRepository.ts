// The read side of Git for a project tree: where the repository is, which ref is "main", what each
// deployed branch points at, and which paths drifted between them (repo-format.md §4).
// Built on simple-git; every failure surfaces as GitOpsHqError('git-failed').
import { realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { GitOpsHqError } from '../../core/errors';
import { nullLogger, type Logger } from '../../core/logger';

/** Deployed branches are `gitopshq/deployed/<tenant>/<env>`. */
export const DEPLOYED_BRANCH_PREFIX = 'gitopshq/deployed/';

export function deployedBranchName(tenant: string, environment: string): string {
  return `${DEPLOYED_BRANCH_PREFIX}${tenant}/${environment}`;
}

/** The tip of a deployed branch. */
export interface DeployedInfo {
  /** Short branch name, e.g. `gitopshq/deployed/acme/staging`. */
  readonly branch: string;
  readonly sha: string;
  /** The first 7 characters of `sha`. */
  readonly shortSha: string;
  readonly authorName: string;
  readonly authorEmail: string;
  /** Committer date: when the commit landed on the branch (for a cherry-pick or rebase, not when it was written). */
  readonly date: Date;
  readonly subject: string;
}

export interface GitOptions {
  /**
   * Workspace Trust. Default false: git then runs no program that the repository's config can name
   * (see UNTRUSTED_CONFIG). Pass true only for a trusted workspace.
   */
  trusted?: boolean;
  logger?: Logger;
}

export interface OpenOptions extends GitOptions {
  /**
   * How long a ref lookup is reused, in ms (default 1000). Call `invalidate()` when refs change
   * (a watcher on `commonDir`); the age limit only bounds staleness when nobody does.
   */
  refsMaxAgeMs?: number;
}

/** Runs `git <args>` and resolves with stdout, or rejects with GitOpsHqError('git-failed'). */
export type GitRun = (args: readonly string[]) => Promise<string>;

// Untrusted: override every repository-config setting that makes a read-only command run a program.
// Command-line `-c` beats the repository's .git/config.
export const UNTRUSTED_CONFIG = [
  // An fsmonitor hook runs whenever git refreshes the index (status, diff against the work tree).
  'core.fsmonitor=false',
  // Hooks such as post-index-change run when a command rewrites the index.
  'core.hooksPath=/dev/null',
  // No transport at all: a lazy fetch in a partial clone would run core.sshCommand, credential helpers, proxies.
  'protocol.allow=never',
];

// simple-git refuses those keys in `-c` unless told that we mean it: we only ever set them to
// their safe values, from the constant above.
const UNTRUSTED_UNSAFE_FLAGS = {
  allowUnsafeFsMonitor: true,
  allowUnsafeHooksPath: true,
  allowUnsafeProtocolOverride: true,
} as const;

export const GIT_TIMEOUT_MS = 60_000;

/**
 * A git runner for `dir` with the trust options applied to every invocation and every error
 * wrapped. GitRepository uses it; so can write-side adapters that need the same guarantees.
 */
export function createGitRun(dir: string, options: GitOptions = {}): GitRun {
  const trusted = options.trusted ?? false;
  const logger = options.logger ?? nullLogger;
  let git: SimpleGit | undefined;

  return async (args) => {
    const command = `git ${displayArgs(args)}`;
    const started = Date.now();
    try {
      // Created on first use so that a missing folder becomes a wrapped error, not a constructor throw.
      git ??= simpleGit({
        baseDir: dir,
        timeout: { block: GIT_TIMEOUT_MS },
        ...(trusted ? {} : { config: UNTRUSTED_CONFIG, unsafe: UNTRUSTED_UNSAFE_FLAGS }),
      });
      const stdout = await git.raw([...args]);
      logger.trace(`${command} (${Date.now() - started} ms)`);
      return stdout;
    } catch (err) {
      const error = gitFailed(command, dir, err);
      // The log keeps the exact command and git's whole output; the message keeps it short.
      logger.debug(`${error.message}\n  command: git ${args.join(' ')}\n  output: ${err instanceof Error ? err.message.trim() : String(err)}`);
      throw error;
    }
  };
}

interface RefSnapshot {
  mainRef: 'main' | 'master' | 'HEAD';
  /** Undefined in a repository without commits. */
  mainSha: string | undefined;
  /** Keyed `tenant/env`. */
  deployed: Map<string, DeployedInfo>;
}

const FIELD = '\0';
// One line per ref; %00 makes git print NUL between fields, which no name or subject can contain.
const REF_FORMAT = [
  '%(refname)',
  '%(objectname)',
  '%(authorname)',
  '%(authoremail)',
  '%(committerdate:iso-strict)',
  '%(subject)',
].join('%00');

const MAX_DRIFT_CACHE = 256;

export class GitRepository {
  private refsCache: { promise: Promise<RefSnapshot>; settledAt?: number } | undefined;
  /** Drift results by `deployedSha mainSha paths`: commits are immutable, so entries never go stale. */
  private readonly driftCache = new Map<string, Promise<string[]>>();

  private constructor(
    /** The work tree's top level, spelled like the path given to open() where symlinks differ. */
    readonly root: string,
    /** The git dir of this work tree (for a linked worktree: `<main>/.git/worktrees/<name>`); holds HEAD and the index. */
    readonly gitDir: string,
    /** The common git dir, which holds refs/ and packed-refs (same as gitDir except in linked worktrees). */
    readonly commonDir: string,
    readonly trusted: boolean,
    private readonly realRoot: string,
    private readonly run: GitRun,
    private readonly refsMaxAgeMs: number,
  ) {}

  /** The repository whose work tree contains `target` (a file or folder), or undefined when there is none. */
  static async open(target: string, options: OpenOptions = {}): Promise<GitRepository | undefined> {
    const dir = await existingFolder(path.resolve(target));
    if (dir === undefined) return undefined;

    const probe = createGitRun(dir, options);
    let insideWorkTree: string;
    try {
      insideWorkTree = (await probe(['rev-parse', '--is-inside-work-tree'])).trim();
    } catch (err) {
      // git's "not a git repository" text is translated; a missing .git is a language-free test.
      if (!(await hasGitEntryAbove(dir))) return undefined;
      throw err;
    }
    // "false" inside a .git folder or a bare repository: no work tree to show.
    if (insideWorkTree !== 'true') return undefined;

    const [top, gitDir, commonDir] = (await probe(['rev-parse', '--show-toplevel', '--absolute-git-dir', '--git-common-dir'])).split('\n');
    if (!top || !gitDir || !commonDir) {
      throw new GitOpsHqError('git-failed', `git rev-parse gave no top level for ${dir}.`, 'Check the repository with `git status` in a terminal.');
    }
    const realRoot = path.resolve(top);
    const root = await spelledLike(dir, realRoot);
    const trusted = options.trusted ?? false;
    // Run everything from the top level: pathspecs and `diff.relative` are relative to the cwd.
    const run = createGitRun(realRoot, options);
    return new GitRepository(root, path.resolve(dir, gitDir), path.resolve(dir, commonDir), trusted, realRoot, run, options.refsMaxAgeMs ?? 1000);
  }

  /** `main` if that branch exists, else `master`, else `HEAD`. */
  async mainRef(): Promise<string> {
    return (await this.refs()).mainRef;
  }

  /** The tip of `gitopshq/deployed/<tenant>/<environment>`, or undefined when the branch does not exist. */
  async deployed(tenant: string, environment: string): Promise<DeployedInfo | undefined> {
    return (await this.refs()).deployed.get(`${tenant}/${environment}`);
  }

  /** Every deployed branch, keyed `tenant/env`, from one `git for-each-ref`. */
  async deployedBranches(): Promise<Map<string, DeployedInfo>> {
    return new Map((await this.refs()).deployed);
  }

  /**
   * The files under `paths` (repo-relative files or folders) whose content on the main ref differs
   * from the deployed branch of (tenant, environment): repo-relative, `/`-separated, sorted.
   * Added and deleted files count. The caller checks deployed() first: an absent branch ("never
   * deployed") is an error here.
   */
  async drift(tenant: string, environment: string, paths: string[]): Promise<string[]> {
    const refs = await this.refs();
    const deployed = refs.deployed.get(`${tenant}/${environment}`);
    if (deployed === undefined) {
      throw new GitOpsHqError(
        'git-failed',
        `Cannot compute drift for ${tenant}/${environment}: branch ${deployedBranchName(tenant, environment)} does not exist.`,
        'It has never been deployed; check deployed() before asking for drift.',
      );
    }
    if (refs.mainSha === undefined) {
      throw new GitOpsHqError('git-failed', `Cannot compute drift in ${this.root}: ${refs.mainRef} has no commits.`, 'Commit the project first.');
    }
    const pathspecs = this.normalizePathspecs(paths);
    if (pathspecs.length === 0 || deployed.sha === refs.mainSha) return [];

    const key = [deployed.sha, refs.mainSha, ...pathspecs].join(FIELD);
    let result = this.driftCache.get(key);
    if (result === undefined) {
      result = this.changedFiles(deployed.sha, refs.mainSha, pathspecs);
      this.remember(key, result);
    }
    return [...(await result)];
  }

  /** Forget the ref lookup (call it when the watcher on commonDir/gitDir fires). Drift results stay: they are keyed by commit. */
  invalidate(): void {
    this.refsCache = undefined;
  }

  /** `absPath` relative to the root, with `/` separators ('' for the root, `../…` when outside). */
  relative(absPath: string): string {
    const abs = path.resolve(absPath);
    let rel = path.relative(this.root, abs);
    if (isOutside(rel) && this.realRoot !== this.root) {
      const viaRealRoot = path.relative(this.realRoot, abs);
      if (!isOutside(viaRealRoot)) rel = viaRealRoot;
    }
    return rel.split(path.sep).join('/');
  }

  // --- refs --------------------------------------------------------------------------------

  /** The shared ref lookup: concurrent callers share one, and it is reused for refsMaxAgeMs. */
  private refs(): Promise<RefSnapshot> {
    const cached = this.refsCache;
    if (cached && (cached.settledAt === undefined || Date.now() - cached.settledAt < this.refsMaxAgeMs)) {
      return cached.promise;
    }
    const entry: { promise: Promise<RefSnapshot>; settledAt?: number } = { promise: this.readRefs() };
    entry.promise.then(
      () => (entry.settledAt = Date.now()),
      () => {
        // Never cache a failure: the next call tries again.
        if (this.refsCache === entry) this.refsCache = undefined;
      },
    );
    this.refsCache = entry;
    return entry.promise;
  }

  private async readRefs(): Promise<RefSnapshot> {
    // One for-each-ref answers both questions: every deployed branch, and main/master.
    const output = await this.run([
      'for-each-ref',
      `--format=${REF_FORMAT}`,
      `refs/heads/${DEPLOYED_BRANCH_PREFIX.slice(0, -1)}`,
      // After a fresh clone the deployed branches exist only as remote-tracking branches.
      `refs/remotes/*/${DEPLOYED_BRANCH_PREFIX}*/*`,
      'refs/heads/main',
      'refs/heads/master',
    ]);
    const deployed = new Map<string, DeployedInfo>();
    const remote = new Map<string, DeployedInfo>();
    const heads = new Map<string, string>();
    for (const line of output.split('\n')) {
      const info = parseRefLine(line);
      if (info === undefined) continue;
      const local = !info.branch.startsWith('refs/remotes/');
      const name = local ? info.branch : info.branch.replace(/^refs\/remotes\/[^/]+\//, '');
      const tenantEnv = name.startsWith(DEPLOYED_BRANCH_PREFIX) ? name.slice(DEPLOYED_BRANCH_PREFIX.length) : undefined;
      if (tenantEnv === undefined) {
        if (local) heads.set(info.branch, info.sha);
      } else if (tenantEnv.split('/').length === 2) {
        // Deeper names (gitopshq/deployed/a/b/c) are not ours: ignored.
        if (local) deployed.set(tenantEnv, info);
        else if (!remote.has(tenantEnv) || info.branch.startsWith('refs/remotes/origin/')) {
          remote.set(tenantEnv, { ...info, branch: info.branch.slice('refs/remotes/'.length) });
        }
      }
    }
    // A local deployed branch wins; otherwise the remote-tracking one (origin's first).
    for (const [tenantEnv, info] of remote) if (!deployed.has(tenantEnv)) deployed.set(tenantEnv, info);
    for (const name of ['main', 'master'] as const) {
      const sha = heads.get(name);
      if (sha !== undefined) return { mainRef: name, mainSha: sha, deployed };
    }
    // --verify --quiet prints nothing (and no error) when HEAD is unborn.
    const head = (await this.run(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).trim();
    return { mainRef: 'HEAD', mainSha: head === '' ? undefined : head, deployed };
  }

  // --- drift -------------------------------------------------------------------------------

  private async changedFiles(from: string, to: string, pathspecs: string[]): Promise<string[]> {
    const output = await this.run([
      // Paths are file names, not globs: a folder called `[x]` must mean itself.
      '--literal-pathspecs',
      'diff',
      '--name-only',
      // NUL-separated, unquoted: non-ASCII names arrive as they are.
      '-z',
      // Both sides of a rename are drift; and rename detection would read blobs we do not need.
      '--no-renames',
      '--no-ext-diff',
      '--no-textconv',
      from,
      to,
      '--',
      ...pathspecs,
    ]);
    return [...new Set(output.split('\0').filter((name) => name !== ''))].sort();
  }

  private remember(key: string, result: Promise<string[]>): void {
    this.driftCache.set(key, result);
    result.catch(() => this.driftCache.delete(key));
    // Bounded: evict the oldest entry (Map keeps insertion order).
    if (this.driftCache.size > MAX_DRIFT_CACHE) {
      const oldest = this.driftCache.keys().next().value;
      if (oldest !== undefined) this.driftCache.delete(oldest);
    }
  }

  /** Repo-relative, `/`-separated, normalized, sorted and unique; rejects paths that leave the repository. */
  private normalizePathspecs(paths: string[]): string[] {
    const specs = new Set<string>();
    for (const original of paths) {
      const rel = path.isAbsolute(original) ? this.relative(original) : original.split('\\').join('/');
      const normalized = path.posix.normalize(rel === '' ? '.' : rel).replace(/\/+$/, '') || '.';
      if (normalized === '..' || normalized.startsWith('../') || path.posix.isAbsolute(normalized)) {
        throw new GitOpsHqError('git-failed', `Cannot compute drift for "${original}": it is outside the repository ${this.root}.`);
      }
      specs.add(normalized);
    }
    return [...specs].sort();
  }
}

// --- helpers -------------------------------------------------------------------------------

function parseRefLine(line: string): DeployedInfo | undefined {
  const [refname, sha, authorName, authorEmail, date, subject] = line.split(FIELD);
  if (refname === undefined || sha === undefined || authorName === undefined || authorEmail === undefined || date === undefined || subject === undefined) {
    return undefined;
  }
  return {
    branch: refname.replace(/^refs\/heads\//, ''),
    sha,
    shortSha: sha.slice(0, 7),
    authorName,
    authorEmail: authorEmail.replace(/^<(.*)>$/, '$1'),
    date: new Date(date),
    subject,
  };
}

/** The folder itself, the folder of a file, or undefined when nothing exists at `target`. */
async function existingFolder(target: string): Promise<string | undefined> {
  try {
    return (await stat(target)).isDirectory() ? target : path.dirname(target);
  } catch {
    return undefined;
  }
}

/** Whether `dir` or an ancestor holds a `.git` entry (folder, or file for worktrees and submodules). */
async function hasGitEntryAbove(dir: string): Promise<boolean> {
  for (let current = dir; ; current = path.dirname(current)) {
    try {
      await stat(path.join(current, '.git'));
      return true;
    } catch {
      // keep climbing
    }
    if (path.dirname(current) === current) return false;
  }
}

/**
 * git reports the top level with symlinks resolved. Callers compare against the paths they know
 * (workspace folders), so spell the root through `dir`'s own path when that names the same folder.
 */
async function spelledLike(dir: string, realRoot: string): Promise<string> {
  try {
    const realDir = await realpath(dir);
    const up = path.relative(realDir, realRoot);
    if (up === '' || up.split(path.sep).every((part) => part === '..')) {
      const candidate = path.resolve(dir, up);
      if ((await realpath(candidate)) === (await realpath(realRoot))) return candidate;
    }
  } catch {
    // fall back to git's spelling
  }
  return realRoot;
}

function isOutside(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
}

/** The command as shown in messages: format strings elided, args with spaces quoted, long pathspec lists cut. */
export function displayArgs(args: readonly string[]): string {
  const shown = args.map((arg) => (arg.startsWith('--format=') ? '--format=…' : /[\s"]/.test(arg) ? JSON.stringify(arg) : arg));
  const text = shown.join(' ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export function gitFailed(command: string, dir: string, err: unknown): GitOpsHqError {
  if (GitOpsHqError.is(err)) return err;
  const raw = err instanceof Error ? err.message : String(err);
  return new GitOpsHqError('git-failed', `${command} failed in ${dir}: ${reason(raw)}`, hint(raw, dir), { cause: err });
}

/** simple-git's message is stdout then stderr; git's own verdict is the `fatal:`/`error:` line. */
function reason(raw: string): string {
  const lines = raw.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const verdict = lines.find((line) => /^(fatal|error):/i.test(line)) ?? lines[0] ?? 'unknown error';
  return verdict.replace(/^(fatal|error):\s*/i, '');
}

function hint(raw: string, dir: string): string {
  if (/spawn .*ENOENT/.test(raw)) return 'Install Git and make sure `git` is on the PATH, then reload the window.';
  if (/dubious ownership/i.test(raw)) return `Git does not trust the owner of this folder. If you do, run: git config --global --add safe.directory "${dir}"`;
  if (/not permitted without enabling/.test(raw)) return 'This is a bug in GitOpsHQ: please report it with the GitOpsHQ output log.';
  if (/timeout|timed out/i.test(raw)) return `Git did not answer within ${GIT_TIMEOUT_MS / 1000} s. Check for a stuck git process or a network drive.`;
  return `Open a terminal in ${dir} and run \`git status\`; the GitOpsHQ log has the exact command and Git's full output.`;
}
