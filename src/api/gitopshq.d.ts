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

  /**
   * Compares two environments of a project (for one tenant, default the first), workload by
   * workload: the effective values after variable substitution (`raw: true`: before it), the image
   * tags, and the findings to review before promoting (a variable undefined on one side, another
   * environment's value or name in a value, an image tag going backwards along the promotion
   * order, a workload bound in the source but not in the target).
   */
  compare(projectSlug: string, source: string, target: string, options?: { tenant?: string; raw?: boolean }): ApiCompareResult;

  /**
   * The live state of an environment's bound workloads (for one tenant, default the first) in its
   * cluster: the kubeconfig context and namespace of spec §5 (with `gitopshq.clusters` applied).
   * Answers from the shared informers' cache, starting them if needed and waiting at most 10 s for
   * their first list. A cluster problem never throws: it is the `connection` field, with a message
   * that names the context (never a credential). Throws only for an unknown project, environment or tenant.
   */
  clusterStatus(projectSlug: string, environment: string, options?: { tenant?: string }): Promise<ApiClusterStatus>;

  /**
   * The commits that touched a file (followed across renames), or a workload's files (its value layers
   * for the environment and tenant, every one when not given, its chart folder and the variables file),
   * newest first: `limit` (default 200) after `skip`. `file` is absolute.
   */
  history(
    target: { file: string } | { project: string; workload: string; environment?: string; tenant?: string },
    options?: { skip?: number; limit?: number },
  ): Promise<{ commits: ApiCommit[] }>;

  /** The last commit that changed a line (0-based) of the saved file; undefined for a line not committed yet. */
  blame(file: string, line: number): Promise<ApiCommit | undefined>;

  /**
   * The deployment timeline of a deployed release in one tenant (default: the release's first), over
   * every workload it deploys; or `{ environment, workload }`: the latest deployed release of that
   * workload there, or the workload's live rollout when there is none. Times come from the cluster's
   * objects. Waits at most 10 s for the first list; a cluster problem gives `phase: 'pending'` with
   * `connection` and `message` set. Throws for an unknown project, release, environment, workload or
   * tenant, and for a release that is not deployed.
   */
  timeline(projectSlug: string, target: { release: string; tenant?: string } | { environment: string; workload: string; tenant?: string }): Promise<ApiTimeline>;

  /**
   * The fleet: every project × environment × tenant with the colour of spec §5 (green healthy, yellow
   * warning, red action needed) and the reasons for it, worst first, as sentences. Projects by name,
   * environments in promotion order, tenants as declared. Waits for Git and the release files, and asks
   * every environment's cluster as `clusterStatus` does (at most 10 s for a first list).
   */
  fleet(): Promise<ApiFleet>;
}

export type ApiPhase = 'pending' | 'in_progress' | 'deployed' | 'healthy' | 'failed';

export interface ApiTimeline {
  /** The phase reached; with several workloads, the least advanced (Failed as soon as one failed). */
  phase: ApiPhase;
  /** A later deploy of the same (tenant, environment) replaced the release: `phase` is where it stopped. */
  superseded?: boolean;
  /** Failed: why (CrashLoopBackOff, ImagePullBackOff, ErrImagePull, CreateContainerConfigError, InvalidImageName, OOMKilled, ProgressDeadlineExceeded, Degraded). */
  reason?: string;
  pod?: string;
  container?: string;
  /** The release followed (absent: the workload's live rollout). */
  release?: string;
  tenant: string;
  connection: ApiConnection;
  message?: string;
  /** Every phase reached, in time order (RFC 3339); `detail` says what moved it. */
  phases: { phase: ApiPhase; at: string; detail: string }[];
  /** The pods of the release's workloads: the new template's, then older ones (none once Healthy). */
  pods: ApiPodStatus[];
  /** Events of the workloads, their ReplicaSets and pods, oldest first; secrets masked. */
  events: { at: string; type: string; reason: string; message: string; object: string }[];
}

export type ApiColour = 'green' | 'yellow' | 'red';

export interface ApiFleet {
  projects: ApiFleetProject[];
  /** Tiles by colour (a broken manifest counts as red). */
  summary: { green: number; yellow: number; red: number };
}

