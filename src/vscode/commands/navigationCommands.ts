import * as vscode from 'vscode';
import { GitOpsHqError } from '../../core/errors';
import { defaultTenant, findEnvironment, findProject, findWorkload } from '../../core/model/lookup';
import type { TreeNode } from '../../core/tree/treeModel';
import type { Services } from '../services';

/** Where a tree node (or a scripted `{ project, workload, environment, tenant? }`) points on disk. */
export interface WorkloadRef {
  project: string;
  workload: string;
  environment: string;
  tenant?: string;
}

export function registerNavigationCommands(s: Services): void {
  s.command('gitopshq.refresh', async () => {
    await s.projects.rescan();
  });
  s.command('gitopshq.showOutput', () => s.channel.show(true));
  s.command('gitopshq.openValues', async (arg?: TreeNode | WorkloadRef) => {
    const file = fileOf(s, arg);
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    return file;
  });
  s.command('gitopshq.revealInExplorer', async (arg?: TreeNode | WorkloadRef) => {
    await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(fileOf(s, arg)));
  });
  s.command('gitopshq.copyPath', async (arg?: TreeNode | WorkloadRef) => {
    const file = fileOf(s, arg);
    await vscode.env.clipboard.writeText(file);
    return file;
  });
}

/** The file a node stands for: a project's manifest, a workload's most specific values layer, a layer file. */
function fileOf(s: Services, arg: TreeNode | WorkloadRef | undefined): string {
  if (!arg) throw new GitOpsHqError('workload-not-found', 'Pick a project, workload or values file in the GitOpsHQ tree first.');
  if ('kind' in arg) {
    switch (arg.kind) {
      case 'project':
        return arg.manifestPath;
      case 'valuesFile':
        return arg.file;
      case 'workload':
        if (arg.valuesFile) return arg.valuesFile;
        throw new GitOpsHqError(
          'workload-not-found',
          `${arg.workload} is not bound in ${arg.environment}/${arg.tenant}: none of its values layers exists there.`,
          'Create one of its layer files to bind it.',
        );
      default: {
        return findProject(s.projects.index, arg.slug).manifestPath;
      }
    }
  }
  const project = findProject(s.projects.index, arg.project);
  findWorkload(project, arg.workload);
  findEnvironment(project, arg.environment);
  const tenant = arg.tenant ?? defaultTenant(project);
  const files = s.projects.index.existingLayerFiles(project.slug, arg.workload, arg.environment, tenant);
  const file = files[files.length - 1];
  if (!file) {
    throw new GitOpsHqError('workload-not-found', `${arg.workload} is not bound in ${arg.environment}/${tenant}.`);
  }
  return file;
}
