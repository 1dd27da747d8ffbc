// Asks the test runner for things only the browser side can do (screenshots of the workbench, clicks
// and text inside webviews). The runner's control server is scripts/lib/control-server.mjs; its URL
// is GITOPSHQ_TEST_CONTROL. Every helper returns undefined (or false) when the host cannot do it
// (the electron host answers 501, or no runner at all): a suite then skips just that step.
// Plain Node on purpose: no `vscode` import, so unit tests may use it too.
import * as http from 'node:http';

type Body = Record<string, unknown>;

export interface WebviewOptions {
  /** How long to wait for the webview and the element; default 10 s. */
  timeoutMs?: number;
}

/** Saves test-results/<name>.png (name: letters, digits, `_.-`); the file's path, or undefined. */
/** Saves a screenshot of the workbench (or of the first element matching `selector`) as test-results/<name>.png. */
export async function screenshot(name: string, selector?: string): Promise<string | undefined> {
  const reply = await call('screenshot', { name, ...(selector ? { selector } : {}) });
  return typeof reply?.['path'] === 'string' ? reply['path'] : undefined;
}

/** Clicks `selector` inside the webview panel titled `title`; false when not available on this host. */
export async function webviewClick(title: string, selector: string, options: WebviewOptions = {}): Promise<boolean> {
  return (await call('webview/click', { title, selector, ...options })) !== undefined;
}

/**
 * Replaces the text of the input `selector` inside the webview panel titled `title` (Playwright's
 * fill: input events as typing would fire them); false when not available on this host. Toolkit text
 * fields keep their <input> in an open shadow root: select it as `#id input`.
 */
export async function webviewFill(title: string, selector: string, value: string, options: WebviewOptions = {}): Promise<boolean> {
  return (await call('webview/fill', { title, selector, value, ...options })) !== undefined;
}

/** innerText of `selector` inside the webview panel titled `title`; undefined when not available. */
export async function webviewText(title: string, selector: string, options: WebviewOptions = {}): Promise<string | undefined> {
  const reply = await call('webview/text', { title, selector, ...options });
  return typeof reply?.['text'] === 'string' ? reply['text'] : undefined;
}

/** innerText of the first visible `selector` in the workbench itself (quick input, notifications); undefined when not available. */
export async function workbenchText(selector: string, options: WebviewOptions = {}): Promise<string | undefined> {
  const reply = await call('workbench/text', { selector, ...options });
  return typeof reply?.['text'] === 'string' ? reply['text'] : undefined;
}

/** Clicks the first visible `selector` in the workbench (an activity-bar icon); false when not available. */
export async function workbenchClick(selector: string, options: WebviewOptions = {}): Promise<boolean> {
  return (await call('workbench/click', { selector, ...options })) !== undefined;
}

/** A tree row as the workbench renders it. `expanded` is null for a leaf. */
export interface RenderedRow {
  label: string;
  description: string;
  level: number;
  expanded: boolean | null;
  /** The codicon shown, e.g. `error`, `warning`, `pass-filled` ('' when none). */
  icon: string;
  /** Titles of the row's inline actions (rendered for every row, shown on hover). */
  actions: string[];
}

/** The rows the tree view titled `view` shows, top to bottom; undefined when not available. */
export async function viewRows(view: string, options: WebviewOptions = {}): Promise<RenderedRow[] | undefined> {
  const reply = await call('view/rows', { view, ...options });
  return Array.isArray(reply?.['rows']) ? (reply['rows'] as RenderedRow[]) : undefined;
}

/** Clicks the expand/collapse arrow of the row labelled `label` in the tree view titled `view`. */
export async function viewToggle(view: string, label: string, options: WebviewOptions = {}): Promise<boolean> {
  return (await call('view/toggle', { view, label, ...options })) !== undefined;
}

/** Types `text` into the focused element of the workbench with real key events; false when not available. */
export async function keyboardType(text: string): Promise<boolean> {
  return (await call('keyboard/type', { text })) !== undefined;
}

/** Presses a key or chord (`Enter`, `Escape`, `Control+A`) in the workbench; false when not available. */
export async function keyboardPress(key: string): Promise<boolean> {
  return (await call('keyboard/press', { key })) !== undefined;
}

/** The operation's JSON result; undefined when unavailable; throws on any other failure. */
async function call(operation: string, body: Body): Promise<Body | undefined> {
  const base = process.env['GITOPSHQ_TEST_CONTROL'];
  if (!base) return undefined;
  const { status, json } = await post(new URL(`/${operation}`, base), body);
  if (status === 501) return undefined;
  if (status !== 200) throw new Error(`test control ${operation} failed (${status}): ${String(json['error'] ?? '')}`);
  return json;
}

function post(url: URL, body: Body): Promise<{ status: number; json: Body }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, timeout: 60_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Body) : {} });
          } catch {
            reject(new Error(`test control ${url.pathname}: the answer is not JSON: ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`test control ${url.pathname}: no answer within 60 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}
