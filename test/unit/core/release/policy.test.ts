import * as assert from 'node:assert/strict';
import { GitOpsHqError } from '../../../../src/core/errors';
import { approvalProgress, isApprover } from '../../../../src/core/release/policy';
import { allowedActions, applyAction } from '../../../../src/core/release/stateMachine';
import type { Release } from '../../../../src/core/release/types';
import { ctx, DANA, env, EVE, OLA, release, RIO, SAM, TEAMS } from './fixtures';

const POLICY = { required: 2, approvers: ['team:devops', 'SAM@example.com'], requesterCanApprove: false };

function refusedMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(GitOpsHqError.is(err, 'release-refused'), String(err));
    return err.message;
  }
  assert.fail('expected a refusal');
}

describe('release policy and quorum', () => {
  it('isApprover: emails case-insensitively, team members from the given teams, unknown teams nobody', () => {
    assert.equal(isApprover(POLICY, TEAMS, 'sam@EXAMPLE.com'), true);
    assert.equal(isApprover(POLICY, TEAMS, 'RIO@example.com'), true);
    assert.equal(isApprover(POLICY, TEAMS, 'dana@example.com'), true, 'listed as Dana@Example.com in the team');
    assert.equal(isApprover(POLICY, TEAMS, 'ola@example.com'), false, 'sre is not listed');
    assert.equal(isApprover({ ...POLICY, approvers: ['team:ghosts', 'team:constructor'] }, TEAMS, 'rio@example.com'), false);
    assert.equal(isApprover({ ...POLICY, approvers: ['team:constructor'] }, TEAMS, 'constructor'), false);
  });

  it('quorum of 2 needs two distinct people; the second approval moves to approved', () => {
    let r = release('pending_approval', env({ required: 2 }));
    r = applyAction(r, 'approve', ctx(RIO, { comment: 'LGTM' }));
    assert.equal(r.state, 'pending_approval');
    let progress = approvalProgress(r, TEAMS);
    assert.deepEqual([progress.approvals.length, progress.required, progress.reached], [1, 2, false]);
    assert.deepEqual(progress.approvals[0], { by: RIO, decision: 'approve', at: '2026-11-26T10:01:00.000Z', comment: 'LGTM' });
    r = applyAction(r, 'approve', ctx(SAM));
    assert.equal(r.state, 'approved');
    progress = approvalProgress(r, TEAMS);
    assert.deepEqual([progress.approvals.length, progress.reached], [2, true]);
    assert.deepEqual(r.history.map((h) => [h.state, h.by.name]), [['pending_approval', 'Dana'], ['approved', 'Sam']]);
  });

  it('the same person cannot approve twice, whatever the case of the email', () => {
    const r = applyAction(release('pending_approval', env({ required: 2 })), 'approve', ctx(RIO));
    assert.match(refusedMessage(() => applyAction(r, 'approve', ctx({ name: 'Rio', email: 'RIO@Example.COM' }))), /you already approved it .* each person decides once/);
    assert.deepEqual(allowedActions(r, ctx(RIO)), []);
  });

  it('a hand-edited file with duplicate approvals still counts each person once', () => {
    const r = release('pending_approval', env({ required: 2 }));
    const edited: Release = {
      ...r,
      approvals: [
        { by: RIO, decision: 'approve', at: '2026-11-26T10:01:00Z', comment: '' },
        { by: { name: 'R', email: 'rio@EXAMPLE.com' }, decision: 'approve', at: '2026-11-26T10:02:00Z', comment: '' },
        { by: DANA, decision: 'approve', at: '2026-11-26T10:03:00Z', comment: 'self' },
      ],
    };
    const progress = approvalProgress(edited, TEAMS);
    assert.deepEqual(progress.approvals.map((a) => a.by.email), ['rio@example.com']);
    assert.equal(progress.reached, false);
  });

  it('the requester may not approve unless requesterCanApprove', () => {
    const strict = release('pending_approval', env({ required: 1 }));
    assert.deepEqual(allowedActions(strict, ctx(DANA)), ['cancel']);
    assert.match(refusedMessage(() => applyAction(strict, 'approve', ctx(DANA))), /you created it and its policy does not let the requester approve \(requesterCanApprove: false\)/);

    const lenient = release('pending_approval', env({ required: 1, requesterCanApprove: true }));
    assert.deepEqual(allowedActions(lenient, ctx(DANA)), ['approve', 'reject', 'cancel']);
    const approved = applyAction(lenient, 'approve', ctx(DANA));
    assert.equal(approved.state, 'approved');
    assert.equal(approvalProgress(approved, TEAMS).approvals.length, 1);
  });

  it('team membership is read from the current teams', () => {
    const r = release('pending_approval');
    assert.match(refusedMessage(() => applyAction(r, 'approve', ctx(OLA))), /ola@example.com is not one of them/);
    const joined = { ...TEAMS, devops: [...(TEAMS.devops ?? []), 'OLA@example.com'] };
    assert.equal(applyAction(r, 'approve', ctx(OLA, { teams: joined })).state, 'approved');
    const left = { ...TEAMS, devops: ['dana@example.com'] };
    assert.deepEqual(allowedActions(r, ctx(RIO, { teams: left })), []);
  });

  it('the stricter of the snapshot and the manifest is in force: a looser manifest does not loosen, a stricter one tightens', () => {
    const r = release('pending_approval', env({ required: 1 }));
    const looser = env({ required: 0, approvers: [], requesterCanApprove: true });
    // The manifest asks for nothing now; the snapshot still asks for Sam or devops, and not the requester.
    assert.deepEqual(allowedActions(r, ctx(DANA, { environment: looser })), ['cancel']);
    assert.equal(applyAction(r, 'approve', ctx(SAM, { environment: looser })).state, 'approved');
    const stricter = env({ required: 2, approvers: ['sam@example.com', 'eve@example.com'], requesterCanApprove: true });
    // Two approvals now, each by someone both lists name: Sam is; Rio (devops, not in today's list) and Eve (not in the snapshot) are not.
    const once = applyAction(r, 'approve', ctx(SAM, { environment: stricter }));
    assert.equal(once.state, 'pending_approval');
    assert.deepEqual(allowedActions(r, ctx(EVE, { environment: stricter })), []);
    assert.match(refusedMessage(() => applyAction(r, 'approve', ctx(RIO, { environment: stricter }))), /approvers \(team:devops, sam@example.com; and also one of: sam@example.com, eve@example.com\) and rio@example.com is not one of them/);
    assert.deepEqual(allowedActions(r, ctx(DANA, { environment: stricter })), ['cancel'], 'the snapshot does not let the requester approve');
  });

  it('counts only approvals by an approver of the policy in force, and only verified ones when verification is given', () => {
    const r = release('pending_approval', env({ required: 2 }));
    const edited: Release = {
      ...r,
      approvals: [
        { by: EVE, decision: 'approve', at: '2026-11-26T10:01:00Z', comment: 'not an approver' },
        { by: RIO, decision: 'approve', at: '2026-11-26T10:02:00Z', comment: '' },
        { by: SAM, decision: 'approve', at: '2026-11-26T10:03:00Z', comment: '' },
      ],
    };
    assert.deepEqual(approvalProgress(edited, TEAMS).approvals.map((a) => a.by.email), ['rio@example.com', 'sam@example.com']);
    const verified = approvalProgress(edited, TEAMS, { verified: [true, true, false] });
    assert.deepEqual([verified.approvals.map((a) => a.by.email), verified.reached], [['rio@example.com'], false]);
  });

  it('stillMay lists the entries through which someone may still approve', () => {
    const teams = { ...TEAMS, devops: ['rio@example.com', 'Dana@Example.com'] };
    let r = release('pending_approval', env({ required: 3 }));
    assert.deepEqual(approvalProgress(r, teams).stillMay, ['team:devops', 'sam@example.com']);
    r = applyAction(r, 'approve', ctx(SAM, { teams }));
    assert.deepEqual(approvalProgress(r, teams).stillMay, ['team:devops']);
    r = applyAction(r, 'approve', ctx(RIO, { teams }));
    // Dana, the only other devops member, is the requester.
    assert.deepEqual(approvalProgress(r, teams).stillMay, []);
    assert.equal(r.state, 'pending_approval');
    assert.deepEqual(approvalProgress(r, {}).stillMay, [], 'an undefined team offers nobody');
  });
});
