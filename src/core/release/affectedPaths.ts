// The paths that affect one (tenant, environment) (spec §4, "Deploying and drift"): the value layers of
// every workload, their chart folders and the variables file. Drift, candidate changes and the audit log
// all use this one list, so that what a release can carry is exactly what drift reports.
import * as path from 'node:path';
import { layerFiles } from '../values/layers';
import type { Project } from '../types';

export interface AffectedPath {
  /** Repository-relative, `/`-separated. */
  path: string;
  /** The first workload the path belongs to; absent for the variables file. */
  workload?: string;
  /** Every workload the path belongs to (a shared base layer or chart belongs to several). */
  workloads: string[];
  kind: 'layer' | 'chart' | 'variables';
}

/** Sorted by path; each path once. A chart is its folder (everything below it affects the workload). */
export function affectedPaths(project: Project, environment: string, tenant: string, relative: (abs: string) => string): AffectedPath[] {
  const byPath = new Map<string, AffectedPath>();
  const add = (abs: string, kind: AffectedPath['kind'], workload?: string) => {
    const rel = relative(abs);
    const known = byPath.get(rel);
    if (!known) {
      byPath.set(rel, workload === undefined ? { path: rel, workloads: [], kind } : { path: rel, workload, workloads: [workload], kind });
    } else if (workload !== undefined && !known.workloads.includes(workload)) {
      known.workloads.push(workload);
    }
  };
  for (const workload of project.workloads) {
    for (const file of layerFiles(project, workload, environment, tenant)) add(file, 'layer', workload.name);
    add(path.join(project.root, workload.chart), 'chart', workload.name);
  }
  add(project.variablesPath, 'variables');
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Whether `file` (repository-relative) is one of `affected` or lies in one of their folders (a chart). */
export function isAffectedPath(affected: readonly Pick<AffectedPath, 'path'>[], file: string): boolean {
  return affected.some((a) => a.path === file || file.startsWith(`${a.path.replace(/\/$/, '')}/`));
}
