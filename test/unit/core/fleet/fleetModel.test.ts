import * as assert from 'node:assert/strict';
import type { EnvironmentClusterStatus } from '../../../../src/core/cluster/environmentStatus';
import type { WorkloadHealth } from '../../../../src/core/cluster/workloadHealth';
import { computeFleet, filterFleet, fleetTile, isMine, problems, summaryText } from '../../../../src/core/fleet/fleetModel';
import type { FleetSources, RolloutObservation } from '../../../../src/core/fleet/types';
import type { Identity, Release } from '../../../../src/core/release/types';
import type { DeployState, Project } from '../../../../src/core/types';

const NOW = new Date('2026-11-26T12:00:00Z');
const DANA: Identity = { name: 'Dana', email: 'dana@example.com' };

function project(slug: string, name = slug, over: Partial<Project> = {}): Project {
  return {
    root: `/ws/${slug}`,
    manifestPath: `/ws/${slug}/gitopshq.yaml`,
    name,
    slug,
    environments: [
      { name: 'dev', approval: { required: 0, approvers: [], requesterCanApprove: false } },
      { name: 'staging', approval: { required: 1, approvers: ['team:sre'], requesterCanApprove: false } },
      { name: 'production', approval: { required: 2, approvers: ['lead@example.com'], requesterCanApprove: false } },
    ],
    tenants: ['acme', 'globex'],
    tenantsDeclared: true,
    teams: { sre: ['sam@example.com'] },
    variablesPath: `/ws/${slug}/.gitopshq/variables.yaml`,
    workloads: [
      { name: 'api', chart: 'charts/api', values: ['values/{env}/{workload}.yaml'], kube: { kind: 'Deployment', name: 'api', selector: {} } },
      { name: 'web', chart: 'charts/web', values: ['values/{env}/{workload}.yaml'], kube: { kind: 'Deployment', name: 'web', selector: {} } },
    ],
    ...over,
  };
}

function deployed(sha: string, drift: string[] = [], authorEmail = 'omar@example.com', date = new Date('2026-11-25T10:00:00Z')): DeployState {
  return {
    kind: 'deployed',
    deployed: { branch: 'b', sha, shortSha: sha.slice(0, 7), authorName: 'Omar', authorEmail, date, subject: 'Deploy' },
    drift,
  };
}

function workload(name: string, over: Partial<WorkloadHealth> = {}): WorkloadHealth {
  return { kind: 'Deployment', name, desired: 2, ready: 2, updated: 2, available: 2, health: 'healthy', images: [], pods: [], ...over };
}

function cluster(workloads: WorkloadHealth[], over: Partial<EnvironmentClusterStatus> = {}): EnvironmentClusterStatus {
  return { connection: 'connected', context: 'kind-dev', synced: true, workloads, colour: 'green', causes: [], ...over };
}

function release(over: Partial<Release>): Release {
  return {
    apiVersion: 'gitopshq.io/v1alpha1',
    kind: 'Release',
    id: 'rel_01JDX4V6Q8K7E3M2N1P0R9S8T7',
    title: 'Bump api',
    notes: 'n',
    environment: 'staging',
    tenants: ['acme'],
    changes: [],
    base: null,
    head: 'h'.repeat(40),
    policy: { required: 1, approvers: ['team:sre'], requesterCanApprove: false },
    createdBy: DANA,
    createdAt: '2026-11-25T10:00:00Z',
    state: 'pending_approval',
    approvals: [],
    history: [{ state: 'pending_approval', at: '2026-11-25T10:00:00Z', by: DANA }],
    deploy: { commit: null, at: null },
    ...over,
  };
}

/** Sources where every tile is green unless a test says otherwise. */
function sources(over: Partial<FleetSources> & { states?: Record<string, DeployState>; clusters?: Record<string, EnvironmentClusterStatus>; errors?: Record<string, string[]> } = {}): FleetSources {
  const key = (s: string, e: string, t: string) => `${s}/${e}/${t}`;
  return {
    projects: [project('shop', 'Shop')],
    deployState: (s, e, t) => over.states?.[key(s, e, t)] ?? deployed('a'.repeat(40)),
    workloadErrors: (s, e, t) => over.errors?.[key(s, e, t)] ?? [],
    bound: (p) => p.workloads.map((w) => w.name),
    cluster: (p, e, t) => over.clusters?.[key(p.slug, e, t)] ?? cluster([workload('api'), workload('web')]),
    releases: () => [],
    mayApprove: () => false,
    identity: () => DANA,
    now: NOW,
    ...over,
  };
}

function tile(s: FleetSources, environment = 'staging', tenant = 'acme') {
  return fleetTile(s, s.projects[0]!, environment, tenant);
}

