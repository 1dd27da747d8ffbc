import * as assert from 'node:assert/strict';
import { displayValue, plural, relativeTime } from '../../../src/core/format';
import { Debouncer } from '../../../src/core/debounce';

describe('format', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  const ago = (seconds: number) => relativeTime(new Date(now.getTime() - seconds * 1000), now);

  it('says relative times the way Git does', () => {
    assert.equal(ago(10), 'just now');
    assert.equal(ago(60), '1 minute ago');
    assert.equal(ago(5 * 60), '5 minutes ago');
    assert.equal(ago(3 * 3600), '3 hours ago');
    assert.equal(ago(86400), '1 day ago');
    assert.equal(ago(3 * 86400), '3 days ago');
    assert.equal(ago(60 * 86400), '2 months ago');
    assert.equal(ago(400 * 86400), '1 year ago');
    assert.equal(ago(-60), 'in the future');
  });

  it('pluralises and displays values', () => {
    assert.equal(plural(1, 'change'), '1 change');
    assert.equal(plural(3, 'change'), '3 changes');
    assert.equal(displayValue('a'), 'a');
    assert.equal(displayValue(3), '3');
    assert.equal(displayValue(false), 'false');
    assert.equal(displayValue(null), 'null');
  });
});

describe('Debouncer', () => {
  it('coalesces a burst into one run and never overlaps runs', async () => {
    let runs = 0;
    let active = 0;
    let maxActive = 0;
    const d = new Debouncer(10, async () => {
      runs++;
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 30));
      active--;
    });
    for (let i = 0; i < 20; i++) d.trigger();
    await new Promise((r) => setTimeout(r, 20));
    d.trigger(); // during the first run: exactly one more run afterwards
    await new Promise((r) => setTimeout(r, 15));
    await d.idle();
    assert.equal(runs, 2);
    assert.equal(maxActive, 1);
    d.dispose();
  });
});

describe('GitOpsHqError.is', () => {
  it('recognises errors from another bundle copy of the class by name and kind', async () => {
    const { GitOpsHqError } = await import('../../../src/core/errors');
    const foreign = Object.assign(new Error('git failed'), { name: 'GitOpsHqError', kind: 'git-failed' });
    assert.equal(GitOpsHqError.is(foreign), true);
    assert.equal(GitOpsHqError.is(foreign, 'git-failed'), true);
    assert.equal(GitOpsHqError.is(foreign, 'cancelled'), false);
    assert.equal(GitOpsHqError.is(new Error('plain')), false);
    assert.equal(GitOpsHqError.is(new GitOpsHqError('file-exists', 'x')), true);
  });
});
