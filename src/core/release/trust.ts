// What a release file may be trusted for (docs/releases.md, "Trust"). A release file is text anyone
// can edit and commit, so the extension believes only what Git can vouch for:
// - the content as it was created (tenants, changes, policy, head, …) is immutable afterwards, and each
//   later commit only appends approvals and history;
// - tenants are declared in gitopshq.yaml, changes lie within the paths that affect the release's
//   (environment, tenants), and each change's blob is the path's content at `head`;
// - an approval counts only when it was added by a commit authored (and, when required, signed) by
//   that approver that changes nothing but the release's approvals and history.
// Pure: the Git facts (the commits that changed the file, blobs at head, signatures) come from
// src/infra/git/releaseTrust.ts.
import { isAffectedPath, type AffectedPath } from './affectedPaths';
import { approvalRefusal, policyInForce, sameEmail, type ApprovalOptions } from './policy';
import type { ApprovalRecord, Identity, Release, ReleasePolicy, ReleaseState } from './types';

/** One commit that changed the release file, with the file before and after it. */
export interface ReleaseFileCommit {
  sha: string;
  author: Identity;
  /** Every path the commit changes (all of them, not only the release file). */
  files: string[];
  /** The release at the commit's first parent: null when absent, 'invalid' when it did not parse. */
  before: Release | null | 'invalid';
  after: Release | null | 'invalid';
  /** The `git verify-commit` outcome, when signatures are required. */
  signature?: { ok: boolean; signer: string; detail: string };
}

export interface TrustInput {
  releasePath: string;
  /** The commits that changed the release file, oldest first (reachable from HEAD). */
  commits: ReleaseFileCommit[];
  declaredTenants: readonly string[];
  teams: Record<string, string[]>;
  /** The environment's policy in the current manifest; undefined when the environment is gone from it. */
  manifest: ReleasePolicy | undefined;
  /** The paths that affect the release's environment for one tenant. */
  affected: (tenant: string) => readonly Pick<AffectedPath, 'path'>[];
  /** Each change's blob at `head` (null: absent there); undefined when `head` is not a commit here. */
  blobsAtHead: ReadonlyMap<string, string | null> | undefined;
  /**
   * Each change's blob in the commit that created the release, when that commit's parent is `head`: a
   * release made with uncommitted content commits that content together with the release file.
   */
  blobsAtCreation?: ReadonlyMap<string, string | null>;
  requireSignedCommits: boolean;
}

export interface ApprovalCheck {
  /** Git shows the entry was recorded by its approver (and signed, when required). */
  verified: boolean;
  /** It counts towards the quorum (verified, an approver in force, not the requester, once per person). */
  counts: boolean;
  /** Why, in a sentence fragment: "recorded by Sam's commit 1a2b3c4" or "its commit 1a2b3c4 also changes gitopshq.yaml". */
  why: string;
}

export interface TrustReport {
  /** Per entry of the release's approvals. */
  approvals: ApprovalCheck[];
  /** Reasons the release must not be deployed (nor approved); empty when it may. */
  problems: string[];
  /** What the manifest's policy tightens over the snapshot. */
  tightened: string[];
}

/** Fields fixed when the release is created: a later change means the release is not what was reviewed. */
const IMMUTABLE: readonly (keyof Release)[] = ['id', 'environment', 'tenants', 'changes', 'base', 'bases', 'head', 'policy', 'createdBy', 'createdAt', 'title', 'notes', 'rollback', 'rollbackOf'];
/** What an approval commit may change. */
const APPROVAL_FIELDS: ReadonlySet<keyof Release> = new Set(['approvals', 'history', 'state']);

const NEXT: Record<ReleaseState, readonly ReleaseState[]> = {
  draft: ['pending_approval', 'deploying', 'cancelled'],
  pending_approval: ['approved', 'cancelled'],
  approved: ['deploying', 'cancelled'],
  deploying: ['deployed', 'failed'],
  deployed: [],
  failed: [],
  cancelled: [],
};

