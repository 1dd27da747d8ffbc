import * as assert from 'node:assert/strict';
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
