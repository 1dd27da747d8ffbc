// The write side of Git for releases (repo-format.md §4): candidate changes against a deployed
// branch, the release-file commit on the current branch, the deploy commits on the deployed
// branches, the push, and the values history for the audit log.
//
// Everything that must not disturb the user's work goes through plumbing: commits are built in a
// temporary index (GIT_INDEX_FILE) with write-tree/commit-tree, refs move with compare-and-swap
// (update-ref with the old value), and a failure after a partial step puts refs, index entries and
// files back exactly as they were.
import { lstat, mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GitOpsHqError } from '../../core/errors';
import { nullLogger, type Logger } from '../../core/logger';
import type { ValuesCommit } from '../../core/release/audit';
import type { Identity } from '../../core/release/types';
import { createGitExec, type ExecOptions, type GitExec } from './gitExec';
import { parseLsFiles, parseLsTree, parseRawTokens, parseStatusV2, type StatusEntry, type TreeEntry } from './gitParse';
import type { CandidateChange } from '../../core/release/ports';
import { deployedBranchName, type GitRepository } from './gitRepository';

export type { ValuesCommit } from '../../core/release/audit';

// The shape core's release workflow asks the Git port for.
export type { CandidateChange };

interface HeadState {
  /** `refs/heads/<branch>`. */
  ref: string;
  branch: string;
  /** null on a branch without commits. */
  sha: string | null;
}

/** How to put one path back: its index entry and, when we wrote the file, its bytes. */
interface PathUndo {
  path: string;
  index: TreeEntry | null;
  /** The file before we wrote it (null = absent); undefined when we did not write it. */
  working?: Buffer | null;
  /** What we wrote: the file is restored only while it still holds exactly this. */
  written?: Buffer;
}

/** What one release-file commit changed, kept so that a rejected push can undo it exactly. */
interface CommitUndo {
  ref: string;
  parent: string | null;
  paths: PathUndo[];
  createdDirs: string[];
}

interface RefUpdate {
  ref: string;
  /** null deletes the ref. */
  new: string | null;
  /** The value the ref must still have (the zero id: must not exist). */
  old: string;
}

/** Commit-id prefix used in messages. */
const short = (sha: string | null): string => (sha === null ? 'nothing' : sha.slice(0, 7));

// Untrusted workspaces: the fallback undo only ever rewrites files the extension itself writes.
const RELEASE_FILE = /(^|\/)\.gitopshq\/releases\/[^/]+\.ya?ml$/;

/** Texts larger than this are left out of the values history (the audit shows the commit, not the values). */
const MAX_HISTORY_TEXT = 512 * 1024;

/** Above this many characters of pathspecs, commands get top-level folders instead (see narrow()). */
const MAX_PATHSPEC_CHARS = 8_000;

const IDENTITY_HINT = 'Set it in a terminal: git config --global user.name "Your Name" && git config --global user.email "you@example.com"';
const PULL_HINT = 'Pull, then retry: nothing was recorded locally, the repository is exactly as it was before.';

export class ReleaseGit {
  /** Release-file commits made by this instance and not yet pushed, by commit id. */
  private readonly commits = new Map<string, CommitUndo>();

  private constructor(
    readonly root: string,
    private readonly gitDir: string,
    private readonly trusted: boolean,
    private readonly exec: GitExec,
    private readonly zeroOid: string,
    private readonly logger: Logger,
  ) {}

  /** The release side of `repo`, with its trust setting (untrusted: no hooks, no configured programs). */
  static async open(repo: GitRepository, options: { logger?: Logger } = {}): Promise<ReleaseGit> {
    const logger = options.logger ?? nullLogger;
    const gitOptions = { trusted: repo.trusted, logger };
    const exec = createGitExec(repo.root, gitOptions);
    const format = (await exec(['rev-parse', '--show-object-format'])).stdout.toString('utf8').trim();
    const zeroOid = '0'.repeat(format === 'sha256' ? 64 : 40);
    return new ReleaseGit(repo.root, repo.gitDir, repo.trusted, exec, zeroOid, logger);
  }

  // --- identity and HEAD -------------------------------------------------------------------

  async identity(): Promise<Identity> {
    const get = async (key: string): Promise<string> => (await this.text(['config', '--get', key], { okCodes: [1] })).trim();
    const [name, email] = await Promise.all([get('user.name'), get('user.email')]);
    const missing = [name === '' ? 'user.name' : undefined, email === '' ? 'user.email' : undefined].filter((key) => key !== undefined);
    if (missing.length > 0) {
      throw new GitOpsHqError('git-identity', `Git does not know who you are: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set.`, IDENTITY_HINT);
    }
    return { name, email };
  }

  async head(): Promise<{ sha: string; branch: string }> {
    const head = await this.headState();
    if (head.sha === null) {
      throw new GitOpsHqError('git-failed', `Branch ${head.branch} has no commits yet in ${this.root}.`, 'Commit the project first.');
    }
    return { sha: head.sha, branch: head.branch };
  }

  /** The first parent of `commit`, or null for a root commit (what a deployed branch held before a deploy). */
  async parentOf(commit: string): Promise<string | null> {
    return this.resolve(`${commit}^`);
  }

  async isAncestor(commit: string, of: string): Promise<boolean> {
    return (await this.exec(['merge-base', '--is-ancestor', commit, of], { okCodes: [1] })).code === 0;
  }

  // --- reading -----------------------------------------------------------------------------

