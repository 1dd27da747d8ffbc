// The fleet model (issue 14) on 50 projects × 5 environments × 4 tenants (1,000 tiles), each tile with
// 6 bound workloads in a connected cluster (one in ten crash-looping, one in ten rolling out), drift on
// a third of them and 10 releases per project: the whole fleet, and one tile again (a live update).
// Budget from the issue: the fleet model ≤ 100 ms.
import type { EnvironmentClusterStatus } from '../../src/core/cluster/environmentStatus';
import type { WorkloadHealth } from '../../src/core/cluster/workloadHealth';
import { computeFleet, fleetTile } from '../../src/core/fleet/fleetModel';
import type { FleetSources } from '../../src/core/fleet/types';
import type { Release } from '../../src/core/release/types';
import type { DeployState, Project } from '../../src/core/types';
import type { BenchResult } from './projectIndex.bench';
import { median, round } from './stats';

const ENVIRONMENTS = ['dev', 'qa', 'staging', 'preprod', 'production'];
const TENANTS = ['acme', 'globex', 'initech', 'umbrella'];
const WORKLOADS = ['api', 'web', 'worker', 'cron', 'gateway', 'ledger'];

function projects(): Project[] {
  return Array.from({ length: 50 }, (_, i) => ({
    root: `/ws/p${i}`,
    manifestPath: `/ws/p${i}/gitopshq.yaml`,
    name: `Project ${String(i).padStart(2, '0')}`,
    slug: `project-${i}`,
    environments: ENVIRONMENTS.map((name, e) => ({ name, approval: { required: e, approvers: ['team:sre', 'lead@example.com'], requesterCanApprove: false } })),
    tenants: TENANTS,
    tenantsDeclared: true,
    teams: { sre: ['sam@example.com', 'sue@example.com'] },
    variablesPath: `/ws/p${i}/.gitopshq/variables.yaml`,
    workloads: WORKLOADS.map((name) => ({ name, chart: `charts/${name}`, values: ['values/{env}/{workload}.yaml'], kube: { kind: 'Deployment' as const, name, selector: {} } })),
  }));
}

function sources(list: Project[]): FleetSources {
  let n = 0;
  const states = new Map<string, DeployState>();
  const clusters = new Map<string, EnvironmentClusterStatus>();
  for (const p of list) {
    for (const env of p.environments) {
      for (const tenant of p.tenants) {
        const k = `${p.slug}/${env.name}/${tenant}`;
        const i = n++;
        states.set(k, {
          kind: 'deployed',
          deployed: { branch: `gitopshq/deployed/${tenant}/${env.name}`, sha: `${i}`.padStart(40, 'a'), shortSha: 'aaaaaaa', authorName: 'Omar', authorEmail: 'omar@example.com', date: new Date(Date.now() - i * 60_000), subject: 'Deploy' },
          drift: i % 3 === 0 ? ['values/a.yaml', 'values/b.yaml'] : [],
        });
        const workloads: WorkloadHealth[] = WORKLOADS.map((name, w) => {
          const base: WorkloadHealth = { kind: 'Deployment', name, desired: 3, ready: 3, updated: 3, available: 3, health: 'healthy', images: [], pods: [] };
          if (w === 0 && i % 10 === 0) return { ...base, health: 'degraded', reason: 'CrashLoopBackOff', ready: 0, pod: `${name}-x`, container: name };
          if (w === 1 && i % 10 === 5) return { ...base, health: 'progressing', reason: 'RolloutInProgress', ready: 2 };
          return base;
        });
        clusters.set(k, { connection: 'connected', context: env.name, synced: true, workloads, colour: 'green', causes: [] });
      }
    }
  }
  const releases = new Map<string, Release[]>(
    list.map((p) => [
      p.slug,
      Array.from({ length: 10 }, (_, r) => ({
        apiVersion: 'gitopshq.io/v1alpha1',
        kind: 'Release',
        id: `rel_${p.slug}_${r}`,
        title: `Release ${r}`,
        notes: 'n',
        environment: ENVIRONMENTS[r % ENVIRONMENTS.length]!,
        tenants: [TENANTS[r % TENANTS.length]!],
        changes: [],
        base: null,
        head: 'h',
        policy: { required: 1, approvers: ['team:sre'], requesterCanApprove: false },
        createdBy: { name: 'Dana', email: 'dana@example.com' },
        createdAt: new Date(Date.now() - r * 3_600_000).toISOString(),
        state: r % 3 === 0 ? 'pending_approval' : 'deployed',
        approvals: [],
        history: [],
        deploy: { commit: null, at: null },
      })),
    ]),
  );
  return {
    projects: list,
    deployState: (s, e, t) => states.get(`${s}/${e}/${t}`),
    workloadErrors: () => [],
    bound: (p) => p.workloads.map((w) => w.name),
    cluster: (p, e, t) => clusters.get(`${p.slug}/${e}/${t}`),
    releases: (slug) => releases.get(slug) ?? [],
    mayApprove: (_slug, r) => r.createdBy.email !== 'sam@example.com',
    identity: () => ({ name: 'Sam', email: 'sam@example.com' }),
    now: new Date(),
  };
}

export function run(): Promise<BenchResult[]> {
  const list = projects();
  const s = sources(list);
  const whole: number[] = [];
  const one: number[] = [];
  let tiles = 0;
  for (let i = 0; i < 21; i++) {
    let started = performance.now();
    const fleet = computeFleet(s);
    whole.push(performance.now() - started);
    tiles = fleet.summary.green + fleet.summary.yellow + fleet.summary.red;
    started = performance.now();
    fleetTile(s, list[i % list.length]!, 'staging', 'globex');
    one.push(performance.now() - started);
  }
  if (tiles !== 1000) throw new Error(`fleet bench: expected 1,000 tiles, got ${tiles}`);
  return Promise.resolve([
    // The first computation pays for the JIT (what the first open of the dashboard meets): its own, looser budget.
    { name: 'fleet.model.1000tiles.first', value: round(whole[0]!), unit: 'ms', budget: 250 },
    { name: 'fleet.model.1000tiles', value: round(median(whole)), unit: 'ms', budget: 100 },
    { name: 'fleet.model.oneTile', value: round(median(one)), unit: 'ms', budget: 5 },
  ]);
}
