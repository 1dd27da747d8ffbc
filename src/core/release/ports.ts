// The small ports the release workflow (workflow.ts) works through, so that creating, acting on,
// deploying and rolling back releases runs in plain Node: infra's ReleaseGit, ReleaseTrust and
// GitRepository satisfy the Git ports as they are; the editor adapter (vscode/releases/releaseService.ts)
// supplies the rest (the release files it watches, settings, the push question, events, Problems).
import type { Logger } from '../logger';
import type { ProjectSource } from '../model/lookup';
import type { DeployState, Problem, Project } from '../types';
import type { ValuesCommit } from './audit';
import type { TextJobs } from './largeTexts';
import type { TrustInput, TrustReport } from './trust';
import type { Identity, Release } from './types';

/** A file that changed between a deployed branch and HEAD (or the working tree). */
export interface CandidateChange {
  path: string;
  status: 'added' | 'modified' | 'deleted';
  deployedBlob: string | null;
  headBlob: string | null;
  /** The working tree differs from HEAD for this path. */
  uncommitted: boolean;
  /** The working tree's content (null = deleted); set when uncommitted changes were asked for. */
  workingBlob?: string | null;
}

/** The repository that holds a project: paths as Git names them. */
export interface RepoPort {
  /** An absolute path as a repository-relative, `/`-separated one. */
  relative(absPath: string): string;
}

/** What the workflow reads and writes through Git (infra/git/releaseGit.ts). */
export interface ReleaseGitPort {
  identity(): Promise<Identity>;
  head(): Promise<{ sha: string; branch: string }>;
  parentOf(commit: string): Promise<string | null>;
  isAncestor(commit: string, of: string): Promise<boolean>;
  deployedTip(tenant: string, environment: string): Promise<string | null>;
  blobOf(ref: string, file: string): Promise<string | null>;
  readBlob(blob: string): Promise<string>;
  readWorking(file: string): Promise<string | undefined>;
  candidateChanges(tenant: string, environment: string, paths: string[], opts: { includeUncommitted: boolean }): Promise<CandidateChange[]>;
  valuesHistory(paths: string[], opts?: { maxCount?: number; since?: string }): Promise<ValuesCommit[]>;
  commitRelease(opts: { releasePath: string; content: string; message: string; includePaths?: string[]; expectedHead?: string; author: Identity }): Promise<string>;
  commitReleaseUpdate(opts: { releasePath: string; content: string; message: string; expectedHead?: string; author: Identity }): Promise<string>;
  deploy(opts: {
    environment: string;
    tenants: string[];
    changes: { path: string; blob: string | null }[];
    expectedBases: Record<string, string | null>;
    message: string;
    author: Identity;
  }): Promise<Record<string, string>>;
  undo(restore: Record<string, string | null>): Promise<void>;
}

/** What Git vouches for in a release file (infra/git/releaseTrust.ts). */
export interface ReleaseTrustPort {
  committedText(releasePath: string): Promise<string | null>;
  isModified(releasePath: string): Promise<boolean>;
  verify(release: Release, options: Omit<TrustInput, 'commits' | 'blobsAtHead' | 'blobsAtCreation'>): Promise<TrustReport>;
}

/** A project's repository opened for releases; undefined when the project is not in a Git repository. */
export interface ReleaseRepository<G extends ReleaseGitPort = ReleaseGitPort> {
  repo: RepoPort;
  git: G;
  trust: ReleaseTrustPort;
}

/** One release file as the store read it (infra/fs/releaseFiles.ts ReleaseEntry). */
export interface ReleaseFileEntry {
  slug: string;
  file: string;
  release?: Release;
  problems: Problem[];
}

/** The parsed release files of every project. */
export interface ReleaseStorePort {
  entries(slug: string): ReleaseFileEntry[];
  /** Re-reads one file now (after a write), so callers see their own write at once. */
  reload(slug: string, file: string): Promise<ReleaseFileEntry | undefined>;
}

/** Where problems of release files are shown (the Problems view). */
export interface DiagnosticsPort {
  set(file: string, problems: Problem[]): void;
  delete(file: string): void;
}

/** Everything the workflow needs from the world outside Git. */
export interface ReleaseWorkflowHost<G extends ReleaseGitPort = ReleaseGitPort> {
  projects: ProjectSource;
  logger: Logger;
  store: ReleaseStorePort;
  /** Opens (once) the repository of a project; undefined outside Git. */
  repository(project: Project): Promise<ReleaseRepository<G> | undefined>;
  deployState(slug: string, environment: string, tenant: string): DeployState | undefined;
  textJobs(): TextJobs;
  secretValues(): string[];
  /** `gitopshq.approvals.requireSignedCommits` for the project. */
  requireSignedCommits(project: Project): boolean;
  /**
   * After a commit: push what moved, as the user's settings say (`restore` holds each ref's value
   * before the operation, for a rejected push to put back). A rejection rejects.
   */
  publish(git: G, what: string, refs: string[], restore: Record<string, string | null>, project: Project): Promise<void>;
  /** Something about `slug`'s releases changed that no file event shows (the Git identity). */
  changed(slug: string): void;
}
