import * as vscode from 'vscode';

/**
 * Owns disposables so that every registration goes through one `register()` and is released together.
 * The extension keeps two of these (rust-analyzer's habit): one for its lifetime (views, providers,
 * channels) and one per connection (watchers, streams) that a context switch disposes and rebuilds.
 */
export class DisposableStore implements vscode.Disposable {
  private items: vscode.Disposable[] = [];
  private disposed = false;

  register<T extends vscode.Disposable>(item: T): T {
    if (this.disposed) {
      item.dispose();
    } else {
      this.items.push(item);
    }
    return item;
  }

  /** Disposes what was registered so far and stays usable (for connection-lifetime stores). */
  clear(): void {
    const items = this.items;
    this.items = [];
    for (const item of items.reverse()) {
      try {
        item.dispose();
      } catch {
        // One failing dispose must not keep the others alive.
      }
    }
  }

  dispose(): void {
    this.clear();
    this.disposed = true;
  }
}
