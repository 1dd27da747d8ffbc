import * as assert from 'node:assert/strict';
import { auditEntries, filterAudit, type AuditEntry, type ValuesCommit } from '../../../../src/core/release/audit';
import { applyAction, createRelease, markDeployed } from '../../../../src/core/release/stateMachine';
import type { Identity, Release } from '../../../../src/core/release/types';
import { BLOB_A, BLOB_B, ctx, DANA, env, EVE, OLA, project, relative, RIO, SAM, SHA_1, SHA_2, SHA_3 } from './fixtures';

const at = (hhmm: string) => new Date(`2026-11-26T${hhmm}:00.000Z`);
const R1 = 'rel_01JDX4V6Q8K7E3M2N1P0R9S8T1';
const R2 = 'rel_01JDX4V6Q8K7E3M2N1P0R9S8T2';
const R3 = 'rel_01JDX4V6Q8K7E3M2N1P0R9S8T3';
const R4 = 'rel_01JDX4V6Q8K7E3M2N1P0R9S8T4';
const API = 'pay/values/staging/api.yaml';

function make(id: string, title: string, time: string, required: number, extra: { rollbackOf?: string; blob?: string } = {}): Release {
  const input = {
    id,
    title,
    notes: 'Because.',
    environment: env({ required }),
    tenants: ['acme'],
    changes: [{ path: API, workload: 'api', blob: extra.blob ?? BLOB_B }],
    bases: { acme: SHA_1 },
    head: SHA_2,
    createdBy: DANA,
    createdAt: at(time),
  };
  return createRelease(extra.rollbackOf ? { ...input, rollbackOf: extra.rollbackOf } : input);
}
const act = (who: Identity, time: string, extra: { reason?: string } = {}) => ctx(who, { now: at(time), ...extra });

function releases(): Release[] {
  let r1 = make(R1, 'Bump api to 2.5.0 in staging', '10:00', 2);
  r1 = applyAction(r1, 'approve', act(RIO, '10:05'));
  r1 = applyAction(r1, 'approve', act(SAM, '10:06'));
  r1 = markDeployed(applyAction(r1, 'deploy', act(EVE, '10:10')), { acme: SHA_3 }, act(EVE, '10:10'));
  const r2 = applyAction(make(R2, 'Bump api again please', '10:20', 1), 'reject', act(SAM, '10:25', { reason: 'Wrong tag' }));
  let r3 = make(R3, 'Roll back: Bump api to 2.5.0 in staging', '11:00', 0, { rollbackOf: R1, blob: BLOB_A });
  r3 = markDeployed(applyAction(r3, 'deploy', act(DANA, '11:05')), { acme: '5'.repeat(40) }, act(DANA, '11:05'));
  const r4 = applyAction(make(R4, 'Try the worker tuning idea', '12:00', 1), 'cancel', act(DANA, '12:01'));
  return [r1, r2, r3, r4];
}

const commits: ValuesCommit[] = [
  {
    sha: 'c1'.repeat(20),
    author: DANA,
    date: '2026-11-26T09:50:00.000Z',
    subject: 'Bump api to 2.5.0',
    files: [{ path: API, before: 'image:\n  tag: 2.4.0\nreplicas: 2\n', after: 'image:\n  tag: 2.5.0\nreplicas: 3\n' }],
    containedIn: [R2, R1],
  },
  {
    sha: 'c2'.repeat(20),
    author: OLA,
    date: '2026-11-26T09:40:00.000Z',
    subject: 'Common log level',
    files: [{ path: 'pay/values/base/common.yaml', before: 'logLevel: info\n', after: 'logLevel: debug\n' }],
  },
  {
    sha: 'c3'.repeat(20),
    author: OLA,
    date: '2026-11-26T09:30:00.000Z',
    subject: 'Rotate token',
    files: [{ path: 'pay/.gitopshq/variables.yaml', before: 'repo:\n  TOKEN: { value: old-token-value }\n', after: 'repo:\n  TOKEN: { value: new-token-value }\n' }],
  },
  {
    sha: 'c4'.repeat(20),
    author: RIO,
    date: '2026-11-26T09:20:00.000Z',
    subject: 'Probe timeout',
    files: [
      { path: 'pay/charts/shared/templates/deployment.yaml', before: 'a', after: 'b' },
      { path: 'pay/charts/shared/values.yaml', after: 'probe: { timeout: 5 }\n' },
    ],
    containedIn: [R1],
  },
];

const brief = (e: AuditEntry) => `${e.at.slice(11, 16)} ${e.action} ${e.who.name}${e.releaseId ? ` ${e.releaseId.slice(-2)}` : ''}`;

