// The release state machine (spec §4). Every transition is guarded by the state, the person (their Git
// identity), the policy snapshot and the environment's freeze, and a refusal says what the release is and
// what this person can do with it instead. Functions return new objects: the caller writes the file.
//
// Who may do what (docs/releases.md):
//   submit   draft → pending_approval          the author, when the policy requires approvals
//   approve  pending_approval → (approved)     a listed approver, once, not the author unless requesterCanApprove
//   reject   pending_approval|approved → cancelled   same people as approve, with a reason
//   cancel   draft|pending_approval|approved → cancelled   the author (approvers reject, with a reason)
//   deploy   approved → deploying, or draft → deploying when the policy requires no approval; anyone; not frozen
//   rollback deployed (creates a new release, see rollback.ts); anyone
import { GitOpsHqError } from '../errors';
import type { Environment } from '../types';
import { approvalProgress, approversText, mayApprove, policyInForce, sameEmail, type ApprovalOptions } from './policy';
import { RELEASE_ID_PATTERN } from './releaseFile';
import type { HistoryEntry, Identity, Release, ReleaseAction, ReleaseChange, ReleaseState } from './types';

export interface ActionContext {
  identity: Identity;
  /** The current manifest's teams (membership is read from today's manifest). */
  teams: Record<string, string[]>;
  /** The current manifest's environment: its freeze, and its policy (the stricter of it and the snapshot is in force). */
  environment?: Environment;
  /**
   * Per entry of the release's approvals, whether Git shows it was recorded by its approver (trust.ts).
   * Absent: entries are taken as written. Unverified entries never count towards the quorum.
   */
  verified?: readonly boolean[];
  now: Date;
  comment?: string;
  reason?: string;
}

type Guard = { ok: true } | { ok: false; why: string; hint?: string };
const OK: Guard = { ok: true };
const no = (why: string, hint?: string): Guard => (hint === undefined ? { ok: false, why } : { ok: false, why, hint });

const ACTIONS: readonly ReleaseAction[] = ['submit', 'approve', 'reject', 'cancel', 'deploy', 'rollback'];

/** What this identity may do with the release now, in a stable order. */
export function allowedActions(release: Release, ctx: ActionContext): ReleaseAction[] {
  return ACTIONS.filter((action) => guard(release, action, ctx).ok);
}

/** Applies a transition, or throws GitOpsHqError('release-refused') saying why and what is possible instead. */
export function applyAction(release: Release, action: Exclude<ReleaseAction, 'rollback'>, ctx: ActionContext): Release {
  refuseUnless(release, action, ctx);
  // Not part of the guard: reject is offered without a reason, and the reason is asked for then.
  if (action === 'reject' && (ctx.reason ?? '').trim() === '') {
    throw new GitOpsHqError('release-refused', `Rejecting release ${release.id} needs a reason: it cancels the release.`, 'Say why, so that the author knows what to change.');
  }
  const at = ctx.now.toISOString();
  const by = identityOf(ctx.identity);
  switch (action) {
    case 'submit':
      return transition(release, 'pending_approval', by, at, ctx.comment);
    case 'approve': {
      const approved: Release = { ...release, approvals: [...release.approvals, { by, decision: 'approve', at, comment: ctx.comment ?? '' }] };
      // This approval is recorded now by its approver's own commit: it is verified as it is written.
      const options = approvalOptions({ ...ctx, ...(ctx.verified ? { verified: [...ctx.verified, true] } : {}) });
      return approvalProgress(approved, ctx.teams, options).reached ? transition(approved, 'approved', by, at, ctx.comment) : approved;
    }
    case 'reject': {
      const reason = (ctx.reason ?? '').trim();
      const rejected: Release = { ...release, approvals: [...release.approvals, { by, decision: 'reject', at, comment: reason }] };
      return transition(rejected, 'cancelled', by, at, reason);
    }
    case 'cancel':
      return transition(release, 'cancelled', by, at, ctx.reason ?? ctx.comment);
    case 'deploy':
      return transition(release, 'deploying', by, at, ctx.comment);
  }
}