const short = (sha: string) => sha.slice(0, 7);
const who = (id: Identity) => `${id.name} <${id.email}>`;

export function judgeRelease(release: Release, input: TrustInput): TrustReport {
  const problems: string[] = [];
  const policy = policyInForce(release.policy, input.manifest);
  if (input.manifest === undefined) problems.push(`environment ${release.environment} is no longer in gitopshq.yaml`);

  const undeclared = release.tenants.filter((t) => !input.declaredTenants.includes(t));
  if (undeclared.length > 0) {
    problems.push(`tenant${undeclared.length > 1 ? 's' : ''} ${undeclared.join(', ')} ${undeclared.length > 1 ? 'are' : 'is'} not declared in gitopshq.yaml (it declares ${input.declaredTenants.join(', ') || 'none'})`);
  }
  const affected = release.tenants.filter((t) => input.declaredTenants.includes(t)).flatMap((t) => input.affected(t));
  for (const change of release.changes) {
    if (!isAffectedPath(affected, change.path)) {
      problems.push(`${change.path} is not among the paths that affect ${release.environment} for ${release.tenants.join(', ')} (value layers, chart folders, variables file)`);
    }
  }
  if (input.blobsAtHead === undefined) {
    problems.push(`its head ${short(release.head)} is not a commit in this repository (pull, then retry)`);
  } else {
    for (const change of release.changes) {
      const atHead = input.blobsAtHead.get(change.path) ?? null;
      const atCreation = input.blobsAtCreation?.get(change.path);
      if (change.blob === atHead || (atCreation !== undefined && change.blob === atCreation)) continue;
      problems.push(`${change.path}: the release deploys ${change.blob === null ? 'its deletion' : `blob ${short(change.blob)}`}, but head ${short(release.head)} holds ${atHead === null ? 'no such file' : `blob ${short(atHead)}`}`);
    }
  }

  const chain = currentChain(input.commits);
  const creation = chain[0];
  if (creation === undefined) {
    problems.push(`${input.releasePath} is not committed: only a committed release can be approved or deployed`);
  } else {
    problems.push(...chainProblems(chain));
    // The file at HEAD may differ from every single commit's version (a merge resolved by hand).
    const created = creation.after;
    if (created !== null && created !== 'invalid') {
      const changed = IMMUTABLE.filter((key) => !same(created[key], release[key]));
      if (changed.length > 0) problems.push(`its ${changed.join(', ')} differ${changed.length > 1 ? '' : 's'} from the release as it was created (commit ${short(creation.sha)})`);
    }
  }
  problems.push(...historyProblems(release));

  const verified = release.approvals.map((record) => verifyApproval(record, chain, input));
  const options: ApprovalOptions = { ...(input.manifest ? { manifest: input.manifest } : {}), verified: verified.map((v) => v.ok) };
  const seen = new Set<string>();
  const approvals = release.approvals.map((record, index): ApprovalCheck => {
    const v = verified[index]!;
    if (!v.ok) return { verified: false, counts: false, why: v.why };
    if (record.decision !== 'approve') return { verified: true, counts: false, why: v.why };
    const refusal = approvalRefusal(release, input.teams, index, options, seen);
    if (refusal !== undefined) return { verified: true, counts: false, why: `${v.why}, but it does not count: ${refusal}` };
    seen.add(record.by.email.trim().toLowerCase());
    return { verified: true, counts: true, why: v.why };
  });
  return { approvals, problems, tightened: policy.tightened };
}

/** The commits since the file was last created (a file deleted and added again starts over). */
function currentChain(commits: readonly ReleaseFileCommit[]): ReleaseFileCommit[] {
  let start = -1;
  commits.forEach((c, i) => {
    if (c.before === null && c.after !== null) start = i;
  });
  return start < 0 ? [] : commits.slice(start);
}

