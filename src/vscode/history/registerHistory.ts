// The Git browser's registrations (issue 16): the History view, the `gitopshq-git:` documents, the
// commands (each also takes its argument object, for scripts and tests), the blame hover, and the Git
// Browser node in the Projects tree.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HistoryTarget } from '../../core/history/targets';
import type { ReleaseService } from '../releases/releaseService';
import type { Services } from '../services';
import type { Views } from '../views/registerViews';
import { blameAt, BlameHoverProvider, blameMarkdown } from './blameHover';
import { GitBrowserNodes } from './gitBrowserNodes';
import { GIT_SCHEME, GitDocuments, openCommitDiff, type DiffArgs } from './gitDocuments';
import { apiCommit, blameAnswer } from './historyApi';
import { HistoryService } from './historyService';
import { HISTORY_VIEW, HistoryViewProvider, type HistoryNode } from './historyView';

export interface HistoryFeature {
  service: HistoryService;
  view: HistoryViewProvider;
}

export function registerHistory(s: Services, releases: ReleaseService, views: Views): HistoryFeature {
  const service = new HistoryService(s.projects, releases, s.logger.child('history'));
  const provider = new HistoryViewProvider(service, s.store);
  const view = s.store.register(vscode.window.createTreeView<HistoryNode>(HISTORY_VIEW, { treeDataProvider: provider, showCollapseAll: true }));
  provider.attach(view);
  s.store.register(vscode.workspace.registerTextDocumentContentProvider(GIT_SCHEME, new GitDocuments(service, s.projects)));
  s.store.register(vscode.languages.registerHoverProvider([{ language: 'yaml', scheme: 'file' }], new BlameHoverProvider(service, s.projects)));
  views.projects.gitBrowser = new GitBrowserNodes(service, s.projects);
  s.store.register(s.projects.onDidChange(() => service.invalidate()));
  s.store.register(releases.onDidChange(() => service.invalidate()));

  s.command('gitopshq.history.show', async (arg?: unknown) => {
    const target = targetOf(arg);
    if (!target) {
      void vscode.window.showInformationMessage('Show History works on a workload, a values file or an open file.');
      return undefined;
    }
    await vscode.commands.executeCommand(`${HISTORY_VIEW}.focus`);
    const page = await provider.show(target);
    return { target: page.target.label, commits: page.entries.map(apiCommit), more: page.more };
  });
  s.command('gitopshq.history.loadMore', async () => ({ count: await provider.loadMore() }));
  s.command('gitopshq.history.refresh', () => provider.reload());
  s.command('gitopshq.history.openDiff', (arg: DiffArgs) => openCommitDiff(arg));
  s.command('gitopshq.blame.line', async (arg?: { file: string; line: number }) => {
    if (arg && typeof arg.file === 'string' && typeof arg.line === 'number') {
      const result = await service.blame(arg.file, arg.line);
      return blameAnswer(result);
    }
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.uri.scheme !== 'file') {
      void vscode.window.showInformationMessage('Put the cursor on a line of a saved file to see who changed it.');
      return undefined;
    }
    const result = await blameAt(service, editor.document, editor.selection.active.line);
    const md = blameMarkdown(result);
    const summary = result.entry
      ? `${result.entry.sha.slice(0, 7)} ${result.entry.author.name}: ${result.entry.subject}${result.entry.release ? ` (${result.entry.release.id})` : ''}`
      : result.unsaved
        ? 'This line has unsaved changes.'
        : result.uncommitted
          ? 'This line is not committed yet.'
          : 'No commit found for this line.';
    const actions = result.entry ? ['Show Diff', ...(result.entry.release ? ['Show Release'] : [])] : [];
    void vscode.window.showInformationMessage(summary, ...actions).then(async (choice) => {
      if (choice === 'Show Diff' && result.entry && result.root && result.blamed) {
        const file = result.entry.files.find((f) => f.path === result.blamed?.filename);
        if (file) await vscode.commands.executeCommand('gitopshq.history.openDiff', { root: result.root, sha: result.entry.sha, parent: result.entry.parents[0], path: file.path, status: file.status, ...(file.oldPath ? { oldPath: file.oldPath } : {}) });
      } else if (choice === 'Show Release' && result.entry?.release && result.project) {
        await vscode.commands.executeCommand('gitopshq.release.show', { project: result.project.slug, id: result.entry.release.id });
      }
    });
    return { ...blameAnswer(result), markdown: md.value };
  });
  return { service, view: provider };
}


/** A target from a command argument: a target object, a Projects tree node, a URI (Explorer, editor title) or the active editor. */
function targetOf(arg: unknown): HistoryTarget | undefined {
  if (arg instanceof vscode.Uri) return arg.scheme === 'file' ? { file: arg.fsPath } : undefined;
  if (typeof arg === 'object' && arg !== null) {
    const a = arg as Record<string, unknown>;
    if (typeof a.file === 'string') return { file: path.resolve(a.file) };
    if (typeof a.project === 'string' && typeof a.workload === 'string') {
      return {
        project: a.project,
        workload: a.workload,
        ...(typeof a.environment === 'string' ? { environment: a.environment } : {}),
        ...(typeof a.tenant === 'string' ? { tenant: a.tenant } : {}),
      };
    }
    // Projects tree nodes: a workload (slug, environment, tenant, workload) or a values file (file).
    if (a.kind === 'workload' && typeof a.slug === 'string' && typeof a.workload === 'string') {
      return {
        project: a.slug,
        workload: a.workload,
        ...(typeof a.environment === 'string' ? { environment: a.environment } : {}),
        ...(typeof a.tenant === 'string' ? { tenant: a.tenant } : {}),
      };
    }
  }
  const editor = vscode.window.activeTextEditor;
  return editor && editor.document.uri.scheme === 'file' ? { file: editor.document.uri.fsPath } : undefined;
}
