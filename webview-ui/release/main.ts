// The release detail panel (webview side): the release as the host sends it, the approval progress,
// the history as a timeline, the diffs of its changes on demand, and a button for each action the
// current identity may take. Actions are requests; the host re-renders with the new state.
import './release.css';
import {
  ActRequest,
  ChangeDiffRequest,
  OpenReleaseCommand,
  GoneNotification,
  ReadyCommand,
  ShowTimelineCommand,
  StateNotification,
  webviewStateSchema,
  type StateParams,
  type WebviewState,
} from '../../src/protocol/release';
import { element, registerToolkit, textField } from '../shared/toolkit';
import { HostConnection } from '../shared/vscodeApi';
import { Requests, errorText } from '../shared/requests';
import { diffView, person, showError, stateBadge, stateLabel, timeElement } from './common';

registerToolkit();

const host = new HostConnection<WebviewState>(webviewStateSchema);
const requests = new Requests(host);

type Action = StateParams['allowed'][number];
const ACTIONS: { action: Action; label: string; appearance: 'primary' | 'secondary'; title: string }[] = [
  { action: 'approve', label: 'Approve', appearance: 'primary', title: 'Approve, with the comment if you wrote one' },
  { action: 'reject', label: 'Reject', appearance: 'secondary', title: 'Reject: cancels the release; the comment is the reason (required)' },
  { action: 'submit', label: 'Submit for approval', appearance: 'primary', title: 'Move the draft to pending approval' },
  { action: 'deploy', label: 'Deploy', appearance: 'primary', title: 'Commit the changes onto the deployed branches' },
  { action: 'rollback', label: 'Roll back', appearance: 'secondary', title: 'Create a release that restores the content deployed before this one' },
  { action: 'cancel', label: 'Cancel release', appearance: 'secondary', title: 'Cancel the release' },
];

const open = new Set(host.getState()?.open ?? []);
let state: StateParams | undefined;
let busy = false;
/** The state last rendered, serialised. */
let renderedKey = '';
const diffs = new Map<string, Promise<HTMLElement>>();

buildSkeleton();
host.dispatcher
  .on(StateNotification, (params) => {
    // The host re-sends on every project or Git change; re-rendering an unchanged release would
    // only collapse open diffs and move the buttons under the user's pointer.
    const key = JSON.stringify(params);
    if (key === renderedKey) return;
    renderedKey = key;
    state = params;
    render();
  })
  .on(GoneNotification, ({ message }) => {
    showError(document.getElementById('error')!, { message });
    document.getElementById('actions')!.hidden = true;
  });
host.send(ReadyCommand, {});

function buildSkeleton(): void {
  const app = document.getElementById('app');
  if (!app) throw new Error('#app is missing');
  const heading = element('header', { class: 'release-header' });
  heading.append(element('h1', { id: 'title' }, 'Loading…'), element('span', { id: 'state' }));
  const actions = element('section', { id: 'actions', class: 'release-actions' });
  actions.append(
    element('vscode-text-field', { id: 'comment', placeholder: 'Comment (optional when approving, the reason when rejecting)' }, 'Comment'),
    element('div', { id: 'action-buttons', class: 'buttons' }),
    element('div', { id: 'action-result', role: 'status', hidden: '' }),
  );
  app.replaceChildren(
    heading,
    element('div', { id: 'meta', class: 'meta' }),
    element('div', { id: 'error', class: 'error', role: 'alert', hidden: '' }),
    actions,
    element('section', { id: 'progress', class: 'progress' }),
    element('section', { id: 'notes', class: 'notes' }),
    element('section', { id: 'changes', class: 'changes' }),
    element('section', { id: 'history', class: 'history' }),
  );
  document.getElementById('action-buttons')!.addEventListener('click', (event) => {
    const b = (event.target as HTMLElement).closest<HTMLElement>('vscode-button[data-action]');
    const action = b?.dataset['action'] as Action | undefined;
    if (action && !b!.hasAttribute('disabled')) void act(action);
  });
  document.getElementById('changes')!.addEventListener('click', (event) => {
    const toggle = (event.target as HTMLElement).closest<HTMLElement>('.toggle-diff');
    const path = toggle?.dataset['path'];
    const box = toggle?.closest('.change')?.querySelector<HTMLElement>('.diff-container');
    if (!toggle || !path || !box) return;
    if (open.has(path)) open.delete(path);
    else open.add(path);
    persist();
    setDiffOpen(toggle, box, path);
  });
  document.getElementById('meta')!.addEventListener('click', (event) => {
    const link = (event.target as HTMLElement).closest<HTMLElement>('a.release-link');
    if (!link?.dataset['id']) return;
    event.preventDefault();
    host.send(OpenReleaseCommand, { id: link.dataset['id'] });
  });
  document.getElementById('action-result')!.addEventListener('click', (event) => {
    const link = (event.target as HTMLElement).closest<HTMLElement>('[data-id]');
    if (link?.dataset['id']) host.send(OpenReleaseCommand, { id: link.dataset['id'] });
  });
}