describe('audit log', () => {
  const entries = auditEntries(releases(), commits, project(), relative);

  it('merges release histories, approvals and values commits, newest first', () => {
    assert.deepEqual(entries.map(brief), [
      '12:01 cancelled Dana T4',
      '12:00 created Dana T4',
      '11:05 rolled-back Dana T3',
      '11:00 created Dana T3',
      '10:25 rejected Sam T2',
      '10:20 created Dana T2',
      '10:10 deployed Eve T1',
      '10:06 approved Sam T1',
      '10:05 approved Rio T1',
      '10:00 created Dana T1',
      '09:50 changed Dana T1',
      '09:40 changed Ola',
      '09:30 changed Ola',
      '09:20 changed Rio',
    ]);
  });

  it('says what happened, with progress, reasons and commits', () => {
    const of = (action: string, id: string) => entries.find((e) => e.action === action && e.releaseId === id) as AuditEntry;
    assert.equal(of('created', R1).summary, 'Created "Bump api to 2.5.0 in staging" for acme in staging (1 change, pending approval)');
    assert.equal(of('approved', R1).summary, 'Approved (2/2)');
    assert.equal(entries.find((e) => e.action === 'approved' && e.who.name === 'Rio')?.summary, 'Approved (1/2)');
    assert.equal(of('rejected', R2).summary, 'Rejected: Wrong tag');
    assert.equal(of('deployed', R1).commit, SHA_3);
    assert.equal(of('deployed', R1).summary, 'Deployed to acme in staging');
    assert.equal(of('rolled-back', R3).summary, `Rolled back ${R1} for acme in staging`);
    assert.equal(of('created', R3).summary, `Created rollback of ${R1} "Roll back: Bump api to 2.5.0 in staging" for acme in staging (1 change, draft)`);
    assert.deepEqual(of('created', R1).workloads, ['api']);
    assert.deepEqual(of('created', R1).paths, [API]);
    assert.equal(of('created', R1).environment, 'staging');
  });

  it('a commit says which values changed and is tied to the release that carried it', () => {
    const c1 = entries.find((e) => e.commit === commits[0]?.sha) as AuditEntry;
    assert.equal(c1.summary, `image.tag: 2.4.0 → 2.5.0, replicas: 2 → 3 in ${API} — "Bump api to 2.5.0"`);
    assert.equal(c1.releaseId, R1, 'the deployed release, not the rejected one that also contains it');
    assert.equal(c1.releaseTitle, 'Bump api to 2.5.0 in staging');
    assert.equal(c1.environment, 'staging');
    assert.deepEqual(c1.workloads, ['api']);
  });

  it('a shared layer affects several environments; chart templates list the file; the variables file never shows values', () => {
    const c2 = entries.find((e) => e.commit === commits[1]?.sha) as AuditEntry;
    assert.equal(c2.environment, undefined);
    assert.deepEqual(c2.environments, ['dev', 'staging']);
    assert.deepEqual(c2.workloads, ['api', 'worker']);
    assert.equal(c2.summary, 'logLevel: info → debug in pay/values/base/common.yaml — "Common log level"');
    const c3 = entries.find((e) => e.commit === commits[2]?.sha) as AuditEntry;
    assert.equal(c3.summary, 'repo.TOKEN.value changed in pay/.gitopshq/variables.yaml — "Rotate token"');
    assert.ok(!JSON.stringify(c3).includes('token-value'));
    const c4 = entries.find((e) => e.commit === commits[3]?.sha) as AuditEntry;
    assert.equal(c4.summary, 'pay/charts/shared/templates/deployment.yaml changed; probe: added ({"timeout":5}) in pay/charts/shared/values.yaml — "Probe timeout"');
    assert.deepEqual(c4.workloads, ['worker', 'web']);
    assert.equal(c4.releaseId, undefined, 'R1 contains it but does not carry its paths');
  });

  it('filters by environment, workload, person, action and text', () => {
    const briefs = (f: Parameters<typeof filterAudit>[1]) => filterAudit(entries, f).map(brief);
    assert.deepEqual(briefs({ environment: 'dev' }), ['09:40 changed Ola', '09:30 changed Ola', '09:20 changed Rio']);
    assert.deepEqual(briefs({ workload: 'worker' }), ['09:40 changed Ola', '09:20 changed Rio']);
    assert.deepEqual(briefs({ person: 'SAM@' }), ['10:25 rejected Sam T2', '10:06 approved Sam T1']);
    assert.deepEqual(briefs({ action: 'approved', person: 'rio' }), ['10:05 approved Rio T1']);
    assert.deepEqual(briefs({ text: 'WRONG TAG' }), ['10:25 rejected Sam T2']);
    assert.deepEqual(briefs({ text: 'image.tag' }), ['09:50 changed Dana T1']);
    assert.equal(filterAudit(entries, {}).length, entries.length);
    assert.deepEqual(briefs({ environment: 'staging', action: 'changed', workload: 'api' }), ['09:50 changed Dana T1', '09:40 changed Ola']);
  });

  it('entries at the same instant: a release after the commits it carries; nothing is dropped', () => {
    const same = auditEntries([make(R1, 'Same second release', '09:50', 1)], [commits[0] as ValuesCommit], project(), relative);
    assert.deepEqual(same.map((e) => e.action), ['created', 'changed']);
    assert.deepEqual(auditEntries([], [], project(), relative), []);
  });
});
