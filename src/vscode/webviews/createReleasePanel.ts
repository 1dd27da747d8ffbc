// The Create Release form (host side): one panel, opened by `gitopshq.release.create` without
// arguments. It reads everything through the ReleaseService (candidates, per-file diffs, policy
// preview, identity, create) and speaks src/protocol/createRelease.ts with webview-ui/createRelease/.
// Candidates are recomputed when the selection changes and, debounced, when releases or project
// files change; a newer computation cancels the one in flight.
import * as vscode from 'vscode';
import { GitOpsHqError } from '../../core/errors';
import { findEnvironment, loadedProjects, projectOrFirst } from '../../core/model/lookup';
import { isVariablesFile, maskedFileDiff } from '../../core/release/largeTexts';
import { mergeCandidates } from '../../core/release/releaseViews';
import { titleWarnings } from '../../core/release/stateMachine';
import {
  CandidateDiffRequest,
  CreateRequest,
  OpenCreatedCommand,
  ReadyCommand,
  SelectCommand,
  StateNotification,
  TitleWarningsRequest,
  formProblems,
  webviewStateSchema,
  type FormSelection,
  type StateParams,
} from '../../protocol/createRelease';
import { toWireError } from '../../protocol/ipc';
import type { ReleaseService } from '../releases/releaseService';
import type { Services } from '../services';
import { PanelHost, PanelRegistry } from './panelHost';
import { openReleasePanel } from './releasePanel';
import { CREATE_RELEASE_VIEW_TYPE } from './viewTypes';

export const CREATE_RELEASE_TITLE = 'Create Release';
const LIVE_DEBOUNCE_MS = 300;

const open = new PanelRegistry<CreateReleasePanel>();

/** Opens the form (or reveals it, moved to `preset`'s project and environment when given). */
export async function openCreateReleasePanel(
  services: Services,
  releases: ReleaseService,
  preset?: { project?: string; environment?: string },
): Promise<void> {
  await services.projects.ready;
  const selection = initialSelection(services, preset);
  await open.show(
    services,
    { viewType: CREATE_RELEASE_VIEW_TYPE, title: CREATE_RELEASE_TITLE },
    (known) => {
      if (preset?.project || preset?.environment) known.select(selection);
    },
    (panel) => new CreateReleasePanel(services, releases, panel, selection),
  );
}

/** Restores a form VS Code kept across a reload, with the selection its webview saved. */
export async function restoreCreateReleasePanel(services: Services, releases: ReleaseService, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
  await services.projects.ready;
  const saved = webviewStateSchema.safeParse(state ?? {});
  const selection = restoredSelection(services, saved.success ? saved.data.selection : undefined);
  // One form at a time: its key is ''.
  open.restore(services, panel, selection && { key: '', create: (p) => new CreateReleasePanel(services, releases, p, selection) });
}

class CreateReleasePanel extends PanelHost {
  private computing: vscode.CancellationTokenSource | undefined;
  private last: StateParams | undefined;

  constructor(
    s: Services,
    private readonly releases: ReleaseService,
    panel: vscode.WebviewPanel,
    private selection: FormSelection,
  ) {
    super(s, panel, { title: CREATE_RELEASE_TITLE, bundle: 'createRelease', label: 'Create Release' });
    this.channel.dispatcher
      .on(ReadyCommand, () => this.channel.markReady())
      .on(SelectCommand, (p) => this.select(p))
      .on(OpenCreatedCommand, (p) => this.guard(() => openReleasePanel(s, releases, p.project, p.id), 'opening the release'));
    this.channel.onRequest(TitleWarningsRequest, async ({ title }) => Promise.resolve(title.trim() ? titleWarnings(title) : []));
    this.channel.onRequest(CandidateDiffRequest, async ({ selection, path, tenant }) => {
      const { before, after } = await releases.fileDiff(selection.project, path, tenant, selection.environment, selection.includeUncommitted);
      const structural = isVariablesFile(s.projects.index.project(selection.project), path);
      return maskedFileDiff({ path, before, after, structural }, s.projects.secretValues(), s.projects.textJobs());
    });
    this.channel.onRequest(CreateRequest, async (input) => {
      const problems = formProblems({ ...input, tenants: input.selection.tenants });
      if (problems.length > 0) throw new GitOpsHqError('release-invalid', problems.join(' '));
      const { selection } = input;
      return releases.create({
        project: selection.project,
        environment: selection.environment,
        title: input.title.trim(),
        notes: input.notes.trim(),
        ...(input.rollback?.trim() ? { rollback: input.rollback.trim() } : {}),
        paths: input.paths,
        tenants: selection.tenants,
        commitUncommitted: selection.includeUncommitted,
      });
    });
    this.liveUpdates<unknown>(LIVE_DEBOUNCE_MS, () => this.update(), [releases.onDidChange, s.projects.onDidChange]);
    this.guard(() => this.update(), 'update');
  }

