import * as vscode from 'vscode';
import { ClusterService } from '../cluster/clusterService';
import { registerClusterCommands } from '../cluster/clusterCommands';
import { KubeContextsCache } from '../kubeContexts';
import type { ReleaseService } from '../releases/releaseService';
import type { Services } from '../services';
import { PROJECTS_VIEW, ProjectsTreeProvider, UnboundDecorations } from './projectsTree';
import { VARIABLES_VIEW, VariablesTreeProvider } from './variablesView';

export interface Views {
  kube: KubeContextsCache;
  cluster: ClusterService;
  projects: ProjectsTreeProvider;
  projectsView: vscode.TreeView<unknown>;
  variables: VariablesTreeProvider;
}

export function registerViews(s: Services, releases: ReleaseService): Views {
  const cluster = s.store.register(new ClusterService(s.projects, s.logger.child('cluster'), s.store));
  const kube = new KubeContextsCache(s.logger.child('kube'), s.store, () => cluster.contexts());
  s.store.register(cluster.onDidChangeKubeconfig(() => void kube.reload()));
  registerClusterCommands(s, cluster);
  const projects = new ProjectsTreeProvider(s.projects, kube, s.store, releases, cluster);
  const projectsView = s.store.register(
    vscode.window.createTreeView(PROJECTS_VIEW, { treeDataProvider: projects, showCollapseAll: true }),
  );
  projects.attach(projectsView);
  s.store.register(vscode.window.registerFileDecorationProvider(new UnboundDecorations()));
  // Welcome views and the walkthrough key off whether any project is loaded.
  s.store.register(
    s.projects.onDidChange(() => {
      const has = s.projects.index.projects().length > 0;
      void vscode.commands.executeCommand('setContext', 'gitopshq.hasProjects', has);
    }),
  );

  const variables = new VariablesTreeProvider(s.projects, s.store);
  const variablesView = s.store.register(
    vscode.window.createTreeView(VARIABLES_VIEW, { treeDataProvider: variables, showCollapseAll: true }),
  );
  variables.attach(variablesView);
  const applyFilter = (text: string) => {
    variables.setFilter(text);
    variablesView.description = text ? `filter: ${text}` : '';
  };
  s.command('gitopshq.variables.filter', async (arg?: string | { filter: string }) => {
    const text =
      typeof arg === 'string'
        ? arg
        : arg?.filter ??
          (await vscode.window.showInputBox({
            title: 'Filter HQ Variables',
            prompt: 'Show the keys that contain this text (case-insensitive)',
            value: variables.filter,
          }));
    if (text !== undefined) applyFilter(text);
  });
  s.command('gitopshq.variables.clearFilter', () => applyFilter(''));
  return { kube, cluster, projects, projectsView: projectsView as vscode.TreeView<unknown>, variables };
}
