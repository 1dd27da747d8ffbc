// Rolling back a deployed release = a NEW release whose changes set the target's paths back to the
// content the deployed branch held just before the target was deployed. It goes through the same policy
// as any release (approvals, freeze): undoing a change is a change.
import { GitOpsHqError } from '../errors';
import type { CreateReleaseInput } from './stateMachine';
import type { Release, ReleaseChange } from './types';

/** What a tenant's deployed branch held before the release being rolled back. */
export interface PreviousContent {
  tenant: string;
  /** Path → blob id before the target release; null or absent = the path did not exist. */
  blobs: Map<string, string | null>;
  /** The deployed commit before the target release (null = the target was the first deploy). */
  commit: string | null;
}

export type RollbackInput = Omit<CreateReleaseInput, 'id' | 'createdBy' | 'createdAt' | 'environment'>;

/**
 * The input of the rollback release. `previous` has one entry per tenant to roll back (all the target's
 * tenants, or one); `opts.bases` the current tip of each tenant's deployed branch.
 */
export function rollbackInput(
  target: Release,
  previous: PreviousContent[],
  opts: { title?: string; notes?: string; bases: Record<string, string | null> },
): RollbackInput {
  const refuse = (message: string, hint?: string) => new GitOpsHqError('release-refused', message, hint);
  if (target.state !== 'deployed') {
    throw refuse(`Release ${target.id} is ${target.state}: only a deployed release can be rolled back.`);
  }
  if (previous.length === 0) throw refuse(`Rolling back ${target.id} needs at least one of its tenants (${target.tenants.join(', ')}).`);
  const foreign = previous.filter((p) => !target.tenants.includes(p.tenant)).map((p) => p.tenant);
  if (foreign.length > 0) {
    throw refuse(`Release ${target.id} was not deployed to ${foreign.join(', ')}: its tenants are ${target.tenants.join(', ')}.`);
  }
  const first = previous[0] as PreviousContent;
  if (first.commit === null) {
    throw refuse(
      `Release ${target.id} was the first deploy of ${first.tenant} in ${target.environment}: there is no earlier content to restore.`,
      'Create a release that changes the values back instead.',
    );
  }
  const blobOf = (p: PreviousContent, path: string) => p.blobs.get(path) ?? null;
  for (const other of previous.slice(1)) {
    const differing = target.changes.find((c) => blobOf(other, c.path) !== blobOf(first, c.path));
    if (differing || other.commit === null) {
      const what = differing ? `different content for ${differing.path}` : `no deploy at all (${other.tenant})`;
      throw refuse(
        `Tenants ${first.tenant} and ${other.tenant} had ${what} before ${target.id}, so one rollback cannot restore both.`,
        'Roll back one tenant at a time.',
      );
    }
  }
  const changes: ReleaseChange[] = target.changes
    .map((c) => ({ ...c, blob: blobOf(first, c.path) }))
    .filter((c, i) => c.blob !== target.changes[i]?.blob);
  if (changes.length === 0) {
    throw refuse(`Release ${target.id} did not change the content of ${first.tenant}: there is nothing to roll back.`);
  }
  const tenants = previous.map((p) => p.tenant);
  return {
    title: opts.title?.trim() || `Roll back: ${target.title}`,
    notes: opts.notes?.trim() || `Restores the content deployed to ${tenants.join(', ')} in ${target.environment} before ${target.id} ("${target.title}").`,
    rollback: `Deploy the changes of ${target.id} again with a new release.`,
    tenants,
    changes,
    bases: Object.fromEntries(tenants.map((t) => [t, opts.bases[t] ?? null])),
    head: first.commit,
    rollbackOf: target.id,
  };
}
