import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitOpsHqError } from '../../../../src/core/errors';
import { ProjectIndex, type IndexChange } from '../../../../src/core/model/projectIndex';
import { SECRET_MASK } from '../../../../src/core/types';
import { NodeFileSystem } from '../../../../src/infra/fs/nodeFileSystem';
import { MemoryFileSystem } from '../../../support/memoryFileSystem';

const WS = '/ws';
const P = `${WS}/payments`;

function manifest(name: string, slug: string, extra = ''): string {
  return `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: ${name}, slug: ${slug} }
spec:
  environments:
    - name: dev
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
      chart: charts/api
      values: values/{env}/{workload}.yaml
${extra}`;
}

function workspace(): MemoryFileSystem {
  return new MemoryFileSystem({
    [`${P}/gitopshq.yaml`]: manifest('Payments', 'payments'),
    [`${P}/.gitopshq/variables.yaml`]: 'repo:\n  TAG: "1.0"\n  KEY: { value: s3cr3t, secret: true }\nenv:\n  production:\n    TAG: "2.0"\n',
    [`${P}/charts/api/Chart.yaml`]: 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
    [`${P}/charts/api/values.yaml`]: 'replicaCount: 1\nimage:\n  repository: nginx\n  tag: latest\n',
    [`${P}/values/base/api.yaml`]: 'image:\n  tag: "{{ hq.var.TAG }}"\napiKey: "{{hq.var.KEY}}"\n',
    [`${P}/values/dev/api.yaml`]: 'replicaCount: 2\n',
    [`${P}/values/production/acme/api.yaml`]: 'replicaCount: 5\n',
    [`${P}/values/production/worker.yaml`]: 'image: "registry:5000/worker:3.1"\n',
    // A second, broken project and a third one in node_modules (never scanned).
    [`${WS}/broken/gitopshq.yaml`]: 'apiVersion: gitopshq.io/v1alpha1\nkind: Project\nmetadata: [oops\n',
    [`${WS}/node_modules/pkg/gitopshq.yaml`]: manifest('Hidden', 'hidden'),
  });
}

async function scanned(mem = workspace()): Promise<{ index: ProjectIndex; mem: MemoryFileSystem; events: IndexChange[] }> {
  const index = new ProjectIndex(mem);
  await index.scan([WS]);
  const events: IndexChange[] = [];
  index.onDidChange((e) => events.push(e));
  mem.resetReads();
  return { index, mem, events };
}

