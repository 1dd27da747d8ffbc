// The audit panel (host side): `gitopshq.audit.show` without arguments. The entries come from the
// ReleaseService (release histories and the Git history of values files, newest first); the host
// filters them with core's filterAudit and sends one page at a time, so a long history never
// crosses the wire whole. Secret values that could appear in a summary are masked here.
import * as vscode from 'vscode';
import { loadedProjects, projectOrFirst } from '../../core/model/lookup';
import { filterAudit, type AuditEntry } from '../../core/release/audit';
import { auditOptions } from '../../core/release/releaseViews';
import { DISPLAY_MASKING, secretMasker } from '../../core/secrets/mask';
import {
  AUDIT_PAGE_SIZE,
  ErrorNotification,
  OpenReleaseCommand,
  QueryCommand,
  ReadyCommand,
  StateNotification,
  webviewStateSchema,
  type AuditFilter,
} from '../../protocol/audit';
import { toWireError } from '../../protocol/ipc';
import type { ReleaseService } from '../releases/releaseService';
import type { Services } from '../services';
import { PanelHost, PanelRegistry } from './panelHost';
import { openReleasePanel } from './releasePanel';
import { AUDIT_VIEW_TYPE } from './viewTypes';

export const AUDIT_TITLE = 'Audit Log';
const LIVE_DEBOUNCE_MS = 500;

const open = new PanelRegistry<AuditPanel>();

/** Opens the audit panel on `slug` (default: the first project), or reveals it there. */
export async function openAuditPanel(services: Services, releases: ReleaseService, slug?: string): Promise<void> {
  await services.projects.ready;
  const project = projectOrFirst(services.projects.index, slug || undefined).slug;
  await open.show(
    services,
    { viewType: AUDIT_VIEW_TYPE, title: AUDIT_TITLE },
    (known) => {
      if (slug) known.query(project, {}, AUDIT_PAGE_SIZE);
    },
    (panel) => new AuditPanel(services, releases, panel, project),
  );
}

export async function restoreAuditPanel(services: Services, releases: ReleaseService, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
  await services.projects.ready;
  const saved = webviewStateSchema.safeParse(state ?? {});
  let project: string | undefined;
  try {
    project = projectOrFirst(services.projects.index, saved.success ? saved.data.project : undefined).slug;
  } catch {
    project = undefined;
  }
  // One audit panel at a time: its key is ''.
  open.restore(services, panel, project === undefined ? undefined : { key: '', create: (p) => new AuditPanel(services, releases, p, project) });
}

/** The filter without absent keys (zod gives `key: undefined`; core's filter type has none). */
function withoutUndefined(filter: AuditFilter): Parameters<typeof filterAudit>[1] {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== '')) as Parameters<typeof filterAudit>[1];
}

class AuditPanel extends PanelHost {
  private filter: AuditFilter = {};
  private limit = AUDIT_PAGE_SIZE;
  /** The project's entries (secrets masked), read once per change of the releases or the project. */
  private entries: Promise<AuditEntry[]> | undefined;
  private generation = 0;

  constructor(
    s: Services,
    private readonly releases: ReleaseService,
    panel: vscode.WebviewPanel,
    private project: string,
  ) {
    super(s, panel, { title: AUDIT_TITLE, bundle: 'audit', label: 'Audit panel' });
    this.channel.dispatcher
      .on(ReadyCommand, (p) => {
        // A reloaded webview restores its filters: answer with them rather than with the last state.
        if (p.filter) this.query(this.project, p.filter, p.limit ?? this.limit);
        this.channel.markReady();
      })
      .on(QueryCommand, (p) => this.query(p.project, p.filter, p.limit))
      .on(OpenReleaseCommand, ({ project, id }) => this.guard(() => openReleasePanel(s, releases, project, id), `opening ${id}`));
    const reread = async () => {
      this.entries = undefined;
      await this.update();
    };
    this.liveUpdates(LIVE_DEBOUNCE_MS, reread, [releases.onDidChange], (e) => !e.slug || e.slug === this.project);
    this.guard(() => this.update(), 'update');
  }

  query(project: string, filter: AuditFilter, limit: number): void {
    if (project !== this.project) {
      try {
        this.project = projectOrFirst(this.s.projects.index, project).slug;
      } catch (err) {
        this.post(ErrorNotification, toWireError(err));
        return;
      }
      this.entries = undefined;
    }
    this.filter = filter;
    this.limit = limit;
    this.guard(() => this.update(), 'update');
  }

  protected override failed(err: unknown): void {
    this.post(ErrorNotification, toWireError(err));
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
    let all: AuditEntry[];
    try {
      all = await this.load();
    } catch (err) {
      this.entries = undefined;
      this.s.logger.error('Audit panel: reading the audit log failed', err);
      this.failed(err);
      return;
    }
    if (this.disposed || generation !== this.generation) return;
    const filtered = filterAudit(all, withoutUndefined(this.filter));
    this.post(StateNotification, {
      projects: loadedProjects(this.s.projects.index).map((p) => p.slug),
      project,
      filter: this.filter,
      options: auditOptions(all),
      all: all.length,
      total: filtered.length,
      entries: filtered.slice(0, this.limit),
    });
  }
}
