// The Create Release form (webview side). It renders the state the host sends (projects, the
// candidate changes, the policy preview) and keeps only what the user typed and ticked, which it
// persists with setState. Diffs, title warnings and the creation itself are requests the host
// answers; nothing here decides policy.
import '../release/release.css';
import {
  CandidateDiffRequest,
  ReadyCommand,
  CreateRequest,
  SelectCommand,
  StateNotification,
  OpenCreatedCommand,
  TitleWarningsRequest,
  webviewStateSchema,
  formProblems,
  type StateParams,
  type WebviewState,
  type FormSelection,
  type WireCandidate,
  type WirePolicyPreview,
} from '../../src/protocol/createRelease';
import { diffView, showError, stateLabel } from '../release/common';
import { Requests, errorText } from '../shared/requests';
import { button, checkbox, dropdown, element, picker, registerToolkit, setOptions, textArea, textField } from '../shared/toolkit';
import { HostConnection } from '../shared/vscodeApi';

registerToolkit();

const host = new HostConnection<WebviewState>(webviewStateSchema);
const requests = new Requests(host);

const persisted = host.getState();
const form = {
  title: persisted?.title ?? '',
  notes: persisted?.notes ?? '',
  rollback: persisted?.rollback ?? '',
  checked: new Set(persisted?.checked ?? []),
};
let state: StateParams | undefined;
let creating = false;
/** True while render() sets checkboxes: the toolkit fires `change` for programmatic changes too. */
let rendering = false;
/** Diffs already fetched for the current candidates, by path. */
let diffs = new Map<string, Promise<HTMLElement>>();

buildSkeleton();
host.dispatcher.on(StateNotification, (params) => {
  const previous = state;
  state = params;
  if (!params.loading && (!previous || previous.loading || key(previous.selection) !== key(params.selection))) diffs = new Map();
  render();
});
host.send(ReadyCommand, {});

function key(s: FormSelection): string {
  return JSON.stringify(s);
}

// -----------------------------------------------------------------------------------------------

