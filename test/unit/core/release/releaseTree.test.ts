import * as assert from 'node:assert/strict';
import { buildReleaseTree, policySummary, type ReleaseItemNode, type ReleaseTreeInput } from '../../../../src/core/release/releaseTree';
import type { Release, ReleaseAction } from '../../../../src/core/release/types';
import type { Project } from '../../../../src/core/types';

const NOW = new Date('2026-11-26T12:00:00Z');
const dana = { name: 'Dana Developer', email: 'dana@example.com' };
const sam = { name: 'Sam Okafor', email: 'sam@example.com' };
const blob = 'a'.repeat(40);

const project: Project = {
  root: '/ws/shop',
  manifestPath: '/ws/shop/gitopshq.yaml',
  name: 'Shop',
  slug: 'shop',
  environments: [
    { name: 'dev', approval: { required: 0, approvers: [], requesterCanApprove: false } },
    { name: 'staging', approval: { required: 1, approvers: ['team:sre'], requesterCanApprove: false } },
    { name: 'production', approval: { required: 2, approvers: ['team:sre', 'lead@example.com'], requesterCanApprove: false } },
  ],
  tenants: ['acme'],
  tenantsDeclared: true,
  teams: { sre: ['sam@example.com', 'sue@example.com'] },
  variablesPath: '/ws/shop/.gitopshq/variables.yaml',
  workloads: [],
};

function release(id: string, over: Partial<Release>): Release {
  const environment = over.environment ?? 'production';
  const required = project.environments.find((e) => e.name === environment)!.approval.required;
  return {
    apiVersion: 'gitopshq.io/v1alpha1',
    kind: 'Release',
    id,
    title: `Release ${id}`,
    notes: 'Why.',
    environment,
    tenants: ['acme'],
    changes: [{ path: 'values/production/web.yaml', workload: 'web', blob }],
    base: null,
    head: 'c'.repeat(40),
    policy: { required, approvers: ['team:sre', 'lead@example.com'], requesterCanApprove: false },
    createdBy: dana,
    createdAt: '2026-11-26T10:00:00Z',
    state: 'pending_approval',
    approvals: [],
    history: [{ state: 'pending_approval', at: '2026-11-26T10:00:00Z', by: dana }],
    deploy: { commit: null, at: null },
    ...over,
  };
}

const ids = {
  pending: 'rel_01M82J5V0T9Q3XKD7F1M4PR6ZA',
  older: 'rel_01M7YXBA51KQHFN5TEW15CYEWB',
  cancelled: 'rel_01M80Q3F7RZ2D9WGKX4T6B8HNC',
  deployed: 'rel_01M80Q3F7RZ2D9WGKX4T6B8HND',
  draft: 'rel_01M80Q3F7RZ2D9WGKX4T6B8HNE',
};

function input(): ReleaseTreeInput {
  const releases = [
    release(ids.older, { createdAt: '2026-11-20T10:00:00Z', history: [{ state: 'pending_approval', at: '2026-11-20T10:00:00Z', by: dana }] }),
    release(ids.pending, {
      approvals: [{ by: sam, decision: 'approve', at: '2026-11-26T10:30:00Z', comment: '' }],
    }),
    release(ids.cancelled, { state: 'cancelled' }),
    release(ids.deployed, { environment: 'staging', state: 'deployed', deploy: { commit: 'd'.repeat(40), at: '2026-11-26T11:00:00Z' } }),
    release(ids.draft, { environment: 'dev', state: 'draft' }),
  ];
  return {
    project,
    entries: [
      ...releases.map((r) => ({ file: `/ws/shop/.gitopshq/releases/${r.id}.yaml`, release: r, problems: [] })),
      {
        file: '/ws/shop/.gitopshq/releases/broken.yaml',
        problems: [
          {
            file: '/ws/shop/.gitopshq/releases/broken.yaml',
            span: { start: { line: 2, character: 0 }, end: { line: 2, character: 4 } },
            severity: 'error' as const,
            code: 'release-invalid',
            message: 'title: Must not be empty.',
          },
        ],
      },
    ],
  };
}

const allowed = (_slug: string, r: Release): ReleaseAction[] => (r.state === 'pending_approval' ? ['approve', 'reject', 'cancel'] : []);

