// Which values differ between two versions of a values file, for the audit log ("image.tag: 2.4.0 → 2.5.0").
// Lists are compared whole, as Helm merges them: a changed list is one change at the list's path.
import { isPlainMap, joinPath, parseValuesFile } from '../valuesTree';

export interface ValueChange {
  /** Dotted path, as in the effective values view (`ingress.hosts[0].host`, `podAnnotations["a.b/c"]`). */
  path: string;
  /** Absent when the value did not exist on that side. */
  before?: unknown;
  after?: unknown;
}

/** The dotted value paths that differ between two YAML texts (undefined = the file did not exist). */
export function changedValuePaths(before: string | undefined, after: string | undefined): string[] {
  return valueChanges(before, after)?.map((c) => c.path) ?? [];
}

/**
 * The changes between two YAML texts, in the order of `after` (then what `before` alone had); undefined
 * when either text is not a readable values file (a template, a syntax error): no guess then.
 */
export function valueChanges(before: string | undefined, after: string | undefined): ValueChange[] | undefined {
  const a = readValues(before);
  const b = readValues(after);
  if (!a || !b) return undefined;
  const out: ValueChange[] = [];
  diff(a, b, '', out);
  return out;
}

function readValues(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return {};
  const parsed = parseValuesFile(text, 'values.yaml', 0);
  return parsed.problems.some((p) => p.severity === 'error') ? undefined : parsed.value;
}

function diff(before: Record<string, unknown>, after: Record<string, unknown>, prefix: string, out: ValueChange[]): void {
  for (const key of Object.keys(after)) {
    const p = joinPath(prefix, key);
    const b = after[key];
    if (!Object.hasOwn(before, key)) {
      out.push({ path: p, after: b });
      continue;
    }
    const a = before[key];
    if (isPlainMap(a) && isPlainMap(b)) diff(a, b, p, out);
    else if (!deepEqual(a, b)) out.push({ path: p, before: a, after: b });
  }
  for (const key of Object.keys(before)) {
    if (!Object.hasOwn(after, key)) out.push({ path: joinPath(prefix, key), before: before[key] });
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainMap(a) && isPlainMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
