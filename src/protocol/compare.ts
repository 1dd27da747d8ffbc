// The environment compare panel's protocol: the only code its host side (src/vscode/webviews/
// comparePanel.ts) and its webview (webview-ui/compare/main.ts) share. No `vscode`, no DOM.
// Descriptors, dispatch and shared schemas: ./ipc.
import { z } from 'zod';
import { command, name, notification } from './ipc';

// ---------------------------------------------------------------------------------------------
// Data: the shape of core/compare/compare.ts's CompareResult, as it crosses the wire (secrets already masked).

export const originSchema = z.object({ file: z.string().min(1), line: z.number().int().min(1) });

export const differenceSchema = z.object({
  path: z.string(),
  source: z.unknown().optional(),
  target: z.unknown().optional(),
  sourceOrigin: originSchema.optional(),
  targetOrigin: originSchema.optional(),
  kind: z.enum(['added', 'removed', 'changed', 'equal']),
  secret: z.boolean().optional(),
});

const variableSide = z.object({ defined: z.boolean(), display: z.string(), scope: z.string().optional() });

export const variableDifferenceSchema = z.object({ key: z.string(), source: variableSide, target: variableSide });

export const workloadComparisonSchema = z.object({
  name,
  bound: z.object({ source: z.boolean(), target: z.boolean() }),
  differences: z.array(differenceSchema),
  imageTag: z.object({ source: z.string().optional(), target: z.string().optional() }),
  variables: z.array(variableDifferenceSchema),
  chart: z.string(),
  chartVersion: z.string().optional(),
});

export const severitySchema = z.enum(['error', 'warning', 'info']);

export const findingSchema = z.object({
  severity: severitySchema,
  code: z.string(),
  message: z.string(),
  workload: z.string().optional(),
  path: z.string().optional(),
  side: z.enum(['source', 'target']).optional(),
});

export const compareResultSchema = z.object({
  project: name,
  source: name,
  target: name,
  tenant: name,
  raw: z.boolean(),
  workloads: z.array(workloadComparisonSchema),
  findings: z.array(findingSchema),
  summary: z.object({
    workloadsChanged: z.number().int().min(0),
    differences: z.number().int().min(0),
    findings: z.object({ error: z.number().int().min(0), warning: z.number().int().min(0), info: z.number().int().min(0) }),
  }),
});

export type WireDifference = z.infer<typeof differenceSchema>;
export type WireWorkload = z.infer<typeof workloadComparisonSchema>;
export type WireFinding = z.infer<typeof findingSchema>;
export type WireCompareResult = z.infer<typeof compareResultSchema>;
export type Severity = z.infer<typeof severitySchema>;

/** What the panel compares: a project, two environments, one tenant. */
export const selectionSchema = z.object({ project: name, source: name, target: name, tenant: name });
export type Selection = z.infer<typeof selectionSchema>;

// ---------------------------------------------------------------------------------------------
// Webview → host.

/** The webview has loaded and listens: the host sends the state it held back. */
export const ReadyCommand = command(
  'ready',
  z.object({
    /** The webview's restored "Differences only" filter (absent = default, true). */
    differencesOnly: z.boolean().optional(),
  }),
);
/** The user picked other environments or another tenant (the project stays). */
export const SelectCommand = command('select', z.object({ source: name, target: name, tenant: name }));
/** The "Differences only" filter changed: false = the host recomputes with equal values included. */
export const FilterCommand = command('filter', z.object({ differencesOnly: z.boolean() }));
/** Swap source and target. */
export const SwapCommand = command('swap', z.object({}));
/** Open a file at a 1-based line; the host opens it only when it is inside a project root. */
export const OpenOriginCommand = command('openOrigin', originSchema);
/** Open VS Code's diff editor on the rendered effective values of one workload. */
export const OpenDiffCommand = command('openDiff', z.object({ workload: name }));
/**
 * How long the webview took from receiving a state to the first paint after inserting its DOM;
 * `rows` rendered table rows, `differences` in the state it rendered.
 */
export const RenderedCommand = command(
  'rendered',
  z.object({ ms: z.number().min(0), rows: z.number().int().min(0), differences: z.number().int().min(0) }),
);

// ---------------------------------------------------------------------------------------------
// Host → webview.

export const StateNotification = notification(
  'state',
  z.object({
    selection: selectionSchema,
    /** The project's root folder (the webview shows origin files relative to it). */
    root: z.string(),
    /** Environment names in promotion order. */
    environments: z.array(name),
    tenants: z.array(name),
    /** False when `result` lists equal values too (kind `equal`). */
    differencesOnly: z.boolean(),
    result: compareResultSchema,
  }),
);
export type StateParams = z.infer<typeof StateNotification.params>;

export const ErrorNotification = notification('error', z.object({ message: z.string() }));

// ---------------------------------------------------------------------------------------------
// What the webview persists with setState (UI intent only, never data): the selection, restored
// by the host's WebviewPanelSerializer, and the filters, restored by the webview itself.

export const webviewStateSchema = z.object({
  selection: selectionSchema.optional(),
  filters: z
    .object({
      search: z.string().max(1000).default(''),
      findingsOnly: z.boolean().default(false),
      /** Unchecked: equal values are listed too (the host recomputes with them). */
      differencesOnly: z.boolean().default(true),
      /** Workload groups the user collapsed. */
      collapsed: z.array(z.string()).max(1000).default([]),
    })
    .optional(),
});
export type WebviewState = z.infer<typeof webviewStateSchema>;

export { SECRET_MASK } from '../core/secrets/mask';
