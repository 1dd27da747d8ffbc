// Does (tenant, environment) run release R? Spec §5 "Which release the cluster runs": the first rule
// that holds decides, in this order: an Argo CD Application's synced revision, the workload's
// `gitopshq.io/revision` annotation (both equal to or a descendant of the deploy commit), every
// container image of the pod template ending with the release's effective image tag.
import type { PodTemplateSpec } from '../cluster/kubeTypes';
import type { AncestryPort, Recognition, RecogniseInput, TimelineApplication, TimelineRelease } from './types';

export const REVISION_ANNOTATION = 'gitopshq.io/revision';
export const PROJECT_LABEL = 'gitopshq.io/project';
export const ENVIRONMENT_LABEL = 'gitopshq.io/environment';
export const TENANT_LABEL = 'gitopshq.io/tenant';

/** The commit to recognise for `tenant`: `deploy.commits[tenant]` when present, else `deploy.commit`. */
export function deployCommit(release: TimelineRelease, tenant: string): string | undefined {
  return release.deploy.commits?.[tenant] ?? release.deploy.commit ?? undefined;
}

export function recognise(input: RecogniseInput): Recognition {
  const commit = deployCommit(input.release, input.tenant);
  let unknown: string | undefined;
  if (commit !== undefined) {
    const app = findApplication(input.applications, input.project, input.release.environment, input.tenant);
    const revision = app?.status?.sync?.revision;
    if (app && revision) {
      const detail = argoDetail(app);
      const runs = runsCommit(commit, revision, input.isAncestor);
      if (runs) return { running: true, by: 'argo', detail };
      if (runs === undefined) unknown ??= `${detail} (ancestry of ${short(commit)} not known yet)`;
    }
    const annotated = input.object?.metadata.annotations?.[REVISION_ANNOTATION];
    if (annotated) {
      const detail = `${REVISION_ANNOTATION} ${short(annotated)}`;
      const runs = runsCommit(commit, annotated, input.isAncestor);
      if (runs) return { running: true, by: 'annotation', detail };
      if (runs === undefined) unknown ??= `${detail} (ancestry of ${short(commit)} not known yet)`;
    }
  }
  const tag = input.imageTag;
  const template = input.object?.spec?.template;
  if (tag && template && templateHasTag(template, tag)) return { running: true, by: 'image', detail: `image tag ${tag}` };
  if (unknown) return { running: undefined, detail: unknown };
  if (input.object === undefined) return { running: false, detail: 'the workload is not in the cluster' };
  return { running: false, detail: commit ? `the cluster does not run ${short(commit)} yet` : 'the release has no deploy commit' };
}

/** The Application labelled for (project, environment, tenant), if the namespace has one. */
export function findApplication(
  applications: readonly TimelineApplication[] | undefined,
  project: string,
  environment: string,
  tenant: string,
): TimelineApplication | undefined {
  return applications?.find((a) => {
    const l = a.metadata.labels;
    return l?.[PROJECT_LABEL] === project && l[ENVIRONMENT_LABEL] === environment && l[TENANT_LABEL] === tenant;
  });
}

/** "Argo CD: Synced 1a410ef, Healthy". */
export function argoDetail(app: TimelineApplication): string {
  const sync = app.status?.sync;
  const health = app.status?.health?.status;
  return `Argo CD: ${sync?.status ?? 'Unknown'}${sync?.revision ? ` ${short(sync.revision)}` : ''}${health ? `, ${health}` : ''}`;
}

/** Equal (a short id matches its full id), else what Git says of the ancestry. */
export function runsCommit(commit: string, observed: string, isAncestor: AncestryPort): boolean | undefined {
  if (sameCommit(commit, observed)) return true;
  return isAncestor(commit, observed);
}

export function sameCommit(a: string, b: string): boolean {
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  const [shorter, longer] = x.length <= y.length ? [x, y] : [y, x];
  return shorter.length >= 7 && longer.startsWith(shorter);
}

/** Every container image of the template ends with `:<tag>` (a digest after `@` ignored). */
export function templateHasTag(template: PodTemplateSpec, tag: string): boolean {
  const containers = template.spec?.containers ?? [];
  return containers.length > 0 && containers.every((c) => (c.image ?? '').split('@')[0]!.endsWith(`:${tag}`));
}

export function short(commit: string): string {
  return commit.slice(0, 7);
}
