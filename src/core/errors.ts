// Typed errors: callers branch on `kind`, never on message text.
export type ErrorKind =
  | 'manifest-invalid'
  | 'project-not-found'
  | 'environment-not-found'
  | 'tenant-not-found'
  | 'workload-not-found'
  | 'variables-invalid'
  | 'file-exists'
  | 'git-not-repository'
  | 'git-failed'
  | 'git-identity'
  | 'git-dirty'
  | 'git-moved'
  | 'git-conflict'
  | 'git-push-rejected'
  | 'git-detached'
  | 'release-refused'
  | 'release-invalid'
  | 'release-not-found'
  | 'cancelled'
  | 'link-outside-workspace';

export class GitOpsHqError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** What the user can do about it, shown beside the message. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GitOpsHqError';
  }

  /**
   * By shape, not instanceof: the lazily loaded bundles (dist/git.js, dist/kube.js) carry their own copy
   * of this class, and their errors must still be recognised.
   */
  static is(err: unknown, kind?: ErrorKind): err is GitOpsHqError {
    if (!(err instanceof Error) || err.name !== 'GitOpsHqError' || typeof (err as { kind?: unknown }).kind !== 'string') return false;
    return kind === undefined || (err as GitOpsHqError).kind === kind;
  }
}
