// The deployment timeline panel (webview side): the phases as a horizontal stepper with their times
// and durations, the release, one tab per tenant, the pods of the new and old templates, and the
// workload's events in time order (Warning ones highlighted). The host sends the whole state on every
// change; this side renders it with plain DOM (hundreds of rows must render in a few ms) and reports
// how long each render took, from the message's arrival.
import '../release/release.css';
import './timeline.css';
import {
  ErrorNotification,
  OpenReleaseCommand,
  ReadyCommand,
  RenderedCommand,
  SelectTenantCommand,
  StateNotification,
  StreamLogsCommand,
  webviewStateSchema,
  type TimelineState,
  type WebviewState,
  type WireEvent,
  type WirePod,
} from '../../src/protocol/timeline';
import { element } from '../shared/toolkit';
import { HostConnection } from '../shared/vscodeApi';
import { person, showError, timeElement } from '../release/common';
import { durationText, phaseLabel, stepperPhases } from './stepper';

const host = new HostConnection<WebviewState>(webviewStateSchema);
let state: TimelineState | undefined;
let rendered = 0;

buildSkeleton();
host.dispatcher
  .on(StateNotification, (params) => {
    const started = host.receivedAt || performance.now();
    if (params.eventsFrom !== undefined) {
      // A live update with only the new events: the host knows this webview rendered the ones before.
      const kept = state?.events.slice(0, params.eventsFrom) ?? [];
      params = { ...params, events: kept.concat(params.events) };
      delete params.eventsFrom;
    }
    state = params;
    showError(byId('error'), undefined);
    render(params);
    const first = rendered++ === 0;
    // After layout: the figure includes what the browser did with the new DOM.
    setTimeout(() => host.send(RenderedCommand, { ms: Math.max(0, performance.now() - started), first, pods: params.pods.length, events: params.events.length }), 0);
  })
  .on(ErrorNotification, (e) => showError(byId('error'), e));
host.send(ReadyCommand, {});

function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el;
}

function buildSkeleton(): void {
  const app = document.getElementById('app');
  if (!app) throw new Error('#app is missing');
  app.replaceChildren(
    element('h1', { id: 'title' }, 'Deployment timeline'),
    element('div', { id: 'meta', class: 'meta' }),
    element('div', { id: 'tenants', class: 'tenant-tabs', role: 'tablist', 'aria-label': 'Tenant', hidden: '' }),
    element('div', { id: 'error', class: 'error', role: 'alert', hidden: '' }),
    element('div', { id: 'connection', class: 'hint', 'aria-live': 'polite' }),
    element('ol', { id: 'stepper', class: 'stepper', 'aria-label': 'Phases' }),
    element('div', { id: 'failure', class: 'failure', role: 'alert', hidden: '' }),
    element('div', { id: 'workloads', class: 'workloads' }),
    element('h2', {}, 'Pods'),
    element('div', { id: 'pods' }),
    element('h2', { id: 'events-title' }, 'Events'),
    element('div', { id: 'events' }),
  );
  // One listener for every button the renders create.
  app.addEventListener('click', (event) => {
    const target = (event.target as HTMLElement).closest<HTMLElement>('[data-action]');
    if (!target || !state) return;
    const { action, tenant, workload, pod, at, id } = target.dataset;
    if (action === 'tenant' && tenant && tenant !== state.tenant) {
      host.send(SelectTenantCommand, { tenant });
      persist(tenant);
    } else if (action === 'logs' && workload && at) {
      host.send(StreamLogsCommand, { workload, at, ...(pod ? { pod } : {}) });
    } else if (action === 'release' && id) {
      event.preventDefault();
      host.send(OpenReleaseCommand, { id });
    }
  });
  // Arrow keys move between tenant tabs (the tablist pattern).
  byId('tenants').addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const tabs = [...byId('tenants').querySelectorAll<HTMLElement>('[role=tab]')];
    const i = tabs.indexOf(document.activeElement as HTMLElement);
    const next = tabs[(i + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    next?.focus();
    next?.click();
  });
}

function persist(tenant: string): void {
  if (!state) return;
  const target = state.release ? { release: state.release.id } : { environment: state.environment, ...(state.workload ? { workload: state.workload } : {}) };
  host.setState({ project: state.project, ...target, tenant });
}

function render(s: TimelineState): void {
  persist(s.tenant);
  byId('title').textContent = s.release && !s.workload ? s.release.title : `${s.workload ?? ''} in ${s.environment}`;
  renderMeta(s);
  renderTenants(s);
  const connection = byId('connection');
  connection.textContent = s.connection !== 'connected' ? (s.message ?? `Cluster: ${s.connection}`) : s.synced ? '' : 'Waiting for the cluster…';
  renderStepper(s);
  renderFailure(s);
  renderWorkloads(s);
  renderPods(s);
  renderEvents(s);
}

