// The Git browser's service (issue 16): turns a target (a file, or a workload with an optional
// environment and tenant) into repository paths, asks the lazily loaded git bundle's HistoryBrowser for
// pages and blame, and hides secrets in what it returns. One browser (one bounded git queue) per repository.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { GitOpsHqError } from '../../core/errors';
import { PlacementIndex, workloadTargetPaths, type HistoryTarget } from '../../core/history/targets';
import type { Badge, BlameLine, Placement } from '../../core/history/types';
import type { Logger } from '../../core/logger';
import type { Release } from '../../core/release/types';
import { DISPLAY_MASKING, secretMasker } from '../../core/secrets/mask';
import type { Project } from '../../core/types';
import type * as Git from '../../infra/git/index';
import type { GitRepository } from '../../infra/git/gitRepository';
import type { HistoryBrowser, HistoryEntry } from '../../infra/git/historyBrowser';
import { lazyBundle } from '../lazyBundle';
import type { ProjectService } from '../projectService';
import type { ReleaseService } from '../releases/releaseService';

const loadGit = lazyBundle<typeof Git>('git');

export const PAGE_SIZE = 200;

export interface ResolvedTarget {
  project: Project | undefined;
  repo: GitRepository;
  paths: string[];
  follow: boolean;
  /** Revisions to walk (default HEAD). */
  revs?: string[];
  /** Shown as the view's description. */
  label: string;
}

export interface HistoryPage {
  target: ResolvedTarget;
  entries: HistoryEntry[];
  more: boolean;
  /** The project's environments in promotion order (badge order). */
  order: string[];
}

export interface BlameResult {
  file: string;
  /** 0-based line asked about. */
  line: number;
  /** The line is part of an unsaved edit: blame knows only the saved file. */
  unsaved?: boolean;
  /** The saved line is not committed yet. */
  uncommitted?: boolean;
  blamed?: BlameLine;
  entry?: HistoryEntry;
  root?: string;
  project?: Project;
  release?: Release;
  order: string[];
}

export class HistoryService {
  private readonly browsers = new Map<string, Promise<HistoryBrowser>>();
  private readonly loose = new Map<string, Promise<GitRepository | undefined>>();

  constructor(
    private readonly projects: ProjectService,
    private readonly releases: ReleaseService,
    private readonly logger: Logger,
  ) {}

  /** The project and repository of a target, and the repository paths its history covers. */
  async resolve(target: HistoryTarget): Promise<ResolvedTarget> {
    if ('file' in target) {
      if (typeof target.file !== 'string' || !path.isAbsolute(target.file)) {
        throw new GitOpsHqError('git-failed', `History needs an absolute file path, got ${JSON.stringify(target.file)}.`);
      }
      const file = path.normalize(target.file);
      const project = this.projects.index.projectOf(file)?.project;
      const repo = project ? await this.projects.repository(project) : await this.looseRepository(file);
      if (!repo) throw new GitOpsHqError('git-not-repository', `${file} is not in a Git repository.`, 'Open a folder that is a Git repository (git init).');
      const rel = repo.relative(file);
      if (rel === '' || rel.startsWith('../')) throw new GitOpsHqError('git-not-repository', `${file} is outside the repository ${repo.root}.`);
      return { project, repo, paths: [rel], follow: true, label: rel };
    }
    const project = this.projects.index.project(target.project);
    if (!project) throw new GitOpsHqError('project-not-found', `No GitOpsHQ project with slug "${target.project}" is loaded.`);
    const repo = await this.projects.repository(project);
    if (!repo) throw new GitOpsHqError('git-not-repository', `Project ${project.slug} is not in a Git repository.`, 'Run git init in the project folder and commit it.');
    const paths = workloadTargetPaths(project, target, (abs) => repo.relative(abs));
    const where = [target.environment, target.tenant].filter((x) => x !== undefined).join(' / ');
    return { project, repo, paths, follow: false, label: `${target.workload}${where ? ` · ${where}` : ''}` };
  }