function buildSkeleton(): void {
  const app = document.getElementById('app');
  if (!app) throw new Error('#app is missing');
  const field = (id: string, label: string, control: HTMLElement, extra?: HTMLElement) => {
    const wrap = element('div', { class: 'field' });
    wrap.append(element('label', { for: id }, label), control);
    if (extra) wrap.append(extra);
    return wrap;
  };
  const selectionBar = element('header', { class: 'toolbar' });
  selectionBar.append(
    picker('project', 'Project'),
    picker('environment', 'Environment'),
    element('fieldset', { id: 'tenants', class: 'tenants' }),
    element('vscode-checkbox', { id: 'include-uncommitted', title: 'Also offer files changed in the working tree; they are committed with the release' }, 'Include uncommitted changes'),
  );
  const changesHeader = element('div', { class: 'changes-header' });
  changesHeader.append(
    element('h2', {}, 'Changes'),
    element('span', { id: 'changes-count', class: 'hint' }),
    element('vscode-button', { id: 'select-all', appearance: 'secondary' }, 'Select all'),
    element('vscode-button', { id: 'select-none', appearance: 'secondary' }, 'Select none'),
  );
  const footer = element('footer', { class: 'actions' });
  footer.append(
    element('vscode-button', { id: 'create', disabled: '' }, 'Create release'),
    element('span', { id: 'problems', class: 'hint' }),
  );
  app.replaceChildren(
    element('h1', {}, 'Create Release'),
    selectionBar,
    element('div', { id: 'error', class: 'error', role: 'alert', hidden: '' }),
    element('section', { id: 'policy', class: 'policy', 'aria-live': 'polite' }),
    changesHeader,
    element('section', { id: 'changes', class: 'changes' }, 'Loading…'),
    element('section', { class: 'fields' }),
    footer,
    element('div', { id: 'create-error', class: 'error', role: 'alert', hidden: '' }),
    element('section', { id: 'result', class: 'result', role: 'status', hidden: '' }),
  );
  const fields = app.querySelector('.fields')!;
  fields.append(
    field('title', 'Title', element('vscode-text-field', { id: 'title', placeholder: 'What the release does, e.g. "Enable new checkout flow for payment-api 2.5.0"' }), element('div', { id: 'title-warnings', class: 'warning', hidden: '' })),
    field('notes', 'Notes (why)', element('vscode-text-area', { id: 'notes', rows: '4', placeholder: 'Why is the change made?' })),
    field('rollback', 'Rollback guidance (optional)', element('vscode-text-area', { id: 'rollback', rows: '2', placeholder: 'How to undo it if it goes wrong' })),
  );
  textField('title').value = form.title;
  textArea('notes').value = form.notes;
  textArea('rollback').value = form.rollback;

  for (const id of ['project', 'environment']) {
    dropdown(id).addEventListener('change', () => {
      if (!state || rendering) return;
      const project = dropdown('project').value || state.selection.project;
      const changedProject = project !== state.selection.project;
      const p = state.projects.find((x) => x.slug === project);
      const environment = changedProject ? (p?.environments[0] ?? '') : dropdown('environment').value || state.selection.environment;
      if (!changedProject && environment === state.selection.environment) return;
      select({ project, environment, tenants: changedProject ? (p?.tenants ?? []) : state.selection.tenants });
    });
  }
  checkbox('include-uncommitted').addEventListener('change', () => {
    if (rendering) return;
    if (state && checkbox('include-uncommitted').checked !== state.selection.includeUncommitted) select({ includeUncommitted: checkbox('include-uncommitted').checked });
  });
  button('select-all').addEventListener('click', () => {
    for (const c of state?.candidates ?? []) form.checked.add(c.path);
    persist();
    render();
  });
  button('select-none').addEventListener('click', () => {
    form.checked.clear();
    persist();
    render();
  });

  let titleTimer: ReturnType<typeof setTimeout> | undefined;
  textField('title').addEventListener('input', () => {
    form.title = textField('title').value;
    persist();
    validate();
    clearTimeout(titleTimer);
    titleTimer = setTimeout(() => void checkTitle(form.title), 200);
  });
  for (const id of ['notes', 'rollback'] as const) {
    textArea(id).addEventListener('input', () => {
      form[id] = textArea(id).value;
      persist();
      validate();
    });
  }
  button('create').addEventListener('click', () => void create());
  if (form.title) void checkTitle(form.title);

  // Diff toggles, delegated: rows are re-rendered with every state.
  document.getElementById('changes')!.addEventListener('click', (event) => {
    const toggle = (event.target as HTMLElement).closest<HTMLElement>('.toggle-diff');
    const path = toggle?.dataset['path'];
    if (!toggle || !path) return;
    const row = toggle.closest<HTMLElement>('.candidate');
    const box = row?.querySelector<HTMLElement>('.diff-container');
    if (!box) return;
    if (!box.hidden) {
      box.hidden = true;
      toggle.textContent = 'Show diff';
      return;
    }
    box.hidden = false;
    toggle.textContent = 'Hide diff';
    void fillDiff(box, path);
  });
}

function select(change: Partial<FormSelection>): void {
  if (!state) return;
  const selection = { ...state.selection, ...change };
  persist(selection);
  host.send(SelectCommand, selection);
}

function persist(selection = state?.selection): void {
  host.setState({ ...(selection ? { selection } : {}), title: form.title, notes: form.notes, rollback: form.rollback, checked: [...form.checked] });
}

async function checkTitle(title: string): Promise<void> {
  const el = document.getElementById('title-warnings')!;
  let warnings: string[] = [];
  try {
    warnings = await requests.call(TitleWarningsRequest, { title });
  } catch (err) {
    console.warn('[gitopshq] title warnings failed', err);
  }
  if (title !== form.title) return; // typed on meanwhile
  el.replaceChildren(...warnings.map((w) => element('div', { class: 'warning-line' }, `⚠ ${w}`)));
  el.hidden = warnings.length === 0;
}

async function fillDiff(box: HTMLElement, path: string): Promise<void> {
  const candidate = state?.candidates.find((c) => c.path === path);
  if (!state || !candidate) return;
  let view = diffs.get(path);
  if (!view) {
    const selection = state.selection;
    view = requests
      .call(CandidateDiffRequest, { selection, path, tenant: candidate.tenants[0] ?? selection.tenants[0] ?? '' })
      .then(diffView)
      .catch((err: unknown) => element('div', { class: 'error' }, `No diff: ${errorText(err).message}`));
    diffs.set(path, view);
    box.replaceChildren(element('span', { class: 'hint' }, 'Loading diff…'));
  }
  const el = await view;
  if (!box.hidden) box.replaceChildren(el.cloneNode(true));
}

