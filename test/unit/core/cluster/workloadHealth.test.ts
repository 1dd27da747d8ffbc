import * as assert from 'node:assert/strict';
import { workloadHealth, type WorkloadHealth } from '../../../../src/core/cluster/workloadHealth';
import type { Pod } from '../../../../src/core/cluster/kubeTypes';
import { RECORDED_AT, observation } from './fixtures';

const MINUTE = 60_000;
const reversedKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(reversedKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedKeys(x)])) : v;
const api = (file: string, now = RECORDED_AT) => workloadHealth(observation(file, 'Deployment', 'api'), now);
/** The fields a tooltip shows, in one comparable line. */
const summary = (h: WorkloadHealth) => ({ health: h.health, reason: h.reason, pod: h.pod, container: h.container, replicas: `${h.ready}/${h.desired}`, updated: h.updated, available: h.available });

describe('workloadHealth (from recorded objects)', () => {
  describe('Deployment', () => {
    it('healthy: all desired replicas ready, every pod of the current template, no reason', () => {
      const h = api('deployment-healthy.json');
      assert.deepEqual(summary(h), { health: 'healthy', reason: undefined, pod: undefined, container: undefined, replicas: '3/3', updated: 3, available: 3 });
      assert.deepEqual(h.images, ['registry.example.com/shop/api:1.4.2']);
      assert.deepEqual(h.pods.map((p) => [p.name, p.phase, p.ready, p.restarts, p.current, p.node]), [
        ['api-6d4cf56db6-m4q9z', 'Running', true, 0, true, 'node-2'],
        ['api-6d4cf56db6-t8w3n', 'Running', true, 0, true, 'node-3'],
        ['api-6d4cf56db6-x7k2p', 'Running', true, 0, true, 'node-1'],
      ]);
      const pod = h.pods[2];
      assert.equal(pod?.ageSeconds, Math.floor((RECORDED_AT - Date.parse('2026-02-20T09:00:00Z')) / 1000));
      assert.deepEqual(pod?.containers, [{ name: 'api', image: 'registry.example.com/shop/api:1.4.2', ready: true, restarts: 0, state: 'running' }]);
    });

    it('rolling: new ReplicaSet pods are current, old ones (one terminating) are not; progressing', () => {
      const h = api('deployment-rolling.json');
      assert.deepEqual(summary(h), { health: 'progressing', reason: 'RolloutInProgress', pod: undefined, container: undefined, replicas: '4/3', updated: 2, available: 4 });
      assert.equal(h.since, '2026-03-02T10:29:30Z');
      assert.match(h.message ?? '', /Rolling out: 2 of 3 updated/);
      assert.deepEqual(h.images, ['registry.example.com/shop/api:1.5.0']);
      assert.deepEqual(h.pods.map((p) => [p.name, p.current, p.reason]), [
        ['api-7b9c8d6f5-h5j7c', true, 'ContainerCreating'],
        ['api-7b9c8d6f5-q2r8v', true, undefined],
        ['api-6d4cf56db6-m4q9z', false, 'Terminating'],
        ['api-6d4cf56db6-t8w3n', false, undefined],
        ['api-6d4cf56db6-x7k2p', false, undefined],
      ]);
      assert.equal(h.pods.find((p) => p.name.endsWith('m4q9z'))?.terminating, true);
    });

    const failures: [string, string, string][] = [
      ['deployment-crashloopbackoff.json', 'CrashLoopBackOff', 'back-off 2m40s restarting failed container=api'],
      ['deployment-imagepullbackoff.json', 'ImagePullBackOff', 'Back-off pulling image "registry.example.com/shop/api:1.5.0"'],
      ['deployment-errimagepull.json', 'ErrImagePull', 'api:1.5.0: not found'],
      ['deployment-createcontainerconfigerror.json', 'CreateContainerConfigError', 'secret "api-database" not found'],
      ['deployment-invalidimagename.json', 'InvalidImageName', 'repository name must be lowercase'],
    ];
    for (const [file, reason, kubelet] of failures) {
      it(`${reason}: degraded by the new template's pod, the old pods still serving`, () => {
        const h = api(file);
        assert.deepEqual(summary(h), { health: 'degraded', reason, pod: 'api-7b9c8d6f5-q2r8v', container: 'api', replicas: '3/3', updated: 1, available: 3 });
        assert.ok(h.message?.startsWith(`${reason} in pod api-7b9c8d6f5-q2r8v, container api: `), h.message);
        assert.ok(h.message?.includes(kubelet), h.message);
        const pod = h.pods.find((p) => p.name === 'api-7b9c8d6f5-q2r8v');
        assert.equal(pod?.reason, reason);
        assert.equal(pod?.containers[0]?.state, 'waiting');
      });
    }

    it('CrashLoopBackOff: the pod counts its restarts and the last run ended in Error', () => {
      const pod = api('deployment-crashloopbackoff.json').pods.find((p) => p.current);
      assert.equal(pod?.restarts, 5);
      assert.equal(pod?.containers[0]?.lastTerminationReason, 'Error');
      assert.equal(pod?.containers[0]?.lastRestartAt, '2026-03-02T10:26:43Z');
    });

    it('CrashLoopBackOff holds while the looping container runs again between two back-offs (no flicker)', () => {
      const obs = observation('deployment-crashloopbackoff.json', 'Deployment', 'api');
      const looping = structuredClone(obs.pods.find((p) => p.metadata.name === 'api-7b9c8d6f5-q2r8v')!);
      const c = looping.status!.containerStatuses![0]!;
      c.state = { running: { startedAt: '2026-03-02T10:29:50Z' } };
      const h = workloadHealth({ ...obs, pods: obs.pods.map((p) => (p.metadata.name === looping.metadata.name ? looping : p)) }, RECORDED_AT);
      assert.deepEqual([h.health, h.reason, h.pod, h.container], ['degraded', 'CrashLoopBackOff', 'api-7b9c8d6f5-q2r8v', 'api']);
      assert.match(h.message ?? '', /restarted 5 times; its last run ended with exit code \d+ \(Error\)/);
      // Restarted once only: not yet a loop.
      c.restartCount = 1;
      const once = workloadHealth({ ...obs, pods: obs.pods.map((p) => (p.metadata.name === looping.metadata.name ? looping : p)) }, RECORDED_AT);
      assert.notEqual(once.reason, 'CrashLoopBackOff');
    });

    it('OOMKilled: named instead of the CrashLoopBackOff it causes, since the kill', () => {
      const h = api('deployment-oomkilled.json');
      assert.deepEqual(summary(h), { health: 'degraded', reason: 'OOMKilled', pod: 'api-6d4cf56db6-b3n6d', container: 'api', replicas: '0/2', updated: 2, available: 0 });
      assert.equal(h.since, '2026-03-02T10:28:10Z');
      assert.deepEqual(h.pods.map((p) => [p.reason, p.restarts]), [['OOMKilled', 7], ['OOMKilled', 8]]);
    });

    it('OOMKilled also when the container is terminated right now', () => {
      const o = observation('deployment-oomkilled.json', 'Deployment', 'api');
      const pod = structuredClone(o.pods[0]) as Pod;
      const status = pod.status?.containerStatuses?.[0];
      assert.ok(status);
      status.state = { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-03-02T10:29:59Z' } };
      status.lastState = {};
      const h = workloadHealth({ ...o, pods: [pod] }, RECORDED_AT);
      assert.deepEqual([h.health, h.reason, h.since], ['degraded', 'OOMKilled', '2026-03-02T10:29:59Z']);
    });

    it('Unschedulable with none ready: degraded, with the scheduler\'s words', () => {
      const h = api('deployment-unschedulable.json');
      assert.deepEqual(summary(h), { health: 'degraded', reason: 'Unschedulable', pod: 'api-6d4cf56db6-c4v8s', container: undefined, replicas: '0/2', updated: 2, available: 0 });
      assert.match(h.message ?? '', /0\/3 nodes are available: 3 Insufficient cpu/);
      assert.equal(h.since, '2026-03-02T10:22:00Z');
      assert.equal(h.pods[0]?.node, undefined);
      assert.equal(h.pods[0]?.reason, 'Unschedulable');
    });

    it('Unschedulable while others are ready: progressing (a warning, not a failure)', () => {
      const o = observation('deployment-unschedulable.json', 'Deployment', 'api');
      const object = structuredClone(o.object);
      assert.ok(object?.status);
      Object.assign(object.status, { readyReplicas: 1, availableReplicas: 1 });
      const h = workloadHealth({ ...o, object }, RECORDED_AT);
      assert.deepEqual([h.health, h.reason, h.pod], ['progressing', 'Unschedulable', 'api-6d4cf56db6-c4v8s']);
    });

    it('ProgressDeadlineExceeded: degraded from the Progressing condition, though old pods still serve', () => {
      const h = api('deployment-progressdeadlineexceeded.json');
      assert.deepEqual(summary(h), { health: 'degraded', reason: 'ProgressDeadlineExceeded', pod: undefined, container: undefined, replicas: '3/3', updated: 1, available: 3 });
      assert.match(h.message ?? '', /did not progress in time: ReplicaSet "api-7b9c8d6f5" has timed out progressing/);
      assert.equal(h.since, '2026-03-02T10:20:01Z');
    });

    it('a deadline condition from before the controller saw a new spec is not a failure yet', () => {
      const o = observation('deployment-progressdeadlineexceeded.json', 'Deployment', 'api');
      const object = structuredClone(o.object);
      assert.ok(object);
      object.metadata.generation = 3;
      const h = workloadHealth({ ...o, object }, RECORDED_AT);
      assert.deepEqual([h.health, h.reason], ['progressing', 'RolloutInProgress']);
    });

    it('zero ready of desired > 0 with no failing container: degraded NoReadyReplicas', () => {
      const h = api('deployment-noreadyreplicas.json');
      assert.deepEqual(summary(h), { health: 'degraded', reason: 'NoReadyReplicas', pod: 'api-6d4cf56db6-n1r7e', container: undefined, replicas: '0/2', updated: 2, available: 0 });
      assert.equal(h.message, 'None of 2 desired replicas is ready in pod api-6d4cf56db6-n1r7e.');
    });

    it('a restart within the last 10 minutes is a warning on a healthy workload, older ones are not', () => {
      const recent = api('deployment-recentrestart.json');
      assert.deepEqual(summary(recent), { health: 'healthy', reason: 'RecentRestarts', pod: 'api-6d4cf56db6-m4q9z', container: 'api', replicas: '3/3', updated: 3, available: 3 });
      assert.equal(recent.since, '2026-03-02T10:26:30.000Z');
      const later = api('deployment-recentrestart.json', Date.parse('2026-03-02T10:26:30Z') + 10 * MINUTE + 1000);
      assert.deepEqual([later.health, later.reason], ['healthy', undefined]);
      assert.equal(later.pods.find((p) => p.name.endsWith('m4q9z'))?.restarts, 2);
    });

    it('missing: the bound object is absent (another Deployment in the namespace does not count)', () => {
      const h = api('deployment-missing.json');
      assert.deepEqual([h.health, h.reason, h.desired, h.pods], ['missing', 'NotFound', 0, []]);
      assert.equal(h.message, 'No Deployment named "api" in the cluster.');
    });

    it('unknown until the informers have listed', () => {
      const h = workloadHealth({ ...observation('deployment-healthy.json', 'Deployment', 'api'), synced: false }, RECORDED_AT);
      assert.deepEqual([h.health, h.reason], ['unknown', 'NotSynced']);
    });

    it('without ReplicaSets known, every pod counts as current', () => {
      const { replicaSets: _known, ...withoutReplicaSets } = observation('deployment-crashloopbackoff.json', 'Deployment', 'api');
      const h = workloadHealth(withoutReplicaSets, RECORDED_AT);
      assert.ok(h.pods.every((p) => p.current));
      assert.equal(h.reason, 'CrashLoopBackOff');
    });

    it('finds the new ReplicaSet by template, with the pod-template-hash label and key order ignored', () => {
      const o = observation('deployment-crashloopbackoff.json', 'Deployment', 'api');
      // Revision annotations disagree: only the template can tell.
      const replicaSets = (o.replicaSets ?? []).map((rs) => {
        const copy = structuredClone(rs);
        copy.metadata.annotations = {};
        copy.spec = reversedKeys(copy.spec) as NonNullable<typeof copy.spec>;
        return copy;
      });
      const h = workloadHealth({ ...o, replicaSets }, RECORDED_AT);
      assert.deepEqual(h.pods.filter((p) => p.current).map((p) => p.name), ['api-7b9c8d6f5-q2r8v']);
      assert.equal(h.reason, 'CrashLoopBackOff');
    });

    it('ignores pods that do not carry the selector, and pods of the old template failing', () => {
      const o = observation('deployment-crashloopbackoff.json', 'Deployment', 'api');
      const h = workloadHealth({ ...o, selector: { 'app.kubernetes.io/name': 'api', 'gitopshq.io/tenant': 'globex' } }, RECORDED_AT);
      assert.deepEqual(h.pods, []);
      assert.deepEqual([h.health, h.reason], ['progressing', 'RolloutInProgress']);
    });
  });

  describe('StatefulSet', () => {
    it('healthy: every pod on the update revision', () => {
      const h = workloadHealth(observation('statefulset-healthy.json', 'StatefulSet', 'db'), RECORDED_AT);
      assert.deepEqual(summary(h), { health: 'healthy', reason: undefined, pod: undefined, container: undefined, replicas: '3/3', updated: 3, available: 3 });
      assert.ok(h.pods.every((p) => p.current));
    });

    it('rolling: the pod on the update revision crash loops, told apart by controller-revision-hash', () => {
      const h = workloadHealth(observation('statefulset-rolling-crashloop.json', 'StatefulSet', 'db'), RECORDED_AT);
      assert.deepEqual(summary(h), { health: 'degraded', reason: 'CrashLoopBackOff', pod: 'db-2', container: 'db', replicas: '2/3', updated: 1, available: 2 });
      assert.deepEqual(h.pods.map((p) => [p.name, p.current]), [['db-2', true], ['db-0', false], ['db-1', false]]);
      assert.deepEqual(h.images, ['registry.example.com/shop/db:16.1']);
    });

    it('rolling with the new pod well: progressing', () => {
      const o = observation('statefulset-rolling-crashloop.json', 'StatefulSet', 'db');
      const h = workloadHealth({ ...o, pods: o.pods.filter((p) => p.metadata.name !== 'db-2') }, RECORDED_AT);
      assert.deepEqual([h.health, h.reason], ['progressing', 'RolloutInProgress']);
    });
  });

  describe('DaemonSet', () => {
    it('healthy: desired is the number of nodes scheduled', () => {
      const h = workloadHealth(observation('daemonset-healthy.json', 'DaemonSet', 'agent'), RECORDED_AT);
      assert.deepEqual(summary(h), { health: 'healthy', reason: undefined, pod: undefined, container: undefined, replicas: '3/3', updated: 3, available: 3 });
    });

    it('rolling: the new generation\'s pod cannot pull its image, told apart by pod-template-generation', () => {
      const h = workloadHealth(observation('daemonset-rolling-imagepullbackoff.json', 'DaemonSet', 'agent'), RECORDED_AT);
      assert.deepEqual(summary(h), { health: 'degraded', reason: 'ImagePullBackOff', pod: 'agent-v7b4h', container: 'agent', replicas: '2/3', updated: 1, available: 2 });
      assert.deepEqual(h.pods.map((p) => [p.name, p.current]), [['agent-v7b4h', true], ['agent-k8d2f', false], ['agent-l3m9x', false]]);
    });
  });

  it('reads a recorded list in a few milliseconds per workload', () => {
    const o = observation('deployment-rolling.json', 'Deployment', 'api');
    const start = performance.now();
    for (let i = 0; i < 200; i++) workloadHealth(o, RECORDED_AT);
    const perCall = (performance.now() - start) / 200;
    assert.ok(perCall < 10, `${perCall.toFixed(3)} ms per workload`);
  });
});
