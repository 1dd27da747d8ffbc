// Effective values (spec §2): the chart's defaults and the existing layers merged with Helm's
// rules, then every HQ Variable placeholder substituted for (tenant, environment, workload).
// Substitution runs after the merge, on string values only (never keys).
import { mergeValues, originsOf } from './merge';
import { mayContainPlaceholder, substitute } from './placeholders';
import { LOG_MASKING, SecretMasker } from '../secrets/mask';
import type { Origin, VariableScope } from '../types';
import type { ResolveContext, VariableSet } from '../model/variables';
import { asLayer, type ParsedValues } from '../yaml/valuesReader';
import { formatPath, isPlainMap, setKey, type PathSegment, type PlainMap } from './paths';

export interface EffectiveValues {
  /** Plain JSON; secrets appear as SECRET_MASK. Shared and cached: treat as read-only. */
  readonly values: PlainMap;
  /** Dotted path → the file, line, column and layer that set it (built on first use). */
  readonly sources: Map<string, Origin>;
  /** Placeholders left as written (undefined variables, malformed forms), each once, in order. */
  readonly unresolved: string[];
  /** False when no values layer exists for this (tenant, environment, workload). */
  readonly bound: boolean;
  /** Dotted paths whose value holds a secret (through a placeholder, or written literally in a values file). */
  readonly secretPaths: string[];
}

/**
 * A secret's value written literally in a values file is masked like a substituted one (the values
 * file check warns about it). The log cut-off applies: a 3-character or common-word secret would
 * mask ordinary values all over (the variables file warns about those).
 */
const literalMaskers = new WeakMap<VariableSet, SecretMasker | null>();

