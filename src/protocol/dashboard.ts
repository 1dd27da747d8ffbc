// The fleet dashboard's protocol (src/vscode/dashboard/dashboardPanel.ts ↔ webview-ui/dashboard/main.ts).
// The host computes and filters the fleet (core/fleet/fleetModel.ts) and sends it whole once, then
// only the tiles that changed; the webview renders, keeps the keyboard focus, and says how long a
// render took.
import { z } from 'zod';
import { command, name, notification } from './ipc';
import { releaseIdSchema, releaseStateSchema } from './releaseShapes';

export const colourSchema = z.enum(['green', 'yellow', 'red']);
export type WireColour = z.infer<typeof colourSchema>;

const text = z.string().max(10_000);

export const tileSchema = z.object({
  id: z.string().max(2000),
  project: name,
  environment: name,
  tenant: name,
  colour: colourSchema,
  reasons: z.array(z.object({ colour: colourSchema, kind: z.string().max(50), text })),
  sentence: text,
  deployed: z
    .object({
      commit: z.string().max(64),
      shortCommit: z.string().max(64),
      at: z.string().max(100),
      age: z.string().max(100),
      author: z.string().max(500),
      subject: text,
      release: z.object({ id: releaseIdSchema, title: text }).optional(),
    })
    .optional(),
  git: z.enum(['deployed', 'never-deployed', 'no-git', 'error', 'reading']),
  drift: z.number().int().min(0),
  /** The first paths (the tooltip); `drift` has the count. */
  driftPaths: z.array(z.string().max(2000)).max(20),
  pendingApprovals: z.number().int().min(0),
  mayApprove: z.number().int().min(0),
  releases: z.array(z.object({ id: releaseIdSchema, title: text, state: releaseStateSchema, mayApprove: z.boolean() })),
  unhealthy: z.array(z.object({ workload: name, colour: colourSchema, reason: z.string().max(200), message: text.optional() })),
  unresolved: z.array(name),
  connection: z.string().max(50),
  context: z.string().max(500).optional(),
  frozen: z.object({ reason: text, until: z.string().max(100).optional() }).optional(),
});
export type WireTile = z.infer<typeof tileSchema>;

export const projectRowSchema = z.object({
  slug: name,
  name: z.string().max(500),
  colour: colourSchema,
  mine: z.boolean(),
  /** Its environments in promotion order, each with its tiles (tenants as declared) and the next environment, for "Compare". */
  environments: z.array(z.object({ name, required: z.number().int().min(0), next: name.optional(), tenants: z.array(tileSchema) })),
});
export type WireProjectRow = z.infer<typeof projectRowSchema>;

export const summarySchema = z.object({ green: z.number().int().min(0), yellow: z.number().int().min(0), red: z.number().int().min(0) });

export const filterSchema = z.object({
  mine: z.boolean().default(false),
  problems: z.boolean().default(false),
  text: z.string().max(500).default(''),
});
export type DashboardFilter = z.infer<typeof filterSchema>;

export const tileActionSchema = z.enum(['openInTree', 'compare', 'createRelease', 'approve', 'openRelease', 'timeline', 'logs']);
export type TileAction = z.infer<typeof tileActionSchema>;

// ---------------------------------------------------------------------------------------------
// Webview → host.

export const ReadyCommand = command('ready', z.object({ filter: filterSchema.optional() }));
export const FilterCommand = command('filter', z.object({ filter: filterSchema }));
export const ActionCommand = command(
  'action',
  z.object({ action: tileActionSchema, project: name, environment: name, tenant: name, release: releaseIdSchema.optional(), workload: name.optional() }),
);
/** How long a render took, from the message's arrival to the painted frame (the budgets). */
export const RenderedCommand = command('rendered', z.object({ kind: z.enum(['full', 'patch']), ms: z.number().min(0), tiles: z.number().int().min(0) }));

// ---------------------------------------------------------------------------------------------
// Host → webview.

export const StateNotification = notification(
  'state',
  z.object({
    filter: filterSchema,
    /** The environment names of every shown project, merged in promotion order: the columns. */
    columns: z.array(name),
    projects: z.array(projectRowSchema),
    broken: z.array(z.object({ manifestPath: z.string().max(5000), label: z.string().max(500), errors: z.number().int().min(0) })),
    /** Of the shown tiles, and of the whole fleet. */
    summary: summarySchema,
    total: summarySchema,
    /** Actions whose commands exist in this window (other features may not be installed yet). */
    commands: z.object({ timeline: z.boolean(), logs: z.boolean() }),
  }),
);
export type StateParams = z.infer<typeof StateNotification.params>;

/** Only some tiles changed (same projects, same tiles shown): those, the project colours, the summaries. */
export const PatchNotification = notification(
  'patch',
  z.object({
    tiles: z.array(tileSchema),
    projects: z.array(z.object({ slug: name, colour: colourSchema })),
    summary: summarySchema,
    total: summarySchema,
  }),
);
export type PatchParams = z.infer<typeof PatchNotification.params>;

export const ErrorNotification = notification('error', z.object({ message: z.string(), hint: z.string().optional() }));

export const webviewStateSchema = z.object({ filter: filterSchema.optional() });
export type WebviewState = z.infer<typeof webviewStateSchema>;