async function create(): Promise<void> {
  if (!state || creating || !validate()) return;
  creating = true;
  validate();
  showError(document.getElementById('create-error')!, undefined);
  const paths = state.candidates.filter((c) => form.checked.has(c.path)).map((c) => c.path);
  try {
    const created = await requests.call(CreateRequest, {
      selection: state.selection,
      title: form.title,
      notes: form.notes,
      ...(form.rollback.trim() ? { rollback: form.rollback } : {}),
      paths,
    });
    showCreated(state.selection.project, created.id, created.state);
    // The form starts over: a second click must not create the same release twice.
    form.title = form.notes = form.rollback = '';
    form.checked.clear();
    textField('title').value = '';
    textArea('notes').value = '';
    textArea('rollback').value = '';
    document.getElementById('title-warnings')!.hidden = true;
    persist();
  } catch (err) {
    showError(document.getElementById('create-error')!, errorText(err));
  } finally {
    creating = false;
    render();
  }
}

function showCreated(project: string, id: string, created: string): void {
  const el = document.getElementById('result')!;
  const open = element('vscode-button', { id: 'open-release', appearance: 'secondary' }, 'Open release');
  open.addEventListener('click', () => host.send(OpenCreatedCommand, { project, id }));
  el.replaceChildren(
    element('span', { class: 'created' }, `Created ${id}: `),
    element('span', { id: 'created-state', class: `state-badge state-${created}` }, stateLabel(created)),
    open,
  );
  el.hidden = false;
}

// -----------------------------------------------------------------------------------------------
// Rendering.

function render(): void {
  if (!state) return;
  rendering = true;
  try {
    renderAll(state);
  } finally {
    rendering = false;
  }
}

function renderAll(state: StateParams): void {
  const { selection, projects } = state;
  const project = projects.find((p) => p.slug === selection.project);
  setOptions(dropdown('project'), projects.map((p) => p.slug), selection.project);
  dropdown('project').parentElement!.hidden = projects.length < 2;
  setOptions(dropdown('environment'), project?.environments ?? [], selection.environment);
  const include = checkbox('include-uncommitted');
  if (include.checked !== selection.includeUncommitted) include.checked = selection.includeUncommitted;
  renderTenants(project?.tenantsDeclared ? project.tenants : [], selection.tenants);
  showError(document.getElementById('error')!, state.error);
  renderPolicy(state.policy);
  renderChanges(state.candidates);
  validate();
}

function renderTenants(tenants: string[], selected: string[]): void {
  const el = document.getElementById('tenants')!;
  el.hidden = tenants.length === 0;
  const current = [...el.querySelectorAll<HTMLElement>('vscode-checkbox')].map((c) => c.dataset['tenant']);
  if (current.length !== tenants.length || current.some((t, i) => t !== tenants[i])) {
    el.replaceChildren(element('legend', {}, 'Tenants'));
    for (const t of tenants) {
      const box = element('vscode-checkbox', { id: `tenant-${t}`, 'data-tenant': t }, t);
      box.addEventListener('change', () => {
        if (!state || rendering) return;
        const chosen = [...el.querySelectorAll<HTMLElement & { checked: boolean }>('vscode-checkbox')].filter((c) => c.checked).map((c) => c.dataset['tenant']!);
        if (chosen.join('\u0000') !== state.selection.tenants.join('\u0000')) select({ tenants: chosen });
      });
      el.append(box);
    }
  }
  for (const box of el.querySelectorAll<HTMLElement & { checked: boolean }>('vscode-checkbox')) {
    const on = selected.includes(box.dataset['tenant']!);
    if (box.checked !== on) box.checked = on;
  }
}

