import * as vscode from 'vscode';
import { GitOpsHqError } from '../../core/errors';
import { loadedProjects, noProjectLoaded } from '../../core/model/lookup';
import { filterAudit, type AuditEntry, type AuditFilter } from '../../core/release/audit';
import { policySummary, STATE_LABELS, type ReleaseTreeNode } from '../../core/release/releaseTree';
import { titleWarnings } from '../../core/release/stateMachine';
import type { Release, ReleaseAction } from '../../core/release/types';
import type { CreateArgs, ReleaseResult, ReleaseService } from '../releases/releaseService';
import type { Services } from '../services';
import { loadPanels } from '../webviews/lazyPanels';

type Act = Exclude<ReleaseAction, 'rollback'>;
/** Scripted callers name the release; views pass their node. */
type ReleaseArg = { project: string; id: string; comment?: string; reason?: string } | ReleaseTreeNode | undefined;

const ACTION_TITLES: Record<Act, string> = {
  submit: 'Submit for Approval',
  approve: 'Approve',
  reject: 'Reject',
  cancel: 'Cancel',
  deploy: 'Deploy',
};

export function registerReleaseCommands(s: Services, releases: ReleaseService): void {
  s.command('gitopshq.release.create', async (arg?: Partial<CreateArgs> | ReleaseTreeNode) => {
    if (isCreateArgs(arg)) return releases.create(arg);
    const preset = presetOf(arg);
    await (await loadPanels()).openCreateReleasePanel(s, releases, preset);
    return undefined;
  });

  s.command('gitopshq.release.createFromPalette', async (arg?: Partial<CreateArgs> | ReleaseTreeNode) => {
    if (isCreateArgs(arg)) return releases.create(arg);
    return createFromPalette(s, releases, presetOf(arg));
  });

  for (const action of Object.keys(ACTION_TITLES) as Act[]) {
    s.command(`gitopshq.release.${action}`, (arg?: ReleaseArg) => act(s, releases, action, arg));
  }

  s.command('gitopshq.release.rollback', async (arg?: ReleaseArg & { title?: string; notes?: string; tenant?: string }) => {
    if (isScripted(arg)) {
      return releases.rollback(arg.project, arg.id, pick(arg, ['title', 'notes', 'tenant']));
    }
    const target = await targetOf(s, releases, arg, 'rollback');
    if (!target) return undefined;
    const release = releases.release(target.slug, target.id);
    if (!release) throw new GitOpsHqError('release-not-found', `Release ${target.id} is gone.`);
    const notes = await vscode.window.showInputBox({
      title: `Roll back "${release.title}"`,
      prompt: 'Why roll back? (required: reviewers read it)',
      value: `Rolls back ${release.id} (${release.title}).`,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Notes are required.'),
    });
    if (notes === undefined) return undefined;
    const result = await releases.rollback(target.slug, target.id, { notes });
    void announce(`Rollback release created (${STATE_LABELS[result.state]}).`, target.slug, result.id);
    return result;
  });

  s.command('gitopshq.release.show', async (arg?: ReleaseArg) => {
    const target = isScripted(arg) ? { slug: arg.project, id: arg.id } : await targetOf(s, releases, arg, undefined);
    if (!target) return undefined;
    if (!releases.release(target.slug, target.id)) {
      await releases.settled();
      if (!releases.release(target.slug, target.id)) throw new GitOpsHqError('release-not-found', `Project ${target.slug} has no release ${target.id}.`);
    }
    await (await loadPanels()).openReleasePanel(s, releases, target.slug, target.id);
    return undefined;
  });

  s.command('gitopshq.audit.show', async (arg?: ({ project: string } & AuditFilter) | ReleaseTreeNode): Promise<AuditEntry[] | undefined> => {
    if (arg && 'project' in arg && typeof arg.project === 'string') {
      const { project, ...filter } = arg;
      return filterAudit(await releases.audit(project), filter);
    }
    const slug = arg && 'slug' in arg ? arg.slug : undefined;
    await (await loadPanels()).openAuditPanel(s, releases, slug);
    return undefined;
  });
}

// ---------------------------------------------------------------------------------------------

