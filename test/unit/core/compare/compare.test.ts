import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { compareEnvironments, renderEffectiveYaml, type CompareResult, type Difference, type WorkloadComparison } from '../../../../src/core/compare/compare';
import { GitOpsHqError } from '../../../../src/core/errors';
import { ProjectIndex } from '../../../../src/core/model/projectIndex';
import { SECRET_MASK } from '../../../../src/core/types';
import { createApi } from '../../../../src/vscode/api';
import { MemoryFileSystem } from '../../../support/memoryFileSystem';

const P = '/ws/pay';

const SECRETS = ['s3cr3t-staging-pass', 's3cr3t-production-pass', 'shared-token-value', 'acme-staging-key', 'acme-production-key'];

function files(): Record<string, string> {
  return {
    [`${P}/gitopshq.yaml`]: `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: Pay, slug: pay }
spec:
  environments:
    - name: dev
    - name: staging
    - name: production
  tenants: [acme, globex]
  workloads:
    - name: api
      chart: charts/api
      values:
        - values/base/{workload}.yaml
        - values/{env}/{workload}.yaml
        - values/{env}/{tenant}/{workload}.yaml
    - name: worker
      chart: charts/worker
      values: values/{env}/{workload}.yaml
    - name: web
      chart: charts/worker
      values: values/{env}/{workload}.yaml
`,
    [`${P}/.gitopshq/variables.yaml`]: `repo:
  LOG_LEVEL: info
  TOKEN: { value: shared-token-value, secret: true }
  DELIVERED: { secret: true }
env:
  dev:
    DATABASE_HOST: dev-db.internal
  staging:
    DATABASE_HOST: staging-db.internal
    DB_PASSWORD: { value: s3cr3t-staging-pass, secret: true }
    REPLICAS: 2
    ONLY_STAGING: here
  production:
    DATABASE_HOST: prod-db.internal
    DB_PASSWORD: { value: s3cr3t-production-pass, secret: true }
    REPLICAS: 3
tenant:
  acme: { REGION: eu-west-1 }
  globex: { REGION: us-east-1 }
svc:
  acme:
    staging:
      api: { API_KEY: { value: acme-staging-key, secret: true }, POOL: 10 }
    production:
      api: { API_KEY: { value: acme-production-key, secret: true }, POOL: 40 }
  globex:
    staging:
      api: { API_KEY: { value: acme-staging-key, secret: true } }
    production:
      api: { API_KEY: { value: acme-staging-key, secret: true } }
`,
    [`${P}/charts/api/Chart.yaml`]: 'apiVersion: v2\nname: api\nversion: 1.0.0\n',
    [`${P}/charts/api/values.yaml`]: `replicaCount: 1
image:
  repository: registry.example.com/api
  tag: "1.0.0"
service:
  port: 8080
hosts: []
extra: {}
`,
    [`${P}/charts/worker/Chart.yaml`]: 'apiVersion: v2\nname: worker\nversion: 1.0.0\n',
    [`${P}/charts/worker/values.yaml`]: 'image:\n  tag: "0.1.0"\n',
    [`${P}/values/base/api.yaml`]: `replicaCount: "{{hq.var.REPLICAS}}"
config:
  logLevel: "{{hq.var.LOG_LEVEL}}"
  region: "{{ hq.var.REGION }}"
  database:
    url: "postgres://{{hq.var.DATABASE_HOST}}:5432/app"
    password: "{{hq.var.DB_PASSWORD}}"
    dsn: "postgres://app:{{hq.var.DB_PASSWORD}}@db/app"
  token: "{{hq.var.TOKEN}}"
  delivered: "{{hq.var.DELIVERED}}"
  apiKey: "{{hq.var.API_KEY}}"
  pool: "{{hq.var.POOL}}"
`,
    [`${P}/values/staging/api.yaml`]: `image:
  tag: "2.4.1"
ingress:
  host: api.staging.example.com
hosts:
  - a.example.com
  - b.example.com
ports: [80, 443]
timeout: 8
onlyInStaging: true
mode: [fast]
feature:
  flag: "{{hq.var.ONLY_STAGING}}"
`,
    [`${P}/values/production/api.yaml`]: `image:
  tag: "2.4.0"
ingress:
  host: api.example.com
hosts:
  - a.example.com
ports: [80, 8443, 9000]
timeout: "8"
onlyInProduction: 1
mode: fast
feature:
  flag: "{{hq.var.ONLY_STAGING}}"
`,
    [`${P}/values/staging/worker.yaml`]: 'image:\n  tag: main-abc123\n',
    [`${P}/values/dev/web.yaml`]: 'image:\n  tag: "1.0.0"\n',
  };
}

