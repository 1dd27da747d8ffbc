// Which release carried a commit (issue 16, docs/history.md): the release cut from it (`head` is the
// commit) first; else, among the releases whose head contains the commit and whose changes include one
// of its files, a deployed one, then a live one, then the rest, the earliest created. The same rule as
// the audit log's, so that the History view and the audit agree.
import type { Release } from '../release/types';
import type { HistoryCommit } from './types';

/** `contains(release, sha)`: whether the release's head has the commit in its history (the adapter answers from rev-list). */
export type Contains = (release: Release, sha: string) => boolean;

export function carryingRelease(commit: Pick<HistoryCommit, 'sha' | 'files'>, releases: readonly Release[], contains: Contains): Release | undefined {
  const rank = (r: Release) => (r.state === 'deployed' ? 0 : r.state === 'cancelled' || r.state === 'failed' ? 2 : 1);
  const order = (a: Release, b: Release) => rank(a) - rank(b) || Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : 1);
  const cut = releases.filter((r) => r.head === commit.sha).sort(order)[0];
  if (cut) return cut;
  const paths = commit.files.flatMap((f) => (f.oldPath ? [f.path, f.oldPath] : [f.path]));
  const touches = (r: Release) => paths.some((p) => r.changes.some((c) => c.path === p || p.startsWith(`${c.path.replace(/\/$/, '')}/`)));
  return releases.filter((r) => touches(r) && contains(r, commit.sha)).sort(order)[0];
}

/** The releases that may carry one of `paths`' commits: the only ones whose containment is worth asking Git about. */
export function releasesTouching(releases: readonly Release[], paths: readonly string[]): Release[] {
  return releases.filter((r) =>
    r.changes.some((c) => paths.some((p) => c.path === p || c.path.startsWith(`${p.replace(/\/$/, '')}/`) || p.startsWith(`${c.path.replace(/\/$/, '')}/`))),
  );
}
