// Which files hold a workload's values (spec §1): the chart's values.yaml, then the `values` layer
// templates expanded for one (environment, tenant, workload), relative to the project root.
import * as path from 'node:path';
import type { Project, Workload } from '../types';

export interface LayerFile {
  /** Absolute path. */
  file: string;
  /** Index of the template in the workload's `values` list. */
  layer: number;
}

/** `values/{env}/{tenant}/{workload}.yaml` → `values/dev/acme/payment-api.yaml`. */
export function expandLayer(template: string, tokens: { environment: string; tenant: string; workload: string }): string {
  return template.replace(/\{(env|tenant|workload)\}/g, (_, token: string) =>
    token === 'env' ? tokens.environment : token === 'tenant' ? tokens.tenant : tokens.workload,
  );
}

/**
 * The layers of (workload, environment, tenant), lowest first, as absolute paths with their
 * template index. Two templates that expand to the same file count once, at the first.
 */
export function layerEntries(project: Project, workload: Workload, environment: string, tenant: string): LayerFile[] {
  const tokens = { environment, tenant, workload: workload.name };
  const plain = isPlainName(environment) && isPlainName(tenant) && isPlainName(workload.name);
  const out: LayerFile[] = [];
  for (let layer = 0; layer < workload.values.length; layer++) {
    const template = workload.values[layer] as string;
    // Names are single path segments, so the joined template can be expanded as text (and is
    // cached); anything else goes through path.join.
    const file = plain ? expandParts(joinedParts(project.root, template), tokens) : path.join(project.root, expandLayer(template, tokens));
    if (!out.some((l) => l.file === file)) out.push({ file, layer });
  }
  return out;
}

/** A name that cannot change a path's shape: no separator, not `.` or `..`. */
function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\');
}

const TOKEN = /\{(env|tenant|workload)\}/;
const partsCache = new Map<string, string[]>();

/** `path.join(root, template)` split at its tokens: odd indexes are token names. */
function joinedParts(root: string, template: string): string[] {
  const key = `${root}\u0000${template}`;
  let parts = partsCache.get(key);
  if (!parts) {
    parts = path.join(root, template).split(TOKEN);
    if (partsCache.size > 10_000) partsCache.clear();
    partsCache.set(key, parts);
  }
  return parts;
}

function expandParts(parts: readonly string[], tokens: { environment: string; tenant: string; workload: string }): string {
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    const token = parts[i];
    out += (token === 'env' ? tokens.environment : token === 'tenant' ? tokens.tenant : tokens.workload) + (parts[i + 1] as string);
  }
  return out;
}

/** Absolute paths of the layer files of (workload, environment, tenant), lowest first, whether they exist or not. */
export function layerFiles(project: Project, workload: Workload, environment: string, tenant: string): string[] {
  return layerEntries(project, workload, environment, tenant).map((l) => l.file);
}

/** Absolute path of the chart's values.yaml (the defaults, layer -1). */
export function chartValuesFile(project: Project, workload: Workload): string {
  return path.join(project.root, workload.chart, 'values.yaml');
}

/** Absolute path of the chart's values.schema.json (may not exist). */
export function chartSchemaFile(project: Project, workload: Workload): string {
  return path.join(project.root, workload.chart, 'values.schema.json');
}
