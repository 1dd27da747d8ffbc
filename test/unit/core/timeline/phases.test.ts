import * as assert from 'node:assert/strict';
import type { KubeKind } from '../../../../src/core/types';
import type { Pod } from '../../../../src/core/cluster/kubeTypes';
import { GitOpsHqError } from '../../../../src/core/errors';
import type { Timeline } from '../../../../src/core/timeline/types';
import { observation, recorded, sequence } from '../cluster/fixtures';
import { C2, C3, history, input, release, story, timeline } from './support';

const HOUR = 3600_000;
const rollout = sequence('timeline-rollout.json');
const badImage = sequence('timeline-bad-image.json');
const deadline = sequence('timeline-deadline.json');
const [supersededSnapshot] = sequence('timeline-superseded.json');
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Each snapshot of a sequence in turn, each computation given the one before, as the panel does. */
function live(snapshots: typeof rollout, extra: Parameters<typeof input>[1] = {}): Timeline[] {
  const out: Timeline[] = [];
  for (const s of snapshots) out.push(timeline(input(s, { ...extra, previous: out[out.length - 1] })));
  return out;
}

describe('timeline: phases of a Deployment rollout (recorded in 5 snapshots)', () => {
  const PENDING = 'pending@10:00:00Z: deploy commit 1a410ef';

  it('Pending while the cluster still runs the previous release (annotation 9fceb02, image 3.1.0)', () => {
    const t = timeline(input(rollout[0]!));
    assert.equal(t.phase, 'pending');
    assert.deepEqual(story(t), [PENDING]);
    assert.equal(t.recognition.running, false);
    assert.deepEqual(t.pods.current, []);
    assert.deepEqual(t.pods.old.map((p) => p.name), ['storefront-6f8b7c9d4-b8kqz', 'storefront-6f8b7c9d4-h2nvw', 'storefront-6f8b7c9d4-r6tzm']);
  });

  it('In Progress once the object carries the release, before the controller observed it', () => {
    const t = timeline(input(rollout[1]!));
    assert.equal(t.phase, 'in_progress');
    assert.deepEqual(story(t), [PENDING, 'in_progress@10:00:00Z: generation 7 not observed yet']);
    assert.deepEqual(t.recognition, { running: true, by: 'annotation', detail: 'gitopshq.io/revision 1a410ef' });
  });

  it('In Progress is dated by the new ReplicaSet, not by the Progressing condition lastTransitionTime (Feb 20)', () => {
    const s = rollout[2]!;
    const progressing = s.deployments[0]!.status!.conditions!.find((c) => c.type === 'Progressing')!;
    assert.equal(progressing.lastTransitionTime, '2026-02-20T09:00:30Z');
    const t = timeline(input(s));
    assert.deepEqual(story(t), [PENDING, 'in_progress@10:00:21Z: generation 7 observed, 2/3 updated']);
    assert.deepEqual(t.pods.current.map((p) => [p.name, p.ready]), [['storefront-7d9c5b8f6-m7r4t', false], ['storefront-7d9c5b8f6-xk2p9', true]]);
    assert.equal(t.pods.old.length, 3);
    assert.equal(t.pods.old.find((p) => p.name.endsWith('r6tzm'))?.terminating, true);
  });

  it('without the new ReplicaSet, the Progressing condition lastUpdateTime with reason ReplicaSetUpdated dates it', () => {
    const s = copy(rollout[2]!);
    s.replicaSets = s.replicaSets.filter((rs) => rs.metadata.name !== 'storefront-7d9c5b8f6');
    s.pods = s.pods.filter((p) => !p.metadata.name!.startsWith('storefront-7d9c5b8f6'));
    assert.deepEqual(story(timeline(input(s))).slice(1), ['in_progress@10:00:34Z: generation 7 observed, 2/3 updated']);
  });

  it('Deployed when all 3 are updated and available and the old ReplicaSet is gone, at the condition NewReplicaSetAvailable', () => {
    const t = timeline(input(rollout[3]!));
    assert.equal(t.phase, 'deployed');
    assert.deepEqual(story(t).slice(2), ['deployed@10:01:05Z: 3/3 available']);
    // An old pod still terminating is listed until Healthy.
    assert.deepEqual(t.pods.old.map((p) => [p.name, p.terminating]), [['storefront-6f8b7c9d4-b8kqz', true]]);
  });

  it('Healthy 30 s after Deployed; a readiness Warning before Deployed does not count; only the new pods are listed', () => {
    const t = timeline(input(rollout[4]!));
    assert.equal(t.phase, 'healthy');
    assert.deepEqual(story(t), [
      PENDING,
      'in_progress@10:00:21Z: generation 7 observed, 3/3 updated',
      'deployed@10:01:05Z: 3/3 available',
      'healthy@10:01:35Z: no restarts for 30 s',
    ]);
    assert.ok(t.events.some((e) => e.type === 'Warning' && e.reason === 'Unhealthy' && e.object === 'Pod/storefront-7d9c5b8f6-xk2p9'));
    assert.deepEqual(t.pods.current.map((p) => p.name), ['storefront-7d9c5b8f6-m7r4t', 'storefront-7d9c5b8f6-p4w8d', 'storefront-7d9c5b8f6-xk2p9']);
    assert.deepEqual(t.pods.old, []);
  });

  it('the window is a setting: 90 s is not over at 10:02:00, 10 s is', () => {
    assert.equal(timeline(input(rollout[4]!, { healthyAfterSeconds: 90 })).phase, 'deployed');
    assert.deepEqual(story(timeline(input(rollout[4]!, { healthyAfterSeconds: 10 }))).slice(3), ['healthy@10:01:15Z: no restarts for 10 s']);
  });

  it('a restart of a new pod inside the window starts it again; a Warning event of a new pod too', () => {
    const restarted = copy(rollout[4]!);
    const status = restarted.pods.find((p) => p.metadata.name === 'storefront-7d9c5b8f6-p4w8d')!.status!.containerStatuses![0]!;
    status.restartCount = 1;
    status.lastState = { terminated: { exitCode: 137, reason: 'Error', startedAt: '2026-03-02T10:00:51Z', finishedAt: '2026-03-02T10:01:20Z' } };
    status.state = { running: { startedAt: '2026-03-02T10:01:21Z' } };
    assert.equal(timeline(input(restarted, { now: Date.parse('2026-03-02T10:01:45Z') })).phase, 'deployed');
    assert.deepEqual(story(timeline(input(restarted))).slice(3), ['healthy@10:01:50Z: no restarts for 30 s']);

    const warned = copy(rollout[4]!);
    const probe = copy(warned.events.find((e) => e.reason === 'Unhealthy')!);
    Object.assign(probe, { firstTimestamp: '2026-03-02T10:01:10Z', lastTimestamp: '2026-03-02T10:01:25Z', count: 3 });
    warned.events.push(probe);
    assert.deepEqual(story(timeline(input(warned))).slice(3), ['healthy@10:01:55Z: no restarts for 30 s']);
  });

  it('a release that leaves the pod template as it was (no new ReplicaSet): every phase from deploy.at', () => {
    const t = timeline(input(rollout[4]!, { release: release(C2, '2026-03-02T10:30:00Z'), now: Date.parse('2026-03-02T10:31:00Z') }));
    assert.deepEqual(story(t), [
      'pending@10:30:00Z: deploy commit 1a410ef',
      'in_progress@10:30:00Z: generation 7 observed, 3/3 updated',
      'deployed@10:30:00Z: 3/3 available',
      'healthy@10:30:30Z: no restarts for 30 s',
    ]);
  });

  it('a Deployment scaled to zero is deployed once its spec is observed', () => {
    const s = copy(rollout[4]!);
    s.deployments[0]!.spec!.replicas = 0;
    Object.assign(s.deployments[0]!.status!, { replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0 });
    s.deployments[0]!.status!.conditions = s.deployments[0]!.status!.conditions!.filter((c) => c.type !== 'Progressing');
    s.pods = [];
    assert.deepEqual(story(timeline(input(s))).slice(1, 3), ['in_progress@10:00:21Z: generation 7 observed, 0/0 updated', 'deployed@10:00:21Z: 0/0 available']);
  });

  it('a restart after Healthy does not move Healthy', () => {
    const later = copy(rollout[4]!);
    const status = later.pods[0]!.status!.containerStatuses![0]!;
    status.restartCount = 1;
    status.lastState = { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-03-02T10:40:00Z' } };
    assert.deepEqual(story(timeline(input(later, { now: Date.parse('2026-03-02T10:41:00Z') }))), story(timeline(input(rollout[4]!))));
  });

  it('computed live (each step given the previous) or from the last snapshot an hour later: the same story, times never go backwards', () => {
    const steps = live(rollout);
    assert.deepEqual(steps.map((t) => t.phase), ['pending', 'in_progress', 'in_progress', 'deployed', 'healthy']);
    const final = steps[4]!;
    const hourLater = timeline(input(rollout[4]!, { now: rollout[4]!.at + HOUR }));
    assert.deepEqual(hourLater.reached, final.reached);
    for (const t of steps) {
      const times = t.reached.map((r) => Date.parse(r.at));
      assert.deepEqual(times, [...times].sort((a, b) => a - b), story(t).join('; '));
    }
    // The In Progress time moved forward from deploy.at (nothing else known) to the ReplicaSet's creation.
    assert.deepEqual(steps.map((t) => t.reached.find((r) => r.phase === 'in_progress')?.at), [undefined, '2026-03-02T10:00:00Z', '2026-03-02T10:00:21Z', '2026-03-02T10:00:21Z', '2026-03-02T10:00:21Z']);
  });

  it('Healthy stays Healthy even when a later snapshot no longer shows the rollout complete', () => {
    const healthy = timeline(input(rollout[4]!));
    const crash = copy(rollout[4]!);
    crash.deployments[0]!.status!.availableReplicas = 2;
    const t = timeline(input(crash, { previous: healthy, now: crash.at + 60_000 }));
    assert.equal(t.phase, 'healthy');
    assert.deepEqual(t.reached, healthy.reached);
  });

  it('the events of the workload, its ReplicaSets and its pods, oldest first', () => {
    const t = timeline(input(rollout[4]!));
    const times = t.events.map((e) => Date.parse(e.at));
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    assert.deepEqual(t.events.slice(0, 3).map((e) => [e.object, e.reason]), [
      ['Deployment/storefront', 'ScalingReplicaSet'],
      ['ReplicaSet/storefront-7d9c5b8f6', 'SuccessfulCreate'],
      ['Pod/storefront-7d9c5b8f6-xk2p9', 'Scheduled'],
    ]);
    // The old pod r6tzm is gone from the lists but its Killing event is still the workload's.
    assert.ok(t.events.some((e) => e.object === 'Pod/storefront-6f8b7c9d4-r6tzm' && e.reason === 'Killing'));
    assert.equal(t.events.length, rollout[4]!.events.length);
  });
});

describe('timeline: Failed', () => {
  it('a bad image: Failed with the pod, the container and why, dated by the first pull failure', () => {
    const [first, second] = live(badImage);
    assert.equal(first!.phase, 'failed');
    assert.deepEqual(story(first!).slice(2), ['failed@10:00:23Z: pod storefront-7d9c5b8f6-xk2p9 ErrImagePull (image acme/storefront:3.2.0 not found)']);
    assert.deepEqual(second!.failure, first!.failure, 'a timeline that ended stays as it ended');
    const fresh = timeline(input(badImage[1]!));
    assert.deepEqual(story(fresh).slice(2), ['failed@10:00:23Z: pod storefront-7d9c5b8f6-xk2p9 ImagePullBackOff (image acme/storefront:3.2.0 not found)']);
    assert.deepEqual({ ...fresh.failure, message: undefined }, { reason: 'ImagePullBackOff', pod: 'storefront-7d9c5b8f6-xk2p9', container: 'storefront', message: undefined });
    assert.match(fresh.failure?.message ?? '', /Back-off pulling image "acme\/storefront:3.2.0"/);
    // The old pods still serve and are listed.
    assert.equal(fresh.pods.old.length, 3);
  });

  it('In Progress longer than progressDeadlineSeconds fails before the condition says so, at the deadline', () => {
    const [before, byTime, byCondition] = live(deadline);
    assert.equal(before!.phase, 'in_progress');
    assert.deepEqual(story(byTime!).slice(2), ['failed@10:10:21Z: In Progress for more than 600 s (progressDeadlineSeconds)']);
    assert.equal(byTime!.failure?.reason, 'ProgressDeadlineExceeded');
    assert.deepEqual(byCondition!.reached, byTime!.reached);
  });

  it('the ProgressDeadlineExceeded condition, read an hour later, tells the same time', () => {
    const t = timeline(input(deadline[2]!, { now: deadline[2]!.at + HOUR }));
    assert.deepEqual(story(t).slice(2), ['failed@10:10:21Z: ProgressDeadlineExceeded: ReplicaSet "storefront-7d9c5b8f6" has timed out progressing.']);
    assert.deepEqual(t.failure, { reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "storefront-7d9c5b8f6" has timed out progressing.' });
  });

  it('a shorter progressDeadlineSeconds fails sooner', () => {
    const s = copy(deadline[0]!);
    s.deployments[0]!.spec!.progressDeadlineSeconds = 120;
    assert.deepEqual(story(timeline(input(s))).slice(2), ['failed@10:02:21Z: In Progress for more than 120 s (progressDeadlineSeconds)']);
  });

  it('Argo CD health Degraded fails a release Argo CD recognised', () => {
    const s = copy(deadline[0]!);
    const app = s.applications[0]!;
    app.status!.health = { status: 'Degraded', message: 'Deployment "storefront" exceeded its progress deadline' };
    (app.status!.health as { lastTransitionTime?: string }).lastTransitionTime = '2026-03-02T10:05:00Z';
    const t = timeline(input(s, { applications: s.applications }));
    assert.equal(t.recognition.by, 'argo');
    assert.deepEqual(story(t).slice(2), ['failed@10:05:00Z: Argo CD: Synced 1a410ef, Degraded (Deployment "storefront" exceeded its progress deadline)']);
    assert.deepEqual(t.failure, { reason: 'Degraded', message: 'Deployment "storefront" exceeded its progress deadline' });
  });

  const podReasons: [string, string, (p: Pod) => void, string][] = [
    ['CrashLoopBackOff', 'container storefront exited with code 1', (p) => {
      const c = p.status!.containerStatuses![0]!;
      Object.assign(c, { restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=storefront' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-03-02T10:00:50Z' } } });
    }, '10:00:21Z'],
    ['OOMKilled', 'container storefront over its memory limit', (p) => {
      const c = p.status!.containerStatuses![0]!;
      Object.assign(c, { restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-03-02T10:00:44Z' } } });
    }, '10:00:44Z'],
    ['CreateContainerConfigError', 'container storefront: secret "storefront-db" not found', (p) => {
      p.status!.containerStatuses![0]!.state = { waiting: { reason: 'CreateContainerConfigError', message: 'secret "storefront-db" not found' } };
    }, '10:00:21Z'],
    ['InvalidImageName', 'image acme/storefront:3.2.0: invalid name', (p) => {
      p.status!.containerStatuses![0]!.state = { waiting: { reason: 'InvalidImageName', message: 'Failed to apply default image tag: couldn\'t parse image name' } };
    }, '10:00:21Z'],
  ];
  for (const [reason, why, breakPod, at] of podReasons) {
    it(`a pod of the new template in ${reason}`, () => {
      const s = copy(deadline[0]!);
      s.events = s.events.filter((e) => e.type !== 'Warning');
      breakPod(s.pods.find((p) => p.metadata.name === 'storefront-7d9c5b8f6-xk2p9')!);
      const t = timeline(input(s));
      assert.equal(t.phase, 'failed');
      assert.deepEqual(story(t).slice(2), [`failed@${at}: pod storefront-7d9c5b8f6-xk2p9 ${reason} (${why})`]);
      assert.equal(t.failure?.reason, reason);
      assert.equal(t.failure?.container, 'storefront');
    });
  }

  it('a failing pod of the old template does not fail the release', () => {
    const s = copy(deadline[0]!);
    s.pods.find((p) => p.metadata.name === 'storefront-6f8b7c9d4-b8kqz')!.status!.containerStatuses![0]!.state = { waiting: { reason: 'CrashLoopBackOff' } };
    assert.equal(timeline(input(s)).phase, 'in_progress');
  });
});

describe('timeline: superseded', () => {
  const later = { supersededAt: '2026-03-02T10:20:00Z' };

  it('without the successor known, today\'s objects would tell the successor\'s rollout (the reason for supersededAt)', () => {
    assert.equal(timeline(input(supersededSnapshot!)).reached[1]?.at, '2026-03-02T10:20:05Z');
  });

  it('a release superseded at 10:20 keeps what its own ReplicaSet shows and is marked superseded', () => {
    const t = timeline(input(supersededSnapshot!, later));
    assert.equal(t.superseded, true);
    assert.equal(t.phase, 'in_progress');
    assert.deepEqual(story(t), ['pending@10:00:00Z: deploy commit 1a410ef', 'in_progress@10:00:21Z: ReplicaSet storefront-7d9c5b8f6 created']);
    assert.equal(t.failure, undefined);
  });

  it('with the timeline seen before, it keeps the phase it had reached (Healthy) and its times', () => {
    const healthy = timeline(input(rollout[4]!));
    const t = timeline(input(supersededSnapshot!, { ...later, previous: healthy }));
    assert.equal(t.superseded, true);
    assert.equal(t.phase, 'healthy');
    assert.deepEqual(t.reached, healthy.reached);
  });

  it('a failed release superseded by a fix stays Failed', () => {
    const failed = timeline(input(badImage[1]!));
    const t = timeline(input(supersededSnapshot!, { ...later, previous: failed }));
    assert.equal(t.phase, 'failed');
    assert.deepEqual(t.failure, failed.failure);
  });

  it('the successor, from the same objects, is Healthy', () => {
    const t = timeline(input(supersededSnapshot!, { release: release(C3, '2026-03-02T10:20:00Z'), imageTag: '3.3.0' }));
    assert.deepEqual(story(t), [
      'pending@10:20:00Z: deploy commit 2b7e4d1',
      'in_progress@10:20:05Z: generation 8 observed, 3/3 updated',
      'deployed@10:20:50Z: 3/3 available',
      'healthy@10:21:20Z: no restarts for 30 s',
    ]);
    assert.equal(t.superseded, false);
  });
});

describe('timeline: Argo CD', () => {
  it('recognised by the Application\'s synced revision; Deployed says what Argo CD says', () => {
    const t = timeline(input(rollout[4]!, { applications: rollout[4]!.applications }));
    assert.deepEqual(t.recognition, { running: true, by: 'argo', detail: 'Argo CD: Synced 1a410ef, Healthy' });
    assert.deepEqual(story(t).slice(2), ['deployed@10:01:05Z: 3/3 available; Argo CD: Synced 1a410ef, Healthy', 'healthy@10:01:35Z: no restarts for 30 s']);
  });

  it('an Application still on the previous commit: the annotation decides (it is not ours either): Pending', () => {
    const t = timeline(input(rollout[0]!, { applications: rollout[0]!.applications }));
    assert.equal(t.phase, 'pending');
  });

  it('synced but the workload not in the cluster yet: In Progress from the sync, nothing more', () => {
    const s = rollout[1]!;
    const t = timeline(input(s, { applications: s.applications, object: undefined }));
    assert.deepEqual(story(t), ['pending@10:00:00Z: deploy commit 1a410ef', 'in_progress@10:00:19Z: Argo CD: Synced 1a410ef, Progressing']);
  });
});

describe('timeline: StatefulSet and DaemonSet', () => {
  const of = (file: string, kind: KubeKind, name: string, deployAt: string, tag: string, now: number) => {
    const o = observation(file, kind, name);
    return timeline({
      release: release(C2, deployAt),
      project: 'shop',
      tenant: 'acme',
      workload: { kind, name, selector: o.selector },
      object: o.object,
      imageTag: tag,
      replicaSets: [],
      pods: o.pods,
      events: [],
      isAncestor: history,
      now,
    });
  };
  const at = Date.parse('2026-03-02T10:30:00Z');

  it('StatefulSet rolled out (updateRevision = currentRevision): Deployed at the last new pod Ready, then Healthy', () => {
    const t = of('statefulset-healthy.json', 'StatefulSet', 'db', '2026-02-20T08:59:00Z', '15.4', at);
    assert.equal(t.recognition.by, 'image');
    assert.deepEqual(story(t).slice(1), ['in_progress@09:00:00Z: generation 1 observed, 3/3 updated', 'deployed@09:00:12Z: 3/3 available', 'healthy@09:00:42Z: no restarts for 30 s']);
  });

  it('StatefulSet rolling with the updated pod in CrashLoopBackOff: Failed with db-2', () => {
    const t = of('statefulset-rolling-crashloop.json', 'StatefulSet', 'db', '2026-03-02T10:23:30Z', '16.1', at);
    assert.equal(t.phase, 'failed');
    assert.equal(t.reached[1]?.at, '2026-03-02T10:24:00Z');
    assert.deepEqual([t.failure?.reason, t.failure?.pod], ['CrashLoopBackOff', 'db-2']);
    assert.deepEqual([t.pods.current.map((p) => p.name), t.pods.old.map((p) => p.name)], [['db-2'], ['db-0', 'db-1']]);
  });

  it('DaemonSet rolled out (updatedNumberScheduled = desired): Healthy', () => {
    const t = of('daemonset-healthy.json', 'DaemonSet', 'agent', '2026-02-20T08:59:00Z', '3.2.0', at);
    assert.equal(t.phase, 'healthy');
    assert.equal(t.reached[2]?.detail, '3/3 available');
  });

  it('DaemonSet rolling with ImagePullBackOff on the new pod: Failed with agent-v7b4h', () => {
    const t = of('daemonset-rolling-imagepullbackoff.json', 'DaemonSet', 'agent', '2026-03-02T10:24:30Z', '3.3.0', at);
    assert.deepEqual([t.phase, t.failure?.reason, t.failure?.pod, t.reached[1]?.detail], ['failed', 'ImagePullBackOff', 'agent-v7b4h', 'generation 2 observed, 1/3 updated']);
  });
});

describe('timeline: bad input', () => {
  it('a release that was never deployed is refused with a clear error', () => {
    const s = rollout[0]!;
    assert.throws(
      () => timeline(input(s, { release: { ...release(), deploy: { commit: null, at: null } } })),
      (e: unknown) => GitOpsHqError.is(e, 'release-invalid') && /rel_01JDX4V6Q8K7E3M2N1P0R9S8T7 has no deploy time/.test((e as Error).message),
    );
    assert.throws(() => timeline(input(s, { healthyAfterSeconds: -1 })), /healthyAfterSeconds/);
    assert.throws(() => timeline(input(s, { supersededAt: 'yesterday' })), /supersededAt is not a time/);
  });

  it('the recorded lists are not changed by the derivation', () => {
    const before = JSON.stringify(recorded('timeline-rollout.json'));
    for (const s of rollout) timeline(input(s));
    assert.equal(JSON.stringify(recorded('timeline-rollout.json')), before);
    assert.ok(C2.startsWith('1a410ef'));
  });
});