function persist(): void {
  host.setState({ ...(state ? { project: state.project, id: state.release.id } : {}), open: [...open] });
}

async function act(action: Action): Promise<void> {
  const error = document.getElementById('error')!;
  const comment = textField('comment').value.trim();
  if (action === 'reject' && !comment) {
    showError(error, { message: 'Rejecting needs a reason.', hint: 'Write it in the comment field, then press Reject again.' });
    return;
  }
  busy = true;
  renderActions();
  showError(error, undefined);
  try {
    const result = await requests.call(ActRequest, {
      action,
      ...(action === 'reject' ? { reason: comment } : comment && action !== 'rollback' ? { comment } : {}),
    });
    textField('comment').value = '';
    const el = document.getElementById('action-result')!;
    if (action === 'rollback') {
      el.replaceChildren(
        document.createTextNode(`Created rollback release ${result.id} (${stateLabel(result.state)}). `),
        element('vscode-button', { id: 'open-rollback', appearance: 'secondary', 'data-id': result.id }, 'Open it'),
      );
    } else {
      el.replaceChildren(document.createTextNode(`${stateLabel(result.state)}.`));
    }
    el.hidden = false;
  } catch (err) {
    showError(error, errorText(err));
  } finally {
    busy = false;
    renderActions();
  }
}

// -----------------------------------------------------------------------------------------------
// Rendering.

function render(): void {
  if (!state) return;
  const { release } = state;
  persist();
  document.getElementById('title')!.textContent = release.title;
  document.getElementById('state')!.replaceChildren(stateBadge(release.state));
  const meta = document.getElementById('meta')!;
  meta.replaceChildren(
    element('span', { class: 'environment' }, release.environment),
    element('span', { class: 'tenants' }, `${release.tenants.length === 1 ? 'tenant' : 'tenants'} ${release.tenants.join(', ')}`),
    element('span', {}, `by ${person(release.createdBy)}`),
    timeElement(release.createdAt),
    element('span', { class: 'id' }, release.id),
  );
  if (release.rollbackOf) {
    const rollbackOf = element('span', {}, 'rolls back ');
    rollbackOf.append(element('a', { href: '#', class: 'release-link', 'data-id': release.rollbackOf }, release.rollbackOf));
    meta.append(rollbackOf);
  }
  if (release.deploy.commit) meta.append(element('span', { class: 'deployed-commit', title: release.deploy.commit }, `deployed as ${release.deploy.commit.slice(0, 7)}`));
  renderRuntime();
  if (!state.identityError) showError(document.getElementById('error')!, undefined);
  else showError(document.getElementById('error')!, { message: `No actions: ${state.identityError.message}`, ...(state.identityError.hint ? { hint: state.identityError.hint } : {}) });
  renderActions();
  renderProgress();
  renderNotes();
  renderChanges();
  renderHistory();
}

