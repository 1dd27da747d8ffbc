import * as vscode from 'vscode';
import { overrideKey } from '../../core/cluster/placement';
import { GitOpsHqError } from '../../core/errors';
import { findEnvironment, findProject, findTenant } from '../../core/model/lookup';
import type { Services } from '../services';
import type { ClusterService } from './clusterService';

/** What the commands accept: a tree node (environment, tenant, cluster error) or the scriptable object. */
interface Target {
  project?: string;
  slug?: string;
  environment?: string;
  tenant?: string;
  context?: string;
}

export function registerClusterCommands(s: Services, cluster: ClusterService): void {
  s.command('gitopshq.cluster.retry', async (arg?: Target) => {
    const target = targetOf(arg);
    if (target && !target.environment) throw new GitOpsHqError('environment-not-found', 'gitopshq.cluster.retry needs { project, environment, tenant? } or no argument (every failed connection).');
    if (target) {
      // Unknown names fail with the same message as everywhere, instead of retrying nothing.
      const project = findProject(s.projects.index, target.project);
      findEnvironment(project, target.environment!);
      if (target.tenant !== undefined) findTenant(project, target.tenant);
    }
    await cluster.retry(target && { project: target.project, environment: target.environment!, ...(target.tenant ? { tenant: target.tenant } : {}) });
  });

  s.command('gitopshq.cluster.selectContext', async (arg?: Target) => {
    const where = targetOf(arg) ?? (await pickEnvironment(s));
    if (!where?.environment) return undefined;
    const project = findProject(s.projects.index, where.project);
    const env = findEnvironment(project, where.environment);
    let context = arg?.context;
    if (context === undefined) {
      const { contexts, current, files } = await cluster.contexts();
      if (contexts.length === 0) {
        const open = await vscode.window.showWarningMessage(
          `Your kubeconfig (${files.join(', ') || '~/.kube/config'}) has no contexts.`,
          'Open Kubeconfig',
        );
        if (open) await vscode.commands.executeCommand('gitopshq.cluster.openKubeconfig');
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(
        contexts.map((c) => ({
          label: c.name,
          description: [c.name === current ? 'current' : '', c.name === env.cluster?.context ? 'named in gitopshq.yaml' : '', c.namespace ? `namespace ${c.namespace}` : '']
            .filter(Boolean)
            .join(' · '),
          ...(c.cluster ? { detail: `cluster ${c.cluster}` } : {}),
        })),
        { title: `Kubeconfig context for ${project.slug}/${where.environment}`, placeHolder: 'Written to your user setting gitopshq.clusters' },
      );
      if (!picked) return undefined;
      context = picked.label;
    }
    const chosen: string = context;
    const config = vscode.workspace.getConfiguration('gitopshq');
    const current = { ...(config.get<Record<string, { context?: string; namespace?: string }>>('clusters') ?? {}) };
    const key = overrideKey(project.slug, env.name);
    current[key] = { ...current[key], context: chosen };
    await config.update('clusters', current, vscode.ConfigurationTarget.Global);
    return { context: chosen };
  });

  s.command('gitopshq.cluster.openKubeconfig', async () => {
    const files = await cluster.kubeconfigFiles();
    const existing = [];
    for (const file of files) {
      try {
        await vscode.workspace.fs.stat(vscode.Uri.file(file));
        existing.push(file);
      } catch {
        // Listed in KUBECONFIG but absent: kubectl skips it too.
      }
    }
    if (existing.length === 0) {
      void vscode.window.showWarningMessage(
        `No kubeconfig file exists (looked for ${files.join(', ') || '~/.kube/config'}). Set gitopshq.kubeconfig or KUBECONFIG.`,
      );
      return;
    }
    await vscode.window.showTextDocument(vscode.Uri.file(existing[0]!), { preview: true });
  });
}

function targetOf(arg: Target | undefined): (Target & { project: string }) | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const project = arg.project ?? arg.slug;
  if (typeof project !== 'string') return undefined;
  return { ...arg, project };
}

async function pickEnvironment(s: Services): Promise<{ project: string; environment: string } | undefined> {
  const items = s.projects.index.projects().flatMap((entry) =>
    entry.project ? entry.project.environments.map((e) => ({ label: `${entry.project!.slug}/${e.name}`, description: e.cluster?.context ?? '', project: entry.project!.slug, environment: e.name })) : [],
  );
  const picked = await vscode.window.showQuickPick(items, { title: 'Select a context for which environment?' });
  return picked && { project: picked.project, environment: picked.environment };
}
