// The effective value at one path (spec §2), without merging whole files: a hover after an edit of
// a 50,000-line file must not merge and substitute it ten times. Each layer is cut down to the
// path's spine (the maps on the way, each with only the path's key, and the whole node at the
// path) and the cut layers go through the same merge as computeEffective. Helm's merge treats a
// map's keys independently and never looks into lists, so the merge of the cut layers holds, at
// the path, exactly what the full merge holds there (property test: test/unit/core/values/effectiveAt.test.ts).
import { substituteNode, type EffectiveInput } from './effective';
import { findEnvironment, findProject, findTenant, findWorkload } from '../model/lookup';
import { chartValuesFile, layerEntries } from './layers';
import { mergeValues } from './merge';
import type { ProjectIndex } from '../model/projectIndex';
import type { Origin } from '../types';
import { formatPath, isPlainMap, setKey, valueAt, type PathSegment, type PlainMap } from './paths';
import { type ParsedValues } from '../yaml/valuesReader';

export interface EffectiveAt {
  /** False when no values layer exists for the combination (as EffectiveValues.bound). */
  bound: boolean;
  /** The value after substitution (secrets as SECRET_MASK); undefined when the path is absent. */
  value: unknown;
  /** The file, line and layer that set it (as EffectiveValues.sources); undefined for the root or an absent path. */
  origin?: Origin;
  /** The paths at or below `path` whose value holds a secret (as in EffectiveValues.secretPaths). */
  secretPaths: string[];
}

/** The effective value at `path` from the same input as computeEffective. */
export function effectiveAtInput(input: EffectiveInput, path: readonly PathSegment[]): EffectiveAt {
  const layers: { parsed: ParsedValues; layer: number }[] = [];
  if (input.chart) layers.push({ parsed: input.chart, layer: -1 });
  input.layers.forEach((parsed, layer) => {
    if (parsed) layers.push({ parsed, layer });
  });
  const cut = layers.map(({ parsed, layer }) => ({ file: parsed.file, layer, value: spine(parsed.value, path, 0) as PlainMap, origins: NO_ORIGINS, problems: [] }));
  const merged = valueAt(mergeValues(cut), path);
  const bound = input.layers.some((l) => l !== undefined);
  if (merged === undefined) return { bound, value: undefined, secretPaths: [] };
  const substituted = substituteNode(merged, path, input.variables, input.context);
  const out: EffectiveAt = { bound, value: substituted.value, secretPaths: substituted.secretPaths };
  if (path.length > 0) {
    // The last layer that has the path set it (see originsOf); origins are looked up, never listed.
    const dotted = formatPath(path);
    for (let i = layers.length - 1; i >= 0; i--) {
      const { parsed, layer } = layers[i] as (typeof layers)[number];
      const origin = parsed.origins.get(dotted);
      if (origin) {
        out.origin = origin.layer === layer ? origin : { ...origin, layer };
        break;
      }
    }
  }
  return out;
}

/**
 * The inputs of the effective values of (workload, environment, tenant; default the first
 * tenant), read from the index as ProjectIndex.effective reads them. Throws for unknown names.
 */
export function effectiveInputOf(index: ProjectIndex, slug: string, workload: string, environment: string, tenant?: string): EffectiveInput {
  const project = findProject(index, slug);
  const wl = findWorkload(project, workload);
  findEnvironment(project, environment);
  const t = findTenant(project, tenant);
  const layers = new Array<ParsedValues | undefined>(wl.values.length).fill(undefined);
  for (const { file, layer } of layerEntries(project, wl, environment, t)) layers[layer] = index.parsedValues(file);
  return {
    chart: index.parsedValues(chartValuesFile(project, wl)),
    layers,
    variables: index.variables(slug),
    context: { environment, tenant: t, workload },
  };
}

/** The effective value at `path` of (workload, environment, tenant): what `index.effective(...)` holds there. */
export function effectiveAt(index: ProjectIndex, slug: string, workload: string, environment: string, tenant: string | undefined, path: readonly PathSegment[]): EffectiveAt {
  return effectiveAtInput(effectiveInputOf(index, slug, workload, environment, tenant), path);
}

const NO_ORIGINS = new Map<string, Origin>();

/** `node` with only the path's keys in the maps down to the path (lists and scalars are replaced whole by a merge: kept). */
function spine(node: unknown, path: readonly PathSegment[], depth: number): unknown {
  if (depth === path.length || !isPlainMap(node)) return node;
  const segment = path[depth];
  const out: PlainMap = {};
  if (typeof segment === 'string' && Object.hasOwn(node, segment)) setKey(out, segment, spine(node[segment], path, depth + 1));
  return out;
}

