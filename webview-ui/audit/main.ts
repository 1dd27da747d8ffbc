// The audit panel (webview side): the filters and one page of entries at a time, newest first. The
// host filters and pages; this side sends the filter (debounced for the text search) and "Show
// more", and persists the filter with setState.
import '../release/release.css';
import {
  AUDIT_PAGE_SIZE,
  ErrorNotification,
  OpenReleaseCommand,
  QueryCommand,
  ReadyCommand,
  StateNotification,
  webviewStateSchema,
  type AuditFilter,
  type StateParams,
  type WebviewState,
  type WireAuditEntry,
} from '../../src/protocol/audit';
import { dropdown, element, picker, registerToolkit, setOptions, textField } from '../shared/toolkit';
import { HostConnection } from '../shared/vscodeApi';
import { person, showError, timeElement } from '../release/common';

registerToolkit();

const host = new HostConnection<WebviewState>(webviewStateSchema);

const ALL = '';
const FILTERS = ['project', 'environment', 'workload', 'person', 'action'] as const;
const persisted = host.getState();
let filter: AuditFilter = persisted?.filter ?? {};
let limit = AUDIT_PAGE_SIZE;
let state: StateParams | undefined;

buildSkeleton();
host.dispatcher
  .on(StateNotification, (params) => {
    state = params;
    filter = params.filter;
    limit = Math.max(AUDIT_PAGE_SIZE, params.entries.length);
    showError(document.getElementById('error')!, undefined);
    render();
  })
  .on(ErrorNotification, (e) => showError(document.getElementById('error')!, e));
host.send(ReadyCommand, { filter });

function buildSkeleton(): void {
  const app = document.getElementById('app');
  if (!app) throw new Error('#app is missing');
  const bar = element('header', { class: 'toolbar' });
  const labels: Record<(typeof FILTERS)[number], string> = { project: 'Project', environment: 'Environment', workload: 'Workload', person: 'Person', action: 'Action' };
  for (const id of FILTERS) bar.append(picker(id, labels[id]));
  bar.append(element('vscode-text-field', { id: 'search', placeholder: 'Summary, path, release, commit' }, 'Search'));
  app.replaceChildren(
    element('h1', {}, 'Audit Log'),
    bar,
    element('div', { id: 'error', class: 'error', role: 'alert', hidden: '' }),
    element('div', { id: 'count', class: 'hint', 'aria-live': 'polite' }, 'Loading…'),
    element('section', { id: 'entries', class: 'entries' }),
  );
  textField('search').value = filter.text ?? '';

  dropdown('project').addEventListener('change', () => {
    if (state && dropdown('project').value && dropdown('project').value !== state.project) {
      filter = {};
      textField('search').value = '';
      query(dropdown('project').value);
    }
  });
  for (const id of ['environment', 'workload', 'person', 'action'] as const) {
    dropdown(id).addEventListener('change', () => {
      const value = dropdown(id).value;
      if ((filter[id] ?? ALL) === value) return;
      setFilter(id, value);
    });
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  textField('search').addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const text = textField('search').value.trim();
      if ((filter.text ?? '') !== text) setFilter('text', text);
    }, 200);
  });
  document.getElementById('entries')!.addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    const link = target.closest<HTMLElement>('a.release-link');
    if (link?.dataset['id'] && state) {
      event.preventDefault();
      host.send(OpenReleaseCommand, { project: state.project, id: link.dataset['id'] });
      return;
    }
    if (target.closest('#more')) {
      limit += AUDIT_PAGE_SIZE;
      query();
    }
  });
}

/** Sets one filter ('' = any) and asks for the first page. */
function setFilter(key: keyof AuditFilter, value: string): void {
  const next: Record<string, string | undefined> = { ...filter, [key]: value || undefined };
  filter = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) as AuditFilter;
  limit = AUDIT_PAGE_SIZE;
  query();
}

