import * as vscode from 'vscode';
import { TreeModel, type TreeNode as ModelNode } from '../../core/tree/treeModel';
import { isGitNode, type GitBrowserNodes, type GitNode } from '../history/gitBrowserNodes';
import { clusterLine, type KubeContextsCache } from '../kubeContexts';
import type { DisposableStore } from '../lifecycle';
import type { ProjectService } from '../projectService';
import type { ReleaseService } from '../releases/releaseService';
import type { ClusterService } from '../cluster/clusterService';
import { ClusterStatusCache } from './clusterStatusCache';
import { healthIcon } from './health';
import { TreeRefresher } from './treeRefresh';

export const PROJECTS_VIEW = 'gitopshq.projects';
/** The model's nodes and the Git Browser's (src/vscode/history/gitBrowserNodes.ts). */
type TreeNode = ModelNode | GitNode;
/** Tree items of not-bound workloads carry this scheme so the decoration provider can grey them. */
const UNBOUND_SCHEME = 'gitopshq-unbound';

/** Renders the core tree model; no I/O here: everything comes from the index and the cached Git state. */
export class ProjectsTreeProvider implements vscode.TreeDataProvider<TreeNode> {
  private readonly nodes = new TreeRefresher<TreeNode>((node) => node.id);
  readonly onDidChangeTreeData = this.nodes.onDidChangeTreeData;
  readonly model: TreeModel;
  private readonly clusterStatus: ClusterStatusCache | undefined;
  /** Set by the Git browser feature: a Git Browser node at the end of each project. */
  gitBrowser: GitBrowserNodes | undefined;

  constructor(
    private readonly service: ProjectService,
    private readonly kube: KubeContextsCache,
    store: DisposableStore,
    releases?: ReleaseService,
    private readonly cluster?: ClusterService,
  ) {
    this.clusterStatus = cluster ? new ClusterStatusCache((project, env, tenant, bound) => cluster.status(project, env, tenant, bound)) : undefined;
    this.model = new TreeModel(
      service.index,
      (slug, env, tenant) => service.deployState(slug, env, tenant),
      (slug, env, tenant) => service.workloadErrors.get(slug, env, tenant),
      undefined,
      (slug, env) => releases?.pendingApprovals(slug, env) ?? 0,
      this.clusterStatus?.get,
    );
    store.register(this.nodes);
    const refresh = () => this.nodes.refresh(this.model.roots());
    if (releases) store.register(releases.onDidChange(refresh));
    // Service events are already coalesced; the whole tree re-renders from memory in a few ms.
    store.register(service.onDidChange(refresh));
    store.register(kube.onDidChange(refresh));
    if (cluster) store.register(cluster.onDidChange((change) => this.clusterChanged(change.keys)));
  }

  /** Refreshes fired for cluster changes (the benchmark counts them). */
  clusterRefreshes = 0;

  attach(view: vscode.TreeView<TreeNode>): void {
    this.nodes.attach(view);
    if (!this.cluster) return;
    const cluster = this.cluster;
    cluster.setVisible(view.visible);
    view.onDidChangeVisibility(({ visible }) => cluster.setVisible(visible));
  }

  /** Cluster events arrive throttled (≤ 4/s): re-render only the rows whose text or colour changed. */
  private clusterChanged(keys: Set<string>): void {
    this.clusterStatus?.invalidate(keys);
    if (keys.size === 0) {
      this.nodes.refresh(this.model.roots());
      this.clusterRefreshes++;
      return;
    }
    const fresh: TreeNode[] = [];
    for (const key of keys) {
      const [slug, environment, tenant] = key.split('/') as [string, string, string];
      fresh.push(...this.model.clusterNodes(slug, environment, tenant));
    }
    if (this.nodes.update(fresh) > 0) this.clusterRefreshes++;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (isGitNode(node)) return this.gitBrowser?.item(node) ?? new vscode.TreeItem(node.id);
    const collapsible =
      node.kind === 'valuesFile' || node.kind === 'clusterError'
        ? vscode.TreeItemCollapsibleState.None
        : node.kind === 'workload'
          ? vscode.TreeItemCollapsibleState.Collapsed
          : node.kind === 'project'
            ? node.broken
              ? vscode.TreeItemCollapsibleState.None
              : vscode.TreeItemCollapsibleState.Expanded
            : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, collapsible);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    switch (node.kind) {
      case 'project':
        item.iconPath = node.broken ? healthIcon('error') : new vscode.ThemeIcon('project');
        item.contextValue = node.broken ? 'gitopshq.project.broken' : 'gitopshq.project';
        if (node.broken) item.command = openCommand(node.manifestPath);
        break;
      case 'environment':
      case 'tenant': {
        item.iconPath = healthIcon(node.health);
        item.contextValue = `gitopshq.${node.kind}`;
        const env = this.service.index.project(node.slug)?.environments.find((e) => e.name === node.environment);
        item.tooltip = `${node.tooltip}\n${clusterLine(env?.cluster, this.kube.get())}`;
        break;
      }
      case 'workload':
        item.contextValue = node.bound ? 'gitopshq.workload' : 'gitopshq.workload.unbound';
        item.iconPath = node.live
          ? healthIcon(node.health)
          : new vscode.ThemeIcon(node.bound ? 'package' : 'circle-slash', node.health === 'error' ? new vscode.ThemeColor('charts.red') : undefined);
        if (!node.bound) item.resourceUri = vscode.Uri.from({ scheme: UNBOUND_SCHEME, path: `/${node.id}` });
        if (node.valuesFile) item.command = openValuesCommand(node);
        break;
      case 'clusterError':
        item.contextValue = 'gitopshq.clusterError';
        item.iconPath = new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('charts.yellow'));
        break;
      case 'valuesFile':
        item.contextValue = node.exists ? 'gitopshq.valuesFile' : 'gitopshq.valuesFile.missing';
        item.iconPath = new vscode.ThemeIcon(node.exists ? 'file-code' : 'file');
        if (node.exists) {
          item.command = openValuesCommand(node);
        } else {
          item.resourceUri = vscode.Uri.from({ scheme: UNBOUND_SCHEME, path: `/${node.id}` });
        }
        break;
    }
    return item;
  }

  getChildren(node?: ModelNode): ModelNode[];
  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]>;
  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (node && isGitNode(node)) return this.gitBrowser ? this.gitBrowser.children(node).then((nodes) => this.nodes.intern(nodes)) : [];
    const git = node?.kind === 'project' && node.slug !== undefined && !node.broken && this.gitBrowser ? [this.gitBrowser.root(node.slug)] : [];
    return node ? this.nodes.intern([...this.model.children(node), ...git]) : this.nodes.roots(this.model.roots());
  }

  getParent(node: TreeNode): TreeNode | undefined {
    if (isGitNode(node)) return undefined;
    const parent = this.model.parent(node);
    return parent && this.nodes.internOne(parent);
  }
}

function openValuesCommand(node: TreeNode): vscode.Command {
  return { command: 'gitopshq.openValues', title: 'Open Values File', arguments: [node] };
}

function openCommand(file: string): vscode.Command {
  return { command: 'vscode.open', title: 'Open Values', arguments: [vscode.Uri.file(file)] };
}

/** Greys the labels of not-bound workloads and missing layers. */
export class UnboundDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== UNBOUND_SCHEME) return undefined;
    return { color: new vscode.ThemeColor('disabledForeground') };
  }
}
