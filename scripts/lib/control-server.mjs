// The test control server: suites inside the extension host cannot reach the browser that shows the
// workbench, so they ask the runner over HTTP (127.0.0.1, GITOPSHQ_TEST_CONTROL; client in
// test/support/control.ts).
//
//   POST /<operation>  JSON body  →  200 JSON result
//   404 unknown operation · 400 bad request · 422 no such webview · 501 operation not available on this host · 500 failure
//
// An operation is a small async function (body) → result. To add one, add it to
// browserOperations() and a helper to test/support/control.ts.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

/** An error with the HTTP status to answer. */
export class ControlError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Starts the server. `operations` maps a name ('screenshot', 'webview/click') to its handler, or to
 * null when the host cannot do it (answered 501). Returns { url, close() }.
 */
export async function startControlServer(operations, log = () => {}) {
  const server = createServer((req, res) => {
    const name = (req.url ?? '').replace(/^\/+/, '').replace(/\?.*$/, '');
    void handle(req, name, operations).then(
      (result) => reply(res, 200, result),
      (err) => {
        const status = err instanceof ControlError ? err.status : 500;
        // The suite gets client errors (4xx, 501) as its own failure; only our own faults are logged.
        if (status >= 500 && status !== 501) log(`control ${name}: ${status} ${err.message}`);
        reply(res, status, { error: err.message });
      },
    );
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  server.unref(); // never the reason the runner stays alive
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function handle(req, name, operations) {
  if (req.method !== 'POST' || !Object.hasOwn(operations, name)) throw new ControlError(404, `unknown operation: ${req.method} /${name}`);
  const operation = operations[name];
  if (!operation) throw new ControlError(501, `${name} is not available on this test host`);
  return operation(await readJson(req));
}

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 1_000_000) throw new ControlError(413, 'body too large');
  }
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new ControlError(400, 'body is not JSON');
  }
}

/** The operation names, each unavailable: for hosts without a browser (the electron host). */
export function unavailableOperations() {
  return Object.fromEntries(Object.keys(browserOperations({})).map((name) => [name, null]));
}

/**
 * Operations backed by the Playwright page that shows the workbench.
 * `getPage()` returns the page, or undefined before the browser is up.
 */
