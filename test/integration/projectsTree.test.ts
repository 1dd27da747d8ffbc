import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import type { TreeNode } from '../../src/core/tree/treeModel';
import { closeWithoutSaving, internals, label, waitFor, workspaceRoot } from './support';

/** The most specific layer that sets image.tag, read straight from the fixture files. */
async function expectedTag(workload: string, env: string, tenant: string): Promise<string | undefined> {
  const root = workspaceRoot();
  let tag: string | undefined;
  for (const rel of [`values/base/${workload}.yaml`, `values/${env}/${workload}.yaml`, `values/${env}/${tenant}/${workload}.yaml`]) {
    const text = await fs.readFile(path.join(root, rel), 'utf8').catch(() => undefined);
    const image = text ? (parse(text) as { image?: { tag?: unknown } } | null)?.image : undefined;
    if (image?.tag !== undefined) tag = String(image.tag);
  }
  return tag;
}

describe('GitOpsHQ tree', () => {
  async function tree() {
    const { views, service } = await internals();
    const provider = views.projects;
    const items = (nodes: TreeNode[]) => nodes.map((n) => ({ node: n, item: provider.getTreeItem(n) }));
    // A project's children end with its Git Browser node (issue 16): the walks below want its environments.
    const children = (node?: TreeNode) =>
      items(provider.getChildren(node) as TreeNode[]).filter((c) => node?.kind !== 'project' || c.node.kind === 'environment');
    const all = (node: TreeNode) => items(provider.getChildren(node) as TreeNode[]);
    return { provider, service, children, all };
  }

  it('shows the project, its environments in promotion order, and tenants', async () => {
    const { children, all } = await tree();
    const projects = children();
    const demo = projects.find((p) => label(p.item) === 'Payment Platform');
    assert.ok(demo, `projects: ${projects.map((p) => label(p.item)).join(', ')}`);
    assert.equal(demo.item.id, 'project:payment-platform');
    const envs = children(demo.node);
    assert.deepEqual(envs.map((e) => label(e.item)), ['dev', 'staging', 'production']);
    assert.deepEqual(all(demo.node).map((e) => label(e.item)), ['dev', 'staging', 'production', 'Git Browser']);
    const tenants = children(envs[0]!.node);
    assert.deepEqual(tenants.map((t) => label(t.item)), ['acme', 'globex']);
  });

  it('shows each workload with the image tag of its environment, and greys not-bound ones', async () => {
    const { children } = await tree();
    const demo = children().find((p) => p.item.id === 'project:payment-platform')!;
    for (const env of children(demo.node)) {
      for (const tenant of children(env.node)) {
        for (const w of children(tenant.node)) {
          if (w.node.kind !== 'workload') continue; // a cluster error row, when the cluster cannot be asked
          const name = label(w.item);
          const node = w.node;
          if (!node.bound) {
            assert.equal(w.item.description, 'not bound');
            assert.equal(w.item.resourceUri?.scheme, 'gitopshq-unbound', 'greyed through the decoration provider');
            continue;
          }
          const tag = await expectedTag(name, label(env.item), label(tenant.item));
          // `1/1 · 2.5.0`: the cluster's ready/desired first when it answered, then the tag of the values.
          const parts = String(w.item.description).split(' · ');
          const where = `${name} in ${label(env.item)}/${label(tenant.item)}: "${w.item.description}" (live: ${node.live}, expected tag ${tag})`;
          if (node.live) assert.match(parts.shift()!, /^\d+\/\d+/, where);
          assert.equal(parts[0], tag ?? 'no image tag', where);
          assert.equal(w.item.command?.command, 'gitopshq.openValues', 'a click opens the values file');
        }
      }
    }
    const devAcme = children(children(children(demo.node)[0]!.node)[0]!.node);
    const ledger = devAcme.find((w) => label(w.item) === 'ledger-worker')!;
    assert.equal((ledger.node as Extract<TreeNode, { kind: 'workload' }>).bound, false, 'ledger-worker has no dev values');
  });

  it('shows the deployed commit and drift per environment and tenant', async () => {
    const { children } = await tree();
    const demo = children().find((p) => p.item.id === 'project:payment-platform')!;
    const descriptions: string[] = [];
    for (const env of children(demo.node)) {
      for (const tenant of children(env.node)) descriptions.push(`${label(env.item)}/${label(tenant.item)}: ${String(tenant.item.description)}`);
    }
    // The fixture deploys every (tenant, env) but leaves staging behind main and globex/production never deployed.
    assert.ok(descriptions.some((d) => /^staging\/\w+: [0-9a-f]{7} · .+ · .+ ago · \d+ changes? pending/.test(d)), descriptions.join('\n'));
    assert.ok(descriptions.some((d) => /never deployed/.test(d)), descriptions.join('\n'));
    // In sync with main: nothing pending (the cluster may add its words after the Git part).
    assert.ok(descriptions.some((d) => /^dev\/acme: [0-9a-f]{7} · [^·]+ · [^·]+ ago( · (cluster: .+|[\w-]+ \w+( \+\d+)?))?$/.test(d)), descriptions.join('\n'));
  });

  it('follows an unsaved edit of a values file', async () => {
    const { children } = await tree();
    const file = path.join(workspaceRoot(), 'values/dev/payment-api.yaml');
    const doc = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(doc);
    const text = doc.getText();
    const match = /tag: "?([^"\n]+)"?/.exec(text);
    assert.ok(match, 'the dev values set image.tag');
    const start = doc.positionAt(match.index);
    const end = doc.positionAt(match.index + match[0].length);
    try {
      await editor.edit((e) => e.replace(new vscode.Range(start, end), 'tag: "9.9.9-test"'));
      await waitFor(() => {
        const demo = children().find((p) => p.item.id === 'project:payment-platform')!;
        const dev = children(demo.node)[0]!;
        const acme = children(dev.node)[0]!;
        const api = children(acme.node).find((w) => label(w.item) === 'payment-api')!;
        return String(api.item.description).split(' · ').includes('9.9.9-test');
      }, 'the tree to show the edited tag');
    } finally {
      await closeWithoutSaving(doc);
    }
    await waitFor(async () => {
      const demo = children().find((p) => p.item.id === 'project:payment-platform')!;
      const acme = children(children(demo.node)[0]!.node)[0]!;
      const api = children(acme.node).find((w) => label(w.item) === 'payment-api')!;
      return String(api.item.description).split(' · ').includes(match[1]!);
    }, 'the tree to return to the saved tag after revert');
  });

  it('shows a project folder moved into the workspace (one event for the folder, none for its files)', async () => {
    const { children } = await tree();
    const outside = await fs.mkdtemp(path.join(path.dirname(workspaceRoot()), 'moved-in-'));
    const source = path.join(outside, 'moved-project');
    await fs.mkdir(source, { recursive: true });
    await fs.writeFile(
      path.join(source, 'gitopshq.yaml'),
      'apiVersion: gitopshq.io/v1alpha1\nkind: Project\nmetadata:\n  name: Moved In\n  slug: moved-in\nspec:\n  environments:\n    - name: dev\n  workloads: []\n',
    );
    const target = path.join(workspaceRoot(), 'moved-project');
    try {
      await fs.rename(source, target);
      await waitFor(() => children().some((p) => label(p.item) === 'Moved In'), 'the moved project in the tree');
    } finally {
      await fs.rm(target, { recursive: true, force: true });
      await fs.rm(outside, { recursive: true, force: true });
    }
    await waitFor(() => !children().some((p) => label(p.item) === 'Moved In'), 'the removed project to leave the tree');
  });

  it('shows a broken manifest with its diagnostics while the other project still appears', async () => {
    const { children, service } = await tree();
    const dir = path.join(workspaceRoot(), 'broken-project');
    const manifest = path.join(dir, 'gitopshq.yaml');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(manifest, 'apiVersion: gitopshq.io/v1alpha1\nkind: Project\nmetadata:\n  name: Broken\n  slug: Not_A_Slug\nspec:\n  environments: []\n  workloads: []\n');
    try {
      const diagnostics = await waitFor(() => {
        const d = vscode.languages.getDiagnostics(vscode.Uri.file(manifest)).filter((x) => x.source === 'gitopshq');
        return d.length > 0 ? d : undefined;
      }, 'diagnostics on the broken manifest');
      const slugProblem = diagnostics.find((d) => d.range.start.line === 4);
      assert.ok(slugProblem, `a diagnostic on the slug line: ${diagnostics.map((d) => `${d.range.start.line}: ${d.message}`).join('; ')}`);
      assert.equal(slugProblem.severity, vscode.DiagnosticSeverity.Error);
      const labels = children().map((p) => label(p.item));
      assert.ok(labels.includes('Payment Platform'), labels.join(', '));
      assert.ok(labels.includes('broken-project'), labels.join(', '));
      assert.ok(service.index.project('payment-platform'), 'the demo project is still indexed');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    await waitFor(() => !children().some((p) => label(p.item) === 'broken-project'), 'the deleted project to leave the tree');
  });
});
