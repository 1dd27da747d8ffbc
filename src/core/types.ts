// The domain types shared by core, infra and the editor adapters. Plain data, no `vscode`.
// Positions are 0-based (line, character), like the editor's; the public API converts to 1-based.

export interface Position {
  line: number;
  character: number;
}

export interface Span {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** A problem found in a file, published as a diagnostic with source `gitopshq`. */
export interface Problem {
  /** Absolute path of the file the problem is in. */
  file: string;
  span: Span;
  severity: Severity;
  /** Stable code, e.g. `manifest-schema`, `unknown-environment`, `duplicate-name`, `path-escape`, `missing-chart`. */
  code: string;
  message: string;
}

/** Where a value came from. `layer` is -1 for the chart's values.yaml, else the index in the workload's `values` list. */
export interface Origin {
  file: string;
  line: number;
  character: number;
  layer: number;
}

export interface Approval {
  required: number;
  approvers: string[];
  requesterCanApprove: boolean;
}

export interface Freeze {
  reason: string;
  until?: string;
}

export interface Environment {
  name: string;
  cluster?: { context?: string; namespace?: string };
  approval: Approval;
  freeze?: Freeze;
}

export type KubeKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface Workload {
  name: string;
  /** Chart folder, relative to the project root as written in the manifest. */
  chart: string;
  /** Layer path templates, lowest first, with `{env}`, `{tenant}`, `{workload}` tokens. */
  values: string[];
  kube: { kind: KubeKind; name: string; selector: Record<string, string> };
}

export interface Project {
  /** Absolute path of the folder that holds gitopshq.yaml. */
  root: string;
  manifestPath: string;
  name: string;
  slug: string;
  environments: Environment[];
  /** Declared tenants, or `['default']` when the manifest has none. */
  tenants: string[];
  /** True when the manifest lists tenants (the tree then shows Environment → Tenant). */
  tenantsDeclared: boolean;
  teams: Record<string, string[]>;
  /** Absolute path of the variables file (default `.gitopshq/variables.yaml`). */
  variablesPath: string;
  workloads: Workload[];
}

export type Scalar = string | number | boolean | null;

export type VariableScope = 'repo' | 'env' | 'tenant' | 'svc';

export interface VariableDef {
  key: string;
  scope: VariableScope;
  /** Absent for a secret supplied at delivery. */
  value?: Scalar;
  secret: boolean;
  description?: string;
  /** The key's position in the variables file. */
  origin: Origin;
  /** For scoped definitions: which environment / tenant / workload the definition belongs to. */
  environment?: string;
  tenant?: string;
  workload?: string;
}

/** What a variable resolves to for one (tenant, environment, workload). */
export interface Resolution {
  defined: boolean;
  /** Omitted for secrets. */
  value?: Scalar;
  secret: boolean;
  scope?: VariableScope;
  def?: VariableDef;
}

export { SECRET_MASK } from './secrets/mask';

/** The tip of a deployed branch `gitopshq/deployed/<tenant>/<env>`. */
export interface DeployedCommit {
  branch: string;
  sha: string;
  shortSha: string;
  authorName: string;
  authorEmail: string;
  date: Date;
  subject: string;
}

/** What is known about one (tenant, environment) from Git. */
export type DeployState =
  | { kind: 'no-git' }
  | { kind: 'never-deployed' }
  | { kind: 'deployed'; deployed: DeployedCommit; drift: string[] }
  | { kind: 'error'; message: string };
