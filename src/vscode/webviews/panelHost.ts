// What every webview panel's host side shares, so that a panel class holds only its own messages
// and data: the icon, the HTML with its CSP nonce (webviewHtml.ts), the channel with the ready
// handshake and the validated queue of notifications (panelChannel.ts), the debounced live update,
// the disposables and the disposed flag. Creating and restoring panels (the serializer hands over a
// panel VS Code kept) go through createPanel / restoredPanel, and PanelRegistry tracks open ones.
//
// Adding a panel: a protocol file in src/protocol/, a class here on PanelHost, a webview-ui/ folder
// (docs/architecture.md, "Adding a panel").
import * as vscode from 'vscode';
import { Debouncer } from '../../core/debounce';
import type { NotificationType } from '../../protocol/ipc';
import type { Services } from '../services';
import { PanelChannel } from './panelChannel';
import { webviewHtml, webviewOptions } from './webviewHtml';

export interface PanelPage {
  title: string;
  /** dist/webviews/<bundle>.js and .css. */
  bundle: string;
  /** How the panel names itself in the log. */
  label: string;
}

/** A new panel of `viewType` in the active column, with the panels' webview options. */
export function createPanel(s: Services, viewType: string, title: string): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Active, webviewOptions(s.context.extensionUri));
}

/** A panel VS Code restored after a reload: its webview options are not persisted, so set them again. */
export function restoredPanel(s: Services, panel: vscode.WebviewPanel): vscode.WebviewPanel {
  panel.webview.options = webviewOptions(s.context.extensionUri);
  return panel;
}

export abstract class PanelHost {
  readonly channel: PanelChannel;
  protected disposed = false;
  private readonly disposables: vscode.Disposable[] = [];
  private live: Debouncer | undefined;

  constructor(
    protected readonly s: Services,
    protected readonly panel: vscode.WebviewPanel,
    protected readonly page: PanelPage,
  ) {
    panel.title = page.title;
    panel.iconPath = vscode.Uri.joinPath(s.context.extensionUri, 'media', 'gitopshq.svg');
    panel.webview.html = webviewHtml(panel.webview, s.context.extensionUri, { title: page.title, bundle: page.bundle, css: true });
    this.channel = new PanelChannel(panel, s.logger, page.label);
    this.disposables.push(this.channel, panel.onDidDispose(() => this.dispose()));
  }

  get title(): string {
    return this.panel.title;
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** Resolves once the first state reached the webview (or after the channel's time-out). */
  firstState(): Promise<void> {
    return this.channel.firstState();
  }

  protected post<M extends string, P>(type: NotificationType<M, P>, params: P): void {
    this.channel.post(type, params);
  }

  protected register(...disposables: vscode.Disposable[]): void {
    if (this.disposed) for (const d of disposables) d.dispose();
    else this.disposables.push(...disposables);
  }

  /**
   * Runs `update` `delayMs` after the last of a burst of `events` (saved files, release changes);
   * `accept` filters an event out. `triggerLive()` starts one by hand.
   */
  protected liveUpdates<E>(delayMs: number, update: () => Promise<void>, events: vscode.Event<E>[], accept: (e: E) => boolean = () => true): void {
    this.live = new Debouncer(delayMs, update, (err) => this.s.logger.error(`${this.page.label}: live update failed`, err));
    for (const event of events) {
      this.register(
        event((e) => {
          if (accept(e)) this.triggerLive();
        }),
      );
    }
  }

  protected triggerLive(): void {
    this.live?.trigger();
  }

  /** Runs `task` without awaiting it; a failure is logged and handed to `failed`. */
  protected guard(task: () => Promise<void>, what = 'action'): void {
    task().catch((err: unknown) => {
      this.s.logger.error(`${this.page.label}: ${what} failed`, err);
      this.failed(err);
    });
  }

  /** What the webview is told about a failed guarded task (default: nothing, the log has it). */
  protected failed(_err: unknown): void {}

  /** Releases what the subclass holds beyond its registered disposables (cancellation sources). */
  protected onDispose(): void {}

  private dispose(): void {
    this.disposed = true;
    this.live?.dispose();
    this.onDispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** The open panels of one type, by key ('' for a panel that exists once); a disposed panel leaves. */
export class PanelRegistry<T extends PanelHost> {
  private readonly open = new Map<string, T>();

  get(key = ''): T | undefined {
    return this.open.get(key);
  }

  /**
   * Reveals the panel open under `key` and hands it to `update`; else creates one (`create` builds its
   * host) and resolves once its first state reached the webview.
   */
  async show(s: Services, where: { viewType: string; title: string; key?: string }, update: (open: T) => void, create: (panel: vscode.WebviewPanel) => T): Promise<void> {
    const key = where.key ?? '';
    const known = this.open.get(key);
    if (known) {
      known.reveal();
      update(known);
      return;
    }
    const panel = createPanel(s, where.viewType, where.title);
    await this.add(panel, create(panel), key).firstState();
  }

  /**
   * Adopts a panel VS Code restored after a reload as `target.key`; closes it when there is nothing to
   * restore (`target` undefined: the saved state is gone or invalid) or that key is open already.
   */
  restore(s: Services, panel: vscode.WebviewPanel, target: { key: string; create: (panel: vscode.WebviewPanel) => T } | undefined): void {
    restoredPanel(s, panel);
    if (!target || this.open.has(target.key)) {
      panel.dispose();
      return;
    }
    this.add(panel, target.create(panel), target.key);
  }

  add(panel: vscode.WebviewPanel, created: T, key = ''): T {
    this.open.set(key, created);
    panel.onDidDispose(() => {
      if (this.open.get(key) === created) this.open.delete(key);
    });
    return created;
  }
}
