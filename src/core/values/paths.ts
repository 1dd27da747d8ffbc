// Dotted paths of values (the public API's `ingress.hosts[0].host`) and the plain data they point
// into: one place for every module that reads, writes or names a value.

// Dotted paths (public API: `ingress.hosts[0].host`, `podAnnotations["prometheus.io/scrape"]`).

export type PathSegment = string | number;

const NEEDS_QUOTES = /[.[\]"]/;

/** The path of `segment` below `parent` (`''` is the root). */
export function joinPath(parent: string, segment: PathSegment): string {
  if (typeof segment === 'number') return `${parent}[${segment}]`;
  if (segment === '' || NEEDS_QUOTES.test(segment)) return `${parent}[${JSON.stringify(segment)}]`;
  return parent === '' ? segment : `${parent}.${segment}`;
}

/** `['ingress', 'hosts', 0, 'host']` → `ingress.hosts[0].host`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) out = joinPath(out, s);
  return out;
}

/** The inverse of formatPath; undefined when `dotted` is not a well-formed path. */
export function parsePath(dotted: string): PathSegment[] | undefined {
  const out: PathSegment[] = [];
  let i = 0;
  while (i < dotted.length) {
    const c = dotted[i];
    if (c === '[') {
      if (dotted[i + 1] === '"') {
        const end = closingQuote(dotted, i + 2);
        if (end < 0 || dotted[end + 1] !== ']') return undefined;
        try {
          out.push(JSON.parse(dotted.slice(i + 1, end + 1)) as string);
        } catch {
          return undefined;
        }
        i = end + 2;
      } else {
        const end = dotted.indexOf(']', i);
        const digits = end < 0 ? '' : dotted.slice(i + 1, end);
        if (!/^(0|[1-9][0-9]*)$/.test(digits)) return undefined;
        out.push(Number(digits));
        i = end + 1;
      }
      continue;
    }
    if (out.length > 0) {
      if (c !== '.') return undefined;
      i++;
    }
    let end = i;
    while (end < dotted.length && !'.[]"'.includes(dotted[end] as string)) end++;
    if (end === i) return undefined;
    out.push(dotted.slice(i, end));
    i = end;
  }
  return out;
}

function closingQuote(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

// Plain data helpers shared by merge, effective values and every reader of them.

export type PlainMap = Record<string, unknown>;

export function isPlainMap(value: unknown): value is PlainMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property, even `__proto__` (which plain assignment would turn into a prototype change). */
export function setKey(map: PlainMap, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

/** The value at a path of plain data; undefined when absent (own properties only). */
export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(node)) return undefined;
      node = node[segment];
    } else {
      if (!isPlainMap(node) || !Object.hasOwn(node, segment)) return undefined;
      node = node[segment];
    }
  }
  return node;
}
