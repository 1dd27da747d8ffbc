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
  | 'cancelled';

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

  static is(err: unknown, kind?: ErrorKind): err is GitOpsHqError {
    return err instanceof GitOpsHqError && (kind === undefined || err.kind === kind);
  }
}
