// The HQ Variable placeholder grammar (spec §3):
//
//   {{ hq.var.KEY }}          resolved by precedence
//   {{ hq.var.SCOPE.KEY }}    pinned to one scope: repo | env | tenant | svc
//   KEY = [A-Za-z_][A-Za-z0-9_]*, whitespace allowed inside the braces
//
// `{{` not followed by `hq.` is ordinary text (a Helm template in a value is legal), but a form that
// starts `{{ hq.` and does not follow the grammar is reported, so that a typo never passes silently.
import { SECRET_MASK, type Resolution, type Scalar, type VariableScope } from '../types';

export const PLACEHOLDER_SCOPES: readonly VariableScope[] = ['repo', 'env', 'tenant', 'svc'];

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface PlaceholderMatch {
  /** Offset of the opening `{{`. */
  start: number;
  /** Offset just after the closing `}}` (for an unterminated form: after its last character). */
  end: number;
  key?: string;
  /** Only for a pinned placeholder. */
  scope?: VariableScope;
  valid: boolean;
  /** Why an `{{ hq.… }}` form is not a valid placeholder, in the user's words. */
  error?: string;
}

/** Every `{{ hq.… }}` form in `text`, valid or not, in order. */
export function scanPlaceholders(text: string): PlaceholderMatch[] {
  const out: PlaceholderMatch[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('{{', from);
    if (start < 0) return out;
    let i = start + 2;
    while (isSpace(text.charCodeAt(i))) i++;
    if (!text.startsWith('hq.', i)) {
      // Not ours (e.g. `{{ .Values.x }}`); `{{{` may still hide a `{{` one character later.
      from = start + 1;
      continue;
    }
    const close = text.indexOf('}}', i);
    const nextOpen = text.indexOf('{{', i);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      const end = unterminatedEnd(text, i, nextOpen);
      out.push({ start, end, valid: false, error: `Missing "}}" to close the placeholder "${text.slice(start, end)}".` });
      from = end;
      continue;
    }
    out.push(parseBody(text.slice(i, close).trimEnd(), start, close + 2));
    from = close + 2;
  }
}

/** Whether a string holds any `{{ hq.` form at all (cheap pre-check before scanning). */
export function mayContainPlaceholder(text: string): boolean {
  return text.includes('{{') && text.includes('hq.');
}

function parseBody(body: string, start: number, end: number): PlaceholderMatch {
  const invalid = (error: string): PlaceholderMatch => ({ start, end, valid: false, error });
  if (!body.startsWith('hq.var.') && body !== 'hq.var') {
    return invalid(`"${body}" is not an HQ Variable: write {{ hq.var.KEY }} or {{ hq.var.SCOPE.KEY }}.`);
  }
  const rest = body === 'hq.var' ? '' : body.slice('hq.var.'.length);
  if (/\s/.test(rest)) {
    return invalid(`Unexpected text in "${body}": a placeholder holds only hq.var.KEY or hq.var.SCOPE.KEY.`);
  }
  const parts = rest.split('.');
  if (rest === '' || parts.length > 2) {
    return invalid(
      rest === '' ? 'Missing variable key: write {{ hq.var.KEY }}.' : `Too many parts in "${body}": write hq.var.KEY or hq.var.SCOPE.KEY.`,
    );
  }
  if (parts.length === 1) {
    const key = parts[0] ?? '';
    return KEY.test(key) ? { start, end, key, valid: true } : invalid(badKey(key));
  }
  const [scope = '', key = ''] = parts;
  if (!isScope(scope)) {
    return invalid(`Unknown scope "${scope}": the scope of a pinned placeholder is one of ${PLACEHOLDER_SCOPES.join(', ')}.`);
  }
  if (key === '') return invalid(`Missing variable key after the scope: write {{ hq.var.${scope}.KEY }}.`);
  return KEY.test(key) ? { start, end, key, scope, valid: true } : invalid(badKey(key));
}

function badKey(key: string): string {
  return `Invalid variable key "${key}": a key is letters, digits and "_", and does not start with a digit.`;
}

function isScope(s: string): s is VariableScope {
  return (PLACEHOLDER_SCOPES as readonly string[]).includes(s);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** An unterminated form ends at the next `{{`, the end of its line, or the end of the text. */
function unterminatedEnd(text: string, from: number, nextOpen: number): number {
  let end = text.indexOf('\n', from);
  if (end < 0) end = text.length;
  if (nextOpen >= 0 && nextOpen < end) end = nextOpen;
  while (end > from && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

export interface Substitution {
  /** The typed value for a string that is exactly one placeholder; otherwise a string. */
  value: Scalar;
  /** Placeholders left as written: undefined variables and malformed `{{ hq.… }}` forms. */
  unresolved: string[];
  /** True when a secret's value went in (it shows as SECRET_MASK). */
  secret: boolean;
}

export type VariableResolver = (key: string, scope?: VariableScope) => Resolution;

/**
 * Substitutes every placeholder of a string. A string that is exactly one placeholder (nothing
 * around the braces, whitespace inside them allowed) takes the variable's value with its type; a
 * placeholder inside a longer string is substituted as text (numbers and booleans as written by
 * `String`, null as the empty string). A secret shows as SECRET_MASK. Unresolved placeholders stay
 * as written.
 */
export function substitute(text: string, resolve: VariableResolver): Substitution {
  if (!mayContainPlaceholder(text)) return { value: text, unresolved: [], secret: false };
  const matches = scanPlaceholders(text);
  if (matches.length === 0) return { value: text, unresolved: [], secret: false };

  const unresolved: string[] = [];
  let secret = false;
  const only = matches.length === 1 ? matches[0] : undefined;
  if (only && only.start === 0 && only.end === text.length) {
    const r = only.valid ? resolveMatch(only, resolve) : undefined;
    if (!r?.defined) return { value: text, unresolved: [text], secret: false };
    if (r.secret) return { value: SECRET_MASK, unresolved, secret: true };
    return { value: r.value ?? null, unresolved, secret: false };
  }

  let out = '';
  let last = 0;
  for (const m of matches) {
    out += text.slice(last, m.start);
    last = m.end;
    const r = m.valid ? resolveMatch(m, resolve) : undefined;
    if (!r?.defined) {
      const written = text.slice(m.start, m.end);
      unresolved.push(written);
      out += written;
    } else if (r.secret) {
      secret = true;
      out += SECRET_MASK;
    } else {
      out += r.value === null || r.value === undefined ? '' : String(r.value);
    }
  }
  out += text.slice(last);
  return { value: out, unresolved, secret };
}

function resolveMatch(m: PlaceholderMatch, resolve: VariableResolver): Resolution | undefined {
  if (m.key === undefined) return undefined;
  return m.scope === undefined ? resolve(m.key) : resolve(m.key, m.scope);
}
