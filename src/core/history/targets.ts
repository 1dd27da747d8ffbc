// What a history target means in files (issue 16): a workload's value layers for an environment and
// tenant (every one when not given), its chart folder and the variables file; or one file. And which
// (tenant, environment) pairs each repository path affects, for the deploy badges.
import * as path from 'node:path';
import { GitOpsHqError } from '../errors';
import { layerFiles } from '../values/layers';
import { affectedPaths } from '../release/affectedPaths';
import type { Project } from '../types';
import type { Placement } from './types';

export type HistoryTarget = { file: string } | { project: string; workload: string; environment?: string; tenant?: string };

/** Repository-relative paths of a workload target, sorted; throws a clear error for unknown names. */
export function workloadTargetPaths(
  project: Project,
  target: { workload: string; environment?: string; tenant?: string },
  relative: (abs: string) => string,
): string[] {
  const workload = project.workloads.find((w) => w.name === target.workload);
  if (!workload) {
    throw new GitOpsHqError('workload-not-found', `Project ${project.slug} has no workload "${target.workload}" (it has ${project.workloads.map((w) => w.name).join(', ')}).`);
  }
  if (target.environment !== undefined && !project.environments.some((e) => e.name === target.environment)) {
    throw new GitOpsHqError(
      'environment-not-found',
      `Project ${project.slug} has no environment "${target.environment}" (it has ${project.environments.map((e) => e.name).join(', ')}).`,
    );
  }
  if (target.tenant !== undefined && !project.tenants.includes(target.tenant)) {
    throw new GitOpsHqError('tenant-not-found', `Project ${project.slug} has no tenant "${target.tenant}" (it has ${project.tenants.join(', ')}).`);
  }
  const environments = target.environment !== undefined ? [target.environment] : project.environments.map((e) => e.name);
  const tenants = target.tenant !== undefined ? [target.tenant] : project.tenants;
  const paths = new Set<string>();
  for (const env of environments) for (const tenant of tenants) for (const file of layerFiles(project, workload, env, tenant)) paths.add(relative(file));
  paths.add(relative(path.join(project.root, workload.chart)));
  paths.add(relative(project.variablesPath));
  return [...paths].sort();
}

/** Which placements each repository path affects, over every (environment, tenant) of the project. */
export class PlacementIndex {
  private readonly files = new Map<string, Placement[]>();
  private readonly folders = new Map<string, Placement[]>();

  constructor(project: Project, relative: (abs: string) => string) {
    for (const environment of project.environments) {
      for (const tenant of project.tenants) {
        for (const a of affectedPaths(project, environment.name, tenant, relative)) {
          const map = a.kind === 'chart' ? this.folders : this.files;
          const list = map.get(a.path) ?? [];
          list.push({ tenant, environment: environment.name });
          map.set(a.path, list);
        }
      }
    }
  }

  readonly placementsOf = (repoPath: string): readonly Placement[] => {
    const out = [...(this.files.get(repoPath) ?? [])];
    for (const [folder, list] of this.folders) {
      if (!repoPath.startsWith(`${folder}/`)) continue;
      for (const p of list) if (!out.some((o) => o.tenant === p.tenant && o.environment === p.environment)) out.push(p);
    }
    return out;
  };
}
