// The fleet dashboard (webview side): one row per project, one column per environment in promotion
// order, tenants stacked in each cell. The host filters and sends the fleet whole when the layout
// changes and only the changed tiles otherwise; a patch replaces those tiles' elements and nothing
// else. Keyboard: one tile is in the tab order at a time (a roving tabindex); arrows move between
// tiles, Enter reveals the tile in the Projects tree, Tab reaches its actions.
import './dashboard.css';
import {
  ActionCommand,
  ErrorNotification,
  FilterCommand,
  PatchNotification,
  ReadyCommand,
  RenderedCommand,
  StateNotification,
  webviewStateSchema,
  type DashboardFilter,
  type PatchParams,
  type StateParams,
  type TileAction,
  type WebviewState,
  type WireColour,
  type WireTile,
} from '../../src/protocol/dashboard';
import { checkbox, element, registerToolkit, textField } from '../shared/toolkit';
import { HostConnection } from '../shared/vscodeApi';

registerToolkit();

const host = new HostConnection<WebviewState>(webviewStateSchema);

const ICONS: Record<WireColour, string> = { green: '\u2714', yellow: '\u26A0\uFE0E', red: '\u2716' };
const WORDS: Record<WireColour, string> = { green: 'Healthy', yellow: 'Warning', red: 'Action needed' };

let filter: DashboardFilter = host.getState()?.filter ?? { mine: false, problems: false, text: '' };
let state: StateParams | undefined;
/** Tile elements by id, and the tile data they show (for the next patch and for actions). */
const tiles = new Map<string, { el: HTMLElement; tile: WireTile; next: string | undefined }>();
/** The tile in the tab order. */
let activeId: string | undefined;
/** dashboard.css defines `cols-1` … `cols-12`; more environments than that wrap. */
const MAX_COLUMN_CLASS = 12;

buildSkeleton();
host.dispatcher
  .on(StateNotification, (params) => {
    const started = host.receivedAt || performance.now();
    state = params;
    filter = params.filter;
    showError(undefined);
    render();
    measure('full', started, tiles.size);
  })
  .on(PatchNotification, (params) => {
    const started = host.receivedAt || performance.now();
    patch(params);
    measure('patch', started, params.tiles.length);
  })
  .on(ErrorNotification, (e) => showError(e));
host.send(ReadyCommand, { filter });

function buildSkeleton(): void {
  const app = document.getElementById('app');
  if (!app) throw new Error('#app is missing');
  const bar = element('header', { class: 'toolbar', role: 'search' });
  bar.append(
    element('vscode-checkbox', { id: 'mine' }, 'Only mine'),
    element('vscode-checkbox', { id: 'problems' }, 'Only problems'),
    element('vscode-text-field', { id: 'search', placeholder: 'Project, environment, tenant or reason', 'aria-label': 'Search the fleet' }, 'Search'),
  );
  app.replaceChildren(
    element('h1', {}, 'Fleet Dashboard'),
    bar,
    element('div', { id: 'summary', class: 'summary', role: 'status', 'aria-live': 'polite' }, 'Loading…'),
    element('div', { id: 'error', class: 'error', role: 'alert', hidden: '' }),
    element('div', { id: 'broken' }),
    element('section', { id: 'fleet' }),
  );
  syncFilterControls();
  checkbox('mine').addEventListener('change', () => setFilter({ ...filter, mine: checkbox('mine').checked }));
  checkbox('problems').addEventListener('change', () => setFilter({ ...filter, problems: checkbox('problems').checked }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  textField('search').addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const text = textField('search').value.trim();
      if (text !== filter.text) setFilter({ ...filter, text });
    }, 200);
  });
  const fleet = document.getElementById('fleet')!;
  fleet.addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
    const tileEl = button?.closest<HTMLElement>('.tile');
    if (!button || !tileEl) return;
    const entry = tiles.get(tileEl.dataset['id'] ?? '');
    if (!entry) return;
    act(entry.tile, button.dataset['action'] as TileAction, button.dataset['release'], button.dataset['workload']);
  });
  fleet.addEventListener('keydown', onKey);
  fleet.addEventListener('focusin', (event) => {
    const tileEl = (event.target as HTMLElement).closest<HTMLElement>('.tile');
    if (tileEl?.dataset['id']) activate(tileEl.dataset['id'], false);
  });
}