  /** The tip of the deployed branch: the local branch, else a remote-tracking one (the upstream remote's first). */
  async deployedTip(tenant: string, environment: string): Promise<string | null> {
    const branch = deployedBranchName(tenant, environment);
    const output = await this.read(['for-each-ref', '--format=%(refname) %(objectname)', `refs/heads/${branch}`, `refs/remotes/*/${branch}`]);
    const refs = new Map<string, string>();
    for (const line of output.split('\n')) {
      const [ref, sha] = line.split(' ');
      if (ref !== undefined && sha !== undefined && (ref === `refs/heads/${branch}` || ref.endsWith(`/${branch}`))) refs.set(ref, sha);
    }
    const local = refs.get(`refs/heads/${branch}`);
    if (local !== undefined) return local;
    const remote = (await this.hasRemote()) ?? 'origin';
    return refs.get(`refs/remotes/${remote}/${branch}`) ?? [...refs.values()][0] ?? null;
  }

  async blobOf(ref: string, file: string): Promise<string | null> {
    const entries = parseLsTree(await this.read(['ls-tree', '-z', ref, '--', this.relPath(file)]));
    return entries.get(this.relPath(file))?.blob ?? null;
  }

  async readBlob(blob: string): Promise<string> {
    return this.text(['cat-file', 'blob', blob]);
  }

  async readWorking(file: string): Promise<string | undefined> {
    const bytes = await readOrNull(this.abs(this.relPath(file)));
    return bytes === null ? undefined : bytes.toString('utf8');
  }