describe('fleet model', () => {
  describe('colours and reasons', () => {
    it('is green without any release history when in sync, resolved and healthy, and says so', () => {
      const t = tile(sources());
      assert.equal(t.colour, 'green');
      assert.deepEqual(t.reasons, []);
      assert.equal(t.sentence, 'In sync with main · 2 workloads healthy');
      assert.equal(t.connection, 'connected');
      assert.equal(t.deployed?.shortCommit, 'aaaaaaa');
      assert.equal(t.deployed?.age, '1 day ago');
      assert.equal(t.deployed?.release, undefined);
    });

    it('drift is a warning that says how many changes are not deployed', () => {
      const t = tile(sources({ states: { 'shop/staging/acme': deployed('a'.repeat(40), ['values/staging/api.yaml', 'charts/api/values.yaml']) } }));
      assert.equal(t.colour, 'yellow');
      assert.equal(t.drift, 2);
      assert.equal(t.sentence, '2 changes not deployed');
      assert.deepEqual(t.driftPaths, ['values/staging/api.yaml', 'charts/api/values.yaml']);
    });

    it('unresolved values need action and name the workload', () => {
      const t = tile(sources({ errors: { 'shop/staging/acme': ['api'] } }));
      assert.equal(t.colour, 'red');
      assert.match(t.sentence, /^api has values that do not resolve/);
      assert.deepEqual(t.unresolved, ['api']);
    });

    it('never deployed warns and names the branch; a Git error needs action', () => {
      const never = tile(sources({ states: { 'shop/staging/acme': { kind: 'never-deployed' } } }));
      assert.equal(never.colour, 'yellow');
      assert.equal(never.git, 'never-deployed');
      assert.equal(never.sentence, 'Never deployed (no branch gitopshq/deployed/acme/staging)');
      const broken = tile(sources({ states: { 'shop/staging/acme': { kind: 'error', message: 'bad object HEAD' } } }));
      assert.equal(broken.colour, 'red');
      assert.equal(broken.sentence, 'Git could not be read: bad object HEAD');
    });

    it('a crash-looping workload needs action and names the pod reason', () => {
      const crashing = workload('web', { health: 'degraded', reason: 'CrashLoopBackOff', ready: 0, pod: 'web-5d9f-x2', container: 'web', message: 'back-off restarting' });
      const t = tile(sources({ clusters: { 'shop/staging/acme': cluster([workload('api'), crashing]) } }));
      assert.equal(t.colour, 'red');
      assert.equal(t.sentence, 'web: CrashLoopBackOff (pod web-5d9f-x2, container web)');
      assert.deepEqual(t.unhealthy, [{ workload: 'web', colour: 'red', reason: 'CrashLoopBackOff', message: 'back-off restarting' }]);
    });

    it('a rollout, fewer ready, a recent restart and a missing object warn', () => {
      const cases: [Partial<WorkloadHealth>, string][] = [
        [{ health: 'progressing', reason: 'RolloutInProgress', ready: 1 }, 'api is rolling out (1/2 ready)'],
        [{ health: 'progressing', reason: 'FewerReady', ready: 1 }, 'api: 1 of 2 ready'],
        [{ health: 'healthy', reason: 'RecentRestarts', pod: 'api-1' }, 'api restarted in the last 10 minutes (pod api-1)'],
        [{ health: 'missing', reason: 'NotFound', ready: 0, desired: 0 }, 'api is not in the cluster'],
      ];
      for (const [over, sentence] of cases) {
        const t = tile(sources({ clusters: { 'shop/staging/acme': cluster([workload('api', over), workload('web')]) } }));
        assert.equal(t.colour, 'yellow', sentence);
        assert.equal(t.sentence, sentence);
      }
      const none = tile(sources({ clusters: { 'shop/staging/acme': cluster([workload('api', { health: 'degraded', reason: 'NoReadyReplicas', ready: 0 })]) } }));
      assert.equal(none.colour, 'red');
      assert.equal(none.sentence, 'api: none of 2 ready');
    });

    it('a cluster that cannot be asked warns with its words and context; one still connecting adds nothing', () => {
      const down = tile(sources({ clusters: { 'shop/staging/acme': cluster([], { connection: 'unreachable', context: 'staging-eu', synced: false }) } }));
      assert.equal(down.colour, 'yellow');
      assert.equal(down.connection, 'unreachable');
      assert.equal(down.sentence, 'Cluster unreachable (context staging-eu)');
      const connecting = tile(sources({ clusters: { 'shop/staging/acme': cluster([workload('api', { health: 'unknown', reason: 'NotSynced' })], { synced: false }) } }));
      assert.equal(connecting.colour, 'green');
      assert.equal(connecting.connection, 'unknown');
      assert.equal(connecting.sentence, 'In sync with main · cluster not asked yet');
      const notAsked = tile({ ...sources(), cluster: () => undefined });
      assert.equal(notAsked.connection, 'unknown');
    });

    it('pending approvals warn and say whether they wait for you', () => {
      const pending = [release({ id: 'rel_1' }), release({ id: 'rel_2', tenants: [] }), release({ id: 'rel_3', tenants: ['globex'] })];
      const t = tile(sources({ releases: () => pending, mayApprove: (_s, r) => r.id === 'rel_1' }));
      assert.equal(t.colour, 'yellow');
      assert.equal(t.pendingApprovals, 2, 'rel_3 is for globex only');
      assert.equal(t.mayApprove, 1);
      assert.equal(t.sentence, '2 releases wait for approval (1 for yours)');
      const mine = tile(sources({ releases: () => [pending[0]!], mayApprove: () => true }));
      assert.equal(mine.sentence, '1 release waits for your approval');
      const others = tile(sources({ releases: () => [pending[0]!] }));
      assert.equal(others.sentence, '1 release waits for approval');
      assert.deepEqual(tile(sources({ releases: () => pending }), 'production').releases, [], 'another environment');
    });

    it('a deploying release warns; a failed one needs action until a later deploy replaces it', () => {
      const deploying = tile(sources({ releases: () => [release({ state: 'deploying', title: 'Bump api' })] }));
      assert.equal(deploying.colour, 'yellow');
      assert.equal(deploying.sentence, 'Release “Bump api” is being deployed');
      const failedRelease = release({
        state: 'failed',
        history: [{ state: 'failed', at: '2026-11-25T12:00:00Z', by: DANA, comment: 'push rejected' }],
      });
      const failed = tile(sources({ releases: () => [failedRelease] }));
      assert.equal(failed.colour, 'red');
      assert.equal(failed.sentence, 'Release “Bump api” failed: push rejected');
      const later = tile(sources({ releases: () => [failedRelease], states: { 'shop/staging/acme': deployed('b'.repeat(40), [], 'x@example.com', new Date('2026-11-26T09:00:00Z')) } }));
      assert.equal(later.colour, 'green');
    });

    it('the timeline seam: a rollout under way warns, a failed one needs action with its reason', () => {
      const seen: RolloutObservation[] = [
        { phase: 'in_progress', release: { id: 'rel_1', title: 'Bump api' } },
        { phase: 'failed', release: { id: 'rel_1' }, failure: { reason: 'ProgressDeadlineExceeded', pod: 'api-1' } },
        { phase: 'healthy' },
      ];
      const [progress, failed, healthy] = seen.map((r) => tile(sources({ rollout: () => r })));
      assert.equal(progress!.colour, 'yellow');
      assert.equal(progress!.sentence, 'Release “Bump api” is rolling out in the cluster');
      assert.equal(failed!.colour, 'red');
      assert.equal(failed!.sentence, 'Release “rel_1” failed in the cluster: ProgressDeadlineExceeded in pod api-1');
      assert.equal(healthy!.colour, 'green');
    });

    it('names the release the deployed branch carries, and a freeze without changing the colour', () => {
      const sha = 'c'.repeat(40);
      const done = release({ id: 'rel_9', title: 'Onboard acme', state: 'deployed', deploy: { commit: null, at: null, commits: { acme: sha } } });
      const frozen = project('shop', 'Shop');
      frozen.environments[1]!.freeze = { reason: 'Peak season', until: '2026-12-02T00:00:00Z' };
      const t = tile(sources({ projects: [frozen], releases: () => [done], states: { 'shop/staging/acme': deployed(sha) } }));
      assert.deepEqual(t.deployed?.release, { id: 'rel_9', title: 'Onboard acme' });
      assert.deepEqual(t.frozen, { reason: 'Peak season', until: '2026-12-02T00:00:00Z' });
      assert.equal(t.colour, 'green');
      const thawed = project('shop', 'Shop');
      thawed.environments[1]!.freeze = { reason: 'Old', until: '2026-01-01T00:00:00Z' };
      assert.equal(tile(sources({ projects: [thawed] })).frozen, undefined);
    });

    it('orders reasons worst first and joins them in one sentence', () => {
      const crashing = workload('web', { health: 'degraded', reason: 'CrashLoopBackOff', ready: 0 });
      const t = tile(
        sources({
          states: { 'shop/staging/acme': deployed('a'.repeat(40), ['x', 'y']) },
          clusters: { 'shop/staging/acme': cluster([crashing]) },
          releases: () => [release({})],
          mayApprove: () => true,
        }),
      );
      assert.equal(t.colour, 'red');
      assert.deepEqual(t.reasons.map((r) => r.kind), ['workload', 'drift', 'approval']);
      assert.equal(t.sentence, 'web: CrashLoopBackOff · 2 changes not deployed · 1 release waits for your approval');
    });
  });

  describe('the fleet', () => {
    it('rows by project name, columns in promotion order, tenants as declared, with a summary', () => {
      const s = sources({
        projects: [project('zeta', 'Zeta'), project('alpha', 'Alpha', { tenants: ['default'], tenantsDeclared: false })],
        states: { 'zeta/dev/globex': { kind: 'never-deployed' } },
        errors: { 'alpha/production/default': ['api'] },
      });
      const fleet = computeFleet(s);
      assert.deepEqual(fleet.projects.map((p) => p.slug), ['alpha', 'zeta']);
      assert.deepEqual(fleet.projects[1]!.environments.map((e) => e.name), ['dev', 'staging', 'production']);
      assert.deepEqual(fleet.projects[1]!.environments[0]!.tenants.map((t) => t.tenant), ['acme', 'globex']);
      assert.equal(fleet.projects[0]!.colour, 'red');
      assert.equal(fleet.projects[1]!.colour, 'yellow');
      assert.deepEqual(fleet.summary, { green: 7, yellow: 1, red: 1 });
      assert.equal(summaryText(fleet.summary), '7 healthy · 1 warning · 1 action needed');
      assert.deepEqual(problems(fleet).map((t) => t.id), ['alpha/production/default', 'zeta/dev/globex']);
    });

    it('counts a broken manifest as needing action', () => {
      const fleet = computeFleet({ ...sources(), broken: [{ manifestPath: '/ws/x/gitopshq.yaml', label: 'x', errors: 2 }] });
      assert.equal(fleet.summary.red, 1);
      assert.equal(fleet.summary.green, 6);
    });

    it('filters: only problems, text search (project, environment, tenant, sentence)', () => {
      const s = sources({
        projects: [project('shop', 'Shop'), project('ledger', 'Ledger')],
        states: { 'shop/staging/globex': deployed('a'.repeat(40), ['x']) },
      });
      const fleet = computeFleet(s);
      const onlyProblems = filterFleet(fleet, { problems: true });
      assert.deepEqual(onlyProblems.projects.map((p) => p.slug), ['shop']);
      assert.deepEqual(onlyProblems.projects[0]!.environments.map((e) => e.tenants.map((t) => t.id)), [[], ['shop/staging/globex'], []]);
      assert.deepEqual(onlyProblems.summary, { green: 0, yellow: 1, red: 0 });
      assert.deepEqual(filterFleet(fleet, { text: 'LEDG' }).projects.map((p) => p.slug), ['ledger']);
      assert.equal(filterFleet(fleet, { text: 'not deployed' }).summary.yellow, 1);
      assert.equal(filterFleet(fleet, { text: 'globex' }).summary.green, 5);
      assert.deepEqual(filterFleet(fleet, { text: 'nothing like this' }).projects, []);
    });
  });

  describe('"only mine"', () => {
    const base = sources();
    it('an approver of one environment, directly or through a team', () => {
      const p = project('shop');
      assert.equal(isMine(p, [], { ...base, identity: () => ({ name: 'Sam', email: 'SAM@example.com' }) }), true);
      assert.equal(isMine(p, [], { ...base, identity: () => ({ name: 'L', email: 'lead@example.com' }) }), true);
    });

    it('a recent author of a release, an approval or a deployed commit; not an old one, not nobody', () => {
      const p = project('shop');
      const states = (email: string, date: Date) => () => deployed('a'.repeat(40), [], email, date);
      assert.equal(isMine(p, [release({})], base), true, 'Dana created a release yesterday');
      assert.equal(isMine(p, [release({ createdAt: '2026-01-01T00:00:00Z' })], base), false, 'long ago');
      const approved = release({ createdBy: { name: 'O', email: 'o@example.com' }, approvals: [{ by: DANA, decision: 'approve', at: '2026-11-20T00:00:00Z', comment: '' }] });
      assert.equal(isMine(p, [approved], base), true);
      assert.equal(isMine(p, [], { ...base, deployState: states('dana@example.com', new Date('2026-11-20T00:00:00Z')) }), true);
      assert.equal(isMine(p, [], { ...base, deployState: states('dana@example.com', new Date('2026-09-01T00:00:00Z')) }), false);
      assert.equal(isMine(p, [release({})], { ...base, identity: () => undefined }), false);
    });

    it('filters the fleet to my projects', () => {
      const s = sources({ projects: [project('shop', 'Shop'), project('other', 'Other', { environments: [{ name: 'dev', approval: { required: 0, approvers: [], requesterCanApprove: false } }] })], identity: () => ({ name: 'Sam', email: 'sam@example.com' }) });
      assert.deepEqual(filterFleet(computeFleet(s), { mine: true }).projects.map((p) => p.slug), ['shop']);
    });
  });
});
