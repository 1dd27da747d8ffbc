// Finding a project, an environment, a tenant or a workload by name, or failing with the one message
// every surface shows (API, commands, panels, releases, the index): callers branch on the error's
// kind, people read the same sentence wherever they typed the name.
import { GitOpsHqError } from '../errors';
import type { Environment, Project, Workload } from '../types';

/** What lookups read: ProjectIndex satisfies it. */
export interface ProjectSource {
  project(slug: string): Project | undefined;
  projects(): readonly { project?: Project | undefined }[];
}

/** The loaded projects (entries whose manifest parsed), in the index's order. */
export function loadedProjects(source: Pick<ProjectSource, 'projects'>): Project[] {
  return source.projects().flatMap((e) => (e.project ? [e.project] : []));
}

export function projectNotFound(slug: string): GitOpsHqError {
  return new GitOpsHqError('project-not-found', `No GitOpsHQ project with slug "${slug}" is loaded.`);
}

/** For commands that need some project and find none. */
export function noProjectLoaded(): GitOpsHqError {
  return new GitOpsHqError('project-not-found', 'No GitOpsHQ project in this workspace.', 'Open a folder with a gitopshq.yaml, or initialize one.');
}

export function findProject(source: Pick<ProjectSource, 'project'>, slug: string): Project {
  const project = source.project(slug);
  if (!project) throw projectNotFound(slug);
  return project;
}

/** `slug`'s project, or the first loaded one when `slug` is absent. */
export function projectOrFirst(source: ProjectSource, slug: string | undefined): Project {
  if (slug !== undefined) return findProject(source, slug);
  const first = loadedProjects(source)[0];
  if (!first) throw noProjectLoaded();
  return first;
}

export function findEnvironment(project: Project, name: string): Environment {
  const env = project.environments.find((e) => e.name === name);
  if (!env) {
    throw new GitOpsHqError(
      'environment-not-found',
      `Project ${project.slug} has no environment "${name}" (it has ${project.environments.map((e) => e.name).join(', ')}).`,
    );
  }
  return env;
}

export function findWorkload(project: Project, name: string): Workload {
  const workload = project.workloads.find((w) => w.name === name);
  if (!workload) throw new GitOpsHqError('workload-not-found', `Project ${project.slug} has no workload "${name}".`);
  return workload;
}

/**
 * The tenant a request without one means: the first declared (the manifest always yields at least
 * `default`, so the fallback only guards a hand-built Project).
 */
export function defaultTenant(project: Project): string {
  return project.tenants[0] ?? 'default';
}

/** `tenant` (default: the project's default tenant), checked against the project's tenants. */
export function findTenant(project: Project, tenant?: string): string {
  const t = tenant ?? defaultTenant(project);
  if (!project.tenants.includes(t)) {
    throw new GitOpsHqError('tenant-not-found', `Project ${project.slug} has no tenant "${t}" (it has ${project.tenants.join(', ')}).`);
  }
  return t;
}

/** Every tenant of `tenants` checked, in the project's order; absent or empty = all of them. */
export function findTenants(project: Project, tenants: readonly string[] | undefined): string[] {
  if (!tenants || tenants.length === 0) return [...project.tenants];
  for (const t of tenants) findTenant(project, t);
  return project.tenants.filter((t) => tenants.includes(t));
}
