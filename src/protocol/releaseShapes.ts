// The wire shapes the three release panels share (the detail panel, the create form, the audit
// panel): releases, identities, states and file diffs. Each panel's own messages are in its protocol
// file (release.ts, createRelease.ts, audit.ts); descriptors and dispatch are in ./ipc.
import { z } from 'zod';
import { name } from './ipc';

const text = z.string().max(100_000);
export const identitySchema = z.object({ name: z.string().max(500), email: z.string().max(500) });
export const releaseStateSchema = z.enum(['draft', 'pending_approval', 'approved', 'deploying', 'deployed', 'failed', 'cancelled']);
export const releaseActionSchema = z.enum(['submit', 'approve', 'reject', 'cancel', 'deploy', 'rollback']);
const sha = z.string().regex(/^[0-9a-f]{4,64}$/);
export const releaseIdSchema = z.string().regex(/^rel_[0-9A-Za-z]{1,64}$/);

export const approvalSchema = z.object({ by: identitySchema, decision: z.enum(['approve', 'reject']), at: z.string(), comment: z.string().max(10_000) });

/** A release as it crosses the wire: the release file's content (it holds no secrets). */
export const wireReleaseSchema = z.object({
  id: releaseIdSchema,
  title: text,
  notes: text,
  rollback: text.optional(),
  environment: name,
  tenants: z.array(name),
  changes: z.array(z.object({ path: z.string().min(1), workload: name.optional(), blob: sha.nullable() })),
  base: sha.nullable(),
  head: sha,
  policy: z.object({ required: z.number().int().min(0), approvers: z.array(z.string()), requesterCanApprove: z.boolean() }),
  createdBy: identitySchema,
  createdAt: z.string(),
  state: releaseStateSchema,
  approvals: z.array(approvalSchema),
  history: z.array(z.object({ state: releaseStateSchema, at: z.string(), by: identitySchema, comment: z.string().max(10_000).optional() })),
  deploy: z.object({ commit: sha.nullable(), at: z.string().nullable(), commits: z.record(z.string(), sha).optional() }),
  rollbackOf: releaseIdSchema.optional(),
});
export type WireRelease = z.infer<typeof wireReleaseSchema>;

/**
 * A unified diff of one file as hunks (the host computes it with the `diff` package; secret
 * variable values are already masked). `lines` keep their ' ', '+' or '-' prefix.
 */
export const fileDiffSchema = z.object({
  path: z.string().min(1),
  hunks: z.array(
    z.object({
      oldStart: z.number().int().min(0),
      oldLines: z.number().int().min(0),
      newStart: z.number().int().min(0),
      newLines: z.number().int().min(0),
      lines: z.array(z.string()),
    }),
  ),
  /** Lines added and removed in total. */
  added: z.number().int().min(0),
  removed: z.number().int().min(0),
  /** True when some lines were replaced by the mask (the variables file). */
  masked: z.boolean(),
  /** True when the diff was cut to keep the message small. */
  truncated: z.boolean(),
});
export type WireFileDiff = z.infer<typeof fileDiffSchema>;
