// What every panel's protocol is made of (architecture habit 4): typed descriptors whose direction is
// in the type, the dispatcher both sides route received messages through, requests with a correlated
// reply, and the schemas more than one panel uses. No `vscode`, no DOM: the host and the webviews
// import it alike.
//
// Every message is `{ method, params }`:
//   Command       webview → host, fire and forget;
//   Request       webview → host, a Command whose params carry an `id`; the host answers with a `reply`
//                 notification naming that id, with the result (validated on arrival by the request's
//                 own schema) or a typed error;
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

export interface RequestType<M extends string, P, R> extends CommandType<M, { id: number; params: P }> {
  readonly result: z.ZodType<R, z.ZodTypeDef, unknown>;
  /** How long the webview waits for the reply; absent = the webview's default. */
  readonly timeoutMs?: number;
}

export function command<M extends string, P>(method: M, params: z.ZodType<P, z.ZodTypeDef, unknown>): CommandType<M, P> {
  return { direction: 'webview→host', method, params };
}

export function notification<M extends string, P>(method: M, params: z.ZodType<P, z.ZodTypeDef, unknown>): NotificationType<M, P> {
  return { direction: 'host→webview', method, params };
}

/** `timeoutMs`: for requests that may wait on the user (a modal question) or on a slow Git operation. */
export function request<M extends string, P, R>(
  method: M,
  params: z.ZodType<P, z.ZodTypeDef, unknown>,
  result: z.ZodType<R, z.ZodTypeDef, unknown>,
  options: { timeoutMs?: number } = {},
): RequestType<M, P, R> {
  return {
    direction: 'webview→host',
    method,
    params: z.object({ id: z.number().int().min(0), params }) as z.ZodType<{ id: number; params: P }, z.ZodTypeDef, unknown>,
    result,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
}

/** Requests that commit, deploy or push: they may ask the user first ("Push?"), so they wait long. */
export const INTERACTIVE_TIMEOUT_MS = 15 * 60_000;

// ---------------------------------------------------------------------------------------------
// Schemas shared by several panels.

/** A project slug, environment, tenant or workload name. */
export const name = z.string().min(1).max(500);

/** An error as the webview shows it: the message, and what to do about it. */
export const wireErrorSchema = z.object({ message: z.string(), hint: z.string().optional(), kind: z.string().optional() });
export type WireError = z.infer<typeof wireErrorSchema>;

// ---------------------------------------------------------------------------------------------
// Messages and their dispatch.

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

/** Why a zod parse failed, one `path: message` per issue. */
export function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
}

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
      this.onInvalid(`invalid params for ${parsed.data.method}: ${issuesText(params.error)}`, raw);
      return false;
    }
    void entry.handler(params.data);
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests: the host's reply.

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
