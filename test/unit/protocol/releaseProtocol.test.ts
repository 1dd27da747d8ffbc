import * as assert from 'node:assert/strict';
import {
  OpenReleaseCommand as AuditOpenReleaseCommand,
  QueryCommand as AuditQueryCommand,
  StateNotification as AuditStateNotification,
  webviewStateSchema as auditWebviewStateSchema,
} from '../../../src/protocol/audit';
import {
  CandidateDiffRequest,
  CreateRequest,
  SelectCommand as CreateSelectCommand,
  StateNotification as CreateStateNotification,
  webviewStateSchema as createWebviewStateSchema,
  formProblems,
} from '../../../src/protocol/createRelease';
import { Dispatcher, ReplyNotification, message, onRequest, toWireError, type ReplyParams } from '../../../src/protocol/ipc';
import { ActRequest, StateNotification as ReleaseStateNotification } from '../../../src/protocol/release';
import { GitOpsHqError } from '../../../src/core/errors';

const BLOB = 'a'.repeat(40);
const HEAD = 'b'.repeat(40);
const ID = 'rel_01JDX4V6Q8K7E3M2N1P0R9S8T7';
const DANA = { name: 'Dana', email: 'dana@example.com' };

function release(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'gitopshq.io/v1alpha1',
    kind: 'Release',
    id: ID,
    title: 'Enable new checkout flow',
    notes: 'Why',
    environment: 'staging',
    tenants: ['acme'],
    changes: [{ path: 'values/staging/payment-api.yaml', workload: 'payment-api', blob: BLOB }],
    base: null,
    head: HEAD,
    policy: { required: 1, approvers: ['team:sre'], requesterCanApprove: false },
    createdBy: DANA,
    createdAt: '2026-11-26T10:00:00Z',
    state: 'pending_approval',
    approvals: [],
    history: [{ state: 'pending_approval', at: '2026-11-26T10:00:00Z', by: DANA }],
    deploy: { commit: null, at: null },
    ...overrides,
  };
}

/** A dispatcher that records what reached handlers and what was dropped. */
function recorder() {
  const handled: unknown[] = [];
  const dropped: string[] = [];
  const d = new Dispatcher((reason) => dropped.push(reason));
  return { d, handled, dropped };
}

