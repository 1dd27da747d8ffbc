// The audit panel (host side): `gitopshq.audit.show` without arguments. The entries come from the
// ReleaseService (release histories and the Git history of values files, newest first); the host
// filters them with core's filterAudit and sends one page at a time, so a long history never
// crosses the wire whole. Secret values that could appear in a summary are masked here.
import * as vscode from 'vscode';
import { Debouncer } from '../../core/debounce';
import { GitOpsHqError } from '../../core/errors';
import { filterAudit, type AuditEntry } from '../../core/release/audit';
import {
  AUDIT_PAGE_SIZE,
  AuditErrorNotification,
  AuditOpenReleaseCommand,
  AuditQueryCommand,
  AuditReadyCommand,
  AuditStateNotification,
  auditWebviewStateSchema,
  type AuditFilter,
  type AuditStateParams,
} from '../../protocol/audit';
import { toWireError } from '../../protocol/release';
import type { ReleaseService } from '../releases/releaseService';
import type { Services } from '../services';
import { PanelChannel } from './panelChannel';
import { openReleasePanel } from './releasePanel';
import { DISPLAY_MASKING, secretMasker } from '../../core/secrets/mask';
import { auditOptions } from './releaseViews';
import { AUDIT_VIEW_TYPE } from './viewTypes';
import { webviewHtml, webviewOptions } from './webviewHtml';

export const AUDIT_TITLE = 'Audit Log';
const LIVE_DEBOUNCE_MS = 500;

let current: AuditPanel | undefined;

/** Opens the audit panel on `slug` (default: the first project), or reveals it there. */
export async function openAuditPanel(services: Services, releases: ReleaseService, slug?: string): Promise<void> {
  await services.projects.ready;
  const project = projectOrFirst(services, slug);
  if (current) {
    current.reveal();
    if (slug) current.query(project, {}, AUDIT_PAGE_SIZE);
    return;
  }
  const panel = vscode.window.createWebviewPanel(AUDIT_VIEW_TYPE, AUDIT_TITLE, vscode.ViewColumn.Active, webviewOptions(services.context.extensionUri));
  await adopt(services, releases, panel, project).channel.firstState();
}

export async function restoreAuditPanel(services: Services, releases: ReleaseService, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
  await services.projects.ready;
  panel.webview.options = webviewOptions(services.context.extensionUri);
  const saved = auditWebviewStateSchema.safeParse(state ?? {});
  let project: string;
  try {
    project = projectOrFirst(services, saved.success ? saved.data.project : undefined);
  } catch {
    project = '';
  }
  if (!project || current) {
    panel.dispose();
    return;
  }
  adopt(services, releases, panel, project);
}

function adopt(s: Services, releases: ReleaseService, panel: vscode.WebviewPanel, project: string): AuditPanel {
  const created = new AuditPanel(s, releases, panel, project);
  current = created;
  panel.onDidDispose(() => {
    if (current === created) current = undefined;
  });
  return created;
}

function projectOrFirst(s: Services, slug: string | undefined): string {
  const projects = s.projects.index.projects().flatMap((e) => (e.project ? [e.project.slug] : []));
  if (slug && !projects.includes(slug)) throw new GitOpsHqError('project-not-found', `No GitOpsHQ project with slug "${slug}" is loaded.`);
  const project = slug ?? projects[0];
  if (!project) throw new GitOpsHqError('project-not-found', 'No GitOpsHQ project in this workspace.', 'Initialize one first.');
  return project;
}

/** The filter without absent keys (zod gives `key: undefined`; core's filter type has none). */
function withoutUndefined(filter: AuditFilter): Parameters<typeof filterAudit>[1] {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== '')) as Parameters<typeof filterAudit>[1];
}

class AuditPanel {
  readonly channel: PanelChannel;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly live: Debouncer;
  private filter: AuditFilter = {};
  private limit = AUDIT_PAGE_SIZE;
  /** The project's entries (secrets masked), read once per change of the releases or the project. */
  private entries: Promise<AuditEntry[]> | undefined;
  private generation = 0;
  private disposed = false;

  constructor(
    private readonly s: Services,
    private readonly releases: ReleaseService,
    private readonly panel: vscode.WebviewPanel,
    private project: string,
  ) {
    panel.title = AUDIT_TITLE;
    panel.iconPath = vscode.Uri.joinPath(s.context.extensionUri, 'media', 'gitopshq.svg');
    panel.webview.html = webviewHtml(panel.webview, s.context.extensionUri, { title: AUDIT_TITLE, bundle: 'audit', css: true });
    this.channel = new PanelChannel(panel, s.logger, 'Audit panel');
    this.channel.dispatcher
      .on(AuditReadyCommand, (p) => {
        // A reloaded webview restores its filters: answer with them rather than with the last state.
        if (p.filter) this.query(this.project, p.filter, p.limit ?? this.limit);
        this.channel.markReady();
      })
      .on(AuditQueryCommand, (p) => this.query(p.project, p.filter, p.limit))
      .on(AuditOpenReleaseCommand, ({ project, id }) => {
        openReleasePanel(s, releases, project, id).catch((err: unknown) => {
          s.logger.error(`Audit panel: could not open ${id}`, err);
          this.channel.post(AuditErrorNotification, { message: err instanceof Error ? err.message : String(err) });
        });
      });
    this.live = new Debouncer(
      LIVE_DEBOUNCE_MS,
      () => {
        this.entries = undefined;
        return this.update();
      },
      (err) => s.logger.error('Audit panel: live update failed', err),
    );
    this.disposables.push(
      releases.onDidChange((e) => {
        if (!e.slug || e.slug === this.project) this.live.trigger();
      }),
      panel.onDidDispose(() => this.dispose()),
      this.channel,
    );
    void this.update();
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  query(project: string, filter: AuditFilter, limit: number): void {
    if (project !== this.project) {
      try {
        this.project = projectOrFirst(this.s, project);
      } catch (err) {
        this.channel.post(AuditErrorNotification, toWireError(err));
        return;
      }
      this.entries = undefined;
    }
    this.filter = filter;
    this.limit = limit;
    void this.update();
  }

  private load(): Promise<AuditEntry[]> {
    this.entries ??= this.releases.audit(this.project).then((entries) => {
      const masker = secretMasker(this.s.projects.secretValues(), DISPLAY_MASKING);
      return entries.map((e) => masker.deep(e));
    });
    return this.entries;
  }

  private async update(): Promise<void> {
    if (this.disposed) return;
    const generation = ++this.generation;
    const project = this.project;
    const projects = this.s.projects.index.projects().flatMap((e) => (e.project ? [e.project.slug] : []));
    let all: AuditEntry[];
    try {
      all = await this.load();
    } catch (err) {
      this.entries = undefined;
      this.s.logger.error('Audit panel: reading the audit log failed', err);
      this.channel.post(AuditErrorNotification, toWireError(err));
      return;
    }
    if (this.disposed || generation !== this.generation) return;
    const filtered = filterAudit(all, withoutUndefined(this.filter));
    const state: AuditStateParams = {
      projects,
      project,
      filter: this.filter,
      options: auditOptions(all),
      all: all.length,
      total: filtered.length,
      entries: filtered.slice(0, this.limit),
    };
    this.channel.post(AuditStateNotification, state);
  }

  private dispose(): void {
    this.disposed = true;
    this.live.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
