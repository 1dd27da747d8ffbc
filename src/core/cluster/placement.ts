// Where a workload runs (spec §5 "Where a workload runs"): the kubeconfig context and namespace of
// its environment with `{tenant}` filled in, unless the user's `gitopshq.clusters` setting
// overrides them, and the object (kind, name) and pod selector to look for there.
import { NAMESPACE_PATTERN } from '../model/manifest';
import type { Environment, KubeKind, Workload } from '../types';
import { TENANT_LABEL, type Labels } from './kubeTypes';
import { matchesLabels } from './labels';

export const TENANT_TOKEN = '{tenant}';

/** One entry of the `gitopshq.clusters` setting; both fields may contain `{tenant}`. */
export interface ClusterOverride {
  context?: string;
  namespace?: string;
}

/** The `gitopshq.clusters` setting, keyed `<project slug>/<environment>`. */
export type ClusterOverrides = Readonly<Record<string, ClusterOverride>>;

export interface EnvironmentPlacement {
  /** Absent when neither the manifest nor the user names one: the kubeconfig's current context applies. */
  context?: string;
  /** Absent when neither names one: the context's namespace applies, else `default`. */
  namespace?: string;
  /** Which of context/namespace came from the user setting rather than the manifest (for tooltips). */
  overridden: { context: boolean; namespace: boolean };
}

export interface WorkloadTarget extends EnvironmentPlacement {
  tenant: string;
  kind: KubeKind;
  name: string;
  /** The pods of the workload carry all these labels. */
  selector: Labels;
}

export function substituteTenant(template: string, tenant: string): string {
  return template.split(TENANT_TOKEN).join(tenant);
}

export function overrideKey(project: string, environment: string): string {
  return `${project}/${environment}`;
}

/**
 * The context and namespace of one (project, environment, tenant). A field of the override wins
 * over the manifest's field of the same name; an empty string in the override counts as absent.
 */
export function environmentPlacement(
  project: string,
  environment: Pick<Environment, 'name' | 'cluster'>,
  tenant: string,
  overrides: ClusterOverrides = {},
): EnvironmentPlacement {
  const override = overrides[overrideKey(project, environment.name)];
  const pick = (field: 'context' | 'namespace') => {
    const fromUser = override?.[field];
    if (fromUser) return { value: substituteTenant(fromUser, tenant), overridden: true };
    const fromManifest = environment.cluster?.[field];
    return { value: fromManifest ? substituteTenant(fromManifest, tenant) : undefined, overridden: false };
  };
  const context = pick('context');
  const namespace = pick('namespace');
  const placement: EnvironmentPlacement = { overridden: { context: context.overridden, namespace: namespace.overridden } };
  if (context.value !== undefined) placement.context = context.value;
  if (namespace.value !== undefined) placement.namespace = namespace.value;
  return placement;
}

export function workloadTarget(
  project: string,
  environment: Pick<Environment, 'name' | 'cluster'>,
  tenant: string,
  workload: Pick<Workload, 'kube'>,
  overrides: ClusterOverrides = {},
): WorkloadTarget {
  return {
    ...environmentPlacement(project, environment, tenant, overrides),
    tenant,
    kind: workload.kube.kind,
    name: workload.kube.name,
    selector: { ...workload.kube.selector },
  };
}

/**
 * The tenants of `tenants` whose placement in this environment is the same (context, namespace) as
 * `tenant`'s, `tenant` included. More than one means their workloads share a namespace.
 */
export function tenantsSharingNamespace(
  project: string,
  environment: Pick<Environment, 'name' | 'cluster'>,
  tenant: string,
  tenants: readonly string[],
  overrides: ClusterOverrides = {},
): string[] {
  const where = (t: string) => {
    const p = environmentPlacement(project, environment, t, overrides);
    return `${p.context ?? ''}\u0000${p.namespace ?? ''}`;
  };
  const mine = where(tenant);
  return tenants.filter((t) => t === tenant || where(t) === mine);
}

/**
 * The selector narrowed to one tenant's pods when tenants share the namespace: only when the
 * pods do carry `gitopshq.io/tenant` (charts that do not stamp it keep the plain selector, and
 * show every tenant's pods, rather than none).
 */
export function tenantSelector(selector: Labels, tenant: string, sharedNamespace: boolean, podLabels: Iterable<Labels | undefined>): Labels {
  if (!sharedNamespace) return selector;
  for (const labels of podLabels) {
    if (labels && TENANT_LABEL in labels && matchesLabels(labels, selector)) return { ...selector, [TENANT_LABEL]: tenant };
  }
  return selector;
}

export interface OverridesResult {
  overrides: Record<string, ClusterOverride>;
  /** One sentence per entry that was left out, naming it and why. */
  problems: string[];
}

/**
 * Reads the `gitopshq.clusters` setting as the user wrote it. A bad entry is left out with a problem
 * naming it; the good ones still apply.
 */
export function parseClusterOverrides(setting: unknown): OverridesResult {
  const result: OverridesResult = { overrides: {}, problems: [] };
  if (setting === undefined || setting === null) return result;
  if (typeof setting !== 'object' || Array.isArray(setting)) {
    result.problems.push('gitopshq.clusters must be an object like { "<project>/<environment>": { "context": "...", "namespace": "..." } }; it is ignored.');
    return result;
  }
  for (const [key, value] of Object.entries(setting as Record<string, unknown>)) {
    const why = entryProblem(key, value);
    if (why) {
      result.problems.push(`gitopshq.clusters["${key}"] is ignored: ${why}`);
      continue;
    }
    const entry = value as Record<string, unknown>;
    const override: ClusterOverride = {};
    if (typeof entry.context === 'string' && entry.context !== '') override.context = entry.context;
    if (typeof entry.namespace === 'string' && entry.namespace !== '') override.namespace = entry.namespace;
    result.overrides[key] = override;
  }
  return result;
}

function entryProblem(key: string, value: unknown): string | undefined {
  if (!/^[^/]+\/[^/]+$/.test(key)) return 'the key must be "<project>/<environment>", e.g. "shop/staging".';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the value must be an object with "context" and/or "namespace".';
  for (const field of Object.keys(value)) {
    if (field !== 'context' && field !== 'namespace') return `unknown field "${field}" (use "context" and "namespace").`;
  }
  const { context, namespace } = value as Record<string, unknown>;
  if (context !== undefined && typeof context !== 'string') return '"context" must be a string.';
  if (namespace !== undefined && typeof namespace !== 'string') return '"namespace" must be a string.';
  if (typeof namespace === 'string' && namespace !== '' && !NAMESPACE_PATTERN.test(namespace)) {
    return `"${namespace}" is not a namespace: use lowercase letters, digits and "-"; {tenant} may stand for the tenant's name.`;
  }
  return undefined;
}

/** Where to look: a context of the kubeconfig (absent: its current context) and a namespace (absent: the context's, else `default`). */
export interface ScopeRequest {
  context?: string;
  namespace?: string;
}
