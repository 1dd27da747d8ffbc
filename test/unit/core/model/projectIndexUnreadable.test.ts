// Files the index cannot read or parse, and symbolic links out of the workspace: each is a problem on
// its own file, counts as empty (nothing from an earlier read is used), and hides nothing else.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProjectIndex } from '../../../../src/core/model/projectIndex';
import type { Problem } from '../../../../src/core/types';
import { WorkloadErrors } from '../../../../src/core/model/workloadErrors';
import { NodeFileSystem } from '../../../../src/infra/fs/nodeFileSystem';

const MANIFEST = (slug: string) => `apiVersion: gitopshq.io/v1alpha1
kind: Project
metadata: { name: ${slug}, slug: ${slug} }
spec:
  environments: [{ name: dev }, { name: prod }]
  workloads:
    - name: api
      chart: charts/api
      values: [values/base.yaml, "values/{env}/{workload}.yaml"]
    - name: web
      chart: charts/web
      values: "values/{env}/{workload}.yaml"
`;

/** A real YAML input the variables, manifest and release parsers still throw on: an alias with no anchor. */
const UNRESOLVED_ALIAS = 'repo:\n  TAG: *nowhere\n';

const READERS = [
  ['file by file', { batchThreshold: Infinity }],
  ['in a batch on worker threads', { batchThreshold: 0 }],
] as const;