function renderPolicy(policy: WirePolicyPreview | undefined): void {
  const el = document.getElementById('policy')!;
  if (!policy) {
    el.replaceChildren();
    return;
  }
  const lines: HTMLElement[] = [];
  if (policy.required === 0) {
    lines.push(element('div', { id: 'policy-approvals' }, 'No approval required: the release can be deployed right away.'));
  } else {
    const who = policy.approvers.length > 0 ? policy.approvers.join(', ') : 'nobody is listed';
    lines.push(
      element(
        'div',
        { id: 'policy-approvals' },
        `Needs ${policy.required} ${policy.required === 1 ? 'approval' : 'approvals'} from ${who}; ${policy.requesterCanApprove ? 'the requester may approve' : 'the requester cannot approve'}.`,
      ),
    );
  }
  if (policy.frozen) {
    const until = policy.frozen.until ? ` until ${policy.frozen.until}` : '';
    lines.push(element('div', { id: 'policy-frozen', class: 'warning' }, `Frozen${until}: ${policy.frozen.reason ?? 'no reason given'}. Deploys are refused while it lasts.`));
  }
  const result = element('div', { id: 'result-state' }, 'Will be created as ');
  result.append(element('span', { class: `state-badge state-${policy.resultState}` }, stateLabel(policy.resultState)), document.createTextNode('.'));
  lines.push(result);
  el.replaceChildren(...lines);
}

function renderChanges(candidates: WireCandidate[]): void {
  const el = document.getElementById('changes')!;
  const selection = state!.selection;
  const openDiffs = new Set([...el.querySelectorAll<HTMLElement>('.candidate')].filter((r) => r.querySelector<HTMLElement>('.diff-container')?.hidden === false).map((r) => r.dataset['path']));
  if (candidates.length === 0) {
    el.replaceChildren(
      element(
        'p',
        { class: 'empty' },
        state!.loading
          ? 'Looking for changes…'
          : `Nothing to release: ${selection.environment} already runs what ${selection.includeUncommitted ? 'the working tree' : 'HEAD'} has.`,
      ),
    );
    return;
  }
  const groups = new Map<string, WireCandidate[]>();
  for (const c of candidates) {
    const group = c.workload ?? 'Project-wide';
    const list = groups.get(group);
    if (list) list.push(c);
    else groups.set(group, [c]);
  }
  const fragment = document.createDocumentFragment();
  const several = selection.tenants.length > 1;
  for (const [group, list] of groups) {
    const section = element('div', { class: 'change-group', 'data-workload': group });
    section.append(element('h3', {}, group));
    for (const c of list) {
      const row = element('div', { class: 'candidate', 'data-path': c.path });
      const line = element('div', { class: 'candidate-line' });
      const box = element('vscode-checkbox', { class: 'pick', 'data-path': c.path, title: c.path }, c.path) as HTMLElement & { checked: boolean };
      box.checked = form.checked.has(c.path);
      box.addEventListener('change', () => {
        if (rendering) return;
        if (box.checked) form.checked.add(c.path);
        else form.checked.delete(c.path);
        persist();
        validate();
      });
      line.append(box, element('span', { class: `status status-${c.status}` }, c.status), element('span', { class: 'kind' }, c.kind));
      if (c.uncommitted) line.append(element('span', { class: 'uncommitted', title: 'The working tree differs from HEAD' }, 'uncommitted'));
      if (several && c.tenants.length < selection.tenants.length) line.append(element('span', { class: 'tenants-of' }, `only ${c.tenants.join(', ')}`));
      line.append(element('vscode-button', { class: 'toggle-diff', appearance: 'icon', 'data-path': c.path }, 'Show diff'));
      const container = element('div', { class: 'diff-container', hidden: '' });
      row.append(line, container);
      section.append(row);
      if (openDiffs.has(c.path)) {
        container.hidden = false;
        row.querySelector('.toggle-diff')!.textContent = 'Hide diff';
        void fillDiff(container, c.path);
      }
    }
    fragment.append(section);
  }
  el.replaceChildren(fragment);
}

/** Enables Create when the form is complete; says what is missing otherwise. */
function validate(): boolean {
  if (!state) return false;
  const paths = state.candidates.filter((c) => form.checked.has(c.path)).map((c) => c.path);
  const problems = formProblems({ title: form.title, notes: form.notes, paths, tenants: state.selection.tenants });
  if (state.loading) problems.push('Looking for changes…');
  if (creating) problems.push('Creating…');
  const createButton = button('create');
  if (problems.length === 0) createButton.removeAttribute('disabled');
  else createButton.setAttribute('disabled', '');
  document.getElementById('problems')!.textContent = problems.join(' ');
  const count = document.getElementById('changes-count')!;
  count.textContent = state.candidates.length > 0 ? `${paths.length} of ${state.candidates.length} selected` : '';
  return problems.length === 0;
}