/** Records a finished deploy: `commits` holds each tenant's new deployed commit. */
export function markDeployed(release: Release, commits: Record<string, string>, ctx: ActionContext): Release {
  expectDeploying(release, 'deployed');
  const missing = release.tenants.filter((t) => commits[t] === undefined);
  if (missing.length > 0) {
    throw new GitOpsHqError('release-invalid', `Release ${release.id} was deployed without a commit for tenant ${missing.join(', ')}.`);
  }
  const at = ctx.now.toISOString();
  const first = commits[release.tenants[0] as string] as string;
  const deploy = { commit: first, at, commits: Object.fromEntries(release.tenants.map((t) => [t, commits[t] as string])) };
  return { ...transition(release, 'deployed', identityOf(ctx.identity), at, ctx.comment), deploy };
}

export function markFailed(release: Release, reason: string, ctx: ActionContext): Release {
  expectDeploying(release, 'failed');
  return transition(release, 'failed', identityOf(ctx.identity), ctx.now.toISOString(), reason);
}

function expectDeploying(release: Release, to: ReleaseState): void {
  if (release.state !== 'deploying') {
    throw new GitOpsHqError('release-refused', `Release ${release.id} is ${release.state}: only a deploying release can become ${to}.`);
  }
}

function transition(release: Release, state: ReleaseState, by: Identity, at: string, comment: string | undefined): Release {
  const entry: HistoryEntry = comment !== undefined && comment.trim() !== '' ? { state, at, by, comment: comment.trim() } : { state, at, by };
  return { ...release, state, history: [...release.history, entry] };
}

/** The approval options an action context implies: the manifest's policy and the verification. */
export function approvalOptions(ctx: Pick<ActionContext, 'environment' | 'verified'>): ApprovalOptions {
  return { ...(ctx.environment ? { manifest: ctx.environment.approval } : {}), ...(ctx.verified ? { verified: ctx.verified } : {}) };
}

function identityOf(identity: Identity): Identity {
  return { name: identity.name, email: identity.email };
}

// ---------------------------------------------------------------------------------------------
// Guards

function refuseUnless(release: Release, action: ReleaseAction, ctx: ActionContext): void {
  const result = guard(release, action, ctx);
  if (result.ok) return;
  const others = allowedActions(release, ctx).filter((a) => a !== action);
  const instead = others.length > 0 ? ` You can ${sentenceList(others.map(phrase))}.` : nothingToDo(release);
  throw new GitOpsHqError('release-refused', `Release ${release.id} is ${release.state}: ${result.why}.${instead}`, result.hint);
}

function guard(release: Release, action: ReleaseAction, ctx: ActionContext): Guard {
  const email = ctx.identity.email.trim();
  if (email === '' && action !== 'rollback') {
    return no(`${action} needs your Git identity`, 'Set it with git config --global user.name "Your Name" and git config --global user.email you@example.com.');
  }
  switch (action) {
    case 'submit':
      return guardSubmit(release, ctx);
    case 'approve':
    case 'reject':
      return guardDecision(release, action, ctx);
    case 'cancel':
      return guardCancel(release, ctx);
    case 'deploy':
      return guardDeploy(release, ctx);
    case 'rollback':
      return release.state === 'deployed' ? OK : no(`only a deployed release can be rolled back`);
  }
}

const isAuthor = (release: Release, ctx: ActionContext) => sameEmail(release.createdBy.email, ctx.identity.email);
const author = (release: Release) => `${release.createdBy.name} <${release.createdBy.email}>`;

function guardSubmit(release: Release, ctx: ActionContext): Guard {
  if (release.state !== 'draft') return no(`only a draft can be submitted for approval`);
  if (policyInForce(release.policy, ctx.environment?.approval).required === 0) return no(`its environment needs no approval, so there is nothing to submit: deploy it directly`);
  if (!isAuthor(release, ctx)) return no(`submit is for its author, ${author(release)}`);
  return OK;
}

