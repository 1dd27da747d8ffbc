// What the three release webviews share (the create form and the audit panel import it from here):
// requests with a correlated reply, the diff view, and the labels of states and times.
import type { CommandType, Dispatcher } from '../../src/protocol/compare';
import { ReplyNotification, type RequestType, type WireError, type WireFileDiff } from '../../src/protocol/release';
import { element } from '../shared/toolkit';

/** The part of a panel's HostConnection that requests use. */
interface Sender {
  readonly dispatcher: Dispatcher;
  send<M extends string, P>(type: CommandType<M, P>, params: P): void;
}

/** A request's failure as the host described it. */
export class RequestError extends Error {
  constructor(readonly error: WireError) {
    super(error.message);
  }
}

/** Sends requests and resolves each with the host's reply to it (validated by the request's result schema). */
export class Requests {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void; parse: (raw: unknown) => unknown }>();

  constructor(private readonly host: Sender) {
    host.dispatcher.on(ReplyNotification, (reply) => {
      const entry = this.pending.get(reply.id);
      if (!entry) return; // an answer to a request of the webview before a reload
      this.pending.delete(reply.id);
      if (!reply.ok) {
        entry.reject(new RequestError(reply.error));
        return;
      }
      try {
        entry.resolve(entry.parse(reply.result));
      } catch (err) {
        entry.reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  call<M extends string, P, R>(type: RequestType<M, P, R>, params: P): Promise<R> {
    const id = this.next++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        parse: (raw) => {
          const parsed = type.result.safeParse(raw);
          if (!parsed.success) throw new Error(`the host's answer to ${type.method} is invalid`);
          return parsed.data;
        },
      });
      this.host.send(type, { id, params });
    });
  }
}

/** The message and hint of a failure, for an inline error. */
export function errorText(err: unknown): { message: string; hint?: string } {
  if (err instanceof RequestError) return { message: err.error.message, ...(err.error.hint ? { hint: err.error.hint } : {}) };
  return { message: err instanceof Error ? err.message : String(err) };
}

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
