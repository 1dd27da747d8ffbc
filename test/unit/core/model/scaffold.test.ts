import * as assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { parseManifest } from '../../../../src/core/model/manifest';
import { buildManifest, inferLayout, slugify, sortEnvironments, type ManifestInput } from '../../../../src/core/model/scaffold';

const DEMO = path.resolve(__dirname, '../../../../../demo');

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((p) => !p.startsWith('node_modules/') && !p.startsWith('.git/'));
}

/** Parses rendered text and returns the project, failing on any error problem. */
function roundTrip(input: ManifestInput) {
  const text = buildManifest(input);
  const result = parseManifest(text, '/work/project/gitopshq.yaml');
  const errors = result.problems.filter((p) => p.severity === 'error');
  assert.deepEqual(errors, [], `the scaffold must parse without errors:\n${text}`);
  assert.ok(result.project, `no project from:\n${text}`);
  return { project: result.project, text, problems: result.problems };
}

describe('scaffold', () => {
  describe('inferLayout', () => {
    it("reads the spec's layout (base, env, env/tenant layers) from the demo repository", async () => {
      const inference = inferLayout(await listFiles(DEMO));
      assert.deepEqual(inference.environments, ['dev', 'staging', 'production']);
      assert.deepEqual(inference.tenants, ['acme', 'globex']);
      assert.deepEqual(
        inference.charts.map((c) => [c.name, c.path, c.kind]),
        [
          ['checkout-web', 'charts/checkout-web', 'Deployment'],
          ['ledger-worker', 'charts/ledger-worker', 'StatefulSet'],
          ['payment-api', 'charts/payment-api', 'Deployment'],
        ],
      );
      assert.deepEqual(inference.layers, ['values/base/{workload}.yaml', 'values/{env}/{workload}.yaml', 'values/{env}/{tenant}/{workload}.yaml']);
      const byName = new Map(inference.workloads.map((w) => [w.name, w]));
      assert.deepEqual([...byName.keys()], ['checkout-web', 'ledger-worker', 'payment-api']);
      assert.deepEqual(byName.get('payment-api')?.values, inference.layers);
      // ledger-worker has no base layer: it is not given one (as in the demo's own manifest).
      assert.deepEqual(byName.get('ledger-worker')?.values, ['values/{env}/{workload}.yaml', 'values/{env}/{tenant}/{workload}.yaml']);
      assert.equal(byName.get('ledger-worker')?.chartFound, true);
    });

    it('finds environment folders with tenants under environments/', () => {
      const inference = inferLayout([
        'charts/api/Chart.yaml',
        'charts/api/values.yaml',
        'charts/api/templates/deployment.yaml',
        'charts/worker/Chart.yaml',
        'charts/worker/templates/daemonset.yaml',
        'environments/prod/api.yaml',
        'environments/prod/eu/api.yaml',
        'environments/prod/us/api.yaml',
        'environments/qa/api.yaml',
        'environments/qa/worker.yaml',
        'environments/qa/eu/worker.yaml',
        'environments/dev/api.yml',
        'README.md',
      ]);
      assert.deepEqual(inference.environments, ['dev', 'qa', 'prod']);
      assert.deepEqual(inference.tenants, ['eu', 'us']);
      const api = inference.workloads.find((w) => w.name === 'api');
      assert.deepEqual(api?.values, ['environments/{env}/{workload}.yaml', 'environments/{env}/{workload}.yml', 'environments/{env}/{tenant}/{workload}.yaml']);
      const worker = inference.workloads.find((w) => w.name === 'worker');
      assert.equal(worker?.kind, 'DaemonSet');
      assert.deepEqual(worker?.values, ['environments/{env}/{workload}.yaml', 'environments/{env}/{tenant}/{workload}.yaml']);
    });

    it('reads the values-<env>.yaml style, in chart folders and in workload folders', () => {
      const inChart = inferLayout([
        'charts/web/Chart.yaml',
        'charts/web/values.yaml',
        'charts/web/values-staging.yaml',
        'charts/web/values-production.yaml',
        'charts/web/values-dev.yaml',
      ]);
      assert.deepEqual(inChart.environments, ['dev', 'staging', 'production']);
      assert.deepEqual(inChart.workloads.map((w) => [w.name, w.chart, w.values]), [['web', 'charts/web', ['charts/{workload}/values-{env}.yaml']]]);
      assert.deepEqual(inChart.tenants, []);

      const topLevel = inferLayout(['api/Chart.yaml', 'api/values.yaml', 'api/values-uat.yaml', 'api/values-prod.yaml', 'cron/values-prod.yaml']);
      assert.deepEqual(topLevel.environments, ['uat', 'prod']);
      assert.deepEqual(
        topLevel.workloads.map((w) => [w.name, w.chart, w.chartFound, w.values]),
        [
          ['api', 'api', true, ['{workload}/values-{env}.yaml']],
          ['cron', 'charts/cron', false, ['{workload}/values-{env}.yaml']],
        ],
      );
    });

    it('handles a chart at the root when it is given the folder name', () => {
      const inference = inferLayout(['Chart.yaml', 'values.yaml', 'values-dev.yaml', 'values-prod.yaml', 'charts/redis/Chart.yaml'], { rootName: 'shop' });
      assert.deepEqual(inference.charts.map((c) => [c.name, c.path]), [['shop', '.']], 'vendored sub-charts are not workloads');
      assert.deepEqual(inference.workloads.map((w) => w.values), [['values-{env}.yaml']]);
      assert.deepEqual(inference.environments, ['dev', 'prod']);
    });

    it('gives an empty folder nothing, and never invents environments', () => {
      const inference = inferLayout([]);
      assert.deepEqual(inference, { charts: [], environments: [], tenants: [], workloads: [], layers: [], notes: [] });
    });

    it('gives a chart without values files the usual layer', () => {
      const inference = inferLayout(['charts/web/Chart.yaml', 'charts/web/values.yaml']);
      assert.deepEqual(inference.workloads.map((w) => w.values), [['values/{env}/{workload}.yaml']]);
      assert.deepEqual(inference.environments, []);
    });

    it('skips names the manifest would reject, and says so', () => {
      const inference = inferLayout(['charts/Web_App/Chart.yaml', 'values/Prod/x.yaml', 'values/dev/Web_App.yaml', 'values/dev/ok.yaml']);
      assert.deepEqual(inference.environments, ['dev']);
      assert.deepEqual(inference.workloads.map((w) => [w.name, w.chart]), [['ok', 'charts/ok'], ['web-app', 'charts/Web_App']]);
      // The file stem is written literally when the workload name differs from it.
      assert.deepEqual(inference.workloads.find((w) => w.name === 'web-app')?.values, ['values/{env}/Web_App.yaml']);
      assert.ok(inference.notes.some((n) => n.includes('environment "Prod"')));
    });

    it('does not take files in sub folders of unknown workloads for tenants', () => {
      const inference = inferLayout(['charts/web/Chart.yaml', 'values/dev/web.yaml', 'values/dev/config/settings.yaml']);
      assert.deepEqual(inference.tenants, []);
      assert.deepEqual(inference.workloads.map((w) => w.name), ['web']);
    });
  });

  describe('sortEnvironments', () => {
    it('follows the usual promotion order, unknown names last and alphabetical', () => {
      assert.deepEqual(
        sortEnvironments(['production', 'zeta', 'qa', 'preprod', 'alpha', 'staging', 'test', 'development']),
        ['development', 'test', 'qa', 'staging', 'preprod', 'production', 'alpha', 'zeta'],
      );
      assert.deepEqual(sortEnvironments(['prod', 'uat', 'stage', 'dev', 'dev']), ['dev', 'stage', 'uat', 'prod']);
    });
  });

  describe('slugify', () => {
    it('makes valid slugs from display names', () => {
      assert.equal(slugify('Payment Service'), 'payment-service');
      assert.equal(slugify('  Café -- Crème__v2 '), 'cafe-creme-v2');
      assert.equal(slugify('***'), 'project');
      assert.match(slugify('x'.repeat(100)), /^x{63}$/);
    });
  });

  describe('buildManifest', () => {
    it('round-trips the demo layout through parseManifest', async () => {
      const inference = inferLayout(await listFiles(DEMO));
      const input: ManifestInput = {
        name: 'Payment Platform: "demo" #1',
        slug: 'payment-platform',
        environments: inference.environments,
        tenants: inference.tenants,
        workloads: inference.workloads,
      };
      const { project, problems } = roundTrip(input);
      assert.deepEqual(problems, [], 'no warnings either');
      assert.equal(project.name, input.name);
      assert.equal(project.slug, 'payment-platform');
      assert.deepEqual(project.environments.map((e) => e.name), ['dev', 'staging', 'production']);
      assert.ok(project.environments.every((e) => e.approval.required === 0 && e.approval.approvers.length === 0));
      assert.deepEqual(project.tenants, ['acme', 'globex']);
      assert.equal(project.tenantsDeclared, true);
      assert.deepEqual(
        project.workloads.map((w) => [w.name, w.chart, w.values, w.kube.kind]),
        inference.workloads.map((w) => [w.name, w.chart, w.values, w.kind]),
      );
    });

    it('round-trips an empty folder: no tenants, no workloads, a commented example', () => {
      const { project, text } = roundTrip({ name: 'empty', slug: 'empty', environments: ['dev', 'staging', 'production'], tenants: [], workloads: [] });
      assert.deepEqual(project.environments.map((e) => e.name), ['dev', 'staging', 'production']);
      assert.deepEqual(project.tenants, ['default']);
      assert.equal(project.tenantsDeclared, false);
      assert.deepEqual(project.workloads, []);
      assert.match(text, /# workloads:\n\s+# {3}- name: web/);
      assert.match(text, /#   required: 1/, 'says how to gate production');
    });

    it('quotes what YAML would misread', () => {
      const { project } = roundTrip({
        name: 'yes',
        slug: 'true',
        environments: ['1', 'null'],
        tenants: ['no', '0x1'],
        workloads: [
          { name: 'on', chart: '.', values: ['{workload}/values-{env}.yaml', '{env}.yaml'] },
          { name: 'w2', chart: 'charts/w2', values: [] },
        ],
      });
      assert.equal(project.name, 'yes');
      assert.equal(project.slug, 'true');
      assert.deepEqual(project.environments.map((e) => e.name), ['1', 'null']);
      assert.deepEqual(project.tenants, ['no', '0x1']);
      assert.deepEqual(project.workloads.map((w) => [w.name, w.chart, w.values]), [
        ['on', '.', ['{workload}/values-{env}.yaml', '{env}.yaml']],
        ['w2', 'charts/w2', ['values/{env}/{workload}.yaml']],
      ]);
    });

    it('falls back to one environment when given none', () => {
      const { project } = roundTrip({ name: 'p', slug: 'p', environments: [], tenants: [], workloads: [] });
      assert.deepEqual(project.environments.map((e) => e.name), ['dev']);
    });
  });
});