function guardDecision(release: Release, action: 'approve' | 'reject', ctx: ActionContext): Guard {
  const states: ReleaseState[] = action === 'approve' ? ['pending_approval'] : ['pending_approval', 'approved'];
  if (!states.includes(release.state)) {
    return no(action === 'approve' ? 'only a release pending approval can be approved' : 'only a release pending approval or approved (not yet deployed) can be rejected');
  }
  const policy = policyInForce(release.policy, ctx.environment?.approval);
  if (!mayApprove(policy, ctx.teams, ctx.identity.email)) {
    const who = approversText(policy);
    return no(`${action} is for its approvers (${who}) and ${ctx.identity.email} is not one of them`, 'Ask one of the approvers; team membership is read from the teams of gitopshq.yaml.');
  }
  if (!policy.requesterCanApprove && isAuthor(release, ctx)) {
    return no(`you created it and its policy does not let the requester ${action} (requesterCanApprove: false)`, 'Ask another approver.');
  }
  const previous = release.approvals.find((a) => sameEmail(a.by.email, ctx.identity.email));
  if (previous) {
    const did = previous.decision === 'approve' ? 'approved' : 'rejected';
    return no(`you already ${did} it on ${previous.at}; each person decides once`);
  }
  return OK;
}

function guardCancel(release: Release, ctx: ActionContext): Guard {
  if (!['draft', 'pending_approval', 'approved'].includes(release.state)) {
    return no(`only a release that is not deployed yet (draft, pending_approval or approved) can be cancelled`);
  }
  if (!isAuthor(release, ctx)) return no(`cancel is for its author, ${author(release)}; an approver rejects it with a reason instead`);
  return OK;
}

function guardDeploy(release: Release, ctx: ActionContext): Guard {
  const required = policyInForce(release.policy, ctx.environment?.approval).required;
  if (release.state === 'draft') {
    if (required > 0) return no(`its policy requires ${required} approval(s): submit it for approval first`);
  } else if (release.state === 'pending_approval') {
    const progress = approvalProgress(release, ctx.teams, approvalOptions(ctx));
    return no(`it has ${progress.approvals.length}/${progress.required} approvals; it can be deployed once approved`);
  } else if (release.state !== 'approved') {
    return no(`only an approved release (or a draft that needs no approval) can be deployed`);
  } else {
    // `approved` is only a claim of the file: the quorum is counted again under the policy in force.
    const progress = approvalProgress(release, ctx.teams, approvalOptions(ctx));
    if (!progress.reached) {
      return no(
        `it has only ${progress.approvals.length}/${progress.required} approvals that count (approvals count when verified through Git and given by an approver of the policy in force)`,
        'Open the release to see why each approval does or does not count.',
      );
    }
  }
  const freeze = ctx.environment ? isFrozen(ctx.environment, ctx.now) : { frozen: false };
  if (freeze.frozen) {
    const until = freeze.until ? ` until ${freeze.until}` : '';
    return no(`environment ${release.environment} is frozen${until} (${freeze.reason ?? 'no reason given'}), so it cannot be deployed now`, freeze.until ? `Deploy after ${freeze.until}, or ask for the freeze to be lifted in gitopshq.yaml.` : 'Ask for the freeze to be lifted in gitopshq.yaml.');
  }
  return OK;
}

function nothingToDo(release: Release): string {
  switch (release.state) {
    case 'cancelled':
    case 'failed':
      return ` A ${release.state} release is final: create a new release to ship these changes.`;
    case 'deploying':
      return ' It is being deployed.';
    default:
      return ' There is nothing you can do with it now.';
  }
}

function phrase(action: ReleaseAction): string {
  return action === 'rollback' ? 'roll it back' : `${action} it`;
}