function syncFilterControls(): void {
  checkbox('mine').checked = filter.mine;
  checkbox('problems').checked = filter.problems;
  if (textField('search').value !== filter.text) textField('search').value = filter.text;
}

function setFilter(next: DashboardFilter): void {
  if (next.mine === filter.mine && next.problems === filter.problems && next.text === filter.text) return;
  filter = next;
  host.setState({ filter });
  host.send(FilterCommand, { filter });
}

function act(tile: WireTile, action: TileAction, release?: string, workload?: string): void {
  host.send(ActionCommand, {
    action,
    project: tile.project,
    environment: tile.environment,
    tenant: tile.tenant,
    ...(release ? { release } : {}),
    ...(workload ? { workload } : {}),
  });
}

function showError(e: { message: string; hint?: string | undefined } | undefined): void {
  const el = document.getElementById('error')!;
  if (!e) {
    el.hidden = true;
    el.replaceChildren();
    return;
  }
  el.hidden = false;
  el.replaceChildren(element('span', {}, e.message));
  if (e.hint) el.append(element('span', { class: 'hint' }, e.hint));
}

/** Reports the time from the message's arrival to the painted frame (rAF runs before paint; the task after it, once painted). */
function measure(kind: 'full' | 'patch', started: number, count: number): void {
  requestAnimationFrame(() => setTimeout(() => host.send(RenderedCommand, { kind, ms: Math.max(0, performance.now() - started), tiles: count }), 0));
}

function summaryLine(s: { green: number; yellow: number; red: number }, total: { green: number; yellow: number; red: number }): HTMLElement[] {
  const part = (colour: WireColour, n: number, word: string) => {
    const span = element('span', { class: `stat c-${colour}`, 'data-colour': colour });
    span.append(element('span', { class: 'icon', 'aria-hidden': 'true' }, ICONS[colour]), document.createTextNode(` ${n} ${word}`));
    return span;
  };
  const parts = [part('green', s.green, 'healthy'), part('yellow', s.yellow, 'warning'), part('red', s.red, 'action needed')];
  const shown = s.green + s.yellow + s.red;
  const all = total.green + total.yellow + total.red;
  if (shown !== all) parts.push(element('span', { class: 'of' }, `(${shown} of ${all} shown)`));
  // Separators are text so that the line reads as the issue writes it: "12 healthy · 3 warning · 1 action needed".
  const out: HTMLElement[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(element('span', { class: 'sep' }, i < 3 ? ' · ' : ' '));
    out.push(p);
  });
  return out;
}

function render(): void {
  if (!state) return;
  host.setState({ filter });
  syncFilterControls();
  document.getElementById('summary')!.replaceChildren(...summaryLine(state.summary, state.total));
  const broken = document.getElementById('broken')!;
  broken.replaceChildren(
    ...state.broken.map((b) => {
      const p = element('p', { class: 'broken c-red', title: b.manifestPath });
      p.append(element('span', { class: 'icon', 'aria-hidden': 'true' }, ICONS.red), document.createTextNode(` ${b.label}: the manifest has ${b.errors} error(s) (see the Problems view)`));
      return p;
    }),
  );
  const previousActive = activeId;
  tiles.clear();
  const section = document.getElementById('fleet')!;
  if (state.projects.length === 0) {
    const all = state.total.green + state.total.yellow + state.total.red;
    section.replaceChildren(element('p', { class: 'empty' }, all === 0 ? 'No project is open.' : 'Nothing matches the filters.'));
    activeId = undefined;
    return;
  }
  // A grid of rows rather than a table: each project row can skip layout and paint while off screen
  // (content-visibility), which is what keeps 1,000 tiles inside the first-render budget.
  const cols = `cols-${Math.min(state.columns.length, MAX_COLUMN_CLASS)}`;
  const grid = element('div', { class: 'fleet', role: 'grid', 'aria-label': 'Fleet: projects by environment', 'aria-colcount': String(state.columns.length + 1) });
  const head = element('div', { class: `row head ${cols}`, role: 'row' });
  head.append(element('div', { class: 'project-col', role: 'columnheader' }, 'Project'));
  for (const c of state.columns) head.append(element('div', { role: 'columnheader' }, c));
  const body = element('div', { class: 'rows', role: 'rowgroup' });
  for (const p of state.projects) {
    const row = element('div', { class: `row project ${cols} c-${p.colour}`, role: 'row', 'data-project': p.slug });
    const th = element('div', { class: 'project-name', role: 'rowheader' });
    th.append(element('span', { class: 'icon', 'aria-hidden': 'true' }, ICONS[p.colour]), document.createTextNode(` ${p.name}`), element('span', { class: 'slug' }, p.slug));
    if (p.mine) th.append(element('span', { class: 'badge' }, 'yours'));
    row.append(th);
    const byName = new Map(p.environments.map((e) => [e.name, e]));
    for (const c of state.columns) {
      const env = byName.get(c);
      if (!env) {
        row.append(element('div', { class: 'cell absent', role: 'gridcell' }, ''));
        continue;
      }
      const cell = element('div', { class: 'cell', role: 'gridcell', 'data-environment': env.name });
      for (const t of env.tenants) {
        const el = tileElement(t, env.next, state.commands);
        tiles.set(t.id, { el, tile: t, next: env.next });
        cell.append(el);
      }
      row.append(cell);
    }
    body.append(row);
  }
  grid.append(head, body);
  section.replaceChildren(grid);
  activate(previousActive && tiles.has(previousActive) ? previousActive : tiles.keys().next().value, false);
}

