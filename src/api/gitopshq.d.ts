/**
 * The public API of the GitOpsHQ extension (`gitopshq.gitopshq-vscode`), version 1.
 *
 *   const api = await vscode.extensions.getExtension<GitOpsHqApi>('gitopshq.gitopshq-vscode')!.activate();
 *
 * Copy this file into your extension to type it. Stable: fields are only added, never changed.
 * Lines are 1-based. Secret values are never returned.
 */
export interface GitOpsHqApi {
  readonly version: 1;

  /** Every valid project in the workspace (broken manifests are left out; see the Problems view). */
  projects(): ApiProject[];

  /** What `{{hq.var.KEY}}` resolves to for an environment (and tenant, workload), by scope precedence. */
  resolveVariable(
    projectSlug: string,
    key: string,
    context: { environment: string; tenant?: string; workload?: string },
  ): ApiResolution;

  /** The effective values of a workload in an environment (and tenant), after merging layers and substituting variables. */
  effectiveValues(projectSlug: string, workload: string, environment: string, tenant?: string): ApiEffectiveValues;
}

export interface ApiProject {
  slug: string;
  name: string;
  /** Absolute file-system path of the folder that holds gitopshq.yaml. */
  root: string;
  /** In promotion order. */
  environments: string[];
  /** `['default']` when the manifest declares none. */
  tenants: string[];
  workloads: string[];
}

export interface ApiResolution {
  defined: boolean;
  /** Omitted for secrets and undefined variables. */
  value?: string | number | boolean | null;
  scope?: 'repo' | 'env' | 'tenant' | 'svc';
  secret: boolean;
  source?: ApiSource;
}

export interface ApiSource {
  /** Absolute file-system path. */
  file: string;
  /** 1-based. */
  line: number;
}

export interface ApiEffectiveValues {
  /** Plain JSON; secret values appear as `••••••`. */
  values: unknown;
  /** Dotted path (`a.b[0].c`, keys with dots as `a["x.y"]`) → the file and line that set it. */
  sources: Record<string, ApiSource>;
  /** Placeholders that did not resolve, as written (e.g. `{{hq.var.MISSING}}`). */
  unresolved: string[];
}