function renderMeta(s: TimelineState): void {
  const meta = byId('meta');
  const parts: (HTMLElement | string)[] = [];
  const item = (label: string, value: HTMLElement | string) => {
    const el = element('span', { class: 'meta-item' });
    el.append(element('span', { class: 'meta-label' }, `${label} `), value);
    parts.push(el);
  };
  item('Environment', s.environment);
  if (s.release) {
    const r = s.release;
    const link = element('a', { href: '#', 'data-action': 'release', 'data-id': r.id, title: r.id }, r.id);
    item('Release', link);
    item('Author', person(r.author));
    item('Approvers', r.approvers.length ? r.approvers.map(person).join(', ') : 'none');
    if (r.deployCommit) item('Deploy commit', element('code', { title: r.deployCommit }, r.deployCommit.slice(0, 7)));
    if (r.deployAt) item('Deployed', timeElement(r.deployAt));
  } else {
    item('Release', 'none deployed: the live rollout');
  }
  if (s.superseded) item('Superseded', 'a later deploy replaced it; the phases stop where it was');
  meta.replaceChildren(...parts);
}

function renderTenants(s: TimelineState): void {
  const tabs = byId('tenants');
  tabs.hidden = s.tenants.length < 2;
  if (tabs.hidden) return;
  tabs.replaceChildren(
    ...s.tenants.map((t) =>
      element('button', { role: 'tab', class: 'tab', 'data-action': 'tenant', 'data-tenant': t, 'aria-selected': String(t === s.tenant), tabindex: t === s.tenant ? '0' : '-1' }, t),
    ),
  );
}

function renderStepper(s: TimelineState): void {
  const list = byId('stepper');
  const items = stepperPhases(s.reached, s.phase);
  list.replaceChildren(
    ...items.map((step, i) => {
      const li = element('li', { class: `step ${step.status}`, 'data-phase': step.phase, ...(step.status === 'current' ? { 'aria-current': 'step' } : {}) });
      li.append(element('span', { class: 'dot', 'aria-hidden': 'true' }, step.status === 'failed' ? '✕' : step.reached ? '✓' : String(i + 1)));
      li.append(element('span', { class: 'name' }, phaseLabel(step.phase)));
      if (step.at) {
        li.append(timeStamp(step.at));
        if (step.durationMs !== undefined) li.append(element('span', { class: 'duration', title: 'since the phase before' }, `+${durationText(step.durationMs)}`));
      }
      if (step.detail) li.append(element('span', { class: 'detail' }, step.detail));
      if (s.logs && step.at) li.append(logsButton(s, firstWorkload(s), undefined, step.at, `Stream logs from ${phaseLabel(step.phase)}`));
      return li;
    }),
  );
}

function renderFailure(s: TimelineState): void {
  const el = byId('failure');
  const f = s.failure;
  el.hidden = !f;
  if (!f) return;
  el.replaceChildren(
    element('strong', {}, `Failed: ${f.reason}`),
    element('span', {}, [f.pod ? ` pod ${f.pod}` : '', f.container ? `, container ${f.container}` : '', s.workloads.length > 1 ? ` (${f.workload})` : ''].join('')),
  );
  if (f.message) el.append(element('div', { class: 'message' }, f.message));
}

function renderWorkloads(s: TimelineState): void {
  const el = byId('workloads');
  el.replaceChildren(
    ...s.workloads.map((w) => {
      const row = element('div', { class: `workload phase-${w.phase}` });
      row.append(element('span', { class: 'name' }, w.name), element('span', { class: `badge phase-${w.phase}` }, phaseLabel(w.phase)), element('span', { class: 'hint' }, w.recognition));
      return row;
    }),
  );
}

let podsKey = '';

function renderPods(s: TimelineState): void {
  const el = byId('pods');
  // Pods change less often than events: an update that leaves them alone leaves their rows alone.
  const key = `${String(s.logs)}|${s.workloads.length}|${JSON.stringify(s.pods)}`;
  if (key === podsKey && el.firstChild) return;
  podsKey = key;
  const current = s.pods.filter((p) => p.current);
  const old = s.pods.filter((p) => !p.current);
  const several = s.workloads.length > 1;
  const parts: HTMLElement[] = [];
  parts.push(podTable('New pods', 'pods-new', current, s, several));
  if (old.length > 0) parts.push(podTable('Old pods', 'pods-old', old, s, several));
  el.replaceChildren(...parts);
}

