// The deployment timeline panel's protocol (src/vscode/webviews/timelinePanel.ts ↔ webview-ui/timeline/main.ts).
// The host computes the timeline (src/vscode/timeline) and sends it whole on every change; the
// webview renders it. No `vscode`, no DOM.
import { z } from 'zod';
import { command, name, notification } from './ipc';
import { identitySchema, releaseIdSchema } from './releaseShapes';

export const phaseSchema = z.enum(['pending', 'in_progress', 'deployed', 'healthy', 'failed']);
export type WirePhase = z.infer<typeof phaseSchema>;

const text = z.string().max(20_000);

export const stepSchema = z.object({ phase: phaseSchema, at: z.string().max(64), detail: text });
export type WireStep = z.infer<typeof stepSchema>;

export const podSchema = z.object({
  workload: name,
  name: z.string().max(500),
  phase: z.string().max(100),
  ready: z.boolean(),
  restarts: z.number().int().min(0),
  reason: text.optional(),
  /** The kubelet's words for the failing container, when there is one. */
  message: text.optional(),
  node: z.string().max(500).optional(),
  createdAt: z.string().max(64).optional(),
  /** Runs the release's template (false: an older one, on its way out). */
  current: z.boolean(),
  terminating: z.boolean(),
  images: z.array(z.string().max(2000)),
});
export type WirePod = z.infer<typeof podSchema>;

export const eventSchema = z.object({
  workload: name,
  at: z.string().max(64),
  type: z.string().max(100),
  reason: z.string().max(500),
  message: text,
  object: z.string().max(1000),
  count: z.number().int().min(0),
});
export type WireEvent = z.infer<typeof eventSchema>;

export const timelineStateSchema = z.object({
  project: name,
  environment: name,
  tenant: name,
  /** The tenants one may switch to (one tab each when several). */
  tenants: z.array(name),
  /** The `{ environment, workload }` form. */
  workload: name.optional(),
  release: z
    .object({
      id: releaseIdSchema,
      title: text,
      author: identitySchema,
      approvers: z.array(identitySchema),
      deployCommit: z.string().max(64).optional(),
      deployAt: z.string().max(64).optional(),
    })
    .optional(),
  connection: z.string().max(100),
  message: text.optional(),
  synced: z.boolean(),
  phase: phaseSchema,
  superseded: z.boolean(),
  reached: z.array(stepSchema),
  failure: z.object({ workload: name, reason: text, pod: z.string().max(500).optional(), container: z.string().max(500).optional(), message: text.optional() }).optional(),
  workloads: z.array(z.object({ name, phase: phaseSchema, recognition: text })),
  pods: z.array(podSchema),
  events: z.array(eventSchema),
  /**
   * Set on a live update whose events only grew: `events` then holds the events from this index on,
   * and the webview keeps the first `eventsFrom` it has (500 events need not cross the wire again).
   */
  eventsFrom: z.number().int().min(0).optional(),
  /** `gitopshq.logs.stream` exists: the Stream logs buttons show. */
  logs: z.boolean(),
  /** The stabilisation window in force (`gitopshq.healthyAfterSeconds`). */
  healthyAfterSeconds: z.number().min(0),
});
export type TimelineState = z.infer<typeof timelineStateSchema>;

// ---------------------------------------------------------------------------------------------
// Webview → host.

export const ReadyCommand = command('ready', z.object({}));

/** Show another tenant of the release. */
export const SelectTenantCommand = command('selectTenant', z.object({ tenant: name }));

/** Stream the logs of a workload (one pod, or all) from one minute before `at`. */
export const StreamLogsCommand = command('streamLogs', z.object({ workload: name, pod: z.string().max(500).optional(), at: z.string().max(64) }));

export const OpenReleaseCommand = command('openRelease', z.object({ id: releaseIdSchema }));

/** How long a render took, measured in the webview from the message's arrival (the performance budget). */
export const RenderedCommand = command('rendered', z.object({ ms: z.number().min(0), first: z.boolean(), pods: z.number().int().min(0), events: z.number().int().min(0) }));

// ---------------------------------------------------------------------------------------------
// Host → webview.

export const StateNotification = notification('state', timelineStateSchema);

export const ErrorNotification = notification('error', z.object({ message: z.string(), hint: z.string().optional() }));

/** What the webview persists to come back after a reload: the target. */
export const webviewStateSchema = z.object({
  project: name.optional(),
  release: releaseIdSchema.optional(),
  environment: name.optional(),
  workload: name.optional(),
  tenant: name.optional(),
});
export type WebviewState = z.infer<typeof webviewStateSchema>;
