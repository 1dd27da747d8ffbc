// The deployment timeline of a deployed release in one (tenant, environment) (spec §5, issue 13) as
// plain data: what the panel, the Releases view and the `timeline` API show.
import type { ArgoApplication } from '../cluster/connections';
import type { KubeEvent, Labels, Pod, ReplicaSet, WorkloadObject } from '../cluster/kubeTypes';
import type { PodHealth } from '../cluster/podHealth';
import type { Release } from '../release/types';
import type { KubeKind } from '../types';

export type Phase = 'pending' | 'in_progress' | 'deployed' | 'healthy' | 'failed';

/** One phase reached: when (RFC 3339, from the objects) and the observation that moved it. */
export interface PhaseStep {
  phase: Phase;
  at: string;
  detail: string;
}

/**
 * Answered by Git elsewhere (a cache the adapter fills): is `ancestor` an ancestor of (or equal to)
 * `descendant`? Undefined when not known yet (the commit is not fetched, the cache is cold).
 */
export type AncestryPort = (ancestor: string, descendant: string) => boolean | undefined;

/** An Argo CD Application; newer Argo CD versions date the health status. */
export type TimelineApplication = ArgoApplication & { status?: { health?: { lastTransitionTime?: string } } };

export interface TimelineFailure {
  /** A pod failure reason of spec §5, `ProgressDeadlineExceeded`, or `Degraded` (Argo CD). */
  reason: string;
  pod?: string;
  container?: string;
  /** The kubelet's, the controller's or Argo CD's words. */
  message?: string;
}

export interface TimelineEvent {
  at: string;
  type: string;
  reason: string;
  message: string;
  /** `Kind/name` of the object the event is about. */
  object: string;
  count: number;
}

export interface Timeline {
  phase: Phase;
  /** In time order; `at`s never decrease. */
  reached: PhaseStep[];
  /** A later deploy of the same (tenant, environment) replaced this release: `reached` stops where it was. */
  superseded: boolean;
  failure?: TimelineFailure;
  /** Whether and how the cluster was seen to run the release (spec §5 "Which release the cluster runs"). */
  recognition: Recognition;
  /** Pods of the release's template (`current`) and of earlier ones (`old`; empty once Healthy). */
  pods: { current: PodHealth[]; old: PodHealth[] };
  /** Events of the workload, its ReplicaSets and its pods, oldest first. */
  events: TimelineEvent[];
}

export type RecognitionRule = 'argo' | 'annotation' | 'image';

export interface Recognition {
  /** True: runs the release (or a descendant); false: it does not; undefined: ancestry unknown, ask again. */
  running: boolean | undefined;
  /** The rule that decided (absent when none applied). */
  by?: RecognitionRule;
  /** What was compared, e.g. "Argo CD: Synced 1a410ef, Healthy" or "gitopshq.io/revision 1a410ef". */
  detail: string;
}

/** The release fields the timeline reads. */
export type TimelineRelease = Pick<Release, 'id' | 'environment' | 'deploy'>;

export interface RecogniseInput {
  release: TimelineRelease;
  project: string;
  tenant: string;
  /** The workload's object in the cluster (undefined: not there). */
  object: WorkloadObject | undefined;
  /** The namespace's Argo CD Applications (undefined: the API does not exist there). */
  applications?: readonly TimelineApplication[] | undefined;
  /** The release's effective `image.tag` for this (tenant, environment, workload), when the values set one. */
  imageTag?: string | undefined;
  isAncestor: AncestryPort;
}

export interface TimelineInput extends RecogniseInput {
  workload: { kind: KubeKind; name: string; selector: Labels };
  /** The namespace's ReplicaSets, pods and events (filtered here). */
  replicaSets: readonly ReplicaSet[];
  pods: readonly Pod[];
  events: readonly KubeEvent[];
  now: number;
  /** The stabilisation window (`gitopshq.healthyAfterSeconds`), default 30. */
  healthyAfterSeconds?: number;
  /** `deploy.at` of the later release deployed to the same (tenant, environment), when there is one. */
  supersededAt?: string | undefined;
  /** The last timeline computed for this release and tenant: phases it reached keep their times. */
  previous?: Timeline | undefined;
}
