// The release panels' protocol: what the release detail panel (src/vscode/webviews/releasePanel.ts
// ↔ webview-ui/release/main.ts) says, plus the pieces the create form and the audit panel share
// (wire shapes of releases and diffs, and requests with a correlated reply). No `vscode`, no DOM.
//
// Messages are the compare panel's `{ method, params }` descriptors (src/protocol/compare.ts), and
// one more kind: a Request is a Command whose params carry an `id`; the host answers it with a
// `reply` notification naming that id, with the result (validated by the request's own schema on
// arrival) or a typed error. Both sides drop what does not validate.
import { z } from 'zod';
import type { CommandType, Dispatcher, NotificationType } from './compare';

export function command<M extends string, P>(method: M, params: z.ZodType<P, z.ZodTypeDef, unknown>): CommandType<M, P> {
  return { direction: 'webview→host', method, params };
}

export function notification<M extends string, P>(method: M, params: z.ZodType<P, z.ZodTypeDef, unknown>): NotificationType<M, P> {
  return { direction: 'host→webview', method, params };
}

export interface RequestType<M extends string, P, R> extends CommandType<M, { id: number; params: P }> {
  readonly result: z.ZodType<R, z.ZodTypeDef, unknown>;
}

export function request<M extends string, P, R>(
  method: M,
  params: z.ZodType<P, z.ZodTypeDef, unknown>,
  result: z.ZodType<R, z.ZodTypeDef, unknown>,
): RequestType<M, P, R> {
  return { direction: 'webview→host', method, params: z.object({ id: z.number().int().min(0), params }) as z.ZodType<{ id: number; params: P }, z.ZodTypeDef, unknown>, result };
}

/** An error as the webview shows it: the message, and what to do about it. */
export const wireErrorSchema = z.object({ message: z.string(), hint: z.string().optional(), kind: z.string().optional() });
export type WireError = z.infer<typeof wireErrorSchema>;

export const ReplyNotification = notification(
  'reply',
  z.union([
    z.object({ id: z.number().int().min(0), ok: z.literal(true), result: z.unknown() }),
    z.object({ id: z.number().int().min(0), ok: z.literal(false), error: wireErrorSchema }),
  ]),
);
export type ReplyParams = z.infer<typeof ReplyNotification.params>;

/**
 * Host side: answers `type` with `handler`'s result, or its failure as a WireError (a
 * GitOpsHqError's message and hint; anything else by its message).
 */
export function onRequest<M extends string, P, R>(
  dispatcher: Dispatcher,
  type: RequestType<M, P, R>,
  handler: (params: P) => Promise<R>,
  reply: (params: ReplyParams) => void,
): void {
  dispatcher.on(type, async ({ id, params }) => {
    try {
      reply({ id, ok: true, result: await handler(params) });
    } catch (err) {
      reply({ id, ok: false, error: toWireError(err) });
    }
  });
}

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const e = err as Error & { hint?: unknown; kind?: unknown };
    return {
      message: e.message,
      ...(typeof e.hint === 'string' && e.hint ? { hint: e.hint } : {}),
      ...(typeof e.kind === 'string' ? { kind: e.kind } : {}),
    };
  }
  return { message: String(err) };
}

// ---------------------------------------------------------------------------------------------
// Data shared by the three panels.

export const name = z.string().min(1).max(500);
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

// ---------------------------------------------------------------------------------------------
// The release detail panel.

export const progressSchema = z.object({
  required: z.number().int().min(0),
  approvals: z.array(approvalSchema),
  reached: z.boolean(),
  stillMay: z.array(z.string()),
});

/** What Git vouches for (docs/releases.md, "Trust"): each approval verified or not and why, what stops the release. */
export const trustSchema = z.object({
  /** Per entry of the release's approvals. */
  approvals: z.array(z.object({ verified: z.boolean(), counts: z.boolean(), why: z.string().max(2_000) })),
  /** Why the release cannot be approved or deployed; empty when nothing stops it. */
  problems: z.array(z.string().max(2_000)),
  /** What the manifest's policy tightens over the release's snapshot. */
  tightened: z.array(z.string().max(2_000)),
  /** The working tree's copy differs from the committed one, which is what the panel shows. */
  uncommitted: z.boolean(),
  /** Approval commits must be signed (gitopshq.approvals.requireSignedCommits). */
  signed: z.boolean(),
});
export type WireTrust = z.infer<typeof trustSchema>;

export const ReleaseReadyCommand = command('ready', z.object({}));

export const ReleaseStateNotification = notification(
  'state',
  z.object({
    project: name,
    release: wireReleaseSchema,
    progress: progressSchema,
    /** What the current Git identity may do now. */
    allowed: z.array(releaseActionSchema),
    /** The current Git identity, or why there is none. */
    identity: identitySchema.optional(),
    identityError: wireErrorSchema.optional(),
    /** Absent while it could not be computed (the panel then says so). */
    trust: trustSchema.optional(),
  }),
);
export type ReleaseStateParams = z.infer<typeof ReleaseStateNotification.params>;

/** The release is gone (its file was deleted or no longer parses). */
export const ReleaseGoneNotification = notification('gone', z.object({ message: z.string() }));

/** The diff of one change of the release: the content deployed when it was created against the content it deploys. */
export const ChangeDiffRequest = request('changeDiff', z.object({ path: z.string().min(1).max(4096) }), fileDiffSchema);

/** An action on the release; a rollback answers with the new release it created. */
export const ActRequest = request(
  'act',
  z.object({ action: releaseActionSchema, comment: z.string().max(10_000).optional(), reason: z.string().max(10_000).optional() }),
  z.object({ id: releaseIdSchema, state: releaseStateSchema }),
);

/** Open another release of the same project (the one a rollback undoes, or the rollback just created). */
export const OpenReleaseCommand = command('openRelease', z.object({ id: releaseIdSchema }));

/** What the detail webview persists: nothing but which diffs were open. */
export const releaseWebviewStateSchema = z.object({
  project: name.optional(),
  id: releaseIdSchema.optional(),
  open: z.array(z.string()).max(1000).default([]),
});
export type ReleaseWebviewState = z.infer<typeof releaseWebviewStateSchema>;