  /**
   * The files under `paths` whose content at HEAD (or in the working tree, with includeUncommitted)
   * differs from the deployed branch; everything present when it was never deployed. Sorted by path.
   */
  async candidateChanges(tenant: string, environment: string, paths: string[], opts: { includeUncommitted: boolean }): Promise<CandidateChange[]> {
    const specs = this.pathspecs(paths);
    if (specs.length === 0) return [];
    const [tip, head] = await Promise.all([this.deployedTip(tenant, environment), this.resolve('HEAD')]);
    const { args, keep } = this.narrow(specs);

    const committed = new Map<string, { deployed: string | null; head: string | null }>();
    const readCommitted = async (): Promise<void> => {
      if (head !== null && tip === null) {
        for (const entry of parseLsTree(await this.read(['ls-tree', '-r', '-z', head, '--', ...args])).values()) {
          if (keep(entry.path)) committed.set(entry.path, { deployed: null, head: entry.blob });
        }
      } else if (head !== null && tip !== null && head !== tip) {
        const output = await this.read(['diff-tree', '-r', '-z', '--no-renames', tip, head, '--', ...args]);
        for (const change of parseRawTokens(output.split('\0'), this.zeroOid)) {
          if (keep(change.path)) committed.set(change.path, { deployed: change.oldBlob, head: change.newBlob });
        }
      }
    };
    // The working tree: which paths differ from HEAD, and (when asked) with what content.
    const [, allStatus] = await Promise.all([readCommitted(), this.status(args)]);
    const status = allStatus.filter((entry) => keep(entry.path));
    const relevant = opts.includeUncommitted ? status : status.filter((entry) => committed.has(entry.path));
    const working = await this.workingBlobs([...new Set(relevant.map((entry) => entry.path))]);
    const headBlobs = await this.headBlobsOf(relevant, head);

    const uncommittedOnly = [...working.keys()].filter((file) => !committed.has(file) && working.get(file) !== headBlobs.get(file));
    const deployedBlobs = tip === null || uncommittedOnly.length === 0 ? new Map<string, TreeEntry>() : await this.lsTree(tip, uncommittedOnly);
    for (const file of uncommittedOnly) committed.set(file, { deployed: deployedBlobs.get(file)?.blob ?? null, head: headBlobs.get(file) ?? null });

    const result: CandidateChange[] = [];
    for (const [file, blobs] of committed) {
      const workingBlob = working.has(file) ? (working.get(file) ?? null) : blobs.head;
      const uncommitted = workingBlob !== blobs.head;
      const effective = opts.includeUncommitted ? workingBlob : blobs.head;
      if (effective === blobs.deployed) continue;
      result.push({
        path: file,
        status: blobs.deployed === null ? 'added' : effective === null ? 'deleted' : 'modified',
        deployedBlob: blobs.deployed,
        headBlob: blobs.head,
        uncommitted,
        ...(opts.includeUncommitted ? { workingBlob } : {}),
      });
    }
    return result.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Commits touching `paths`, newest first, with each file's text before and after. */
  async valuesHistory(paths: string[], opts: { maxCount?: number; since?: string } = {}): Promise<ValuesCommit[]> {
    const specs = this.pathspecs(paths);
    if (specs.length === 0 || (await this.resolve('HEAD')) === null) return [];
    const { args, keep } = this.narrow(specs);
    const output = await this.read([
      'log',
      '-z',
      '--raw',
      '--no-renames',
      '--no-abbrev',
      '--no-ext-diff',
      '--no-textconv',
      `--max-count=${opts.maxCount ?? 200}`,
      ...(opts.since !== undefined ? [`--since=${opts.since}`] : []),
      '--format=%x1e%H%x00%an%x00%ae%x00%aI%x00%s',
      'HEAD',
      '--',
      ...args,
    ]);
    const commits: { commit: ValuesCommit; blobs: { path: string; before: string | null; after: string | null }[] }[] = [];
    for (const record of output.split('\x1e')) {
      const tokens = record.split('\0');
      const [sha, name, email, date, subject] = tokens;
      if (sha === undefined || name === undefined || email === undefined || date === undefined || subject === undefined || sha === '') continue;
      const changes = parseRawTokens(tokens.slice(5), this.zeroOid).filter((change) => keep(change.path));
      if (changes.length === 0) continue;
      commits.push({
        commit: { sha, author: { name, email }, date, subject, files: [] },
        blobs: changes.map((change) => ({ path: change.path, before: change.oldBlob, after: change.newBlob })),
      });
    }
    const texts = await this.readBlobs(commits.flatMap(({ blobs }) => blobs.flatMap((b) => [b.before, b.after])).filter((b): b is string => b !== null));
    for (const { commit, blobs } of commits) {
      commit.files = blobs.map((b) => {
        const before = b.before === null ? undefined : texts.get(b.before);
        const after = b.after === null ? undefined : texts.get(b.after);
        return { path: b.path, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
      });
    }
    return commits.map(({ commit }) => commit);
  }

  // --- the release file on the current branch ------------------------------------------------

  /**
   * Commits the release file (and the chosen uncommitted paths) on the current branch; every other
   * staged or unstaged change stays exactly as it was.
   */
  async commitRelease(opts: { releasePath: string; content: string; message: string; includePaths?: string[]; expectedHead?: string; author: Identity }): Promise<string> {
    return this.recordRelease('create', opts);
  }

  /** Commits a new version of a release file that is already committed (approve, reject, deploy record). */
  async commitReleaseUpdate(opts: { releasePath: string; content: string; message: string; expectedHead?: string; author: Identity }): Promise<string> {
    return this.recordRelease('update', opts);
  }

  private async recordRelease(
    mode: 'create' | 'update',
    opts: { releasePath: string; content: string; message: string; includePaths?: string[]; expectedHead?: string; author: Identity },
  ): Promise<string> {
    assertAuthor(opts.author);
    const releasePath = this.relPath(opts.releasePath);
    const include = [...new Set((opts.includePaths ?? []).map((p) => this.relPath(p)))];
    const { args, keep } = this.narrow([releasePath, ...include]);
    const content = Buffer.from(opts.content, 'utf8');
    // Independent reads at once: each git process costs tens of milliseconds.
    const [head, , status, workingBefore, releaseBlob, indexBefore, headRelease] = await Promise.all([
      this.headState(),
      this.assertNoOperationInProgress(),
      this.status(args),
      readOrNull(this.abs(releasePath)),
      this.hashContent(content),
      this.indexEntries(args),
      // An unborn branch has no release file yet.
      (async () => ((await this.resolve('HEAD')) === null ? null : this.blobOf('HEAD', releasePath)))(),
    ]);
    if (opts.expectedHead !== undefined && opts.expectedHead !== head.sha) {
      throw new GitOpsHqError(
        'git-moved',
        `Branch ${head.branch} moved: it is at ${short(head.sha)}, the release was prepared on ${short(opts.expectedHead)}.`,
        'Review the changes that arrived, then create or update the release again.',
      );
    }
    const entries = status.filter((entry) => keep(entry.path));
    for (const entry of entries) {
      if (entry.kind === 'unmerged') {
        throw new GitOpsHqError('git-conflict', `${entry.path} has unresolved merge conflicts.`, 'Resolve them and stage the result (git add), then retry.');
      }
    }

    // The release file: nothing that is not in HEAD may be overwritten.
    if (mode === 'update' && headRelease === null) {
      throw new GitOpsHqError('release-not-found', `${releasePath} is not committed on ${head.branch}: there is no release to update.`, 'Switch to the branch that has the release (or pull it), then retry.');
    }
    const releaseEntry = entries.find((entry) => entry.path === releasePath);
    if (releaseEntry !== undefined) {
      const indexClean = releaseEntry.kind === 'untracked' || releaseEntry.xy[0] === '.';
      if (!(indexClean && workingBefore !== null && workingBefore.equals(content))) {
        throw new GitOpsHqError(
          'git-dirty',
          `${releasePath} has changes that are not committed; recording the release would overwrite them.`,
          `Commit, stash or discard the changes to ${releasePath}, then retry.`,
        );
      }
    }

    // The chosen uncommitted paths go in as they are in the working tree.
    const selected = [...new Set(entries.filter((entry) => entry.path !== releasePath).map((entry) => entry.path))].sort();
    for (const entry of entries) {
      if (entry.path !== releasePath && entry.kind === 'tracked' && entry.xy[0] !== '.' && entry.xy[1] !== '.') {
        throw new GitOpsHqError(
          'git-dirty',
          `${entry.path} is partly staged: committing its working-tree content would lose the staged version.`,
          `Stage it completely (git add ${entry.path}) or unstage it (git restore --staged ${entry.path}), then retry.`,
        );
      }
    }
    const modes = await this.workingModes(selected);
    const present = selected.filter((file) => modes.get(file) !== null);
    const hashes = await this.hashFiles(present, true);
    const newEntries = new Map<string, TreeEntry | null>();
    newEntries.set(releasePath, { path: releasePath, mode: '100644', blob: releaseBlob });
    for (const file of selected) {
      const blob = hashes.get(file);
      newEntries.set(file, blob === undefined ? null : { path: file, mode: modes.get(file) ?? '100644', blob });
    }

    const tree = await this.withTempIndex(async (env) => {
      await this.exec(head.sha === null ? ['read-tree', '--empty'] : ['read-tree', head.sha], { env });
      await this.updateIndex([...newEntries.entries()], env);
      return (await this.text(['write-tree'], { env })).trim();
    });
    if (head.sha !== null && tree === (await this.text(['rev-parse', `${head.sha}^{tree}`])).trim()) return head.sha;
    const commit = await this.commitTree(tree, head.sha, opts.message, opts.author);

    // Apply: the branch first (the compare-and-swap that may refuse), then the file, then the index.
    const touched = [...newEntries.keys()];
    const undo: CommitUndo = {
      ref: head.ref,
      parent: head.sha,
      paths: touched.map((file) => ({
        path: file,
        index: indexBefore.get(file) ?? null,
        ...(file === releasePath ? { working: workingBefore, written: content } : {}),
      })),
      createdDirs: [],
    };
    await this.transaction([{ ref: head.ref, new: commit, old: head.sha ?? this.zeroOid }], `commit: ${firstLine(opts.message)}`);
    try {
      undo.createdDirs = await writeCreatingDirs(this.abs(releasePath), content);
      await this.updateIndex([...newEntries.entries()]);
    } catch (err) {
      await this.undoCommits([undo], commit).catch((undoErr) => this.logger.error(`Could not undo the release commit ${commit}: ${String(undoErr)}`));
      throw err;
    }
    this.commits.set(commit, undo);
    return commit;
  }

  // --- deploy --------------------------------------------------------------------------------

  /**
   * For every tenant, a commit on its deployed branch whose tree is the previous tip's with exactly
   * `changes` applied. The working tree, the index and the checked-out branch are never touched;
   * all branches move in one transaction, or none does.
   */
  async deploy(opts: {
    environment: string;
    tenants: string[];
    changes: { path: string; blob: string | null }[];
    expectedBases: Record<string, string | null>;
    message: string;
    author: Identity;
  }): Promise<Record<string, string>> {
    assertAuthor(opts.author);
    const tenants = [...new Set(opts.tenants)];
    if (tenants.length === 0 || opts.changes.length === 0) {
      throw new GitOpsHqError('git-failed', `Nothing to deploy to ${opts.environment}: no ${tenants.length === 0 ? 'tenant' : 'change'} given.`);
    }
    const changes = opts.changes.map((change) => ({ path: this.relPath(change.path), blob: change.blob }));
    await this.assertBlobsExist(changes.flatMap((change) => (change.blob === null ? [] : [change.blob])));

    const updates: (RefUpdate & { tenant: string; new: string })[] = [];
    for (const tenant of tenants) {
      const branch = deployedBranchName(tenant, opts.environment);
      const ref = `refs/heads/${branch}`;
      const local = await this.resolve(ref);
      const tip = local ?? (await this.deployedTip(tenant, opts.environment));
      const expected = Object.hasOwn(opts.expectedBases, tenant) ? (opts.expectedBases[tenant] ?? null) : tip;
      if (tip !== expected) throw this.branchMoved(branch, expected, tip);
      const previous = tip === null ? new Map<string, TreeEntry>() : await this.lsTree(tip, changes.map((change) => change.path));
      const tree = await this.withTempIndex(async (env) => {
        await this.exec(tip === null ? ['read-tree', '--empty'] : ['read-tree', tip], { env });
        await this.updateIndex(
          changes.map((change) => [change.path, change.blob === null ? null : { path: change.path, mode: previous.get(change.path)?.mode ?? '100644', blob: change.blob }]),
          env,
        );
        return (await this.text(['write-tree'], { env })).trim();
      });
      const commit = await this.commitTree(tree, tip, opts.message, opts.author);
      updates.push({ tenant, ref, new: commit, old: local ?? this.zeroOid });
    }
    await this.transaction(updates, `gitopshq deploy: ${firstLine(opts.message)}`);
    return Object.fromEntries(updates.map((update) => [update.tenant, update.new]));
  }

  // --- push ----------------------------------------------------------------------------------

  /** The remote to push to: the current branch's upstream remote, else `origin`, else the only remote. */
  async hasRemote(): Promise<string | undefined> {
    const branch = (await this.text(['symbolic-ref', '-q', '--short', 'HEAD'], { okCodes: [1] })).trim();
    if (branch !== '') {
      const upstream = (await this.text(['config', '--get', `branch.${branch}.remote`], { okCodes: [1] })).trim();
      if (upstream !== '' && upstream !== '.') return upstream;
    }
    const remotes = (await this.text(['remote'])).split('\n').filter((name) => name !== '');
    return remotes.includes('origin') ? 'origin' : remotes.length === 1 ? remotes[0] : undefined;
  }

  /**
   * Pushes `refs` (never forced, atomically when the remote supports it). When another clone moved
   * one of them, or the push fails, the local refs go back to `restore` (with the release file and
   * index entries of the undone commits) and the error says to pull.
   */
  async push(opts: { refs: string[]; restore: Record<string, string | null> }): Promise<void> {
    if (!this.trusted) {
      throw new GitOpsHqError('git-failed', 'GitOpsHQ does not push from an untrusted workspace.', 'Trust the workspace, or run git push in a terminal.');
    }
    const remote = await this.hasRemote();
    if (remote === undefined) throw new GitOpsHqError('git-failed', `${this.root} has no remote to push to.`, 'Add one (git remote add origin <url>), or set gitopshq.git.push to "never".');
    const refs = [...new Set(opts.refs.map(fullRef))];
    const local = new Map<string, string>();
    for (const ref of refs) {
      const sha = await this.resolve(ref);
      if (sha === null) throw new GitOpsHqError('git-failed', `Cannot push ${ref}: it does not exist in ${this.root}.`);
      local.set(ref, sha);
    }
    const network: ExecOptions = { env: { GIT_TERMINAL_PROMPT: '0' } };

    // Another clone may have pushed since our last fetch: look before pushing, so the message is precise.
    let theirs: Map<string, string>;
    try {
      theirs = await this.remoteTips(remote, refs, network);
      const moved = refs.filter((ref) => theirs.has(ref) && theirs.get(ref) !== local.get(ref));
      if (moved.length > 0) {
        await this.exec(['fetch', '--no-tags', '--no-write-fetch-head', '--refmap=', remote, ...moved], network);
      }
      const diverged: string[] = [];
      for (const ref of moved) {
        const remoteSha = theirs.get(ref) ?? '';
        if (!(await this.hasObject(remoteSha)) || !(await this.isAncestor(remoteSha, local.get(ref) ?? ''))) diverged.push(ref);
      }
      if (diverged.length > 0) {
        await this.restoreLocal(opts.restore);
        throw new GitOpsHqError('git-push-rejected', `Another clone pushed to ${diverged.map(shortRef).join(', ')} on ${remote} first; your change was undone locally.`, PULL_HINT);
      }
    } catch (err) {
      if (GitOpsHqError.is(err, 'git-push-rejected')) throw err;
      await this.restoreLocal(opts.restore);
      throw err;
    }
    const toPush = refs.filter((ref) => theirs.get(ref) !== local.get(ref));
    if (toPush.length === 0) return;

    const refspecs = toPush.map((ref) => `${ref}:${ref}`);
    let result = await this.exec(['push', '--porcelain', '--atomic', remote, ...refspecs], { ...network, okCodes: [1, 128] });
    if (result.code !== 0 && /does not support --atomic/i.test(result.stderr)) {
      result = await this.exec(['push', '--porcelain', remote, ...refspecs], { ...network, okCodes: [1, 128] });
    }
    if (result.code !== 0) {
      await this.restoreLocal(opts.restore);
      const output = result.stdout.toString('utf8');
      const rejected = output.split('\n').filter((line) => line.startsWith('!'));
      if (rejected.length > 0) {
        const why = rejected.map((line) => `${shortRef(line.split('\t')[1]?.split(':')[1] ?? '')} ${line.split('\t')[2] ?? ''}`.trim());
        throw new GitOpsHqError('git-push-rejected', `${remote} rejected the push (${why.join('; ')}); your change was undone locally.`, PULL_HINT);
      }
      const reason = result.stderr.split('\n').find((line) => /^(fatal|error):/.test(line)) ?? result.stderr.trim();
      throw new GitOpsHqError('git-failed', `Pushing to ${remote} failed: ${reason.replace(/^(fatal|error):\s*/, '')}. Your change was undone locally.`, 'Check the connection and your credentials (git push in a terminal), then retry.');
    }
    for (const ref of toPush) this.forgetChain(local.get(ref) ?? '');
  }

  /**
   * Moves refs back to `restore` (null deletes), for a caller whose later step failed after deploy()
   * or a commit succeeded: the repository then looks as it did before the whole operation.
   */
  async undo(restore: Record<string, string | null>): Promise<void> {
    await this.restoreLocal(restore);
  }

  // --- internals: undo -----------------------------------------------------------------------

  /** Moves each ref back to its `restore` value and, for the checked-out branch, the index entries and release files with it. */
  private async restoreLocal(restore: Record<string, string | null>): Promise<void> {
    const head = await this.headState().catch(() => undefined);
    const updates: RefUpdate[] = [];
    for (const [name, target] of Object.entries(restore)) {
      const ref = fullRef(name);
      const current = await this.resolve(ref);
      if (current !== target) updates.push({ ref, new: target, old: current ?? this.zeroOid });
    }
    const headUpdate = updates.find((update) => update.ref === head?.ref);
    const from = headUpdate === undefined || headUpdate.old === this.zeroOid ? undefined : headUpdate.old;
    const chain = from === undefined ? [] : this.chain(from, headUpdate?.new ?? null);
    const fallback = from !== undefined && chain === undefined ? await this.fallbackUndo(from, headUpdate?.new ?? null) : undefined;
    await this.transaction(updates, 'gitopshq: undo after a failed push');
    if (chain !== undefined && chain.length > 0) await this.restorePaths(chain);
    if (fallback !== undefined) await this.restorePaths([fallback]);
    if (from !== undefined) this.forgetChain(from);
  }

  /** The recorded commits from `from` back to `to`, newest first; undefined when one is unknown. */
  private chain(from: string, to: string | null): CommitUndo[] | undefined {
    const chain: CommitUndo[] = [];
    for (let sha: string | null = from; sha !== to; ) {
      const undo: CommitUndo | undefined = sha === null ? undefined : this.commits.get(sha);
      if (undo === undefined) return undefined;
      chain.push(undo);
      sha = undo.parent;
    }
    return chain;
  }

  private forgetChain(from: string): void {
    for (let sha: string | null = from; sha !== null; ) {
      const undo: CommitUndo | undefined = this.commits.get(sha);
      this.commits.delete(sha);
      sha = undo?.parent ?? null;
    }
  }

  /**
   * Without a record (another instance made the commits): index entries of every path that differs
   * go back to `to`, and release files we would have written go back while they still hold `from`'s content.
   */
  private async fallbackUndo(from: string, to: string | null): Promise<CommitUndo> {
    const changes = to === null ? [] : parseRawTokens((await this.read(['diff-tree', '-r', '-z', '--no-renames', to, from])).split('\0'), this.zeroOid);
    const paths: PathUndo[] = [];
    for (const change of changes) {
      const index: TreeEntry | null = change.oldBlob === null ? null : { path: change.path, mode: change.oldMode, blob: change.oldBlob };
      if (RELEASE_FILE.test(change.path) && change.newBlob !== null) {
        const working = change.oldBlob === null ? null : Buffer.from(await this.readBlob(change.oldBlob), 'utf8');
        paths.push({ path: change.path, index, working, written: Buffer.from(await this.readBlob(change.newBlob), 'utf8') });
      } else {
        paths.push({ path: change.path, index });
      }
    }
    return { ref: '', parent: to, paths, createdDirs: [] };
  }

  /** Undo of a commit that moved `current` onto the branch but whose file or index step failed. */
  private async undoCommits(chain: CommitUndo[], current: string): Promise<void> {
    const first = chain[chain.length - 1];
    if (first === undefined) return;
    await this.transaction([{ ref: first.ref, new: first.parent, old: current }], 'gitopshq: undo a failed release commit');
    await this.restorePaths(chain);
  }

  /** Puts index entries and written files back to their state before the oldest commit of `chain` (newest first). */
  private async restorePaths(chain: CommitUndo[]): Promise<void> {
    const oldestFirst = [...chain].reverse();
    const before = new Map<string, PathUndo>();
    const lastWritten = new Map<string, Buffer>();
    for (const undo of oldestFirst) {
      for (const entry of undo.paths) {
        if (!before.has(entry.path)) before.set(entry.path, entry);
        if (entry.written !== undefined) lastWritten.set(entry.path, entry.written);
      }
    }
    // Files first: when the index step is what failed (a lock), the index is still as it was.
    for (const entry of before.values()) {
      const written = lastWritten.get(entry.path);
      const original = entry.working;
      if (written === undefined || original === undefined) continue;
      const file = this.abs(entry.path);
      // The user may have edited the file since: then it is theirs, not ours to rewrite.
      const now = await readOrNull(file);
      if (now === null || !now.equals(written)) continue;
      if (original === null) await rm(file, { force: true });
      else await writeFile(file, original);
    }
    for (const dir of oldestFirst.flatMap((undo) => undo.createdDirs).reverse()) {
      await rmdir(dir).catch(() => undefined);
    }
    const index = await this.indexEntries([...before.keys()]);
    const changed = [...before.values()].filter((entry) => !sameEntry(index.get(entry.path) ?? null, entry.index));
    await this.updateIndex(changed.map((entry) => [entry.path, entry.index]));
  }

  // --- internals: plumbing -------------------------------------------------------------------

  private async headState(): Promise<HeadState> {
    const ref = (await this.text(['symbolic-ref', '-q', 'HEAD'], { okCodes: [1] })).trim();
    if (ref === '') {
      throw new GitOpsHqError('git-detached', `HEAD is detached in ${this.root}: a release is recorded on a branch.`, 'Switch to your branch (git switch main), then retry.');
    }
    return { ref, branch: ref.replace(/^refs\/heads\//, ''), sha: await this.resolve(ref) };
  }

  private async assertNoOperationInProgress(): Promise<void> {
    const operations: [string, string, string][] = [
      ['MERGE_HEAD', 'A merge', 'git merge --continue'],
      ['rebase-merge', 'A rebase', 'git rebase --continue'],
      ['rebase-apply', 'A rebase (or git am)', 'git rebase --continue'],
      ['REBASE_HEAD', 'A rebase', 'git rebase --continue'],
      ['CHERRY_PICK_HEAD', 'A cherry-pick', 'git cherry-pick --continue'],
      ['REVERT_HEAD', 'A revert', 'git revert --continue'],
    ];
    for (const [file, what, finish] of operations) {
      if (await exists(path.join(this.gitDir, file))) {
        const abort = finish.replace('--continue', '--abort');
        throw new GitOpsHqError('git-conflict', `${what} is in progress in ${this.root}.`, `Finish it (${finish}) or abort it (${abort}), then retry.`);
      }
    }
    if ((await this.read(['ls-files', '-u', '-z'])) !== '') {
      throw new GitOpsHqError('git-conflict', `${this.root} has unresolved merge conflicts.`, 'Resolve them and stage the result (git add), then retry.');
    }
  }

  private async resolve(ref: string): Promise<string | null> {
    const sha = (await this.text(['rev-parse', '--verify', '-q', `${ref}^{commit}`], { okCodes: [1] })).trim();
    return sha === '' ? null : sha;
  }

  private async hasObject(sha: string): Promise<boolean> {
    return sha !== '' && (await this.exec(['cat-file', '-e', `${sha}^{commit}`], { okCodes: [1, 128] })).code === 0;
  }

  private async assertBlobsExist(blobs: string[]): Promise<void> {
    if (blobs.length === 0) return;
    const output = await this.text(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { input: `${[...new Set(blobs)].join('\n')}\n` });
    const missing = output
      .split('\n')
      .filter((line) => line !== '' && !line.endsWith(' blob'))
      .map((line) => line.split(' ')[0]);
    if (missing.length > 0) {
      throw new GitOpsHqError('git-failed', `The release refers to content that is not in this repository (${missing.map((b) => short(b ?? '')).join(', ')}).`, 'Pull (git fetch), then retry.');
    }
  }

  private async remoteTips(remote: string, refs: string[], options: ExecOptions): Promise<Map<string, string>> {
    const output = (await this.exec(['ls-remote', '--refs', remote, ...refs], options)).stdout.toString('utf8');
    const tips = new Map<string, string>();
    for (const line of output.split('\n')) {
      const [sha, ref] = line.split('\t');
      if (sha !== undefined && ref !== undefined && refs.includes(ref)) tips.set(ref, sha);
    }
    return tips;
  }

  /** One `update-ref --stdin` transaction: every ref moves (each from its expected old value) or none does. */
  private async transaction(updates: RefUpdate[], message: string): Promise<void> {
    if (updates.length === 0) return;
    const lines = ['start', ...updates.map((u) => (u.new === null ? `delete ${u.ref} ${u.old}` : `update ${u.ref} ${u.new} ${u.old}`)), 'prepare', 'commit', ''];
    try {
      await this.exec(['update-ref', '-m', message, '--stdin'], { input: lines.join('\n') });
    } catch (err) {
      if (GitOpsHqError.is(err) && /is at [0-9a-f]+ but expected|already exists|unable to resolve reference|reference is missing/i.test(err.message)) {
        const names = updates.map((u) => shortRef(u.ref)).join(', ');
        throw new GitOpsHqError('git-moved', `${names} moved while GitOpsHQ was working (another tool or window changed it); nothing was changed.`, 'Refresh, review what changed, then retry.', { cause: err });
      }
      throw err;
    }
  }

  private branchMoved(branch: string, expected: string | null, actual: string | null): GitOpsHqError {
    return new GitOpsHqError(
      'git-moved',
      `${branch} moved since the release was created: expected ${short(expected)}, found ${short(actual)} (someone else deployed). Nothing was changed.`,
      'Pull, review what is deployed now, then create a new release.',
    );
  }

  private async commitTree(tree: string, parent: string | null, message: string, author: Identity): Promise<string> {
    const env = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
    };
    // commit-tree ignores commit.gpgSign: sign when the user asked for signed commits (approvals may have to be).
    const sign = this.trusted ? ((await this.text(['config', '--type=bool', '--get', 'commit.gpgsign'], { okCodes: [1] })).trim() === 'true' ? ['-S'] : []) : ['--no-gpg-sign'];
    const args = ['commit-tree', tree, ...(parent === null ? [] : ['-p', parent]), ...sign, '-F', '-'];
    return (await this.text(args, { env, input: message.endsWith('\n') ? message : `${message}\n` })).trim();
  }

  /** Runs `body` with a fresh index file of its own, removed afterwards. */
  private async withTempIndex<T>(body: (env: Record<string, string>) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(path.join(tmpdir(), 'gitopshq-index-'));
    try {
      return await body({ GIT_INDEX_FILE: path.join(dir, 'index') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Sets (or, for null, removes) index entries: the real index unless `env` names another. */
  private async updateIndex(entries: [string, TreeEntry | null][], env?: Record<string, string>): Promise<void> {
    if (entries.length === 0) return;
    const lines = entries.map(([file, entry]) => (entry === null ? `0 ${this.zeroOid}\t${file}` : `${entry.mode} ${entry.blob}\t${file}`));
    await this.exec(['update-index', '-z', '--index-info'], { input: `${lines.join('\0')}\0`, ...(env ? { env } : {}) });
  }

  private async hashContent(content: Buffer): Promise<string> {
    return (await this.text(['hash-object', '-w', '--no-filters', '--stdin'], { input: content })).trim();
  }

  /** Blob ids of working files, as `git add` would store them (untrusted: without filters, which are configured programs). */
  private async hashFiles(files: string[], write: boolean): Promise<Map<string, string>> {
    if (files.length === 0) return new Map();
    const args = ['hash-object', ...(write ? ['-w'] : []), ...(this.trusted ? [] : ['--no-filters']), '--stdin-paths'];
    const ids = (await this.text(args, { input: `${files.join('\n')}\n` })).split('\n');
    return new Map(files.map((file, i) => [file, ids[i] ?? '']));
  }

  /** Each file's blob id in the working tree, null when it is absent. */
  private async workingBlobs(files: string[]): Promise<Map<string, string | null>> {
    const modes = await this.workingModes(files);
    const hashes = await this.hashFiles(files.filter((file) => modes.get(file) !== null), false);
    return new Map(files.map((file) => [file, hashes.get(file) ?? null]));
  }

  /** The index mode each working file would get; null when absent. Symbolic links are refused: a release carries files. */
  private async workingModes(files: string[]): Promise<Map<string, string | null>> {
    const modes = new Map<string, string | null>();
    for (const file of files) {
      const info = await lstat(this.abs(file)).catch(() => undefined);
      if (info?.isSymbolicLink()) {
        throw new GitOpsHqError('git-dirty', `${file} is a symbolic link; releases carry files only.`, 'Commit it yourself, then retry.');
      }
      modes.set(file, info === undefined || !info.isFile() ? null : process.platform !== 'win32' && info.mode & 0o100 ? '100755' : '100644');
    }
    return modes;
  }

  private async headBlobsOf(entries: StatusEntry[], head: string | null): Promise<Map<string, string | null>> {
    const blobs = new Map<string, string | null>();
    const unknown: string[] = [];
    for (const entry of entries) {
      if (entry.kind === 'untracked') blobs.set(entry.path, null);
      else if (entry.kind === 'tracked') blobs.set(entry.path, entry.headBlob === undefined || entry.headBlob === this.zeroOid ? null : entry.headBlob);
      else unknown.push(entry.path);
    }
    if (unknown.length > 0 && head !== null) {
      const tree = await this.lsTree(head, unknown);
      for (const file of unknown) blobs.set(file, tree.get(file)?.blob ?? null);
    }
    return blobs;
  }

  private async lsTree(commit: string, files: string[]): Promise<Map<string, TreeEntry>> {
    const entries = new Map<string, TreeEntry>();
    for (const chunk of chunks(files)) for (const [file, entry] of parseLsTree(await this.read(['ls-tree', '-r', '-z', commit, '--', ...chunk]))) entries.set(file, entry);
    return entries;
  }

  /** Stage-0 index entries of `files`. */
  private async indexEntries(files: string[]): Promise<Map<string, TreeEntry>> {
    const entries = new Map<string, TreeEntry>();
    for (const chunk of chunks(files)) for (const [file, entry] of parseLsFiles(await this.read(['ls-files', '-s', '-z', '--', ...chunk]))) entries.set(file, entry);
    return entries;
  }

  private async status(specs: string[]): Promise<StatusEntry[]> {
    return parseStatusV2(await this.read(['status', '--porcelain=v2', '-z', '--no-renames', '--untracked-files=all', '--ignore-submodules=all', '--', ...specs]));
  }

  /** Texts of the given blobs from one `cat-file --batch`; blobs over MAX_HISTORY_TEXT are left out. */
  private async readBlobs(blobs: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(blobs)];
    const texts = new Map<string, string>();
    if (unique.length === 0) return texts;
    const sizes = (await this.text(['cat-file', '--batch-check=%(objectname) %(objectsize)'], { input: `${unique.join('\n')}\n` })).split('\n');
    const wanted = sizes.flatMap((line) => {
      const [blob, size] = line.split(' ');
      return blob !== undefined && size !== undefined && Number(size) <= MAX_HISTORY_TEXT ? [blob] : [];
    });
    if (wanted.length === 0) return texts;
    const output = (await this.exec(['cat-file', '--batch'], { input: `${wanted.join('\n')}\n` })).stdout;
    // `<id> <type> <size>\n<content>\n` per object.
    for (let offset = 0; offset < output.length; ) {
      const eol = output.indexOf(0x0a, offset);
      if (eol < 0) break;
      const [blob, , size] = output.subarray(offset, eol).toString('utf8').split(' ');
      const length = Number(size);
      if (blob === undefined || !Number.isFinite(length)) break;
      texts.set(blob, output.subarray(eol + 1, eol + 1 + length).toString('utf8'));
      offset = eol + 1 + length + 1;
    }
    return texts;
  }

  /** Read-only commands: literal pathspecs, and no index refresh written behind the user's back. */
  private read(args: string[]): Promise<string> {
    return this.text(['--no-optional-locks', '--literal-pathspecs', ...args]);
  }

  private async text(args: string[], options?: ExecOptions): Promise<string> {
    return (await this.exec(args, options)).stdout.toString('utf8');
  }

  private abs(file: string): string {
    return path.join(this.root, ...file.split('/'));
  }

  /** Repo-relative, `/`-separated and normalized; a path outside the repository is refused. */
  private relPath(file: string): string {
    const rel = path.isAbsolute(file) ? path.relative(this.root, file).split(path.sep).join('/') : file.split('\\').join('/');
    const normalized = path.posix.normalize(rel).replace(/\/+$/, '');
    if (normalized === '' || normalized === '.' || normalized === '..' || normalized.startsWith('../') || path.posix.isAbsolute(normalized)) {
      throw new GitOpsHqError('git-failed', `"${file}" is not a path inside the repository ${this.root}.`);
    }
    return normalized;
  }

  private pathspecs(paths: string[]): string[] {
    return [...new Set(paths.map((p) => this.relPath(p)))].sort();
  }

  /**
   * Pathspecs for the command line, and the filter that makes the output exact. An environment's
   * paths can run into thousands, past the command-line limit (32 KB on Windows): then git is asked
   * about their top-level folders and the answer is filtered here.
   */
  private narrow(specs: string[]): { args: string[]; keep: (file: string) => boolean } {
    if (specs.reduce((length, spec) => length + spec.length + 1, 0) <= MAX_PATHSPEC_CHARS) return { args: specs, keep: () => true };
    const wanted = new Set(specs);
    const keep = (file: string): boolean => {
      for (let at = file.length; at > 0; at = file.lastIndexOf('/', at - 1)) if (wanted.has(file.slice(0, at))) return true;
      return false;
    };
    return { args: [...new Set(specs.map((spec) => spec.split('/')[0] ?? spec))], keep };
  }
}

// --- helpers ---------------------------------------------------------------------------------

function assertAuthor(author: Identity): void {
  if (author.name.trim() === '' || author.email.trim() === '') {
    throw new GitOpsHqError('git-identity', 'Git does not know who you are: user.name or user.email is not set.', IDENTITY_HINT);
  }
}

/** `files` in groups that fit on a command line. */
function chunks(files: string[]): string[][] {
  const groups: string[][] = [];
  let group: string[] = [];
  let length = 0;
  for (const file of files) {
    if (group.length > 0 && length + file.length + 1 > MAX_PATHSPEC_CHARS) {
      groups.push(group);
      group = [];
      length = 0;
    }
    group.push(file);
    length += file.length + 1;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

function sameEntry(a: TreeEntry | null, b: TreeEntry | null): boolean {
  return a === null || b === null ? a === b : a.mode === b.mode && a.blob === b.blob;
}

function fullRef(name: string): string {
  return name.startsWith('refs/') ? name : `refs/heads/${name}`;
}

function shortRef(ref: string): string {
  return ref.replace(/^refs\/heads\//, '');
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? '';
}

async function exists(file: string): Promise<boolean> {
  return (await lstat(file).catch(() => undefined)) !== undefined;
}

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}

/** Writes `file`, creating missing parent folders; returns the folders it created, outermost first. */
async function writeCreatingDirs(file: string, content: Buffer): Promise<string[]> {
  const created: string[] = [];
  for (let dir = path.dirname(file); !(await exists(dir)); dir = path.dirname(dir)) created.unshift(dir);
  if (created.length > 0) await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return created;
}
