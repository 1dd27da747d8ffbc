// Helpers for suites that run inside the extension host.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { InternalApi } from '../../src/vscode/api';
import type { ProjectService } from '../../src/vscode/projectService';
import type { Views } from '../../src/vscode/views/registerViews';

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
