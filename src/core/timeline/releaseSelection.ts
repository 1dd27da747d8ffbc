// Which deployed releases a timeline is about (spec §5): the workloads a release deploys, the later
// deploy that superseded it, the latest deployed release of a workload. Pure, and small enough for
// the main bundle (the Releases view asks it without loading the Kubernetes bundle).
import type { Release } from '../release/types';
import type { Project, Workload } from '../types';
import { ms } from './times';

/**
 * The workloads a release deploys in its environment and tenant: those its changes name, every bound
 * one when a change is project-wide (the variables file), in manifest order.
 */
export function releaseWorkloads(project: Pick<Project, 'workloads'>, release: Pick<Release, 'changes'>, isBound: (workload: string) => boolean): Workload[] {
  const named = new Set(release.changes.map((c) => c.workload));
  const all = named.has(undefined);
  return project.workloads.filter((w) => isBound(w.name) && (all || named.has(w.name)));
}

/**
 * `deploy.at` of the first release deployed after `release` to the same environment and a tenant
 * of it, when there is one: it superseded `release` there.
 */
export function supersededAt(release: Pick<Release, 'id' | 'environment' | 'deploy'>, tenant: string, releases: readonly Release[]): string | undefined {
  const at = ms(release.deploy.at);
  if (at === undefined) return undefined;
  let first: { at: number; text: string } | undefined;
  for (const r of releases) {
    if (r.id === release.id || r.environment !== release.environment || !r.tenants.includes(tenant)) continue;
    if (r.state !== 'deployed') continue;
    const when = ms(r.deploy.at);
    if (when === undefined || when <= at) continue;
    if (!first || when < first.at) first = { at: when, text: r.deploy.at! };
  }
  return first?.text;
}

/** The deployed releases of (environment, tenant), latest deploy first; `workload` narrows to releases that deploy it. */
export function deployedReleases(releases: readonly Release[], environment: string, tenant: string, workload?: string): Release[] {
  return releases
    .filter((r) => r.state === 'deployed' && r.environment === environment && r.tenants.includes(tenant) && ms(r.deploy.at) !== undefined)
    .filter((r) => workload === undefined || r.changes.some((c) => c.workload === undefined || c.workload === workload))
    .sort((a, b) => ms(b.deploy.at)! - ms(a.deploy.at)!);
}
