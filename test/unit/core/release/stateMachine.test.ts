import * as assert from 'node:assert/strict';
import { GitOpsHqError } from '../../../../src/core/errors';
import {
  allowedActions,
  applyAction,
  createRelease,
  isFrozen,
  markDeployed,
  markFailed,
  releaseBases,
  titleWarnings,
  type CreateReleaseInput,
} from '../../../../src/core/release/stateMachine';
import type { Identity, Release, ReleaseAction, ReleaseState } from '../../../../src/core/release/types';
import { BLOB_A, ctx, DANA, env, EVE, ID, release, RIO, SAM, SHA_1, SHA_2, SHA_3, T0 } from './fixtures';

const ALL: ReleaseAction[] = ['submit', 'approve', 'reject', 'cancel', 'deploy', 'rollback'];
const STATES: ReleaseState[] = ['draft', 'pending_approval', 'approved', 'deploying', 'deployed', 'failed', 'cancelled'];

/** Policy: 1 approval from team:devops (Rio, Dana) or sam@; Dana is the author. */
const EXPECTED: Record<ReleaseState, Record<string, ReleaseAction[]>> = {
  draft: { Dana: ['submit', 'cancel'], Rio: [], Sam: [], Eve: [] },
  pending_approval: { Dana: ['cancel'], Rio: ['approve', 'reject'], Sam: ['approve', 'reject'], Eve: [] },
  approved: { Dana: ['cancel', 'deploy'], Rio: ['reject', 'deploy'], Sam: ['reject', 'deploy'], Eve: ['deploy'] },
  deploying: { Dana: [], Rio: [], Sam: [], Eve: [] },
  deployed: { Dana: ['rollback'], Rio: ['rollback'], Sam: ['rollback'], Eve: ['rollback'] },
  failed: { Dana: [], Rio: [], Sam: [], Eve: [] },
  cancelled: { Dana: [], Rio: [], Sam: [], Eve: [] },
};
const AFTER: Record<Exclude<ReleaseAction, 'rollback'>, ReleaseState> = {
  submit: 'pending_approval',
  approve: 'approved',
  reject: 'cancelled',
  cancel: 'cancelled',
  deploy: 'deploying',
};
const PEOPLE: Identity[] = [DANA, RIO, SAM, EVE];

