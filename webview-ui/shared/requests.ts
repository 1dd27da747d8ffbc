// Requests from a webview to its host, with a correlated reply (src/protocol/ipc.ts) and a time-out:
// a host that never answers (its handler hung, the panel's host side was disposed mid-request) must
// not leave a button spinning forever. A reply that comes after the time-out is dropped, like a
// reply to a request sent before a reload. No DOM: unit-tested in plain Node.
import { ReplyNotification, type CommandType, type Dispatcher, type RequestType, type WireError } from '../../src/protocol/ipc';

/** The part of a panel's HostConnection that requests use. */
export interface Sender {
  readonly dispatcher: Dispatcher;
  send<M extends string, P>(type: CommandType<M, P>, params: P): void;
}

/** A request's failure as the host described it (or the time-out, kind `timeout`). */
export class RequestError extends Error {
  constructor(readonly error: WireError) {
    super(error.message);
  }
}

/** How long a request waits for its reply unless its descriptor says otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  parse: (raw: unknown) => unknown;
  timer: ReturnType<typeof setTimeout>;
}

/** Sends requests and resolves each with the host's reply to it (validated by the request's result schema). */
export class Requests {
  private next = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly host: Sender) {
    host.dispatcher.on(ReplyNotification, (reply) => {
      const entry = this.pending.get(reply.id);
      if (!entry) return; // timed out, or sent before a reload
      this.settle(reply.id, entry);
      if (!reply.ok) {
        entry.reject(new RequestError(reply.error));
        return;
      }
      try {
        entry.resolve(entry.parse(reply.result));
      } catch (err) {
        entry.reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Requests waiting for their reply. */
  get outstanding(): number {
    return this.pending.size;
  }

  call<M extends string, P, R>(type: RequestType<M, P, R>, params: P): Promise<R> {
    const id = this.next++;
    const timeoutMs = type.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        const entry = this.pending.get(id);
        if (!entry) return;
        this.settle(id, entry);
        reject(
          new RequestError({
            message: `The extension did not answer ${type.method} within ${Math.round(timeoutMs / 1000)} s.`,
            hint: 'See the GitOpsHQ output for what it was doing, then try again.',
            kind: 'timeout',
          }),
        );
      }, timeoutMs);
      this.pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        parse: (raw) => {
          const parsed = type.result.safeParse(raw);
          if (!parsed.success) throw new Error(`the host's answer to ${type.method} is invalid`);
          return parsed.data;
        },
        timer,
      });
      this.host.send(type, { id, params });
    });
  }

  private settle(id: number, entry: Pending): void {
    clearTimeout(entry.timer);
    this.pending.delete(id);
  }
}

/** The message and hint of a failure, for an inline error. */
export function errorText(err: unknown): { message: string; hint?: string } {
  if (err instanceof RequestError) return { message: err.error.message, ...(err.error.hint ? { hint: err.error.hint } : {}) };
  return { message: err instanceof Error ? err.message : String(err) };
}
