import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parse } from 'yaml';
import { activate, internals, workspaceRoot } from './support';

describe('Extension API', () => {
  before(async () => {
    await internals();
  });

  it('lists the projects the fixture defines', async () => {
    const api = await activate();
    const manifest = parse(await fs.readFile(path.join(workspaceRoot(), 'gitopshq.yaml'), 'utf8')) as {
      metadata: { name: string; slug: string };
      spec: { environments: { name: string }[]; tenants: string[]; workloads: { name: string }[] };
    };
    const project = api.projects().find((p) => p.slug === manifest.metadata.slug);
    assert.deepEqual(project, {
      slug: manifest.metadata.slug,
      name: manifest.metadata.name,
      root: workspaceRoot(),
      environments: manifest.spec.environments.map((e) => e.name),
      tenants: manifest.spec.tenants,
      workloads: manifest.spec.workloads.map((w) => w.name),
    });
  });

  it('resolves variables by precedence, with 1-based sources, and never returns a secret', async () => {
    const api = await activate();
    const file = path.join(workspaceRoot(), '.gitopshq/variables.yaml');
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    const vars = parse(lines.join('\n')) as {
      env: Record<string, Record<string, unknown>>;
      svc: Record<string, Record<string, Record<string, Record<string, { value: unknown }>>>>;
    };

    const host = api.resolveVariable('payment-platform', 'DATABASE_HOST', { environment: 'staging', tenant: 'acme' });
    assert.equal(host.defined, true);
    assert.equal(host.value, vars.env['staging']!['DATABASE_HOST']);
    assert.equal(host.scope, 'env');
    assert.equal(host.source?.file, file);
    assert.match(lines[host.source!.line - 1]!, /DATABASE_HOST:/);

    const svc = api.resolveVariable('payment-platform', 'DATABASE_MAX_CONNECTIONS', {
      environment: 'production',
      tenant: 'acme',
      workload: 'payment-api',
    });
    assert.equal(svc.scope, 'svc');
    assert.equal(svc.value, vars.svc['acme']!['production']!['payment-api']!['DATABASE_MAX_CONNECTIONS']!.value);

    const secret = api.resolveVariable('payment-platform', 'PAYMENT_PROVIDER_API_KEY', { environment: 'dev', tenant: 'acme' });
    assert.equal(secret.defined, true);
    assert.equal(secret.secret, true);
    assert.equal('value' in secret, false);

    const missing = api.resolveVariable('payment-platform', 'NOT_DEFINED_ANYWHERE', { environment: 'dev' });
    assert.deepEqual({ defined: missing.defined, secret: missing.secret }, { defined: false, secret: false });
    assert.throws(() => api.resolveVariable('payment-platform', 'X', { environment: 'qa' }), /no environment "qa"/);
  });

  it('returns effective values with their sources and typed substitutions', async () => {
    const api = await activate();
    const root = workspaceRoot();
    const result = api.effectiveValues('payment-platform', 'payment-api', 'staging', 'acme');
    const values = result.values as { image: { tag: string; repository: string }; replicaCount: unknown; config: { paymentProvider: { apiKey: string } } };
    const stagingLayer = parse(await fs.readFile(path.join(root, 'values/staging/payment-api.yaml'), 'utf8')) as { image: { tag: string } };
    assert.equal(values.image.tag, stagingLayer.image.tag);
    assert.equal(result.sources['image.tag']?.file, path.join(root, 'values/staging/payment-api.yaml'));
    const lines = (await fs.readFile(path.join(root, 'values/staging/payment-api.yaml'), 'utf8')).split('\n');
    assert.match(lines[result.sources['image.tag']!.line - 1]!, /tag:/);
    assert.equal(typeof values.replicaCount, 'number', 'a whole-scalar placeholder keeps the variable type');
    assert.ok(!values.image.repository.includes('{{'), 'embedded placeholders are substituted');
    assert.equal(values.config.paymentProvider.apiKey, '••••••');
    assert.ok(Array.isArray(result.unresolved));
  });

  it('refuses unknown names with a clear error', async () => {
    const api = await activate();
    assert.throws(() => api.effectiveValues('nope', 'payment-api', 'dev'), /No GitOpsHQ project with slug "nope"/);
    assert.throws(() => api.effectiveValues('payment-platform', 'nope', 'dev'), /has no workload "nope"/);
    assert.throws(() => api.effectiveValues('payment-platform', 'payment-api', 'dev', 'initech'), /has no tenant "initech"/);
  });
});
