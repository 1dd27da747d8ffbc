// Effective values (spec §2): the chart's defaults and the existing layers merged with Helm's
// rules, then every HQ Variable placeholder substituted for (tenant, environment, workload).
// Substitution runs after the merge, on string values only (never keys).
import { mergeValues, originsOf } from './merge';
import { mayContainPlaceholder, substitute } from './placeholders';
import type { Origin, VariableScope } from './types';
import type { ResolveContext, VariableSet } from './variables';
import { asLayer, formatPath, isPlainMap, setKey, type ParsedValues, type PathSegment, type PlainMap } from './valuesTree';

export interface EffectiveValues {
  /** Plain JSON; secrets appear as SECRET_MASK. Shared and cached: treat as read-only. */
  readonly values: PlainMap;
  /** Dotted path → the file, line, column and layer that set it (built on first use). */
  readonly sources: Map<string, Origin>;
  /** Placeholders left as written (undefined variables, malformed forms), each once, in order. */
  readonly unresolved: string[];
  /** False when no values layer exists for this (tenant, environment, workload). */
  readonly bound: boolean;
  /** Dotted paths whose value holds a secret. */
  readonly secretPaths: string[];
}

export interface EffectiveInput {
  /** The chart's values.yaml; absent when it does not exist. */
  chart?: ParsedValues | undefined;
  /** One slot per `values` template, lowest first; undefined where the file does not exist. */
  layers: readonly (ParsedValues | undefined)[];
  variables: VariableSet;
  context: ResolveContext;
}

export function computeEffective(input: EffectiveInput): EffectiveValues {
  const layers: ParsedValues[] = [];
  if (input.chart) layers.push(asLayer(input.chart, -1));
  input.layers.forEach((layer, i) => {
    if (layer) layers.push(asLayer(layer, i));
  });
  const { values, unresolved, secretPaths } = mergeByKey(layers, input.variables, input.context);
  let sources: Map<string, Origin> | undefined;
  return {
    values,
    get sources() {
      sources ??= originsOf(values, layers);
      return sources;
    },
    unresolved,
    bound: input.layers.some((l) => l !== undefined),
    secretPaths,
  };
}

// Incremental merge. A top-level key's merged and substituted value depends only on that key's
// value in each layer (Helm merges a map's keys independently), the variables and the combination.
// After an edit the incremental re-parse keeps the unchanged top-level values (same objects), so
// the next computation of the same combination reuses every key whose inputs are the same objects:
// one block of a 50,000-line file is merged again, not the file.

interface Piece {
  /** The key's value in each layer (ABSENT where a layer lacks it). */
  readonly inputs: readonly unknown[];
  readonly value: unknown;
  readonly secretPaths: readonly string[];
  readonly unresolved: readonly string[];
}

interface Pieces {
  readonly variables: VariableSet;
  readonly byKey: Map<string, Piece>;
}

const ABSENT = Symbol('absent');
const NO_ORIGINS = new Map<string, Origin>();
/** Combination and layer files → the pieces of its last computation. */
const lastPieces = new Map<string, Pieces>();
const MAX_COMBINATIONS = 2_000;

function mergeByKey(layers: readonly ParsedValues[], variables: VariableSet, context: ResolveContext): { values: PlainMap; unresolved: string[]; secretPaths: string[] } {
  const id = `${context.environment}\u0000${context.tenant}\u0000${context.workload}\u0000${layers.map((l) => `${l.layer}:${l.file}`).join('\u0000')}`;
  const previous = lastPieces.get(id);
  const reusable = previous?.variables === variables ? previous.byKey : undefined;
  // The merged map's keys in the order mergeValues gives them: kept in place when set again,
  // appended when new, dropped by a values layer's null.
  const order = new Set<string>();
  for (const layer of layers) {
    for (const key of Object.keys(layer.value)) {
      if (layer.value[key] === null && layer.layer >= 0) order.delete(key);
      else order.add(key);
    }
  }
  const byKey = new Map<string, Piece>();
  const values: PlainMap = {};
  const unresolved = new Set<string>();
  const secretPaths: string[] = [];
  for (const key of order) {
    const inputs = layers.map((l) => (Object.hasOwn(l.value, key) ? l.value[key] : ABSENT));
    let piece = reusable?.get(key);
    if (!piece || piece.inputs.length !== inputs.length || piece.inputs.some((v, i) => v !== inputs[i])) {
      const merged = mergeValues(layers.map((l, i) => ({ file: l.file, layer: l.layer, value: inputs[i] === ABSENT ? {} : single(key, inputs[i]), origins: NO_ORIGINS, problems: [] })))[key];
      const substituted = substituteNode(merged, [key], variables, context);
      piece = { inputs, value: substituted.value, secretPaths: substituted.secretPaths, unresolved: substituted.unresolved };
    }
    byKey.set(key, piece);
    setKey(values, key, piece.value);
    for (const u of piece.unresolved) unresolved.add(u);
    secretPaths.push(...piece.secretPaths);
  }
  if (!lastPieces.has(id) && lastPieces.size >= MAX_COMBINATIONS) lastPieces.clear();
  lastPieces.set(id, { variables, byKey });
  return { values, unresolved: [...unresolved], secretPaths };
}

