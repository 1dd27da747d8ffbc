import * as path from 'node:path';
import * as vscode from 'vscode';
import { GitOpsHqError } from '../../core/errors';
import { chartValuesFile } from '../../core/values/layers';
import { defaultTenant } from '../../core/model/lookup';
import { STATE_LABELS } from '../../core/release/releaseTree';
import type { TreeNode } from '../../core/tree/treeModel';
import { variablesTable } from '../../core/model/variablesTable';
import type { ReleaseService } from '../releases/releaseService';
import type { Services } from '../services';
import type { Views } from '../views/registerViews';

/** Where an item leads: a file (at a line), a tree node, or both. */
type Target = { file?: string; line?: number; character?: number; reveal?: () => TreeNode | undefined; release?: { project: string; id: string } };

interface GoToItem extends vscode.QuickPickItem {
  target: Target;
  type: 'project' | 'environment' | 'workload' | 'values' | 'variable' | 'release';
}

/** "GitOpsHQ: Go to…": one fuzzy QuickPick over projects, environments, workloads, values files and variables. */
export function registerGoToCommand(s: Services, views: Views, releases: ReleaseService): void {
  s.command('gitopshq.goTo', async (arg?: { query: string; type?: GoToItem['type'] }) => {
    await s.projects.ready;
    await releases.settled();
    const items = buildItems(s, views, releases);
    let chosen: GoToItem | undefined;
    if (arg?.query !== undefined) {
      // Scripted use: exact label first, then the first label that contains the query.
      const pool = arg.type ? items.filter((i) => i.type === arg.type) : items;
      chosen = pool.find((i) => plainLabel(i) === arg.query) ?? pool.find((i) => plainLabel(i).includes(arg.query));
      if (!chosen) throw new GitOpsHqError('workload-not-found', `Nothing in the GitOpsHQ projects matches "${arg.query}".`);
    } else {
      chosen = await vscode.window.showQuickPick(items, {
        title: 'GitOpsHQ: Go to…',
        placeHolder: 'Project, environment, workload, values file, HQ Variable or release',
        matchOnDescription: true,
        matchOnDetail: true,
      });
    }
    if (!chosen) return undefined;
    return navigate(views, chosen.target);
  });
}

function plainLabel(item: GoToItem): string {
  return item.label.replace(/^\$\([^)]+\)\s*/, '');
}

async function navigate(views: Views, target: Target): Promise<{ file?: string; line?: number; release?: string }> {
  if (target.release) {
    await vscode.commands.executeCommand('gitopshq.release.show', target.release);
    return { release: target.release.id };
  }
  const node = target.reveal?.();
  // Without a file to open, the tree node is the destination: give it the focus.
  if (node) await views.projectsView.reveal(node, { select: true, focus: target.file === undefined, expand: true });
  if (target.file === undefined) return {};
  const at = new vscode.Position(target.line ?? 0, target.character ?? 0);
  await vscode.window.showTextDocument(vscode.Uri.file(target.file), { selection: new vscode.Range(at, at), preview: false });
  return { file: target.file, line: (target.line ?? 0) + 1 };
}

function buildItems(s: Services, views: Views, releases: ReleaseService): GoToItem[] {
  const items: GoToItem[] = [];
  const model = views.projects.model;
  for (const entry of s.projects.index.projects()) {
    const project = entry.project;
    if (!project) {
      items.push({
        type: 'project',
        label: `$(error) ${path.basename(entry.root)}`,
        description: 'project · invalid manifest',
        detail: entry.manifestPath,
        target: { file: entry.manifestPath },
      });
      continue;
    }
    const where = project.name;
    items.push({
      type: 'project',
      label: `$(project) ${project.name}`,
      description: `project · ${project.slug}`,
      detail: entry.manifestPath,
      target: { file: entry.manifestPath, reveal: () => model.roots().find((r) => r.slug === project.slug) },
    });
    for (const env of project.environments) {
      const node = model.environment(project, env.name);
      items.push({
        type: 'environment',
        label: `$(server-environment) ${env.name}`,
        description: `environment · ${where}`,
        detail: node.description,
        target: { reveal: () => model.environment(project, env.name) },
      });
    }
    const firstTenant = defaultTenant(project);
    for (const workload of project.workloads) {
      const env = project.environments.find((e) => s.projects.index.isBound(project.slug, workload.name, e.name, firstTenant));
      const files = env ? s.projects.index.existingLayerFiles(project.slug, workload.name, env.name, firstTenant) : [];
      const file = files[files.length - 1] ?? chartValuesFile(project, workload);
      items.push({
        type: 'workload',
        label: `$(package) ${workload.name}`,
        description: `workload · ${where}`,
        detail: `${workload.chart} · ${workload.kube.kind}`,
        target: {
          file,
          reveal: () =>
            env
              ? model
                  .children(model.environment(project, env.name))
                  .flatMap((n) => (n.kind === 'tenant' ? model.children(n) : [n]))
                  .find((n) => n.kind === 'workload' && n.workload === workload.name)
              : undefined,
        },
      });
    }
    for (const entryRel of releases.releases(project.slug)) {
      const r = entryRel.release;
      if (!r) continue;
      items.push({
        type: 'release',
        label: `$(rocket) ${r.title}`,
        description: `${STATE_LABELS[r.state]} · ${r.environment} · release · ${where}`,
        detail: r.id,
        target: { release: { project: project.slug, id: r.id } },
      });
    }
    const seen = new Set<string>();
    for (const info of s.projects.index.valuesFiles(project.slug)) {
      if (!info.exists || seen.has(info.file)) continue;
      seen.add(info.file);
      items.push({
        type: 'values',
        label: `$(file-code) ${path.relative(project.root, info.file)}`,
        description: `values · ${info.layer === -1 ? 'chart defaults' : `layer ${info.layer + 1}`} · ${info.workload} · ${where}`,
        target: { file: info.file },
      });
    }
    for (const entryVar of variablesTable(project, s.projects.index.variables(project.slug))) {
      const origin = entryVar.definitions[0]?.origin;
      if (!origin) continue;
      items.push({
        type: 'variable',
        label: `$(symbol-variable) ${entryVar.key}`,
        description: `variable · ${where}`,
        detail: entryVar.secret
          ? 'secret'
          : entryVar.rows
              .filter((r) => !r.workload)
              .map((r) => `${[r.environment, r.tenant].filter(Boolean).join('/')}: ${r.display}`)
              .join(' · '),
        target: { file: origin.file, line: origin.line, character: origin.character },
      });
    }
  }
  return items;
}
