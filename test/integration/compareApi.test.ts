// The public compare() API on the demo repository: expectations are read from the repository's
// own files, so that editing the demo does not break the suite for the wrong reason.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import type { ApiCompareResult, ApiWorkloadComparison, GitOpsHqApi } from '../../src/api/gitopshq';
import { closeWithoutSaving, waitFor, workspaceRoot } from './support';

const SLUG = 'payment-platform';
const MASK = '••••••';

async function api(): Promise<GitOpsHqApi> {
  return vscode.extensions.getExtension<GitOpsHqApi>('gitopshq.gitopshq-vscode')!.activate();
}

async function yamlFile(rel: string): Promise<Record<string, unknown> | undefined> {
  try {
    return parse(await fs.readFile(path.join(workspaceRoot(), rel), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** payment-api's image.tag for (env, tenant): the last layer that sets it wins, as in the manifest. */
async function expectedTag(env: string, tenant: string): Promise<{ tag: string; file: string }> {
  const candidates = ['charts/payment-api/values.yaml', 'values/base/payment-api.yaml', `values/${env}/payment-api.yaml`, `values/${env}/${tenant}/payment-api.yaml`];
  let found: { tag: string; file: string } | undefined;
  for (const rel of candidates) {
    const image = (await yamlFile(rel))?.['image'] as { tag?: unknown } | undefined;
    if (image?.tag !== undefined) found = { tag: String(image.tag), file: path.join(workspaceRoot(), rel) };
  }
  assert.ok(found, `no image.tag for payment-api in ${env}`);
  return found;
}

function workload(result: ApiCompareResult, name: string): ApiWorkloadComparison {
  const w = result.workloads.find((x) => x.name === name);
  assert.ok(w, `no workload ${name} in the comparison`);
  return w;
}

async function secretValues(): Promise<string[]> {
  const out: string[] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record['secret'] === true && record['value'] !== undefined) out.push(String(record['value']));
    for (const child of Object.values(record)) visit(child);
  };
  visit(await yamlFile('.gitopshq/variables.yaml'));
  return out;
}

describe('Extension API: compare()', () => {
  it('compares staging with production for acme: image tag, database URL, typed values, equal values absent', async () => {
    const gitopshq = await api();
    const result = gitopshq.compare(SLUG, 'staging', 'production', { tenant: 'acme' });
    const paymentApi = workload(result, 'payment-api');
    assert.deepEqual(
      result.workloads.map((w) => w.name),
      gitopshq.projects().find((p) => p.slug === SLUG)!.workloads,
    );

    const staging = await expectedTag('staging', 'acme');
    const production = await expectedTag('production', 'acme');
    assert.notEqual(staging.tag, production.tag, 'the demo has different tags in staging and production');
    assert.deepEqual(paymentApi.imageTag, { source: staging.tag, target: production.tag });
    const tag = paymentApi.differences.find((d) => d.path === 'image.tag');
    assert.ok(tag, 'image.tag differs');
    assert.deepEqual([tag.source, tag.target], [staging.tag, production.tag]);
    assert.equal(tag.sourceOrigin?.file, staging.file);
    assert.equal(tag.targetOrigin?.file, production.file);
    const lines = (await fs.readFile(production.file, 'utf8')).split('\n');
    assert.match(lines[tag.targetOrigin!.line - 1]!, /^\s*tag:/, 'origins are 1-based lines');

    const vars = (await yamlFile('.gitopshq/variables.yaml')) as { env: Record<string, Record<string, unknown>> };
    const url = paymentApi.differences.find((d) => d.path === 'config.database.url');
    assert.ok(url, 'config.database.url differs');
    assert.ok(String(url.source).includes(String(vars.env['staging']!['DATABASE_HOST'])), String(url.source));
    assert.ok(String(url.target).includes(String(vars.env['production']!['DATABASE_HOST'])), String(url.target));

    // Equal values are absent; every difference really differs; types are kept.
    for (const w of result.workloads) {
      for (const d of w.differences) assert.notDeepEqual(d.source, d.target, `${w.name} ${d.path} is listed but equal`);
    }
    assert.equal(paymentApi.differences.some((d) => d.path === 'service.port' || d.path === 'image.repository'), false);
    const replicas = paymentApi.differences.find((d) => d.path === 'replicaCount');
    if (replicas) assert.equal(typeof replicas.target, 'number');

    // Findings are one-line messages with a severity.
    for (const f of result.findings) {
      assert.ok(['error', 'warning', 'info'].includes(f.severity));
      assert.equal(f.message.includes('\n'), false);
    }
  });

  it('shows secrets as •••••• and never returns a secret value', async () => {
    const gitopshq = await api();
    const secrets = await secretValues();
    assert.ok(secrets.length > 0, 'the demo has secrets with a value');
    // dev has its own secret PAYMENT_PROVIDER_API_KEY; staging gets the repo one (supplied at delivery).
    const result = gitopshq.compare(SLUG, 'dev', 'staging', { tenant: 'acme' });
    const apiKey = workload(result, 'payment-api').differences.find((d) => d.path === 'config.paymentProvider.apiKey');
    assert.ok(apiKey, 'the two environments use different secrets');
    assert.deepEqual([apiKey.source, apiKey.target], [MASK, MASK]);
    for (const r of [result, gitopshq.compare(SLUG, 'staging', 'production', { tenant: 'acme' }), gitopshq.compare(SLUG, 'dev', 'production', { tenant: 'globex', raw: true })]) {
      const json = JSON.stringify(r);
      for (const secret of secrets) assert.equal(json.includes(secret), false, 'a secret value was returned');
    }
    // The same secret on both sides is equal, hence absent.
    const same = workload(gitopshq.compare(SLUG, 'staging', 'production', { tenant: 'acme' }), 'payment-api');
    assert.equal(same.differences.some((d) => d.path === 'config.paymentProvider.apiKey'), false);
  });

  it('raw mode compares before substitution: placeholders as written', async () => {
    const gitopshq = await api();
    const raw = gitopshq.compare(SLUG, 'staging', 'production', { tenant: 'acme', raw: true });
    // Written once in the base layer: equal before substitution.
    assert.equal(workload(raw, 'payment-api').differences.some((d) => d.path === 'config.database.url'), false);
    const placeholders = raw.workloads.flatMap((w) => w.differences).filter((d) => /\{\{\s*hq\.var\./.test(JSON.stringify([d.source, d.target])));
    assert.ok(placeholders.length > 0, 'raw differences show placeholders');
    const substituted = gitopshq.compare(SLUG, 'staging', 'production', { tenant: 'acme' });
    const paths = new Set(placeholders.map((d) => d.path));
    for (const w of substituted.workloads) {
      for (const d of w.differences) {
        if (paths.has(d.path)) assert.doesNotMatch(JSON.stringify([d.source, d.target]), /\{\{\s*hq\.var\./);
      }
    }
  });

  it('includes unsaved editor content', async () => {
    const gitopshq = await api();
    const file = path.join(workspaceRoot(), 'values/production/payment-api.yaml');
    const doc = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(doc);
    const match = /tag: "?([^"\n]+)"?/.exec(doc.getText());
    assert.ok(match, 'the production values set image.tag');
    try {
      await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(match.index), doc.positionAt(match.index + match[0].length)), 'tag: "9.9.9"'));
      const result = await waitFor(() => {
        const r = gitopshq.compare(SLUG, 'staging', 'production', { tenant: 'acme' });
        return workload(r, 'payment-api').imageTag.target === '9.9.9' ? r : undefined;
      }, 'compare to see the unsaved tag');
      // 9.9.9 in production is newer than staging's tag: the tag goes backwards along the promotion order.
      assert.ok(result.findings.some((f) => f.workload === 'payment-api' && f.path === 'image.tag' && f.severity === 'warning'), JSON.stringify(result.findings));
    } finally {
      await closeWithoutSaving(doc);
    }
    const saved = await expectedTag('production', 'acme');
    await waitFor(() => workload(gitopshq.compare(SLUG, 'staging', 'production', { tenant: 'acme' }), 'payment-api').imageTag.target === saved.tag, 'the saved tag after revert');
  });

  it('rejects unknown projects, environments and tenants with the API errors', async () => {
    const gitopshq = await api();
    assert.throws(() => gitopshq.compare(SLUG, 'staging', 'qa'), /no environment "qa" \(it has dev, staging, production\)/);
    assert.throws(() => gitopshq.compare(SLUG, 'qa', 'production'), /no environment "qa"/);
    assert.throws(() => gitopshq.compare(SLUG, 'staging', 'production', { tenant: 'initech' }), /no tenant "initech"/);
    assert.throws(() => gitopshq.compare('no-such-project', 'staging', 'production'), /No GitOpsHQ project with slug "no-such-project"/);
  });
});
