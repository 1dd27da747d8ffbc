// Git history as plain data (issue 16): commits that touched a target's files, where each commit's change
// is deployed, which release carried it, and who last changed a line. The git adapter
// (src/infra/git/gitHistory.ts) fills these; everything here is pure.
import type { Identity } from '../release/types';

/** One file a commit changed, against its first parent. */
export interface CommitFile {
  /** Repository-relative, `/`-separated: the path in this commit. */
  path: string;
  /** The path in the parent, when the change is a rename (`--follow`). */
  oldPath?: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed';
  /** null when the path is absent on that side. */
  oldBlob: string | null;
  newBlob: string | null;
}

export interface HistoryCommit {
  sha: string;
  /** First parent first; empty for a root commit. */
  parents: string[];
  author: Identity;
  /** Author date, ISO 8601. */
  date: string;
  subject: string;
  files: CommitFile[];
}

/** A (tenant, environment) pair: one deployed branch. */
export interface Placement {
  tenant: string;
  environment: string;
}

export type BadgeState = 'deployed' | 'pending' | 'never-deployed';

export interface Badge extends Placement {
  state: BadgeState;
}

/** One line of `git blame --porcelain`, with its commit's header. */
export interface BlameLine {
  sha: string;
  /** 1-based line in the commit's version of the file. */
  originalLine: number;
  /** 1-based line in the blamed file. */
  finalLine: number;
  author: Identity;
  /** ISO 8601 author date. */
  date: string;
  subject: string;
  /** The path in the commit that last changed the line (differs after a rename). */
  filename: string;
  /** The line was not committed yet (git's all-zero commit id). */
  uncommitted: boolean;
}
