import * as assert from 'node:assert/strict';
import { changedTiles, layoutKey, mergedColumns } from '../../../../src/core/fleet/view';
import type { Fleet, FleetTile } from '../../../../src/core/fleet/types';

function tile(id: string, sentence = 'In sync with main'): FleetTile {
  const [project, environment, tenant] = id.split('/') as [string, string, string];
  return { id, project, environment, tenant, colour: 'green', reasons: [], sentence, git: 'deployed', drift: 0, driftPaths: [], pendingApprovals: 0, mayApprove: 0, releases: [], unhealthy: [], unresolved: [], connection: 'connected' };
}

function fleet(tiles: FleetTile[]): Fleet {
  return {
    projects: [{ slug: 'shop', name: 'Shop', colour: 'green', mine: false, environments: [{ name: 'dev', required: 0, tenants: tiles }] }],
    broken: [],
    summary: { green: tiles.length, yellow: 0, red: 0 },
  };
}

describe('fleet view', () => {
  it('merges environment orders so that each project keeps its promotion order', () => {
    assert.deepEqual(mergedColumns([['dev', 'staging', 'production'], ['dev', 'qa', 'staging'], ['production'], ['sandbox']]), [
      'sandbox',
      'dev',
      'qa',
      'staging',
      'production',
    ]);
    assert.deepEqual(mergedColumns([]), []);
  });

  it('the layout changes with the tiles shown, not with their content', () => {
    const a = fleet([tile('shop/dev/acme'), tile('shop/dev/globex')]);
    const b = fleet([tile('shop/dev/acme', '1 change not deployed'), tile('shop/dev/globex')]);
    assert.equal(layoutKey(a), layoutKey(b));
    assert.notEqual(layoutKey(a), layoutKey(fleet([tile('shop/dev/acme')])));
  });

  it('finds the tiles whose content changed', () => {
    const before = fleet([tile('shop/dev/acme'), tile('shop/dev/globex')]);
    const seen = new Map(before.projects[0]!.environments[0]!.tenants.map((t) => [t.id, JSON.stringify(t)]));
    const after = fleet([tile('shop/dev/acme', '1 change not deployed'), tile('shop/dev/globex')]);
    assert.deepEqual(changedTiles(seen, after, (t) => JSON.stringify(t)).map((t) => t.id), ['shop/dev/acme']);
    assert.deepEqual(changedTiles(seen, before, (t) => JSON.stringify(t)), []);
  });
});
