import * as vscode from 'vscode';

/**
 * Refreshes a tree view through the nodes VS Code already holds, never by `undefined` unless the
 * top-level nodes themselves changed.
 *
 * Why: a refresh of `undefined` makes the extension host forget every node it handed out, while the
 * workbench may still ask for the children of a node it shows. That happens for certain on the first
 * render of a view that was refreshed while hidden (the extension indexes while the user looks at the
 * Explorer): the workbench renders the project expanded, asks for its children by a handle the host
 * has just dropped, gets "No tree item with id ... found" and shows the project empty for good.
 * Refreshing known elements keeps their handles valid and the workbench re-reads their expanded
 * subtrees. For that, a node keeps one object per key across rebuilds of the model (`intern`): the
 * extension host finds elements by object identity.
 */
export class TreeRefresher<T extends object> implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<T | T[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly known = new Map<string, T>();
  /** Keys of the top-level nodes last handed to VS Code; undefined until it first asks. */
  private rootKeys: string[] | undefined;
  private view: vscode.TreeView<T> | undefined;
  private rootRefreshPending = false;
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(private readonly key: (node: T) => string) {}

  /** The view this refresher serves: a change of the top level waits until it is visible. */
  attach(view: vscode.TreeView<T>): void {
    this.view = view;
    this.disposables.push(
      view.onDidChangeVisibility(({ visible }) => {
        if (visible && this.rootRefreshPending) this.fireRoot();
      }),
    );
  }

  /** What getChildren returns for the top level: remembered to tell later changes apart. */
  roots(fresh: readonly T[]): T[] {
    const nodes = this.intern(fresh);
    this.rootKeys = nodes.map(this.key);
    return nodes;
  }

  /** The same object for the same key, carrying the fields of the fresh one. */
  intern(fresh: readonly T[]): T[] {
    return fresh.map((node) => this.internOne(node));
  }

  internOne(node: T): T {
    const key = this.key(node);
    const existing = this.known.get(key);
    if (!existing) {
      this.known.set(key, node);
      return node;
    }
    if (existing !== node) {
      for (const field of Object.keys(existing)) if (!(field in node)) delete (existing as Record<string, unknown>)[field];
      Object.assign(existing, node);
    }
    return existing;
  }

  /** The model changed: `fresh` is the new top level. */
  refresh(fresh: readonly T[]): void {
    // Until VS Code has asked for the top level, it holds nothing stale: its first read is fresh.
    if (!this.rootKeys) return;
    const keys = fresh.map(this.key);
    if (keys.length === this.rootKeys.length && keys.every((k, i) => k === this.rootKeys![i])) {
      this.emitter.fire(this.intern(fresh));
    } else if (this.view && !this.view.visible) {
      this.rootRefreshPending = true;
    } else {
      this.fireRoot();
    }
  }

  /**
   * Some nodes may have changed (a cluster event): fires only those VS Code holds whose fields differ,
   * so a storm of watch events re-renders a few rows, not the tree.
   */
  update(fresh: readonly T[]): number {
    if (!this.rootKeys) return 0;
    const changed: T[] = [];
    for (const node of fresh) {
      const existing = this.known.get(this.key(node));
      if (!existing || JSON.stringify(existing) === JSON.stringify(node)) continue;
      changed.push(this.internOne(node));
    }
    if (changed.length > 0) this.emitter.fire(changed);
    return changed.length;
  }

  private fireRoot(): void {
    this.rootRefreshPending = false;
    // The host drops every node on a top-level refresh: so do we.
    this.known.clear();
    this.emitter.fire(undefined);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.known.clear();
  }
}
