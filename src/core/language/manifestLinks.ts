// Document links on the file paths of gitopshq.yaml (spec §1): `chart:` opens the chart's
// Chart.yaml (or its values.yaml), `variables:` the variables file, and each `values` layer its
// file, or for a template with {env} / {tenant} / {workload} tokens the first file it expands to that
// exists. Two steps, so that the adapter can check existence however it likes: manifestLinkSpecs
// reads the manifest's YAML nodes into candidates, resolveManifestLinks picks the targets.
import * as path from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { expandLayer } from '../values/layers';
import { pathEscapeMessage } from '../model/manifest';
import { parseYaml } from '../yaml/yamlSource';

export type ManifestLinkField = 'chart' | 'variables' | 'values';

export interface ManifestLinkSpec {
  field: ManifestLinkField;
  /** Offsets of the path as written (inside its quotes). */
  start: number;
  end: number;
  written: string;
  /** Absolute paths, in preference order. */
  candidates: string[];
  /** A values template with tokens: candidates are its expansions, and only an existing one is linked. */
  templated: boolean;
}

export interface ManifestLink {
  start: number;
  end: number;
  target: string;
  tooltip: string;
}

const TOKENS = /\{(env|tenant|workload)\}/;

/** The paths of a manifest that can be links, with their candidate targets. Empty for a manifest that does not parse. */
export function manifestLinkSpecs(text: string, root: string): ManifestLinkSpec[] {
  const { doc } = parseYaml(text, path.join(root, 'gitopshq.yaml'));
  const spec = child(doc.contents ?? undefined, 'spec');
  if (!isMap(spec)) return [];
  const out: ManifestLinkSpec[] = [];
  const environments = names(child(spec, 'environments'));
  const tenantsNode = child(spec, 'tenants');
  const tenants = isSeq(tenantsNode) ? tenantsNode.items.flatMap((t) => (isScalar(t) && typeof t.value === 'string' ? [t.value] : [])) : ['default'];

  const add = (field: ManifestLinkField, node: unknown, candidates: (written: string) => string[], templated = false) => {
    const at = pathScalar(text, node);
    if (!at || pathEscapeMessage(at.written, field, root) !== undefined) return;
    const inside = candidates(at.written).filter((file) => isInside(root, file));
    if (inside.length > 0) out.push({ field, ...at, candidates: inside, templated });
  };

  add('variables', child(spec, 'variables'), (w) => [path.join(root, w)]);
  const workloads = child(spec, 'workloads');
  if (!isSeq(workloads)) return sorted(out);
  for (const workload of workloads.items) {
    if (!isMap(workload)) continue;
    const nameNode = child(workload, 'name');
    const name = isScalar(nameNode) && typeof nameNode.value === 'string' ? nameNode.value : undefined;
    add('chart', child(workload, 'chart'), (w) => [path.join(root, w, 'Chart.yaml'), path.join(root, w, 'values.yaml')]);
    const values = child(workload, 'values');
    for (const layer of isSeq(values) ? values.items : [values]) {
      const written = pathScalar(text, layer)?.written;
      if (written === undefined) continue;
      if (!TOKENS.test(written)) {
        add('values', layer, (w) => [path.join(root, w)]);
      } else if (name !== undefined) {
        add('values', layer, (w) => expansions(root, w, environments, tenants, name), true);
      }
    }
  }
  return sorted(out);
}

/**
 * The links of `specs`: a template links to its first expansion that exists (or none), a chart to
 * Chart.yaml or else values.yaml when one exists, any other path to its file.
 */
export function resolveManifestLinks(specs: readonly ManifestLinkSpec[], root: string, exists: (file: string) => boolean): ManifestLink[] {
  const out: ManifestLink[] = [];
  for (const spec of specs) {
    const { start, end } = spec;
    if (spec.templated) {
      const existing = spec.candidates.filter(exists);
      const target = existing[0];
      if (target === undefined) continue;
      const total = spec.candidates.length;
      const files = `${total} file${total === 1 ? '' : 's'}`;
      const tooltip = `Open ${relative(root, target)}: the first existing of the ${files} this template expands to (${existing.length} exist)`;
      out.push({ start, end, target, tooltip });
    } else if (spec.field === 'chart') {
      const target = spec.candidates.find(exists);
      if (target !== undefined) out.push({ start, end, target, tooltip: `Open the chart's ${path.basename(target)}` });
    } else {
      const target = spec.candidates[0] as string;
      out.push({ start, end, target, tooltip: spec.field === 'variables' ? 'Open the variables file' : `Open ${relative(root, target)}` });
    }
  }
  return out;
}

/** The expansions of a layer template for one workload: environments, then tenants, in manifest order, each once. */
function expansions(root: string, template: string, environments: readonly string[], tenants: readonly string[], workload: string): string[] {
  const files = new Set<string>();
  for (const environment of environments) {
    for (const tenant of tenants) files.add(path.join(root, expandLayer(template, { environment, tenant, workload })));
  }
  return [...files];
}

function relative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

function child(node: unknown, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (isScalar(pair.key) && pair.key.value === key) return (pair.value ?? undefined) as Node | undefined;
  }
  return undefined;
}

function names(node: unknown): string[] {
  if (!isSeq(node)) return [];
  return node.items.flatMap((item) => {
    const name = child(item, 'name');
    return isScalar(name) && typeof name.value === 'string' ? [name.value] : [];
  });
}

/** A non-empty string scalar and the offsets of its text without quotes. */
function pathScalar(text: string, node: unknown): { start: number; end: number; written: string } | undefined {
  if (!isScalar(node) || typeof node.value !== 'string' || node.value === '' || !node.range) return undefined;
  let [start, end] = node.range;
  const quote = text.charAt(start);
  if ((quote === '"' || quote === "'") && text.charAt(end - 1) === quote) {
    start++;
    end--;
  }
  return { start, end, written: node.value };
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function sorted(links: ManifestLinkSpec[]): ManifestLinkSpec[] {
  return links.sort((a, b) => a.start - b.start);
}