export interface ApiFleetProject {
  slug: string;
  name: string;
  /** The worst colour of its tiles. */
  colour: ApiColour;
  environments: { name: string; tenants: ApiFleetTile[] }[];
}

export interface ApiFleetTile {
  name: string;
  colour: ApiColour;
  /** Why it is not green, worst first, e.g. "checkout-web: CrashLoopBackOff (pod …)", "2 changes not deployed"; empty when green. */
  reasons: string[];
  /** The deployed branch's tip: its commit, when it was made (ISO 8601), and the release it deployed when one did. */
  deployed?: { release?: string; commit: string; at: string };
  /** Changes on main that affect this environment and tenant and are not deployed. */
  drift: number;
  pendingApprovals: number;
  /** Of the pending approvals, how many the current Git identity may give. */
  mayApprove: number;
  /** Bound workloads that are not healthy. */
  unhealthy: number;
  /** `unknown`: the cluster was not asked or has not answered yet. */
  connection: ApiConnection | 'unknown';
  /** Set while the environment refuses deploys. */
  frozen?: { reason: string; until?: string };
}

export type ApiConnection = 'connected' | 'no-context' | 'unreachable' | 'unauthorized' | 'forbidden' | 'tls' | 'exec-plugin' | 'error';

export interface ApiClusterStatus {
  connection: ApiConnection;
  context?: string;
  namespace?: string;
  /** Why the connection is not `connected`. */
  message?: string;
  /** The bound workloads (none when the cluster could not be listed). */
  workloads: ApiWorkloadStatus[];
}

export interface ApiWorkloadStatus {
  /** The workload's name in gitopshq.yaml. */
  name: string;
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  desired: number;
  ready: number;
  updated: number;
  available: number;
  /** `missing`: the object is not in the cluster; `unknown`: not listed yet. */
  health: 'healthy' | 'progressing' | 'degraded' | 'missing' | 'unknown';
  /** e.g. CrashLoopBackOff, ImagePullBackOff, ProgressDeadlineExceeded, RolloutInProgress, NotFound. */
  reason?: string;
  images: string[];
  pods: ApiPodStatus[];
}

export interface ApiPodStatus {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  reason?: string;
  containers: { name: string; image: string; ready: boolean; restarts: number; state: 'waiting' | 'running' | 'terminated' | 'unknown'; reason?: string }[];
}


export interface ApiCommit {
  sha: string;
  author: { name: string; email: string };
  /** Author date, ISO 8601. */
  date: string;
  /** Secret values are masked. */
  subject: string;
  /** The id of the release that carried the commit: the one cut from it, else one whose head contains it and changes its files. */
  release?: string;
  /** The (environment, tenant) pairs whose deployed branch holds this commit's change (or a later content) for its paths. */
  deployedIn: { environment: string; tenant: string }[];
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

export interface ApiCompareResult {
  /** Every workload of the project, in manifest order. */
  workloads: ApiWorkloadComparison[];
  /** Errors first, then warnings, then infos. */
  findings: ApiFinding[];
}

export interface ApiWorkloadComparison {
  name: string;
  /** Only the leaves that differ; equal values are absent. */
  differences: ApiDifference[];
  /** Absent on a side whose values set no image tag. */
  imageTag: { source?: string; target?: string };
}

export interface ApiDifference {
  /** Dotted path as in ApiEffectiveValues.sources: `a.b[0].c`, `podAnnotations["prometheus.io/scrape"]`. */
  path: string;
  /** Typed (`8` and `"8"` differ); absent when the key does not exist on that side; secrets as `••••••`. */
  source?: unknown;
  target?: unknown;
  /** The file and line that set the value on each side (absent where the key does not exist). */
  sourceOrigin?: ApiSource;
  targetOrigin?: ApiSource;
}

export interface ApiFinding {
  severity: 'error' | 'warning' | 'info';
  /** One line, e.g. `payment-api: production value of config.database.url contains "staging-db.internal", the staging value of DATABASE_HOST.` */
  message: string;
  workload?: string;
  path?: string;
}