describe('releaseTree', () => {
  it('groups releases per environment (promotion order) and state, newest first, with stable ids', () => {
    const [root] = buildReleaseTree([input()], { allowed, now: NOW });
    assert.equal(root!.id, 'releases:shop');
    assert.equal(root!.description, '5 releases · 2 pending approvals');
    const envs = root!.children.filter((c) => c.kind === 'environment');
    assert.deepEqual(envs.map((e) => [e.label, e.description]), [
      ['dev', '1 release'],
      ['staging', '1 release'],
      ['production', '2 pending approvals'],
    ]);
    const production = envs[2]!;
    assert.ok(production.kind === 'environment');
    assert.deepEqual(
      production.children.map((g) => [g.label, g.collapsed, g.children.map((r) => r.releaseId)]),
      [
        ['Pending approval', false, [ids.pending, ids.older]],
        ['Cancelled / Failed', true, [ids.cancelled]],
      ],
    );
    assert.equal(production.children[0]!.id, 'release-group:shop/production/pending');
    assert.equal(production.children[0]!.children[0]!.id, `release:shop/${ids.pending}`);
  });

  it('describes a release with approval progress, author and age, and its actions in the context value', () => {
    const [root] = buildReleaseTree([input()], { allowed, now: NOW });
    const items = collect(root!);
    const pending = items.find((i) => i.releaseId === ids.pending)!;
    assert.equal(pending.label, `Release ${ids.pending}`);
    assert.equal(pending.description, '1/2 approvals · Dana · 2 hours ago');
    assert.equal(pending.contextValue, 'release:approve:reject:cancel');
    assert.match(pending.tooltip, new RegExp(ids.pending));
    assert.match(pending.tooltip, /tenants: acme/);
    assert.match(pending.tooltip, /values\/production\/web\.yaml/);
    assert.match(pending.tooltip, /Approvals: 1\/2 approvals \(Sam Okafor\)/);
    const deployed = items.find((i) => i.releaseId === ids.deployed)!;
    assert.equal(deployed.description, 'Dana · 2 hours ago', 'no approval count once deployed');
    assert.equal(deployed.contextValue, 'release', 'no actions');
    const draft = items.find((i) => i.releaseId === ids.draft)!;
    assert.equal(draft.state, 'draft');
  });

  it('lists an invalid release file under its project', () => {
    const [root] = buildReleaseTree([input()], { allowed, now: NOW });
    const invalid = root!.children.find((c) => c.kind === 'invalid');
    assert.ok(invalid && invalid.kind === 'invalid');
    assert.equal(invalid.label, 'broken.yaml');
    assert.match(invalid.tooltip, /3: title: Must not be empty\./);
  });

  it('shows every environment, even without releases', () => {
    const [root] = buildReleaseTree([{ project, entries: [] }], { allowed, now: NOW });
    assert.deepEqual(root!.children.map((c) => [c.label, c.description]), [
      ['dev', 'no releases'],
      ['staging', 'no releases'],
      ['production', 'no releases'],
    ]);
    assert.equal(root!.description, '0 releases');
  });

  it('summarises an environment policy for the confirm step', () => {
    assert.equal(
      policySummary({ required: 2, approvers: ['team:sre', 'lead@example.com'], requesterCanApprove: false, frozen: null, resultState: 'pending_approval' }),
      'Needs 2 approvals from team:sre, lead@example.com, not from you · starts as pending approval',
    );
    assert.equal(
      policySummary({ required: 0, approvers: [], requesterCanApprove: false, frozen: { reason: 'Peak season', until: '2026-12-02T00:00:00Z' }, resultState: 'draft' }),
      'No approval needed · starts as draft · frozen: Peak season until 2026-12-02T00:00:00Z (deploy refused)',
    );
  });
});

function collect(node: { children?: unknown[] } & object): ReleaseItemNode[] {
  const out: ReleaseItemNode[] = [];
  const walk = (n: { kind?: string; children?: unknown[] }) => {
    if (n.kind === 'release') out.push(n as ReleaseItemNode);
    for (const c of n.children ?? []) walk(c as { kind?: string; children?: unknown[] });
  };
  walk(node);
  return out;
}
