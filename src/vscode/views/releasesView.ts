import * as vscode from 'vscode';
import { buildReleaseTree, type ReleaseProjectNode, type ReleaseTreeNode } from '../../core/release/releaseTree';
import type { ReleaseState } from '../../core/release/types';
import type { Phase } from '../../core/timeline/types';
import type { DisposableStore } from '../lifecycle';
import type { ReleaseService } from '../releases/releaseService';
import type { Services } from '../services';
import { TreeRefresher } from './treeRefresh';

export const RELEASES_VIEW = 'gitopshq.releases';

const STATE_ICONS: Record<ReleaseState, [string, string?]> = {
  draft: ['edit'],
  pending_approval: ['clock', 'charts.yellow'],
  approved: ['pass', 'charts.green'],
  deploying: ['sync~spin'],
  deployed: ['rocket'],
  failed: ['error', 'charts.red'],
  cancelled: ['circle-slash'],
};

/** The runtime phase of a deployed release (src/vscode/timeline/releaseRuntime.ts), when followed. */
export interface RuntimeSource {
  phase(slug: string, id: string): { phase: Phase; superseded: boolean; detail: string; tenants: Record<string, Phase> } | undefined;
  onDidChange: vscode.Event<{ slug: string; release: string }>;
}

const PHASE_ICONS: Record<Phase, [string, string?]> = {
  pending: ['clock'],
  in_progress: ['sync~spin', 'charts.blue'],
  deployed: ['rocket', 'charts.blue'],
  healthy: ['pass-filled', 'charts.green'],
  failed: ['error', 'charts.red'],
};
export const PHASE_LABELS: Record<Phase, string> = { pending: 'Pending', in_progress: 'In Progress', deployed: 'Deployed', healthy: 'Healthy', failed: 'Failed' };

/** Renders the core release tree; rebuilt from memory when releases, projects or the identity change. */
export class ReleasesTreeProvider implements vscode.TreeDataProvider<ReleaseTreeNode> {
  private readonly nodes = new TreeRefresher<ReleaseTreeNode>((node) => node.id);
  readonly onDidChangeTreeData = this.nodes.onDidChangeTreeData;
  private cache: { roots: ReleaseProjectNode[]; parents: Map<string, ReleaseTreeNode> } | undefined;
  private runtime: RuntimeSource | undefined;

  constructor(
    private readonly s: Services,
    private readonly releases: ReleaseService,
    store: DisposableStore,
  ) {
    store.register(this.nodes);
    const refresh = () => {
      this.cache = undefined;
      this.nodes.refresh(this.model().roots);
    };
    store.register(releases.onDidChange(refresh));
    store.register(s.projects.onDidChange(refresh));
  }

  /** Deployed releases then show their runtime phase (icon, description, tooltip). */
  setRuntime(runtime: RuntimeSource): void {
    this.runtime = runtime;
    runtime.onDidChange(() => this.nodes.refresh(this.model().roots));
  }

  roots(): ReleaseProjectNode[] {
    return this.model().roots;
  }

  getTreeItem(node: ReleaseTreeNode): vscode.TreeItem {
    const { Expanded, Collapsed, None } = vscode.TreeItemCollapsibleState;
    const collapsible =
      node.kind === 'release' || node.kind === 'invalid'
        ? None
        : node.kind === 'group'
          ? node.collapsed
            ? Collapsed
            : Expanded
          : node.kind === 'environment' && node.children.length === 0
            ? None
            : Expanded;
    const item = new vscode.TreeItem(node.label, collapsible);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    switch (node.kind) {
      case 'project':
        item.iconPath = new vscode.ThemeIcon('project');
        item.contextValue = 'gitopshq.releaseProject';
        break;
      case 'environment':
        item.iconPath = new vscode.ThemeIcon('server-environment', node.pending > 0 ? new vscode.ThemeColor('charts.yellow') : undefined);
        item.contextValue = 'gitopshq.releaseEnvironment';
        break;
      case 'group':
        item.contextValue = 'gitopshq.releaseGroup';
        break;
      case 'release': {
        const runtime = node.state === 'deployed' ? this.runtime?.phase(node.slug, node.releaseId) : undefined;
        const [icon, color] = runtime ? PHASE_ICONS[runtime.phase] : STATE_ICONS[node.state];
        item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
        if (runtime) {
          const label = `${PHASE_LABELS[runtime.phase]}${runtime.superseded ? ' (superseded)' : ''}`;
          item.description = node.description ? `${label} · ${node.description}` : label;
          const tenants = Object.entries(runtime.tenants).map(([t, p]) => `${t}: ${PHASE_LABELS[p]}`).join(', ');
          item.tooltip = `${node.tooltip}\n\nIn the cluster: ${label}${runtime.detail ? `: ${runtime.detail}` : ''}${Object.keys(runtime.tenants).length > 1 ? ` (${tenants})` : ''}`;
        }
        // `:deployed` offers Show Deployment Timeline; the action patterns (`:approve`, …) still match.
        item.contextValue = node.state === 'deployed' ? `${node.contextValue}:deployed` : node.contextValue;
        item.command = { command: 'gitopshq.release.show', title: 'Show Release', arguments: [{ project: node.slug, id: node.releaseId }] };
        break;
      }
      case 'invalid':
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('charts.red'));
        item.contextValue = 'gitopshq.releaseInvalid';
        item.resourceUri = vscode.Uri.file(node.file);
        item.command = { command: 'vscode.open', title: 'Open Release File', arguments: [vscode.Uri.file(node.file)] };
        break;
    }
    return item;
  }

  attach(view: vscode.TreeView<ReleaseTreeNode>): void {
    this.nodes.attach(view);
  }

  getChildren(node?: ReleaseTreeNode): ReleaseTreeNode[] {
    if (!node) return this.nodes.roots(this.model().roots);
    return 'children' in node ? this.nodes.intern(node.children) : [];
  }

  getParent(node: ReleaseTreeNode): ReleaseTreeNode | undefined {
    const parent = this.model().parents.get(node.id);
    return parent && this.nodes.internOne(parent);
  }

  private model(): { roots: ReleaseProjectNode[]; parents: Map<string, ReleaseTreeNode> } {
    if (this.cache) return this.cache;
    const inputs = this.s.projects.index
      .projects()
      .flatMap((e) => (e.project ? [{ project: e.project, entries: this.releases.releases(e.project.slug) }] : []));
    const roots = buildReleaseTree(inputs, { allowed: (slug, r) => this.releases.cachedAllowed(slug, r), now: new Date() });
    const parents = new Map<string, ReleaseTreeNode>();
    const walk = (node: ReleaseTreeNode) => {
      if (!('children' in node)) return;
      for (const child of node.children) {
        parents.set(child.id, node);
        walk(child);
      }
    };
    roots.forEach(walk);
    this.cache = { roots, parents };
    return this.cache;
  }
}

export interface ReleasesViews {
  provider: ReleasesTreeProvider;
  view: vscode.TreeView<ReleaseTreeNode>;
}

export function registerReleasesView(s: Services, releases: ReleaseService): ReleasesViews {
  const provider = new ReleasesTreeProvider(s, releases, s.store);
  const view = s.store.register(vscode.window.createTreeView(RELEASES_VIEW, { treeDataProvider: provider, showCollapseAll: true }));
  provider.attach(view);
  return { provider, view };
}
