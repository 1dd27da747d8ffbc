// The host end of a panel's message channel (owned by PanelHost, panelHost.ts): messages wait until
// the webview says `ready` (again after every reload, as retainContextWhenHidden is off); a newer
// state replaces one not yet delivered; the last state is sent again to a reloaded webview; what
// goes out is validated like what comes in.
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import { logExcerpt } from '../../core/secrets/mask';
import { Dispatcher, issuesText, message, onRequest, ReplyNotification, type Message, type NotificationType, type RequestType } from '../../protocol/ipc';

const STATE = 'state';
/** How long `firstState` waits for the webview's first `ready` before giving up. */
const FIRST_STATE_TIMEOUT_MS = 15_000;

export class PanelChannel implements vscode.Disposable {
  readonly dispatcher: Dispatcher;
  private ready = false;
  private queue: Message<unknown>[] = [];
  private lastState: Message<unknown> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private firstPosted!: () => void;
  private readonly firstPostedPromise = new Promise<void>((resolve) => (this.firstPosted = resolve));

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly logger: Logger,
    private readonly label: string,
  ) {
    this.dispatcher = new Dispatcher((reason, raw) =>
      logger.warn(`${label}: dropped a message from the webview: ${reason}:`, logExcerpt(raw, 200)),
    );
    this.disposables.push(panel.webview.onDidReceiveMessage((m: unknown) => this.dispatcher.dispatch(m)));
    this.disposables.push(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false; // its webview is destroyed: hold messages until it is back
      }),
    );
  }

  /**
   * The webview (re)loaded and listens. `resendLast` false: the caller is computing a newer state
   * (the reloaded webview restored other filters), so neither the last nor a queued one is worth a render.
   */
  markReady(resendLast = true): void {
    this.ready = true;
    if (!resendLast) this.queue = this.queue.filter((m) => m.method !== STATE);
    else if (this.lastState && !this.queue.some((m) => m.method === STATE)) this.queue.unshift(this.lastState);
    this.flush();
  }

  post<M extends string, P>(type: NotificationType<M, P>, params: P): void {
    const checked = type.params.safeParse(params);
    if (!checked.success) {
      // A bug on this side: say so in the log rather than send what the webview would drop.
      this.logger.error(`${this.label}: refused to send an invalid ${type.method}: ${issuesText(checked.error)}`);
      return;
    }
    const m = message(type, checked.data) as Message<unknown>;
    if (type.method === STATE) {
      this.queue = this.queue.filter((q) => q.method !== STATE);
      this.lastState = m;
    }
    this.queue.push(m);
    this.flush();
  }

  /** Answers `type` requests with `handler`. */
  onRequest<M extends string, P, R>(type: RequestType<M, P, R>, handler: (params: P) => Promise<R>): void {
    onRequest(this.dispatcher, type, handler, (reply) => {
      if (!reply.ok) this.logger.warn(`${this.label}: ${type.method} failed: ${reply.error.message}`);
      this.post(ReplyNotification, reply);
    });
  }

  /** Resolves once the first state reached the webview (or after a time-out). */
  firstState(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn(`${this.label}: the webview did not report ready in time`);
        resolve();
      }, FIRST_STATE_TIMEOUT_MS);
    });
    return Promise.race([this.firstPostedPromise, timeout]).finally(() => clearTimeout(timer));
  }

  private flush(): void {
    while (this.ready && !this.disposed && this.queue.length > 0) {
      const m = this.queue.shift()!;
      void this.panel.webview.postMessage(m).then((delivered) => {
        if (delivered && m.method === STATE) this.firstPosted();
        if (!delivered && m.method === STATE && !this.disposed) this.ready = false; // sent again after the next ready
      });
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
  }
}