const PHASES: Record<string, string> = { pending: 'Pending', in_progress: 'In Progress', deployed: 'Deployed', healthy: 'Healthy', failed: 'Failed' };

/** A deployed release: its phase in the cluster and the way to its timeline. */
function renderRuntime(): void {
  if (!state || state.release.state !== 'deployed') return;
  const box = element('span', { id: 'runtime', class: `runtime phase-${state.runtime?.phase ?? 'unknown'}`, 'aria-live': 'polite' });
  const r = state.runtime;
  const spinner = r?.phase === 'in_progress' ? '⟳ ' : '';
  box.textContent = r ? `In the cluster: ${spinner}${PHASES[r.phase] ?? r.phase}${r.superseded ? ' (superseded)' : ''}${r.detail ? ` · ${r.detail}` : ''}` : 'In the cluster: …';
  const button = element('vscode-button', { id: 'show-timeline', appearance: 'secondary' }, 'Show Timeline');
  button.addEventListener('click', () => host.send(ShowTimelineCommand, {}));
  document.getElementById('meta')!.append(box, button);
}

function renderActions(): void {
  if (!state) return;
  const section = document.getElementById('actions')!;
  const allowed = ACTIONS.filter((a) => state!.allowed.includes(a.action));
  section.hidden = allowed.length === 0 && document.getElementById('action-result')!.hidden;
  const takesComment = state.allowed.includes('approve') || state.allowed.includes('reject');
  document.getElementById('comment')!.hidden = !takesComment;
  const buttons = allowed.map((a) => {
    const b = element('vscode-button', { id: `action-${a.action}`, 'data-action': a.action, appearance: a.appearance, title: a.title }, a.label);
    if (busy) b.setAttribute('disabled', '');
    return b;
  });
  const who = state.identity ? element('span', { class: 'hint' }, `as ${person(state.identity)}`) : undefined;
  document.getElementById('action-buttons')!.replaceChildren(...buttons, ...(who && buttons.length > 0 ? [who] : []));
}

function renderProgress(): void {
  const { progress, release } = state!;
  const el = document.getElementById('progress')!;
  const heading = element('h2', {}, 'Approvals');
  if (progress.required === 0) {
    el.replaceChildren(heading, element('p', { id: 'progress-count' }, 'No approval required.'));
    return;
  }
  const count = element('p', { id: 'progress-count', class: progress.reached ? 'reached' : '' }, `${progress.approvals.length}/${progress.required} approvals`);
  const list = element('ul', { class: 'approvals' });
  release.approvals.forEach((a, i) => {
    const item = element('li', { class: `approval decision-${a.decision}` });
    item.append(element('span', { class: 'decision' }, a.decision === 'approve' ? '✓ approved' : '✗ rejected'), element('span', {}, person(a.by)), timeElement(a.at));
    if (a.comment) item.append(element('q', { class: 'comment' }, a.comment));
    // Whether Git vouches for the entry, and why: an unverified approval does not count.
    const check = state!.trust?.approvals[i];
    const mark = check?.verified ? (check.counts || a.decision === 'reject' ? 'verified' : 'verified, does not count') : 'not verified';
    item.append(
      element('span', { class: `trust ${check?.verified ? 'verified' : 'unverified'}`, title: check?.why ?? '' }, mark),
      element('span', { class: 'trust-why hint' }, check ? check.why : 'could not be checked through Git'),
    );
    list.append(item);
  });
  const parts: HTMLElement[] = [heading, count];
  if (release.approvals.length > 0) parts.push(list);
  const trust = state!.trust;
  if (trust?.uncommitted) {
    parts.push(element('p', { id: 'trust-uncommitted', class: 'warning' }, 'The release file has uncommitted changes: they are ignored; this is the committed release.'));
  }
  if (trust && trust.problems.length > 0) {
    const problems = element('ul', { id: 'trust-problems', class: 'warning' });
    for (const p of trust.problems) problems.append(element('li', {}, p));
    parts.push(element('p', { class: 'warning' }, 'This release cannot be approved or deployed:'), problems);
  }
  if (trust && trust.tightened.length > 0) parts.push(element('p', { class: 'hint' }, `gitopshq.yaml now asks for more: ${trust.tightened.join('; ')}.`));
  if (trust?.signed) parts.push(element('p', { class: 'hint' }, 'Approvals count only from signed commits (gitopshq.approvals.requireSignedCommits).'));
  const open = release.state === 'pending_approval';
  if (open && progress.stillMay.length > 0) parts.push(element('p', { id: 'still-may', class: 'hint' }, `Still may approve: ${progress.stillMay.join(', ')}`));
  parts.push(
    element(
      'p',
      { class: 'hint' },
      `Policy when created: ${release.policy.required} of ${release.policy.approvers.join(', ') || 'nobody'}; ${release.policy.requesterCanApprove ? 'the requester may approve' : 'the requester cannot approve'}.`,
    ),
  );
  el.replaceChildren(...parts);
}

