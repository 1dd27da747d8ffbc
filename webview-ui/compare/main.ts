// The environment compare panel (webview side). It renders the state the host sends and sends back
// commands; it holds no data of its own beyond the last state, and persists only UI intent
// (selection, filters, collapsed groups) with setState.
//
// Large comparisons stay fast by paging: each workload group renders PAGE_SIZE rows and a
// "Show more" button, and groups beyond a row budget start collapsed and render their rows only
// when opened. The time from receiving a state to the first paint after rendering it is sent to
// the host (`rendered`), which keeps it for the integration tests.
import './compare.css';
import {
  ErrorNotification,
  FilterCommand,
  OpenDiffCommand,
  OpenOriginCommand,
  ReadyCommand,
  RenderedCommand,
  SelectCommand,
  StateNotification,
  SwapCommand,
  webviewStateSchema,
  type StateParams,
  type WebviewState,
  type WireDifference,
  type WireFinding,
  type WireWorkload,
} from '../../src/protocol/compare';
import { button, checkbox, dropdown, element, picker, registerToolkit, setOptions, textField } from '../shared/toolkit';
import { HostConnection } from '../shared/vscodeApi';

const PAGE_SIZE = 200;
/** Rows rendered on a first render before further groups start collapsed. */
const ROW_BUDGET = 1000;

registerToolkit();

const host = new HostConnection<WebviewState>(webviewStateSchema);

interface Filters {
  search: string;
  findingsOnly: boolean;
  /** Unchecked: the host sends equal values too, listed unhighlighted. */
  differencesOnly: boolean;
  collapsed: string[];
}

const persisted = host.getState();
const filters: Filters = {
  search: persisted?.filters?.search ?? '',
  findingsOnly: persisted?.filters?.findingsOnly ?? false,
  differencesOnly: persisted?.filters?.differencesOnly ?? true,
  collapsed: persisted?.filters?.collapsed ?? [],
};
let state: StateParams | undefined;
/** Pages shown per workload group (1 = PAGE_SIZE rows); reset when the comparison changes. */
let pages = new Map<string, number>();
let comparisonKey = '';
let receivedAt = 0;

buildSkeleton();
host.dispatcher
  .on(StateNotification, (params) => {
    receivedAt = host.receivedAt;
    const key = `${params.selection.project}/${params.selection.tenant}/${params.selection.source}/${params.selection.target}`;
    if (key !== comparisonKey) pages = new Map();
    comparisonKey = key;
    state = params;
    showError(undefined);
    render(true);
  })
  .on(ErrorNotification, ({ message }) => {
    showError(message);
    syncPickers(); // an action failed: the pickers show what is still compared
  });
host.send(ReadyCommand, { differencesOnly: filters.differencesOnly });

// -----------------------------------------------------------------------------------------------