function podTable(caption: string, id: string, pods: WirePod[], s: TimelineState, several: boolean): HTMLElement {
  const table = element('table', { id, class: 'pods' });
  table.append(element('caption', {}, `${caption} (${pods.length})`));
  const head = element('tr');
  for (const h of ['Pod', ...(several ? ['Workload'] : []), 'Phase', 'Ready', 'Restarts', 'Image', 'Node', 'Reason', ...(s.logs ? [''] : [])]) head.append(element('th', { scope: 'col' }, h));
  const thead = element('thead');
  thead.append(head);
  const body = element('tbody');
  if (pods.length === 0) {
    const tr = element('tr');
    tr.append(element('td', { colspan: '9', class: 'empty' }, 'None.'));
    body.append(tr);
  }
  for (const p of pods) {
    const tr = element('tr', { class: `pod${p.reason && !p.ready ? ' failing' : ''}${p.terminating ? ' terminating' : ''}`, 'data-pod': p.name });
    tr.append(element('td', { class: 'name' }, p.name));
    if (several) tr.append(element('td', {}, p.workload));
    tr.append(
      element('td', {}, p.phase),
      element('td', {}, p.ready ? 'yes' : 'no'),
      element('td', { class: 'num' }, String(p.restarts)),
      element('td', { class: 'image', title: p.images.join('\n') }, p.images.map(shortImage).join(', ')),
      element('td', {}, p.node ?? ''),
      element('td', { class: 'reason', title: p.message ?? '' }, p.reason ?? ''),
    );
    if (s.logs) {
      const td = element('td');
      td.append(logsButton(s, p.workload, p.name, p.createdAt ?? s.reached[0]?.at ?? new Date().toISOString(), `Stream logs of ${p.name}`));
      tr.append(td);
    }
    body.append(tr);
  }
  table.append(thead, body);
  return table;
}

/** The rows rendered, by position, with the key of the event each shows: a live update touches only what changed. */
let eventRows: { key: string; row: HTMLElement }[] = [];
let eventBody: HTMLElement | undefined;

function renderEvents(s: TimelineState): void {
  const el = byId('events');
  byId('events-title').textContent = `Events (${s.events.length})`;
  if (s.events.length === 0) {
    eventRows = [];
    eventBody = undefined;
    el.replaceChildren(element('p', { class: 'empty' }, 'No events (the cluster keeps them about an hour).'));
    return;
  }
  if (!eventBody || !el.contains(eventBody)) {
    const table = element('table', { id: 'events-table', class: 'events' });
    const cols = element('colgroup');
    for (const c of ['time', 'type', 'reason', 'object', 'message']) cols.append(element('col', { class: c }));
    table.append(cols);
    const head = element('tr');
    for (const h of ['Time', 'Type', 'Reason', 'Object', 'Message']) head.append(element('th', { scope: 'col' }, h));
    const thead = element('thead');
    thead.append(head);
    eventBody = element('tbody');
    table.append(thead, eventBody);
    el.replaceChildren(table);
    eventRows = [];
  }
  const body = eventBody;
  const next: { key: string; row: HTMLElement }[] = [];
  const fresh = document.createDocumentFragment();
  s.events.forEach((e, i) => {
    const key = `${e.at}\u0000${e.type}\u0000${e.reason}\u0000${e.object}\u0000${e.count}\u0000${e.message}`;
    const old = eventRows[i];
    if (old && old.key === key) {
      next.push(old);
      return;
    }
    const row = eventRow(e);
    if (old) old.row.replaceWith(row);
    else fresh.append(row);
    next.push({ key, row });
  });
  for (const extra of eventRows.slice(s.events.length)) extra.row.remove();
  body.append(fresh);
  eventRows = next;
}

function eventRow(e: WireEvent): HTMLElement {
  const warning = e.type === 'Warning';
  const tr = element('tr', { class: warning ? 'event warning-event' : 'event' });
  const time = element('td', { class: 'time' });
  time.append(timeStamp(e.at));
  tr.append(
    time,
    element('td', { class: 'type' }, warning ? '⚠ Warning' : e.type),
    element('td', {}, e.count > 1 ? `${e.reason} ×${e.count}` : e.reason),
    element('td', { class: 'object' }, e.object),
    element('td', { class: 'message' }, e.message),
  );
  return tr;
}

function logsButton(_s: TimelineState, workload: string, pod: string | undefined, at: string, label: string): HTMLElement {
  return element('button', { class: 'logs', type: 'button', 'data-action': 'logs', 'data-workload': workload, ...(pod ? { 'data-pod': pod } : {}), 'data-at': at, title: `${label} (from a minute before)`, 'aria-label': label }, 'Stream logs');
}

function firstWorkload(s: TimelineState): string {
  return s.failure?.workload ?? s.workload ?? s.workloads[0]?.name ?? '';
}

/** HH:MM:SS with the date and the ISO time as tooltip. */
function timeStamp(iso: string): HTMLElement {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return timeElement(iso);
  // Formatted by hand: toLocaleDateString builds an Intl formatter per call, too slow for 500 rows.
  const pad = (n: number) => String(n).padStart(2, '0');
  return element('time', { datetime: iso, title: iso }, `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`);
}

function shortImage(image: string): string {
  return image.split('/').pop() ?? image;
}
