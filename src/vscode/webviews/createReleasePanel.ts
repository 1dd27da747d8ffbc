// The Create Release form (host side): one panel, opened by `gitopshq.release.create` without
// arguments. It reads everything through the ReleaseService (candidates, per-file diffs, policy
// preview, identity, create) and speaks src/protocol/createRelease.ts with webview-ui/createRelease/.
// Candidates are recomputed when the selection changes and, debounced, when releases or project
// files change; a newer computation cancels the one in flight.
import * as vscode from 'vscode';
import { Debouncer } from '../../core/debounce';
import { GitOpsHqError } from '../../core/errors';
import { titleWarnings } from '../../core/release/stateMachine';
import type { Project } from '../../core/types';
import {
  CandidateDiffRequest,
  CreateReadyCommand,
  CreateRequest,
  CreateSelectCommand,
  CreateStateNotification,
  OpenCreatedCommand,
  TitleWarningsRequest,
  createWebviewStateSchema,
  formProblems,
  type CreateStateParams,
  type FormSelection,
} from '../../protocol/createRelease';
import { toWireError } from '../../protocol/release';
import type { ReleaseService } from '../releases/releaseService';
import type { Services } from '../services';
import { PanelChannel } from './panelChannel';
import { openReleasePanel } from './releasePanel';
import { isVariablesFile, maskedFileDiff } from '../../core/release/largeTexts';
import { mergeCandidates } from './releaseViews';
import { CREATE_RELEASE_VIEW_TYPE } from './viewTypes';
import { webviewHtml, webviewOptions } from './webviewHtml';

export const CREATE_RELEASE_TITLE = 'Create Release';
const LIVE_DEBOUNCE_MS = 300;

let current: CreateReleasePanel | undefined;

/** Opens the form (or reveals it, moved to `preset`'s project and environment when given). */
export async function openCreateReleasePanel(
  services: Services,
  releases: ReleaseService,
  preset?: { project?: string; environment?: string },
): Promise<void> {
  await services.projects.ready;
  const selection = initialSelection(services, preset);
  if (current) {
    current.reveal();
    if (preset?.project || preset?.environment) current.select(selection);
    return;
  }
  const panel = vscode.window.createWebviewPanel(CREATE_RELEASE_VIEW_TYPE, CREATE_RELEASE_TITLE, vscode.ViewColumn.Active, webviewOptions(services.context.extensionUri));
  await adopt(services, releases, panel, selection).channel.firstState();
}

/** Restores a form VS Code kept across a reload, with the selection its webview saved. */
export async function restoreCreateReleasePanel(services: Services, releases: ReleaseService, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
  await services.projects.ready;
  panel.webview.options = webviewOptions(services.context.extensionUri);
  const saved = createWebviewStateSchema.safeParse(state ?? {});
  let selection: FormSelection;
  try {
    selection = initialSelection(services, saved.success ? saved.data.selection : undefined);
    if (saved.success && saved.data.selection) selection = { ...selection, tenants: validTenants(services, selection, saved.data.selection.tenants), includeUncommitted: saved.data.selection.includeUncommitted };
  } catch (err) {
    services.logger.warn(`Create Release: nothing to restore (${String(err)})`);
    panel.dispose();
    return;
  }
  if (current) {
    panel.dispose(); // one form at a time
    return;
  }
  adopt(services, releases, panel, selection);
}

function adopt(s: Services, releases: ReleaseService, panel: vscode.WebviewPanel, selection: FormSelection): CreateReleasePanel {
  const created = new CreateReleasePanel(s, releases, panel, selection);
  current = created;
  panel.onDidDispose(() => {
    if (current === created) current = undefined;
  });
  return created;
}

class CreateReleasePanel {
  readonly channel: PanelChannel;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly live: Debouncer;
  private computing: vscode.CancellationTokenSource | undefined;
  private last: CreateStateParams | undefined;
  private disposed = false;

