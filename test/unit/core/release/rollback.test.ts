import * as assert from 'node:assert/strict';
import { GitOpsHqError } from '../../../../src/core/errors';
import { parseReleaseFile, serializeRelease } from '../../../../src/core/release/releaseFile';
import { rollbackInput, type PreviousContent } from '../../../../src/core/release/rollback';
import { createRelease } from '../../../../src/core/release/stateMachine';
import type { Release } from '../../../../src/core/release/types';
import { BLOB_A, BLOB_B, DANA, env, release, SHA_1, SHA_2, SHA_3, T0 } from './fixtures';

const BLOB_C = 'c'.repeat(40);
const NEW_TIP = '4'.repeat(40);

/** Deployed to acme and globex: payment-api values → B, a new worker layer → C, checkout values unchanged (A). */
function target(): Release {
  return {
    ...release('deployed'),
    tenants: ['acme', 'globex'],
    changes: [
      { path: 'values/staging/payment-api.yaml', workload: 'payment-api', blob: BLOB_B },
      { path: 'values/staging/worker.yaml', workload: 'worker', blob: BLOB_C },
      { path: 'values/staging/checkout.yaml', workload: 'checkout', blob: BLOB_A },
    ],
    deploy: { commit: SHA_3, at: '2026-11-26T11:00:00.000Z', commits: { acme: SHA_3, globex: NEW_TIP } },
  };
}

const before = (tenant: string, commit: string | null = SHA_1): PreviousContent => ({
  tenant,
  commit,
  blobs: new Map([
    ['values/staging/payment-api.yaml', BLOB_A],
    ['values/staging/checkout.yaml', BLOB_A],
  ]),
});

function refused(fn: () => unknown): GitOpsHqError {
  try {
    fn();
  } catch (err) {
    assert.ok(GitOpsHqError.is(err, 'release-refused'), String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

describe('rollback', () => {
  it('restores the content deployed before the target, per path, for every tenant', () => {
    const input = rollbackInput(target(), [before('acme'), before('globex')], { bases: { acme: SHA_3, globex: NEW_TIP } });
    assert.deepEqual(input.changes, [
      { path: 'values/staging/payment-api.yaml', workload: 'payment-api', blob: BLOB_A },
      // absent before the target: the rollback removes it
      { path: 'values/staging/worker.yaml', workload: 'worker', blob: null },
    ]);
    assert.deepEqual(input.tenants, ['acme', 'globex']);
    assert.deepEqual(input.bases, { acme: SHA_3, globex: NEW_TIP });
    assert.equal(input.head, SHA_1);
    assert.equal(input.rollbackOf, target().id);
    assert.equal(input.title, 'Roll back: Enable new checkout flow for payment-api v2.5.0');
    assert.match(input.notes, /^Restores the content deployed to acme, globex in staging before rel_/);
  });

  it('uses the given title and notes; the result is a release that goes through the policy and round-trips', () => {
    const input = rollbackInput(target(), [before('acme')], { title: 'Revert checkout flow', notes: 'Errors up 5%.', bases: { acme: SHA_3 } });
    const r = createRelease({ ...input, id: 'rel_01JDX4V6Q8K7E3M2N1P0R9S8T8', environment: env({ required: 1 }), createdBy: DANA, createdAt: T0 });
    assert.equal(r.state, 'pending_approval');
    assert.equal(r.rollbackOf, target().id);
    assert.equal(r.head, SHA_1);
    assert.deepEqual(r.tenants, ['acme']);
    assert.deepEqual(parseReleaseFile(serializeRelease(r), `/x/${r.id}.yaml`).release, r);
  });

  it('refuses tenants whose previous content differs: one tenant at a time', () => {
    const globex = before('globex');
    globex.blobs.set('values/staging/payment-api.yaml', BLOB_C);
    const err = refused(() => rollbackInput(target(), [before('acme'), globex], { bases: {} }));
    assert.match(err.message, /Tenants acme and globex had different content for values\/staging\/payment-api.yaml before rel_\w+, so one rollback cannot restore both\./);
    assert.equal(err.hint, 'Roll back one tenant at a time.');
    assert.equal(rollbackInput(target(), [globex], { bases: {} }).changes[0]?.blob, BLOB_C);
    assert.match(refused(() => rollbackInput(target(), [before('acme'), before('globex', null)], { bases: {} })).message, /no deploy at all \(globex\)/);
  });

  it('refuses a release that is not deployed, foreign tenants, a first deploy, and a no-op', () => {
    assert.match(refused(() => rollbackInput(release('approved'), [before('acme')], { bases: {} })).message, /is approved: only a deployed release can be rolled back/);
    assert.match(refused(() => rollbackInput(target(), [before('initech')], { bases: {} })).message, /was not deployed to initech: its tenants are acme, globex/);
    assert.match(refused(() => rollbackInput(target(), [], { bases: {} })).message, /needs at least one of its tenants/);
    assert.match(refused(() => rollbackInput(target(), [before('acme', null)], { bases: {} })).message, /was the first deploy of acme in staging: there is no earlier content to restore/);
    const same: PreviousContent = { tenant: 'acme', commit: SHA_2, blobs: new Map(target().changes.map((c) => [c.path, c.blob])) };
    assert.match(refused(() => rollbackInput(target(), [same], { bases: {} })).message, /nothing to roll back/);
  });
});