describe('release panel protocols', () => {
  describe('create form', () => {
    const selection = { project: 'payment-platform', environment: 'staging', tenants: ['acme'], includeUncommitted: false };

    it('delivers valid commands and requests, drops invalid ones', () => {
      const { d, handled, dropped } = recorder();
      d.on(CreateSelectCommand, (p) => void handled.push(p)).on(CreateRequest, (p) => void handled.push(p));
      assert.ok(d.dispatch(message(CreateSelectCommand, selection)));
      const create = { id: 1, params: { selection, title: 'Raise replicas', notes: 'Load', paths: ['values/staging/payment-api.yaml'] } };
      assert.ok(d.dispatch({ method: 'create', params: create }));
      assert.deepEqual(handled, [selection, create]);

      assert.equal(d.dispatch({ method: 'select', params: { ...selection, tenants: 'acme' } }), false);
      assert.equal(d.dispatch({ method: 'select', params: { ...selection, project: '' } }), false);
      assert.equal(d.dispatch({ method: 'create', params: create.params }), false, 'a request without its id');
      assert.equal(d.dispatch({ method: 'create', params: { id: -1, params: create.params } }), false);
      assert.equal(d.dispatch({ method: 'create', params: { id: 2, params: { ...create.params, paths: [''] } } }), false);
      assert.equal(d.dispatch({ method: 'deleteEverything', params: {} }), false);
      assert.equal(d.dispatch('select'), false);
      assert.equal(handled.length, 2);
      assert.equal(dropped.length, 7);
    });

    it('validates the state the host sends', () => {
      const state = {
        projects: [{ slug: 'payment-platform', name: 'Payment Platform', environments: ['dev', 'staging'], tenants: ['acme'], tenantsDeclared: true }],
        selection,
        loading: false,
        candidates: [{ path: 'values/staging/payment-api.yaml', status: 'modified', workload: 'payment-api', kind: 'layer', uncommitted: false, tenants: ['acme'] }],
        deployed: [{ tenant: 'acme', sha: null, date: null }],
        policy: { required: 1, approvers: ['team:sre'], requesterCanApprove: false, frozen: null, resultState: 'pending_approval' },
      };
      assert.ok(CreateStateNotification.params.safeParse(state).success);
      const bad = { ...state, candidates: [{ ...state.candidates[0], status: 'renamed' }] };
      assert.equal(CreateStateNotification.params.safeParse(bad).success, false);
      assert.equal(CreateStateNotification.params.safeParse({ ...state, policy: { ...state.policy, resultState: 'shipped' } }).success, false);
    });

    it('the diff request needs a tenant and a path', () => {
      assert.ok(CandidateDiffRequest.params.safeParse({ id: 3, params: { selection, path: 'a.yaml', tenant: 'acme' } }).success);
      assert.equal(CandidateDiffRequest.params.safeParse({ id: 3, params: { selection, path: 'a.yaml' } }).success, false);
    });

    it('restores a persisted form with defaults and rejects a corrupt one', () => {
      assert.deepEqual(createWebviewStateSchema.parse({}), { title: '', notes: '', rollback: '', checked: [] });
      assert.equal(createWebviewStateSchema.safeParse({ checked: 'all' }).success, false);
    });

    it('formProblems says what is missing, and nothing for a complete form', () => {
      assert.deepEqual(formProblems({ title: 'Raise replicas', notes: 'Load test', paths: ['a'], tenants: ['acme'] }), []);
      const problems = formProblems({ title: '  ', notes: '', paths: [], tenants: [] });
      assert.equal(problems.length, 4);
      assert.match(problems.join(' '), /title/i);
      assert.match(problems.join(' '), /why/i);
    });
  });

  describe('release detail', () => {
    const state = {
      project: 'payment-platform',
      release: release(),
      progress: { required: 1, approvals: [], reached: false, stillMay: ['team:sre'] },
      allowed: ['approve', 'reject'],
      identity: { name: 'Sam', email: 'sam@example.com' },
    };

    it('accepts a release file as the wire shape (apiVersion and kind stripped)', () => {
      const parsed = ReleaseStateNotification.params.safeParse(state);
      assert.ok(parsed.success);
      assert.equal('apiVersion' in parsed.data.release, false);
    });

    it('rejects a release with a bad id, state or blob', () => {
      for (const broken of [release({ id: 'x1' }), release({ state: 'shipped' }), release({ changes: [{ path: 'a', blob: 'not-hex' }] }), release({ head: undefined })]) {
        assert.equal(ReleaseStateNotification.params.safeParse({ ...state, release: broken }).success, false, JSON.stringify(broken).slice(0, 80));
      }
      assert.equal(ReleaseStateNotification.params.safeParse({ ...state, allowed: ['merge'] }).success, false);
    });

    it('act requests carry a known action only', () => {
      assert.ok(ActRequest.params.safeParse({ id: 1, params: { action: 'reject', reason: 'Wrong tag' } }).success);
      assert.equal(ActRequest.params.safeParse({ id: 1, params: { action: 'force-deploy' } }).success, false);
    });
  });

  describe('requests and replies', () => {
    it('onRequest answers with the result, or the typed error with its hint', async () => {
      const { d } = recorder();
      const replies: ReplyParams[] = [];
      onRequest(d, ActRequest, async (p) => {
        if (p.action === 'deploy') throw new GitOpsHqError('release-refused', 'Release is pending_approval: deploy is not allowed.', 'Approve it first.');
        return { id: ID, state: 'approved' as const };
      }, (r) => replies.push(r));
      d.dispatch(message(ActRequest, { id: 7, params: { action: 'approve' } }));
      d.dispatch(message(ActRequest, { id: 8, params: { action: 'deploy' } }));
      await new Promise((r) => setTimeout(r, 0));
      assert.deepEqual(replies[0], { id: 7, ok: true, result: { id: ID, state: 'approved' } });
      assert.deepEqual(replies[1], { id: 8, ok: false, error: { message: 'Release is pending_approval: deploy is not allowed.', hint: 'Approve it first.', kind: 'release-refused' } });
      for (const r of replies) assert.ok(ReplyNotification.params.safeParse(r).success);
      // The webview checks the result against the request's own schema.
      assert.equal(ActRequest.result.safeParse({ id: ID, state: 'gone' }).success, false);
    });

    it('toWireError keeps plain errors to their message', () => {
      assert.deepEqual(toWireError(new Error('boom')), { message: 'boom' });
      assert.deepEqual(toWireError('text'), { message: 'text' });
    });
  });

  describe('audit', () => {
    const entry = {
      at: '2026-11-26T10:00:00Z',
      who: DANA,
      action: 'changed',
      environment: 'staging',
      workloads: ['payment-api'],
      commit: 'c'.repeat(40),
      summary: 'image.tag: 2.4.0 → 2.5.0',
      paths: ['values/staging/payment-api.yaml'],
    };

    it('accepts entries and queries, drops unknown actions and oversized pages', () => {
      const state = {
        projects: ['payment-platform'],
        project: 'payment-platform',
        filter: { person: 'dana@example.com' },
        options: { environments: ['staging'], workloads: ['payment-api'], people: [{ email: 'dana@example.com', name: 'Dana' }], actions: ['changed'] },
        all: 1,
        total: 1,
        entries: [entry],
      };
      assert.ok(AuditStateNotification.params.safeParse(state).success);
      assert.equal(AuditStateNotification.params.safeParse({ ...state, entries: [{ ...entry, action: 'merged' }] }).success, false);
      const { d, handled } = recorder();
      d.on(AuditQueryCommand, (p) => void handled.push(p)).on(AuditOpenReleaseCommand, (p) => void handled.push(p));
      assert.ok(d.dispatch(message(AuditQueryCommand, { project: 'payment-platform', filter: { action: 'approved', text: 'tag' }, limit: 200 })));
      assert.equal(d.dispatch({ method: 'query', params: { project: 'payment-platform', filter: {}, limit: 1e9 } }), false);
      assert.equal(d.dispatch({ method: 'query', params: { project: 'payment-platform', filter: { action: 'merged' }, limit: 100 } }), false);
      assert.equal(d.dispatch({ method: 'openRelease', params: { project: 'payment-platform', id: '../../etc/passwd' } }), false);
      assert.equal(handled.length, 1);
      assert.deepEqual(auditWebviewStateSchema.parse({}), { filter: {} });
    });
  });
});