  constructor(
    private readonly s: Services,
    private readonly releases: ReleaseService,
    private readonly panel: vscode.WebviewPanel,
    private selection: FormSelection,
  ) {
    panel.title = CREATE_RELEASE_TITLE;
    panel.iconPath = vscode.Uri.joinPath(s.context.extensionUri, 'media', 'gitopshq.svg');
    panel.webview.html = webviewHtml(panel.webview, s.context.extensionUri, { title: CREATE_RELEASE_TITLE, bundle: 'createRelease', css: true });
    this.channel = new PanelChannel(panel, s.logger, 'Create Release');
    this.channel.dispatcher
      .on(CreateReadyCommand, () => this.channel.markReady())
      .on(CreateSelectCommand, (p) => this.select(p))
      .on(OpenCreatedCommand, (p) => {
        openReleasePanel(s, releases, p.project, p.id).catch((err: unknown) => s.logger.error('Create Release: could not open the release', err));
      });
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
    this.live = new Debouncer(LIVE_DEBOUNCE_MS, () => this.update(), (err) => s.logger.error('Create Release: live update failed', err));
    this.disposables.push(
      releases.onDidChange(() => this.live.trigger()),
      s.projects.onDidChange(() => this.live.trigger()),
      panel.onDidDispose(() => this.dispose()),
      this.channel,
    );
    void this.update();
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  select(selection: FormSelection): void {
    try {
      const checked = initialSelection(this.s, selection);
      this.selection = { ...checked, tenants: validTenants(this.s, checked, selection.tenants), includeUncommitted: selection.includeUncommitted };
    } catch (err) {
      this.post({ error: toWireError(err) });
      return;
    }
    void this.update();
  }

  private async update(): Promise<void> {
    if (this.disposed) return;
    this.computing?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.computing = cts;
    const selection = this.selection;
    const { project, environment, tenants, includeUncommitted } = selection;
    const sameSelection = this.last && JSON.stringify(this.last.selection) === JSON.stringify(selection);
    this.post({ loading: true, ...(sameSelection ? {} : { candidates: [], deployed: [] }) });

    let error: ReturnType<typeof toWireError> | undefined;
    let policy: CreateStateParams['policy'];
    try {
      policy = this.releases.policyPreview(project, environment);
    } catch (err) {
      error = toWireError(err);
    }
    let identity: CreateStateParams['identity'];
    try {
      identity = await this.releases.identity(project);
    } catch (err) {
      error ??= toWireError(err);
    }
    let candidates: CreateStateParams['candidates'] = [];
    let deployed: CreateStateParams['deployed'] = [];
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
    this.post({
      loading: false,
      candidates,
      deployed,
      ...(policy ? { policy } : {}),
      ...(identity ? { identity } : {}),
      ...(error ? { error } : {}),
    });
  }

  /** Sends the state: the projects and the selection as they are now, `changes` over the last state's data. */
  private post(changes: Partial<CreateStateParams>): void {
    const state: CreateStateParams = {
      projects: loadedProjects(this.s).map((p) => ({
        slug: p.slug,
        name: p.name,
        environments: p.environments.map((e) => e.name),
        tenants: [...p.tenants],
        tenantsDeclared: p.tenantsDeclared,
      })),
      selection: this.selection,
      loading: changes.loading ?? false,
      candidates: changes.candidates ?? this.last?.candidates ?? [],
      deployed: changes.deployed ?? this.last?.deployed ?? [],
      ...(changes.policy ? { policy: changes.policy } : changes.loading && this.last?.policy ? { policy: this.last.policy } : {}),
      ...(changes.identity ? { identity: changes.identity } : changes.loading && this.last?.identity ? { identity: this.last.identity } : {}),
      ...(changes.error ? { error: changes.error } : {}),
    };
    this.last = state;
    this.channel.post(CreateStateNotification, state);
  }

  private dispose(): void {
    this.disposed = true;
    this.computing?.cancel();
    this.live.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function loadedProjects(s: Services): Project[] {
  return s.projects.index.projects().flatMap((e) => (e.project ? [e.project] : []));
}

/**
 * The selection for `preset`: its project (or the first), its environment (or the first that
 * requires approval, else the first), every tenant, uncommitted changes excluded.
 */
function initialSelection(s: Services, preset?: { project?: string | undefined; environment?: string | undefined }): FormSelection {
  const projects = loadedProjects(s);
  if (projects.length === 0) throw new GitOpsHqError('project-not-found', 'No GitOpsHQ project in this workspace.', 'Initialize one first.');
  const project = preset?.project ? s.projects.index.project(preset.project) : projects[0];
  if (!project) throw new GitOpsHqError('project-not-found', `No GitOpsHQ project with slug "${preset?.project ?? ''}" is loaded.`);
  const names = project.environments.map((e) => e.name);
  if (preset?.environment && !names.includes(preset.environment)) {
    throw new GitOpsHqError('environment-not-found', `Project ${project.slug} has no environment "${preset.environment}" (it has ${names.join(', ')}).`);
  }
  const environment = preset?.environment ?? project.environments.find((e) => e.approval.required > 0)?.name ?? names[0];
  if (!environment) throw new GitOpsHqError('environment-not-found', `Project ${project.slug} has no environment.`);
  return { project: project.slug, environment, tenants: [...project.tenants], includeUncommitted: false };
}

/** The wanted tenants that the project has (all of them when none is left). */
function validTenants(s: Services, selection: FormSelection, wanted: readonly string[]): string[] {
  const all = s.projects.index.project(selection.project)?.tenants ?? [];
  const kept = wanted.filter((t) => all.includes(t));
  return kept.length > 0 || wanted.length === 0 ? kept : [...all];
}
