// The environment compare panel's protocol: the only code its host side (src/vscode/webviews/
// comparePanel.ts) and its webview (webview-ui/compare/main.ts) share. No `vscode`, no DOM.
//
// Every message is `{ method, params }`. A descriptor carries its direction in its type:
//   Command       webview → host, fire and forget;
//   Notification  host → webview.
// Both sides validate what they receive with the descriptor's zod schema and drop (and log) what
// fails; nobody switches over raw strings from JSON.
import { z } from 'zod';

export interface CommandType<M extends string, P> {
  readonly direction: 'webview→host';
  readonly method: M;
  readonly params: z.ZodType<P, z.ZodTypeDef, unknown>;
}

export interface NotificationType<M extends string, P> {
  readonly direction: 'host→webview';
  readonly method: M;
  readonly params: z.ZodType<P, z.ZodTypeDef, unknown>;
}

function command<M extends string, P>(method: M, params: z.ZodType<P, z.ZodTypeDef, unknown>): CommandType<M, P> {
  return { direction: 'webview→host', method, params };
}

function notification<M extends string, P>(method: M, params: z.ZodType<P, z.ZodTypeDef, unknown>): NotificationType<M, P> {
  return { direction: 'host→webview', method, params };
}

// ---------------------------------------------------------------------------------------------
// Data: the shape of core/compare.ts's CompareResult, as it crosses the wire (secrets already masked).

const name = z.string().min(1).max(500);

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
// Dispatch helpers, used by both sides.

export interface Message<P> {
  method: string;
  params: P;
}

const envelope = z.object({ method: z.string(), params: z.unknown() });

/** The message for a descriptor (type-checked on the sending side). */
export function message<M extends string, P>(type: CommandType<M, P> | NotificationType<M, P>, params: P): Message<P> {
  return { method: type.method, params };
}

export type Handler<P> = (params: P) => void | Promise<void>;

/**
 * Routes received messages to handlers by descriptor. `dispatch` validates the envelope and the
 * params; an invalid or unknown message goes to `onInvalid` and no handler runs.
 */
export class Dispatcher {
  private readonly handlers = new Map<string, { params: z.ZodType<unknown, z.ZodTypeDef, unknown>; handler: Handler<unknown> }>();

  constructor(private readonly onInvalid: (reason: string, raw: unknown) => void) {}

  on<M extends string, P>(type: CommandType<M, P> | NotificationType<M, P>, handler: Handler<P>): this {
    this.handlers.set(type.method, { params: type.params, handler: handler as Handler<unknown> });
    return this;
  }

  /** True when a handler ran (or was started: an async handler's failure is the handler's own business). */
  dispatch(raw: unknown): boolean {
    const parsed = envelope.safeParse(raw);
    if (!parsed.success) {
      this.onInvalid('not a { method, params } message', raw);
      return false;
    }
    const entry = this.handlers.get(parsed.data.method);
    if (!entry) {
      this.onInvalid(`unknown method ${JSON.stringify(parsed.data.method)}`, raw);
      return false;
    }
    const params = entry.params.safeParse(parsed.data.params);
    if (!params.success) {
      this.onInvalid(`invalid params for ${parsed.data.method}: ${params.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, raw);
      return false;
    }
    void entry.handler(params.data);
    return true;
  }
}

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
