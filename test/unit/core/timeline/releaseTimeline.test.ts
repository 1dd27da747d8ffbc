import * as assert from 'node:assert/strict';
import type { ScopeSnapshot } from '../../../../src/core/cluster/connections';
import type { Release } from '../../../../src/core/release/types';
import { combine, liveRelease, releaseTimeline, type WorkloadTimeline } from '../../../../src/core/timeline/releaseTimeline';
import { deployedReleases, releaseWorkloads, supersededAt } from '../../../../src/core/timeline/releaseSelection';
import type { Timeline } from '../../../../src/core/timeline/types';
import type { Project, Workload } from '../../../../src/core/types';
import { sequence, type RecordedSnapshot } from '../cluster/fixtures';
import { C2, history, input, release, story, timeline } from './support';

const rollout = sequence('timeline-rollout.json');
const badImage = sequence('timeline-bad-image.json');

const storefront: Workload = { name: 'storefront', chart: 'charts/storefront', values: [], kube: { kind: 'Deployment', name: 'storefront', selector: { 'app.kubernetes.io/name': 'storefront' } } };
const worker: Workload = { name: 'worker', chart: 'charts/worker', values: [], kube: { kind: 'Deployment', name: 'worker', selector: { 'app.kubernetes.io/name': 'worker' } } };
const project = {
  slug: 'shop',
  tenants: ['acme'],
  environments: [{ name: 'production', cluster: { namespace: 'shop-{tenant}' } }],
  workloads: [storefront, worker],
} as unknown as Pick<Project, 'slug' | 'tenants' | 'environments' | 'workloads'>;

function scope(s: RecordedSnapshot, argo = true): ScopeSnapshot {
  const { applications, ...rest } = s;
  return { context: 'prod', namespace: 'shop-acme', connection: 'connected', synced: true, ...rest, ...(argo ? { applications } : {}) };
}

describe('releaseTimeline: a release over its workloads', () => {
  it('one workload: the same story as the core timeline, from the scope snapshot', () => {
    const s = rollout[rollout.length - 1]!;
    const t = releaseTimeline({ project, release: release(), tenant: 'acme', workloads: [storefront], snapshot: scope(s), imageTag: () => '3.2.0', isAncestor: history, now: s.at });
    const single = timeline(input(s, { applications: s.applications }));
    assert.equal(t.phase, single.phase);
    assert.deepEqual(t.reached, single.reached);
    assert.deepEqual(t.workloads.map((w) => w.workload), ['storefront']);
    assert.equal(t.events.length, single.events.length);
    assert.ok(t.events.every((e) => e.workload === 'storefront'));
  });

  it('a workload not in the cluster holds the release back: In Progress when Argo CD synced it, else Pending', () => {
    const s = rollout[rollout.length - 1]!;
    const args = { project, release: release(), tenant: 'acme', workloads: [storefront, worker], imageTag: () => '3.2.0', isAncestor: history, now: s.at };
    const synced = releaseTimeline({ ...args, snapshot: scope(s) });
    assert.equal(synced.phase, 'in_progress');
    assert.deepEqual(synced.workloads.map((w) => [w.workload, w.timeline.recognition.by]), [['storefront', 'argo'], ['worker', 'argo']]);
    const noArgo = releaseTimeline({ ...args, snapshot: scope(s, false) });
    assert.equal(noArgo.phase, 'pending');
    assert.deepEqual(noArgo.reached.map((r) => r.phase), ['pending']);
    assert.deepEqual(noArgo.workloads.map((w) => [w.workload, w.timeline.recognition.running]), [['storefront', true], ['worker', false]]);
  });

  it('Failed as soon as one workload failed, with its pod, reason and name', () => {
    const s = badImage[badImage.length - 1]!;
    const t = releaseTimeline({ project, release: release(), tenant: 'acme', workloads: [storefront], snapshot: scope(s), imageTag: () => '3.2.0', isAncestor: history, now: s.at });
    assert.equal(t.phase, 'failed');
    assert.equal(t.failure?.workload, 'storefront');
    assert.match(t.failure?.reason ?? '', /ImagePullBackOff|ErrImagePull/);
    assert.match(t.failure?.pod ?? '', /^storefront-/);
  });

  it('superseded: marked, and the phases stop at the later deploy', () => {
    const s = rollout[rollout.length - 1]!;
    const t = releaseTimeline({ project, release: release(), tenant: 'acme', workloads: [storefront], snapshot: scope(s), imageTag: () => '3.2.0', isAncestor: history, now: s.at, supersededAt: '2026-03-02T10:00:30Z' });
    assert.equal(t.superseded, true);
    assert.ok(t.reached.every((r) => Date.parse(r.at) < Date.parse('2026-03-02T10:00:30Z')), JSON.stringify(t.reached));
  });
});

