// The audit log: who changed which value, when, in which release. Built from two sources, merged newest
// first: the histories and approvals of release files, and the Git commits that touched the files that
// affect an environment (read by the git adapter as ValuesCommit). A commit is tied to the release that
// carried it: the earliest release whose `head` contains the commit and whose changes include its paths.
import type { Project } from '../types';
import { affectedPaths, type AffectedPath } from './affectedPaths';
import { changeSummary, type ChangeSummary, type ValueChange } from './changedValues';
import { sameEmail } from './policy';
import type { Identity, Release } from './types';

/** A commit that touched files affecting an environment, with each file's text before and after (from the git adapter). */
export interface ValuesCommit {
  sha: string;
  author: Identity;
  /** ISO 8601. */
  date: string;
  subject: string;
  /** Repository-relative paths; `before`/`after` absent when the file did not exist on that side. */
  files: {
    path: string;
    before?: string;
    after?: string;
    /** The changed values, computed beforehand off the host's thread for large files (null: not a readable values file). */
    changes?: ChangeSummary | null;
  }[];
  /** Ids of the releases whose `head` contains this commit. */
  containedIn?: string[];
}

export type AuditAction = 'created' | 'submitted' | 'approved' | 'rejected' | 'cancelled' | 'deployed' | 'failed' | 'rolled-back' | 'changed';

export interface AuditEntry {
  /** ISO 8601. */
  at: string;
  who: Identity;
  action: AuditAction;
  /** The release's environment, or for a commit the one environment its files affect. */
  environment?: string;
  /** For a commit on files shared by several environments (a base layer, a chart): all of them. */
  environments?: string[];
  workloads: string[];
  releaseId?: string;
  releaseTitle?: string;
  commit?: string;
  summary: string;
  paths: string[];
}

export interface AuditFilter {
  environment?: string;
  workload?: string;
  /** Part of a name or an email, any case. */
  person?: string;
  action?: string;
  /** Part of the summary, a title, a path, a release id or a commit, any case. */
  text?: string;
}

/** Newest first; entries at the same instant keep a sensible order (a release's creation after its commits). */
/** `mask` hides secret values in the values a summary quotes, before they are cut to length (a cut would leave a secret's head). */
export function auditEntries(
  releases: Release[],
  commits: ValuesCommit[],
  project: Project,
  relative: (abs: string) => string,
  mask: (text: string) => string = (text) => text,
): AuditEntry[] {
  const index = new PathIndex(project, relative);
  const byId = new Map(releases.map((r) => [r.id, r]));
  const entries: AuditEntry[] = [
    ...commits.map((c) => commitEntry(c, index, byId, mask)),
    ...releases.flatMap(releaseEntries),
  ];
  return entries
    .map((entry, seq) => ({ entry, seq, time: Date.parse(entry.at) }))
    .sort((a, b) => b.time - a.time || b.seq - a.seq)
    .map((x) => x.entry);
}