describe('ProjectIndex: unreadable files and links out of the workspace', () => {
  let tmp: string;
  let ws: string;
  let outside: string;

  async function write(rel: string, text: string): Promise<string> {
    const file = path.join(ws, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.rm(file, { force: true });
    await fs.writeFile(file, text);
    return file;
  }

  async function link(rel: string, target: string): Promise<string> {
    const file = path.join(ws, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.rm(file, { force: true, recursive: true });
    await fs.symlink(target, file);
    return file;
  }

  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-unreadable-'));
    ws = path.join(tmp, 'ws');
    outside = path.join(tmp, 'elsewhere');
    await fs.mkdir(outside, { recursive: true });
    await fs.writeFile(path.join(outside, 'secret.yaml'), 'leaked: from-outside\nreplicaCount: 99\n');
    await fs.mkdir(path.join(outside, 'dev'), { recursive: true });
    await fs.writeFile(path.join(outside, 'dev/api.yaml'), 'leaked: folder-outside\n');
    for (const slug of ['alpha', 'beta']) {
      await write(`${slug}/gitopshq.yaml`, MANIFEST(slug));
      await write(`${slug}/.gitopshq/variables.yaml`, 'repo:\n  TAG: "1.0"\n');
      await write(`${slug}/charts/api/Chart.yaml`, 'apiVersion: v2\nname: api\nversion: 0.1.0\n');
      await write(`${slug}/charts/api/values.yaml`, 'replicaCount: 1\nimage: { tag: latest }\n');
      await write(`${slug}/charts/web/Chart.yaml`, 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
      await write(`${slug}/charts/web/values.yaml`, 'replicaCount: 1\n');
      await write(`${slug}/values/base.yaml`, 'image:\n  tag: "{{ hq.var.TAG }}"\n');
      await write(`${slug}/values/dev/api.yaml`, 'replicaCount: 2\n');
      await write(`${slug}/values/dev/web.yaml`, 'replicaCount: 3\n');
    }
  });

  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const problemsOf = (index: ProjectIndex, file: string): Problem[] => index.problemsByFile().get(file) ?? [];
  const codesOf = (index: ProjectIndex, file: string) => problemsOf(index, file).map((p) => p.code);
  const slugs = (index: ProjectIndex) => index.projects().map((e) => e.project?.slug);

  for (const [how, options] of READERS) {
    describe(`reading ${how}`, () => {
      let nodeFs: NodeFileSystem;
      let index: ProjectIndex;
      beforeEach(() => {
        nodeFs = new NodeFileSystem(options);
        index = new ProjectIndex(nodeFs);
      });
      afterEach(() => nodeFs.dispose());

      it('a layer linked to a file outside the workspace: not read, a link-outside-workspace error on it, the rest shows', async () => {
        const layer = await link('alpha/values/dev/api.yaml', path.join(outside, 'secret.yaml'));
        await index.scan([ws]);
        await index.settled();
        assert.deepEqual(slugs(index), ['alpha', 'beta']);
        const [problem] = problemsOf(index, layer);
        assert.equal(problem?.code, 'link-outside-workspace');
        assert.equal(problem.severity, 'error');
        assert.match(problem.message, /^Not read: .*api\.yaml is a symbolic link .* leads to .*elsewhere[/\\]secret\.yaml, outside the workspace folder /);
        const values = index.effective('alpha', 'api', 'dev').values;
        assert.equal(values['leaked'], undefined);
        assert.equal(values['replicaCount'], 1); // the chart's, not the outside file's 99
        assert.equal(index.effective('alpha', 'web', 'dev').values['replicaCount'], 3);
        assert.equal(index.effective('beta', 'api', 'dev').values['replicaCount'], 2);
        // The workload is marked: its layer exists and has an error.
        const errors = new WorkloadErrors(index, () => undefined, () => Promise.resolve());
        errors.get('alpha', 'dev', 'default');
        await errors.idle();
        assert.deepEqual(errors.get('alpha', 'dev', 'default'), ['api']);
      });

      it('a values folder linked outside the workspace, a chart values file and a variables file linked outside: each refused on its file', async () => {
        await fs.rm(path.join(ws, 'alpha/values/dev'), { recursive: true });
        const folderLayer = path.join(await link('alpha/values/dev', path.join(outside, 'dev')), 'api.yaml');
        const chart = await link('beta/charts/api/values.yaml', path.join(outside, 'secret.yaml'));
        const variables = await link('beta/.gitopshq/variables.yaml', path.join(outside, 'secret.yaml'));
        await index.scan([ws]);
        await index.settled();
        assert.deepEqual(codesOf(index, folderLayer), ['link-outside-workspace']);
        assert.equal(index.effective('alpha', 'api', 'dev').values['leaked'], undefined);
        assert.deepEqual(codesOf(index, chart), ['link-outside-workspace']);
        assert.equal(index.effective('beta', 'api', 'dev').values['leaked'], undefined);
        assert.deepEqual(codesOf(index, variables), ['link-outside-workspace']);
        assert.deepEqual(index.variables('beta').all(), []);
        // Present but unreadable: no "missing" problem on the manifest on top.
        assert.deepEqual(codesOf(index, path.join(ws, 'beta/gitopshq.yaml')), []);
      });

      it('links that stay inside the workspace, and a workspace opened through a link, keep working', async () => {
        await write('shared/api-dev.yaml', 'replicaCount: 7\n');
        await link('alpha/values/dev/api.yaml', path.join(ws, 'shared/api-dev.yaml'));
        await link('beta/values/dev/api.yaml', '../../../shared/api-dev.yaml'); // relative
        const viaLink = path.join(tmp, 'ws-link');
        await fs.symlink(ws, viaLink);
        for (const folder of [ws, viaLink]) {
          await index.scan([folder]);
          await index.settled();
          assert.deepEqual([...index.problemsByFile().keys()], [], folder);
          assert.equal(index.effective('alpha', 'api', 'dev').values['replicaCount'], 7);
          assert.equal(index.effective('beta', 'api', 'dev').values['replicaCount'], 7);
        }
      });

      it('a manifest linked outside the workspace: the project is shown broken with the reason, the others show', async () => {
        await fs.writeFile(path.join(outside, 'gitopshq.yaml'), MANIFEST('stolen'));
        const manifest = await link('alpha/gitopshq.yaml', path.join(outside, 'gitopshq.yaml'));
        await index.scan([ws]);
        assert.deepEqual(slugs(index), [undefined, 'beta']);
        const [problem] = problemsOf(index, manifest);
        assert.equal(problem?.code, 'index-failed');
        assert.match(problem.message, /gitopshq\.yaml is a symbolic link .* outside the workspace folder /);
      });

      it('a link into another workspace folder is outside the project’s own folder', async () => {
        const other = path.join(tmp, 'other-folder');
        await fs.mkdir(other);
        await fs.writeFile(path.join(other, 'api.yaml'), 'leaked: other-folder\n');
        const layer = await link('alpha/values/dev/api.yaml', path.join(other, 'api.yaml'));
        await index.scan([ws, other]);
        assert.deepEqual(codesOf(index, layer), ['link-outside-workspace']);
        assert.equal(index.effective('alpha', 'api', 'dev').values['leaked'], undefined);
      });
    });
  }

  describe('changes', () => {
    let nodeFs: NodeFileSystem;
    let index: ProjectIndex;
    beforeEach(async () => {
      nodeFs = new NodeFileSystem();
      index = new ProjectIndex(nodeFs);
      await index.scan([ws]);
      await index.settled();
      assert.deepEqual([...index.problemsByFile().keys()], []);
    });
    afterEach(() => nodeFs.dispose());

    it('a layer replaced by a link outside the workspace: its old values are dropped, the error shows, and a fix recovers', async () => {
      const layer = await link('alpha/values/dev/api.yaml', path.join(outside, 'secret.yaml'));
      assert.equal(await index.fileChanged(layer), true);
      assert.deepEqual(codesOf(index, layer), ['link-outside-workspace']);
      assert.equal(index.effective('alpha', 'api', 'dev').values['replicaCount'], 1); // not the old 2, not the outside 99
      assert.deepEqual(index.existingLayerFiles('alpha', 'api', 'dev'), [path.join(ws, 'alpha/values/base.yaml'), layer]);
      await write('alpha/values/dev/api.yaml', 'replicaCount: 4\n');
      assert.equal(await index.fileChanged(layer), true);
      assert.deepEqual(codesOf(index, layer), []);
      assert.equal(index.effective('alpha', 'api', 'dev').values['replicaCount'], 4);
    });

    it('a layer that cannot be read (a link loop): file-unreadable on it, its old values dropped; deleting it clears the error', async () => {
      const layer = await link('alpha/values/dev/api.yaml', 'api.yaml');
      assert.equal(await index.fileChanged(layer), true);
      const [problem] = problemsOf(index, layer);
      assert.equal(problem?.code, 'file-unreadable');
      assert.match(problem.message, /^This file could not be read \(.*ELOOP.*\): nothing in it is used until it can be\.$/);
      assert.equal(index.effective('alpha', 'api', 'dev').values['replicaCount'], 1);
      await fs.rm(layer);
      assert.equal(await index.fileChanged(layer), true);
      assert.deepEqual(codesOf(index, layer), []);
      assert.deepEqual(index.existingLayerFiles('alpha', 'api', 'dev'), [path.join(ws, 'alpha/values/base.yaml')]);
    });

    it('a variables file its parser throws on: its old variables are dropped, an error on it, the project stays; a fix recovers', async () => {
      const variables = path.join(ws, 'alpha/.gitopshq/variables.yaml');
      assert.equal((index.effective('alpha', 'api', 'dev').values['image'] as { tag: string }).tag, '1.0');
      await write('alpha/.gitopshq/variables.yaml', UNRESOLVED_ALIAS);
      assert.equal(await index.fileChanged(variables), true);
      const [problem] = problemsOf(index, variables);
      assert.equal(problem?.code, 'file-unreadable');
      assert.match(problem.message, /could not be parsed \(.*nowhere.*\)/);
      assert.deepEqual(index.variables('alpha').all(), []);
      assert.deepEqual(index.effective('alpha', 'api', 'dev').unresolved, ['{{ hq.var.TAG }}']);
      assert.deepEqual(slugs(index), ['alpha', 'beta']);
      await write('alpha/.gitopshq/variables.yaml', 'repo:\n  TAG: "2.0"\n');
      assert.equal(await index.fileChanged(variables), true);
      assert.deepEqual(codesOf(index, variables), []);
      assert.equal((index.effective('alpha', 'api', 'dev').values['image'] as { tag: string }).tag, '2.0');
    });

    it('a variables file that cannot be read: its old variables are dropped, then deleted: the error goes', async () => {
      const variables = await link('alpha/.gitopshq/variables.yaml', 'variables.yaml');
      assert.equal(await index.fileChanged(variables), true);
      assert.deepEqual(codesOf(index, variables), ['file-unreadable']);
      assert.deepEqual(index.variables('alpha').all(), []);
      await fs.rm(variables);
      assert.equal(await index.fileChanged(variables), true);
      assert.deepEqual(codesOf(index, variables), []);
    });

    it('a manifest that cannot be read: its project is shown broken with the reason (not as it was), and comes back when fixed', async () => {
      const manifest = path.join(ws, 'alpha/gitopshq.yaml');
      const text = await fs.readFile(manifest, 'utf8');
      await link('alpha/gitopshq.yaml', 'gitopshq.yaml');
      assert.equal(await index.fileChanged(manifest), true);
      assert.deepEqual(slugs(index), [undefined, 'beta']);
      assert.match(problemsOf(index, manifest)[0]?.message ?? '', /ELOOP/);
      assert.equal(index.project('alpha'), undefined);
      await write('alpha/gitopshq.yaml', text);
      assert.equal(await index.fileChanged(manifest), true);
      assert.deepEqual(slugs(index), ['alpha', 'beta']);
      assert.equal(index.effective('alpha', 'api', 'dev').values['replicaCount'], 2);
    });
  });

  it('a variables file its parser throws on at the scan: an error on it, no variables, the project and the others show', async () => {
    await write('alpha/.gitopshq/variables.yaml', UNRESOLVED_ALIAS);
    const nodeFs = new NodeFileSystem();
    try {
      const index = new ProjectIndex(nodeFs);
      await index.scan([ws]);
      assert.deepEqual(slugs(index), ['alpha', 'beta']);
      assert.deepEqual(codesOf(index, path.join(ws, 'alpha/.gitopshq/variables.yaml')), ['file-unreadable']);
      assert.equal(index.effective('alpha', 'web', 'dev').values['replicaCount'], 3);
      assert.equal((index.effective('beta', 'api', 'dev').values['image'] as { tag: string }).tag, '1.0');
    } finally {
      nodeFs.dispose();
    }
  });
});
