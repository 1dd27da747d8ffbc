// What each (project, tenant, environment) runs: its deployed branch's tip and the files that drifted
// from it on the main branch, or why that is unknown (no Git, never deployed, Git failed). Read in the
// background by ProjectService after index changes and ref moves; plain Node against the repository
// port (infra/git/gitRepository.ts satisfies it), tested on real repositories.
import type { Logger } from '../logger';
import { affectedPaths } from '../release/affectedPaths';
import type { DeployedCommit, DeployState, Project } from '../types';

/** The read side of a project's repository. */
export interface DeployRepoPort {
  /** Every deployed branch, keyed `tenant/env`. */
  deployedBranches(): Promise<Map<string, DeployedCommit>>;
  /** The files under `paths` whose content on the main ref differs from the deployed branch. */
  drift(tenant: string, environment: string, paths: string[]): Promise<string[]>;
  relative(absPath: string): string;
}

export function deployStateKey(slug: string, tenant: string, environment: string): string {
  return `${slug}\u0000${tenant}\u0000${environment}`;
}

/**
 * The deploy state of every (tenant, environment) of `projects`, keyed by deployStateKey, and the
 * repositories that hold them (for the caller to watch). A project whose Git fails gets `error` states
 * and the others are still read.
 */
export async function readDeployStates<R extends DeployRepoPort>(
  projects: readonly Project[],
  repository: (project: Project) => Promise<R | undefined>,
  logger: Logger,
): Promise<{ states: Map<string, DeployState>; repos: Set<R> }> {
  const states = new Map<string, DeployState>();
  const repos = new Set<R>();
  const setAll = (project: Project, state: DeployState) => {
    for (const env of project.environments) for (const tenant of project.tenants) states.set(deployStateKey(project.slug, tenant, env.name), state);
  };
  for (const project of projects) {
    const repo = await repository(project);
    if (!repo) {
      setAll(project, { kind: 'no-git' });
      continue;
    }
    repos.add(repo);
    try {
      const branches = await repo.deployedBranches();
      await Promise.all(
        project.environments.flatMap((env) =>
          project.tenants.map(async (tenant) => {
            const deployed = branches.get(`${tenant}/${env.name}`);
            const key = deployStateKey(project.slug, tenant, env.name);
            if (!deployed) {
              states.set(key, { kind: 'never-deployed' });
              return;
            }
            // Spec §4: the paths that affect (tenant, env) are its value layers, the charts and the variables file.
            const paths = affectedPaths(project, env.name, tenant, (abs) => repo.relative(abs)).map((a) => a.path);
            states.set(key, { kind: 'deployed', deployed, drift: await repo.drift(tenant, env.name, paths) });
          }),
        ),
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      logger.warn(`Reading deployed branches of ${project.slug} failed: ${message}`);
      setAll(project, { kind: 'error', message });
    }
  }
  return { states, repos };
}