function query(project = state?.project): void {
  if (!project) return;
  host.setState({ project, filter });
  host.send(QueryCommand, { project, filter, limit });
}

function render(): void {
  if (!state) return;
  const { options } = state;
  host.setState({ project: state.project, filter });
  setOptions(dropdown('project'), state.projects, state.project);
  dropdown('project').parentElement!.hidden = state.projects.length < 2;
  const withAll = (values: string[], labelOf: (v: string) => string = (v) => v) => [{ value: ALL, label: 'All' }, ...values.map((v) => ({ value: v, label: labelOf(v) }))];
  fill('environment', withAll(options.environments), filter.environment);
  fill('workload', withAll(options.workloads), filter.workload);
  const names = new Map(options.people.map((p) => [p.email, p.name]));
  fill('person', withAll(options.people.map((p) => p.email), (email) => (names.get(email) ? `${names.get(email)!} <${email}>` : email)), filter.person);
  fill('action', withAll(options.actions), filter.action);

  const count = document.getElementById('count')!;
  count.textContent =
    state.total === state.all ? `${state.all} ${state.all === 1 ? 'entry' : 'entries'}` : `${state.total} of ${state.all} entries match`;

  const el = document.getElementById('entries')!;
  if (state.entries.length === 0) {
    el.replaceChildren(element('p', { class: 'empty' }, state.all === 0 ? 'No releases and no changes of values files yet.' : 'Nothing matches the filters.'));
    return;
  }
  const table = element('table', { class: 'audit' });
  const head = element('tr');
  for (const h of ['Time', 'Who', 'Action', 'Environment', 'Workloads', 'Summary', 'Release', 'Commit']) head.append(element('th', {}, h));
  table.append(element('thead'), element('tbody'));
  table.querySelector('thead')!.append(head);
  const body = table.querySelector('tbody')!;
  for (const e of state.entries) body.append(row(e));
  el.replaceChildren(table);
  if (state.total > state.entries.length) {
    const rest = state.total - state.entries.length;
    el.append(element('vscode-button', { id: 'more', appearance: 'secondary' }, `Show ${Math.min(rest, AUDIT_PAGE_SIZE)} more (${rest} not shown)`));
  }
}

/** Replaces a dropdown's options (value + label) and selects `selected` (All when absent or unknown). */
function fill(id: string, items: { value: string; label: string }[], selected: string | undefined): void {
  const el = dropdown(id);
  const value = items.some((i) => i.value === selected) ? selected! : ALL;
  setOptions(el, items.map((i) => i.value), value);
  const labels = new Map(items.map((i) => [i.value, i.label]));
  for (const option of el.querySelectorAll('vscode-option')) option.textContent = labels.get(option.getAttribute('value') ?? '') ?? '';
}

function row(e: WireAuditEntry): HTMLElement {
  const tr = element('tr', { class: `entry action-${e.action}`, 'data-action': e.action });
  const time = element('td', { class: 'time' });
  time.append(timeElement(e.at));
  const summary = element('td', { class: 'summary', title: [e.summary, '', ...e.paths].join('\n') });
  summary.append(element('div', { class: 'clamp' }, e.summary));
  const release = element('td', { class: 'release' });
  if (e.releaseId) release.append(element('a', { href: '#', class: 'release-link', 'data-id': e.releaseId, title: e.releaseId }, e.releaseTitle ?? e.releaseId));
  tr.append(
    time,
    element('td', { class: 'who', title: person(e.who) }, e.who.name || e.who.email),
    element('td', { class: 'action' }, e.action),
    element('td', { class: 'environment' }, (e.environments ?? (e.environment ? [e.environment] : [])).join(', ')),
    element('td', { class: 'workloads' }, e.workloads.join(', ')),
    summary,
    release,
    element('td', { class: 'commit', title: e.commit ?? '' }, e.commit ? e.commit.slice(0, 7) : ''),
  );
  return tr;
}