function refusal(fn: () => unknown): GitOpsHqError {
  try {
    fn();
  } catch (err) {
    assert.ok(GitOpsHqError.is(err, 'release-refused'), `expected release-refused, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a refusal');
}

describe('release state machine', () => {
  describe('every state × action × person (policy: 1 approval)', () => {
    for (const state of STATES) {
      for (const person of PEOPLE) {
        const allowed = EXPECTED[state][person.name] as ReleaseAction[];
        it(`${state}: ${person.name} may ${allowed.join(', ') || 'nothing'}`, () => {
          assert.deepEqual(allowedActions(release(state), ctx(person)), ALL.filter((a) => allowed.includes(a)));
        });
        for (const action of ALL) {
          if (action === 'rollback') continue;
          if (allowed.includes(action)) {
            it(`${state}: ${person.name} ${action} → ${AFTER[action]}`, () => {
              const before = release(state);
              const after = applyAction(before, action, ctx(person, { reason: 'Wrong image tag', comment: 'ok' }));
              assert.equal(after.state, AFTER[action]);
              assert.equal(before.state, state, 'the input is not modified');
              const last = after.history[after.history.length - 1];
              assert.deepEqual(last?.by, person);
              assert.equal(last?.state, AFTER[action]);
              assert.equal(after.history.length, before.history.length + 1);
            });
          } else {
            it(`${state}: ${person.name} ${action} is refused, naming the state`, () => {
              const err = refusal(() => applyAction(release(state), action, ctx(person, { reason: 'r' })));
              assert.match(err.message, new RegExp(`^Release ${ID} is ${state}: `));
              const others = allowed.filter((a) => a !== action);
              if (others.length > 0) assert.match(err.message, / You can .+\.$/);
              for (const other of others) assert.ok(err.message.includes(other === 'rollback' ? 'roll it back' : `${other}`), err.message);
            });
          }
        }
      }
    }
  });

  it('draft with no approval required: anyone deploys it directly; submit is not offered', () => {
    const draft = release('draft', env({ required: 0 }));
    assert.equal(draft.state, 'draft');
    assert.deepEqual(allowedActions(draft, ctx(DANA)), ['cancel', 'deploy']);
    assert.deepEqual(allowedActions(draft, ctx(EVE)), ['deploy']);
    const err = refusal(() => applyAction(draft, 'submit', ctx(DANA)));
    assert.equal(
      err.message,
      `Release ${ID} is draft: its environment needs no approval, so there is nothing to submit: deploy it directly. You can cancel it or deploy it.`,
    );
    assert.equal(applyAction(draft, 'deploy', ctx(EVE)).state, 'deploying');
  });

  it('refusal messages are specific: cancel by an approver, approve by an outsider, deploy while pending', () => {
    const pending = release('pending_approval');
    assert.equal(
      refusal(() => applyAction(pending, 'cancel', ctx(RIO))).message,
      `Release ${ID} is pending_approval: cancel is for its author, Dana <dana@example.com>; an approver rejects it with a reason instead. You can approve it or reject it.`,
    );
    const outsider = refusal(() => applyAction(pending, 'approve', ctx(EVE)));
    assert.equal(
      outsider.message,
      `Release ${ID} is pending_approval: approve is for its approvers (team:devops, sam@example.com) and eve@example.com is not one of them. There is nothing you can do with it now.`,
    );
    assert.match(outsider.hint ?? '', /teams of gitopshq\.yaml/);
    assert.equal(
      refusal(() => applyAction(pending, 'deploy', ctx(DANA))).message,
      `Release ${ID} is pending_approval: it has 0/1 approvals; it can be deployed once approved. You can cancel it.`,
    );
    assert.equal(
      refusal(() => applyAction(release('cancelled'), 'deploy', ctx(DANA))).message,
      `Release ${ID} is cancelled: only an approved release (or a draft that needs no approval) can be deployed. A cancelled release is final: create a new release to ship these changes.`,
    );
  });

  it('reject needs a reason, records it and cancels the release', () => {
    const pending = release('pending_approval');
    const err = refusal(() => applyAction(pending, 'reject', ctx(SAM, { reason: '   ' })));
    assert.match(err.message, /needs a reason/);
    const rejected = applyAction(pending, 'reject', ctx(SAM, { reason: 'Tag 2.5.0 is not built yet' }));
    assert.equal(rejected.state, 'cancelled');
    assert.deepEqual(rejected.approvals, [{ by: SAM, decision: 'reject', at: '2026-11-26T10:01:00.000Z', comment: 'Tag 2.5.0 is not built yet' }]);
    assert.equal(rejected.history.at(-1)?.comment, 'Tag 2.5.0 is not built yet');
  });

  it('an approved release can still be rejected by an approver who has not decided, not by one who approved', () => {
    const approved = applyAction(release('pending_approval'), 'approve', ctx(SAM));
    assert.equal(approved.state, 'approved');
    assert.deepEqual(allowedActions(approved, ctx(SAM)), ['deploy']);
    assert.match(refusal(() => applyAction(approved, 'reject', ctx(SAM, { reason: 'x' }))).message, /you already approved it on 2026-11-26T10:01:00.000Z; each person decides once/);
    assert.equal(applyAction(approved, 'reject', ctx(RIO, { reason: 'Found a bug' })).state, 'cancelled');
  });

  it('a Git identity without an email is refused with how to set it', () => {
    const err = refusal(() => applyAction(release('approved'), 'deploy', ctx({ name: 'x', email: '' })));
    assert.match(err.hint ?? '', /git config --global user.email/);
  });

  describe('freeze', () => {
    const frozenAt = (until?: string) => ctx(EVE, { environment: env({}, until === undefined ? { reason: 'Black Friday' } : { reason: 'Black Friday', until }) });

    it('isFrozen: no freeze, until absent, future, past, exactly now', () => {
      const now = new Date('2026-11-27T12:00:00Z');
      assert.deepEqual(isFrozen(env(), now), { frozen: false });
      assert.deepEqual(isFrozen(env({}, { reason: 'BF' }), now), { frozen: true, reason: 'BF' });
      assert.deepEqual(isFrozen(env({}, { reason: 'BF', until: '2026-12-02T00:00:00Z' }), now), { frozen: true, reason: 'BF', until: '2026-12-02T00:00:00Z' });
      assert.deepEqual(isFrozen(env({}, { reason: 'BF', until: '2026-11-01T00:00:00Z' }), now), { frozen: false });
      assert.deepEqual(isFrozen(env({}, { reason: 'BF', until: '2026-11-27T12:00:00Z' }), now), { frozen: false });
    });

    it('deploy is refused while frozen (with reason and until), allowed when until has passed', () => {
      const approved = release('approved');
      assert.deepEqual(allowedActions(approved, frozenAt('2026-12-02T00:00:00Z')), []);
      const err = refusal(() => applyAction(approved, 'deploy', frozenAt('2026-12-02T00:00:00Z')));
      assert.equal(err.message, `Release ${ID} is approved: environment staging is frozen until 2026-12-02T00:00:00Z (Black Friday), so it cannot be deployed now. There is nothing you can do with it now.`);
      assert.match(err.hint ?? '', /Deploy after 2026-12-02T00:00:00Z/);
      assert.match(refusal(() => applyAction(approved, 'deploy', frozenAt())).message, /is frozen \(Black Friday\)/);
      assert.equal(applyAction(approved, 'deploy', frozenAt('2026-11-01T00:00:00Z')).state, 'deploying');
    });

    it('a freeze does not stop approvals or cancel, and a frozen draft cannot skip it either', () => {
      const frozen = frozenAt('2026-12-02T00:00:00Z');
      assert.deepEqual(allowedActions(release('pending_approval'), { ...frozen, identity: RIO }), ['approve', 'reject']);
      const draft = release('draft', env({ required: 0 }));
      const frozenDraft = { ...frozen, identity: DANA, environment: { ...frozen.environment!, approval: draft.policy } };
      assert.deepEqual(allowedActions(draft, frozenDraft), ['cancel']);
    });
  });

  describe('deploying → deployed | failed', () => {
    it('markDeployed records every tenant commit and the first as deploy.commit', () => {
      const deploying = applyAction(release('approved'), 'deploy', ctx(EVE));
      const done = markDeployed({ ...deploying, tenants: ['acme', 'globex'] }, { globex: SHA_3, acme: SHA_1 }, ctx(EVE));
      assert.equal(done.state, 'deployed');
      assert.deepEqual(done.deploy, { commit: SHA_1, at: '2026-11-26T10:01:00.000Z', commits: { acme: SHA_1, globex: SHA_3 } });
      assert.deepEqual(done.history.slice(-2).map((h) => h.state), ['deploying', 'deployed']);
      assert.throws(() => markDeployed({ ...deploying, tenants: ['acme', 'globex'] }, { acme: SHA_1 }, ctx(EVE)), /without a commit for tenant globex/);
    });

    it('markFailed keeps the reason; both refuse a release that is not deploying', () => {
      const deploying = applyAction(release('approved'), 'deploy', ctx(EVE));
      const failed = markFailed(deploying, 'push rejected', ctx(EVE));
      assert.equal(failed.state, 'failed');
      assert.equal(failed.history.at(-1)?.comment, 'push rejected');
      assert.ok(GitOpsHqError.is(catchErr(() => markFailed(release('approved'), 'x', ctx(EVE))), 'release-refused'));
      assert.ok(GitOpsHqError.is(catchErr(() => markDeployed(release('deployed'), { acme: SHA_1 }, ctx(EVE))), 'release-refused'));
    });
  });

  describe('createRelease', () => {
    const input = (): CreateReleaseInput => ({
      id: ID,
      title: '  Raise payment-api replicas to 4  ',
      notes: 'Traffic doubled.',
      environment: env({ required: 2 }),
      tenants: ['acme', 'globex'],
      changes: [{ path: 'values/staging/payment-api.yaml', workload: 'payment-api', blob: BLOB_A }],
      bases: { acme: SHA_1, globex: null },
      head: SHA_2,
      createdBy: DANA,
      createdAt: T0,
    });

    it('pending_approval with a policy snapshot, bases per tenant, history entry', () => {
      const r = createRelease(input());
      assert.equal(r.state, 'pending_approval');
      assert.equal(r.title, 'Raise payment-api replicas to 4');
      assert.deepEqual(r.policy, { required: 2, approvers: ['team:devops', 'sam@example.com'], requesterCanApprove: false });
      assert.equal(r.base, SHA_1);
      assert.deepEqual(r.bases, { acme: SHA_1, globex: null });
      assert.deepEqual(releaseBases(r), { acme: SHA_1, globex: null });
      assert.deepEqual(r.history, [{ state: 'pending_approval', at: '2026-11-26T10:00:00.000Z', by: DANA }]);
      assert.deepEqual(r.deploy, { commit: null, at: null });
      const { bases: _ignored, ...withoutBases } = r;
      assert.deepEqual(releaseBases(withoutBases as Release), { acme: SHA_1 });
    });

    it('draft when the environment requires no approval', () => {
      assert.equal(createRelease({ ...input(), environment: env({ required: 0 }) }).state, 'draft');
    });

    it('the snapshot is a copy: editing the environment later changes nothing', () => {
      const environment = env({ required: 1 });
      const r = createRelease({ ...input(), environment });
      environment.approval.approvers.push('eve@example.com');
      assert.deepEqual(r.policy.approvers, ['team:devops', 'sam@example.com']);
    });

    const invalid: [string, Partial<CreateReleaseInput>, RegExp][] = [
      ['empty title', { title: '  ' }, /needs a title/],
      ['empty notes', { notes: '' }, /notes that say why/],
      ['no tenants', { tenants: [] }, /at least one tenant/],
      ['no changes', { changes: [] }, /Nothing to release/],
      ['a bad id', { id: 'rel_x' }, /not a release id/],
      ['a path twice', { changes: [{ path: 'a.yaml', blob: BLOB_A }, { path: 'a.yaml', blob: null }] }, /listed twice/],
    ];
    for (const [what, patch, message] of invalid) {
      it(`refuses ${what} (release-invalid)`, () => {
        const err = catchErr(() => createRelease({ ...input(), ...patch }));
        assert.ok(GitOpsHqError.is(err, 'release-invalid'), String(err));
        assert.match(err.message, message);
      });
    }
  });

  it('titleWarnings: vague and short titles warn, specific ones do not', () => {
    assert.match(titleWarnings('Update values')[0] ?? '', /does not say what changes/);
    assert.match(titleWarnings('fix')[0] ?? '', /does not say what changes/);
    assert.match(titleWarnings('changes')[0] ?? '', /does not say what changes/);
    assert.match(titleWarnings('payment-api replicas')[0] ?? '', /title of 2 words/);
    assert.deepEqual(titleWarnings('Enable new checkout flow for payment-api v2.5.0'), []);
    assert.deepEqual(titleWarnings('Raise payment-api replicas to 4'), []);
    assert.match(titleWarnings(`Raise payment-api replicas ${'x'.repeat(100)}`)[0] ?? '', /under 100 characters/);
  });
});

function catchErr(fn: () => unknown): GitOpsHqError {
  try {
    fn();
  } catch (err) {
    if (GitOpsHqError.is(err)) return err;
    throw err;
  }
  assert.fail('expected an error');
}
