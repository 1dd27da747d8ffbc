// The fleet (issue 14) as plain data: one tile per project × environment × tenant with its colour
// (spec §5) and the facts behind it. Built by fleetModel.ts from the caches the editor already holds
// (Git state, workload errors, releases, cluster status); nothing here does I/O.
import type { ConnectionState } from '../cluster/clusterErrors';
import type { EnvironmentClusterStatus } from '../cluster/environmentStatus';
import type { HealthColour } from '../cluster/healthColours';
import type { Identity, Release } from '../release/types';
import type { DeployState, Project } from '../types';

export type { HealthColour };

/** Why a tile has its colour: one sentence a person reads, with the colour that cause alone gives. */
export interface FleetReason {
  colour: HealthColour;
  /** What kind of cause, for icons and filters. */
  kind: 'unresolved' | 'git' | 'never-deployed' | 'drift' | 'approval' | 'release' | 'rollout' | 'workload' | 'connection';
  text: string;
}

/**
 * What the cluster says about a release rolling out in (project, environment, tenant): the seam for the
 * deployment timeline (issue 13), which fills it from its phases. `in_progress` is a warning, `failed`
 * needs action; the other phases add nothing to a tile.
 */
export interface RolloutObservation {
  phase: 'pending' | 'in_progress' | 'deployed' | 'healthy' | 'failed';
  /** The release being rolled out, when known. */
  release?: { id: string; title?: string };
  /** For `failed`: the reason (`CrashLoopBackOff`, `ProgressDeadlineExceeded`, `Degraded`) and where. */
  failure?: { reason: string; pod?: string; container?: string };
}
export type RolloutPort = (slug: string, environment: string, tenant: string) => RolloutObservation | undefined;

export interface FleetTile {
  /** `project/environment/tenant`: stable, for incremental updates. */
  id: string;
  project: string;
  environment: string;
  tenant: string;
  colour: HealthColour;
  /** Worst first; empty when green. */
  reasons: FleetReason[];
  /** The reasons in one line, or what makes it green ("In sync with main · 3 workloads healthy"). */
  sentence: string;
  /** What the deployed branch carries; absent when never deployed or not known. */
  deployed?: { commit: string; shortCommit: string; at: string; age: string; author: string; subject: string; release?: { id: string; title: string } };
  /** How Git's side is known. */
  git: 'deployed' | 'never-deployed' | 'no-git' | 'error' | 'reading';
  /** Changes on `main` that affect this (environment, tenant) and are not deployed. */
  drift: number;
  driftPaths: string[];
  pendingApprovals: number;
  /** Of those, how many the current Git identity may approve now. */
  mayApprove: number;
  /** The releases pending approval, deploying or failed here (newest first); `mayApprove`: by the current identity, now. */
  releases: { id: string; title: string; state: Release['state']; mayApprove: boolean }[];
  /** Bound workloads that are not healthy, with their reason. */
  unhealthy: { workload: string; colour: HealthColour; reason: string; message?: string }[];
  /** Workloads whose values do not resolve (or have an invalid layer); undefined while not known. */
  unresolved: string[];
  /** `unknown`: the cluster was not asked (nothing visible needs it) or is connecting. */
  connection: ConnectionState | 'unknown';
  context?: string;
  frozen?: { reason: string; until?: string };
}

export interface FleetEnvironment {
  name: string;
  /** Approvals the environment requires (0 = no gate). */
  required: number;
  tenants: FleetTile[];
}

export interface FleetProject {
  slug: string;
  name: string;
  /** The worst colour of its tiles. */
  colour: HealthColour;
  /** Whether the current identity is an approver in one of its environments or a recent author. */
  mine: boolean;
  environments: FleetEnvironment[];
}

/** A manifest that does not load: its project has no tiles, and it needs action. */
export interface FleetBrokenProject {
  manifestPath: string;
  label: string;
  errors: number;
}

export interface FleetSummary {
  green: number;
  yellow: number;
  red: number;
}

export interface Fleet {
  projects: FleetProject[];
  broken: FleetBrokenProject[];
  summary: FleetSummary;
}

/** Where the model reads from: the editor's caches (or a test's data). Every lookup is synchronous. */
export interface FleetSources {
  projects: readonly Project[];
  broken?: readonly FleetBrokenProject[];
  deployState(slug: string, environment: string, tenant: string): DeployState | undefined;
  /** Workloads with errors, undefined while not known yet. */
  workloadErrors(slug: string, environment: string, tenant: string): string[] | undefined;
  /** The workloads bound in (environment, tenant). */
  bound(project: Project, environment: string, tenant: string): string[];
  /** The cluster side; undefined when not asked. */
  cluster(project: Project, environment: string, tenant: string, bound: readonly string[]): EnvironmentClusterStatus | undefined;
  releases(slug: string): readonly Release[];
  /** Whether the current identity may approve `release` now (policy, requester, already decided). */
  mayApprove(slug: string, release: Release): boolean;
  /** The Git identity of the project's repository, when known. */
  identity(slug: string): Identity | undefined;
  /** The timeline's observation of a rollout; absent until the timeline is wired. */
  rollout?: RolloutPort;
  now: Date;
}
