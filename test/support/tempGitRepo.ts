// Real Git repositories in temporary folders, for tests of the git adapter and of features built on it.
// Every command runs with a fixed identity and without the user's global/system config, so tests
// behave the same on every machine (no signing, no hooks from ~/.gitconfig, no default-branch surprises).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface Author {
  name: string;
  email: string;
  /** Author and committer date, e.g. `2026-11-26T10:00:00Z`. Default: now. */
  date?: string;
  /** Committer date when it must differ from the author date. */
  committerDate?: string;
}

/** File contents by repo-relative path (`/` separators); `null` deletes the file. */
export type FileChanges = Record<string, string | null>;

export interface TempRepo {
  /** Absolute, symlink-free path of the work tree (git reports real paths, so tests compare against this). */
  dir: string;
  /** Runs `git <args>` in `dir` and returns stdout; rejects with git's stderr on failure. */
  git(...args: string[]): Promise<string>;
  /** Writes (or deletes) files without committing. */
  write(files: FileChanges): Promise<void>;
  /** Writes `files`, stages everything and commits; returns the new commit's sha. */
  commit(message: string, files?: FileChanges, author?: Author): Promise<string>;
  /** Removes the folder. Safe to call twice. */
  cleanup(): Promise<void>;
}

export interface TempRepoOptions {
  /** Name of the initial branch. Default `main`. */
  branch?: string;
  /** Message of the initial commit (made only when `files` is non-empty). */
  message?: string;
  /** Create a plain folder without `git init` (for "outside a repository" tests). */
  noInit?: boolean;
}

export const TEST_AUTHOR: Author = { name: 'Test User', email: 'test@example.com' };

export async function createTempRepo(files: FileChanges = {}, options: TempRepoOptions = {}): Promise<TempRepo> {
  // realpath: on macOS the temp folder is behind a symlink (/var -> /private/var).
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'gitopshq-test-')));

  const git = async (...args: string[]): Promise<string> => runGit(dir, args);

  const write = async (changes: FileChanges): Promise<void> => {
    for (const [relPath, content] of Object.entries(changes)) {
      const abs = path.join(dir, ...relPath.split('/'));
      if (content === null) {
        await rm(abs, { force: true });
      } else {
        await mkdir(path.dirname(abs), { recursive: true });
        await writeFile(abs, content);
      }
    }
  };

  const commit = async (message: string, changes: FileChanges = {}, author: Author = TEST_AUTHOR): Promise<string> => {
    await write(changes);
    await git('add', '-A');
    await runGit(dir, ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`, 'commit', '--allow-empty', '-q', '-m', message], dateEnv(author));
    return (await git('rev-parse', 'HEAD')).trim();
  };

  const cleanup = async (): Promise<void> => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };

  if (!options.noInit) {
    await git('init', '-q', '-b', options.branch ?? 'main');
    if (Object.keys(files).length > 0) await commit(options.message ?? 'Initial commit', files);
  } else {
    await write(files);
  }
  return { dir, git, write, commit, cleanup };
}

/** Runs git with a hermetic environment: no global or system config, fixed identity, no signing. */
export async function runGit(cwd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  // Drop inherited GIT_* variables (GIT_DIR and friends are set when tests run from a git hook).
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_')));
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: path.join(tmpdir(), 'gitopshq-test-no-global-gitconfig'),
    ...extraEnv,
  };
  // Explicit identity on every command; a later `-c user.name=…` in args overrides it.
  const identity = ['-c', `user.name=${TEST_AUTHOR.name}`, '-c', `user.email=${TEST_AUTHOR.email}`, '-c', 'commit.gpgsign=false'];
  try {
    const { stdout } = await execFileAsync('git', [...identity, ...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${stderr.trim() || String(err)}`);
  }
}

function dateEnv(author: Author): Record<string, string> {
  const env: Record<string, string> = {};
  if (author.date !== undefined) {
    env.GIT_AUTHOR_DATE = author.date;
    env.GIT_COMMITTER_DATE = author.date;
  }
  if (author.committerDate !== undefined) env.GIT_COMMITTER_DATE = author.committerDate;
  return env;
}
