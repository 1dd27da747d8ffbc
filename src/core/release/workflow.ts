// The release workflow (docs/releases.md): reading candidates, policy previews and trust, and the
// writes (create, act, deploy, rollback) that change a release only through the state machine and
// record it as commits. Everything outside Git and the release files comes through the ports of
// ports.ts, so this runs in plain Node against real repositories (test/unit/core/release/workflow.test.ts);
// the editor adapter (vscode/releases/releaseService.ts) adds only what needs VS Code.
import * as path from 'node:path';
import { GitOpsHqError } from '../errors';
import { findEnvironment, findProject, findTenants } from '../model/lookup';
import { DISPLAY_MASKING, secretMasker } from '../secrets/mask';
import type { Project } from '../types';
import { affectedPaths, isAffectedPath, type AffectedPath } from './affectedPaths';
import { auditEntries, MAX_VALUES_SHOWN, type AuditEntry } from './audit';
import { summarizeLargeFiles } from './largeTexts';
import type { CandidateChange, DiagnosticsPort, ReleaseFileEntry, ReleaseGitPort, ReleaseRepository, ReleaseTrustPort, ReleaseWorkflowHost } from './ports';
import { newReleaseId, parseReleaseFile, releaseFilePath, serializeRelease } from './releaseFile';
import { rollbackInput, type PreviousContent } from './rollback';
import { allowedActions, applyAction, createRelease, isFrozen, markDeployed, releaseBases, type ActionContext } from './stateMachine';
import type { TrustReport } from './trust';
import type { Identity, Release, ReleaseAction, ReleaseChange, ReleaseState } from './types';

export interface CreateArgs {
  project: string;
  environment: string;
  title: string;
  notes: string;
  rollback?: string;
  /** Files or folders, relative to the project root (or absolute); default: every candidate change. */
  paths?: string[];
  /** Default: every tenant of the project. */
  tenants?: string[];
  /** Commit the selected paths' uncommitted content with the release file (else the content at HEAD is released). */
  commitUncommitted?: boolean;
}

export interface CandidateView {
  tenant: string;
  changes: (CandidateChange & { workload?: string; kind: AffectedPath['kind'] })[];
  deployed: { sha: string; date: string } | null;
}

export interface PolicyPreview {
  required: number;
  approvers: string[];
  requesterCanApprove: boolean;
  frozen: { reason?: string; until?: string } | null;
  resultState: ReleaseState;
}

/** What Git vouches for in a release (docs/releases.md, "Trust"): the committed copy, judged. */
export interface ReleaseTrustView {
  /** The release as committed on the current branch (undefined when it is not committed). */
  release?: Release;
  /** The working tree's copy differs from the committed one (it is ignored). */
  uncommitted: boolean;
  report: TrustReport;
  /** Approvals had to be signed (gitopshq.approvals.requireSignedCommits). */
  signed: boolean;
}

/** Actions that act on what the release carries: refused while Git does not vouch for it. */
const TRUSTED_ONLY: readonly ReleaseAction[] = ['submit', 'approve', 'deploy'];

export interface ReleaseResult {
  id: string;
  state: ReleaseState;
}

const AUDIT_MAX_COMMITS = 500;

/**
 * Releases of every project: read from the release files, changed only through the core state machine,
 * written as commits through the Git port, published as the host says. Writes run one at a time.
 */
