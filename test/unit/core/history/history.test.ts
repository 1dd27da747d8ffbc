// The pure parts of the Git browser: porcelain blame parsing, unsaved-line mapping, badges by content,
// badge text and release attribution.
import * as assert from 'node:assert/strict';
import { carryingRelease } from '../../../../src/core/history/attribution';
import { badgeText, commitBadges, deployedIn } from '../../../../src/core/history/badges';
import { parseBlamePorcelain, savedLineOf } from '../../../../src/core/history/blame';
import type { HistoryCommit } from '../../../../src/core/history/types';
import type { Release } from '../../../../src/core/release/types';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const Z = '0'.repeat(40);

describe('history core', () => {
  it('parses porcelain blame, repeating a commit header only once', () => {
    const text = [
      `${A} 1 1 2`,
      'author Dana',
      'author-mail <dana@example.com>',
      'author-time 1764151200',
      'author-tz +0000',
      'summary Bump tag',
      'filename values/old.yaml',
      '\tone: 1',
      `${A} 2 2`,
      '\ttwo: 2',
      `${Z} 3 3 1`,
      'author Not Committed Yet',
      'author-mail <not.committed.yet>',
      'author-time 1764151300',
      'summary Version of values/x.yaml from values/x.yaml',
      'filename values/x.yaml',
      '\tthree: 3',
      '',
    ].join('\n');
    const lines = parseBlamePorcelain(text);
    assert.equal(lines[1]?.sha, A);
    assert.deepEqual(lines[1]?.author, { name: 'Dana', email: 'dana@example.com' });
    assert.equal(lines[1]?.date, '2025-11-26T10:00:00.000Z');
    assert.equal(lines[2]?.subject, 'Bump tag');
    assert.equal(lines[2]?.filename, 'values/old.yaml');
    assert.equal(lines[2]?.uncommitted, false);
    assert.equal(lines[3]?.uncommitted, true);
  });

  it('maps buffer lines to saved lines around one edit', () => {
    const saved = ['a', 'b', 'c', 'd'];
    const buffer = ['a', 'b', 'X', 'Y', 'c', 'd'];
    assert.equal(savedLineOf(saved, buffer, 1), 1);
    assert.equal(savedLineOf(saved, buffer, 2), undefined);
    assert.equal(savedLineOf(saved, buffer, 3), undefined);
    assert.equal(savedLineOf(saved, buffer, 4), 2);
    assert.equal(savedLineOf(saved, buffer, 5), 3);
    assert.equal(savedLineOf(saved, ['a', 'd'], 1), 3, 'deleted lines shift the rest up');
    assert.equal(savedLineOf(saved, saved, 9), undefined);
  });

  const commit = (sha: string, files: [string, string | null][]): HistoryCommit => ({
    sha,
    parents: [],
    author: { name: 'D', email: 'd@x' },
    date: '2026-01-01T00:00:00Z',
    subject: sha,
    files: files.map(([path, blob]) => ({ path, status: 'modified', oldBlob: null, newBlob: blob })),
  });

  it('badges compare content: the commit’s blob or a later one is deployed', () => {
    const placements = (p: string) =>
      p === 'base.yaml'
        ? [
            { tenant: 'acme', environment: 'staging' },
            { tenant: 'acme', environment: 'production' },
          ]
        : [{ tenant: 'acme', environment: 'staging' }];
    const commits = [commit('c3', [['base.yaml', 'blob3']]), commit('c2', [['base.yaml', 'blob2']]), commit('c1', [['base.yaml', 'blob1'], ['staging.yaml', 's1']])];
    const deployed: Record<string, Record<string, string | null>> = { staging: { 'base.yaml': 'blob3', 'staging.yaml': 's1' }, production: { 'base.yaml': 'blob1' } };
    const badges = commitBadges(commits, placements, (pl, p) => deployed[pl.environment]?.[p] ?? null);
    assert.equal(badgeText(badges.get('c3')!, ['staging', 'production']), 'staging ✓ · production pending');
    assert.equal(badgeText(badges.get('c2')!, ['staging', 'production']), 'staging ✓ · production pending', 'a later content counts');
    assert.equal(badgeText(badges.get('c1')!, ['staging', 'production']), 'staging ✓ · production ✓');
    assert.deepEqual(deployedIn(badges.get('c2')!), [{ environment: 'staging', tenant: 'acme' }]);
    const never = commitBadges(commits, placements, () => undefined);
    assert.equal(badgeText(never.get('c3')!, ['staging', 'production']), 'staging never deployed · production never deployed');
  });

  it('names tenants when they disagree', () => {
    const text = badgeText(
      [
        { tenant: 'acme', environment: 'production', state: 'deployed' },
        { tenant: 'globex', environment: 'production', state: 'pending' },
      ],
      ['production'],
    );
    assert.equal(text, 'production: acme ✓, globex pending');
  });

  it('attributes a commit to the release cut from it, else a containing release that touches its files', () => {
    const rel = (id: string, head: string, paths: string[], state: Release['state'], createdAt: string) =>
      ({ id, head, state, createdAt, title: id, changes: paths.map((path) => ({ path, blob: B })) }) as unknown as Release;
    const releases = [rel('r_late', 'h2', ['v.yaml'], 'pending_approval', '2026-02-01T00:00:00Z'), rel('r_dep', 'h2', ['v.yaml'], 'deployed', '2026-03-01T00:00:00Z'), rel('r_cut', 'c1', ['other.yaml'], 'draft', '2026-01-01T00:00:00Z')];
    const contains = (r: Release, sha: string) => r.head === 'h2' && sha === 'c0';
    assert.equal(carryingRelease(commit('c1', [['v.yaml', 'x']]), releases, contains)?.id, 'r_cut');
    assert.equal(carryingRelease(commit('c0', [['v.yaml', 'x']]), releases, contains)?.id, 'r_dep', 'a deployed release first');
    assert.equal(carryingRelease(commit('c0', [['w.yaml', 'x']]), releases, contains), undefined, 'a release that does not touch the file does not carry it');
  });
});
