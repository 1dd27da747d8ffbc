// Releases (spec §4) as plain data. The release file `.gitopshq/releases/<id>.yaml` is this shape
// serialised; see releaseFile.ts for reading and writing it and stateMachine.ts for the transitions.

export type ReleaseState = 'draft' | 'pending_approval' | 'approved' | 'deploying' | 'deployed' | 'failed' | 'cancelled';

/** What a person can do to a release. `rollback` applies to a deployed release and creates a new one. */
export type ReleaseAction = 'submit' | 'approve' | 'reject' | 'cancel' | 'deploy' | 'rollback';

/** A Git identity (`user.name`, `user.email`). Emails compare case-insensitively. */
export interface Identity {
  name: string;
  email: string;
}

/** One selected path with its content at `head` (`blob: null` = the release deletes the file). */
export interface ReleaseChange {
  /** Repository-relative, `/`-separated. */
  path: string;
  /** The workload the path belongs to; absent for project-wide files (the variables file). */
  workload?: string;
  /** Full blob id of the content the release deploys, or null when the path is absent at `head`. */
  blob: string | null;
}

/** The environment's approval policy, copied into the release when it is created. */
export interface ReleasePolicy {
  required: number;
  approvers: string[];
  requesterCanApprove: boolean;
}

export interface ApprovalRecord {
  by: Identity;
  decision: 'approve' | 'reject';
  /** ISO 8601. */
  at: string;
  comment: string;
}

export interface HistoryEntry {
  state: ReleaseState;
  at: string;
  by: Identity;
  /** The comment or rejection reason that came with the transition. */
  comment?: string;
}

export interface Release {
  apiVersion: 'gitopshq.io/v1alpha1';
  kind: 'Release';
  /** `rel_` + a ULID. */
  id: string;
  title: string;
  notes: string;
  rollback?: string;
  environment: string;
  tenants: string[];
  changes: ReleaseChange[];
  /** Tip of the deployed branch when created (the first tenant's), or null when never deployed. */
  base: string | null;
  /** Extension to the spec for several tenants: each tenant's deployed-branch tip when created. */
  bases?: Record<string, string | null>;
  /** The main commit whose content the release carries (for a rollback: the deployed commit it restores). */
  head: string;
  policy: ReleasePolicy;
  createdBy: Identity;
  createdAt: string;
  state: ReleaseState;
  approvals: ApprovalRecord[];
  history: HistoryEntry[];
  /** `commit` is the first tenant's deployed commit; `commits` has every tenant's. */
  deploy: { commit: string | null; at: string | null; commits?: Record<string, string> };
  /** For a rollback release: the id of the release it rolls back. */
  rollbackOf?: string;
}
