// Scaffolding a gitopshq.yaml from a folder's existing layout. Pure: it works on the list of file
// paths only, and renders text. The "Initialize Project" command does the I/O.
import { NAME_PATTERN } from './manifest';
import type { KubeKind } from '../types';

export interface InferredChart {
  /** The workload name: the chart folder's name (slugified when it is not a valid name). */
  name: string;
  /** Folder holding Chart.yaml, relative to the project root ('.' for a chart at the root). */
  path: string;
  /** Guessed from the chart's template file names (statefulset.yaml, daemonset.yaml); Deployment otherwise. */
  kind: KubeKind;
}

export interface InferredWorkload {
  name: string;
  /** Chart folder; a guess (`charts/<name>`) when `chartFound` is false. */
  chart: string;
  chartFound: boolean;
  /** Layer templates, lowest first. */
  values: string[];
  kind: KubeKind;
}

export interface Inference {
  charts: InferredChart[];
  /** In promotion order. */
  environments: string[];
  /** Alphabetical. */
  tenants: string[];
  workloads: InferredWorkload[];
  /** Every layer template seen, lowest first. */
  layers: string[];
  /** What was seen but left out (invalid names...), for the log. */
  notes: string[];
}

export interface InferOptions {
  /** Name for a chart whose Chart.yaml sits at the root itself (usually the folder's name). */
  rootName?: string;
}

/** Folder names under a values root that hold layers shared by every environment. */
const BASE_FOLDERS = new Set(['base', 'common', 'shared', 'global', 'defaults']);
/** Top-level folders that hold per-environment values (`<root>/<env>/<workload>.yaml`). */
const VALUES_ROOTS = ['values', 'environments', 'envs', 'env'];

/** Known promotion order; names of one rank sort alphabetically, unknown names come last. */
const PROMOTION_RANK: Record<string, number> = {
  local: 0,
  sandbox: 0,
  dev: 1,
  develop: 1,
  development: 1,
  int: 2,
  integration: 2,
  test: 2,
  testing: 2,
  qa: 3,
  staging: 4,
  stage: 4,
  stg: 4,
  uat: 4,
  preprod: 5,
  'pre-prod': 5,
  preproduction: 5,
  prod: 6,
  production: 6,
  prd: 6,
  live: 6,
};

/** Sorts environment names by the usual promotion order (dev → test → qa → staging → preprod → prod), unknown names last, alphabetically. */
export function sortEnvironments(names: Iterable<string>): string[] {
  const rank = (n: string) => PROMOTION_RANK[n] ?? Number.MAX_SAFE_INTEGER;
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Whether an environment name looks production-like (gets the approval-gate suggestion). */
export function isProductionLike(name: string): boolean {
  return (PROMOTION_RANK[name] ?? -1) >= 5;
}

/** A valid slug / name from any display name: `Payment Service` → `payment-service`. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
  return slug || 'project';
}

const YAML_EXT = /\.ya?ml$/;

interface LayerHit {
  /** Template with `@W@` standing for the workload part of the path. */
  template: string;
  /** The workload part of the path as it appears in the file name. */
  stem: string;
  env?: string;
  tenant?: string;
  /** Sort key: base layers first, then environment, then tenant layers. */
  level: number;
}

/**
 * Infers charts, environments, tenants, workloads and value layers from a folder's files
 * (folder-relative posix paths, node_modules and .git excluded).
 */
