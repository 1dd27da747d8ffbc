// The fleet model (issue 14): every project × environment × tenant with its colour and the facts
// behind it. The colour is spec §5's, computed by the same rules as the Projects tree
// (cluster/healthColours.ts environmentColour for Git and the cluster) plus the causes only the
// releases know (a release waiting for approval or deploying warns, a failed one needs action).
// Synchronous over the caches the editor holds: 1,000 tiles in a few milliseconds (test/bench/fleet.bench.ts).
import { relativeTime } from '../format';
import { environmentColour, worstColour, type HealthColour } from '../cluster/healthColours';
import { isApprover, sameEmail } from '../release/policy';
import { isFrozen } from '../release/stateMachine';
import type { Release } from '../release/types';
import type { Project } from '../types';
import {
  approvalReason,
  connectionReason,
  driftReason,
  gitErrorReason,
  greenSentence,
  neverDeployedReason,
  releaseReason,
  rolloutReason,
  unresolvedReason,
  workloadReason,
} from './reasons';
import type { Fleet, FleetProject, FleetReason, FleetSources, FleetSummary, FleetTile } from './types';

const RANK: Record<HealthColour, number> = { green: 0, yellow: 1, red: 2 };
/** "Recent" for "only mine": a release created or approved, or a deployed commit authored, this long ago at most. */
export const RECENT_MS = 30 * 24 * 60 * 60 * 1000;

export function tileId(slug: string, environment: string, tenant: string): string {
  return `${slug}/${environment}/${tenant}`;
}

/** The releases of one project grouped for its tiles: computed once per project, not per tile. */
interface ProjectReleases {
  /** Releases pending approval, deploying or failed, by environment, newest first. */
  open: Map<string, Release[]>;
  /** Deployed releases by the commit each tenant's deployed branch got. */
  byDeployCommit: Map<string, Release>;
}

function groupReleases(releases: readonly Release[]): ProjectReleases {
  const open = new Map<string, Release[]>();
  const byDeployCommit = new Map<string, Release>();
  for (const r of releases) {
    if (r.state === 'pending_approval' || r.state === 'deploying' || r.state === 'failed') {
      const list = open.get(r.environment) ?? [];
      list.push(r);
      open.set(r.environment, list);
    }
    if (r.state === 'deployed') {
      for (const sha of Object.values(r.deploy.commits ?? {})) byDeployCommit.set(`${r.environment}\u0000${sha}`, r);
      if (r.deploy.commit) byDeployCommit.set(`${r.environment}\u0000${r.deploy.commit}`, r);
    }
  }
  for (const list of open.values()) list.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { open, byDeployCommit };
}

function lastTransition(r: Release): number {
  const at = r.history.length > 0 ? Date.parse(r.history[r.history.length - 1]!.at) : NaN;
  return Number.isNaN(at) ? Date.parse(r.createdAt) : at;
}

