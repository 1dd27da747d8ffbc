// The editor side of the release workflow (core/release/workflow.ts): the release files watched by
// ReleaseStore, the Git bundle loaded on first use, the settings (signed approvals, push), the push
// question, the change event the views and panels follow, and the release files' problems in the
// Problems view. Every decision is the workflow's; this file only plugs VS Code into its ports.
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { AuditEntry } from '../../core/release/audit';
import type { ReleaseRepository } from '../../core/release/ports';
import {
  ReleaseWorkflow,
  type CandidateView,
  type CreateArgs,
  type PolicyPreview,
  type ReleaseResult,
  type ReleaseTrustView,
} from '../../core/release/workflow';
import type { Identity, Release, ReleaseAction } from '../../core/release/types';
import type { Project } from '../../core/types';
import type * as Git from '../../infra/git/index';
import type { GitRepository } from '../../infra/git/gitRepository';
import type { ReleaseGit } from '../../infra/git/releaseGit';
import { toDiagnostic } from '../diagnostics';
import { lazyBundle } from '../lazyBundle';
import type { DisposableStore } from '../lifecycle';
import type { ProjectService } from '../projectService';
import { pushPerSetting } from './push';
import { ReleaseStore, type ReleaseEntry } from './releaseStore';

export type { ReleaseEntry } from './releaseStore';

export interface ReleaseRuntimePort {
  phase(slug: string, id: string): { phase: 'pending' | 'in_progress' | 'deployed' | 'healthy' | 'failed'; superseded: boolean; detail: string } | undefined;
  onDidChange: vscode.Event<{ slug: string; release: string }>;
  /** Follows the release (every tenant) while the disposable lives. */
  watch(slug: string, id: string): vscode.Disposable;
}
export type { CandidateView, CreateArgs, PolicyPreview, ReleaseResult, ReleaseTrustView } from '../../core/release/workflow';

/** Same bundle as ProjectService's: loaded once, on first use. */
const loadGit = lazyBundle<typeof Git>('git');

export class ReleaseService implements vscode.Disposable {
  private readonly store: ReleaseStore;
  private readonly workflow: ReleaseWorkflow<ReleaseGit>;
  private readonly changed = new vscode.EventEmitter<{ slug?: string }>();
  readonly onDidChange = this.changed.event;
  private readonly repositories = new WeakMap<GitRepository, Promise<ReleaseRepository<ReleaseGit>>>();
  private readonly diagnostics: vscode.DiagnosticCollection;
  /**
   * The runtime phase of deployed releases, set by the timeline feature (src/vscode/timeline): the
   * release panel, in its own bundle, reaches it through this service it is handed.
   */
  runtime: ReleaseRuntimePort | undefined;

  constructor(
    private readonly projects: ProjectService,
    logger: Logger,
    disposables: DisposableStore,
  ) {
    this.store = new ReleaseStore(projects, logger, disposables);
    disposables.register(this.store);
    disposables.register(this.changed);
    this.diagnostics = disposables.register(vscode.languages.createDiagnosticCollection('gitopshq-releases'));
    this.workflow = new ReleaseWorkflow<ReleaseGit>({
      projects: projects.index,
      logger,
      store: this.store,
      repository: (project) => this.repository(project),
      deployState: (slug, environment, tenant) => projects.deployState(slug, environment, tenant),
      textJobs: () => projects.textJobs(),
      secretValues: () => projects.secretValues(),
      requireSignedCommits: (project) =>
        vscode.workspace.getConfiguration('gitopshq', vscode.Uri.file(project.root)).get<boolean>('approvals.requireSignedCommits', false),
      publish: async (git, what, refs, restore, project) => {
        await pushPerSetting(git, what, refs, restore, vscode.Uri.file(project.root));
      },
      changed: (slug) => this.changed.fire({ slug }),
    });
    const problems = {
      set: (file: string, list: Parameters<typeof toDiagnostic>[0][]) => this.diagnostics.set(vscode.Uri.file(file), list.map(toDiagnostic)),
      delete: (file: string) => this.diagnostics.delete(vscode.Uri.file(file)),
    };
    disposables.register(
      this.store.onDidChange((e) => {
        this.workflow.publishProblems(problems);
        this.changed.fire(e);
      }),
    );
    // A commit or a `git config` between two actions may change who the user is: read it again in the background.
    disposables.register(projects.onDidChange(() => void this.workflow.refreshIdentities()));
  }

