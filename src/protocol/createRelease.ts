// The Create Release form's protocol (src/vscode/webviews/createReleasePanel.ts ↔
// webview-ui/createRelease/main.ts). Descriptors come from ./ipc, release shapes from ./releaseShapes.
import { z } from 'zod';
import { INTERACTIVE_TIMEOUT_MS, command, name, notification, request, wireErrorSchema } from './ipc';
import { fileDiffSchema, identitySchema, releaseIdSchema, releaseStateSchema } from './releaseShapes';

export const candidateSchema = z.object({
  path: z.string().min(1),
  status: z.enum(['added', 'modified', 'deleted']),
  workload: name.optional(),
  kind: z.enum(['layer', 'chart', 'variables']),
  /** The working tree differs from HEAD for this path. */
  uncommitted: z.boolean(),
  /** The selected tenants for which the path is a candidate (all of them, usually). */
  tenants: z.array(name),
});
export type WireCandidate = z.infer<typeof candidateSchema>;

export const policyPreviewSchema = z.object({
  required: z.number().int().min(0),
  approvers: z.array(z.string()),
  requesterCanApprove: z.boolean(),
  frozen: z.object({ reason: z.string().optional(), until: z.string().optional() }).nullable(),
  resultState: releaseStateSchema,
});
export type WirePolicyPreview = z.infer<typeof policyPreviewSchema>;

export const formSelectionSchema = z.object({
  project: name,
  environment: name,
  tenants: z.array(name).max(1000),
  includeUncommitted: z.boolean(),
});
export type FormSelection = z.infer<typeof formSelectionSchema>;

// ---------------------------------------------------------------------------------------------
// Webview → host.

export const ReadyCommand = command('ready', z.object({}));

/** Another project, environment, tenant set or "Include uncommitted changes": the host recomputes the candidates. */
export const SelectCommand = command('select', formSelectionSchema);

/** The warnings for a title (vague titles), computed by the host's release rules. */
export const TitleWarningsRequest = request('titleWarnings', z.object({ title: z.string().max(10_000) }), z.array(z.string()));

/** The unified diff of one candidate for one tenant (deployed content → HEAD or working tree). */
export const CandidateDiffRequest = request(
  'candidateDiff',
  z.object({ selection: formSelectionSchema, path: z.string().min(1).max(4096), tenant: name }),
  fileDiffSchema,
);

export const createInputSchema = z.object({
  selection: formSelectionSchema,
  title: z.string().max(10_000),
  notes: z.string().max(100_000),
  rollback: z.string().max(100_000).optional(),
  paths: z.array(z.string().min(1).max(4096)).max(10_000),
});
export type CreateInput = z.infer<typeof createInputSchema>;

export const CreateRequest = request('create', createInputSchema, z.object({ id: releaseIdSchema, state: releaseStateSchema }), { timeoutMs: INTERACTIVE_TIMEOUT_MS });

/** Open the release just created in its detail panel. */
export const OpenCreatedCommand = command('openCreated', z.object({ project: name, id: releaseIdSchema }));

// ---------------------------------------------------------------------------------------------
// Host → webview.

export const StateNotification = notification(
  'state',
  z.object({
    projects: z.array(z.object({ slug: name, name: z.string(), environments: z.array(name), tenants: z.array(name), tenantsDeclared: z.boolean() })),
    selection: formSelectionSchema,
    /** True while the candidates are computed (the list shows what it had). */
    loading: z.boolean(),
    candidates: z.array(candidateSchema),
    /** Per selected tenant: the deployed branch's tip, or null when never deployed. */
    deployed: z.array(z.object({ tenant: name, sha: z.string().nullable(), date: z.string().nullable() })),
    policy: policyPreviewSchema.optional(),
    identity: identitySchema.optional(),
    /** Why the candidates, the policy or the identity could not be read. */
    error: wireErrorSchema.optional(),
  }),
);
export type StateParams = z.infer<typeof StateNotification.params>;

/** What the form persists with setState: UI intent only (the host re-reads the data). */
export const webviewStateSchema = z.object({
  selection: formSelectionSchema.optional(),
  title: z.string().max(10_000).default(''),
  notes: z.string().max(100_000).default(''),
  rollback: z.string().max(100_000).default(''),
  /** Paths the user ticked (nothing is ticked at first: a release carries what was chosen). */
  checked: z.array(z.string()).max(10_000).default([]),
});
export type WebviewState = z.infer<typeof webviewStateSchema>;

/** Whether the form may be submitted, and why not: shared so both sides agree. */
export function formProblems(input: { title: string; notes: string; paths: readonly string[]; tenants: readonly string[] }): string[] {
  const problems: string[] = [];
  if (!input.title.trim()) problems.push('A title is required.');
  if (!input.notes.trim()) problems.push('Notes are required: say why the change is made.');
  if (input.tenants.length === 0) problems.push('Select at least one tenant.');
  if (input.paths.length === 0) problems.push('Select at least one change.');
  return problems;
}
