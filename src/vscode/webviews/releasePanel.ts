// The release detail panel (host side): one panel per release, opened by `gitopshq.release.show`,
// the Create form's "Open release" and the audit panel's release links. It shows the release file,
// the approval progress (core policy rules over the current manifest, counting only the approvals Git
// verifies, each marked verified or not with the reason), and the actions the
// current Git identity may take, which run through the ReleaseService; it follows the service's
// changes (its own actions included) live.
import * as vscode from 'vscode';
import { GitOpsHqError } from '../../core/errors';
import { isVariablesFile, maskedFileDiff } from '../../core/release/largeTexts';
import { approvalProgress } from '../../core/release/policy';
import type { Release } from '../../core/release/types';
import { toWireError } from '../../protocol/ipc';
import { ActRequest, ChangeDiffRequest, GoneNotification, OpenReleaseCommand, ReadyCommand, ShowTimelineCommand, StateNotification, webviewStateSchema, type StateParams } from '../../protocol/release';
import type { ReleaseService } from '../releases/releaseService';
import type { Services } from '../services';
import { PanelHost, PanelRegistry } from './panelHost';
import { RELEASE_VIEW_TYPE } from './viewTypes';

const LIVE_DEBOUNCE_MS = 200;
const TITLE_LENGTH = 48;

const open = new PanelRegistry<ReleasePanel>();

/** Opens the release's panel, or reveals it when it is open already. */
export async function openReleasePanel(services: Services, releases: ReleaseService, slug: string, id: string): Promise<void> {
  await services.projects.ready;
  const release = releases.release(slug, id);
  if (!open.get(key(slug, id)) && !release) throw new GitOpsHqError('release-not-found', `Project ${slug} has no release ${id}.`, 'Pick one in the Releases view.');
  await open.show(
    services,
    { viewType: RELEASE_VIEW_TYPE, title: release ? releasePanelTitle(release) : `Release ${id}`, key: key(slug, id) },
    (known) => known.refresh(), // the identity may have changed (`git config`) without any file event
    (panel) => new ReleasePanel(services, releases, panel, slug, id),
  );
}

/** Restores a release panel VS Code kept across a reload, from the project and id its webview saved. */
export async function restoreReleasePanel(services: Services, releases: ReleaseService, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
  await services.projects.ready;
  const saved = webviewStateSchema.safeParse(state ?? {});
  const { project = '', id = '' } = saved.success ? saved.data : {};
  const known = project && id && releases.release(project, id) ? key(project, id) : undefined;
  open.restore(services, panel, known === undefined ? undefined : { key: known, create: (p) => new ReleasePanel(services, releases, p, project, id) });
}

/** "Release: <title>", the panel's title (the integration tests find the webview by it). */
export function releasePanelTitle(release: Pick<Release, 'title'>): string {
  const title = release.title.length > TITLE_LENGTH ? `${release.title.slice(0, TITLE_LENGTH - 1)}…` : release.title;
  return `Release: ${title}`;
}

function key(slug: string, id: string): string {
  return `${slug}/${id}`;
}

