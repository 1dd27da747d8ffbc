// A values layer that is a symbolic link leading out of the workspace is not read: VS Code shows an
// error on it, and the workload's values do not take anything from the file it points at.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { internals, waitFor, workspaceRoot } from './support';

const LAYER = 'values/dev/checkout-web.yaml';

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'gitopshq');
}

describe('a layer linked outside the workspace', () => {
  let outside: string;
  let layer: string;
  let original: string;

  before(async () => {
    await internals();
    layer = path.join(workspaceRoot(), LAYER);
    original = await fs.readFile(layer, 'utf8');
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-outside-'));
    await fs.writeFile(path.join(outside, 'secret.yaml'), 'leakedFromOutside: true\n');
  });

  after(async () => {
    // The workspace is shared with later suites: the layer goes back as it was.
    await fs.rm(layer, { force: true });
    await fs.writeFile(layer, original);
    const { service } = await internals();
    await service.index.fileChanged(layer);
    await fs.rm(outside, { recursive: true, force: true });
  });

  it('shows a link-outside-workspace error on the layer, uses nothing from it, and clears when the file is back', async () => {
    const { service } = await internals();
    const uri = vscode.Uri.file(layer);
    await fs.rm(layer);
    await fs.symlink(path.join(outside, 'secret.yaml'), layer);

    const diagnostic = await waitFor(() => ours(uri).find((d) => d.code === 'link-outside-workspace'), () => `the error on ${LAYER}: ${JSON.stringify(ours(uri))}`);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diagnostic.message, /^Not read: .*checkout-web\.yaml is a symbolic link .* leads to .*secret\.yaml, outside the workspace folder /);
    await service.settled();
    assert.equal(service.index.effective('payment-platform', 'checkout-web', 'dev').values['leakedFromOutside'], undefined);

    await fs.rm(layer);
    await fs.writeFile(layer, original);
    await waitFor(() => ours(uri).every((d) => d.code !== 'link-outside-workspace'), () => `the error gone: ${JSON.stringify(ours(uri))}`);
  });
});
