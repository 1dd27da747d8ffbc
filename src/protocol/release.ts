// The release detail panel's protocol (src/vscode/webviews/releasePanel.ts ↔ webview-ui/release/main.ts).
// The wire shapes it shares with the create form and the audit panel are in ./releaseShapes;
// descriptors, requests and dispatch in ./ipc. No `vscode`, no DOM.
import { z } from 'zod';
import { INTERACTIVE_TIMEOUT_MS, command, name, notification, request, wireErrorSchema } from './ipc';
import { approvalSchema, fileDiffSchema, identitySchema, releaseActionSchema, releaseIdSchema, releaseStateSchema, wireReleaseSchema } from './releaseShapes';

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

export const ReadyCommand = command('ready', z.object({}));

export const StateNotification = notification(
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
    /** A deployed release's phase in the cluster (issue 13), once known. */
    runtime: z
      .object({ phase: z.enum(['pending', 'in_progress', 'deployed', 'healthy', 'failed']), superseded: z.boolean(), detail: z.string().max(20_000) })
      .optional(),
  }),
);
export type StateParams = z.infer<typeof StateNotification.params>;

/** The release is gone (its file was deleted or no longer parses). */
export const GoneNotification = notification('gone', z.object({ message: z.string() }));

/** The diff of one change of the release: the content deployed when it was created against the content it deploys. */
export const ChangeDiffRequest = request('changeDiff', z.object({ path: z.string().min(1).max(4096) }), fileDiffSchema);

/** An action on the release; a rollback answers with the new release it created. */
export const ActRequest = request(
  'act',
  z.object({ action: releaseActionSchema, comment: z.string().max(10_000).optional(), reason: z.string().max(10_000).optional() }),
  z.object({ id: releaseIdSchema, state: releaseStateSchema }),
  { timeoutMs: INTERACTIVE_TIMEOUT_MS },
);

/** Open the release's deployment timeline (`gitopshq.timeline.show`). */
export const ShowTimelineCommand = command('showTimeline', z.object({}));

/** Open another release of the same project (the one a rollback undoes, or the rollback just created). */
export const OpenReleaseCommand = command('openRelease', z.object({ id: releaseIdSchema }));

/** What the detail webview persists: nothing but which diffs were open. */
export const webviewStateSchema = z.object({
  project: name.optional(),
  id: releaseIdSchema.optional(),
  open: z.array(z.string()).max(1000).default([]),
});
export type WebviewState = z.infer<typeof webviewStateSchema>;