export function filterAudit(entries: AuditEntry[], f: AuditFilter): AuditEntry[] {
  const person = f.person?.trim().toLowerCase();
  const text = f.text?.trim().toLowerCase();
  return entries.filter((e) => {
    if (f.environment && e.environment !== f.environment && !e.environments?.includes(f.environment)) return false;
    if (f.workload && !e.workloads.includes(f.workload)) return false;
    if (f.action && e.action !== f.action) return false;
    if (person && !`${e.who.name}\u0000${e.who.email}`.toLowerCase().includes(person)) return false;
    if (text) {
      const haystack = [e.summary, e.releaseTitle ?? '', e.releaseId ?? '', e.commit ?? '', ...e.paths].join('\u0000').toLowerCase();
      if (!haystack.includes(text)) return false;
    }
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Releases

function releaseEntries(release: Release): AuditEntry[] {
  const workloads = unique(release.changes.flatMap((c) => (c.workload === undefined ? [] : [c.workload])));
  const base = {
    environment: release.environment,
    workloads,
    releaseId: release.id,
    releaseTitle: release.title,
    paths: release.changes.map((c) => c.path),
  };
  const where = `${release.tenants.join(', ')} in ${release.environment}`;
  const entries: AuditEntry[] = [];
  release.history.forEach((h, i) => {
    const note = h.comment ? `: ${h.comment}` : '';
    if (i === 0) {
      const what = release.rollbackOf ? `Created rollback of ${release.rollbackOf}` : 'Created';
      const changes = `${release.changes.length} change${release.changes.length === 1 ? '' : 's'}`;
      entries.push({ ...base, at: h.at, who: h.by, action: 'created', summary: `${what} "${release.title}" for ${where} (${changes}, ${h.state.replace('_', ' ')})` });
      return;
    }
    switch (h.state) {
      case 'pending_approval':
        entries.push({ ...base, at: h.at, who: h.by, action: 'submitted', summary: `Submitted for approval (${release.policy.required} required)${note}` });
        return;
      case 'cancelled': {
        // A rejection is listed from its approval record, with its reason.
        const rejection = release.approvals.some((a) => a.decision === 'reject' && a.at === h.at && a.by.email === h.by.email);
        if (!rejection) entries.push({ ...base, at: h.at, who: h.by, action: 'cancelled', summary: `Cancelled${note}` });
        return;
      }
      case 'deployed': {
        const action = release.rollbackOf ? 'rolled-back' : 'deployed';
        const summary = release.rollbackOf ? `Rolled back ${release.rollbackOf} for ${where}${note}` : `Deployed to ${where}${note}`;
        const commit = release.deploy.commit;
        entries.push(commit ? { ...base, at: h.at, who: h.by, action, summary, commit } : { ...base, at: h.at, who: h.by, action, summary });
        return;
      }
      case 'failed':
        entries.push({ ...base, at: h.at, who: h.by, action: 'failed', summary: `Deploy failed${note}` });
        return;
      default:
        // approved (listed from the approval that reached the quorum), deploying (followed by deployed or failed), draft.
        return;
    }
  });
  // The log tells what was recorded, in order: the nth distinct approver (the requester only when allowed).
  const counted = release.approvals.filter(
    (a, i) =>
      a.decision === 'approve' &&
      (release.policy.requesterCanApprove || !sameEmail(a.by.email, release.createdBy.email)) &&
      !release.approvals.slice(0, i).some((b) => b.decision === 'approve' && sameEmail(b.by.email, a.by.email)),
  );
  for (const a of release.approvals) {
    const comment = a.comment ? `: ${a.comment}` : '';
    if (a.decision === 'reject') {
      entries.push({ ...base, at: a.at, who: a.by, action: 'rejected', summary: `Rejected${comment}` });
    } else {
      const n = counted.indexOf(a) + 1;
      const progress = n > 0 ? ` (${n}/${release.policy.required})` : '';
      entries.push({ ...base, at: a.at, who: a.by, action: 'approved', summary: `Approved${progress}${comment}` });
    }
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Commits

function commitEntry(commit: ValuesCommit, index: PathIndex, releases: Map<string, Release>, mask: (text: string) => string): AuditEntry {
  const paths = commit.files.map((f) => f.path);
  const infos = paths.map((p) => index.lookup(p));
  const environments = unique(infos.flatMap((i) => i?.environments ?? []));
  const entry: AuditEntry = {
    at: commit.date,
    who: commit.author,
    action: 'changed',
    workloads: unique(infos.flatMap((i) => i?.workloads ?? [])),
    commit: commit.sha,
    summary: `${commit.files.map((f) => fileSummary(f, index.lookup(f.path), mask)).join('; ')} — "${commit.subject}"`,
    paths,
  };
  if (environments.length === 1) entry.environment = environments[0] as string;
  else if (environments.length > 1) entry.environments = environments;
  const release = carryingRelease(commit, releases);
  if (release) {
    entry.releaseId = release.id;
    entry.releaseTitle = release.title;
  }
  return entry;
}

/** The release that carried the commit: deployed ones first, then live ones, then the rest; the earliest created. */
function carryingRelease(commit: ValuesCommit, releases: Map<string, Release>): Release | undefined {
  const touches = (release: Release) =>
    commit.files.some((f) => release.changes.some((c) => c.path === f.path || f.path.startsWith(`${c.path}/`)));
  const rank = (r: Release) => (r.state === 'deployed' ? 0 : r.state === 'cancelled' || r.state === 'failed' ? 2 : 1);
  return (commit.containedIn ?? [])
    .map((id) => releases.get(id))
    .filter((r): r is Release => r !== undefined && touches(r))
    .sort((a, b) => rank(a) - rank(b) || Date.parse(a.createdAt) - Date.parse(b.createdAt))[0];
}

export const MAX_VALUES_SHOWN = 5;

function fileSummary(file: ValuesCommit['files'][number], info: PathInfo | undefined, mask: (text: string) => string): string {
  const status = file.before === undefined ? 'added' : file.after === undefined ? 'deleted' : 'changed';
  if (!info?.valuesFile) return `${file.path} ${status}`;
  const changes = file.changes !== undefined ? file.changes : changeSummary(file.before, file.after, MAX_VALUES_SHOWN);
  if (!changes || changes.total === 0) return `${file.path} ${status}`;
  // The variables file can name secrets: its audit lists keys, never values.
  const show = (c: ValueChange) => (info.kind === 'variables' ? `${c.path} ${changeWord(c)}` : `${c.path}: ${formatChange(c, mask)}`);
  const shown = changes.first.slice(0, MAX_VALUES_SHOWN).map(show).join(', ');
  const more = changes.total > MAX_VALUES_SHOWN ? ` and ${changes.total - MAX_VALUES_SHOWN} more` : '';
  return `${shown}${more} in ${file.path}`;
}

function changeWord(c: ValueChange): string {
  return !Object.hasOwn(c, 'before') ? 'added' : !Object.hasOwn(c, 'after') ? 'removed' : 'changed';
}

function formatChange(c: ValueChange, mask: (text: string) => string): string {
  if (!Object.hasOwn(c, 'before')) return `added (${formatValue(c.after, mask)})`;
  if (!Object.hasOwn(c, 'after')) return `removed (was ${formatValue(c.before, mask)})`;
  return `${formatValue(c.before, mask)} → ${formatValue(c.after, mask)}`;
}

function formatValue(value: unknown, mask: (text: string) => string): string {
  const text = mask(typeof value === 'string' ? (value === '' ? '""' : value) : JSON.stringify(value) ?? 'null');
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

interface PathInfo {
  kind: AffectedPath['kind'];
  workloads: string[];
  environments: string[];
  /** A file whose values can be compared: a layer, the chart's values.yaml, the variables file. */
  valuesFile: boolean;
}

/** Which workloads and environments a repository path affects, over every (environment, tenant). */
class PathIndex {
  private readonly files = new Map<string, PathInfo>();
  private readonly charts = new Map<string, PathInfo>();

  constructor(project: Project, relative: (abs: string) => string) {
    for (const environment of project.environments) {
      for (const tenant of project.tenants) {
        for (const a of affectedPaths(project, environment.name, tenant, relative)) {
          const map = a.kind === 'chart' ? this.charts : this.files;
          const info = map.get(a.path) ?? { kind: a.kind, workloads: [], environments: [], valuesFile: a.kind !== 'chart' };
          info.workloads = unique([...info.workloads, ...a.workloads]);
          info.environments = unique([...info.environments, environment.name]);
          map.set(a.path, info);
        }
      }
    }
  }

  lookup(repoPath: string): PathInfo | undefined {
    const file = this.files.get(repoPath);
    if (file) return file;
    for (const [folder, info] of this.charts) {
      if (repoPath === `${folder}/values.yaml`) return { ...info, valuesFile: true };
      if (repoPath.startsWith(`${folder}/`)) return info;
    }
    return undefined;
  }
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