export function browserOperations({ getPage, resultsDir }) {
  const page = () => {
    const p = getPage?.();
    if (!p) throw new ControlError(503, 'the browser is not ready');
    return p;
  };
  return {
    /** {name} → saves test-results/<name>.png of the whole workbench → {path}. */
    /** {name, selector?} → {path}: the workbench, or only the first element matching `selector`. */
    async screenshot({ name, selector }) {
      if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) throw new ControlError(400, 'name must match [A-Za-z0-9_.-]+');
      mkdirSync(resultsDir, { recursive: true });
      const path = join(resultsDir, `${name}.png`);
      if (selector === undefined) await page().screenshot({ path });
      else await page().locator(requireString(selector, 'selector')).first().screenshot({ path, timeout: 10_000 });
      return { path };
    },
    /** {title, selector, timeoutMs?} → clicks the element in the webview panel titled `title`. */
    async 'webview/click'({ title, selector, timeoutMs = 10_000 }) {
      const frame = await webviewFrame(page(), requireString(title, 'title'), timeoutMs);
      await frame.locator(requireString(selector, 'selector')).click({ timeout: timeoutMs });
      return { ok: true };
    },
    /** {title, selector, value, timeoutMs?} → types `value` into the input `selector` (replacing its text) in that webview. */
    async 'webview/fill'({ title, selector, value, timeoutMs = 10_000 }) {
      if (typeof value !== 'string') throw new ControlError(400, 'value must be a string');
      const frame = await webviewFrame(page(), requireString(title, 'title'), timeoutMs);
      await frame.locator(requireString(selector, 'selector')).fill(value, { timeout: timeoutMs });
      return { ok: true };
    },
    /** {selector, timeoutMs?} → {text}: innerText of the first visible match in the workbench (quick input, notifications). */
    async 'workbench/text'({ selector, timeoutMs = 10_000 }) {
      const locator = page().locator(requireString(selector, 'selector')).first();
      await locator.waitFor({ state: 'visible', timeout: timeoutMs });
      return { text: await locator.innerText({ timeout: timeoutMs }) };
    },
    /** {text} → types into whatever has the focus in the workbench, as a user would (key events). */
    async 'keyboard/type'({ text }) {
      if (typeof text !== 'string') throw new ControlError(400, 'text must be a string');
      await page().keyboard.type(text);
      return { ok: true };
    },
    /** {key} → presses a key or chord in the workbench (Playwright names: Enter, Escape, ArrowDown, Control+A). */
    async 'keyboard/press'({ key }) {
      await page().keyboard.press(requireString(key, 'key'));
      return { ok: true };
    },
    /** {selector, timeoutMs?} → clicks the first visible match in the workbench (an activity-bar icon, a button). */
    async 'workbench/click'({ selector, timeoutMs = 10_000 }) {
      await page().locator(requireString(selector, 'selector')).locator('visible=true').first().click({ timeout: timeoutMs });
      return { ok: true };
    },
    /**
     * {view, timeoutMs?} → {rows}: the rows the tree view titled `view` renders, top to bottom, as a
     * person reads them: [{label, description, level, expanded}] (expanded: null for a leaf).
     */
    async 'view/rows'({ view, timeoutMs = 10_000 }) {
      const rows = treeRows(page(), requireString(view, 'view'));
      await rows.first().waitFor({ state: 'visible', timeout: timeoutMs }).catch(() => undefined);
      return { rows: await rows.evaluateAll(readRows) };
    },
    /** {view, label, timeoutMs?} → clicks the twistie of the first row labelled `label` in that tree view. */
    async 'view/toggle'({ view, label, timeoutMs = 10_000 }) {
      const row = treeRows(page(), requireString(view, 'view')).filter({ has: page().locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(requireString(label, 'label'))}$`) }) }).first();
      await row.locator('.monaco-tl-twistie').click({ timeout: timeoutMs });
      return { ok: true };
    },
    /** {title, selector, timeoutMs?} → {text}: innerText of the element in that webview. */
    async 'webview/text'({ title, selector, timeoutMs = 10_000 }) {
      const frame = await webviewFrame(page(), requireString(title, 'title'), timeoutMs);
      return { text: await frame.locator(requireString(selector, 'selector')).innerText({ timeout: timeoutMs }) };
    },
  };
}

/** The rows of the tree inside the view pane whose header reads `view`. */
function treeRows(page, view) {
  return page.locator('.pane').filter({ has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^${escapeRegExp(view)}$`, 'i') }) }).locator('.pane-body .monaco-list-row');
}

/** Runs in the page (Playwright sends its source, so it refers to nothing outside): rendered tree rows as text. */
const readRows = (els) =>
  els.map((el) => {
    const text = (sel) => el.querySelector(sel)?.textContent?.trim() ?? '';
    const expanded = el.getAttribute('aria-expanded');
    // The icon a person sees (codicon name, e.g. `error`, `pass-filled`) and the row's inline actions (their titles).
    const iconEl = el.querySelector('.custom-view-tree-node-item-icon');
    const icon = [...(iconEl?.classList ?? [])].find((c) => c.startsWith('codicon-') && c !== 'codicon-') ?? '';
    const actions = [...el.querySelectorAll('.actions .action-label')].map((a) => a.getAttribute('aria-label') ?? '').filter(Boolean);
    return {
      label: text('.label-name'),
      description: text('.label-description'),
      level: Number(el.getAttribute('aria-level')),
      expanded: expanded === null ? null : expanded === 'true',
      icon: icon.replace(/^codicon-/, ''),
      actions,
    };
  });

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function requireString(value, what) {
  if (typeof value !== 'string' || value === '') throw new ControlError(400, `${what} must be a non-empty string`);
  return value;
}

/**
 * The content frame of the webview whose panel title is `title`. VS Code renders each webview as an
 * outer iframe (its host page) holding an inner `iframe#active-frame` (the extension's HTML) whose
 * `title` attribute is the panel's title. Waits for it to appear, up to `timeoutMs`.
 */
async function webviewFrame(page, title, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const seen = [];
    for (const frame of page.frames()) {
      const inner = await frame.$('iframe#active-frame').catch(() => null);
      if (!inner) continue;
      const innerTitle = await inner.getAttribute('title').catch(() => null);
      seen.push(innerTitle);
      if (innerTitle === title) {
        const content = await inner.contentFrame();
        if (content) return content;
      }
    }
    if (Date.now() > until) {
      throw new ControlError(422, `no webview titled ${JSON.stringify(title)} (open webviews: ${JSON.stringify(seen)})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