  select(selection: FormSelection): void {
    try {
      const checked = initialSelection(this.s, selection);
      this.selection = { ...checked, tenants: validTenants(this.s, checked, selection.tenants), includeUncommitted: selection.includeUncommitted };
    } catch (err) {
      this.send({ error: toWireError(err) });
      return;
    }
    this.guard(() => this.update(), 'update');
  }

  protected override onDispose(): void {
    this.computing?.cancel();
  }

  private async update(): Promise<void> {
    if (this.disposed) return;
    this.computing?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.computing = cts;
    const { project, environment, tenants, includeUncommitted } = this.selection;
    const sameSelection = this.last && JSON.stringify(this.last.selection) === JSON.stringify(this.selection);
    this.send({ loading: true, ...(sameSelection ? {} : { candidates: [], deployed: [] }) });

    let error: ReturnType<typeof toWireError> | undefined;
    let policy: StateParams['policy'];
    try {
      policy = this.releases.policyPreview(project, environment);
    } catch (err) {
      error = toWireError(err);
    }
    let identity: StateParams['identity'];
    try {
      identity = await this.releases.identity(project);
    } catch (err) {
      error ??= toWireError(err);
    }
    let candidates: StateParams['candidates'] = [];
    let deployed: StateParams['deployed'] = [];
    try {
      const views = tenants.length > 0 ? await this.releases.candidates(project, environment, tenants, includeUncommitted, cts.token) : [];
      candidates = mergeCandidates(views);
      deployed = views.map((v) => ({ tenant: v.tenant, sha: v.deployed?.sha ?? null, date: v.deployed?.date ?? null }));
    } catch (err) {
      if (cts.token.isCancellationRequested) return;
      this.s.logger.error('Create Release: candidates failed', err);
      error ??= toWireError(err);
    }
    if (cts.token.isCancellationRequested || this.disposed) return;
    cts.dispose();
    if (this.computing === cts) this.computing = undefined;
    this.send({ loading: false, candidates, deployed, ...(policy ? { policy } : {}), ...(identity ? { identity } : {}), ...(error ? { error } : {}) });
  }

  /** Sends the state: the projects and the selection as they are now, `changes` over the last state's data. */
  private send(changes: Partial<StateParams>): void {
    const last = this.last;
    const keep = <K extends 'policy' | 'identity'>(k: K) => (changes[k] ? { [k]: changes[k] } : changes.loading && last?.[k] ? { [k]: last[k] } : {});
    const state: StateParams = {
      projects: loadedProjects(this.s.projects.index).map((p) => ({
        slug: p.slug,
        name: p.name,
        environments: p.environments.map((e) => e.name),
        tenants: [...p.tenants],
        tenantsDeclared: p.tenantsDeclared,
      })),
      selection: this.selection,
      loading: changes.loading ?? false,
      candidates: changes.candidates ?? last?.candidates ?? [],
      deployed: changes.deployed ?? last?.deployed ?? [],
      ...keep('policy'),
      ...keep('identity'),
      ...(changes.error ? { error: changes.error } : {}),
    };
    this.last = state;
    this.post(StateNotification, state);
  }
}

/**
 * The selection for `preset`: its project (or the first), its environment (or the first that
 * requires approval, else the first), every tenant, uncommitted changes excluded.
 */
function initialSelection(s: Services, preset?: { project?: string | undefined; environment?: string | undefined }): FormSelection {
  const project = projectOrFirst(s.projects.index, preset?.project || undefined);
  const environment = preset?.environment ? findEnvironment(project, preset.environment).name : (project.environments.find((e) => e.approval.required > 0) ?? project.environments[0])?.name;
  if (!environment) throw new GitOpsHqError('environment-not-found', `Project ${project.slug} has no environment.`);
  return { project: project.slug, environment, tenants: [...project.tenants], includeUncommitted: false };
}

/** The saved selection, checked again; undefined when nothing of it can be restored. */
function restoredSelection(s: Services, saved: FormSelection | undefined): FormSelection | undefined {
  try {
    const selection = initialSelection(s, saved);
    return saved ? { ...selection, tenants: validTenants(s, selection, saved.tenants), includeUncommitted: saved.includeUncommitted } : selection;
  } catch (err) {
    s.logger.warn(`Create Release: nothing to restore (${String(err)})`);
    return undefined;
  }
}

/** The wanted tenants that the project has (all of them when none is left). */
function validTenants(s: Services, selection: FormSelection, wanted: readonly string[]): string[] {
  const all = s.projects.index.project(selection.project)?.tenants ?? [];
  const kept = wanted.filter((t) => all.includes(t));
  return kept.length > 0 || wanted.length === 0 ? kept : [...all];
}