describe('combine: one story from several workloads', () => {
  const step = (phase: Timeline['phase'], at: string, detail: string = phase) => ({ phase, at, detail });
  const w = (workload: string, reached: ReturnType<typeof step>[], failure?: Timeline['failure']): WorkloadTimeline => ({
    workload,
    timeline: {
      phase: reached[reached.length - 1]!.phase,
      reached,
      superseded: false,
      recognition: { running: true, detail: '' },
      pods: { current: [], old: [] },
      events: [],
      ...(failure ? { failure } : {}),
    },
  });

  it('the least advanced phase, each phase dated when the last workload reached it', () => {
    const t = combine(
      [
        w('api', [step('pending', '2026-03-02T10:00:00Z'), step('in_progress', '2026-03-02T10:00:05Z'), step('deployed', '2026-03-02T10:01:00Z'), step('healthy', '2026-03-02T10:01:30Z')]),
        w('web', [step('pending', '2026-03-02T10:00:00Z'), step('in_progress', '2026-03-02T10:00:09Z', '1/2 updated')]),
      ],
      false,
      '2026-03-02T10:00:00Z',
    );
    assert.equal(t.phase, 'in_progress');
    assert.deepEqual(t.reached.map((r) => `${r.phase}@${r.at.slice(11)} ${r.detail}`), ['pending@10:00:00Z web: pending', 'in_progress@10:00:09Z web: 1/2 updated']);
  });

  it('Failed ends the story, dated no earlier than the phase before it', () => {
    const t = combine(
      [
        w('api', [step('pending', '2026-03-02T10:00:00Z'), step('in_progress', '2026-03-02T10:00:20Z')]),
        w('web', [step('pending', '2026-03-02T10:00:00Z'), step('in_progress', '2026-03-02T10:00:05Z'), step('failed', '2026-03-02T10:00:10Z', 'pod web-1 CrashLoopBackOff')], { reason: 'CrashLoopBackOff', pod: 'web-1' }),
      ],
      false,
      '2026-03-02T10:00:00Z',
    );
    assert.equal(t.phase, 'failed');
    assert.deepEqual(t.failure, { reason: 'CrashLoopBackOff', pod: 'web-1', workload: 'web' });
    const last = t.reached[t.reached.length - 1]!;
    assert.equal(last.phase, 'failed');
    assert.equal(last.at, '2026-03-02T10:00:20Z');
    assert.equal(last.detail, 'web: pod web-1 CrashLoopBackOff');
  });

  it('no workload: Pending at the deploy time, saying why', () => {
    const t = combine([], false, '2026-03-02T10:00:00Z');
    assert.deepEqual(t.reached, [{ phase: 'pending', at: '2026-03-02T10:00:00Z', detail: 'no workload of the release runs in this environment' }]);
  });
});

describe('release selection', () => {
  const r = (id: string, at: string | null, extra: Partial<Release> = {}): Release =>
    ({ id, environment: 'production', tenants: ['acme', 'globex'], state: at ? 'deployed' : 'approved', changes: [{ path: 'values/production/storefront.yaml', workload: 'storefront', blob: 'a1' }], deploy: { commit: at ? C2 : null, at }, ...extra }) as Release;

  it('the workloads a release deploys: those its changes name, every bound one for a project-wide change', () => {
    const bound = (name: string) => name !== 'worker';
    assert.deepEqual(releaseWorkloads(project, r('rel_1', null), bound).map((w) => w.name), ['storefront']);
    const wide = r('rel_2', null, { changes: [{ path: '.gitopshq/variables.yaml', blob: 'b2' }] });
    assert.deepEqual(releaseWorkloads(project, wide, () => true).map((w) => w.name), ['storefront', 'worker']);
    assert.deepEqual(releaseWorkloads(project, wide, bound).map((w) => w.name), ['storefront']);
  });

  it('superseded by the first later deploy of the same environment and tenant', () => {
    const first = r('rel_1', '2026-03-02T10:00:00Z');
    const later = r('rel_2', '2026-03-02T11:00:00Z');
    const latest = r('rel_3', '2026-03-02T12:00:00Z');
    const otherTenant = r('rel_4', '2026-03-02T10:30:00Z', { tenants: ['globex'] });
    const otherEnv = r('rel_5', '2026-03-02T10:20:00Z', { environment: 'staging' });
    const all = [first, later, latest, otherTenant, otherEnv];
    assert.equal(supersededAt(first, 'acme', all), '2026-03-02T11:00:00Z');
    assert.equal(supersededAt(first, 'globex', all), '2026-03-02T10:30:00Z');
    assert.equal(supersededAt(latest, 'acme', all), undefined);
    assert.equal(supersededAt(r('rel_6', null), 'acme', all), undefined, 'not deployed: nothing supersedes it');
  });

  it('deployed releases of (environment, tenant), latest first, narrowed to a workload', () => {
    const all = [r('rel_1', '2026-03-02T10:00:00Z'), r('rel_2', '2026-03-02T11:00:00Z'), r('rel_3', null), r('rel_4', '2026-03-02T12:00:00Z', { changes: [{ path: 'values/production/worker.yaml', workload: 'worker', blob: 'c3' }] })];
    assert.deepEqual(deployedReleases(all, 'production', 'acme').map((x) => x.id), ['rel_4', 'rel_2', 'rel_1']);
    assert.deepEqual(deployedReleases(all, 'production', 'acme', 'storefront').map((x) => x.id), ['rel_2', 'rel_1']);
    assert.deepEqual(deployedReleases(all, 'staging', 'acme'), []);
  });
});

describe('liveRelease: a workload without a deployed release', () => {
  it('is dated by its newest ReplicaSet and recognised by its own image tag and revision', () => {
    const s = rollout[rollout.length - 1]!;
    const object = s.deployments[0]!;
    const live = liveRelease('production', object, s);
    assert.ok(live);
    assert.equal(live.release.deploy.at, '2026-03-02T10:00:21Z');
    assert.equal(live.imageTag, '3.2.0');
    assert.equal(live.release.deploy.commit, object.metadata.annotations?.['gitopshq.io/revision'] ?? null);
    const t = timeline({ ...input(s), release: live.release, imageTag: live.imageTag });
    assert.equal(t.recognition.running, true);
    assert.ok(story(t).length >= 2, story(t).join('\n'));
  });

  it('is absent when the workload is not in the cluster', () => {
    assert.equal(liveRelease('production', undefined, rollout[0]!), undefined);
  });
});
