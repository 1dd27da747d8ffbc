import * as assert from 'node:assert/strict';
import { AncestryCache } from '../../../../src/vscode/timeline/ancestryCache';

describe('AncestryCache: Git answers for a synchronous port', () => {
  it('unknown at first, asks Git once in the background, then answers from the cache', async () => {
    const asked: string[] = [];
    let learned = 0;
    const cache = new AncestryCache(
      async (slug, a, d) => {
        asked.push(`${slug} ${a} ${d}`);
        return a === 'c1';
      },
      () => learned++,
    );
    const port = cache.port('shop');
    assert.equal(port('c1', 'c2'), undefined);
    assert.equal(port('c1', 'c2'), undefined, 'still being asked');
    await cache.idle();
    assert.equal(learned, 1);
    assert.equal(port('c1', 'c2'), true);
    assert.equal(port('c3', 'c2'), undefined);
    await cache.idle();
    assert.equal(port('c3', 'c2'), false);
    assert.deepEqual(asked, ['shop c1 c2', 'shop c3 c2']);
    assert.equal(cache.port('other')('c1', 'c2'), undefined, 'per project');
  });

  it('a question Git could not answer stays unknown and is not asked again at once', async () => {
    let calls = 0;
    const cache = new AncestryCache(async () => {
      calls++;
      throw new Error('fatal: Not a valid commit name');
    }, () => undefined);
    const port = cache.port('shop');
    assert.equal(port('missing', 'c2'), undefined);
    await cache.idle();
    assert.equal(port('missing', 'c2'), undefined);
    await cache.idle();
    assert.equal(calls, 1);
  });
});
