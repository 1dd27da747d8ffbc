// The Git Browser node of each project in the Projects tree (issue 16): `main` and each deployed branch
// with how far it is behind `main`, the last 20 commits, and the tags. "Behind" counts content, as the
// badges do: the commits among main's newest 200 on the paths that affect (tenant, environment) whose
// change the deployed branch does not hold. Everything is read when the node is expanded, never before.
import * as vscode from 'vscode';
import { relativeTime } from '../../core/format';
import { PlacementIndex } from '../../core/history/targets';
import { affectedPaths } from '../../core/release/affectedPaths';
import type { Project } from '../../core/types';
import type { ProjectService } from '../projectService';
import { commitItem, fileItem, fileNodes, type CommitFileNode, type CommitNode } from './commitNodes';
import type { HistoryService } from './historyService';

export const RECENT_COMMITS = 20;
const BEHIND_WINDOW = 200;

interface Base {
  id: string;
  slug: string;
}
export type GitNode =
  | (Base & { kind: 'gitBrowser' })
  | (Base & { kind: 'gitBranch'; label: string; description: string; tooltip: string })
  | (Base & { kind: 'gitGroup'; group: 'commits' | 'tags'; label: string })
  | (Base & { kind: 'gitTag'; label: string; description: string })
  | (Base & { kind: 'gitMessage'; label: string })
  | (CommitNode & { slug: string })
  | (CommitFileNode & { slug: string });

const KINDS = new Set(['gitBrowser', 'gitBranch', 'gitGroup', 'gitTag', 'gitMessage', 'commit', 'commitFile']);

export function isGitNode(node: unknown): node is GitNode {
  return typeof node === 'object' && node !== null && KINDS.has((node as { kind?: string }).kind ?? '');
}

export class GitBrowserNodes {
  constructor(
    private readonly history: HistoryService,
    private readonly projects: ProjectService,
  ) {}

  root(slug: string): GitNode {
    return { kind: 'gitBrowser', id: `git:${slug}`, slug };
  }

  item(node: GitNode): vscode.TreeItem {
    switch (node.kind) {
      case 'commit':
        return commitItem(node);
      case 'commitFile':
        return fileItem(node);
      case 'gitBrowser': {
        const item = new vscode.TreeItem('Git Browser', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('source-control');
        item.contextValue = 'gitopshq.gitBrowser';
        item.tooltip = 'Branches, deployed branches, recent commits and tags of this project’s repository';
        return item;
      }
      case 'gitBranch': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = node.description;
        item.tooltip = node.tooltip;
        item.iconPath = new vscode.ThemeIcon('git-branch');
        item.contextValue = 'gitopshq.gitBranch';
        return item;
      }
      case 'gitGroup': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.group === 'commits' ? 'history' : 'tag');
        return item;
      }
      case 'gitTag': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon('tag');
        return item;
      }
      case 'gitMessage': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('info');
        return item;
      }
    }
  }

  async children(node: GitNode): Promise<GitNode[]> {
    const project = this.projects.index.project(node.slug);
    if (!project) return [];
    try {
      switch (node.kind) {
        case 'gitBrowser':
          return await this.top(project);
        case 'gitGroup':
          return node.group === 'commits' ? await this.recent(project) : await this.tags(project);
        case 'commit':
          return fileNodes(node).map((f) => ({ ...f, slug: node.slug }));
        default:
          return [];
      }
    } catch (err) {
      return [{ kind: 'gitMessage', id: `${node.id}/error`, slug: node.slug, label: err instanceof Error ? err.message : String(err) }];
    }
  }

  private async top(project: Project): Promise<GitNode[]> {
    const browser = await this.history.browserFor(project);
    const repo = await this.projects.repository(project);
    if (!browser || !repo) return [{ kind: 'gitMessage', id: `git:${project.slug}/none`, slug: project.slug, label: 'Not in a Git repository' }];
    const refs = await browser.git.refs();
    const main = refs.main;
    const out: GitNode[] = [];
    const id = (s: string) => `git:${project.slug}/${s}`;
    if (main) {
      out.push({ kind: 'gitBranch', id: id(`branch/${main.name}`), slug: project.slug, label: main.name, description: `${main.sha.slice(0, 7)} · ${relativeTime(new Date(main.date))}`, tooltip: main.subject });
    }
    const placements = new PlacementIndex(project, (abs) => repo.relative(abs)).placementsOf;
    const releases: never[] = [];
    const ours = refs.deployed.filter((d) => project.tenants.includes(d.tenant) && project.environments.some((e) => e.name === d.environment));
    const behind = await Promise.all(
      ours.map(async (d) => {
        if (!main) return undefined;
        const paths = affectedPaths(project, d.environment, d.tenant, (abs) => repo.relative(abs)).map((a) => a.path);
        const page = await browser.page({ paths, placementsOf: placements, releases, revs: [main.name] }, { limit: BEHIND_WINDOW });
        const pending = page.entries.filter((e) => e.badges.some((b) => b.tenant === d.tenant && b.environment === d.environment && b.state !== 'deployed')).length;
        return pending === page.entries.length && page.more ? `${pending}+` : String(pending);
      }),
    );
    ours.forEach((d, i) => {
      const n = behind[i];
      const description = n === undefined ? '' : n === '0' ? 'up to date with main' : `${n} commit${n === '1' ? '' : 's'} behind main`;
      out.push({
        kind: 'gitBranch',
        id: id(`branch/${d.name}`),
        slug: project.slug,
        label: d.name,
        description,
        tooltip: `${d.tenant} / ${d.environment}: ${d.subject} (${d.sha.slice(0, 7)}, ${relativeTime(new Date(d.date))}).\nBehind counts the commits on main, among its newest ${BEHIND_WINDOW} on the paths that affect ${d.environment}, whose content this branch does not hold.`,
      });
    });
    out.push({ kind: 'gitGroup', id: id('commits'), slug: project.slug, group: 'commits', label: `Last ${RECENT_COMMITS} commits` });
    out.push({ kind: 'gitGroup', id: id('tags'), slug: project.slug, group: 'tags', label: refs.tags.length === 0 ? 'Tags (none)' : `Tags (${refs.tags.length})` });
    return out;
  }

  private async recent(project: Project): Promise<GitNode[]> {
    const browser = await this.history.browserFor(project);
    const repo = await this.projects.repository(project);
    if (!browser || !repo) return [];
    const main = await repo.mainRef();
    const page = await this.history.page({ project, repo, paths: [], follow: false, label: main, revs: [main] }, { limit: RECENT_COMMITS });
    return page.entries.map((entry) => ({ kind: 'commit', id: `git:${project.slug}/commit/${entry.sha}`, slug: project.slug, root: repo.root, entry, order: page.order }));
  }

  private async tags(project: Project): Promise<GitNode[]> {
    const browser = await this.history.browserFor(project);
    if (!browser) return [];
    const refs = await browser.git.refs();
    if (refs.tags.length === 0) return [{ kind: 'gitMessage', id: `git:${project.slug}/tags/none`, slug: project.slug, label: 'No tags' }];
    return refs.tags.map((t) => ({ kind: 'gitTag', id: `git:${project.slug}/tag/${t.name}`, slug: project.slug, label: t.name, description: `${t.sha.slice(0, 7)} · ${relativeTime(new Date(t.date))}` }));
  }
}