async function act(s: Services, releases: ReleaseService, action: Act, arg: ReleaseArg): Promise<ReleaseResult | undefined> {
  if (isScripted(arg)) return releases.act(arg.project, arg.id, action, pick(arg, ['comment', 'reason']));
  const target = await targetOf(s, releases, arg, action);
  if (!target) return undefined;
  const release = releases.release(target.slug, target.id);
  if (!release) throw new GitOpsHqError('release-not-found', `Release ${target.id} is gone.`);
  const opts: { comment?: string; reason?: string } = {};
  if (action === 'reject') {
    const reason = await vscode.window.showInputBox({
      title: `Reject "${release.title}"`,
      prompt: 'Why? The requester reads this (required).',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'A rejection needs a reason.'),
    });
    if (reason === undefined) return undefined;
    opts.reason = reason;
  } else if (action === 'approve') {
    const comment = await vscode.window.showInputBox({ title: `Approve "${release.title}"`, prompt: 'Comment (optional)', ignoreFocusOut: true });
    if (comment === undefined) return undefined;
    opts.comment = comment;
  } else if (action === 'deploy' || action === 'cancel') {
    const detail =
      action === 'deploy'
        ? `Moves gitopshq/deployed/<tenant>/${release.environment} for ${release.tenants.join(', ')} to ${release.changes.length} selected path(s). Your working tree is not touched.`
        : 'The release is closed and cannot be deployed.';
    const verb = action === 'deploy' ? 'Deploy' : 'Cancel Release';
    const choice = await vscode.window.showWarningMessage(`${verb} "${release.title}" (${release.environment})?`, { modal: true, detail }, verb);
    if (choice !== verb) return undefined;
  }
  const result = await releases.act(target.slug, target.id, action, opts);
  void announce(`"${release.title}" is now ${STATE_LABELS[result.state]}.`, target.slug, result.id);
  return result;
}

async function announce(message: string, slug: string, id: string): Promise<void> {
  const choice = await vscode.window.showInformationMessage(`GitOpsHQ: ${message}`, 'Show Release');
  if (choice) await vscode.commands.executeCommand('gitopshq.release.show', { project: slug, id });
}

