// Who may approve a release and how far its quorum is (spec §4). The policy in force is the stricter
// of the release's snapshot and the environment's policy in the current manifest: a snapshot edited by
// hand (`required: 0`) cannot loosen what the manifest asks, and a policy tightened after the release
// was created applies to it too. Team membership comes from the CURRENT manifest's `teams`, so that
// someone who joined or left a team is treated as the team is today.
import type { ApprovalRecord, Release, ReleasePolicy } from './types';

const TEAM_PREFIX = 'team:';

export function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Whether `email` is listed in the policy, directly or as a member of a listed `team:`. */
export function isApprover(policy: Pick<ReleasePolicy, 'approvers'>, teams: Record<string, string[]>, email: string): boolean {
  return policy.approvers.some((entry) => entryIncludes(entry, teams, email));
}

function entryIncludes(entry: string, teams: Record<string, string[]>, email: string): boolean {
  if (!entry.startsWith(TEAM_PREFIX)) return sameEmail(entry, email);
  return teamMembers(teams, entry.slice(TEAM_PREFIX.length)).some((member) => sameEmail(member, email));
}

function teamMembers(teams: Record<string, string[]>, team: string): string[] {
  return (Object.hasOwn(teams, team) ? teams[team] : undefined) ?? [];
}

/**
 * The policy a release is held to now. `required` is the larger of the two; an approver must be listed
 * by every policy that asks for approvals (a policy with `required: 0` lists nobody and restricts nobody);
 * the requester may approve only when every such policy allows it.
 */
export interface PolicyInForce {
  required: number;
  /** A person approves only when listed (directly or through a team) in each of these lists. */
  approverLists: string[][];
  requesterCanApprove: boolean;
  /** What the manifest tightened over the snapshot, e.g. "2 approvals (the snapshot says 1)"; empty when the snapshot rules. */
  tightened: string[];
}

export function policyInForce(snapshot: ReleasePolicy, manifest?: ReleasePolicy): PolicyInForce {
  const policies = [snapshot, ...(manifest ? [manifest] : [])].filter((p) => p.required > 0);
  const required = Math.max(snapshot.required, manifest?.required ?? 0);
  const tightened: string[] = [];
  if (manifest && manifest.required > snapshot.required) tightened.push(`${manifest.required} approval(s) (the release's snapshot says ${snapshot.required})`);
  if (manifest && manifest.required > 0 && snapshot.required > 0 && !sameList(manifest.approvers, snapshot.approvers)) {
    tightened.push(`approvers listed both in the snapshot and in gitopshq.yaml (${manifest.approvers.join(', ') || 'nobody'})`);
  }
  const requesterCanApprove = policies.every((p) => p.requesterCanApprove);
  if (manifest && manifest.required > 0 && snapshot.requesterCanApprove && !manifest.requesterCanApprove) tightened.push('the requester may not approve');
  const approverLists = policies.filter((p, i) => !policies.slice(0, i).some((q) => sameList(q.approvers, p.approvers))).map((p) => [...p.approvers]);
  return { required, approverLists, requesterCanApprove, tightened };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  const norm = (l: readonly string[]) => [...new Set(l.map((e) => e.trim().toLowerCase()))].sort().join('\n');
  return norm(a) === norm(b);
}

/** Whether `email` may approve under the policy in force. */
export function mayApprove(policy: PolicyInForce, teams: Record<string, string[]>, email: string): boolean {
  return policy.approverLists.length > 0 && policy.approverLists.every((approvers) => isApprover({ approvers }, teams, email));
}

/** The approvers of the policy in force, as a person reads them ("team:sre, lead@example.com"; "team:sre and also one of: …"). */
export function approversText(policy: PolicyInForce): string {
  if (policy.approverLists.length === 0) return 'nobody (the policy lists no approvers)';
  return policy.approverLists.map((l) => (l.length > 0 ? l.join(', ') : 'nobody')).join('; and also one of: ');
}

export interface ApprovalOptions {
  /** The environment's policy in the current manifest (absent: the snapshot alone). */
  manifest?: ReleasePolicy;
  /**
   * Per entry of `release.approvals`, whether Git shows it was recorded by its approver (see
   * src/core/release/trust.ts). Absent: the entries are taken as written (a release being built in memory).
   */
  verified?: readonly boolean[];
}

export interface ApprovalProgress {
  required: number;
  /** Distinct approvers whose decision is `approve` and who count, first approval of each person, in order. */
  approvals: ApprovalRecord[];
  reached: boolean;
  /** Emails and `team:x` entries of the policy through which someone may still approve. */
  stillMay: string[];
}

export function approvalProgress(release: Release, teams: Record<string, string[]>, options: ApprovalOptions = {}): ApprovalProgress {
  const policy = policyInForce(release.policy, options.manifest);
  const approvals = countedApprovals(release, teams, options);
  // Anyone who already decided (approve or reject) is done; the requester is, unless allowed.
  const done = (email: string) =>
    release.approvals.some((a) => sameEmail(a.by.email, email)) || (!policy.requesterCanApprove && sameEmail(email, release.createdBy.email));
  const could = (email: string) => !done(email) && mayApprove(policy, teams, email);
  const stillMay = (policy.approverLists[0] ?? []).filter((entry) =>
    entry.startsWith(TEAM_PREFIX) ? teamMembers(teams, entry.slice(TEAM_PREFIX.length)).some(could) : could(entry),
  );
  return { required: policy.required, approvals, reached: approvals.length >= policy.required, stillMay };
}

/** Why an approval entry does not count, or undefined when it does (`seen`: emails already counted). */
export function approvalRefusal(release: Release, teams: Record<string, string[]>, index: number, options: ApprovalOptions = {}, seen?: ReadonlySet<string>): string | undefined {
  const record = release.approvals[index];
  if (!record) return 'no such approval';
  const policy = policyInForce(release.policy, options.manifest);
  const email = record.by.email.trim().toLowerCase();
  if (record.decision !== 'approve') return 'a rejection';
  if (options.verified && options.verified[index] !== true) return 'not verified through Git';
  if (!policy.requesterCanApprove && sameEmail(email, release.createdBy.email)) return 'the requester approving their own release (requesterCanApprove is false)';
  if (!mayApprove(policy, teams, email)) return `${record.by.email} is not an approver under the policy in force (${approversText(policy)})`;
  if (seen?.has(email)) return 'a second approval by the same person';
  return undefined;
}

/**
 * The approvals that count towards the quorum: verified (when verification is given), by an approver
 * of the policy in force, one per person (emails compared case-insensitively), never the requester's
 * unless allowed — whatever a hand-edited file says.
 */
function countedApprovals(release: Release, teams: Record<string, string[]>, options: ApprovalOptions): ApprovalRecord[] {
  const seen = new Set<string>();
  const out: ApprovalRecord[] = [];
  release.approvals.forEach((record, index) => {
    if (approvalRefusal(release, teams, index, options, seen) !== undefined) return;
    seen.add(record.by.email.trim().toLowerCase());
    out.push(record);
  });
  return out;
}