function single(key: string, value: unknown): PlainMap {
  const out: PlainMap = {};
  setKey(out, key, value);
  return out;
}

/**
 * The placeholders of one merged node (the node at `path` of a merged tree) substituted, with the
 * secret paths and unresolved placeholders computeEffective would report for that node.
 */
export function substituteNode(node: unknown, path: readonly PathSegment[], variables: VariableSet, context: ResolveContext): { value: unknown; secretPaths: string[]; unresolved: string[] } {
  const substitution = new Substitution(variables, context, path);
  const value = substitution.node(node);
  return { value, secretPaths: substitution.secretPaths, unresolved: [...substitution.unresolved] };
}

/** Substitutes placeholders in a merged tree, copying only the maps and lists that change. */
class Substitution {
  readonly unresolved = new Set<string>();
  readonly secretPaths: string[] = [];
  private readonly path: PathSegment[];
  private readonly resolve: (key: string, scope?: VariableScope) => ReturnType<VariableSet['resolve']>;

  constructor(variables: VariableSet, context: ResolveContext, at: readonly PathSegment[] = []) {
    this.resolve = (key, scope) => (scope === undefined ? variables.resolve(key, context) : variables.resolve(key, context, scope));
    this.path = [...at];
  }

  node(node: unknown): unknown {
    return this.value(node);
  }

  map(node: PlainMap): PlainMap {
    let out: PlainMap | undefined;
    const keys = Object.keys(node);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const child = node[key];
      this.path.push(key);
      const next = this.value(child);
      this.path.pop();
      if (next === child && !out) continue;
      if (!out) {
        out = {};
        for (let j = 0; j < i; j++) setKey(out, keys[j] as string, node[keys[j] as string]);
      }
      setKey(out, key, next);
    }
    return out ?? node;
  }

  private value(node: unknown): unknown {
    if (typeof node === 'string') return mayContainPlaceholder(node) ? this.string(node) : node;
    if (Array.isArray(node)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < node.length; i++) {
        this.path.push(i);
        const next = this.value(node[i]);
        this.path.pop();
        if (next !== node[i]) (out ??= node.slice())[i] = next;
      }
      return out ?? node;
    }
    return isPlainMap(node) ? this.map(node) : node;
  }

  private string(text: string): unknown {
    const result = substitute(text, this.resolve);
    for (const u of result.unresolved) this.unresolved.add(u);
    if (result.secret) this.secretPaths.push(formatPath(this.path));
    return result.value;
  }
}

/**
 * The image tag the values deploy: `image.tag` (as text), or the tag of an `image` reference
 * written as one string (`registry:5000/team/app:1.2.3`, a digest after `@` ignored). Undefined
 * when there is none or it is empty (Helm charts then use the chart's appVersion).
 */
export function imageTag(values: unknown): string | undefined {
  if (!isPlainMap(values) || !Object.hasOwn(values, 'image')) return undefined;
  const image = values['image'];
  if (isPlainMap(image)) {
    const tag = Object.hasOwn(image, 'tag') ? image['tag'] : undefined;
    if (typeof tag === 'number' || typeof tag === 'boolean') return String(tag);
    return typeof tag === 'string' && tag !== '' ? tag : undefined;
  }
  if (typeof image !== 'string') return undefined;
  const reference = image.split('@')[0] ?? '';
  const colon = reference.lastIndexOf(':');
  if (colon <= reference.lastIndexOf('/')) return undefined;
  const tag = reference.slice(colon + 1);
  return tag === '' ? undefined : tag;
}
