// Shared test data for the release core: people, an environment, and a release in any state.
import * as path from 'node:path';
import type { Environment, Project, Workload } from '../../../../src/core/types';
import { createRelease, type ActionContext } from '../../../../src/core/release/stateMachine';
import type { Identity, Release, ReleaseState } from '../../../../src/core/release/types';

export const DANA: Identity = { name: 'Dana', email: 'dana@example.com' };
export const SAM: Identity = { name: 'Sam', email: 'sam@example.com' };
export const RIO: Identity = { name: 'Rio', email: 'rio@example.com' };
export const OLA: Identity = { name: 'Ola', email: 'ola@example.com' };
export const EVE: Identity = { name: 'Eve', email: 'eve@example.com' };
/** devops members who approved the releases `release('approved')` makes, and no test acts as. */
export const IVY: Identity = { name: 'Ivy', email: 'ivy@example.com' };
export const JUN: Identity = { name: 'Jun', email: 'jun@example.com' };

export const TEAMS: Record<string, string[]> = { devops: ['rio@example.com', 'Dana@Example.com', 'ivy@example.com', 'jun@example.com'], sre: ['ola@example.com'] };

export const ID = 'rel_01JDX4V6Q8K7E3M2N1P0R9S8T7';
export const BLOB_A = 'a'.repeat(40);
export const BLOB_B = 'b'.repeat(40);
export const SHA_1 = '1'.repeat(40);
export const SHA_2 = '2'.repeat(40);
export const SHA_3 = '3'.repeat(40);
export const T0 = new Date('2026-11-26T10:00:00.000Z');

export function env(approval: Partial<Environment['approval']> = {}, freeze?: Environment['freeze']): Environment {
  const e: Environment = { name: 'staging', approval: { required: 1, approvers: ['team:devops', 'sam@example.com'], requesterCanApprove: false, ...approval } };
  if (freeze) e.freeze = freeze;
  return e;
}

/** No manifest environment unless given: the release's snapshot alone is then the policy in force. */
export function ctx(identity: Identity, extra: Partial<ActionContext> = {}): ActionContext {
  return { identity, teams: TEAMS, now: new Date(T0.getTime() + 60_000), ...extra };
}

/** A release created by Dana in `environment`, then forced into `state` (with a matching history entry). */
export function release(state: ReleaseState = 'pending_approval', environment: Environment = env()): Release {
  const created = createRelease({
    id: ID,
    title: 'Enable new checkout flow for payment-api v2.5.0',
    notes: 'Product wants the new flow in staging before Friday.',
    environment,
    tenants: ['acme'],
    changes: [{ path: 'values/staging/payment-api.yaml', workload: 'payment-api', blob: BLOB_B }],
    bases: { acme: SHA_1 },
    head: SHA_2,
    createdBy: DANA,
    createdAt: T0,
  });
  if (created.state === state) return created;
  const forced: Release = { ...created, state, history: [...created.history, { state, at: '2026-11-26T10:00:30.000Z', by: DANA }] };
  // An approved release has the approvals that approved it: the quorum is counted again at deploy.
  if (state !== 'approved') return forced;
  const approvals = [IVY, JUN].slice(0, created.policy.required).map((by) => ({ by, decision: 'approve' as const, at: '2026-11-26T10:00:20.000Z', comment: '' }));
  return { ...forced, approvals };
}

/** A project in /repo/pay: api (3 layers), worker and web sharing charts/shared, a base layer shared by api and worker. */
const ROOT = path.join(path.sep, 'repo', 'pay');

export function project(): Project {
  const workload = (name: string, chart: string, values: string[]): Workload => ({ name, chart, values, kube: { kind: 'Deployment', name, selector: {} } });
  return {
    root: ROOT,
    manifestPath: path.join(ROOT, 'gitopshq.yaml'),
    name: 'Pay',
    slug: 'pay',
    environments: ['dev', 'staging'].map((name) => ({ name, approval: { required: 0, approvers: [], requesterCanApprove: false } })),
    tenants: ['acme', 'globex'],
    tenantsDeclared: true,
    teams: {},
    variablesPath: path.join(ROOT, '.gitopshq', 'variables.yaml'),
    workloads: [
      workload('api', 'charts/api', ['values/base/common.yaml', 'values/{env}/{workload}.yaml', 'values/{env}/{tenant}/{workload}.yaml']),
      workload('worker', 'charts/shared', ['values/base/common.yaml', 'values/{env}/{workload}.yaml']),
      workload('web', 'charts/shared', ['values/{env}/{workload}.yaml']),
    ],
  };
}

/** What the git adapter does: repository-relative, `/`-separated (the repository is /repo). */
export const relative = (abs: string) => path.relative(path.join(path.sep, 'repo'), abs).split(path.sep).join('/');