/** One tile. Exported for live updates of a single (project, environment, tenant). */
export function fleetTile(sources: FleetSources, project: Project, environment: string, tenant: string, releases: ProjectReleases = groupReleases(sources.releases(project.slug))): FleetTile {
  const slug = project.slug;
  const env = project.environments.find((e) => e.name === environment);
  const reasons: FleetReason[] = [];
  const tile: FleetTile = {
    id: tileId(slug, environment, tenant),
    project: slug,
    environment,
    tenant,
    colour: 'green',
    reasons,
    sentence: '',
    git: 'reading',
    drift: 0,
    driftPaths: [],
    pendingApprovals: 0,
    mayApprove: 0,
    releases: [],
    unhealthy: [],
    unresolved: [],
    connection: 'unknown',
  };

  // Git (spec §4): unresolved values need action, drift warns; never deployed warns as in the tree.
  const unresolved = sources.workloadErrors(slug, environment, tenant) ?? [];
  tile.unresolved = [...unresolved];
  if (unresolved.length > 0) reasons.push(unresolvedReason(unresolved));
  const state = sources.deployState(slug, environment, tenant);
  let deployedAt = -Infinity;
  if (state?.kind === 'deployed') {
    tile.git = 'deployed';
    const d = state.deployed;
    deployedAt = d.date.getTime();
    tile.deployed = { commit: d.sha, shortCommit: d.shortSha, at: d.date.toISOString(), age: relativeTime(d.date, sources.now), author: d.authorName, subject: d.subject };
    const release = releases.byDeployCommit.get(`${environment}\u0000${d.sha}`);
    if (release) tile.deployed.release = { id: release.id, title: release.title };
    tile.drift = state.drift.length;
    tile.driftPaths = [...state.drift];
    if (state.drift.length > 0) reasons.push(driftReason(state.drift.length));
  } else if (state?.kind === 'never-deployed') {
    tile.git = 'never-deployed';
    reasons.push(neverDeployedReason(environment, tenant));
  } else if (state?.kind === 'error') {
    tile.git = 'error';
    reasons.push(gitErrorReason(state.message));
  } else if (state?.kind === 'no-git') {
    tile.git = 'no-git';
  }

  // Releases: waiting for approval, deploying, or failed after what the branch carries now.
  let pending = 0;
  let mine = 0;
  for (const r of releases.open.get(environment) ?? []) {
    if (r.tenants.length > 0 && !r.tenants.includes(tenant)) continue;
    let may = false;
    if (r.state === 'pending_approval') {
      pending++;
      may = sources.mayApprove(slug, r);
      if (may) mine++;
    } else if (r.state === 'failed' && lastTransition(r) < deployedAt) {
      continue; // a later deploy replaced it
    } else {
      reasons.push(releaseReason(r));
    }
    tile.releases.push({ id: r.id, title: r.title, state: r.state, mayApprove: may });
  }
  tile.pendingApprovals = pending;
  tile.mayApprove = mine;
  if (pending > 0) reasons.push(approvalReason(pending, mine));
  const rollout = sources.rollout?.(slug, environment, tenant);
  const rolloutWhy = rollout && rolloutReason(rollout);
  if (rolloutWhy) reasons.push(rolloutWhy);

  // The cluster (spec §5), only once its informers listed: before that the tile says nothing of it.
  const bound = sources.bound(project, environment, tenant);
  const cluster = sources.cluster(project, environment, tenant, bound);
  let healthy: number | undefined;
  let workloads: Parameters<typeof environmentColour>[0]['workloads'] = [];
  let connection: Parameters<typeof environmentColour>[0]['connection'];
  if (cluster) {
    if (cluster.context) tile.context = cluster.context;
    if (cluster.connection !== 'connected') {
      tile.connection = cluster.connection;
      connection = cluster.connection;
      reasons.push(connectionReason(cluster));
    } else if (cluster.synced) {
      tile.connection = 'connected';
      workloads = cluster.workloads;
      healthy = 0;
      for (const w of cluster.workloads) {
        const why = workloadReason(w);
        if (!why) {
          if (w.health === 'healthy') healthy++;
          continue;
        }
        reasons.push(why.reason);
        tile.unhealthy.push(why.unhealthy);
      }
    }
  }

  if (env) {
    const freeze = isFrozen(env, sources.now);
    if (freeze.frozen) tile.frozen = { reason: freeze.reason ?? 'frozen', ...(freeze.until ? { until: freeze.until } : {}) };
  }

  // The tree's rule for Git and the cluster, and the releases' causes on top: the worst wins.
  const base = environmentColour({ workloads, ...(connection ? { connection } : {}), git: { drift: tile.drift > 0, unresolvedValues: unresolved.length > 0 } });
  tile.colour = worstColour([base.colour, ...reasons.map((r) => r.colour)]);
  // Stable sort: worst first, then in the order the causes were found (Git, releases, cluster).
  reasons.sort((a, b) => RANK[b.colour] - RANK[a.colour]);
  tile.sentence = reasons.length > 0 ? reasons.map((r) => r.text).join(' · ') : greenSentence(tile, healthy);
  return tile;
}