  /** Resolves once the release files known so far are loaded (tests, commands that need fresh state). */
  async settled(): Promise<void> {
    await this.projects.settled();
    await this.store.settled();
  }

  releases(slug: string): ReleaseEntry[] {
    return this.store.entries(slug);
  }

  release(slug: string, id: string): Release | undefined {
    return this.workflow.release(slug, id);
  }

  pendingApprovals(slug: string, environment: string): number {
    return this.workflow.pendingApprovals(slug, environment);
  }

  cachedAllowed(slug: string, release: Release): ReleaseAction[] {
    return this.workflow.cachedAllowed(slug, release);
  }

  cachedIdentity(slug: string): Identity | undefined {
    return this.workflow.cachedIdentity(slug);
  }

  identity(slug: string): Promise<Identity> {
    return this.workflow.identity(slug);
  }

  allowed(slug: string, id: string): Promise<ReleaseAction[]> {
    return this.workflow.allowed(slug, id);
  }

  trust(slug: string, id: string): Promise<ReleaseTrustView> {
    return this.workflow.trust(slug, id);
  }

  policyPreview(slug: string, environment: string): PolicyPreview {
    return this.workflow.policyPreview(slug, environment);
  }

  candidates(slug: string, environment: string, tenants: string[], includeUncommitted: boolean, token?: vscode.CancellationToken): Promise<CandidateView[]> {
    return this.workflow.candidates(slug, environment, tenants, includeUncommitted, token);
  }

  fileDiff(slug: string, file: string, tenant: string, environment: string, includeUncommitted: boolean): Promise<{ before: string; after: string }> {
    return this.workflow.fileDiff(slug, file, tenant, environment, includeUncommitted);
  }

  changeDiff(slug: string, id: string, file: string): Promise<{ before: string; after: string }> {
    return this.workflow.changeDiff(slug, id, file);
  }

  create(args: CreateArgs): Promise<ReleaseResult> {
    return this.workflow.create(args);
  }

  act(slug: string, id: string, action: Exclude<ReleaseAction, 'rollback'>, opts: { comment?: string; reason?: string } = {}): Promise<ReleaseResult> {
    return this.workflow.act(slug, id, action, opts);
  }

  rollback(slug: string, id: string, opts: { title?: string; notes?: string; tenant?: string } = {}): Promise<ReleaseResult> {
    return this.workflow.rollback(slug, id, opts);
  }

  audit(slug: string): Promise<AuditEntry[]> {
    return this.workflow.audit(slug);
  }

  /** Git's answer to "is `commit` an ancestor of (or equal to) `of`" in the project's repository; rejects when a commit is not there. */
  async isAncestor(slug: string, commit: string, of: string): Promise<boolean> {
    const project = this.projects.index.project(slug);
    const repository = project ? await this.repository(project) : undefined;
    if (!repository) throw new Error(`Project ${slug} is not in a Git repository.`);
    return repository.git.isAncestor(commit, of);
  }

  dispose(): void {
    this.diagnostics.dispose();
  }

  /** The project's repository with its release reader and writer, opened once per repository. */
  private async repository(project: Project): Promise<ReleaseRepository<ReleaseGit> | undefined> {
    const repo = await this.projects.repository(project);
    if (!repo) return undefined;
    let opened = this.repositories.get(repo);
    if (!opened) {
      // The repository was opened with the workspace's trust: ReleaseGit keeps its options (hooks off when untrusted).
      opened = loadGit().then(async (bundle) => ({ repo, git: await bundle.ReleaseGit.open(repo), trust: bundle.ReleaseTrust.open(repo) }));
      this.repositories.set(repo, opened);
    }
    return opened;
  }
}
