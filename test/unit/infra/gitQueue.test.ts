// The bounded git queue on real git processes: the concurrency limit, cancellation of queued and running
// calls, the timeout, the output bound and streaming with an early stop.
import * as assert from 'node:assert/strict';
import { GitOpsHqError } from '../../../src/core/errors';
import { GitQueue } from '../../../src/infra/git/gitQueue';
import { createTempRepo, type TempRepo } from '../../support/tempGitRepo';

// `!sleep` aliases are our own -c settings: a git process that runs until killed.
const SLOW = ['-c', 'alias.slow=!sleep 5', 'slow'];

describe('GitQueue', () => {
  let repo: TempRepo;
  before(async () => {
    repo = await createTempRepo({ 'a.txt': 'x'.repeat(100_000) });
  });
  after(() => repo.cleanup());

  it('runs at most 4 git processes at once and queues the rest', async () => {
    const queue = new GitQueue(repo.dir);
    const calls = Array.from({ length: 10 }, (_, i) => queue.text(['hash-object', '--stdin'], { input: `content ${i}\n` }));
    assert.equal(queue.active, 4);
    assert.equal(queue.queued, 6);
    const hashes = await Promise.all(calls);
    assert.equal(new Set(hashes).size, 10, 'every call ran and answered for its own input');
    assert.equal(queue.peak, 4);
    assert.equal(queue.active, 0);
  });

  it('honours a smaller limit', async () => {
    const queue = new GitQueue(repo.dir, { maxProcesses: 2 });
    const calls = Array.from({ length: 5 }, () => queue.text(['rev-parse', 'HEAD']));
    assert.equal(queue.active, 2);
    await Promise.all(calls);
    assert.equal(queue.peak, 2);
  });

  it('cancels a queued call before it starts and kills a running one', async () => {
    const queue = new GitQueue(repo.dir, { maxProcesses: 1 });
    const running = new AbortController();
    const queued = new AbortController();
    const first = queue.run(SLOW, { signal: running.signal });
    const second = queue.run(['rev-parse', 'HEAD'], { signal: queued.signal });
    assert.equal(queue.queued, 1);
    queued.abort();
    await assert.rejects(second, (err: unknown) => GitOpsHqError.is(err, 'cancelled'));
    assert.equal(queue.queued, 0);
    const started = Date.now();
    running.abort();
    await assert.rejects(first, (err: unknown) => GitOpsHqError.is(err, 'cancelled'));
    assert.ok(Date.now() - started < 3000, 'the running process was killed, not waited for');
    // The slot is free again.
    assert.match(await queue.text(['rev-parse', 'HEAD']), /^[0-9a-f]{40}\n$/);
  });

  it('rejects an already aborted call without running it', async () => {
    const queue = new GitQueue(repo.dir);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(queue.run(['rev-parse', 'HEAD'], { signal: controller.signal }), (err: unknown) => GitOpsHqError.is(err, 'cancelled'));
    assert.equal(queue.peak, 0);
  });

  it('times out with a message that names the setting', async () => {
    let timeout = 200;
    const queue = new GitQueue(repo.dir, { timeoutMs: () => timeout });
    const started = Date.now();
    await assert.rejects(queue.run(SLOW), (err: unknown) => GitOpsHqError.is(err, 'git-failed') && /0\.2 s/.test(err.message) && /gitopshq\.git\.timeoutMs/.test(err.hint ?? ''));
    assert.ok(Date.now() - started < 3000);
    timeout = 20_000;
    assert.match(await queue.text(['rev-parse', 'HEAD']), /^[0-9a-f]{40}/);
  });

  it('stops collecting output at the byte bound', async () => {
    const queue = new GitQueue(repo.dir);
    await assert.rejects(queue.run(['cat-file', 'blob', 'HEAD:a.txt'], { maxBytes: 1000 }), (err: unknown) => GitOpsHqError.is(err, 'git-failed') && /more than/.test(err.message));
    assert.equal((await queue.run(['cat-file', 'blob', 'HEAD:a.txt'])).stdout.length, 100_000);
  });

  it('streams output to the caller, who may stop early', async () => {
    const queue = new GitQueue(repo.dir);
    let seen = 0;
    const result = await queue.run(['cat-file', 'blob', 'HEAD:a.txt'], {
      onData: (chunk) => {
        seen += chunk.length;
        return false;
      },
    });
    assert.equal(result.stopped, true);
    assert.equal(result.stdout.length, 0, 'streamed output is not collected');
    assert.ok(seen > 0 && seen <= 100_000);
  });

  it('reports git failures as git-failed with the command', async () => {
    const queue = new GitQueue(repo.dir);
    await assert.rejects(queue.run(['cat-file', 'blob', 'HEAD:missing.txt']), (err: unknown) => GitOpsHqError.is(err, 'git-failed') && /cat-file/.test(err.message));
  });
});
