import * as assert from 'node:assert/strict';
import { auditOptions, mergeCandidates } from '../../../src/core/release/releaseViews';

describe('release panel view models', () => {
  it('mergeCandidates: one row per path across tenants, grouped by workload, project-wide last', () => {
    const rows = mergeCandidates([
      {
        tenant: 'acme',
        changes: [
          { path: '.gitopshq/variables.yaml', status: 'modified', kind: 'variables', uncommitted: false },
          { path: 'values/staging/payment-api.yaml', status: 'modified', workload: 'payment-api', kind: 'layer', uncommitted: false },
          { path: 'values/staging/acme/payment-api.yaml', status: 'added', workload: 'payment-api', kind: 'layer', uncommitted: true },
        ],
      },
      {
        tenant: 'globex',
        changes: [
          { path: 'values/staging/payment-api.yaml', status: 'modified', workload: 'payment-api', kind: 'layer', uncommitted: true },
          { path: 'charts/checkout-web', status: 'added', workload: 'checkout-web', kind: 'chart', uncommitted: false },
        ],
      },
    ]);
    assert.deepEqual(
      rows.map((r) => [r.path, r.tenants.join('+'), r.uncommitted]),
      [
        ['charts/checkout-web', 'globex', false],
        ['values/staging/acme/payment-api.yaml', 'acme', true],
        ['values/staging/payment-api.yaml', 'acme+globex', true],
        ['.gitopshq/variables.yaml', 'acme', false],
      ],
    );
  });

  it('auditOptions lists each environment, workload, person (by email) and action once, sorted', () => {
    const entry = (who: { name: string; email: string }, action: 'approved' | 'changed', environment?: string, workloads: string[] = []) => ({ who, action, workloads, ...(environment ? { environment } : {}) });
    const options = auditOptions([
      entry({ name: 'Sam', email: 'sam@example.com' }, 'approved', 'staging', ['payment-api']),
      entry({ name: 'Sam S.', email: 'SAM@example.com' }, 'changed', 'production', ['checkout-web', 'payment-api']),
      entry({ name: 'Dana', email: 'dana@example.com' }, 'changed'),
    ]);
    assert.deepEqual(options, {
      environments: ['production', 'staging'],
      workloads: ['checkout-web', 'payment-api'],
      people: [
        { email: 'dana@example.com', name: 'Dana' },
        { email: 'sam@example.com', name: 'Sam' },
      ],
      actions: ['approved', 'changed'],
    });
  });
});