function patch(params: PatchParams): void {
  if (!state) return;
  document.getElementById('summary')!.replaceChildren(...summaryLine(params.summary, params.total));
  for (const p of params.projects) {
    const row = document.querySelector<HTMLElement>(`.row.project[data-project="${CSS.escape(p.slug)}"]`);
    if (!row || row.classList.contains(`c-${p.colour}`)) continue;
    row.classList.remove('c-green', 'c-yellow', 'c-red');
    row.classList.add(`c-${p.colour}`);
    const icon = row.querySelector('.project-name .icon');
    if (icon) icon.textContent = ICONS[p.colour];
  }
  for (const t of params.tiles) {
    const known = tiles.get(t.id);
    if (!known) continue;
    const hadFocus = known.el.contains(document.activeElement);
    const el = tileElement(t, known.next, state.commands);
    known.el.replaceWith(el);
    tiles.set(t.id, { el, tile: t, next: known.next });
    if (t.id === activeId) activate(t.id, hadFocus);
  }
}

function tileElement(t: WireTile, next: string | undefined, commands: StateParams['commands']): HTMLElement {
  const el = element('article', {
    class: `tile c-${t.colour}`,
    'data-id': t.id,
    'data-colour': t.colour,
    tabindex: '-1',
    role: 'group',
    'aria-label': `${t.environment} ${t.tenant}: ${WORDS[t.colour]}. ${t.sentence}`,
  });
  const head = element('div', { class: 'tile-head' });
  head.append(element('span', { class: 'icon', 'aria-hidden': 'true' }, ICONS[t.colour]), element('span', { class: 'tenant' }, t.tenant), element('span', { class: 'state' }, WORDS[t.colour]));
  el.append(head);
  if (t.reasons.length > 0) {
    const ul = element('ul', { class: 'reasons' });
    for (const r of t.reasons) {
      const li = element('li', { class: `reason c-${r.colour}`, 'data-kind': r.kind });
      li.append(element('span', { class: 'icon', 'aria-hidden': 'true' }, ICONS[r.colour]), document.createTextNode(` ${r.text}`));
      ul.append(li);
    }
    el.append(ul);
  } else {
    el.append(element('p', { class: 'sentence' }, t.sentence));
  }
  const facts: string[] = [];
  if (t.deployed) facts.push(`Deployed ${t.deployed.shortCommit} · ${t.deployed.age} · ${t.deployed.author}${t.deployed.release ? ` · “${t.deployed.release.title}”` : ''}`);
  if (t.frozen) facts.push(`Frozen: ${t.frozen.reason}${t.frozen.until ? ` (until ${t.frozen.until})` : ''}`);
  if (facts.length > 0) {
    const title = [t.deployed ? `${t.deployed.commit} “${t.deployed.subject}” (${t.deployed.at})` : '', ...t.driftPaths.map((p) => `not deployed: ${p}`)].filter(Boolean).join('\n');
    el.append(element('div', { class: 'facts', title }, facts.join(' — ')));
  }
  const actions = element('div', { class: 'actions' });
  const button = (action: TileAction, label: string, extra: Record<string, string> = {}) =>
    actions.append(element('button', { type: 'button', 'data-action': action, tabindex: '-1', ...extra }, label));
  button('openInTree', 'Show in Tree');
  if (next) button('compare', `Compare with ${next}`);
  if (t.drift > 0 || t.git === 'never-deployed') button('createRelease', 'Create Release…');
  const approvable = t.releases.find((r) => r.mayApprove);
  if (approvable) button('approve', 'Approve…', { 'data-release': approvable.id, class: 'primary', title: approvable.title });
  for (const r of t.releases.filter((x) => x !== approvable).slice(0, 2)) button('openRelease', `Release: ${r.title}`, { 'data-release': r.id, title: r.state.replace('_', ' ') });
  const timelineRelease = t.releases[0]?.id ?? t.deployed?.release?.id;
  if (commands.timeline && timelineRelease) button('timeline', 'Timeline', { 'data-release': timelineRelease });
  const workload = t.unhealthy[0]?.workload;
  if (commands.logs && workload) button('logs', `Logs of ${workload}`, { 'data-workload': workload });
  el.append(actions);
  return el;
}

