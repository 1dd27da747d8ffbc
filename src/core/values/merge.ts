// Helm's merge of values (spec §2): maps merge key by key, lists and scalars replace, and an
// explicit `null` in a values layer removes the key (whoever set it). In the chart's own
// values.yaml (layer -1) a null is a value, as in Helm: the key exists and is empty.
import type { Origin } from '../types';
import { isPlainMap, joinPath, setKey, type PlainMap } from './paths';
import { type ParsedValues } from '../yaml/valuesReader';

export interface MergeResult {
  /** New maps throughout; lists and scalars are shared with the layers (treat as read-only). */
  value: PlainMap;
  /** Dotted path → where its value came from: the last layer that set it (built on first use). */
  readonly origins: Map<string, Origin>;
}

/** Merges layers, lowest first (the chart's values.yaml, if any, is the one with layer -1). */
export function mergeLayers(layers: readonly ParsedValues[]): MergeResult {
  const value = mergeValues(layers);
  let origins: Map<string, Origin> | undefined;
  return {
    value,
    get origins() {
      origins ??= originsOf(value, layers);
      return origins;
    },
  };
}

export function mergeValues(layers: readonly ParsedValues[]): PlainMap {
  let result: PlainMap = {};
  for (const layer of layers) result = mergeMap(result, layer.value, layer.layer >= 0);
  return result;
}

function mergeMap(base: PlainMap, over: PlainMap, nullDeletes: boolean): PlainMap {
  const out: PlainMap = {};
  for (const key of Object.keys(base)) setKey(out, key, base[key]);
  for (const key of Object.keys(over)) {
    const value = over[key];
    if (value === null && nullDeletes) {
      if (Object.hasOwn(out, key)) delete out[key];
      continue;
    }
    const current = Object.hasOwn(out, key) ? out[key] : undefined;
    if (isPlainMap(value) && isPlainMap(current)) setKey(out, key, mergeMap(current, value, nullDeletes));
    else setKey(out, key, nullDeletes ? withoutNulls(value) : value);
  }
  return out;
}

/** A new subtree from a values layer loses its null keys too (same value when it has none). */
function withoutNulls(value: unknown): unknown {
  if (!isPlainMap(value)) return value;
  let out: PlainMap | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const child = value[key];
    const next = child === null ? undefined : withoutNulls(child);
    if (next === child && !out) continue;
    if (!out) {
      out = {};
      for (let j = 0; j < i; j++) setKey(out, keys[j] as string, value[keys[j] as string]);
    }
    if (next !== undefined) setKey(out, key, next);
  }
  return out ?? value;
}

/**
 * Where every node of a merged tree came from. The paths of a merged tree are the paths of its
 * layers, so a node's origin is its path in the last layer that has it: a later layer that has
 * the path set it (or merged into it), and one that replaced or removed it would have it too.
 */
export function originsOf(value: unknown, layers: readonly ParsedValues[]): Map<string, Origin> {
  const maps = layers.map((l) => l.origins);
  const out = new Map<string, Origin>();
  const visit = (node: unknown, path: string): void => {
    if (path !== '') {
      for (let k = maps.length - 1; k >= 0; k--) {
        const origin = maps[k]?.get(path);
        if (origin) {
          out.set(path, origin);
          break;
        }
      }
    }
    if (Array.isArray(node)) node.forEach((item, i) => visit(item, joinPath(path, i)));
    else if (isPlainMap(node)) for (const key of Object.keys(node)) visit(node[key], joinPath(path, key));
  };
  visit(value, '');
  return out;
}