export class ReleaseWorkflow<G extends ReleaseGitPort = ReleaseGitPort> {
  /** The Git identity per project root, for the views' context menus (commands always read it fresh). */
  private readonly identities = new Map<string, Identity | null>();
  private published = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: ReleaseWorkflowHost<G>) {}

  releases(slug: string): ReleaseFileEntry[] {
    return this.host.store.entries(slug);
  }

  release(slug: string, id: string): Release | undefined {
    return this.host.store.entries(slug).find((e) => e.release?.id === id)?.release;
  }

  /** Pending approvals in an environment (the Projects tree shows them). */
  pendingApprovals(slug: string, environment: string): number {
    return this.host.store.entries(slug).filter((e) => e.release?.environment === environment && e.release.state === 'pending_approval').length;
  }

  /** What the cached identity may do, for views; empty while the identity is unknown. */
  cachedAllowed(slug: string, release: Release): ReleaseAction[] {
    const project = this.host.projects.project(slug);
    const identity = project && this.identities.get(project.root);
    if (!project || !identity) return [];
    return allowedActions(release, this.context(project, release.environment, identity));
  }

  /** The identity last read for the project's repository, without I/O (the dashboard's "mine" and "may approve"). */
  cachedIdentity(slug: string): Identity | undefined {
    const project = this.host.projects.project(slug);
    return (project && this.identities.get(project.root)) ?? undefined;
  }

  async identity(slug: string): Promise<Identity> {
    const project = findProject(this.host.projects, slug);
    const identity = await ((await this.open(project)).git).identity();
    this.rememberIdentity(project, identity);
    return identity;
  }

  async allowed(slug: string, id: string): Promise<ReleaseAction[]> {
    const project = findProject(this.host.projects, slug);
    const view = await this.trust(slug, id);
    const identity = await this.identity(slug);
    // Nothing can be recorded over uncommitted edits, and only a committed release is acted on.
    if (!view.release || view.uncommitted) return [];
    const verified = view.report.approvals.map((a) => a.verified);
    const allowed = allowedActions(view.release, this.context(project, view.release.environment, identity, {}, verified));
    return view.report.problems.length > 0 ? allowed.filter((a) => !TRUSTED_ONLY.includes(a)) : allowed;
  }

  /**
   * The committed release judged against Git: its approvals verified or not (and why), and what
   * stops it from being approved or deployed. The working tree's copy is never used.
   */
  async trust(slug: string, id: string): Promise<ReleaseTrustView> {
    const project = findProject(this.host.projects, slug);
    const trust = (await this.open(project)).trust;
    const releasePath = await this.repoPath(project, releaseFilePath(project.root, id));
    const [text, uncommitted] = await Promise.all([trust.committedText(releasePath), trust.isModified(releasePath)]);
    const signed = this.host.requireSignedCommits(project);
    const parsed = text === null ? undefined : parseReleaseFile(text, releaseFilePath(project.root, id)).release;
    if (!parsed) {
      const why = text === null ? `${releasePath} is not committed on this branch: only a committed release can be approved or deployed` : `the committed ${releasePath} does not parse`;
      const shown = this.release(slug, id);
      return { uncommitted, signed, report: { approvals: (shown?.approvals ?? []).map(() => ({ verified: false, counts: false, why })), problems: [why], tightened: [] } };
    }
    return { release: parsed, uncommitted, signed, report: await this.judge(project, trust, releasePath, parsed, signed) };
  }

  policyPreview(slug: string, environment: string): PolicyPreview {
    const env = findEnvironment(findProject(this.host.projects, slug), environment);
    const freeze = isFrozen(env, new Date());
    const frozen = freeze.frozen ? { ...(freeze.reason ? { reason: freeze.reason } : {}), ...(freeze.until ? { until: freeze.until } : {}) } : null;
    return {
      required: env.approval.required,
      approvers: [...env.approval.approvers],
      requesterCanApprove: env.approval.requesterCanApprove,
      frozen,
      resultState: env.approval.required === 0 ? 'draft' : 'pending_approval',
    };
  }

  async candidates(
    slug: string,
    environment: string,
    tenants: string[],
    includeUncommitted: boolean,
    token?: { readonly isCancellationRequested: boolean },
  ): Promise<CandidateView[]> {
    const project = findProject(this.host.projects, slug);
    findEnvironment(project, environment);
    const { repo } = await this.open(project);
    const git = (await this.open(project)).git;
    const out: CandidateView[] = [];
    for (const tenant of findTenants(project, tenants)) {
      if (token?.isCancellationRequested) throw new GitOpsHqError('cancelled', 'Cancelled.');
      const affected = affectedPaths(project, environment, tenant, (abs) => repo.relative(abs));
      const changes = await git.candidateChanges(tenant, environment, affected.map((a) => a.path), { includeUncommitted });
      const state = this.host.deployState(slug, environment, tenant);
      const tip = await git.deployedTip(tenant, environment);
      out.push({
        tenant,
        changes: changes.map((c) => ({ ...c, ...owner(affected, c.path) })),
        deployed: tip ? { sha: tip, date: state?.kind === 'deployed' && state.deployed.sha === tip ? state.deployed.date.toISOString() : '' } : null,
      });
    }
    return out;
  }

  /** The diff of one candidate change: any other path of the repository (`.git/config`) is refused. */
  async fileDiff(slug: string, file: string, tenant: string, environment: string, includeUncommitted: boolean): Promise<{ before: string; after: string }> {
    const project = findProject(this.host.projects, slug);
    findEnvironment(project, environment);
    findTenants(project, [tenant]);
    const { repo } = await this.open(project);
    const git = (await this.open(project)).git;
    const rel = await this.repoPath(project, file);
    const notCandidate = () =>
      new GitOpsHqError('release-invalid', `${file} is not a candidate change of ${environment} for ${tenant}: only candidate changes can be compared.`, 'Pick a file from the list of candidate changes.');
    if (!isAffectedPath(affectedPaths(project, environment, tenant, (abs) => repo.relative(abs)), rel)) throw notCandidate();
    const candidates = await git.candidateChanges(tenant, environment, [rel], { includeUncommitted });
    if (!candidates.some((c) => c.path === rel)) throw notCandidate();
    const tip = await git.deployedTip(tenant, environment);
    const beforeBlob = tip ? await git.blobOf(tip, rel) : null;
    const before = beforeBlob ? await git.readBlob(beforeBlob) : '';
    let after: string;
    if (includeUncommitted) {
      after = (await git.readWorking(rel)) ?? '';
    } else {
      const headBlob = await git.blobOf('HEAD', rel);
      after = headBlob ? await git.readBlob(headBlob) : '';
    }
    return { before, after };
  }

  /** A change of an existing release: the content at its base (the first tenant's) against the blob it deploys. */
  async changeDiff(slug: string, id: string, file: string): Promise<{ before: string; after: string }> {
    const project = findProject(this.host.projects, slug);
    const release = this.release(slug, id);
    if (!release) throw new GitOpsHqError('release-not-found', `Project ${slug} has no release ${id}.`);
    const change = release.changes.find((c) => c.path === file);
    if (!change) throw new GitOpsHqError('release-invalid', `Release ${id} does not change ${file}.`);
    const git = (await this.open(project)).git;
    const base = release.bases?.[release.tenants[0]!] ?? release.base;
    const beforeBlob = base ? await git.blobOf(base, file) : null;
    return {
      before: beforeBlob ? await git.readBlob(beforeBlob) : '',
      after: change.blob ? await git.readBlob(change.blob) : '',
    };
  }

  create(args: CreateArgs): Promise<ReleaseResult> {
    return this.serialized(() => this.doCreate(args));
  }

  act(slug: string, id: string, action: Exclude<ReleaseAction, 'rollback'>, opts: { comment?: string; reason?: string } = {}): Promise<ReleaseResult> {
    return this.serialized(() => this.doAct(slug, id, action, opts));
  }

  rollback(slug: string, id: string, opts: { title?: string; notes?: string; tenant?: string } = {}): Promise<ReleaseResult> {
    return this.serialized(() => this.doRollback(slug, id, opts));
  }

  async audit(slug: string): Promise<AuditEntry[]> {
    const project = findProject(this.host.projects, slug);
    const { repo } = await this.open(project);
    const git = (await this.open(project)).git;
    const relative = (abs: string) => repo.relative(abs);
    const paths = new Set<string>();
    for (const env of project.environments) {
      for (const tenant of project.tenants) for (const a of affectedPaths(project, env.name, tenant, relative)) paths.add(a.path);
    }
    const releases = this.host.store.entries(slug).flatMap((e) => (e.release ? [e.release] : []));
    const commits = await git.valuesHistory([...paths].sort(), { maxCount: AUDIT_MAX_COMMITS });
    // Which releases carried each commit: those that name one of its files and whose head contains it.
    for (const commit of commits) {
      if (commit.containedIn) continue;
      const files = new Set(commit.files.map((f) => f.path));
      const carriers: string[] = [];
      for (const r of releases) {
        if (!r.changes.some((c) => files.has(c.path))) continue;
        if (await git.isAncestor(commit.sha, r.head).catch(() => false)) carriers.push(r.id);
      }
      commit.containedIn = carriers;
    }
    await summarizeLargeFiles(commits, this.host.textJobs(), MAX_VALUES_SHOWN);
    const masker = secretMasker(this.host.secretValues(), DISPLAY_MASKING);
    return auditEntries(releases, commits, project, relative, (text) => masker.text(text));
  }

  // -------------------------------------------------------------------------------------------
  // Writes

  private async doCreate(args: CreateArgs): Promise<ReleaseResult> {
    const project = findProject(this.host.projects, args.project);
    const env = findEnvironment(project, args.environment);
    const tenants = findTenants(project, args.tenants);
    const git = (await this.open(project)).git;
    const author = await git.identity();
    this.rememberIdentity(project, author);
    const head = await git.head();
    const includeUncommitted = args.commitUncommitted === true;
    const views = await this.candidates(project.slug, env.name, tenants, includeUncommitted);

    const byPath = new Map<string, CandidateView['changes'][number]>();
    for (const view of views) for (const c of view.changes) if (!byPath.has(c.path)) byPath.set(c.path, c);
    let selected: CandidateView['changes'];
    if (args.paths && args.paths.length > 0) {
      const wanted = await Promise.all(args.paths.map((p) => this.repoPath(project, p)));
      selected = [...byPath.values()].filter((c) => wanted.some((w) => c.path === w || c.path.startsWith(`${w.replace(/\/$/, '')}/`)));
      const missing = wanted.filter((w) => !selected.some((c) => c.path === w || c.path.startsWith(`${w.replace(/\/$/, '')}/`)));
      if (missing.length > 0) {
        throw new GitOpsHqError(
          'release-invalid',
          `${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no change to release to ${env.name} (${tenants.join(', ')}).`,
          `Candidate changes: ${[...byPath.keys()].join(', ') || 'none'}.`,
        );
      }
    } else {
      selected = [...byPath.values()];
    }
    if (selected.length === 0) {
      throw new GitOpsHqError(
        'release-invalid',
        `Nothing to release to ${env.name}: ${tenants.join(', ')} already run${tenants.length === 1 ? 's' : ''} what main holds.`,
        includeUncommitted ? undefined : 'Commit your changes first, or include uncommitted changes.',
      );
    }
    const uncommitted = includeUncommitted ? selected.filter((c) => c.uncommitted) : [];
    const changes: ReleaseChange[] = selected.map((c) => {
      const blob = includeUncommitted && c.uncommitted ? (c.workingBlob ?? null) : c.headBlob;
      return c.workload ? { path: c.path, workload: c.workload, blob } : { path: c.path, blob };
    });
    const bases: Record<string, string | null> = {};
    for (const tenant of tenants) bases[tenant] = await git.deployedTip(tenant, env.name);

    const release = createRelease({
      id: newReleaseId(),
      title: args.title,
      notes: args.notes,
      ...(args.rollback?.trim() ? { rollback: args.rollback.trim() } : {}),
      environment: env,
      tenants,
      changes,
      bases,
      head: head.sha,
      createdBy: author,
      createdAt: new Date(),
    });
    return this.commitNew(project, git, release, head, uncommitted.map((c) => c.path));
  }

  private async doAct(slug: string, id: string, action: Exclude<ReleaseAction, 'rollback'>, opts: { comment?: string; reason?: string }): Promise<ReleaseResult> {
    const project = findProject(this.host.projects, slug);
    const current = await this.fresh(project, id);
    const git = (await this.open(project)).git;
    const identity = await git.identity();
    this.rememberIdentity(project, identity);
    const trust = (await this.open(project)).trust;
    const report = await this.judge(project, trust, await this.repoPath(project, releaseFilePath(project.root, id)), current, this.host.requireSignedCommits(project));
    if (report.problems.length > 0 && TRUSTED_ONLY.includes(action)) {
      throw new GitOpsHqError(
        'release-refused',
        `Release ${id} cannot be ${action === 'submit' ? 'submitted' : action === 'approve' ? 'approved' : 'deployed'}: ${report.problems.join('; ')}.`,
        'A release file is trusted only as the extension wrote it: create a new release from the current content.',
      );
    }
    const ctx = this.context(project, current.environment, identity, opts, report.approvals.map((a) => a.verified));
    const next = applyAction(current, action, ctx);
    const head = await git.head();
    const releasePath = await this.repoPath(project, releaseFilePath(project.root, id));

    if (action !== 'deploy') {
      await git.commitReleaseUpdate({
        releasePath,
        content: serializeRelease(next),
        message: commitMessage(next, action),
        expectedHead: head.sha,
        author: identity,
      });
      await this.afterWrite(project, git, id, [head.branch], { [head.branch]: head.sha }, `the ${action} of "${next.title}"`);
      return { id, state: next.state };
    }

    // Deploy: move every tenant's deployed branch from its current tip in one transaction, then record
    // `deploying` and `deployed` in one commit of the release file. A failure before that records nothing.
    const expectedBases: Record<string, string | null> = {};
    for (const tenant of next.tenants) expectedBases[tenant] = await git.deployedTip(tenant, next.environment);
    await this.assertNotOverwriting(git, next, expectedBases);
    const commits = await git.deploy({
      environment: next.environment,
      tenants: next.tenants,
      changes: next.changes.map((c) => ({ path: c.path, blob: c.blob })),
      expectedBases,
      message: `Deploy ${next.id}: ${next.title}`,
      author: identity,
    });
    const deployed = markDeployed(next, commits, { ...ctx, now: new Date() });
    const restore: Record<string, string | null> = { [head.branch]: head.sha };
    for (const tenant of next.tenants) restore[deployedBranch(tenant, next.environment)] = expectedBases[tenant] ?? null;
    try {
      await git.commitReleaseUpdate({
        releasePath,
        content: serializeRelease(deployed),
        message: commitMessage(deployed, 'deploy'),
        expectedHead: head.sha,
        author: identity,
      });
    } catch (err) {
      // The branches moved but the release could not record it: put them back, so nothing changed.
      await git.undo(restore);
      throw err;
    }
    await this.afterWrite(project, git, id, Object.keys(restore), restore, `the deploy of "${deployed.title}"`);
    return { id, state: deployed.state };
  }

  private async doRollback(slug: string, id: string, opts: { title?: string; notes?: string; tenant?: string }): Promise<ReleaseResult> {
    const project = findProject(this.host.projects, slug);
    // A rollback writes a new release, not this one: uncommitted edits of this file are only ignored.
    const target = await this.fresh(project, id, false);
    const env = findEnvironment(project, target.environment);
    const git = (await this.open(project)).git;
    const author = await git.identity();
    this.rememberIdentity(project, author);
    if (target.state !== 'deployed') {
      throw new GitOpsHqError(
        'release-refused',
        `Release ${id} is ${target.state.replace('_', ' ')}: only a deployed release can be rolled back.`,
      );
    }
    if (opts.tenant !== undefined && !target.tenants.includes(opts.tenant)) {
      throw new GitOpsHqError('tenant-not-found', `Release ${id} was not deployed to tenant "${opts.tenant}" (it was: ${target.tenants.join(', ')}).`);
    }
    const tenants = opts.tenant !== undefined ? [opts.tenant] : target.tenants;
    const previous: PreviousContent[] = [];
    const bases: Record<string, string | null> = {};
    for (const tenant of tenants) {
      // What the branch held just before the target's deploy commit: the parent of that commit. The base
      // recorded at creation would miss a release deployed in between.
      const deployed = target.deploy.commits?.[tenant] ?? (tenant === target.tenants[0] ? target.deploy.commit : null);
      const before = deployed ? await git.parentOf(deployed) : (target.bases?.[tenant] ?? (tenant === target.tenants[0] ? target.base : null));
      const blobs = new Map<string, string | null>();
      for (const change of target.changes) blobs.set(change.path, before ? await git.blobOf(before, change.path) : null);
      previous.push({ tenant, blobs, commit: before });
      bases[tenant] = await git.deployedTip(tenant, target.environment);
    }
    const input = rollbackInput({ ...target, tenants }, previous, {
      ...(opts.title ? { title: opts.title } : {}),
      ...(opts.notes ? { notes: opts.notes } : {}),
      bases,
    });
    const head = await git.head();
    const release = createRelease({ ...input, id: newReleaseId(), environment: env, createdBy: author, createdAt: new Date() });
    return this.commitNew(project, git, release, head, []);
  }

  private async commitNew(project: Project, git: G, release: Release, head: { sha: string; branch: string }, includePaths: string[]): Promise<ReleaseResult> {
    await git.commitRelease({
      releasePath: await this.repoPath(project, releaseFilePath(project.root, release.id)),
      content: serializeRelease(release),
      message: commitMessage(release, 'create'),
      ...(includePaths.length > 0 ? { includePaths } : {}),
      expectedHead: head.sha,
      author: release.createdBy,
    });
    await this.afterWrite(project, git, release.id, [head.branch], { [head.branch]: head.sha }, `the release "${release.title}"`);
    return { id: release.id, state: release.state };
  }

  /** Pushes per setting, then re-reads the release file (a rejected push restores it). */
  private async afterWrite(project: Project, git: G, id: string, refs: string[], restore: Record<string, string | null>, what: string): Promise<void> {
    this.host.logger.info(`Committed ${what} (${id}) in ${project.slug}`);
    try {
      await this.host.publish(git, what, refs, restore, project);
    } finally {
      await this.host.store.reload(project.slug, releaseFilePath(project.root, id));
    }
  }

  /**
   * A release created before another one was deployed to the same environment must not silently
   * undo it: refuse when a path of this release changed on a deployed branch since the release's base.
   */
  private async assertNotOverwriting(git: G, release: Release, tips: Record<string, string | null>): Promise<void> {
    const bases = releaseBases(release);
    for (const tenant of release.tenants) {
      const base = bases[tenant] ?? null;
      const tip = tips[tenant] ?? null;
      if (base === tip) continue;
      for (const change of release.changes) {
        const before = base === null ? null : await git.blobOf(base, change.path);
        const now = tip === null ? null : await git.blobOf(tip, change.path);
        if (before !== now && now !== change.blob) {
          throw new GitOpsHqError(
            'git-moved',
            `${change.path} was deployed to ${tenant}/${release.environment} by another release after ${release.id} was created; deploying it would undo that change. Nothing was changed.`,
            'Create a new release from the current content instead.',
          );
        }
      }
    }
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The release as committed on the current branch: a write must start from the latest state, and the
   * working tree's copy is never trusted over the committed one (an uncommitted hand edit is refused).
   */
  private async fresh(project: Project, id: string, refuseUncommitted = true): Promise<Release> {
    const file = releaseFilePath(project.root, id);
    const entry = await this.host.store.reload(project.slug, file);
    const trust = (await this.open(project)).trust;
    const releasePath = await this.repoPath(project, file);
    const text = await trust.committedText(releasePath);
    if (text === null) {
      if (!entry) throw new GitOpsHqError('release-not-found', `Project ${project.slug} has no release ${id}.`, 'Pick one in the Releases view.');
      throw new GitOpsHqError('release-not-found', `${releasePath} is not committed on this branch: only a committed release can be acted on.`, 'Switch to the branch that has the release (or pull it), then retry.');
    }
    if (refuseUncommitted && (await trust.isModified(releasePath))) {
      throw new GitOpsHqError(
        'git-dirty',
        `${releasePath} has uncommitted changes: only the committed release counts, and recording this action would overwrite them.`,
        `Discard them (git restore --staged --worktree ${releasePath}), then retry.`,
      );
    }
    const { release, problems } = parseReleaseFile(text, file);
    if (!release) {
      throw new GitOpsHqError('release-invalid', `The committed release file of ${id} is invalid: ${problems[0]?.message ?? 'unknown problem'}.`, 'Fix the file (see Problems).');
    }
    return release;
  }

  private async judge(project: Project, trust: ReleaseTrustPort, releasePath: string, release: Release, signed: boolean): Promise<TrustReport> {
    const { repo } = await this.open(project);
    return trust.verify(release, {
      releasePath,
      declaredTenants: project.tenants,
      teams: project.teams,
      manifest: project.environments.find((e) => e.name === release.environment)?.approval,
      affected: (tenant) => affectedPaths(project, release.environment, tenant, (abs) => repo.relative(abs)),
      requireSignedCommits: signed,
    });
  }

  private context(project: Project, environment: string, identity: Identity, opts: { comment?: string; reason?: string } = {}, verified?: boolean[]): ActionContext {
    const env = project.environments.find((e) => e.name === environment);
    return {
      identity,
      teams: project.teams,
      ...(env ? { environment: env } : {}),
      ...(verified ? { verified } : {}),
      now: new Date(),
      ...(opts.comment !== undefined ? { comment: opts.comment } : {}),
      ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
    };
  }

  /** The project's repository, opened for releases; a typed error outside Git. */
  private async open(project: Project): Promise<ReleaseRepository<G>> {
    const opened = await this.host.repository(project);
    if (!opened) {
      throw new GitOpsHqError('git-not-repository', `${project.root} is not in a Git repository.`, 'Releases are commits: run "git init" or open the repository folder.');
    }
    return opened;
  }

  /** A user path (project-relative or absolute) as a repository-relative one. */
  private async repoPath(project: Project, file: string): Promise<string> {
    const { repo } = await this.open(project);
    return repo.relative(path.isAbsolute(file) ? file : path.join(project.root, file));
  }

  private rememberIdentity(project: Project, identity: Identity): void {
    const old = this.identities.get(project.root);
    if (old && old.email === identity.email && old.name === identity.name) return;
    this.identities.set(project.root, identity);
    this.host.changed(project.slug);
  }

  /** The `git config` identity of every project again (after a commit or a config change); the views follow. */
  async refreshIdentities(): Promise<void> {
    for (const entry of this.host.projects.projects()) {
      const project = entry.project;
      if (!project) continue;
      try {
        this.rememberIdentity(project, await (await this.open(project)).git.identity());
      } catch {
        // No identity yet: the views offer no actions; a command says how to set it.
        if (this.identities.get(project.root) !== null) {
          this.identities.set(project.root, null);
          this.host.changed(project.slug);
        }
      }
    }
  }

  /** Shows the problems of every release file on `diagnostics`, and clears those of files that have none now. */
  publishProblems(diagnostics: DiagnosticsPort): void {
    const next = new Set<string>();
    for (const project of this.host.projects.projects()) {
      if (!project.project) continue;
      for (const e of this.host.store.entries(project.project.slug)) {
        if (e.problems.length === 0) continue;
        next.add(e.file);
        diagnostics.set(e.file, e.problems);
      }
    }
    for (const file of this.published) if (!next.has(file)) diagnostics.delete(file);
    this.published = next;
  }
}

/** "release(staging): Enable new checkout [rel_…]"; updates name the action. */
function commitMessage(release: Release, action: Exclude<ReleaseAction, 'rollback'> | 'create'): string {
  const what = action === 'create' ? (release.rollbackOf ? `roll back ${release.rollbackOf}: ` : '') : `${action}: `;
  return `release(${release.environment}): ${what}${release.title} [${release.id}]`;
}

function deployedBranch(tenant: string, environment: string): string {
  return `gitopshq/deployed/${tenant}/${environment}`;
}

/** The workload and kind of the affected path that holds `file` (a file itself or a chart folder). */
function owner(affected: AffectedPath[], file: string): { workload?: string; kind: AffectedPath['kind'] } {
  const hit = affected.find((a) => a.path === file) ?? affected.find((a) => file.startsWith(`${a.path.replace(/\/$/, '')}/`));
  if (!hit) return { kind: 'layer' };
  return hit.workload ? { workload: hit.workload, kind: hit.kind } : { kind: hit.kind };
}
