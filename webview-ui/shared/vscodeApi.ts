// The webview side of the host connection: acquireVsCodeApi() typed by a panel's protocol.
// Sends only messages built from protocol descriptors; validates everything it receives through
// the protocol's Dispatcher (invalid messages are dropped and logged to the webview console).
import type { z } from 'zod';
import { Dispatcher, message, type CommandType } from '../../src/protocol/ipc';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export class HostConnection<S> {
  private readonly api: VsCodeApi = acquireVsCodeApi();
  readonly dispatcher = new Dispatcher((reason, raw) => console.warn(`[gitopshq] dropped a message from the host: ${reason}`, raw));

  /** performance.now() when the message being dispatched arrived (render timings start there). */
  receivedAt = 0;

  /** `stateSchema`: the panel's persisted UI state (protocol `webviewStateSchema`). */
  constructor(private readonly stateSchema: z.ZodType<S, z.ZodTypeDef, unknown>) {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      this.receivedAt = performance.now();
      this.dispatcher.dispatch(event.data);
    });
  }

  send<M extends string, P>(type: CommandType<M, P>, params: P): void {
    this.api.postMessage(message(type, params));
  }

  /** The persisted UI state, or undefined when there is none or it does not validate. */
  getState(): S | undefined {
    const parsed = this.stateSchema.safeParse(this.api.getState() ?? {});
    return parsed.success ? parsed.data : undefined;
  }

  setState(state: S): void {
    this.api.setState(state);
  }
}
