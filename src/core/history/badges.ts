// Where a commit's change is deployed, by content, not ancestry (docs/history.md): a deploy writes a new
// commit on `gitopshq/deployed/<tenant>/<env>` with the paths' content; it never merges `main`. So a
// commit's change to a path is in (tenant, environment) when that deployed branch holds the content
// the commit wrote, or the content of a later commit to that path. A commit is deployed there when
// all of its files that affect that (tenant, environment) are.
import type { Badge, BadgeState, HistoryCommit, Placement } from './types';

/**
 * The blob a deployed branch holds at a path: a blob id, null when the path is absent there,
 * undefined when the branch does not exist (never deployed).
 */
export type DeployedBlob = (placement: Placement, path: string) => string | null | undefined;

/** Which (tenant, environment) pairs a repository path affects (its layers, charts, the variables file). */
export type PlacementsOf = (path: string) => readonly Placement[];

/**
 * Badges per commit, for `commits` newest first. Every newer commit to a path must be in the list
 * before an older one (the caller pages from the newest): "a later content" is read from them.
 * Commits without files that affect any placement get no badges.
 */
export function commitBadges(commits: readonly HistoryCommit[], placementsOf: PlacementsOf, deployedBlob: DeployedBlob): Map<string, Badge[]> {
  const later = new Map<string, Set<string | null>>();
  const result = new Map<string, Badge[]>();
  for (const commit of commits) {
    const byPlacement = new Map<string, { placement: Placement; state: BadgeState }>();
    for (const file of commit.files) {
      const seen = later.get(file.path);
      for (const placement of placementsOf(file.path)) {
        const key = `${placement.tenant}\u0000${placement.environment}`;
        const deployed = deployedBlob(placement, file.path);
        const state: BadgeState =
          deployed === undefined ? 'never-deployed' : deployed === file.newBlob || (seen?.has(deployed) ?? false) ? 'deployed' : 'pending';
        const known = byPlacement.get(key);
        // One file not deployed makes the commit pending there.
        if (!known || rank(state) > rank(known.state)) byPlacement.set(key, { placement, state });
      }
    }
    result.set(
      commit.sha,
      [...byPlacement.values()].map(({ placement, state }) => ({ tenant: placement.tenant, environment: placement.environment, state })),
    );
    // Only after this commit: its own content counts as "later" for the older commits.
    for (const file of commit.files) {
      let set = later.get(file.path);
      if (!set) later.set(file.path, (set = new Set()));
      set.add(file.newBlob);
    }
  }
  return result;
}

function rank(state: BadgeState): number {
  return state === 'deployed' ? 0 : state === 'pending' ? 1 : 2;
}

/**
 * "staging ✓ · production pending": one entry per environment in `order` (promotion order); an
 * environment whose tenants disagree lists them ("production: acme ✓, globex pending").
 */
export function badgeText(badges: readonly Badge[], order: readonly string[]): string {
  const byEnv = new Map<string, Badge[]>();
  for (const badge of badges) {
    const list = byEnv.get(badge.environment) ?? [];
    list.push(badge);
    byEnv.set(badge.environment, list);
  }
  const envs = [...byEnv.keys()].sort((a, b) => position(order, a) - position(order, b) || (a < b ? -1 : 1));
  return envs
    .map((env) => {
      const list = byEnv.get(env) as Badge[];
      const states = new Set(list.map((b) => b.state));
      if (states.size === 1) return `${env} ${word(list[0]!.state)}`;
      return `${env}: ${list.map((b) => `${b.tenant} ${word(b.state)}`).join(', ')}`;
    })
    .join(' · ');
}

function word(state: BadgeState): string {
  return state === 'deployed' ? '✓' : state === 'pending' ? 'pending' : 'never deployed';
}

function position(order: readonly string[], env: string): number {
  const i = order.indexOf(env);
  return i < 0 ? order.length : i;
}

/** The placements a badge list says the change is deployed in. */
export function deployedIn(badges: readonly Badge[]): Placement[] {
  return badges.filter((b) => b.state === 'deployed').map((b) => ({ environment: b.environment, tenant: b.tenant }));
}