function literalMasker(variables: VariableSet): SecretMasker | undefined {
  let masker = literalMaskers.get(variables);
  if (masker === undefined) {
    const built = new SecretMasker(variables.secretValues(), LOG_MASKING);
    masker = built.empty ? null : built;
    literalMaskers.set(variables, masker);
  }
  return masker ?? undefined;
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
// one block of a 50,000-line file is merged again, not the file. A first computation merges the
// whole tree at once (the cold index computes thousands) and only remembers what it used.

interface Snapshot {
  readonly variables: VariableSet;
  /** Each layer's top-level map, as merged last time. */
  readonly inputs: readonly PlainMap[];
  readonly values: PlainMap;
  readonly secretByKey: ReadonlyMap<string, readonly string[]>;
  readonly unresolvedByKey: ReadonlyMap<string, readonly string[]>;
}

interface Merged {
  values: PlainMap;
  unresolved: string[];
  secretPaths: string[];
  snapshot: Snapshot;
}

const ABSENT = Symbol('absent');
const NO_ORIGINS = new Map<string, Origin>();
/** Combination and layer files → its last computation. */
const snapshots = new Map<string, Snapshot>();
const MAX_COMBINATIONS = 2_000;

/** Below this many top-level keys over all layers a whole merge is cheaper than the bookkeeping. */
const REUSE_MIN_KEYS = 128;

function mergeByKey(layers: readonly ParsedValues[], variables: VariableSet, context: ResolveContext): Merged {
  if (!manyKeys(layers)) return mergeWhole(layers, variables, context);
  const id = `${context.environment}\u0000${context.tenant}\u0000${context.workload}\u0000${layers.map((l) => `${l.layer}:${l.file}`).join('\u0000')}`;
  const previous = snapshots.get(id);
  const merged =
    previous && previous.variables === variables && previous.inputs.length === layers.length
      ? mergeReusing(previous, layers, variables, context)
      : mergeWhole(layers, variables, context);
  if (!snapshots.has(id) && snapshots.size >= MAX_COMBINATIONS) snapshots.clear();
  snapshots.set(id, merged.snapshot);
  return merged;
}

function manyKeys(layers: readonly ParsedValues[]): boolean {
  let keys = 0;
  for (const layer of layers) {
    for (const key in layer.value) {
      if (Object.hasOwn(layer.value, key) && ++keys >= REUSE_MIN_KEYS) return true;
    }
  }
  return false;
}

function mergeWhole(layers: readonly ParsedValues[], variables: VariableSet, context: ResolveContext): Merged {
  const substitution = new Substitution(variables, context);
  const values = substitution.map(mergeValues(layers));
  const snapshot = { variables, inputs: layers.map((l) => l.value), values, secretByKey: substitution.secretByKey, unresolvedByKey: substitution.unresolvedByKey };
  return { values, unresolved: [...substitution.unresolved], secretPaths: substitution.secretPaths, snapshot };
}

function mergeReusing(previous: Snapshot, layers: readonly ParsedValues[], variables: VariableSet, context: ResolveContext): Merged {
  // The merged map's keys in the order mergeValues gives them: kept in place when set again,
  // appended when new, dropped by a values layer's null.
  const order = new Set<string>();
  for (const layer of layers) {
    for (const key of Object.keys(layer.value)) {
      if (layer.value[key] === null && layer.layer >= 0) order.delete(key);
      else order.add(key);
    }
  }
  const inputOf = (map: PlainMap, key: string): unknown => (Object.hasOwn(map, key) ? map[key] : ABSENT);
  const values: PlainMap = {};
  const unresolved = new Set<string>();
  const secretPaths: string[] = [];
  const secretByKey = new Map<string, readonly string[]>();
  const unresolvedByKey = new Map<string, readonly string[]>();
  for (const key of order) {
    let value: unknown;
    let secrets: readonly string[];
    let missing: readonly string[];
    if (Object.hasOwn(previous.values, key) && layers.every((l, i) => inputOf(l.value, key) === inputOf(previous.inputs[i] as PlainMap, key))) {
      value = previous.values[key];
      secrets = previous.secretByKey.get(key) ?? [];
      missing = previous.unresolvedByKey.get(key) ?? [];
    } else {
      const merged = mergeValues(
        layers.map((l) => {
          const input = inputOf(l.value, key);
          return { file: l.file, layer: l.layer, value: input === ABSENT ? {} : single(key, input), origins: NO_ORIGINS, problems: [] };
        }),
      )[key];
      const substituted = substituteNode(merged, [key], variables, context);
      value = substituted.value;
      secrets = substituted.secretPaths;
      missing = substituted.unresolved;
    }
    setKey(values, key, value);
    if (secrets.length > 0) secretByKey.set(key, secrets);
    if (missing.length > 0) unresolvedByKey.set(key, missing);
    for (const u of missing) unresolved.add(u);
    secretPaths.push(...secrets);
  }
  const snapshot = { variables, inputs: layers.map((l) => l.value), values, secretByKey, unresolvedByKey };
  return { values, unresolved: [...unresolved], secretPaths, snapshot };
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
  /** The same, per top-level key: the incremental merge reuses a key's part. */
  readonly secretByKey = new Map<string, string[]>();
  readonly unresolvedByKey = new Map<string, string[]>();
  private readonly path: PathSegment[];
  private readonly resolve: (key: string, scope?: VariableScope) => ReturnType<VariableSet['resolve']>;
  private readonly masker: SecretMasker | undefined;

  constructor(variables: VariableSet, context: ResolveContext, at: readonly PathSegment[] = []) {
    this.resolve = (key, scope) => (scope === undefined ? variables.resolve(key, context) : variables.resolve(key, context, scope));
    this.path = [...at];
    this.masker = literalMasker(variables);
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
    if (typeof node === 'string') return mayContainPlaceholder(node) ? this.string(node) : this.masker ? this.literal(node) : node;
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

  /** A string with any secret written in it masked, its path recorded as a secret's. */
  private literal(text: string): string {
    const masked = (this.masker as SecretMasker).text(text);
    if (masked !== text) this.secretAt();
    return masked;
  }

  private secretAt(): void {
    const secretPath = formatPath(this.path);
    this.secretPaths.push(secretPath);
    const top = String(this.path[0]);
    const list = this.secretByKey.get(top);
    if (list) list.push(secretPath);
    else this.secretByKey.set(top, [secretPath]);
  }

  private string(text: string): unknown {
    const result = substitute(text, this.resolve);
    const top = String(this.path[0]);
    for (const u of result.unresolved) {
      this.unresolved.add(u);
      const list = this.unresolvedByKey.get(top);
      if (!list) this.unresolvedByKey.set(top, [u]);
      else if (!list.includes(u)) list.push(u);
    }
    if (result.secret) {
      this.secretAt();
      return this.masker && typeof result.value === 'string' ? this.masker.text(result.value) : result.value;
    }
    return this.masker && typeof result.value === 'string' ? this.literal(result.value) : result.value;
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