function chainProblems(chain: readonly ReleaseFileCommit[]): string[] {
  const problems: string[] = [];
  const created = chain[0]!.after;
  for (const commit of chain.slice(1)) {
    const { before, after } = commit;
    if (after === null) continue;
    const by = `commit ${short(commit.sha)} by ${who(commit.author)}`;
    if (after === 'invalid' || before === 'invalid' || before === null || created === 'invalid' || created === null) continue;
    const changed = IMMUTABLE.filter((key) => !same(created[key], after[key]));
    if (changed.length > 0) problems.push(`its ${changed.join(', ')} ${changed.length > 1 ? 'were' : 'was'} changed after it was created (${by})`);
    if (!isPrefix(before.history, after.history)) problems.push(`its history was rewritten (${by}); history is only ever appended`);
    if (!isPrefix(before.approvals, after.approvals)) problems.push(`its approvals were rewritten (${by}); approvals are only ever appended`);
  }
  return problems;
}

/** States must follow the state machine: a cancelled, failed or deployed release stays so. */
function historyProblems(release: Release): string[] {
  const first = release.history[0];
  if (first && first.state !== 'draft' && first.state !== 'pending_approval') return [`its history starts in ${first.state}; a release starts as draft or pending_approval`];
  for (let i = 1; i < release.history.length; i++) {
    const from = release.history[i - 1]!.state;
    const to = release.history[i]!.state;
    if (!NEXT[from].includes(to)) return [`its history goes from ${from} to ${to}, which no action does`];
  }
  return [];
}

function verifyApproval(record: ApprovalRecord, chain: readonly ReleaseFileCommit[], input: TrustInput): { ok: boolean; why: string } {
  const commit = chain.find((c) => c.after !== null && c.after !== 'invalid' && c.after.approvals.some((a) => same(a, record)) && !(c.before !== null && c.before !== 'invalid' && c.before.approvals.some((a) => same(a, record))));
  if (!commit) return { ok: false, why: 'no commit of the release file records it (only the committed file counts)' };
  const id = `commit ${short(commit.sha)}`;
  if (commit.before === null) return { ok: false, why: `it came with the release file itself (${id}), not with a commit of its approver` };
  if (commit.before === 'invalid') return { ok: false, why: `${id} starts from a release file that does not parse` };
  if (!sameEmail(commit.author.email, record.by.email)) return { ok: false, why: `${id} that records it is authored by ${who(commit.author)}, not by the approver` };
  const others = commit.files.filter((f) => f !== input.releasePath);
  if (others.length > 0) return { ok: false, why: `${id} that records it also changes ${others.slice(0, 3).join(', ')}${others.length > 3 ? ` and ${others.length - 3} more` : ''}` };
  const after = commit.after as Release;
  const changed = (Object.keys({ ...commit.before, ...after }) as (keyof Release)[]).filter((k) => !APPROVAL_FIELDS.has(k) && !same(commit.before && commit.before !== 'invalid' ? commit.before[k] : undefined, after[k]));
  if (changed.length > 0) return { ok: false, why: `${id} that records it also changes the release's ${changed.join(', ')}` };
  if (!isPrefix(commit.before.approvals, after.approvals) || !isPrefix(commit.before.history, after.history)) return { ok: false, why: `${id} that records it rewrites earlier approvals or history` };
  if (input.requireSignedCommits) {
    const sig = commit.signature;
    if (!sig || !sig.ok) return { ok: false, why: `${id} is not signed by a trusted key (git verify-commit: ${sig?.detail || 'no signature'})` };
    if (!signerIs(sig.signer, record.by.email)) return { ok: false, why: `${id} is signed by ${sig.signer || 'an unnamed key'}, not by the approver` };
    return { ok: true, why: `recorded and signed by ${who(commit.author)} in ${id}` };
  }
  return { ok: true, why: `recorded by ${who(commit.author)} in ${id}` };
}

/** An SSH principal is the email; a GPG signer is "Name <email>". */
function signerIs(signer: string, email: string): boolean {
  const inBrackets = /<([^>]+)>/.exec(signer)?.[1];
  return sameEmail(inBrackets ?? signer, email);
}

function isPrefix<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length <= b.length && a.every((item, i) => same(item, b[i]));
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}
