// Which values differ between two versions of a values file, for the audit log ("image.tag: 2.4.0 → 2.5.0").
// Lists are compared whole, as Helm merges them: a changed list is one change at the list's path.
import { isPlainMap, joinPath } from '../values/paths';
import { parseValuesFile } from '../yaml/valuesReader';

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
  if (before !== undefined && after !== undefined && before.length + after.length > SHARED_BLOCKS_FROM) {
    const rest = withoutSharedBlocks(before, after);
    const changes = rest && plainChanges(rest.before, rest.after);
    if (changes) return changes;
  }
  return plainChanges(before, after);
}

/** The first `max` changes and how many there are, for a summary: what the audit needs, small enough to post from a worker. */
export interface ChangeSummary {
  first: ValueChange[];
  total: number;
}

export function changeSummary(before: string | undefined, after: string | undefined, max: number): ChangeSummary | undefined {
  const changes = valueChanges(before, after);
  return changes && { first: changes.slice(0, max), total: changes.length };
}

/** Texts this large are compared top-level block by block first (see withoutSharedBlocks). */
const SHARED_BLOCKS_FROM = 64 * 1024;

/**
 * Both texts without the top-level blocks (a key at column 0 and the lines below it) they share
 * word for word: those hold the same values on both sides. What is left is small when a commit
 * changes a few values of a large file, and is parsed in milliseconds where the whole file takes
 * the `yaml` library seconds (it is quadratic on large flat maps). Undefined when the file's shape
 * makes blocks unsafe to compare alone (documents, top-level lists or flow, anchors): the caller
 * then parses the whole texts.
 */
function withoutSharedBlocks(before: string, after: string): { before: string; after: string } | undefined {
  const a = topLevelBlocks(before);
  const b = topLevelBlocks(after);
  if (!a || !b) return undefined;
  const unmatched = new Map<string, number>();
  for (const block of a) unmatched.set(block, (unmatched.get(block) ?? 0) + 1);
  const shared = new Map<string, number>();
  const afterRest: string[] = [];
  for (const block of b) {
    const n = unmatched.get(block) ?? 0;
    if (n > 0) {
      unmatched.set(block, n - 1);
      shared.set(block, (shared.get(block) ?? 0) + 1);
    } else {
      afterRest.push(block);
    }
  }
  const beforeRest: string[] = [];
  for (const block of a) {
    const n = shared.get(block) ?? 0;
    if (n > 0) shared.set(block, n - 1);
    else beforeRest.push(block);
  }
  return { before: beforeRest.join('\n'), after: afterRest.join('\n') };
}

/** A line that may start a top-level block: a mapping key at column 0. */
const BLOCK_START = /^[^\s#\-{}[\]%?&*!|>:@`,]/;
/** An anchor: an alias elsewhere may depend on a block that changed. */
const ANCHOR = /(?:^|[\s[{,])&[^\s,[\]{}]/m;

function topLevelBlocks(text: string): string[] | undefined {
  if (ANCHOR.test(text) || /^(?:---|\.\.\.)(?:\s|$)/m.test(text)) return undefined;
  const lines = text.split('\n');
  const blocks: string[] = [];
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const first = line.charCodeAt(0);
    // Indented lines, blank lines and comments belong to the block above.
    if (Number.isNaN(first) || first === 32 || first === 35 || line === '\r') continue;
    if (!BLOCK_START.test(line)) return undefined;
    if (start >= 0) blocks.push(lines.slice(start, i).join('\n'));
    start = i;
  }
  if (start >= 0) blocks.push(lines.slice(start).join('\n'));
  return blocks;
}

function plainChanges(before: string | undefined, after: string | undefined): ValueChange[] | undefined {
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
