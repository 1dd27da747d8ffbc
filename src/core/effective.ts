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
  const merged = mergeValues(layers);
  const substitution = new Substitution(input.variables, input.context);
  const values = substitution.map(merged);
  let sources: Map<string, Origin> | undefined;
  return {
    values,
    get sources() {
      sources ??= originsOf(values, layers);
      return sources;
    },
    unresolved: [...substitution.unresolved],
    bound: input.layers.some((l) => l !== undefined),
    secretPaths: substitution.secretPaths,
  };
}

/** Substitutes placeholders in a merged tree, copying only the maps and lists that change. */
class Substitution {
  readonly unresolved = new Set<string>();
  readonly secretPaths: string[] = [];
  private readonly path: PathSegment[] = [];
  private readonly resolve: (key: string, scope?: VariableScope) => ReturnType<VariableSet['resolve']>;

  constructor(variables: VariableSet, context: ResolveContext) {
    this.resolve = (key, scope) => (scope === undefined ? variables.resolve(key, context) : variables.resolve(key, context, scope));
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