/** The release a command applies to: the view's node, or one picked among those the action applies to. */
async function targetOf(s: Services, releases: ReleaseService, arg: ReleaseArg, action: ReleaseAction | undefined): Promise<{ slug: string; id: string } | undefined> {
  if (arg && 'kind' in arg && arg.kind === 'release') return { slug: arg.slug, id: arg.releaseId };
  await releases.settled();
  const items: (vscode.QuickPickItem & { slug: string; release: Release })[] = [];
  for (const entry of s.projects.index.projects()) {
    const project = entry.project;
    if (!project) continue;
    if (action) await releases.identity(project.slug).catch(() => undefined);
    for (const e of releases.releases(project.slug)) {
      const r = e.release;
      if (!r) continue;
      if (action && !releases.cachedAllowed(project.slug, r).includes(action)) continue;
      items.push({ label: r.title, description: `${STATE_LABELS[r.state]} · ${r.environment} · ${project.name}`, detail: r.id, slug: project.slug, release: r });
    }
  }
  if (items.length === 0) {
    void vscode.window.showInformationMessage(action ? `GitOpsHQ: no release you can ${action} right now.` : 'GitOpsHQ: no releases yet.');
    return undefined;
  }
  items.sort((a, b) => b.release.createdAt.localeCompare(a.release.createdAt));
  const chosen = await vscode.window.showQuickPick(items, {
    title: action ? `GitOpsHQ: ${action[0]!.toUpperCase()}${action.slice(1)} a Release` : 'GitOpsHQ: Show a Release',
    placeHolder: 'Release title, state, environment or id',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return chosen ? { slug: chosen.slug, id: chosen.release.id } : undefined;
}

// ---------------------------------------------------------------------------------------------
// The palette-only flow: project → environment → tenants → changes → title → notes → rollback → confirm.

interface Preset {
  project?: string;
  environment?: string;
}

async function createFromPalette(s: Services, releases: ReleaseService, preset: Preset | undefined): Promise<ReleaseResult | undefined> {
  await releases.settled();
  const projects = loadedProjects(s.projects.index);
  if (projects.length === 0) throw noProjectLoaded();
  let project = projects.find((p) => p.slug === preset?.project);
  if (!project) {
    project =
      projects.length === 1
        ? projects[0]!
        : (await vscode.window.showQuickPick(
            projects.map((p) => ({ label: p.name, description: p.slug, project: p })),
            { title: 'Create Release (1/8): project', ignoreFocusOut: true },
          ))?.project;
    if (!project) return undefined;
  }
  const slug = project.slug;

  let environment = project.environments.find((e) => e.name === preset?.environment)?.name;
  if (!environment) {
    environment = (
      await vscode.window.showQuickPick(
        project.environments.map((e) => ({ label: e.name, detail: policySummary(releases.policyPreview(slug, e.name)) })),
        { title: 'Create Release (2/8): environment', placeHolder: 'Where the changes go (promotion order)', ignoreFocusOut: true },
      )
    )?.label;
    if (!environment) return undefined;
  }
  const env = environment;

  let tenants = [...project.tenants];
  if (project.tenants.length > 1) {
    const picked = await vscode.window.showQuickPick(
      project.tenants.map((t) => ({ label: t, picked: true })),
      { title: `Create Release (3/8): tenants of ${env}`, canPickMany: true, ignoreFocusOut: true },
    );
    if (!picked || picked.length === 0) return undefined;
    tenants = picked.map((p) => p.label);
  }

  const views = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Finding changes for ${env}…`, cancellable: true },
    (_progress, token) => releases.candidates(slug, env, tenants, true, token),
  );
  const byPath = new Map<string, { path: string; status: string; uncommitted: boolean; workload?: string; tenants: string[] }>();
  for (const view of views) {
    for (const c of view.changes) {
      const known = byPath.get(c.path);
      if (known) known.tenants.push(view.tenant);
      else byPath.set(c.path, { path: c.path, status: c.status, uncommitted: c.uncommitted, ...(c.workload ? { workload: c.workload } : {}), tenants: [view.tenant] });
    }
  }
  if (byPath.size === 0) {
    void vscode.window.showInformationMessage(`GitOpsHQ: nothing to release to ${env}: ${tenants.join(', ')} already run what main holds.`);
    return undefined;
  }
  const changes = await vscode.window.showQuickPick(
    [...byPath.values()].map((c) => ({
      label: c.path,
      description: [c.status, c.uncommitted ? 'uncommitted' : '', c.workload ?? 'project-wide'].filter(Boolean).join(' · '),
      ...(tenants.length > 1 ? { detail: `for ${c.tenants.join(', ')}` } : {}),
      picked: true,
      change: c,
    })),
    { title: `Create Release (4/8): changes for ${env}`, canPickMany: true, matchOnDescription: true, ignoreFocusOut: true },
  );
  if (!changes || changes.length === 0) return undefined;

  const title = await vscode.window.showInputBox({
    title: 'Create Release (5/8): title',
    prompt: 'What the release does, e.g. "Enable new checkout flow for payment-api 2.5.0"',
    ignoreFocusOut: true,
    validateInput: (v) => {
      if (!v.trim()) return { message: 'A title is required.', severity: vscode.InputBoxValidationSeverity.Error };
      const warnings = titleWarnings(v);
      // A warning, not an error: Enter still accepts the title.
      return warnings.length > 0 ? { message: warnings.join(' '), severity: vscode.InputBoxValidationSeverity.Warning } : undefined;
    },
  });
  if (title === undefined) return undefined;
  const notes = await vscode.window.showInputBox({
    title: 'Create Release (6/8): notes',
    prompt: 'Why is the change made? (required)',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'Notes are required: reviewers need the why.'),
  });
  if (notes === undefined) return undefined;
  const rollback = await vscode.window.showInputBox({
    title: 'Create Release (7/8): rollback guidance (optional)',
    prompt: 'How to undo it if it goes wrong, e.g. "Set FEATURE_X to false"',
    ignoreFocusOut: true,
  });
  if (rollback === undefined) return undefined;

  const preview = releases.policyPreview(slug, env);
  const uncommitted = changes.filter((c) => c.change.uncommitted).length;
  const confirm = await vscode.window.showQuickPick(
    [
      {
        label: `$(check) Create release as ${STATE_LABELS[preview.resultState]}`,
        detail: `${policySummary(preview)}${uncommitted > 0 ? ` · commits ${uncommitted} uncommitted file(s) with it` : ''}`,
        ok: true,
      },
      { label: '$(close) Cancel', ok: false },
    ],
    { title: `Create Release (8/8): "${title}" → ${env} (${tenants.join(', ')}), ${changes.length} change(s)`, ignoreFocusOut: true },
  );
  if (!confirm?.ok) return undefined;
  const result = await releases.create({
    project: slug,
    environment: env,
    title,
    notes,
    ...(rollback.trim() ? { rollback } : {}),
    tenants,
    paths: changes.map((c) => c.change.path),
    commitUncommitted: uncommitted > 0,
  });
  void announce(`release created (${STATE_LABELS[result.state]}).`, slug, result.id);
  return result;
}

// ---------------------------------------------------------------------------------------------

function isCreateArgs(arg: unknown): arg is CreateArgs {
  return typeof arg === 'object' && arg !== null && typeof (arg as CreateArgs).title === 'string' && typeof (arg as CreateArgs).project === 'string';
}

function isScripted(arg: unknown): arg is { project: string; id: string; comment?: string; reason?: string; title?: string; notes?: string; tenant?: string } {
  return typeof arg === 'object' && arg !== null && typeof (arg as { project?: unknown }).project === 'string' && typeof (arg as { id?: unknown }).id === 'string';
}

/** Project and environment from a scripted preset or a node of the Releases or Projects view. */
function presetOf(arg: unknown): Preset | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const a = arg as { project?: unknown; slug?: unknown; environment?: unknown };
  const project = typeof a.project === 'string' ? a.project : typeof a.slug === 'string' ? a.slug : undefined;
  const environment = typeof a.environment === 'string' ? a.environment : undefined;
  return { ...(project ? { project } : {}), ...(environment ? { environment } : {}) };
}

function pick<T extends object, K extends keyof T>(obj: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}
