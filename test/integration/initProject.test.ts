import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseManifest } from '../../src/core/model/manifest';
import { EXTENSION_ID, internals, waitFor, workspaceRoot } from './support';

describe('Initialize Project', () => {
  let scratch: string | undefined;

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });

  after(async () => {
    if (!scratch) return;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await rm(scratch, { recursive: true, force: true });
    // Deleting a folder does not report each file inside: rescan so later suites see the demo alone.
    const { service } = await internals();
    await service.rescan();
    await service.settled();
  });

  it('refuses to overwrite an existing gitopshq.yaml, and leaves it as it was', async () => {
    const manifest = path.join(workspaceRoot(), 'gitopshq.yaml');
    const before = await readFile(manifest, 'utf8');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('gitopshq.initProject', { folder: workspaceRoot() })),
      (err: Error) => {
        assert.match(err.message, /gitopshq\.yaml already exists/);
        assert.match(err.message, /never overwrites/);
        return true;
      },
    );
    assert.equal(await readFile(manifest, 'utf8'), before);
  });

  it('scaffolds a manifest from the folder layout, writes it and opens it', async () => {
    scratch = path.join(workspaceRoot(), `scaffold-${randomBytes(4).toString('hex')}`);
    const files: Record<string, string> = {
      'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'charts/web/values.yaml': 'replicaCount: 1\n',
      'values/dev/web.yaml': 'replicaCount: 1\n',
      'values/prod/web.yaml': 'replicaCount: 3\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      const file = path.join(scratch, rel);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
    }

    const written = (await vscode.commands.executeCommand('gitopshq.initProject', { folder: scratch, open: true })) as string;

    assert.equal(written, path.join(scratch, 'gitopshq.yaml'));
    assert.ok((await stat(written)).isFile());
    const text = await readFile(written, 'utf8');
    const result = parseManifest(text, written);
    assert.deepEqual(result.problems.filter((p) => p.severity === 'error'), []);
    const project = result.project!;
    assert.equal(project.name, path.basename(scratch), 'the name defaults to the folder name');
    assert.equal(project.slug, path.basename(scratch));
    assert.deepEqual(project.environments.map((e) => e.name), ['dev', 'prod']);
    assert.deepEqual(project.workloads.map((w) => [w.name, w.chart, w.values]), [['web', 'charts/web', ['values/{env}/{workload}.yaml']]]);

    await waitFor(() => vscode.window.activeTextEditor?.document.uri.fsPath === written, 'the new manifest in the active editor');
    assert.equal(vscode.window.activeTextEditor?.document.getText(), text);

    // A second run on the same folder refuses too: the new file is never overwritten.
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('gitopshq.initProject', { folder: scratch })), /already exists/);
    assert.equal(await readFile(written, 'utf8'), text);
  });
});