describe('ProjectIndex', () => {
  describe('scan', () => {
    it('finds every project, a broken manifest included, sorted by name', async () => {
      const { index } = await scanned();
      const entries = index.projects();
      assert.deepEqual(
        entries.map((e) => [e.manifestPath, e.project?.slug]),
        [
          [`${WS}/broken/gitopshq.yaml`, undefined],
          [`${P}/gitopshq.yaml`, 'payments'],
        ],
      );
      assert.ok(entries[0]!.problems.length > 0);
      assert.equal(entries[0]!.root, `${WS}/broken`);
      assert.deepEqual(entries[1]!.problems, []);
      assert.equal(index.project('payments')?.root, P);
      assert.equal(index.project('hidden'), undefined);
    });

    it('computes effective values from memory, with variables, secrets and sources', async () => {
      const { index, mem } = await scanned();
      const dev = index.effective('payments', 'api', 'dev', 'acme');
      assert.deepEqual(dev.values, { replicaCount: 2, image: { repository: 'nginx', tag: '1.0' }, apiKey: SECRET_MASK });
      assert.deepEqual(dev.secretPaths, ['apiKey']);
      assert.deepEqual(dev.sources.get('replicaCount'), { file: `${P}/values/dev/api.yaml`, line: 0, character: 14, layer: 1 });
      assert.deepEqual(dev.sources.get('image.repository'), { file: `${P}/charts/api/values.yaml`, line: 2, character: 14, layer: -1 });
      assert.equal(index.effective('payments', 'api', 'production', 'acme').values['replicaCount'], 5);
      assert.equal(index.imageTag('payments', 'api', 'production', 'acme'), '2.0');
      assert.equal(index.imageTag('payments', 'worker', 'production'), '3.1');
      assert.equal(index.effective('payments', 'api', 'dev'), index.effective('payments', 'api', 'dev', 'acme'), 'cached, tenant defaults to the first');
      assert.equal(mem.readCount(), 0, 'no I/O after the scan');
    });

    it('knows which layers exist and which combinations are bound', async () => {
      const { index } = await scanned();
      assert.deepEqual(index.existingLayerFiles('payments', 'api', 'production', 'acme'), [`${P}/values/base/api.yaml`, `${P}/values/production/acme/api.yaml`]);
      assert.equal(index.isBound('payments', 'worker', 'production', 'acme'), true);
      assert.equal(index.isBound('payments', 'worker', 'dev', 'acme'), false);
      assert.equal(index.effective('payments', 'worker', 'dev', 'acme').bound, false);
      assert.equal(index.isBound('nope', 'api', 'dev'), false);
      assert.deepEqual(index.existingLayerFiles('payments', 'api', 'qa'), []);
      const files = index.valuesFiles('payments');
      assert.equal(files.length, 2 + 2 * 2 * (3 + 1));
      assert.deepEqual(files[0], { file: `${P}/charts/api/values.yaml`, workload: 'api', layer: -1, exists: true });
      assert.deepEqual(
        files.find((f) => f.file === `${P}/values/dev/acme/api.yaml`),
        { file: `${P}/values/dev/acme/api.yaml`, workload: 'api', environment: 'dev', tenant: 'acme', layer: 2, exists: false },
      );
    });

    it('throws typed errors for unknown names in effective()', async () => {
      const { index } = await scanned();
      assert.throws(() => index.effective('nope', 'api', 'dev'), (e) => GitOpsHqError.is(e, 'project-not-found'));
      assert.throws(() => index.effective('payments', 'nope', 'dev'), (e) => GitOpsHqError.is(e, 'workload-not-found'));
      assert.throws(() => index.effective('payments', 'api', 'qa'), (e) => GitOpsHqError.is(e, 'environment-not-found'));
      assert.throws(() => index.effective('payments', 'api', 'dev', 'initech'), (e) => GitOpsHqError.is(e, 'tenant-not-found'));
    });

    it('reports problems by file; a values file with a YAML error contributes only its problem', async () => {
      const mem = workspace();
      mem.write(`${P}/values/dev/api.yaml`, 'replicaCount: [2\n');
      const { index } = await scanned(mem);
      await index.settled(); // values files are parsed in the background after the scan
      const problems = index.problemsByFile();
      assert.ok(problems.get(`${P}/values/dev/api.yaml`)?.every((p) => p.code === 'yaml-syntax'));
      assert.ok((problems.get(`${WS}/broken/gitopshq.yaml`)?.length ?? 0) > 0);
      assert.equal(problems.has(`${P}/gitopshq.yaml`), false);
      assert.equal(index.effective('payments', 'api', 'dev', 'acme').values['replicaCount'], 1, 'the broken layer adds nothing');
      assert.equal(index.isBound('payments', 'api', 'dev', 'acme'), true, 'but it exists');
    });

    it('parses values files after the scan, in the background, and announces the problems it finds', async () => {
      const mem = workspace();
      mem.write(`${P}/values/dev/api.yaml`, 'replicaCount: [2\n');
      mem.write(`${P}/values/production/acme/api.yaml`, 'replicaCount: 5\n  bad: indent\n');
      const { index, events } = await scanned(mem);
      assert.equal(index.problemsByFile().has(`${P}/values/dev/api.yaml`), false, 'not parsed yet when scan() resolves');
      // First use parses the file at once, and its problems are known from then on.
      index.effective('payments', 'api', 'production', 'acme');
      assert.ok(index.problemsByFile().get(`${P}/values/production/acme/api.yaml`)?.length);
      await index.settled();
      assert.ok(index.problemsByFile().get(`${P}/values/dev/api.yaml`)?.every((p) => p.code === 'yaml-syntax'));
      assert.deepEqual(events, [{ slugs: ['payments'], files: [`${P}/values/dev/api.yaml`, `${P}/values/production/acme/api.yaml`] }]);
      assert.equal(index.parsedValues(`${P}/values/dev/api.yaml`)?.problems.length, index.problemsByFile().get(`${P}/values/dev/api.yaml`)?.length);
    });

    it('announces nothing after the scan when no values file has a problem', async () => {
      const { index, events } = await scanned();
      await index.settled();
      assert.deepEqual(events, []);
      assert.deepEqual(index.parsedValues(`${P}/values/dev/api.yaml`)?.value, { replicaCount: 2 });
    });

    it('drops the background parse of a scan that a new scan replaces', async () => {
      const mem = workspace();
      mem.write(`${P}/values/dev/api.yaml`, 'replicaCount: [2\n');
      const { index, events } = await scanned(mem);
      mem.write(`${P}/values/dev/api.yaml`, 'replicaCount: 3\n');
      await index.scan([WS]);
      await index.settled();
      assert.equal(index.problemsByFile().has(`${P}/values/dev/api.yaml`), false);
      assert.deepEqual(events.map((e) => e.files), [[]], 'only the scan itself');
    });

    it('includes the problems of missing files and of the variables file', async () => {
      const mem = workspace();
      mem.write(`${P}/gitopshq.yaml`, manifest('Payments', 'payments').replace('chart: charts/api\n      values: values/{env}', 'chart: charts/gone\n      values: values/{env}'));
      mem.write(`${P}/.gitopshq/variables.yaml`, 'env:\n  qa: { X: 1 }\n');
      const { index } = await scanned(mem);
      const codes = index.projects().find((e) => e.project)?.problems.map((p) => p.code);
      assert.ok(codes?.includes('missing-chart'), String(codes));
      assert.ok(index.problemsByFile().get(`${P}/.gitopshq/variables.yaml`)?.length);
    });

    it('flags a duplicate slug on the second manifest and keeps the first project', async () => {
      const mem = workspace();
      mem.write(`${WS}/copy/gitopshq.yaml`, manifest('Copy', 'payments'));
      const { index } = await scanned(mem);
      assert.equal(index.project('payments')?.root, `${WS}/copy`, 'the first by path wins');
      const second = index.projects().find((e) => e.manifestPath === `${P}/gitopshq.yaml`);
      assert.equal(second?.project, undefined);
      const duplicate = second?.problems.find((p) => p.code === 'duplicate-slug');
      assert.equal(duplicate?.file, `${P}/gitopshq.yaml`);
      assert.equal(duplicate?.span.start.line, 2);

      await index.fileDeleted(`${WS}/copy/gitopshq.yaml`);
      assert.equal(index.project('payments')?.root, P, 'the other one takes the slug back');
      assert.equal(index.projects().length, 2);
    });

    it('tells which project a file belongs to', async () => {
      const { index } = await scanned();
      assert.equal(index.projectOf(`${P}/values/dev/api.yaml`)?.project?.slug, 'payments');
      assert.equal(index.projectOf(`${WS}/broken/x.yaml`)?.manifestPath, `${WS}/broken/gitopshq.yaml`);
      assert.equal(index.projectOf(`${WS}/paymentsX/a.yaml`), undefined);
      assert.equal(index.projectOf('/elsewhere/a.yaml'), undefined);
    });
  });

  describe('manifestsBelow', () => {
    it('finds the manifests of a folder that appeared, none in skipped folders or outside the workspace', async () => {
      const { index, mem } = await scanned();
      mem.write(`${WS}/moved/deep/gitopshq.yaml`, manifest('Moved', 'moved'));
      mem.write(`${WS}/node_modules/other/gitopshq.yaml`, manifest('Other', 'other'));
      mem.write('/elsewhere/gitopshq.yaml', manifest('Elsewhere', 'elsewhere'));
      assert.deepEqual(await index.manifestsBelow(`${WS}/moved`), [`${WS}/moved/deep/gitopshq.yaml`]);
      assert.deepEqual(await index.manifestsBelow(`${WS}/node_modules/other`), []);
      assert.deepEqual(await index.manifestsBelow('/elsewhere'), []);
      assert.deepEqual(await index.manifestsBelow(`${WS}/missing`), []);
    });
  });

  describe('incremental changes', () => {
    it('re-reads only the values file that changed, and refreshes what depends on it', async () => {
      const { index, mem, events } = await scanned();
      const before = index.effective('payments', 'api', 'production', 'acme');
      const devBefore = index.effective('payments', 'api', 'dev', 'globex');
      mem.write(`${P}/values/production/acme/api.yaml`, 'replicaCount: 9\n');
      assert.equal(await index.fileChanged(`${P}/values/production/acme/api.yaml`), true);
      assert.deepEqual(mem.reads, [`${P}/values/production/acme/api.yaml`]);
      assert.equal(index.effective('payments', 'api', 'production', 'acme').values['replicaCount'], 9);
      assert.notEqual(index.effective('payments', 'api', 'production', 'acme'), before);
      assert.equal(index.effective('payments', 'api', 'dev', 'globex'), devBefore, 'other combinations keep their cache');
      assert.deepEqual(events, [{ slugs: ['payments'], files: [`${P}/values/production/acme/api.yaml`] }]);
    });

    it('takes unsaved text without reading, and reports no change for the same text', async () => {
      const { index, mem, events } = await scanned();
      assert.equal(await index.fileChanged(`${P}/values/dev/api.yaml`, 'replicaCount: 7\n'), true);
      assert.equal(index.effective('payments', 'api', 'dev', 'acme').values['replicaCount'], 7);
      assert.equal(await index.fileChanged(`${P}/values/dev/api.yaml`, 'replicaCount: 7\n'), false);
      assert.equal(mem.readCount(), 0);
      // Closing the buffer without saving: back to the disk content.
      assert.equal(await index.fileChanged(`${P}/values/dev/api.yaml`), true);
      assert.equal(index.effective('payments', 'api', 'dev', 'acme').values['replicaCount'], 2);
      assert.equal(events.length, 2);
    });

    it('ignores files it does not index, without reading them', async () => {
      const { index, mem, events } = await scanned();
      assert.equal(await index.fileChanged(`${P}/charts/api/templates/deployment.yaml`), false);
      assert.equal(await index.fileChanged(`${WS}/elsewhere/values.yaml`), false);
      assert.equal(mem.readCount(), 0);
      assert.deepEqual(events, []);
    });

    it('binds a combination when its first layer is created, and unbinds it on delete', async () => {
      const { index, mem } = await scanned();
      assert.equal(index.isBound('payments', 'worker', 'dev', 'acme'), false);
      mem.write(`${P}/values/dev/worker.yaml`, 'image: { tag: "0.9" }\n');
      assert.equal(await index.fileChanged(`${P}/values/dev/worker.yaml`), true);
      assert.equal(index.isBound('payments', 'worker', 'dev', 'globex'), true);
      assert.equal(index.imageTag('payments', 'worker', 'dev'), '0.9');
      mem.delete(`${P}/values/dev/worker.yaml`);
      assert.equal(await index.fileDeleted(`${P}/values/dev/worker.yaml`), true);
      assert.equal(index.isBound('payments', 'worker', 'dev', 'acme'), false);
      assert.equal(index.imageTag('payments', 'worker', 'dev'), 'latest', 'back to the chart default');
    });

    it('updates the problems of a values file', async () => {
      const { index } = await scanned();
      await index.fileChanged(`${P}/values/dev/api.yaml`, 'replicaCount: [\n');
      assert.ok(index.problemsByFile().get(`${P}/values/dev/api.yaml`)?.length);
      await index.fileChanged(`${P}/values/dev/api.yaml`, 'replicaCount: 3\n');
      assert.equal(index.problemsByFile().has(`${P}/values/dev/api.yaml`), false);
    });

    it('re-reads the variables and recomputes effective values of that project only', async () => {
      const { index, mem, events } = await scanned();
      assert.equal(index.imageTag('payments', 'api', 'dev'), '1.0');
      mem.write(`${P}/.gitopshq/variables.yaml`, 'repo:\n  TAG: "1.1"\n');
      assert.equal(await index.fileChanged(`${P}/.gitopshq/variables.yaml`), true);
      assert.deepEqual(mem.reads, [`${P}/.gitopshq/variables.yaml`]);
      assert.equal(index.imageTag('payments', 'api', 'dev'), '1.1');
      assert.deepEqual(index.effective('payments', 'api', 'dev').unresolved, ['{{hq.var.KEY}}']);
      assert.equal(index.variables('payments').resolve('TAG', { environment: 'dev', tenant: 'acme', workload: 'api' }).value, '1.1');
      assert.deepEqual(events.at(-1), { slugs: ['payments'], files: [`${P}/.gitopshq/variables.yaml`] });
    });

    it('re-reads the chart values and recomputes the workloads that use the chart', async () => {
      const { index, mem } = await scanned();
      assert.equal(index.effective('payments', 'worker', 'production').values['replicaCount'], 1);
      mem.write(`${P}/charts/api/values.yaml`, 'replicaCount: 4\n');
      assert.equal(await index.fileChanged(`${P}/charts/api/values.yaml`), true);
      assert.equal(index.effective('payments', 'worker', 'production').values['replicaCount'], 4);
      assert.equal(index.effective('payments', 'api', 'production', 'globex').values['replicaCount'], 4);
    });

    it('re-indexes a project whose manifest changed, reading only the files it did not know', async () => {
      const { index, mem } = await scanned();
      const extra = '    - name: web\n      chart: charts/api\n      values: values/{env}/{workload}.yaml\n';
      mem.write(`${P}/values/dev/web.yaml`, 'image: { tag: web-1 }\n');
      mem.write(`${P}/gitopshq.yaml`, manifest('Payments', 'payments', extra));
      assert.equal(await index.fileChanged(`${P}/gitopshq.yaml`), true);
      assert.deepEqual(
        index.project('payments')?.workloads.map((w) => w.name),
        ['api', 'worker', 'web'],
      );
      assert.equal(index.imageTag('payments', 'web', 'dev'), 'web-1');
      const read = new Set(mem.reads);
      assert.ok(read.has(`${P}/gitopshq.yaml`) && read.has(`${P}/values/dev/web.yaml`));
      assert.ok(!read.has(`${P}/values/base/api.yaml`), 'known layers are not read again');
    });

    it('turns a broken manifest into a project when it is fixed, and back', async () => {
      const { index } = await scanned();
      assert.equal(await index.fileChanged(`${WS}/broken/gitopshq.yaml`, manifest('Fixed', 'fixed')), true);
      assert.equal(index.project('fixed')?.root, `${WS}/broken`);
      assert.equal(await index.fileChanged(`${WS}/broken/gitopshq.yaml`, 'kind: [\n'), true);
      assert.equal(index.project('fixed'), undefined);
      assert.equal(index.projects().length, 2);
    });

    it('adds a project for a new manifest and removes it when deleted', async () => {
      const { index, mem, events } = await scanned();
      mem.write(`${WS}/orders/gitopshq.yaml`, manifest('Orders', 'orders'));
      mem.write(`${WS}/orders/values/dev/api.yaml`, 'a: 1\n');
      assert.equal(await index.fileChanged(`${WS}/orders/gitopshq.yaml`), true);
      assert.equal(index.project('orders')?.root, `${WS}/orders`);
      assert.equal(index.isBound('orders', 'api', 'dev'), true);
      assert.deepEqual(events.at(-1)?.slugs, ['orders']);
      // Not under a scanned folder, or in a skipped one: not a project.
      assert.equal(await index.fileChanged('/elsewhere/gitopshq.yaml', manifest('X', 'x')), false);
      assert.equal(await index.fileChanged(`${WS}/node_modules/y/gitopshq.yaml`, manifest('Y', 'y')), false);

      mem.delete(`${WS}/orders/gitopshq.yaml`);
      assert.equal(await index.fileDeleted(`${WS}/orders/gitopshq.yaml`), true);
      assert.equal(index.project('orders'), undefined);
      assert.equal(await index.fileChanged(`${WS}/orders/values/dev/api.yaml`, 'a: 2\n'), false, 'its files are forgotten');
    });

    it('runs changes one at a time, in order', async () => {
      const { index } = await scanned();
      const file = `${P}/values/dev/api.yaml`;
      await Promise.all([1, 2, 3].map((n) => index.fileChanged(file, `replicaCount: ${n}\n`)));
      assert.equal(index.effective('payments', 'api', 'dev').values['replicaCount'], 3);
    });
  });

  describe('on disk', () => {
    let dir: string;
    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-index-'));
      const files: Record<string, string> = {
        'payments/gitopshq.yaml': manifest('Payments', 'payments'),
        'payments/charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
        'payments/charts/api/values.yaml': 'replicaCount: 1\n',
        'payments/values/dev/api.yaml': 'replicaCount: 2\n',
        'payments/.git/gitopshq.yaml': 'not: scanned\n',
      };
      for (const [rel, text] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
        await fs.writeFile(path.join(dir, rel), text);
      }
    });
    after(async () => {
      await fs.rm(dir, { recursive: true, force: true });
    });

    for (const [how, options] of [['file by file', { batchThreshold: Infinity }], ['in a batch on worker threads', { batchThreshold: 0 }]] as const) {
      it(`scans a real folder, reading ${how}, and follows a saved file`, async () => {
        const nodeFs = new NodeFileSystem(options);
        try {
          const index = new ProjectIndex(nodeFs);
          await index.scan([dir]);
          assert.equal(nodeFs.runningWorkers > 0, options.batchThreshold === 0);
          assert.deepEqual(index.projects().map((e) => e.project?.slug), ['payments']);
          assert.deepEqual(index.projects()[0]?.problems, []);
          assert.equal(index.effective('payments', 'api', 'dev').values['replicaCount'], 2);
          assert.deepEqual(index.existingLayerFiles('payments', 'api', 'dev', 'acme'), [path.join(dir, 'payments/values/dev/api.yaml')]);
          await fs.writeFile(path.join(dir, 'payments/values/dev/api.yaml'), 'replicaCount: 6\n');
          assert.equal(await index.fileChanged(path.join(dir, 'payments/values/dev/api.yaml')), true);
          assert.equal(index.effective('payments', 'api', 'dev').values['replicaCount'], 6);
          await fs.writeFile(path.join(dir, 'payments/values/dev/api.yaml'), 'replicaCount: 2\n');
        } finally {
          nodeFs.dispose();
        }
      });
    }
  });
});
