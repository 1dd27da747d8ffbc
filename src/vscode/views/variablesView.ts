import * as vscode from 'vscode';
import type { Project } from '../../core/types';
import { variablesTable, type VariableEntry, type VariableRow } from '../../core/model/variablesTable';
import type { DisposableStore } from '../lifecycle';
import type { ProjectService } from '../projectService';
import { TreeRefresher } from './treeRefresh';

export const VARIABLES_VIEW = 'gitopshq.variables';

type Node =
  | { kind: 'project'; project: Project }
  | { kind: 'key'; project: Project; entry: VariableEntry }
  | { kind: 'row'; project: Project; entry: VariableEntry; row: VariableRow };

/** HQ Variables: key → value per environment (and tenant), the winning scope, secrets masked. */
export class VariablesTreeProvider implements vscode.TreeDataProvider<Node> {
  private readonly nodes = new TreeRefresher<Node>(nodeId);
  readonly onDidChangeTreeData = this.nodes.onDidChangeTreeData;
  private filterText = '';

  constructor(
    private readonly service: ProjectService,
    store: DisposableStore,
  ) {
    store.register(this.nodes);
    store.register(service.onDidChange(() => this.refresh()));
  }

  attach(view: vscode.TreeView<Node>): void {
    this.nodes.attach(view);
  }

  private refresh(): void {
    this.nodes.refresh(this.topLevel());
  }

  get filter(): string {
    return this.filterText;
  }

  setFilter(text: string): void {
    this.filterText = text.trim();
    void vscode.commands.executeCommand('setContext', 'gitopshq.variablesFiltered', this.filterText.length > 0);
    this.refresh();
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'project') {
      const item = new vscode.TreeItem(node.project.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = nodeId(node);
      item.iconPath = new vscode.ThemeIcon('project');
      return item;
    }
    if (node.kind === 'key') {
      const { entry } = node;
      const item = new vscode.TreeItem(entry.key, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = nodeId(node);
      item.iconPath = new vscode.ThemeIcon(entry.secret ? 'lock' : 'symbol-variable');
      const undefinedIn = entry.rows.filter((r) => !r.defined).map(rowLabel);
      item.description = [
        entry.secret ? 'secret' : summary(entry),
        undefinedIn.length > 0 ? `undefined in ${undefinedIn.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join(' · ');
      item.tooltip = tooltip(entry);
      item.contextValue = 'gitopshq.variable';
      return item;
    }
    const { row } = node;
    const item = new vscode.TreeItem(rowLabel(row), vscode.TreeItemCollapsibleState.None);
    item.id = nodeId(node);
    item.description = row.defined ? `${row.display} · ${row.scope}` : 'undefined';
    item.iconPath = row.defined
      ? new vscode.ThemeIcon('symbol-constant')
      : new vscode.ThemeIcon('warning', new vscode.ThemeColor('charts.yellow'));
    if (row.origin) {
      const at = new vscode.Position(row.origin.line, row.origin.character);
      item.command = {
        command: 'vscode.open',
        title: 'Go to Definition',
        arguments: [vscode.Uri.file(row.origin.file), { selection: new vscode.Range(at, at) }],
      };
      item.tooltip = `Defined in ${row.scope} scope: ${row.origin.file}:${row.origin.line + 1}`;
    }
    return item;
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.nodes.roots(this.topLevel());
    if (node.kind === 'project') return this.nodes.intern(this.keys(node.project));
    if (node.kind === 'key') return this.nodes.intern(node.entry.rows.map((row) => ({ kind: 'row', project: node.project, entry: node.entry, row })));
    return [];
  }

  private topLevel(): Node[] {
    const projects = this.service.index.projects().flatMap((e) => (e.project ? [e.project] : []));
    // One project: its keys are the top level, as a user of a single project expects.
    if (projects.length === 1) return this.keys(projects[0]!);
    return projects.map((project) => ({ kind: 'project', project }));
  }

  private keys(project: Project): Node[] {
    return variablesTable(project, this.service.index.variables(project.slug), this.filterText).map((entry) => ({
      kind: 'key',
      project,
      entry,
    }));
  }
}

function nodeId(node: Node): string {
  if (node.kind === 'project') return `vars:${node.project.slug}`;
  if (node.kind === 'key') return `vars:${node.project.slug}/${node.entry.key}`;
  return `vars:${node.project.slug}/${node.entry.key}/${rowLabel(node.row)}`;
}

function rowLabel(row: VariableRow): string {
  return [row.environment, row.tenant, row.workload].filter(Boolean).join(' / ');
}

function summary(entry: VariableEntry): string {
  const distinct = new Set(entry.rows.filter((r) => r.defined).map((r) => r.display));
  if (distinct.size === 1) return [...distinct][0]!;
  return entry.rows
    .filter((r) => !r.workload)
    .map((r) => `${rowLabel(r)}: ${r.display}`)
    .join(' · ');
}

function tooltip(entry: VariableEntry): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${entry.key}**${entry.secret ? ' (secret)' : ''}\n\n`);
  if (entry.description) md.appendText(`${entry.description}\n\n`);
  md.appendMarkdown('| where | value | scope |\n|---|---|---|\n');
  for (const row of entry.rows) {
    md.appendMarkdown(`| ${escapeCell(rowLabel(row))} | ${row.defined ? escapeCell(row.display) : '**undefined**'} | ${row.scope ?? ''} |\n`);
  }
  return md;
}

function escapeCell(text: string): string {
  return text.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`);
}