export function inferLayout(files: readonly string[], options: InferOptions = {}): Inference {
  const notes: string[] = [];
  const paths = [...new Set(files.map((f) => f.replace(/\\/g, '/').replace(/^\.\//, '')))].sort();

  // Charts: folders holding Chart.yaml, minus sub-charts vendored inside another chart.
  const chartDirs = paths
    .filter((p) => p === 'Chart.yaml' || p.endsWith('/Chart.yaml'))
    .map((p) => (p === 'Chart.yaml' ? '.' : p.slice(0, -'/Chart.yaml'.length)))
    .sort((a, b) => a.length - b.length);
  const charts: InferredChart[] = [];
  const chartByStem = new Map<string, InferredChart>();
  for (const dir of chartDirs) {
    if (charts.some((c) => c.path === '.' || dir.startsWith(`${c.path}/`))) continue; // a dependency of another chart
    const folderName = dir === '.' ? options.rootName : dir.slice(dir.lastIndexOf('/') + 1);
    if (!folderName) {
      notes.push('A Chart.yaml at the root was skipped: no name for it.');
      continue;
    }
    const name = NAME_PATTERN.test(folderName) ? folderName : slugify(folderName);
    if (charts.some((c) => c.name === name)) {
      notes.push(`Chart ${dir} was skipped: another chart is already named "${name}".`);
      continue;
    }
    const chart: InferredChart = { name, path: dir, kind: guessKind(paths, dir) };
    charts.push(chart);
    chartByStem.set(folderName, chart);
  }
  charts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  // Value layers.
  const hits: LayerHit[] = [];
  const tenantCandidates: LayerHit[] = [];
  for (const p of paths) {
    if (!YAML_EXT.test(p)) continue;
    const parts = p.split('/');
    const ext = YAML_EXT.exec(p)?.[0] ?? '.yaml';
    const root = parts[0] ?? '';
    if (VALUES_ROOTS.includes(root) && parts.length >= 3 && parts.length <= 4) {
      const env = parts[1] ?? '';
      const file = parts[parts.length - 1] ?? '';
      const stem = file.slice(0, -ext.length);
      if (parts.length === 3) {
        if (BASE_FOLDERS.has(env)) {
          hits.push({ template: `${root}/${env}/@W@${ext}`, stem, level: 0 });
        } else {
          hits.push({ template: `${root}/{env}/@W@${ext}`, stem, env, level: 1 });
        }
      } else if (!BASE_FOLDERS.has(env)) {
        tenantCandidates.push({ template: `${root}/{env}/{tenant}/@W@${ext}`, stem, env, tenant: parts[2] ?? '', level: 2 });
      }
      continue;
    }
    // `<dir>/values-<env>.yaml`, in a chart folder or a workload folder.
    const file = parts[parts.length - 1] ?? '';
    const m = /^values-([^./]+)\.ya?ml$/.exec(file);
    if (!m) continue;
    const env = m[1] ?? '';
    const dir = parts.slice(0, -1).join('/') || '.';
    const chart = charts.find((c) => c.path === dir);
    if (chart || parts.length === 2 || (parts.length === 3 && parts[0] === 'charts')) {
      const folder = dir === '.' ? options.rootName ?? '' : (parts[parts.length - 2] ?? '');
      if (!folder) continue;
      const parent = parts.slice(0, -2).join('/');
      const template = dir === '.' ? `values-{env}${ext}` : `${parent ? `${parent}/` : ''}@W@/values-{env}${ext}`;
      hits.push({ template, stem: folder, env, level: 1 });
    }
  }

  // Tenant files count only for known workloads (else `values/dev/web/config.yaml` would make a tenant "web").
  const known = new Set<string>([...chartByStem.keys(), ...hits.map((h) => h.stem)]);
  for (const hit of tenantCandidates) {
    if (known.size === 0 || known.has(hit.stem)) hits.push(hit);
  }

  // Environments and tenants, keeping only valid names.
  const envNames = new Set<string>();
  const tenantNames = new Set<string>();
  const invalid = new Set<string>();
  const usable = hits.filter((h) => {
    if (h.env !== undefined && !NAME_PATTERN.test(h.env)) {
      invalid.add(`environment "${h.env}"`);
      return false;
    }
    if (h.tenant !== undefined && !NAME_PATTERN.test(h.tenant)) {
      invalid.add(`tenant "${h.tenant}"`);
      return false;
    }
    if (h.env !== undefined) envNames.add(h.env);
    if (h.tenant !== undefined) tenantNames.add(h.tenant);
    return true;
  });
  for (const what of invalid) notes.push(`Skipped ${what}: names must match ${NAME_PATTERN.source}.`);

  // Workloads: charts ∪ workload names seen in values.
  const byName = new Map<string, { stem: string; chart?: InferredChart }>();
  for (const chart of charts) byName.set(chart.name, { stem: stemOf(chart, chartByStem), chart });
  for (const hit of usable) {
    if (chartByStem.has(hit.stem)) continue;
    if (!NAME_PATTERN.test(hit.stem)) {
      if (!invalid.has(`workload "${hit.stem}"`)) notes.push(`Skipped workload "${hit.stem}": names must match ${NAME_PATTERN.source}.`);
      invalid.add(`workload "${hit.stem}"`);
      continue;
    }
    if (!byName.has(hit.stem)) byName.set(hit.stem, { stem: hit.stem });
  }

  const allTemplates = orderTemplates(usable);
  const layers = allTemplates.map((t) => t.replace(/@W@/g, '{workload}'));
  const chartParent = commonChartParent(charts);
  const workloads: InferredWorkload[] = [];
  for (const [name, { stem, chart }] of byName) {
    const own = orderTemplates(usable.filter((h) => h.stem === stem));
    const templates = own.length > 0 ? own : allTemplates.length > 0 ? allTemplates : ['values/{env}/@W@.yaml'];
    const token = stem === name ? '{workload}' : stem;
    workloads.push({
      name,
      chart: chart?.path ?? `${chartParent}${name}`,
      chartFound: chart !== undefined,
      values: templates.map((t) => t.replace(/@W@/g, token)),
      kind: chart?.kind ?? 'Deployment',
    });
    if (!chart) notes.push(`No Chart.yaml found for workload "${name}": its chart path is a guess.`);
  }
  workloads.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  return {
    charts,
    environments: sortEnvironments(envNames),
    tenants: [...tenantNames].sort(),
    workloads,
    layers,
    notes,
  };
}

function stemOf(chart: InferredChart, chartByStem: Map<string, InferredChart>): string {
  for (const [stem, c] of chartByStem) if (c === chart) return stem;
  return chart.name;
}

/** Distinct templates, lowest layer first (base, environment, tenant), in first-seen order within a level. */
function orderTemplates(hits: LayerHit[]): string[] {
  const byLevel = new Map<string, number>();
  for (const h of hits) if (!byLevel.has(h.template)) byLevel.set(h.template, h.level);
  return [...byLevel].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([t]) => t);
}

/** `charts/` when every chart lives there (the guess for workloads whose chart was not found). */
function commonChartParent(charts: InferredChart[]): string {
  const parents = new Set(charts.map((c) => (c.path.includes('/') ? c.path.slice(0, c.path.lastIndexOf('/') + 1) : '')));
  const only = parents.size === 1 ? [...parents][0] : undefined;
  return only !== undefined && only !== '' ? only : 'charts/';
}

function guessKind(paths: string[], chartDir: string): KubeKind {
  const prefix = chartDir === '.' ? 'templates/' : `${chartDir}/templates/`;
  const names = paths.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).toLowerCase());
  const has = (word: string) => names.some((n) => n.includes(word));
  if (has('deployment')) return 'Deployment';
  if (has('statefulset')) return 'StatefulSet';
  if (has('daemonset')) return 'DaemonSet';
  return 'Deployment';
}

// ---------------------------------------------------------------------------------------------
// Rendering

export interface ManifestInput {
  name: string;
  slug: string;
  environments: string[];
  tenants: string[];
  workloads: { name: string; chart: string; values: string[]; kind?: KubeKind; chartFound?: boolean }[];
}

/** Renders a valid, commented gitopshq.yaml. */
export function buildManifest(input: ManifestInput): string {
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  const envs = input.environments.length > 0 ? input.environments : ['dev'];

  push(
    '# GitOpsHQ project manifest. Created by "GitOpsHQ: Initialize Project" from this folder\'s layout:',
    '# review it, then commit it. Paths are relative to this folder.',
    'apiVersion: gitopshq.io/v1alpha1',
    'kind: Project',
    'metadata:',
    `  name: ${scalar(input.name)}`,
    `  slug: ${scalar(input.slug)}`,
    'spec:',
    '  # The order is the promotion order: releases move through the environments top to bottom.',
    '  environments:',
  );
  envs.forEach((env, i) => {
    push(`    - name: ${scalar(env)}`);
    if (i === 0) push('      # The cluster the runtime status comes from (kubeconfig context and namespace):');
    push(
      '      # cluster:',
      `      #   context: ${env === 'dev' ? 'kind-dev' : `my-${env}-cluster`}`,
      `      #   namespace: ${input.slug}`,
      '      approval:',
      `        required: 0${i === 0 ? '                      # 0 = no gate: releases start as drafts' : ''}`,
    );
    if (isProductionLike(env) || (env === envs[envs.length - 1] && envs.length > 1)) {
      push(
        '        # To gate releases here, set `required` to the number of approvals needed and list who may approve:',
        '        #   required: 1',
        '        #   approvers: ["team:sre", "lead@example.com"]   # emails, or "team:<name>" from `teams`',
      );
    }
  });
  push('');
  if (input.tenants.length > 0) {
    push(`  tenants: [${input.tenants.map(scalar).join(', ')}]`);
  } else {
    push('  # Tenants (customers, regions...) that each get their own values layer; absent = one tenant `default`:', '  # tenants: [acme, globex]');
  }
  push(
    '',
    '  # Teams, named in approvers as "team:<name>":',
    '  # teams:',
    '  #   sre: [sam@example.com]',
    '',
    '  # HQ Variables ({{ hq.var.KEY }} in values files) live in this file (this is the default):',
    '  # variables: .gitopshq/variables.yaml',
    '',
  );
  if (input.workloads.length === 0) {
    push(
      '  # No Helm chart was found. Declare each workload with its chart folder and its values layers:',
      '  # workloads:',
      '  #   - name: web',
      '  #     chart: charts/web                  # folder with Chart.yaml and values.yaml',
      '  #     values:                            # layers, lowest first; later layers override earlier ones',
      '  #       - values/base/{workload}.yaml',
      '  #       - values/{env}/{workload}.yaml',
      '  #     kube:',
      '  #       kind: Deployment                 # Deployment | StatefulSet | DaemonSet',
      '  workloads: []',
    );
  } else {
    push('  workloads:');
    input.workloads.forEach((w, i) => {
      if (i > 0) push('');
      push(`    - name: ${scalar(w.name)}`);
      push(`      chart: ${scalar(w.chart)}${w.chartFound === false ? '   # TODO: no Chart.yaml was found: point this at the chart folder' : ''}`);
      // The schema wants at least one layer: a chart without values files gets the usual one.
      const layers = w.values.length > 0 ? w.values : ['values/{env}/{workload}.yaml'];
      push('      values:                             # layers, lowest first; later layers override earlier ones');
      for (const v of layers) push(`        - ${scalar(v)}`);
      const kind = w.kind ?? 'Deployment';
      push('      kube:', `        kind: ${kind.padEnd(25)}# Deployment | StatefulSet | DaemonSet; name and selector default to the workload name`);
    });
  }
  return `${out.join('\n')}\n`;
}

/** A YAML scalar: plain when that is unambiguous, else a JSON (= YAML double-quoted) string. */
function scalar(value: string): string {
  const plain =
    /^[A-Za-z0-9_./-][A-Za-z0-9_./{} -]*$/.test(value) &&
    !/\s$/.test(value) &&
    !/ #|: /.test(value) &&
    !/^(true|false|yes|no|on|off|y|n|null|~)$/i.test(value) &&
    !/^[-+]?(\.?\d|\.(inf|nan))/i.test(value) &&
    !/^-( |$)/.test(value);
  return plain ? value : JSON.stringify(value);
}