function buildSkeleton(): void {
  const app = document.getElementById('app');
  if (!app) throw new Error('#app is missing');
  const toolbar = element('header', { class: 'toolbar' });
  toolbar.append(
    picker('source', 'Source'),
    element('vscode-button', { id: 'swap', appearance: 'secondary', title: 'Swap source and target' }, 'Swap ⇄'),
    picker('target', 'Target'),
    picker('tenant', 'Tenant'),
  );
  const filterBar = element('div', { class: 'filters' });
  const search = element('vscode-text-field', { id: 'search', placeholder: 'Filter by path' }, 'Search');
  const findingsOnly = element('vscode-checkbox', { id: 'findings-only' }, 'Findings only');
  const diffOnly = element('vscode-checkbox', { id: 'differences-only', title: 'Uncheck to list the values equal on both sides too' }, 'Differences only');
  filterBar.append(search, findingsOnly, diffOnly);
  app.replaceChildren(
    toolbar,
    element('div', { id: 'error', class: 'error', role: 'alert', hidden: '' }),
    element('section', { id: 'summary', class: 'summary', 'aria-live': 'polite' }, 'Loading…'),
    filterBar,
    element('section', { id: 'findings', class: 'findings' }),
    element('section', { id: 'workloads', class: 'workloads' }),
  );

  textField('search').value = filters.search;
  if (filters.findingsOnly) findingsOnly.setAttribute('checked', '');
  if (filters.differencesOnly) diffOnly.setAttribute('checked', '');

  for (const id of ['source', 'target', 'tenant']) {
    dropdown(id).addEventListener('change', () => {
      if (!state) return;
      const selection = {
        source: dropdown('source').value || state.selection.source,
        target: dropdown('target').value || state.selection.target,
        tenant: dropdown('tenant').value || state.selection.tenant,
      };
      const s = state.selection;
      if (selection.source === s.source && selection.target === s.target && selection.tenant === s.tenant) return;
      persist({ ...s, ...selection });
      host.send(SelectCommand, selection);
    });
  }
  button('swap').addEventListener('click', () => host.send(SwapCommand, {}));
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  textField('search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      filters.search = textField('search').value;
      persist();
      render(false);
    }, 120);
  });
  checkbox('findings-only').addEventListener('change', () => {
    filters.findingsOnly = checkbox('findings-only').checked;
    persist();
    render(false);
  });
  checkbox('differences-only').addEventListener('change', () => {
    const differencesOnly = checkbox('differences-only').checked;
    if (differencesOnly === filters.differencesOnly) return;
    filters.differencesOnly = differencesOnly;
    persist();
    // Equal values are not in the state: the host recomputes (a state without them renders at once when they are hidden).
    host.send(FilterCommand, { differencesOnly });
    if (differencesOnly) render(false);
  });

  // One delegated listener for origin links, diff buttons and "show more".
  const workloads = document.getElementById('workloads')!;
  workloads.addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    const origin = target.closest<HTMLElement>('a.origin');
    if (origin) {
      event.preventDefault();
      const line = Number(origin.dataset['line']);
      if (origin.dataset['file'] && Number.isInteger(line) && line >= 1) host.send(OpenOriginCommand, { file: origin.dataset['file'], line });
      return;
    }
    const diff = target.closest<HTMLElement>('.open-diff');
    if (diff?.dataset['workload']) {
      event.preventDefault(); // the button sits in <summary>: do not toggle the group
      host.send(OpenDiffCommand, { workload: diff.dataset['workload'] });
      return;
    }
    const more = target.closest<HTMLElement>('.more');
    if (more?.dataset['workload']) {
      const name = more.dataset['workload'];
      pages.set(name, (pages.get(name) ?? 1) + 1);
      const group = more.closest<HTMLElement>('details.workload');
      const wl = state?.result.workloads.find((w) => w.name === name);
      if (group && wl) fillGroup(group, wl);
    }
  });
  workloads.addEventListener(
    'toggle',
    (event) => {
      const group = event.target as HTMLDetailsElement;
      const name = group.dataset['workload'];
      if (!name || !group.classList.contains('workload')) return;
      const collapsed = new Set(filters.collapsed);
      if (group.open) collapsed.delete(name);
      else collapsed.add(name);
      filters.collapsed = [...collapsed];
      persist();
      const wl = state?.result.workloads.find((w) => w.name === name);
      if (group.open && wl && !group.querySelector('table')) fillGroup(group, wl);
    },
    true, // toggle does not bubble
  );
}

function persist(selection = state?.selection): void {
  host.setState({ ...(selection ? { selection } : {}), filters: { ...filters } });
}

function showError(message: string | undefined): void {
  const el = document.getElementById('error')!;
  el.textContent = message ?? '';
  el.hidden = message === undefined;
}

// -----------------------------------------------------------------------------------------------
// Rendering.

function syncPickers(): void {
  if (!state) return;
  const { selection } = state;
  setOptions(dropdown('source'), state.environments, selection.source);
  setOptions(dropdown('target'), state.environments, selection.target);
  setOptions(dropdown('tenant'), state.tenants, selection.tenant);
  document.getElementById('tenant')!.parentElement!.hidden = state.tenants.length < 2;
}

let findingIndex = new Map<string, WireFinding[]>();

