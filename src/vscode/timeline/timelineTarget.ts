// What a timeline is about, from the arguments the command, the API and the panels take (issue 13):
// `{ project, release, tenant? }` or `{ project, environment, workload, tenant? }`. Checked here with
// the one lookup every surface uses, so a bad name reads the same everywhere.
import { GitOpsHqError } from '../../core/errors';
import { findEnvironment, findProject, findTenant, findWorkload } from '../../core/model/lookup';
import type { ProjectIndex } from '../../core/model/projectIndex';
import type { Release } from '../../core/release/types';
import { deployedReleases, releaseWorkloads } from '../../core/timeline/releaseSelection';
import type { Project, Workload } from '../../core/types';

export type TimelineTarget = { project: string; release: string; tenant?: string } | { project: string; environment: string; workload: string; tenant?: string };

export interface ResolvedTarget {
  project: Project;
  environment: string;
  tenant: string;
  /** The tenants one may switch to: the release's, or the project's for a workload. */
  tenants: string[];
  /** The release followed; absent when a workload has no deployed release there (its live rollout is shown). */
  release?: Release;
  /** Set for the `{ environment, workload }` form. */
  workload?: string;
  workloads: Workload[];
}

/** Checks the shape of an argument that came from outside (a command, the API). */
export function parseTarget(arg: unknown): TimelineTarget | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as Record<string, unknown>;
  const text = (v: unknown) => typeof v === 'string' && v.length > 0;
  if (!text(a['project'])) return undefined;
  if (a['tenant'] !== undefined && !text(a['tenant'])) return undefined;
  const tenant = a['tenant'] !== undefined ? { tenant: a['tenant'] as string } : {};
  if (text(a['release'])) return { project: a['project'] as string, release: a['release'] as string, ...tenant };
  if (text(a['environment']) && text(a['workload'])) return { project: a['project'] as string, environment: a['environment'] as string, workload: a['workload'] as string, ...tenant };
  return undefined;
}

export function resolveTarget(index: ProjectIndex, releases: (slug: string) => Release[], target: TimelineTarget): ResolvedTarget {
  const project = findProject(index, target.project);
  const all = releases(project.slug);
  if ('release' in target) {
    const release = all.find((r) => r.id === target.release);
    if (!release) throw new GitOpsHqError('release-not-found', `Project ${project.slug} has no release ${target.release}.`, 'Pick one in the Releases view.');
    if (release.state !== 'deployed' || !release.deploy.at) {
      throw new GitOpsHqError('release-invalid', `Release ${release.id} is ${release.state.replace('_', ' ')}: only a deployed release has a timeline.`, 'Deploy it first, or open the timeline of a workload.');
    }
    const tenant = target.tenant ?? release.tenants[0] ?? findTenant(project);
    if (!release.tenants.includes(tenant)) {
      throw new GitOpsHqError('tenant-not-found', `Release ${release.id} does not deploy tenant "${tenant}" (it deploys ${release.tenants.join(', ')}).`);
    }
    const workloads = releaseWorkloads(project, release, (w) => index.isBound(project.slug, w, release.environment, tenant));
    return { project, environment: release.environment, tenant, tenants: [...release.tenants], release, workloads };
  }
  findEnvironment(project, target.environment);
  const tenant = findTenant(project, target.tenant);
  const workload = findWorkload(project, target.workload);
  const latest = deployedReleases(all, target.environment, tenant, workload.name)[0];
  return { project, environment: target.environment, tenant, tenants: [...project.tenants], ...(latest ? { release: latest } : {}), workload: workload.name, workloads: [workload] };
}

/** `slug/release/tenant` or `slug/env/workload/tenant`: one panel and one memory of phases per key. */
export function targetKey(r: Pick<ResolvedTarget, 'project' | 'environment' | 'tenant' | 'workload'> & { release?: Pick<Release, 'id'> | undefined }): string {
  return r.workload !== undefined ? `${r.project.slug}/${r.environment}/${r.workload}/${r.tenant}` : `${r.project.slug}/${r.release?.id ?? ''}/${r.tenant}`;
}
