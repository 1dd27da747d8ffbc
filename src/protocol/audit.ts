// The audit panel's protocol (src/vscode/webviews/auditPanel.ts ↔ webview-ui/audit/main.ts). The
// host filters (core/release/audit.ts filterAudit) and pages; the webview renders what it gets.
import { z } from 'zod';
import { command, name, notification } from './ipc';
import { identitySchema, releaseIdSchema } from './releaseShapes';

export const auditActionSchema = z.enum(['created', 'submitted', 'approved', 'rejected', 'cancelled', 'deployed', 'failed', 'rolled-back', 'changed']);

export const auditEntrySchema = z.object({
  at: z.string(),
  who: identitySchema,
  action: auditActionSchema,
  environment: z.string().optional(),
  /** Every environment a change of a shared layer affects (`environment` is the first). */
  environments: z.array(z.string()).optional(),
  workloads: z.array(z.string()),
  releaseId: releaseIdSchema.optional(),
  releaseTitle: z.string().optional(),
  commit: z.string().optional(),
  summary: z.string(),
  paths: z.array(z.string()),
});
export type WireAuditEntry = z.infer<typeof auditEntrySchema>;

export const auditFilterSchema = z.object({
  environment: z.string().max(500).optional(),
  workload: z.string().max(500).optional(),
  /** An email (or a name when the entry has no email). */
  person: z.string().max(500).optional(),
  action: auditActionSchema.optional(),
  text: z.string().max(1000).optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** Rows per page: the first page, and each "Show more". */
export const AUDIT_PAGE_SIZE = 100;

// ---------------------------------------------------------------------------------------------
// Webview → host.

export const ReadyCommand = command('ready', z.object({ filter: auditFilterSchema.optional(), limit: z.number().int().min(1).max(100_000).optional() }));

/** New filters, or more rows (`limit` grows by a page): the host answers with a state. */
export const QueryCommand = command('query', z.object({ project: name, filter: auditFilterSchema, limit: z.number().int().min(1).max(100_000) }));

export const OpenReleaseCommand = command('openRelease', z.object({ project: name, id: releaseIdSchema }));

// ---------------------------------------------------------------------------------------------
// Host → webview.

export const StateNotification = notification(
  'state',
  z.object({
    projects: z.array(name),
    project: name,
    filter: auditFilterSchema,
    /** The values the filter dropdowns offer, from every entry of the project. */
    options: z.object({
      environments: z.array(z.string()),
      workloads: z.array(z.string()),
      people: z.array(z.object({ email: z.string(), name: z.string() })),
      actions: z.array(auditActionSchema),
    }),
    /** Entries in the project, and after the filter. */
    all: z.number().int().min(0),
    total: z.number().int().min(0),
    /** The first `limit` filtered entries, newest first. */
    entries: z.array(auditEntrySchema),
  }),
);
export type StateParams = z.infer<typeof StateNotification.params>;

export const ErrorNotification = notification('error', z.object({ message: z.string(), hint: z.string().optional() }));

export const webviewStateSchema = z.object({ project: name.optional(), filter: auditFilterSchema.default({}) });
export type WebviewState = z.infer<typeof webviewStateSchema>;