async function indexOf(extra: Record<string, string> = {}): Promise<ProjectIndex> {
  const fs = new MemoryFileSystem({ ...files(), ...extra });
  const index = new ProjectIndex(fs);
  await index.scan(['/ws']);
  await index.settled();
  return index;
}

async function compare(
  input: { source: string; target: string; tenant?: string; raw?: boolean; includeEqual?: boolean; chartVersions?: Record<string, string> },
  extra?: Record<string, string>): Promise<CompareResult> {
  return compareEnvironments(await indexOf(extra), { project: 'pay', ...input });
}

function workload(result: CompareResult, name: string): WorkloadComparison {
  const w = result.workloads.find((x) => x.name === name);
  assert.ok(w, `no workload ${name}`);
  return w;
}

function diff(w: WorkloadComparison, path: string): Difference | undefined {
  return w.differences.find((d) => d.path === path);
}

describe('compareEnvironments', () => {
  it('reports changed, added and removed leaves with typed values and 1-based origins; equal values are absent', async () => {
    const result = await compare({ source: 'staging', target: 'production', tenant: 'acme' });
    assert.deepEqual(
      [result.project, result.source, result.target, result.tenant, result.raw],
      ['pay', 'staging', 'production', 'acme', false],
    );
    const api = workload(result, 'api');
    assert.equal(api.chart, 'charts/api');
    assert.deepEqual(api.bound, { source: true, target: true });

    assert.deepEqual(diff(api, 'ingress.host'), {
      path: 'ingress.host',
      source: 'api.staging.example.com',
      target: 'api.example.com',
      kind: 'changed',
      sourceOrigin: { file: `${P}/values/staging/api.yaml`, line: 4 },
      targetOrigin: { file: `${P}/values/production/api.yaml`, line: 4 },
    });
    // Typed: 8 and "8" differ; variables substituted with their type.
    assert.deepEqual([diff(api, 'timeout')?.source, diff(api, 'timeout')?.target], [8, '8']);
    assert.deepEqual([diff(api, 'replicaCount')?.source, diff(api, 'replicaCount')?.target], [2, 3]);
    assert.deepEqual(diff(api, 'replicaCount')?.sourceOrigin, { file: `${P}/values/base/api.yaml`, line: 1 });

    const removed = diff(api, 'onlyInStaging');
    assert.equal(removed?.kind, 'removed');
    assert.equal(removed?.source, true);
    assert.equal('target' in removed!, false);
    assert.equal('targetOrigin' in removed!, false);
    assert.deepEqual(removed?.sourceOrigin, { file: `${P}/values/staging/api.yaml`, line: 10 });
    const added = diff(api, 'onlyInProduction');
    assert.equal(added?.kind, 'added');
    assert.equal(added?.target, 1);
    assert.equal('source' in added!, false);
    assert.deepEqual(added?.targetOrigin, { file: `${P}/values/production/api.yaml`, line: 9 });

    // Equal values are absent (from the chart, and substituted equal on both sides).
    for (const path of ['service.port', 'image.repository', 'config.logLevel', 'config.region', 'hosts[0]', 'ports[0]', 'extra']) {
      assert.equal(diff(api, path), undefined, path);
    }
    // Every difference really differs, and comes with the origin of each side that has the key.
    for (const d of api.differences) {
      if (d.kind !== 'added') assert.ok(d.sourceOrigin, `source origin of ${d.path}`);
      if (d.kind !== 'removed') assert.ok(d.targetOrigin, `target origin of ${d.path}`);
    }
  });

  it('compares lists item by item ([n] paths) and reports a list replaced by a scalar at its path', async () => {
    const api = workload(await compare({ source: 'staging', target: 'production', tenant: 'acme' }), 'api');
    assert.deepEqual(diff(api, 'hosts[1]'), {
      path: 'hosts[1]',
      source: 'b.example.com',
      kind: 'removed',
      sourceOrigin: { file: `${P}/values/staging/api.yaml`, line: 7 },
    });
    assert.deepEqual([diff(api, 'ports[1]')?.kind, diff(api, 'ports[1]')?.source, diff(api, 'ports[1]')?.target], ['changed', 443, 8443]);
    assert.deepEqual([diff(api, 'ports[2]')?.kind, diff(api, 'ports[2]')?.target], ['added', 9000]);
    assert.deepEqual([diff(api, 'mode')?.kind, diff(api, 'mode')?.source, diff(api, 'mode')?.target], ['changed', ['fast'], 'fast']);
    assert.equal(diff(api, 'mode[0]'), undefined);
  });

  it('recurses into a map that exists on one side only, leaf by leaf', async () => {
    const result = await compare(
      { source: 'staging', target: 'production', tenant: 'acme' },
      { [`${P}/values/production/acme/api.yaml`]: 'tls:\n  enabled: true\n  hosts: [x.example.com]\n  annotations: {}\n' },
    );
    const api = workload(result, 'api');
    assert.deepEqual(
      api.differences.filter((d) => d.path.startsWith('tls')).map((d) => [d.path, d.kind, d.target, d.targetOrigin?.line]),
      [
        ['tls.enabled', 'added', true, 2],
        ['tls.hosts[0]', 'added', 'x.example.com', 3],
        ['tls.annotations', 'added', {}, 4],
      ],
    );
  });

  it('compares after substitution, and in raw mode before it (placeholders as written)', async () => {
    const substituted = workload(await compare({ source: 'staging', target: 'production', tenant: 'acme' }), 'api');
    assert.deepEqual([diff(substituted, 'config.database.url')?.source, diff(substituted, 'config.database.url')?.target], [
      'postgres://staging-db.internal:5432/app',
      'postgres://prod-db.internal:5432/app',
    ]);

    const result = await compare({ source: 'staging', target: 'production', tenant: 'acme', raw: true });
    assert.equal(result.raw, true);
    const raw = workload(result, 'api');
    // Written identically in the base layer: no difference before substitution.
    assert.equal(diff(raw, 'config.database.url'), undefined);
    assert.equal(diff(raw, 'replicaCount'), undefined);
    assert.equal(diff(raw, 'config.database.password'), undefined);
    // Differences written in the files remain, with placeholders where the files have them.
    assert.deepEqual([diff(raw, 'ingress.host')?.source, diff(raw, 'ingress.host')?.target], ['api.staging.example.com', 'api.example.com']);
    assert.equal(diff(raw, 'ingress.host')?.sourceOrigin?.line, 4);
    const rawDev = workload(
      await compare(
        { source: 'staging', target: 'production', tenant: 'acme', raw: true },
        { [`${P}/values/production/api.yaml`]: 'image:\n  tag: "{{hq.var.TAG}}"\n' },
      ),
      'api',
    );
    assert.equal(diff(rawDev, 'image.tag')?.target, '{{hq.var.TAG}}');
    assert.equal(rawDev.imageTag.target, '{{hq.var.TAG}}');
    // Raw mode still lists the variables whose resolution differs.
    assert.ok(raw.variables.some((v) => v.key === 'DATABASE_HOST'));
  });

  it('compares secrets by hash, shows them masked, and never puts a secret value or its hash in the result', async () => {
    const result = await compare({ source: 'staging', target: 'production', tenant: 'acme' });
    const api = workload(result, 'api');
    // Different secret values: reported, masked on both sides.
    assert.deepEqual(
      { ...diff(api, 'config.database.password'), sourceOrigin: undefined, targetOrigin: undefined },
      { path: 'config.database.password', source: SECRET_MASK, target: SECRET_MASK, kind: 'changed', secret: true, sourceOrigin: undefined, targetOrigin: undefined },
    );
    // A secret inside a longer string: masked in place.
    assert.deepEqual([diff(api, 'config.database.dsn')?.source, diff(api, 'config.database.dsn')?.secret], ['postgres://app:••••••@db/app', true]);
    // svc-scoped secrets with different values per environment differ.
    assert.equal(diff(api, 'config.apiKey')?.secret, true);
    // The same secret on both sides (repo scope), and the same secret supplied at delivery: equal.
    assert.equal(diff(api, 'config.token'), undefined);
    assert.equal(diff(api, 'config.delivered'), undefined);

    const json = JSON.stringify(result);
    for (const secret of SECRETS) {
      assert.equal(json.includes(secret), false, `the result reveals ${secret}`);
      for (const encoding of ['hex', 'base64'] as const) {
        for (const input of [secret, JSON.stringify(secret)]) {
          assert.equal(json.includes(createHash('sha256').update(input).digest(encoding)), false, 'the result holds a secret hash');
        }
      }
    }
    const secretVar = api.variables.find((v) => v.key === 'DB_PASSWORD');
    assert.deepEqual(secretVar, {
      key: 'DB_PASSWORD',
      source: { defined: true, display: SECRET_MASK, scope: 'env' },
      target: { defined: true, display: SECRET_MASK, scope: 'env' },
    });
    assert.equal(api.variables.some((v) => v.key === 'TOKEN'), false);
  });

  it('reports two different secrets with the same value as equal (compared by value, not by definition)', async () => {
    // globex: API_KEY is defined per environment with the same value.
    const api = workload(await compare({ source: 'staging', target: 'production', tenant: 'globex' }), 'api');
    assert.equal(diff(api, 'config.apiKey'), undefined);
    assert.equal(api.variables.some((v) => v.key === 'API_KEY'), false);
  });

  it('lists the HQ Variables whose resolution differs, with scope and display', async () => {
    const api = workload(await compare({ source: 'staging', target: 'production', tenant: 'acme' }), 'api');
    assert.deepEqual(
      api.variables.map((v) => v.key),
      ['API_KEY', 'DATABASE_HOST', 'DB_PASSWORD', 'ONLY_STAGING', 'POOL', 'REPLICAS'],
    );
    assert.deepEqual(api.variables.find((v) => v.key === 'DATABASE_HOST'), {
      key: 'DATABASE_HOST',
      source: { defined: true, display: 'staging-db.internal', scope: 'env' },
      target: { defined: true, display: 'prod-db.internal', scope: 'env' },
    });
    assert.deepEqual(api.variables.find((v) => v.key === 'ONLY_STAGING'), {
      key: 'ONLY_STAGING',
      source: { defined: true, display: 'here', scope: 'env' },
      target: { defined: false, display: '(not defined)' },
    });
    assert.deepEqual(api.variables.find((v) => v.key === 'POOL')?.target, { defined: true, display: '40', scope: 'svc' });
  });

  it('compares one tenant: tenant- and svc-scoped variables follow it', async () => {
    const acme = workload(await compare({ source: 'staging', target: 'production', tenant: 'acme' }), 'api');
    const globex = await compare({ source: 'staging', target: 'production', tenant: 'globex' });
    assert.equal(globex.tenant, 'globex');
    const g = workload(globex, 'api');
    // POOL is svc-scoped for acme only: substituted there (10 vs 40), left as written for globex.
    assert.deepEqual([diff(acme, 'config.pool')?.source, diff(acme, 'config.pool')?.target], [10, 40]);
    assert.equal(diff(g, 'config.pool'), undefined);
    assert.ok(globex.findings.some((f) => f.code === 'undefined-variable' && f.message.includes('hq.var.POOL')));
    // The tenant's REGION is the same in both environments: no difference, for either tenant.
    assert.equal(diff(g, 'config.region'), undefined);
    // The default tenant is the first one.
    const def = await compare({ source: 'staging', target: 'production' });
    assert.equal(def.tenant, 'acme');
    // Comparing across tenants = compare a tenant-specific layer.
    const layered = await compare(
      { source: 'staging', target: 'production', tenant: 'globex' },
      { [`${P}/values/production/globex/api.yaml`]: 'config:\n  region: "{{hq.var.REGION}}-b"\n' },
    );
    assert.deepEqual(
      [diff(workload(layered, 'api'), 'config.region')?.source, diff(workload(layered, 'api'), 'config.region')?.target],
      ['us-east-1', 'us-east-1-b'],
    );
  });

  it('reports each side\'s bound state, and a workload bound in the source but not in the target', async () => {
    const result = await compare({ source: 'staging', target: 'production', tenant: 'acme' });
    assert.deepEqual(workload(result, 'worker').bound, { source: true, target: false });
    assert.deepEqual(workload(result, 'web').bound, { source: false, target: false });
    assert.deepEqual(workload(result, 'web').differences, []);
    const finding = result.findings.find((f) => f.code === 'not-bound-in-target');
    assert.deepEqual(finding, {
      severity: 'warning',
      code: 'not-bound-in-target',
      message: 'worker has values for staging but none for production (tenant acme): it would not be deployed there.',
      workload: 'worker',
      side: 'target',
    });
    assert.equal(result.findings.filter((f) => f.workload === 'web').length, 0);
    // The other way round: an info.
    const reverse = await compare({ source: 'production', target: 'staging', tenant: 'acme' });
    assert.equal(reverse.findings.find((f) => f.workload === 'worker')?.code, 'not-bound-in-source');
    assert.equal(reverse.findings.find((f) => f.workload === 'worker')?.severity, 'info');
  });

  it('finds a variable undefined in one side', async () => {
    const result = await compare({ source: 'staging', target: 'production', tenant: 'acme' });
    const undefinedVars = result.findings.filter((f) => f.code === 'undefined-variable');
    assert.deepEqual(undefinedVars, [
      {
        severity: 'error',
        code: 'undefined-variable',
        message: 'api: hq.var.ONLY_STAGING is not defined for production (tenant acme), though it is for staging; feature.flag keeps the placeholder as written.',
        workload: 'api',
        path: 'feature.flag',
        side: 'target',
      },
    ]);
    // Shown as written on the target side.
    assert.deepEqual(diff(workload(result, 'api'), 'feature.flag')?.target, '{{hq.var.ONLY_STAGING}}');
  });

  it('finds another environment\'s env-scoped value in a value, and another environment\'s name', async () => {
    const result = await compare(
      { source: 'staging', target: 'production', tenant: 'acme' },
      {
        [`${P}/values/production/acme/api.yaml`]: [
          'cache:',
          '  host: staging-db.internal',
          '  url: redis://staging-db.internal:6379',
          'callback: https://hooks.staging.example.com/pay',
          'docs: https://example.com/staging-guide',
          'ok1: https://stagingarea.example.com',
          'ok2: /dev/termination-log',
          'ok3: production.example.com',
          '',
        ].join('\n'),
      },
    );
    const cross = result.findings.filter((f) => f.code === 'cross-env-value');
    assert.deepEqual(
      cross.map((f) => [f.severity, f.path, f.side, f.message]),
      [
        [
          'error',
          'cache.host',
          'target',
          'api: production value of cache.host is "staging-db.internal", the staging value of DATABASE_HOST (set in values/production/acme/api.yaml line 2).',
        ],
        [
          'error',
          'cache.url',
          'target',
          'api: production value of cache.url contains "staging-db.internal", the staging value of DATABASE_HOST (set in values/production/acme/api.yaml line 3).',
        ],
      ],
    );
    const names = result.findings.filter((f) => f.code === 'env-name-in-value');
    assert.deepEqual(
      names.map((f) => [f.severity, f.path, f.side]),
      [
        ['warning', 'callback', 'target'],
        ['warning', 'docs', 'target'],
      ],
    );
    assert.equal(names[0]?.message, 'api: production value of callback contains "staging", the name of another environment (set in values/production/acme/api.yaml line 4).');
    // The staging side's own values (api.staging.example.com) raise nothing.
    assert.equal(result.findings.some((f) => f.side === 'source' && f.code !== 'undefined-variable'), false);
  });

  it('judges only what the environment\'s own layers or variables put there, skips common values and says why', async () => {
    const result = await compare(
      { source: 'staging', target: 'production', tenant: 'acme' },
      {
        [`${P}/.gitopshq/variables.yaml`]: [
          'env:',
          '  dev: { LOG_LEVEL: debug, DB: dev-db.internal }',
          '  staging: { LOG_LEVEL: warn, DB: staging-db.internal }',
          '  production: { LOG_LEVEL: error, DB: prod-db.internal, DOCS: "https://staging.docs.example.com" }',
          '',
        ].join('\n'),
        // Chart defaults, equal on both sides: the words and names in them are the chart's.
        [`${P}/charts/worker/values.yaml`]: [
          'image:',
          '  tag: "0.1.0"',
          'runbookUrl: https://runbooks.prometheus-operator.dev/runbooks',
          'args: ["--collector.filesystem.mount-points-exclude=^/(dev|proc|sys)($|/)"]',
          'localPath: /dev',
          'inhibit: "severity=warn, level=debug"',
          'devUrl: https://dev.example.com',
          '',
        ].join('\n'),
        // A base layer shared by every environment is not this environment's doing either.
        [`${P}/values/base/api.yaml`]: 'legacy: https://dev-db.internal/old\n',
        [`${P}/values/staging/worker.yaml`]: 'image:\n  tag: "0.1.0"\n',
        [`${P}/values/production/worker.yaml`]: [
          'image:',
          '  tag: "0.1.0"',
          'logLevel: debug',
          'filter: "level=warn"',
          'docsHost: example.dev',
          'mount: /mnt/dev/x',
          'feed: https://dev.example.com/feed',
          'db: dev-db.internal',
          'docs: "{{hq.var.DOCS}}"',
          '',
        ].join('\n'),
      },
    );
    const found = result.findings
      .filter((f) => f.code === 'cross-env-value' || f.code === 'env-name-in-value')
      .map((f) => [f.workload, f.path, f.message]);
    assert.deepEqual(found, [
      ['worker', 'db', 'worker: production value of db is "dev-db.internal", the dev value of DB (set in values/production/worker.yaml line 8).'],
      ['worker', 'feed', 'worker: production value of feed contains "dev", the name of another environment (set in values/production/worker.yaml line 7).'],
      ['worker', 'docs', 'worker: production value of docs contains "staging", the name of another environment (put there by hq.var.DOCS).'],
    ]);
  });

  it('does not flag a foreign value that the environment\'s own value contains', async () => {
    const result = await compare(
      { source: 'staging', target: 'production', tenant: 'acme' },
      {
        [`${P}/.gitopshq/variables.yaml`]: 'env:\n  staging:\n    HOST: db.internal\n  production:\n    HOST: prod.db.internal\n',
        [`${P}/values/production/web.yaml`]: 'url: "https://{{hq.var.HOST}}/x"\n',
        [`${P}/values/staging/web.yaml`]: 'url: "https://{{hq.var.HOST}}/x"\n',
      },
    );
    assert.deepEqual(result.findings.filter((f) => f.workload === 'web'), []);
  });

  it('warns when an image tag goes backwards along the promotion order (semver), not for a pending promotion', async () => {
    // staging 2.4.1, production 2.4.0: a promotion is pending, normal.
    const normal = await compare({ source: 'staging', target: 'production', tenant: 'acme' });
    assert.deepEqual(workload(normal, 'api').imageTag, { source: '2.4.1', target: '2.4.0' });
    assert.equal(normal.findings.some((f) => f.code === 'image-tag-backwards'), false);

    const ahead = { [`${P}/values/production/acme/api.yaml`]: 'image:\n  tag: "2.5.0"\n' };
    const backwards = await compare({ source: 'staging', target: 'production', tenant: 'acme' }, ahead);
    assert.deepEqual(backwards.findings.filter((f) => f.code === 'image-tag-backwards'), [
      {
        severity: 'warning',
        code: 'image-tag-backwards',
        message: 'api: production runs image tag 2.5.0, newer than 2.4.1 in staging, which comes before it in the promotion order.',
        workload: 'api',
        path: 'image.tag',
        side: 'target',
      },
    ]);
    // The order of the comparison does not matter: the promotion order does.
    const reversed = await compare({ source: 'production', target: 'staging', tenant: 'acme' }, ahead);
    assert.equal(reversed.findings.find((f) => f.code === 'image-tag-backwards')?.side, 'source');

    // Tags that are not semver: compared as text for equality only.
    const text = await compare(
      { source: 'staging', target: 'production', tenant: 'acme' },
      { [`${P}/values/production/acme/api.yaml`]: 'image:\n  tag: main-ffff\n', [`${P}/values/staging/acme/api.yaml`]: 'image:\n  tag: main-aaaa\n' },
    );
    assert.deepEqual(workload(text, 'api').imageTag, { source: 'main-aaaa', target: 'main-ffff' });
    assert.equal(diff(workload(text, 'api'), 'image.tag')?.kind, 'changed');
    assert.equal(text.findings.some((f) => f.code === 'image-tag-backwards'), false);
  });

  it('deduplicates findings, orders them by severity, and counts them in the summary', async () => {
    const result = await compare(
      { source: 'staging', target: 'production', tenant: 'acme' },
      { [`${P}/values/production/acme/api.yaml`]: 'image:\n  tag: "3.0.0"\na: "{{hq.var.ONLY_STAGING}}"\nb: "x {{hq.var.ONLY_STAGING}} {{hq.var.ONLY_STAGING}}"\n' },
    );
    const keys = result.findings.map((f) => JSON.stringify(f));
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(result.findings.filter((f) => f.code === 'undefined-variable' && f.workload === 'api' && f.side === 'target').length, 1);
    const rank = { error: 0, warning: 1, info: 2 };
    const ranks = result.findings.map((f) => rank[f.severity]);
    assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b));
    assert.deepEqual(result.summary.findings, {
      error: result.findings.filter((f) => f.severity === 'error').length,
      warning: result.findings.filter((f) => f.severity === 'warning').length,
      info: result.findings.filter((f) => f.severity === 'info').length,
    });
    assert.equal(result.summary.differences, result.workloads.reduce((n, w) => n + w.differences.length, 0));
    assert.equal(result.summary.workloadsChanged, result.workloads.filter((w) => w.differences.length > 0).length);
  });

  it('includes unsaved editor content the index holds', async () => {
    const index = await indexOf();
    await index.fileChanged(`${P}/values/production/api.yaml`, 'image:\n  tag: "2.4.1"\ningress:\n  host: api.staging.example.com\n');
    const result = compareEnvironments(index, { project: 'pay', source: 'staging', target: 'production', tenant: 'acme' });
    const api = workload(result, 'api');
    assert.equal(diff(api, 'image.tag'), undefined);
    assert.equal(diff(api, 'ingress.host'), undefined);
  });

  it('comparing an environment with itself finds no difference', async () => {
    const result = await compare({ source: 'production', target: 'production', tenant: 'acme' });
    assert.equal(result.summary.differences, 0);
    assert.equal(result.findings.some((f) => f.code === 'image-tag-backwards' || f.code.startsWith('not-bound')), false);
  });

  it('with includeEqual, also returns equal leaves as kind "equal" with their origins, and counts only real differences', async () => {
    const index = await indexOf();
    const input = { project: 'pay', source: 'staging', target: 'production', tenant: 'acme' };
    const plain = compareEnvironments(index, input);
    const full = compareEnvironments(index, { ...input, includeEqual: true });
    const api = workload(full, 'api');

    assert.deepEqual(diff(api, 'service.port'), {
      path: 'service.port',
      source: 8080,
      target: 8080,
      kind: 'equal',
      sourceOrigin: { file: `${P}/charts/api/values.yaml`, line: 6 },
      targetOrigin: { file: `${P}/charts/api/values.yaml`, line: 6 },
    });
    assert.equal(diff(api, 'hosts[0]')?.kind, 'equal');
    assert.deepEqual([diff(api, 'extra')?.kind, diff(api, 'extra')?.source, diff(api, 'extra')?.target], ['equal', {}, {}]);
    // Equal after substitution: equal, even though written through a variable.
    assert.equal(diff(api, 'config.logLevel')?.kind, 'equal');
    // Real differences are the same, in the same order, as without includeEqual.
    for (const w of full.workloads) {
      const before = workload(plain, w.name);
      assert.deepEqual(w.differences.filter((d) => d.kind !== 'equal'), before.differences, w.name);
    }
    assert.ok(full.workloads.some((w) => w.differences.some((d) => d.kind === 'equal')));
    assert.deepEqual(full.summary, plain.summary);
    assert.deepEqual(full.findings, plain.findings);
    // Without it, nothing equal is listed.
    assert.ok(plain.workloads.every((w) => w.differences.every((d) => d.kind !== 'equal')));
    // Raw mode lists equal leaves too (a placeholder written identically is equal before substitution).
    const raw = workload(compareEnvironments(index, { ...input, raw: true, includeEqual: true }), 'api');
    assert.equal(diff(raw, 'config.database.url')?.kind, 'equal');
    assert.equal(diff(raw, 'config.database.url')?.source, 'postgres://{{hq.var.DATABASE_HOST}}:5432/app');
  });

  it('masks equal secret leaves like different ones, and never puts a secret value in the result', async () => {
    const result = await compare({ source: 'staging', target: 'production', tenant: 'globex', includeEqual: true });
    const equalSecrets = workload(result, 'api').differences.filter((d) => d.kind === 'equal' && d.secret);
    assert.ok(equalSecrets.length > 0, 'an equal secret leaf is listed');
    for (const d of equalSecrets) assert.deepEqual([d.source, d.target], [SECRET_MASK, SECRET_MASK], d.path);
    const json = JSON.stringify(result);
    for (const secret of SECRETS) assert.ok(!json.includes(secret), secret);
  });

  it('keeps the API compare() shape: no equal values, same result as before', async () => {
    const index = await indexOf();
    const api = createApi(index, { activation: { callMs: 0, resolvedMs: 0 }, internal: {} });
    const result = api.compare('pay', 'staging', 'production', { tenant: 'acme' });
    const core = compareEnvironments(index, { project: 'pay', source: 'staging', target: 'production', tenant: 'acme' });
    for (const w of result.workloads) {
      assert.deepEqual(w.differences.map((d) => d.path), workload(core, w.name).differences.map((d) => d.path), w.name);
      assert.ok(!w.differences.some((d) => d.path === 'service.port'), 'equal values are absent');
      for (const d of w.differences) assert.ok(!('kind' in d), 'no kind in the API shape');
      assert.ok(!('chartVersion' in w));
    }
  });

  it('passes the chart versions through by chart folder', async () => {
    const result = await compare({ source: 'staging', target: 'production', tenant: 'acme', chartVersions: { 'charts/api': '1.4.0', 'charts/other': '9.9.9' } });
    assert.equal(workload(result, 'api').chartVersion, '1.4.0');
    for (const w of result.workloads.filter((x) => x.chart !== 'charts/api')) assert.equal('chartVersion' in w, false, w.name);
    // Without the map: no chart version (the core reads no Chart.yaml).
    const plain = await compare({ source: 'staging', target: 'production', tenant: 'acme' });
    assert.ok(plain.workloads.every((w) => !('chartVersion' in w)));
  });

  it('throws GitOpsHqError for an unknown project, environment or tenant', async () => {
    const index = await indexOf();
    const attempt = (input: { project: string; source: string; target: string; tenant?: string }) => () => compareEnvironments(index, input);
    assert.throws(attempt({ project: 'nope', source: 'dev', target: 'staging' }), (e) => GitOpsHqError.is(e, 'project-not-found'));
    assert.throws(attempt({ project: 'pay', source: 'qa', target: 'staging' }), (e) => GitOpsHqError.is(e, 'environment-not-found') && /no environment "qa" \(it has dev, staging, production\)/.test(e.message));
    assert.throws(attempt({ project: 'pay', source: 'dev', target: 'qa' }), (e) => GitOpsHqError.is(e, 'environment-not-found'));
    assert.throws(attempt({ project: 'pay', source: 'dev', target: 'staging', tenant: 'initech' }), (e) => GitOpsHqError.is(e, 'tenant-not-found'));
  });
});

describe('renderEffectiveYaml', () => {
  it('renders values as YAML in their own key order, round-tripping', () => {
    const values = { zeta: 1, alpha: { b: 'two', a: [1, 'x'] }, 'x.y': true, empty: {}, long: 'a'.repeat(200) };
    const text = renderEffectiveYaml(values);
    assert.deepEqual(parse(text), values);
    assert.ok(text.indexOf('zeta') < text.indexOf('alpha'));
    assert.equal(text.split('\n').filter((l) => l.startsWith('long:')).length, 1, 'long strings are not folded');
  });
});
