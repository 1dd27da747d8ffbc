import * as assert from 'node:assert/strict';
import { SECRET_MASK } from '../../../src/protocol/compare';
import { fileDiffSchema } from '../../../src/protocol/release';
import { MAX_DIFF_LINES, auditOptions, fileDiff, maskAuditEntry, maskSecretText, mergeCandidates } from '../../../src/vscode/webviews/releaseViews';

const VARIABLES_BEFORE = `repo:
  LOG_LEVEL: info
  API_KEY:
    secret: true
    value: live-key-0001
env:
  dev:
    API_KEY:
      value: "sandbox-key-1"
      secret: true
      description: Sandbox
`;

describe('release panel view models', () => {
  describe('maskSecretText', () => {
    it('masks the value of every secret: true variable, wherever the value sits in the mapping', () => {
      const { text, masked } = maskSecretText(VARIABLES_BEFORE, []);
      assert.ok(masked);
      assert.ok(!text.includes('live-key-0001') && !text.includes('sandbox-key-1'), text);
      assert.equal(text.split(SECRET_MASK).length - 1, 2);
      assert.ok(text.includes('LOG_LEVEL: info'), 'other values stay');
    });

    it('masks known secret values anywhere (belt and braces) and leaves clean text alone', () => {
      assert.deepEqual(maskSecretText('token: abc-123\n', ['abc-123']), { text: `token: ${SECRET_MASK}\n`, masked: true });
      assert.deepEqual(maskSecretText('replicaCount: 2\n', ['abc-123', '']), { text: 'replicaCount: 2\n', masked: false });
    });

    it('survives YAML that does not parse', () => {
      assert.equal(maskSecretText('a: [\n  secret: true\n', []).text, 'a: [\n  secret: true\n');
    });
  });

  describe('fileDiff', () => {
    it('is a unified diff with counts and line prefixes, valid on the wire', () => {
      const diff = fileDiff('values/staging/payment-api.yaml', 'image:\n  tag: "2.4.0"\nreplicaCount: 2\n', 'image:\n  tag: "2.5.0"\nreplicaCount: 2\n', []);
      assert.ok(fileDiffSchema.safeParse(diff).success);
      assert.equal(diff.added, 1);
      assert.equal(diff.removed, 1);
      assert.deepEqual(diff.hunks[0]!.lines, [' image:', '-  tag: "2.4.0"', '+  tag: "2.5.0"', ' replicaCount: 2']);
      assert.equal(diff.masked, false);
    });

    it('never carries a secret of the variables file, before or after', () => {
      const after = VARIABLES_BEFORE.replace('live-key-0001', 'live-key-0002').replace('LOG_LEVEL: info', 'LOG_LEVEL: debug');
      const diff = fileDiff('.gitopshq/variables.yaml', VARIABLES_BEFORE, after, []);
      const json = JSON.stringify(diff);
      assert.ok(!json.includes('live-key-000') && !json.includes('sandbox-key-1'), json);
      assert.ok(diff.masked);
      assert.equal(diff.added, 1, 'a secret rotation is not visible as a change; the LOG_LEVEL change is');
      assert.ok(json.includes('+  LOG_LEVEL: debug'));
    });

    it('a new file is all additions; a huge one is cut', () => {
      const added = fileDiff('a.yaml', '', 'a: 1\nb: 2\n', []);
      assert.equal(added.added, 2);
      assert.equal(added.removed, 0);
      const big = Array.from({ length: MAX_DIFF_LINES + 500 }, (_, i) => `k${i}: ${i}`).join('\n') + '\n';
      const cut = fileDiff('big.yaml', '', big, []);
      assert.ok(cut.truncated);
      assert.equal(cut.added, MAX_DIFF_LINES + 500, 'counts cover the whole file');
      assert.ok(cut.hunks.reduce((n, h) => n + h.lines.length, 0) <= MAX_DIFF_LINES);
    });
  });

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

  it('maskAuditEntry masks secret values in the summary and the release title', () => {
    const e = maskAuditEntry({ summary: 'API_KEY: old-key → new-key', releaseTitle: 'Rotate new-key', paths: [] }, ['old-key', 'new-key']);
    assert.equal(e.summary, `API_KEY: ${SECRET_MASK} → ${SECRET_MASK}`);
    assert.equal(e.releaseTitle, `Rotate ${SECRET_MASK}`);
  });
});
