import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { ValuesCommit } from '../../../src/core/release/audit';
import { MAX_HOST_TEXT, maskedFileDiff, summarizeLargeFiles, type TextJobs } from '../../../src/core/release/largeTexts';
import { SECRET_MASK } from '../../../src/core/secrets/mask';
import { ValuesParser } from '../../../src/infra/fs/valuesParser';

const SCRIPT = path.join(__dirname, '../../../src/infra/fs/valuesParseWorker.js');
const big = (edit: (i: number) => string | undefined) =>
  Array.from({ length: 4_000 }, (_, i) => edit(i) ?? `key_${i}: "value number ${i} of a large file"`).join('\n') + '\n';

describe('large release diffs and audit changes on the values worker', () => {
  let parser: ValuesParser;
  beforeEach(() => (parser = new ValuesParser(SCRIPT)));
  afterEach(() => parser.dispose());

  /** The worker, counting the jobs it was given. */
  const counting = (jobs: string[]): TextJobs => ({
    fileDiff: (...args) => (jobs.push('fileDiff'), parser.fileDiff(...args)),
    changeSummary: (...args) => (jobs.push('changes'), parser.changeSummary(...args)),
  });

  it('diffs a large file on the worker with secrets masked, a small one in place', async () => {
    const before = big(() => undefined);
    const after = big((i) => (i === 2000 ? 'key_2000: live-s3cret-value' : undefined));
    assert.ok(before.length + after.length > MAX_HOST_TEXT);
    const jobs: string[] = [];
    const diff = await maskedFileDiff({ path: 'values/prod/api.yaml', before, after, structural: false }, ['live-s3cret-value'], counting(jobs));
    assert.deepEqual(jobs, ['fileDiff']);
    assert.deepEqual(diff.hunks[0]?.lines.filter((l) => l.startsWith('+')), [`+key_2000: ${SECRET_MASK}`]);
    assert.equal(diff.hunks[0]?.oldStart, 1998);
    const small = await maskedFileDiff({ path: 'v.yaml', before: 'a: 1\n', after: 'a: live-s3cret-value\n', structural: false }, ['live-s3cret-value'], counting(jobs));
    assert.deepEqual(jobs, ['fileDiff'], 'the small one did not go to the worker');
    assert.deepEqual(small.hunks[0]?.lines, ['-a: 1', `+a: ${SECRET_MASK}`]);
  });

  it('fills in the changed values of large files of the audit, and leaves small ones to auditEntries', async () => {
    const commit: ValuesCommit = {
      sha: 'a'.repeat(40),
      author: { name: 'A', email: 'a@example.com' },
      date: '2026-01-01T00:00:00Z',
      subject: 's',
      files: [
        { path: 'big.yaml', before: big(() => undefined), after: big((i) => (i === 7 ? 'key_7: changed' : undefined)) },
        { path: 'small.yaml', before: 'a: 1\n', after: 'a: 2\n' },
      ],
    };
    const jobs: string[] = [];
    await summarizeLargeFiles([commit], counting(jobs), 5);
    assert.deepEqual(jobs, ['changes']);
    assert.deepEqual(commit.files[0]?.changes, { first: [{ path: 'key_7', before: 'value number 7 of a large file', after: 'changed' }], total: 1 });
    assert.equal(commit.files[1]?.changes, undefined);
  });

  it('a worker that cannot start leaves the diff to the host', async () => {
    const broken = new ValuesParser('/no/such/worker.js');
    try {
      const before = big(() => undefined);
      const diff = await maskedFileDiff({ path: 'v.yaml', before, after: `${before}x: 1\n`, structural: false }, [], broken);
      assert.equal(diff.added, 1);
    } finally {
      broken.dispose();
    }
  });
});
