// The Releases view's reading of release files: one file that cannot be read or parsed is an invalid
// entry with the reason, and hides none of the files after it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { nullLogger } from '../../../src/core/logger';
import { serializeRelease } from '../../../src/core/release/releaseFile';
import { readReleaseDir, readReleaseEntry } from '../../../src/infra/fs/releaseFiles';
import { release } from '../core/release/fixtures';

describe('release files', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-releases-'));
    const valid = serializeRelease(release());
    await fs.writeFile(path.join(dir, 'a.yaml'), valid);
    // A real input the release parser throws on: an alias with no anchor before it.
    await fs.writeFile(path.join(dir, 'b.yaml'), `${valid}notes: *nowhere\n`);
    await fs.symlink('c.yaml', path.join(dir, 'c.yaml')); // a link loop: reading it fails with ELOOP
    await fs.writeFile(path.join(dir, 'd.yaml'), valid);
    await fs.writeFile(path.join(dir, 'notes.txt'), 'not a release');
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('lists every file: the valid ones with their release, the broken ones with why, in name order', async () => {
    const entries = [...(await readReleaseDir('pay', dir, nullLogger)).values()];
    assert.deepEqual(
      entries.map((e) => [path.basename(e.file), e.release?.state]),
      [
        ['a.yaml', 'pending_approval'],
        ['b.yaml', undefined],
        ['c.yaml', undefined],
        ['d.yaml', 'pending_approval'],
      ],
    );
    const [b, c] = [entries[1]!, entries[2]!];
    assert.deepEqual(
      b.problems.map((p) => [p.code, p.severity, p.file]),
      [['release-invalid', 'error', path.join(dir, 'b.yaml')]],
    );
    assert.match(b.problems[0]!.message, /^This release file could not be parsed \(.*nowhere.*\)\.$/);
    assert.match(c.problems[0]!.message, /^This release file could not be read \(.*ELOOP.*\)\.$/);
  });

  it('a file that is gone is no entry; a folder that is gone is no files', async () => {
    assert.equal(await readReleaseEntry('pay', path.join(dir, 'gone.yaml'), nullLogger), undefined);
    assert.equal((await readReleaseDir('pay', path.join(dir, 'nowhere'), nullLogger)).size, 0);
  });
});
