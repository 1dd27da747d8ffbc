// Read-only `gitopshq-git:` documents: a file's text at a commit, with secrets masked, for VS Code's
// native diff editor. The URI's path is the file's (so the editor picks the language and shows the
// name); the query says which repository and commit. An empty `ref` is the empty side of an added or
// deleted file.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DISPLAY_MASKING, secretMasker } from '../../core/secrets/mask';
import { maskYamlText } from '../../core/secrets/maskYaml';
import type { ProjectService } from '../projectService';
import type { HistoryService } from './historyService';

export const GIT_SCHEME = 'gitopshq-git';
/** The structural (parsed) pass runs on the host's thread: only for texts this small. */
const STRUCTURAL_MAX = 256 * 1024;

interface GitDocQuery {
  root: string;
  ref: string;
  path: string;
}

export function gitUri(root: string, ref: string, repoPath: string): vscode.Uri {
  const query: GitDocQuery = { root, ref, path: repoPath };
  return vscode.Uri.from({ scheme: GIT_SCHEME, path: `/${repoPath}`, query: JSON.stringify(query) });
}

export class GitDocuments implements vscode.TextDocumentContentProvider {
  constructor(
    private readonly history: HistoryService,
    private readonly projects: ProjectService,
  ) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = parseQuery(uri);
    if (!q) return `GitOpsHQ: this document's address is not valid (${uri.toString(true)}).`;
    if (q.ref === '') return '';
    const text = await this.history.show(q.root, q.ref, q.path);
    if (text === undefined) return '';
    const masker = secretMasker(this.projects.secretValues(), DISPLAY_MASKING);
    const yaml = /\.ya?ml$/i.test(q.path);
    return yaml && text.length <= STRUCTURAL_MAX ? maskYamlText(text, masker, true).text : masker.text(text);
  }
}

function parseQuery(uri: vscode.Uri): GitDocQuery | undefined {
  try {
    const q = JSON.parse(uri.query) as Partial<GitDocQuery>;
    return typeof q.root === 'string' && typeof q.ref === 'string' && typeof q.path === 'string' ? (q as GitDocQuery) : undefined;
  } catch {
    return undefined;
  }
}

export interface DiffArgs {
  root: string;
  sha: string;
  /** The first parent, or absent for a root commit. */
  parent?: string;
  path: string;
  /** The path in the parent, for a rename. */
  oldPath?: string;
  status?: 'added' | 'modified' | 'deleted' | 'renamed';
}

/** Opens the native diff editor between the parent and the commit. */
export async function openCommitDiff(args: DiffArgs): Promise<{ left: string; right: string }> {
  const parent = args.parent ?? '';
  const left = gitUri(args.root, args.status === 'added' ? '' : parent, args.oldPath ?? args.path);
  const right = gitUri(args.root, args.status === 'deleted' ? '' : args.sha, args.path);
  const title = `${path.posix.basename(args.path)} (${parent ? parent.slice(0, 7) : 'empty'} ↔ ${args.sha.slice(0, 7)})`;
  await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true });
  return { left: left.toString(), right: right.toString() };
}