/** Puts tile `id` in the tab order (its buttons too), and focuses it when asked. */
function activate(id: string | undefined, focus: boolean): void {
  if (id === undefined) return;
  if (activeId !== id) {
    const old = activeId && tiles.get(activeId)?.el;
    if (old) {
      old.setAttribute('tabindex', '-1');
      for (const b of old.querySelectorAll('button')) b.setAttribute('tabindex', '-1');
    }
  }
  activeId = id;
  const el = tiles.get(id)?.el;
  if (!el) return;
  el.setAttribute('tabindex', '0');
  for (const b of el.querySelectorAll('button')) b.setAttribute('tabindex', '0');
  if (focus) el.focus();
}

/** Arrows move between tiles: up/down through a cell's tenants and on to the row above or below, left/right across environments. */
function onKey(event: KeyboardEvent): void {
  const tileEl = event.target as HTMLElement;
  if (!tileEl.classList.contains('tile')) return;
  const id = tileEl.dataset['id']!;
  if (event.key === 'Enter' || event.key === ' ') {
    const entry = tiles.get(id);
    if (entry) act(entry.tile, 'openInTree');
    event.preventDefault();
    return;
  }
  const cell = tileEl.parentElement!;
  const row = cell.parentElement!;
  const inCell = [...cell.querySelectorAll<HTMLElement>('.tile')];
  const index = inCell.indexOf(tileEl);
  const cells = [...row.querySelectorAll<HTMLElement>('.cell')];
  const column = cells.indexOf(cell);
  const rows = [...row.parentElement!.querySelectorAll<HTMLElement>('.row.project')];
  const rowIndex = rows.indexOf(row);
  const tilesOf = (el: Element | undefined) => [...(el?.querySelectorAll<HTMLElement>('.tile') ?? [])];
  let target: HTMLElement | undefined;
  switch (event.key) {
    case 'ArrowDown':
      target = inCell[index + 1] ?? nearestInRows(rows.slice(rowIndex + 1), column, 'first');
      break;
    case 'ArrowUp':
      target = inCell[index - 1] ?? nearestInRows(rows.slice(0, rowIndex).reverse(), column, 'last');
      break;
    case 'ArrowRight':
      for (const c of cells.slice(column + 1)) {
        const list = tilesOf(c);
        if (list.length > 0) {
          target = list[Math.min(index, list.length - 1)];
          break;
        }
      }
      break;
    case 'ArrowLeft':
      for (const c of cells.slice(0, column).reverse()) {
        const list = tilesOf(c);
        if (list.length > 0) {
          target = list[Math.min(index, list.length - 1)];
          break;
        }
      }
      break;
    case 'Home':
      target = tilesOf(row)[0];
      break;
    case 'End':
      target = tilesOf(row).at(-1);
      break;
    default:
      return;
  }
  event.preventDefault();
  if (target?.dataset['id']) activate(target.dataset['id'], true);

  function nearestInRows(candidates: HTMLElement[], col: number, which: 'first' | 'last'): HTMLElement | undefined {
    for (const r of candidates) {
      const rowCells = [...r.querySelectorAll<HTMLElement>('.cell')];
      const list = tilesOf(rowCells[col]);
      const any = list.length > 0 ? list : tilesOf(r);
      if (any.length > 0) return which === 'first' ? any[0] : any.at(-1);
    }
    return undefined;
  }
}