function render(measure: boolean): void {
  if (!state) return;
  const { selection, result } = state;
  syncPickers();
  persist();

  findingIndex = new Map();
  for (const f of result.findings) {
    const key = `${f.workload ?? ''}\u0000${f.path ?? ''}`;
    const list = findingIndex.get(key);
    if (list) list.push(f);
    else findingIndex.set(key, [f]);
  }

  renderSummary();
  renderFindings(result.findings);

  const container = document.getElementById('workloads')!;
  const fragment = document.createDocumentFragment();
  let budget = ROW_BUDGET;
  let rows = 0;
  for (const wl of result.workloads) {
    const visible = visibleDifferences(wl);
    if (!visible) continue;
    const group = element('details', { class: 'workload', 'data-workload': wl.name }) as HTMLDetailsElement;
    group.append(groupHeader(wl, visible.length));
    const open = !filters.collapsed.includes(wl.name) && budget > 0;
    if (open) {
      group.open = true;
      rows += fillGroup(group, wl, visible);
      budget -= Math.min(visible.length, PAGE_SIZE * (pages.get(wl.name) ?? 1));
    }
    fragment.append(group);
  }
  if (fragment.childNodes.length === 0) {
    fragment.append(
      element(
        'p',
        { class: 'empty' },
        result.workloads.length === 0 ? `No differences between ${selection.source} and ${selection.target}.` : 'Nothing matches the filters.',
      ),
    );
  }
  container.replaceChildren(fragment);

  if (measure) {
    const started = receivedAt || performance.now();
    const differences = result.summary.differences;
    // rAF runs before the frame is painted; the task after it runs once the frame is out.
    requestAnimationFrame(() =>
      setTimeout(() => host.send(RenderedCommand, { ms: Math.max(0, performance.now() - started), rows, differences }), 0),
    );
  }
}

function renderSummary(): void {
  const { result } = state!;
  const { summary } = result;
  const el = document.getElementById('summary')!;
  const stat = (cls: string, text: string) => element('span', { class: `stat ${cls}` }, text);
  const sev = (s: 'error' | 'warning' | 'info', singular: string, pluralForm: string) => {
    const n = summary.findings[s];
    return stat(`severity-${s}${n > 0 ? ' nonzero' : ''}`, `${n} ${n === 1 ? singular : pluralForm}`);
  };
  el.replaceChildren(
    stat('workloads-changed', `${summary.workloadsChanged} ${summary.workloadsChanged === 1 ? 'workload' : 'workloads'} changed`),
    stat('differences', `${summary.differences} ${summary.differences === 1 ? 'difference' : 'differences'}`),
    sev('error', 'error', 'errors'),
    sev('warning', 'warning', 'warnings'),
    sev('info', 'info', 'info'),
  );
}

function renderFindings(findings: WireFinding[]): void {
  const el = document.getElementById('findings')!;
  if (findings.length === 0) {
    el.replaceChildren();
    el.hidden = true;
    return;
  }
  el.hidden = false;
  const list = element('ul', { class: 'finding-list' });
  for (const f of findings) {
    const item = element('li', { class: `finding severity-${f.severity}`, 'data-code': f.code });
    const where = [f.workload, f.path].filter(Boolean).join(' · ');
    item.append(
      element('span', { class: 'severity' }, f.severity),
      element('span', { class: 'where' }, where),
      element('span', { class: 'message' }, f.message),
    );
    list.append(item);
  }
  el.replaceChildren(element('h2', {}, 'Findings'), list);
}

function hasFinding(workload: string, path: string): boolean {
  return findingIndex.has(`${workload}\u0000${path}`);
}

/** The workload's differences after the filters, or undefined when the group is hidden entirely. */
function visibleDifferences(wl: WireWorkload): WireDifference[] | undefined {
  const search = filters.search.trim().toLowerCase();
  let list = filters.differencesOnly ? wl.differences.filter((d) => d.kind !== 'equal') : wl.differences;
  if (search) list = list.filter((d) => d.path.toLowerCase().includes(search));
  if (filters.findingsOnly) {
    list = list.filter((d) => hasFinding(wl.name, d.path));
    const workloadFinding = state!.result.findings.some((f) => f.workload === wl.name);
    if (!workloadFinding) return undefined;
  }
  if (search && list.length === 0) return undefined;
  return list;
}

