import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { NodeFileSystem } from '../../../src/infra/fs/nodeFileSystem';

describe('NodeFileSystem', () => {
  let dir: string;
  const nfs = new NodeFileSystem();

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-fs-'));
    const files: Record<string, string> = {
      'a/gitopshq.yaml': 'a',
      'a/b/c/gitopshq.yaml': 'c',
      'a/node_modules/x/gitopshq.yaml': 'skipped',
      'a/.git/gitopshq.yaml': 'skipped',
      'a/.hidden/gitopshq.yaml': 'skipped',
      'a/.gitopshq/gitopshq.yaml': 'kept',
      'a/other.yaml': 'other',
      'big.yaml': 'x'.repeat(200_000) + 'é',
      'utf8.yaml': 'name: "é — ✓"\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await fs.writeFile(path.join(dir, rel), text);
    }
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads files, small and large, as UTF-8', async () => {
    assert.equal(await nfs.readFile(path.join(dir, 'utf8.yaml')), 'name: "é — ✓"\n');
    const big = await nfs.readFile(path.join(dir, 'big.yaml'));
    assert.equal(big?.length, 200_001);
    assert.ok(big?.endsWith('xé'));
    const many = await Promise.all(Array.from({ length: 200 }, () => nfs.readFile(path.join(dir, 'a/other.yaml'))));
    assert.ok(many.every((t) => t === 'other'));
  });

  it('reads a missing file or a folder as undefined', async () => {
    assert.equal(await nfs.readFile(path.join(dir, 'nope.yaml')), undefined);
    assert.equal(await nfs.readFile(path.join(dir, 'a')), undefined);
    assert.equal(await nfs.readFile(path.join(dir, 'a/other.yaml/x')), undefined);
  });

  describe('readFiles', () => {
    const paths = () => [
      path.join(dir, 'utf8.yaml'),
      path.join(dir, 'nope.yaml'), // missing
      path.join(dir, 'a'), // a folder
      path.join(dir, 'big.yaml'), // more than one read
      path.join(dir, 'a/other.yaml/x'), // below a file
      path.join(dir, 'gone/x.yaml'), // in a missing folder
      path.join(dir, 'gone/y.yaml'),
      path.join(dir, 'a/other.yaml'),
      path.join(dir, 'A/OTHER.yaml'), // another case: missing on a case-sensitive volume
      path.join(dir, 'a/gitopshq.yaml'), // after a miss in the same folder: read despite the listing
      path.join(dir, 'a/other.yaml'), // twice
    ];
    const expected = async () => Promise.all(paths().map((p) => nfs.readFile(p)));

    it('reads on worker threads, in order, missing files and folders as undefined', async () => {
      const batch = new NodeFileSystem({ batchThreshold: 0, workers: 2 });
      try {
        const texts = await batch.readFiles(paths());
        assert.equal(batch.runningWorkers, 2);
        assert.deepEqual(texts, await expected());
        assert.deepEqual(texts.map((t) => t?.slice(0, 5)), ['name:', undefined, undefined, 'xxxxx', undefined, undefined, undefined, 'other', undefined, 'a', 'other']);
        assert.equal(texts[3]?.length, 200_001);
        assert.ok(texts[3]?.endsWith('xé'));
      } finally {
        batch.dispose();
      }
    });

    it('reads a batch larger than one chunk in order', async () => {
      const batch = new NodeFileSystem({ batchThreshold: 0 });
      try {
        const many = Array.from({ length: 3000 }, (_, i) => paths()[i % paths().length] as string);
        const one = await expected();
        assert.deepEqual(await batch.readFiles(many), many.map((_, i) => one[i % one.length]));
      } finally {
        batch.dispose();
      }
    });

    it('reads small batches file by file, without a worker', async () => {
      const texts = await nfs.readFiles(paths());
      assert.equal(nfs.runningWorkers, 0);
      assert.deepEqual(texts, await expected());
      assert.deepEqual(await nfs.readFiles([]), []);
    });

    it('stops its workers on dispose and reads file by file afterwards', async () => {
      const batch = new NodeFileSystem({ batchThreshold: 0 });
      await batch.readFiles(paths());
      assert.equal(batch.runningWorkers > 0, true);
      batch.dispose();
      assert.equal(batch.runningWorkers, 0);
      assert.deepEqual(await batch.readFiles(paths()), await expected());
      assert.equal(batch.runningWorkers, 0);
    });

    it('finishes a batch in flight when disposed meanwhile', async () => {
      const batch = new NodeFileSystem({ batchThreshold: 0 });
      const many = Array.from({ length: 2000 }, (_, i) => paths()[i % paths().length] as string);
      const reading = batch.readFiles(many);
      batch.dispose();
      const one = await expected();
      assert.deepEqual(await reading, many.map((_, i) => one[i % one.length]));
    });

    it('stops idle workers and starts new ones for the next batch', async () => {
      const batch = new NodeFileSystem({ batchThreshold: 0, idleMs: 20 });
      try {
        await batch.readFiles(paths());
        assert.equal(batch.runningWorkers > 0, true);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(batch.runningWorkers, 0);
        assert.deepEqual(await batch.readFiles(paths()), await expected());
      } finally {
        batch.dispose();
      }
    });

    it('never keeps a process alive', () => {
      // A process that reads a batch on workers and never disposes them exits on its own.
      const modulePath = path.resolve(__dirname, '../../../src/infra/fs/nodeFileSystem.js');
      const script = `
        const { NodeFileSystem } = require(${JSON.stringify(modulePath)});
        const nfs = new NodeFileSystem({ batchThreshold: 0 });
        nfs.readFiles([${JSON.stringify(path.join(dir, 'utf8.yaml'))}]).then((t) => console.log(JSON.stringify(t), nfs.runningWorkers));
      `;
      const started = Date.now();
      const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(child.status, 0, child.stderr);
      assert.equal(child.stdout.trim(), `${JSON.stringify(['name: "é — ✓"\n'])} 2`);
      assert.ok(Date.now() - started < 5_000, 'exited without waiting for the idle timeout');
    });
  });

  it('tells folders from files', async () => {
    assert.equal(await nfs.isDirectory(path.join(dir, 'a/b')), true);
    assert.equal(await nfs.isDirectory(path.join(dir, 'a/other.yaml')), false);
    assert.equal(await nfs.isDirectory(path.join(dir, 'nope')), false);
  });

  it('finds files by name, skipping node_modules and dot-folders other than .gitopshq', async () => {
    assert.deepEqual(await nfs.findFiles(dir, 'gitopshq.yaml'), [
      path.join(dir, 'a/.gitopshq/gitopshq.yaml'),
      path.join(dir, 'a/b/c/gitopshq.yaml'),
      path.join(dir, 'a/gitopshq.yaml'),
    ]);
    assert.deepEqual(await nfs.findFiles(path.join(dir, 'nope'), 'gitopshq.yaml'), []);
  });
});