  async page(target: HistoryTarget | ResolvedTarget, opts: { skip?: number; limit?: number; signal?: AbortSignal } = {}): Promise<HistoryPage> {
    const resolved = 'repo' in target ? target : await this.resolve(target);
    const [browser, releases] = await Promise.all([this.browser(resolved.repo), this.releasesOf(resolved.project)]);
    const result = await browser.page(
      { paths: resolved.paths, follow: resolved.follow, ...(resolved.revs ? { revs: resolved.revs } : {}), placementsOf: this.placements(resolved), releases },
      { skip: opts.skip ?? 0, limit: opts.limit ?? PAGE_SIZE, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    const mask = this.masker();
    for (const e of result.entries) e.subject = mask(e.subject);
    return { target: resolved, entries: result.entries, more: result.more, order: resolved.project?.environments.map((e) => e.name) ?? [] };
  }

  /**
   * Who last changed 0-based `line` of `file`. With `buffer` (the editor's unsaved text), the line is
   * mapped to the saved file's line, or reported unsaved.
   */
  async blame(file: string, line: number, opts: { savedLine?: number | undefined; unsaved?: boolean; signal?: AbortSignal } = {}): Promise<BlameResult> {
    const resolved = await this.resolve({ file });
    const order = resolved.project?.environments.map((e) => e.name) ?? [];
    const base: BlameResult = { file, line, order, root: resolved.repo.root, ...(resolved.project ? { project: resolved.project } : {}) };
    if (opts.unsaved) return { ...base, unsaved: true };
    const [browser, releases] = await Promise.all([this.browser(resolved.repo), this.releasesOf(resolved.project)]);
    const answer = await browser.blame(
      path.normalize(file),
      resolved.paths[0] as string,
      opts.savedLine ?? line,
      { placementsOf: this.placements(resolved), releases },
      opts.signal,
    );
    if (!answer) return base;
    if (answer.line.uncommitted) return { ...base, uncommitted: true, blamed: answer.line };
    const entry = answer.entry ? { ...answer.entry, subject: this.masker()(answer.entry.subject) } : undefined;
    const release = entry?.release && resolved.project ? this.releases.release(resolved.project.slug, entry.release.id) : undefined;
    return { ...base, blamed: { ...answer.line, subject: this.masker()(answer.line.subject) }, ...(entry ? { entry } : {}), ...(release ? { release } : {}) };
  }

  /** A file's text at a commit for the read-only diff documents, secrets masked; undefined when absent there. */
  async show(root: string, ref: string, repoPath: string): Promise<string | undefined> {
    const repo = await this.looseRepository(root);
    if (!repo) throw new GitOpsHqError('git-not-repository', `${root} is not a Git repository.`);
    return (await this.browser(repo)).git.show(ref, repoPath);
  }

  async browserFor(project: Project): Promise<HistoryBrowser | undefined> {
    const repo = await this.projects.repository(project);
    return repo ? this.browser(repo) : undefined;
  }

  /** Git moved (a commit, a deploy): answers keyed by things other than HEAD are dropped. */
  invalidate(): void {
    for (const b of this.browsers.values()) void b.then((browser) => browser.invalidate(), () => undefined);
  }

  private browser(repo: GitRepository): Promise<HistoryBrowser> {
    let browser = this.browsers.get(repo.root);
    if (!browser) {
      browser = loadGit().then((git) => {
        const history = new git.GitHistory(repo, { timeoutMs: timeoutSetting, logger: this.logger });
        return new git.HistoryBrowser(history, async () => new Map([...(await repo.deployedBranches())].map(([k, v]) => [k, v.sha])));
      });
      browser.catch(() => this.browsers.delete(repo.root));
      this.browsers.set(repo.root, browser);
    }
    return browser;
  }

  private looseRepository(file: string): Promise<GitRepository | undefined> {
    const dir = path.dirname(file);
    let repo = this.loose.get(dir);
    if (!repo) {
      repo = loadGit().then((git) => git.GitRepository.open(file, { trusted: vscode.workspace.isTrusted, logger: this.logger }));
      repo.catch(() => this.loose.delete(dir));
      this.loose.set(dir, repo);
    }
    return repo;
  }

  private placements(target: ResolvedTarget): (p: string) => readonly Placement[] {
    if (!target.project) return () => [];
    return new PlacementIndex(target.project, (abs) => target.repo.relative(abs)).placementsOf;
  }

  /** After the release files known so far are read: a history asked for early in a session lost its releases. */
  private async releasesOf(project: Project | undefined): Promise<Release[]> {
    if (!project) return [];
    await this.releases.settled();
    return this.releases.releases(project.slug).flatMap((e) => (e.release ? [e.release] : []));
  }

  private masker(): (text: string) => string {
    const masker = secretMasker(this.projects.secretValues(), DISPLAY_MASKING);
    return (text) => masker.text(text);
  }
}

/** `gitopshq.git.timeoutMs`, read per git call. */
export function timeoutSetting(): number {
  return vscode.workspace.getConfiguration('gitopshq').get<number>('git.timeoutMs', 10_000);
}


export type { Badge };
