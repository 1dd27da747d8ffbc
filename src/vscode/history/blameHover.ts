// "Who changed this value?" (issue 16): a hover section on the keys of values files and the
// `gitopshq.blame.line` command. A provider of its own, beside the key hover: that hover never waits for
// Git. Blame is cached per file revision; a cold answer that takes longer than the budget is left out of
// this hover (it keeps computing, so the next hover has it).
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { relativeTime } from '../../core/format';
import { badgeText } from '../../core/history/badges';
import { savedLineOf } from '../../core/history/blame';
import type { ProjectService } from '../projectService';
import { diffArgs } from './commitNodes';
import type { BlameResult, HistoryService } from './historyService';

export const HOVER_BUDGET_MS = 300;
const KEY_LINE = /^\s*(?:-\s+)?(?:"[^"]*"|'[^']*'|[^\s#'"][^:#]*?)\s*:(?:\s|$)/;

/** Blame for a document line, mapping unsaved buffers to the saved file. */
export async function blameAt(history: HistoryService, document: vscode.TextDocument, line: number, signal?: AbortSignal): Promise<BlameResult> {
  const file = document.uri.fsPath;
  if (!document.isDirty) return history.blame(file, line, signal ? { signal } : {});
  const saved = (await readFile(file, 'utf8').catch(() => '')).split(/\r?\n/);
  const buffer = document.getText().split(/\r?\n/);
  const savedLine = savedLineOf(saved, buffer, line);
  return history.blame(file, line, { savedLine, unsaved: savedLine === undefined, ...(signal ? { signal } : {}) });
}

export function blameMarkdown(result: BlameResult): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.supportHtml = false;
  md.isTrusted = { enabledCommands: ['gitopshq.history.openDiff', 'gitopshq.release.show', 'gitopshq.history.show'] };
  md.appendMarkdown('**Who changed this?**  \n');
  if (result.unsaved) return md.appendMarkdown('This line has unsaved changes: blame knows the saved file only.');
  if (result.uncommitted) return md.appendMarkdown('Not committed yet.');
  const { blamed, entry } = result;
  if (!blamed || !entry || !result.root) return md.appendMarkdown('No commit found for this line.');
  const file = entry.files.find((f) => f.path === blamed.filename) ?? { path: blamed.filename, status: 'modified' as const, oldBlob: null, newBlob: null };
  const diff = command('gitopshq.history.openDiff', diffArgs(result.root, entry, file));
  md.appendMarkdown(`[\`${entry.sha.slice(0, 7)}\`](${diff}) ${escape(entry.author.name)} · ${relativeTime(new Date(entry.date))} — ${escape(entry.subject)}  \n`);
  if (entry.release) {
    const show = result.project ? command('gitopshq.release.show', { project: result.project.slug, id: entry.release.id }) : undefined;
    const label = `${escape(entry.release.title)} (${entry.release.id})`;
    md.appendMarkdown(`Release: ${show ? `[${label}](${show})` : label}${result.release ? ` · ${result.release.state.replace('_', ' ')} for ${result.release.environment}` : ''}  \n`);
  } else {
    md.appendMarkdown('Release: none yet  \n');
  }
  const badges = badgeText(entry.badges, result.order);
  md.appendMarkdown(badges ? `Deployed: ${escape(badges)}` : 'Deployed: this file affects no environment');
  return md;
}

export class BlameHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly history: HistoryService,
    private readonly projects: ProjectService,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (document.uri.scheme !== 'file') return undefined;
    const entry = this.projects.index.projectOf(document.uri.fsPath);
    if (!entry?.project) return undefined;
    const text = document.lineAt(position.line).text;
    if (!KEY_LINE.test(text)) return undefined;
    // The blame goes on after the budget (to fill the cache), but this hover stops waiting.
    const work = blameAt(this.history, document, position.line).catch(() => undefined);
    const result = await Promise.race([work, new Promise<undefined>((r) => setTimeout(() => r(undefined), HOVER_BUDGET_MS))]);
    if (!result || token.isCancellationRequested) return undefined;
    return new vscode.Hover(blameMarkdown(result));
  }
}

function command(id: string, arg: unknown): string {
  return `command:${id}?${encodeURIComponent(JSON.stringify([arg]))}`;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, '\\$&');
}
