// Tree items for commits and their files, shared by the History view and the Git Browser node of the
// Projects tree: a commit shows author, relative date, its release and deploy badges; a file opens the
// native diff between the commit's first parent and the commit.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { relativeTime } from '../../core/format';
import { badgeText } from '../../core/history/badges';
import type { CommitFile } from '../../core/history/types';
import type { HistoryEntry } from '../../infra/git/historyBrowser';
import type { DiffArgs } from './gitDocuments';

export interface CommitNode {
  kind: 'commit';
  id: string;
  root: string;
  entry: HistoryEntry;
  /** Environments in promotion order, for the badges. */
  order: string[];
}

export interface CommitFileNode {
  kind: 'commitFile';
  id: string;
  diff: DiffArgs;
}

export function commitDescription(entry: HistoryEntry, order: readonly string[]): string {
  const parts = [entry.author.name, relativeTime(new Date(entry.date))];
  if (entry.release) parts.push(entry.release.id);
  const badges = badgeText(entry.badges, order);
  if (badges) parts.push(badges);
  return parts.join(' · ');
}

export function commitItem(node: CommitNode): vscode.TreeItem {
  const { entry } = node;
  const item = new vscode.TreeItem(entry.subject || entry.sha.slice(0, 7), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  item.description = commitDescription(entry, node.order);
  item.iconPath = new vscode.ThemeIcon(entry.release ? 'tag' : 'git-commit');
  item.contextValue = 'gitopshq.commit';
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.supportHtml = false;
  tooltip.appendMarkdown(`**${escape(entry.subject)}**\n\n`);
  tooltip.appendMarkdown(`${escape(entry.author.name)} <${escape(entry.author.email)}> · ${new Date(entry.date).toLocaleString()} · \`${entry.sha.slice(0, 7)}\`\n\n`);
  if (entry.release) tooltip.appendMarkdown(`Release ${entry.release.id}: ${escape(entry.release.title)} (${entry.release.state.replace('_', ' ')})\n\n`);
  const badges = badgeText(entry.badges, node.order);
  if (badges) tooltip.appendMarkdown(`Deployed: ${escape(badges)}\n\n`);
  tooltip.appendMarkdown(`${entry.files.length} file${entry.files.length === 1 ? '' : 's'} changed`);
  item.tooltip = tooltip;
  return item;
}

export function fileNodes(node: CommitNode): CommitFileNode[] {
  return node.entry.files.map((file) => ({ kind: 'commitFile', id: `${node.id}/${file.path}`, diff: diffArgs(node.root, node.entry, file) }));
}

export function diffArgs(root: string, entry: Pick<HistoryEntry, 'sha' | 'parents'>, file: CommitFile): DiffArgs {
  const args: DiffArgs = { root, sha: entry.sha, path: file.path, status: file.status };
  if (entry.parents[0] !== undefined) args.parent = entry.parents[0];
  if (file.oldPath !== undefined) args.oldPath = file.oldPath;
  return args;
}

export function fileItem(node: CommitFileNode): vscode.TreeItem {
  const item = new vscode.TreeItem(path.posix.basename(node.diff.path), vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  const dir = path.posix.dirname(node.diff.path);
  item.description = `${dir === '.' ? '' : dir}${node.diff.status && node.diff.status !== 'modified' ? ` · ${node.diff.status}` : ''}`;
  item.resourceUri = vscode.Uri.file(path.join(node.diff.root, node.diff.path));
  item.tooltip = node.diff.oldPath ? `${node.diff.oldPath} → ${node.diff.path}` : node.diff.path;
  item.contextValue = 'gitopshq.commitFile';
  item.command = { command: 'gitopshq.history.openDiff', title: 'Open Changes', arguments: [node.diff] };
  return item;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, '\\$&');
}