class ReleasePanel extends PanelHost {
  constructor(
    s: Services,
    private readonly releases: ReleaseService,
    panel: vscode.WebviewPanel,
    private readonly slug: string,
    private readonly id: string,
  ) {
    const release = releases.release(slug, id);
    super(s, panel, { title: release ? releasePanelTitle(release) : `Release ${id}`, bundle: 'release', label: `Release ${id}` });
    this.channel.dispatcher
      .on(ReadyCommand, () => this.channel.markReady())
      .on(OpenReleaseCommand, ({ id: other }) => this.guard(() => openReleasePanel(s, releases, slug, other), `opening ${other}`))
      .on(ShowTimelineCommand, () => this.guard(async () => void (await vscode.commands.executeCommand('gitopshq.timeline.show', { project: slug, release: id })), 'opening the timeline'));
    // A deployed release shows its phase in the cluster: followed while the panel is open.
    const runtime = releases.runtime;
    if (runtime) {
      this.register(runtime.watch(slug, id), runtime.onDidChange((e) => e.slug === slug && e.release === id && this.triggerLive()));
    }
    this.channel.onRequest(ChangeDiffRequest, async ({ path }) => {
      const current = releases.release(slug, id);
      const change = current?.changes.find((c) => c.path === path);
      if (!current || !change) throw new GitOpsHqError('release-not-found', `Release ${id} has no change of ${path}.`);
      const { before, after } = await releases.changeDiff(slug, id, path);
      const structural = isVariablesFile(s.projects.index.project(slug), path);
      return maskedFileDiff({ path, before, after, structural }, s.projects.secretValues(), s.projects.textJobs());
    });
    this.channel.onRequest(ActRequest, async ({ action, comment, reason }) => {
      if (action === 'reject' && !reason?.trim()) throw new GitOpsHqError('release-invalid', 'Rejecting needs a reason.', 'Say what has to change.');
      const result =
        action === 'rollback'
          ? await releases.rollback(slug, id)
          : await releases.act(slug, id, action, {
              ...(comment?.trim() ? { comment: comment.trim() } : {}),
              ...(reason?.trim() ? { reason: reason.trim() } : {}),
            });
      await this.update();
      return result;
    });
    // Teams and freezes come from the manifest; who the user is may have changed while the panel was in the background.
    this.liveUpdates(LIVE_DEBOUNCE_MS, () => this.update(), [releases.onDidChange], (e) => !e.slug || e.slug === slug);
    this.register(
      s.projects.onDidChange(() => this.triggerLive()),
      panel.onDidChangeViewState(() => {
        if (panel.active) this.triggerLive();
      }),
    );
    this.guard(() => this.update(), 'update');
  }

  refresh(): void {
    this.triggerLive();
  }

  private async update(): Promise<void> {
    if (this.disposed) return;
    const release = this.releases.release(this.slug, this.id);
    if (!release) {
      this.post(GoneNotification, { message: `Release ${this.id} no longer exists in ${this.slug} (or its file no longer parses).` });
      return;
    }
    const project = this.s.projects.index.project(this.slug);
    const teams = project?.teams ?? {};
    const manifest = project?.environments.find((e) => e.name === release.environment)?.approval;
    let trust: StateParams['trust'];
    let shown = release;
    try {
      // The committed copy is what counts and what is shown; approvals count only when Git verifies them.
      const view = await this.releases.trust(this.slug, this.id);
      if (view.release) shown = view.release;
      trust = { ...view.report, uncommitted: view.uncommitted, signed: view.signed };
    } catch (err) {
      this.s.logger.error(`Release panel: could not verify ${this.id} through Git`, err);
    }
    if (this.disposed) return;
    const verified = trust ? trust.approvals.map((a) => a.verified) : shown.approvals.map(() => false);
    const progress = approvalProgress(shown, teams, { ...(manifest ? { manifest } : {}), verified });
    let allowed: StateParams['allowed'] = [];
    let identity: StateParams['identity'];
    let identityError: StateParams['identityError'];
    try {
      identity = await this.releases.identity(this.slug);
      allowed = await this.releases.allowed(this.slug, this.id);
    } catch (err) {
      identityError = toWireError(err);
    }
    if (this.disposed) return;
    const runtime = shown.state === 'deployed' ? this.releases.runtime?.phase(this.slug, this.id) : undefined;
    this.panel.title = releasePanelTitle(shown);
    this.post(StateNotification, {
      project: this.slug,
      release: { ...shown },
      progress: { required: progress.required, approvals: progress.approvals, reached: progress.reached, stillMay: progress.stillMay },
      allowed,
      ...(identity ? { identity } : {}),
      ...(identityError ? { identityError } : {}),
      ...(trust ? { trust } : {}),
      ...(runtime ? { runtime } : {}),
    });
  }
}
