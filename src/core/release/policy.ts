// Who may approve a release and how far its quorum is (spec §4). The approver list, `required` and
// `requesterCanApprove` come from the release's policy snapshot (a policy edited after the release was
// created does not move the goalposts); team membership comes from the CURRENT manifest's `teams`, so
// that someone who joined or left a team is treated as the team is today.
import type { ApprovalRecord, Release, ReleasePolicy } from './types';

const TEAM_PREFIX = 'team:';

export function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Whether `email` is listed in the policy, directly or as a member of a listed `team:`. */
export function isApprover(policy: ReleasePolicy, teams: Record<string, string[]>, email: string): boolean {
  return policy.approvers.some((entry) => entryIncludes(entry, teams, email));
}

function entryIncludes(entry: string, teams: Record<string, string[]>, email: string): boolean {
  if (!entry.startsWith(TEAM_PREFIX)) return sameEmail(entry, email);
  const members = Object.hasOwn(teams, entry.slice(TEAM_PREFIX.length)) ? teams[entry.slice(TEAM_PREFIX.length)] : undefined;
  return (members ?? []).some((member) => sameEmail(member, email));
}

export interface ApprovalProgress {
  required: number;
  /** Distinct approvers whose decision is `approve`, first approval of each person, in order. */
  approvals: ApprovalRecord[];
  reached: boolean;
  /** Emails and `team:x` entries of the policy through which someone may still approve. */
  stillMay: string[];
}

export function approvalProgress(release: Release, teams: Record<string, string[]>): ApprovalProgress {
  const { policy } = release;
  const approvals = countedApprovals(release);
  // Anyone who already decided (approve or reject) is done; the requester is, unless allowed.
  const done = (email: string) =>
    release.approvals.some((a) => sameEmail(a.by.email, email)) || (!policy.requesterCanApprove && sameEmail(email, release.createdBy.email));
  const stillMay = policy.approvers.filter((entry) => {
    if (!entry.startsWith(TEAM_PREFIX)) return !done(entry);
    const team = entry.slice(TEAM_PREFIX.length);
    const members = Object.hasOwn(teams, team) ? teams[team] ?? [] : [];
    return members.some((member) => !done(member));
  });
  return { required: policy.required, approvals, reached: approvals.length >= policy.required, stillMay };
}

/**
 * The approvals that count towards the quorum: one per person (emails compared case-insensitively),
 * and never the requester's unless the policy allows it, even in a hand-edited file.
 */
function countedApprovals(release: Release): ApprovalRecord[] {
  const seen = new Set<string>();
  const out: ApprovalRecord[] = [];
  for (const record of release.approvals) {
    const email = record.by.email.trim().toLowerCase();
    if (record.decision !== 'approve' || seen.has(email)) continue;
    if (!release.policy.requesterCanApprove && sameEmail(email, release.createdBy.email)) continue;
    seen.add(email);
    out.push(record);
  }
  return out;
}
