// What the compare panel compares: the selection from the command's arguments, a tree node, the
// saved webview state or a sequence of quick picks, always checked against the loaded projects.
import * as vscode from 'vscode';
import { GitOpsHqError } from '../../core/errors';
import { defaultTenant, findEnvironment, findProject, findTenant, loadedProjects, noProjectLoaded } from '../../core/model/lookup';
import type { TreeNode } from '../../core/tree/treeModel';
import type { Project } from '../../core/types';
import type { Selection } from '../../protocol/compare';
import type { Services } from '../services';

/** `{ project, source, target, tenant? }`: the scripted form of the command. */
export interface CompareArgs {
  project: string;
  source: string;
  target: string;
  tenant?: string;
}

export function compareTitle(selection: Selection): string {
  return `Compare ${selection.source} ↔ ${selection.target}`;
}

export function isCompareArgs(arg: unknown): arg is CompareArgs {
  if (!arg || typeof arg !== 'object') return false;
  const a = arg as Record<string, unknown>;
  return typeof a['project'] === 'string' && typeof a['source'] === 'string' && typeof a['target'] === 'string';
}

export function isEnvironmentNode(arg: unknown): arg is Extract<TreeNode, { kind: 'environment' | 'tenant' }> {
  if (!arg || typeof arg !== 'object') return false;
  const a = arg as Record<string, unknown>;
  return (a['kind'] === 'environment' || a['kind'] === 'tenant') && typeof a['slug'] === 'string' && typeof a['environment'] === 'string';
}

/** The selection with the tenant filled in; throws a typed error for anything unknown. */
export function checkSelection(s: Services, args: CompareArgs): Selection {
  const project = findProject(s.projects.index, args.project);
  for (const env of [args.source, args.target]) findEnvironment(project, env);
  const tenant = findTenant(project, args.tenant);
  return { project: project.slug, source: args.source, target: args.target, tenant };
}

/** The environment after `environment` in promotion order (the one before it for the last). */
function nextInPromotion(project: Project, environment: string): string {
  const names = project.environments.map((e) => e.name);
  const i = names.indexOf(environment);
  return names[i + 1] ?? names[i - 1] ?? environment;
}

export function fromNode(s: Services, node: { slug: string; environment: string; tenant?: string }): Selection {
  const project = findProject(s.projects.index, node.slug);
  return checkSelection(s, {
    project: node.slug,
    source: node.environment,
    target: nextInPromotion(project, node.environment),
    ...(node.tenant ? { tenant: node.tenant } : {}),
  });
}

export function defaultSelection(s: Services): Selection | undefined {
  const project = loadedProjects(s.projects.index)[0];
  const first = project?.environments[0]?.name;
  if (!project || !first) return undefined;
  return { project: project.slug, source: first, target: nextInPromotion(project, first), tenant: defaultTenant(project) };
}

/** The selection by quick picks; undefined when cancelled. */
export async function askSelection(s: Services): Promise<Selection | undefined> {
  const projects = loadedProjects(s.projects.index);
  if (projects.length === 0) throw noProjectLoaded();
  const project =
    projects.length === 1
      ? projects[0]!
      : await pickOne('Compare: project', projects.map((p) => ({ label: p.name, description: p.slug, value: p })));
  if (!project) return undefined;
  const envs = project.environments.map((e) => e.name);
  if (envs.length < 2) throw new GitOpsHqError('environment-not-found', `Project ${project.slug} has only one environment: nothing to compare.`);
  const source = await pickOne('Compare: source environment', envs.map((e) => ({ label: e, value: e })), envs[0]);
  if (!source) return undefined;
  const target = await pickOne(
    `Compare ${source} with…`,
    envs.map((e) => ({ label: e, value: e, ...(e === source ? { description: 'same as source' } : {}) })),
    nextInPromotion(project, source),
  );
  if (!target) return undefined;
  const tenant =
    project.tenants.length > 1 ? await pickOne('Compare: tenant', project.tenants.map((t) => ({ label: t, value: t })), defaultTenant(project)) : defaultTenant(project);
  if (!tenant) return undefined;
  return { project: project.slug, source, target, tenant };
}

/** A QuickPick whose active item is the default; undefined when cancelled. */
function pickOne<T>(placeholder: string, items: (vscode.QuickPickItem & { value: T })[], preferred?: T): Promise<T | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { value: T }>();
    qp.placeholder = placeholder;
    qp.items = items;
    const active = items.find((i) => i.value === preferred);
    if (active) qp.activeItems = [active];
    let done = false;
    qp.onDidAccept(() => {
      done = true;
      resolve(qp.selectedItems[0]?.value ?? qp.activeItems[0]?.value);
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