function renderNotes(): void {
  const { release } = state!;
  const el = document.getElementById('notes')!;
  const parts = [element('h2', {}, 'Notes'), element('p', { id: 'release-notes', class: 'prose' }, release.notes)];
  if (release.rollback) parts.push(element('h2', {}, 'Rollback guidance'), element('p', { id: 'release-rollback', class: 'prose' }, release.rollback));
  el.replaceChildren(...parts);
}

function renderChanges(): void {
  const { release } = state!;
  const el = document.getElementById('changes')!;
  const list = element('div', { class: 'change-list' });
  for (const c of release.changes) {
    const row = element('div', { class: 'change candidate', 'data-path': c.path });
    const line = element('div', { class: 'candidate-line' });
    line.append(element('span', { class: 'path' }, c.path));
    if (c.workload) line.append(element('span', { class: 'kind' }, c.workload));
    line.append(
      element('span', { class: `status status-${c.blob ? 'modified' : 'deleted'}`, title: c.blob ?? 'the release deletes the file' }, c.blob ? c.blob.slice(0, 7) : 'deleted'),
      element('vscode-button', { class: 'toggle-diff', appearance: 'icon', 'data-path': c.path }, 'Show diff'),
    );
    const box = element('div', { class: 'diff-container', hidden: '' });
    row.append(line, box);
    list.append(row);
    if (open.has(c.path)) setDiffOpen(line.querySelector<HTMLElement>('.toggle-diff')!, box, c.path);
  }
  el.replaceChildren(element('h2', {}, `Changes (${release.changes.length})`), list);
}

function setDiffOpen(toggle: HTMLElement, box: HTMLElement, path: string): void {
  const show = open.has(path);
  box.hidden = !show;
  toggle.textContent = show ? 'Hide diff' : 'Show diff';
  if (!show) return;
  let view = diffs.get(path);
  if (!view) {
    view = requests
      .call(ChangeDiffRequest, { path })
      .then(diffView)
      .catch((err: unknown) => {
        diffs.delete(path); // try again next time
        return element('div', { class: 'error' }, `No diff: ${errorText(err).message}`);
      });
    diffs.set(path, view);
    box.replaceChildren(element('span', { class: 'hint' }, 'Loading diff…'));
  }
  void view.then((v) => {
    if (!box.hidden) box.replaceChildren(v.cloneNode(true));
  });
}

function renderHistory(): void {
  const { release } = state!;
  const el = document.getElementById('history')!;
  const list = element('ol', { class: 'timeline' });
  for (const h of release.history) {
    const item = element('li', { class: `event state-${h.state}` });
    item.append(stateBadge(h.state), element('span', { class: 'who' }, person(h.by)), timeElement(h.at));
    if (h.comment) item.append(element('q', { class: 'comment' }, h.comment));
    list.append(item);
  }
  el.replaceChildren(element('h2', {}, 'History'), list);
}