function sentenceList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] as string}`;
}

// ---------------------------------------------------------------------------------------------
// Creation

export interface CreateReleaseInput {
  id: string;
  title: string;
  notes: string;
  rollback?: string;
  environment: Environment;
  tenants: string[];
  changes: ReleaseChange[];
  /** Each tenant's deployed-branch tip (null = never deployed). */
  bases: Record<string, string | null>;
  head: string;
  createdBy: Identity;
  createdAt: Date;
  rollbackOf?: string;
}

/** A new release in `draft` (no approval required) or `pending_approval`, with the policy snapshot. */
export function createRelease(input: CreateReleaseInput): Release {
  const invalid = (message: string, hint?: string) => new GitOpsHqError('release-invalid', message, hint);
  if (!RELEASE_ID_PATTERN.test(input.id)) throw invalid(`"${input.id}" is not a release id ("rel_" + a ULID).`);
  const title = input.title.trim();
  const notes = input.notes.trim();
  if (title === '') throw invalid('A release needs a title.', 'Say what changes, e.g. "Enable new checkout flow for payment-api v2.5.0".');
  if (notes === '') throw invalid('A release needs notes that say why the change is made.', 'Reviewers approve a reason, not only a diff.');
  if (input.tenants.length === 0) throw invalid('A release needs at least one tenant.');
  if (input.changes.length === 0) throw invalid(`Nothing to release: no change was selected for ${input.environment.name}.`, 'Select at least one changed path.');
  const paths = new Set<string>();
  for (const change of input.changes) {
    if (paths.has(change.path)) throw invalid(`The change ${change.path} is listed twice.`);
    paths.add(change.path);
  }
  if (input.createdBy.email.trim() === '') {
    throw new GitOpsHqError('git-identity', 'Creating a release needs your Git identity.', 'git config --global user.name "Your Name" and git config --global user.email you@example.com');
  }
  const approval = input.environment.approval;
  const state: ReleaseState = approval.required === 0 ? 'draft' : 'pending_approval';
  const createdBy = identityOf(input.createdBy);
  const createdAt = input.createdAt.toISOString();
  const bases = Object.fromEntries(input.tenants.map((t) => [t, input.bases[t] ?? null]));
  const rollback = input.rollback?.trim();
  const release: Release = {
    apiVersion: 'gitopshq.io/v1alpha1',
    kind: 'Release',
    id: input.id,
    title,
    notes,
    environment: input.environment.name,
    tenants: [...input.tenants],
    changes: input.changes.map((c) => ({ ...c })),
    base: bases[input.tenants[0] as string] ?? null,
    bases,
    head: input.head,
    policy: { required: approval.required, approvers: [...approval.approvers], requesterCanApprove: approval.requesterCanApprove },
    createdBy,
    createdAt,
    state,
    approvals: [],
    history: [{ state, at: createdAt, by: createdBy }],
    deploy: { commit: null, at: null },
  };
  if (rollback) release.rollback = rollback;
  if (input.rollbackOf !== undefined) release.rollbackOf = input.rollbackOf;
  return release;
}

/** Each tenant's base: `bases`, or for a file written without it (single tenant) `base`. */
export function releaseBases(release: Release): Record<string, string | null> {
  return release.bases ?? { [release.tenants[0] as string]: release.base };
}

const VAGUE_WORDS = new Set([
  'update', 'updates', 'updated', 'fix', 'fixes', 'fixed', 'change', 'changes', 'changed', 'values', 'value', 'misc', 'wip', 'stuff',
  'tweak', 'tweaks', 'release', 'deploy', 'new', 'some', 'minor', 'small', 'config', 'configuration', 'bump', 'test', 'tmp', 'various',
]);

/** Warnings for titles that will not help anyone reading the release list or the audit log later. */
export function titleWarnings(title: string): string[] {
  const words = title.trim().toLowerCase().split(/\s+/).map((w) => w.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')).filter((w) => w !== '');
  const warnings: string[] = [];
  const example = 'e.g. "Raise payment-api replicas to 4 for Black Friday"';
  if (words.length > 0 && words.every((w) => VAGUE_WORDS.has(w))) {
    warnings.push(`"${title.trim()}" does not say what changes: name the workload and the change, ${example}.`);
  } else if (words.length > 0 && words.length < 3) {
    warnings.push(`A title of ${words.length} word${words.length === 1 ? '' : 's'} is hard to recognise later: say what changes and why, ${example}.`);
  }
  if (title.trim().length > 100) warnings.push('Keep the title under 100 characters; put details in the notes.');
  return warnings;
}

/** Whether the environment refuses deploys at `now`: a freeze without `until`, or with `until` in the future. */
export function isFrozen(environment: Environment, now: Date): { frozen: boolean; reason?: string; until?: string } {
  const freeze = environment.freeze;
  if (!freeze) return { frozen: false };
  if (freeze.until !== undefined) {
    const until = Date.parse(freeze.until);
    // An unreadable date keeps the freeze: refusing a deploy is the safe side.
    if (!Number.isNaN(until) && until <= now.getTime()) return { frozen: false };
    return { frozen: true, reason: freeze.reason, until: freeze.until };
  }
  return { frozen: true, reason: freeze.reason };
}
