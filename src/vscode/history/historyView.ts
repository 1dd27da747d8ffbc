// The History view (issue 16): the commits that touched a target's files, 200 at a time with "Load
// more", each commit expandable into its files. Showing another target cancels the previous load (its
// git processes are killed), so a user clicking through workloads never queues stale work.
import * as vscode from 'vscode';
import { GitOpsHqError } from '../../core/errors';
import type { HistoryTarget } from '../../core/history/targets';
import type { HistoryEntry } from '../../infra/git/historyBrowser';
import type { DisposableStore } from '../lifecycle';
import { TreeRefresher } from '../views/treeRefresh';
import { commitItem, fileItem, fileNodes, type CommitFileNode, type CommitNode } from './commitNodes';
import type { HistoryPage, HistoryService, ResolvedTarget } from './historyService';

export const HISTORY_VIEW = 'gitopshq.history';

interface MoreNode {
  kind: 'more';
  id: string;
}
interface MessageNode {
  kind: 'message';
  id: string;
  text: string;
  icon: string;
}
export type HistoryNode = CommitNode | CommitFileNode | MoreNode | MessageNode;

export class HistoryViewProvider implements vscode.TreeDataProvider<HistoryNode> {
  private readonly nodes = new TreeRefresher<HistoryNode>((n) => n.id);
  readonly onDidChangeTreeData = this.nodes.onDidChangeTreeData;
  private target: ResolvedTarget | undefined;
  private request: HistoryTarget | undefined;
  private entries: HistoryEntry[] = [];
  private order: string[] = [];
  private more = false;
  private status: { kind: 'idle' | 'loading' } | { kind: 'error'; message: string } = { kind: 'idle' };
  private controller: AbortController | undefined;
  private generation = 0;
  view: vscode.TreeView<HistoryNode> | undefined;

  constructor(
    private readonly history: HistoryService,
    store: DisposableStore,
  ) {
    store.register(this.nodes);
  }

  attach(view: vscode.TreeView<HistoryNode>): void {
    this.view = view;
    this.nodes.attach(view);
  }

  /** Shows a target's first page; resolves with it (the command's headless answer). */
  async show(target: HistoryTarget): Promise<HistoryPage> {
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    const generation = ++this.generation;
    this.request = target;
    this.entries = [];
    this.more = false;
    this.status = { kind: 'loading' };
    this.render();
    try {
      const resolved = await this.history.resolve(target);
      this.target = resolved;
      const page = await this.history.page(resolved, { signal: controller.signal });
      if (generation !== this.generation) return page;
      this.entries = page.entries;
      this.order = page.order;
      this.more = page.more;
      this.status = { kind: 'idle' };
      this.render();
      return page;
    } catch (err) {
      if (generation === this.generation && !GitOpsHqError.is(err, 'cancelled')) {
        this.status = { kind: 'error', message: err instanceof Error ? err.message : String(err) };
        this.render();
      }
      throw err;
    }
  }

  async loadMore(): Promise<number> {
    if (!this.target || !this.more || this.status.kind === 'loading') return this.entries.length;
    const generation = this.generation;
    const controller = this.controller ?? new AbortController();
    this.status = { kind: 'loading' };
    this.render();
    try {
      const page = await this.history.page(this.target, { skip: this.entries.length, signal: controller.signal });
      if (generation !== this.generation) return this.entries.length;
      this.entries = [...this.entries, ...page.entries];
      this.more = page.more;
      this.status = { kind: 'idle' };
    } catch (err) {
      if (GitOpsHqError.is(err, 'cancelled')) return this.entries.length;
      this.status = { kind: 'error', message: err instanceof Error ? err.message : String(err) };
    }
    this.render();
    return this.entries.length;
  }

  /** Reads the current target again (Git moved). */
  async reload(): Promise<void> {
    if (this.request) await this.show(this.request).catch(() => undefined);
  }

  get current(): { label: string | undefined; count: number; more: boolean } {
    return { label: this.target?.label, count: this.entries.length, more: this.more };
  }

  getTreeItem(node: HistoryNode): vscode.TreeItem {
    switch (node.kind) {
      case 'commit':
        return commitItem(node);
      case 'commitFile':
        return fileItem(node);
      case 'more': {
        const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('fold-down');
        item.command = { command: 'gitopshq.history.loadMore', title: 'Load More' };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        return item;
      }
    }
  }

  getChildren(node?: HistoryNode): HistoryNode[] {
    if (node) return node.kind === 'commit' ? this.nodes.intern(fileNodes(node)) : [];
    return this.nodes.roots(this.rootNodes());
  }

  private rootNodes(): HistoryNode[] {
    const key = `${this.generation}`;
    const out: HistoryNode[] = this.entries.map((entry) => ({ kind: 'commit', id: `${key}/${entry.sha}`, root: this.target?.repo.root ?? '', entry, order: this.order }));
    if (this.status.kind === 'loading') out.push({ kind: 'message', id: `${key}/loading`, text: 'Loading history…', icon: 'loading~spin' });
    else if (this.status.kind === 'error') out.push({ kind: 'message', id: `${key}/error`, text: this.status.message, icon: 'error' });
    else if (this.more) out.push({ kind: 'more', id: `${key}/more` });
    else if (this.request && this.entries.length === 0) out.push({ kind: 'message', id: `${key}/empty`, text: 'No commits touched these files.', icon: 'info' });
    return out;
  }

  private render(): void {
    if (this.view) {
      this.view.description = this.target?.label ?? '';
      this.view.message = this.request ? '' : 'Right-click a workload or a values file and choose "Show History", or run GitOpsHQ: Show History.';
    }
    this.nodes.refresh(this.rootNodes());
  }
}