function groupHeader(wl: WireWorkload, visible: number): HTMLElement {
  const { selection } = state!;
  const summary = element('summary', { class: 'workload-header' });
  summary.append(element('span', { class: 'workload-name' }, wl.name));
  const differences = wl.differences.filter((d) => d.kind !== 'equal').length;
  const badge = element('vscode-badge', { class: 'count', title: `${visible} of ${wl.differences.length} rows shown (${differences} differences)` }, String(visible));
  summary.append(badge);
  if (wl.chartVersion !== undefined) summary.append(element('span', { class: 'chart-version', title: `${wl.chart}/Chart.yaml version` }, `chart ${wl.chartVersion}`));
  if (wl.imageTag.source !== undefined || wl.imageTag.target !== undefined) {
    const same = wl.imageTag.source === wl.imageTag.target;
    summary.append(
      element(
        'span',
        { class: `image-tag${same ? '' : ' changed'}`, title: 'image.tag' },
        same ? `tag ${wl.imageTag.source ?? '—'}` : `tag ${wl.imageTag.source ?? '—'} → ${wl.imageTag.target ?? '—'}`,
      ),
    );
  }
  if (!wl.bound.source) summary.append(element('span', { class: 'unbound' }, `not bound in ${selection.source}`));
  if (!wl.bound.target) summary.append(element('span', { class: 'unbound' }, `not bound in ${selection.target}`));
  const diff = element('vscode-button', { class: 'open-diff', appearance: 'secondary', 'data-workload': wl.name, title: 'Open the effective values in the diff editor' }, 'Open diff');
  summary.append(diff);
  return summary;
}

/** (Re)renders a group's body: the paged difference table, "show more", and variable differences. Returns rows rendered. */
function fillGroup(group: HTMLElement, wl: WireWorkload, visible = visibleDifferences(wl) ?? []): number {
  const { selection, root } = state!;
  const limit = PAGE_SIZE * (pages.get(wl.name) ?? 1);
  const shown = visible.slice(0, limit);
  for (const old of group.querySelectorAll(':scope > :not(summary)')) old.remove();

  const table = element('table', { class: 'differences' });
  const head = element('thead');
  const headRow = element('tr');
  headRow.append(element('th', { class: 'path' }, 'Path'), element('th', {}, selection.source), element('th', {}, selection.target));
  head.append(headRow);
  const body = element('tbody');
  for (const d of shown) body.append(row(wl.name, d, root));
  table.append(head, body);
  group.append(table);

  if (visible.length > shown.length) {
    const rest = visible.length - shown.length;
    group.append(
      element('vscode-button', { class: 'more', appearance: 'secondary', 'data-workload': wl.name }, `Show ${Math.min(rest, PAGE_SIZE)} more (${rest} not shown)`),
    );
  }
  if (wl.variables.length > 0 && !filters.findingsOnly) {
    const vars = element('table', { class: 'variables' });
    const vHead = element('tr');
    vHead.append(element('th', { class: 'path' }, 'HQ Variable'), element('th', {}, selection.source), element('th', {}, selection.target));
    vars.append(vHead);
    for (const v of wl.variables) {
      const tr = element('tr', { 'data-key': v.key });
      const side = (s: typeof v.source) =>
        element('td', { class: `value${s.defined ? '' : ' absent'}` }, s.defined ? `${s.display}${s.scope ? ` (${s.scope})` : ''}` : 'undefined');
      tr.append(element('td', { class: 'path' }, v.key), side(v.source), side(v.target));
      vars.append(tr);
    }
    group.append(vars);
  }
  return shown.length;
}

function row(workload: string, d: WireDifference, root: string): HTMLElement {
  const tr = element('tr', { class: `kind-${d.kind}${hasFinding(workload, d.path) ? ' has-finding' : ''}`, 'data-path': d.path });
  tr.append(element('td', { class: 'path' }, d.path));
  tr.append(cell('source', d.kind, d.source, d.sourceOrigin, root), cell('target', d.kind, d.target, d.targetOrigin, root));
  return tr;
}

function cell(side: 'source' | 'target', kind: WireDifference['kind'], value: unknown, origin: { file: string; line: number } | undefined, root: string): HTMLElement {
  const absent = value === undefined;
  const highlighted = kind !== 'equal' && (kind === 'changed' || !absent);
  const td = element('td', { class: `value ${side}${absent ? ' absent' : ''}${highlighted ? ' changed' : ''}` });
  td.append(element('span', { class: 'v' }, absent ? '—' : display(value)));
  if (origin) {
    const rel = relative(root, origin.file);
    td.append(element('a', { class: 'origin', href: '#', 'data-file': origin.file, 'data-line': String(origin.line), title: `${origin.file}:${origin.line}` }, `${rel}:${origin.line}`));
  }
  return td;
}

function display(value: unknown): string {
  if (typeof value === 'string') return value;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function relative(root: string, file: string): string {
  const norm = (p: string) => p.replace(/\\/g, '/');
  const r = norm(root).replace(/\/+$/, '') + '/';
  const f = norm(file);
  return f.startsWith(r) ? f.slice(r.length) : f;
}