/** Whether `email` approves in one of the project's environments, or recently created, approved or deployed there. */
export function isMine(project: Project, releases: readonly Release[], sources: Pick<FleetSources, 'deployState' | 'identity' | 'now'>): boolean {
  const identity = sources.identity(project.slug);
  if (!identity?.email) return false;
  const email = identity.email;
  if (project.environments.some((e) => e.approval.required > 0 && isApprover(e.approval, project.teams, email))) return true;
  const since = sources.now.getTime() - RECENT_MS;
  const recent = (iso: string) => Date.parse(iso) >= since;
  for (const r of releases) {
    if (sameEmail(r.createdBy.email, email) && recent(r.createdAt)) return true;
    if (r.approvals.some((a) => sameEmail(a.by.email, email) && recent(a.at))) return true;
  }
  for (const env of project.environments) {
    for (const tenant of project.tenants) {
      const state = sources.deployState(project.slug, env.name, tenant);
      if (state?.kind === 'deployed' && sameEmail(state.deployed.authorEmail, email) && state.deployed.date.getTime() >= since) return true;
    }
  }
  return false;
}

export function fleetProject(sources: FleetSources, project: Project): FleetProject {
  const all = sources.releases(project.slug);
  const releases = groupReleases(all);
  const environments = project.environments.map((env) => ({
    name: env.name,
    required: env.approval.required,
    tenants: project.tenants.map((tenant) => fleetTile(sources, project, env.name, tenant, releases)),
  }));
  return {
    slug: project.slug,
    name: project.name,
    colour: worstColour(environments.flatMap((e) => e.tenants.map((t) => t.colour))),
    mine: isMine(project, all, sources),
    environments,
  };
}

/**
 * The whole fleet. Projects by name (a row keeps its place while colours change), environments in
 * promotion order, tenants as declared; broken manifests apart.
 */
export function computeFleet(sources: FleetSources): Fleet {
  const projects = [...sources.projects].sort((a, b) => a.name.localeCompare(b.name) || a.slug.localeCompare(b.slug)).map((p) => fleetProject(sources, p));
  const broken = [...(sources.broken ?? [])];
  return { projects, broken, summary: summarise(projects, broken.length) };
}

export function summarise(projects: readonly FleetProject[], broken = 0): FleetSummary {
  const summary: FleetSummary = { green: 0, yellow: 0, red: broken };
  for (const p of projects) for (const e of p.environments) for (const t of e.tenants) summary[t.colour]++;
  return summary;
}

/** "12 healthy · 3 warning · 1 action needed". */
export function summaryText(s: FleetSummary): string {
  return `${s.green} healthy · ${s.yellow} warning · ${s.red} action needed`;
}

export interface FleetFilter {
  /** Only projects where I am an approver or a recent author. */
  mine?: boolean;
  /** Only tiles that are not green (and the projects that have some). */
  problems?: boolean;
  /** Case-insensitive: a project's name or slug, an environment, a tenant, or a tile's sentence. */
  text?: string;
}

/** The projects and tiles a filter keeps; an environment column stays (possibly empty) so columns line up. */
export function filterFleet(fleet: Fleet, filter: FleetFilter): Fleet {
  const text = filter.text?.trim().toLowerCase() ?? '';
  const projects: FleetProject[] = [];
  for (const p of fleet.projects) {
    if (filter.mine && !p.mine) continue;
    const projectHit = text === '' || p.name.toLowerCase().includes(text) || p.slug.toLowerCase().includes(text);
    const keep = (t: FleetTile) =>
      (!filter.problems || t.colour !== 'green') &&
      (projectHit || t.environment.toLowerCase().includes(text) || t.tenant.toLowerCase().includes(text) || t.sentence.toLowerCase().includes(text));
    const environments = p.environments.map((e) => ({ ...e, tenants: e.tenants.filter(keep) }));
    if (environments.every((e) => e.tenants.length === 0)) continue;
    projects.push({ ...p, environments });
  }
  const broken = filter.mine ? [] : fleet.broken.filter((b) => text === '' || b.label.toLowerCase().includes(text));
  return { projects, broken, summary: summarise(projects, broken.length) };
}

/** The tiles that need action or warn, worst first: the status bar's tooltip. */
export function problems(fleet: Fleet): FleetTile[] {
  const tiles = fleet.projects.flatMap((p) => p.environments.flatMap((e) => e.tenants)).filter((t) => t.colour !== 'green');
  return tiles.sort((a, b) => RANK[b.colour] - RANK[a.colour]);
}
