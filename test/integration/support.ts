// Helpers for suites that run inside the extension host.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { InternalApi } from '../../src/vscode/api';
import type { ProjectService } from '../../src/vscode/projectService';
import type { Views } from '../../src/vscode/views/registerViews';
import { viewRows, viewToggle, workbenchClick, type RenderedRow } from '../support/control';

export const EXTENSION_ID = 'gitopshq.gitopshq-vscode';

export async function activate(): Promise<InternalApi> {
  const ext = vscode.extensions.getExtension<InternalApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this host`);
  return ext.activate();
}

/** The live service and views behind the API (this extension's own tests only). */
export async function internals(): Promise<{ api: InternalApi; service: ProjectService; views: Views }> {
  const api = await activate();
  const internal = api._internal as { service: ProjectService; views: Views };
  await internal.service.settled();
  return { api, ...internal };
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests need a workspace folder');
  return folder.uri.fsPath;
}

/** Polls until `probe` returns a truthy value; fails with the last value seen. */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string | (() => string), timeoutMs = 10_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()} (last: ${JSON.stringify(last)})`);
}

/**
 * Reverts an unsaved document and closes its editor. The revert command acts on the active editor,
 * which a busy workbench may not have switched yet: it is retried until the buffer is clean, so an
 * edit a test made never leaks into the suites after it.
 */
export async function closeWithoutSaving(doc: vscode.TextDocument, viewColumn?: vscode.ViewColumn): Promise<void> {
  for (let attempt = 0; attempt < 5 && !doc.isClosed && doc.isDirty; attempt++) {
    const editor = await vscode.window.showTextDocument(doc, viewColumn === undefined ? undefined : { viewColumn });
    if (vscode.window.activeTextEditor?.document !== editor.document) continue;
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  if (!doc.isClosed && doc.isDirty) throw new Error(`could not revert ${doc.uri.fsPath}`);
}

/** Whether the lazily loaded bundle dist/<name>.js has been required by the extension host. */
export function bundleLoaded(name: string): boolean {
  return Object.keys(require.cache).some((m) => m.endsWith(path.join('dist', `${name}.js`)));
}

export function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/**
 * Shows the Projects view as a person does (a click on the activity-bar icon when hidden), folds it
 * to the project row, then opens project → environment (→ tenant) by clicking their arrows.
 * Returns the rendered rows once the last one opened.
 */
export async function openInProjectsTree(environment: string, tenant?: string): Promise<RenderedRow[]> {
  const { views } = await internals();
  if (!views.projectsView.visible) await workbenchClick('.activitybar a.action-label[aria-label^="GitOpsHQ"]');
  await waitFor(() => views.projectsView.visible, 'the Projects view to show');
  await waitFor(async () => ((await viewRows('Projects'))?.length ?? 0) > 0, 'the Projects view to render');
  // The view's Collapse All exists once the view has rendered; repeat it until only the project row is left.
  await waitFor(async () => {
    await vscode.commands.executeCommand('workbench.actions.treeView.gitopshq.projects.collapseAll');
    return (await viewRows('Projects'))?.length === 1;
  }, 'the tree to collapse');
  const project = (await viewRows('Projects'))![0]!.label;
  await viewToggle('Projects', project);
  await waitFor(async () => (await viewRows('Projects'))?.some((r) => r.level === 2 && r.label === environment), `${environment} to show`);
  await viewToggle('Projects', environment);
  if (tenant !== undefined) {
    await waitFor(async () => (await viewRows('Projects'))?.some((r) => r.level === 3 && r.label === tenant), `${tenant} to show`);
    await viewToggle('Projects', tenant);
  }
  const level = tenant === undefined ? 3 : 4;
  return waitFor(async () => {
    const rows = await viewRows('Projects');
    return rows?.some((r) => r.level === level) ? rows : undefined;
  }, `${environment}${tenant ? `/${tenant}` : ''} to open`);
}

/** Rendered rows in one line, for assertion messages. */
export function showRows(rows: RenderedRow[] | undefined): string {
  return (rows ?? []).map((r) => `${'  '.repeat(r.level - 1)}${r.label} ${r.description} [${r.icon}]`).join(' | ');
}
