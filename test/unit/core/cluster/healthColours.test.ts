import * as assert from 'node:assert/strict';
import { environmentColour, workloadColour, worstColour } from '../../../../src/core/cluster/healthColours';
import { workloadHealth } from '../../../../src/core/cluster/workloadHealth';
import { RECORDED_AT, observation } from './fixtures';

const colourOf = (file: string, kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' = 'Deployment', name = 'api') => {
  const h = workloadHealth(observation(file, kind, name), RECORDED_AT);
  return workloadColour(h);
};

describe('health colours (spec §5)', () => {
  it('workloads: green when healthy, yellow for warnings, red for a Failed reason or zero ready', () => {
    const table: [string, string][] = [
      ['deployment-healthy.json', 'green'],
      ['deployment-rolling.json', 'yellow'],
      ['deployment-recentrestart.json', 'yellow'],
      ['deployment-missing.json', 'yellow'],
      ['deployment-crashloopbackoff.json', 'red'],
      ['deployment-imagepullbackoff.json', 'red'],
      ['deployment-errimagepull.json', 'red'],
      ['deployment-createcontainerconfigerror.json', 'red'],
      ['deployment-invalidimagename.json', 'red'],
      ['deployment-oomkilled.json', 'red'],
      ['deployment-progressdeadlineexceeded.json', 'red'],
      ['deployment-unschedulable.json', 'red'],
      ['deployment-noreadyreplicas.json', 'red'],
    ];
    assert.deepEqual(table.map(([file]) => [file, colourOf(file)]), table);
    assert.equal(colourOf('statefulset-rolling-crashloop.json', 'StatefulSet', 'db'), 'red');
    assert.equal(colourOf('daemonset-healthy.json', 'DaemonSet', 'agent'), 'green');
    assert.equal(workloadColour({ health: 'progressing', reason: 'FewerReady' }), 'yellow');
    assert.equal(workloadColour({ health: 'progressing', reason: 'Unschedulable' }), 'yellow');
    assert.equal(workloadColour({ health: 'unknown', reason: 'NotSynced' }), 'yellow');
  });

  it('the worst colour wins; none is green', () => {
    assert.equal(worstColour([]), 'green');
    assert.equal(worstColour(['green', 'yellow', 'green']), 'yellow');
    assert.equal(worstColour(['yellow', 'red', 'green']), 'red');
  });

  describe('environments: the worst of workloads and Git state', () => {
    const healthy = { name: 'api', health: 'healthy' as const };
    it('green with healthy workloads and a clean Git state', () => {
      assert.deepEqual(environmentColour({ workloads: [healthy], connection: 'connected', git: {} }), { colour: 'green', causes: [] });
    });

    it('drift is a warning, unresolved values need action, a failing workload needs action', () => {
      assert.deepEqual(environmentColour({ workloads: [healthy], connection: 'connected', git: { drift: true } }), { colour: 'yellow', causes: ['drift'] });
      assert.deepEqual(environmentColour({ workloads: [healthy], git: { unresolvedValues: true } }), { colour: 'red', causes: ['unresolved values'] });
      assert.deepEqual(
        environmentColour({
          workloads: [healthy, { name: 'db', health: 'progressing', reason: 'RolloutInProgress' }, { name: 'web', health: 'degraded', reason: 'CrashLoopBackOff' }],
          connection: 'connected',
          git: { drift: true },
        }),
        { colour: 'red', causes: ['web: CrashLoopBackOff', 'drift', 'db: RolloutInProgress'] },
      );
    });

    it('a missing object is a warning', () => {
      assert.deepEqual(environmentColour({ workloads: [{ name: 'api', health: 'missing', reason: 'NotFound' }], connection: 'connected' }), { colour: 'yellow', causes: ['api: NotFound'] });
    });

    it('an unreachable cluster is a warning and hides no Git problem', () => {
      assert.deepEqual(environmentColour({ workloads: [], connection: 'unreachable' }), { colour: 'yellow', causes: ['cluster: unreachable'] });
      assert.deepEqual(environmentColour({ workloads: [], connection: 'unauthorized', git: { unresolvedValues: true } }), { colour: 'red', causes: ['unresolved values', 'cluster: unauthorized'] });
    });

    it('without a cluster, only Git counts', () => {
      assert.deepEqual(environmentColour({ workloads: [], git: { drift: false, unresolvedValues: false } }), { colour: 'green', causes: [] });
    });
  });
});
