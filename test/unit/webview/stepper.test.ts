import * as assert from 'node:assert/strict';
import { durationText, stepperPhases } from '../../../webview-ui/timeline/stepper';

describe('timeline stepper model', () => {
  it('phases reached with durations, then the ones ahead on the way to Healthy', () => {
    const items = stepperPhases(
      [
        { phase: 'pending', at: '2026-03-02T10:00:00Z', detail: 'deploy commit 1a410ef' },
        { phase: 'in_progress', at: '2026-03-02T10:00:21Z', detail: '1/3 updated' },
      ],
      'in_progress',
    );
    assert.deepEqual(items.map((i) => [i.phase, i.status, i.durationMs]), [
      ['pending', 'done', undefined],
      ['in_progress', 'current', 21_000],
      ['deployed', 'future', undefined],
      ['healthy', 'future', undefined],
    ]);
  });

  it('Failed ends the line; Healthy is done, not current', () => {
    const failed = stepperPhases([{ phase: 'pending', at: '2026-03-02T10:00:00Z', detail: '' }, { phase: 'failed', at: '2026-03-02T10:02:05Z', detail: 'pod x CrashLoopBackOff' }], 'failed');
    assert.deepEqual(failed.map((i) => [i.phase, i.status]), [['pending', 'done'], ['failed', 'failed']]);
    const healthy = stepperPhases(['pending', 'in_progress', 'deployed', 'healthy'].map((p, i) => ({ phase: p as 'pending', at: `2026-03-02T10:0${i}:00Z`, detail: '' })), 'healthy');
    assert.deepEqual(healthy.map((i) => i.status), ['done', 'done', 'done', 'done']);
  });

  it('durations read as people say them', () => {
    assert.equal(durationText(4_200), '4 s');
    assert.equal(durationText(125_000), '2 min 5 s');
    assert.equal(durationText(120_000), '2 min');
    assert.equal(durationText(3_780_000), '1 h 3 min');
  });
});
