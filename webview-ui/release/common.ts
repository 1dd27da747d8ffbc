// What the three release webviews share (the create form and the audit panel import it from here):
// the error box, the diff view, and the labels of states and times. Requests: ../shared/requests.
import type { WireFileDiff } from '../../src/protocol/releaseShapes';
import { element } from '../shared/toolkit';

/** Fills an error box (role=alert) with a message and its hint; hides it for undefined. */
export function showError(el: HTMLElement, error: { message: string; hint?: string | undefined } | undefined): void {
  if (!error) {
    el.replaceChildren();
    el.hidden = true;
    return;
  }
  el.hidden = false;
  el.replaceChildren(element('span', { class: 'message' }, error.message));
  if (error.hint) el.append(element('span', { class: 'hint' }, error.hint));
}

const STATE_LABELS: Record<string, string> = {
  draft: 'Draft',
  pending_approval: 'Pending approval',
  approved: 'Approved',
  deploying: 'Deploying',
  deployed: 'Deployed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function stateLabel(state: string): string {
  return STATE_LABELS[state] ?? state;
}

export function stateBadge(state: string): HTMLElement {
  return element('span', { class: `state-badge state-${state}` }, stateLabel(state));
}

/** "2026-11-26 10:20" in local time, with the ISO time as tooltip. */
export function timeElement(iso: string): HTMLElement {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return element('time', {}, iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  const text = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return element('time', { datetime: iso, title: iso }, text);
}

export function person(who: { name: string; email: string }): string {
  return who.name && who.email ? `${who.name} <${who.email}>` : who.name || who.email;
}

/** A unified diff as a table of lines with old and new line numbers. */
export function diffView(diff: WireFileDiff): HTMLElement {
  const wrap = element('div', { class: 'diff', 'data-path': diff.path });
  const stats = element('div', { class: 'diff-stats' });
  stats.append(element('span', { class: 'added' }, `+${diff.added}`), element('span', { class: 'removed' }, `−${diff.removed}`));
  if (diff.masked) stats.append(element('span', { class: 'masked' }, 'secret values masked'));
  if (diff.truncated) stats.append(element('span', { class: 'truncated' }, 'diff truncated'));
  wrap.append(stats);
  if (diff.hunks.length === 0) {
    wrap.append(element('p', { class: 'empty' }, 'No textual difference.'));
    return wrap;
  }
  const table = element('table', { class: 'diff-lines' });
  for (const h of diff.hunks) {
    const header = element('tr', { class: 'hunk' });
    header.append(element('td', { colspan: '3' }, `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`));
    table.append(header);
    let oldLine = h.oldStart;
    let newLine = h.newStart;
    for (const line of h.lines) {
      const mark = line[0];
      if (mark === '\\') continue; // "\ No newline at end of file"
      const kind = mark === '+' ? 'add' : mark === '-' ? 'del' : 'ctx';
      const tr = element('tr', { class: `line ${kind}` });
      tr.append(
        element('td', { class: 'ln' }, kind === 'add' ? '' : String(oldLine)),
        element('td', { class: 'ln' }, kind === 'del' ? '' : String(newLine)),
        element('td', { class: 'code' }, line),
      );
      if (kind !== 'add') oldLine++;
      if (kind !== 'del') newLine++;
      table.append(tr);
    }
  }
  wrap.append(table);
  return wrap;
}
