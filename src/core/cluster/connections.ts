// The port between the editor and the Kubernetes bundle (src/infra/kube, loaded lazily): shared
// informers per (context, namespace, resource type), held open by whoever shows their objects.
// Types only: core stays free of @kubernetes/client-node, the editor adapter codes against this.
import type { ClusterError, ConnectionState } from './clusterErrors';
import type { DaemonSet, Deployment, KubeEvent, Pod, ReplicaSet, StatefulSet } from './kubeTypes';
import type { Logger } from '../logger';
import type { ScopeRequest } from './placement';
import type { LogSessionHandle, LogSessionRequest, LogSessionSink } from '../logs/ports';

/** The resource types an informer can watch. `applications` is Argo CD's, watched only when the API exists. */
export type ResourceType = 'deployments' | 'statefulsets' | 'daemonsets' | 'replicasets' | 'pods' | 'events' | 'applications';

/** What the tree and `clusterStatus` need for workload health. */
export const WORKLOAD_RESOURCES: readonly ResourceType[] = ['deployments', 'statefulsets', 'daemonsets', 'replicasets', 'pods'];

export type { ScopeRequest } from './placement';

/** An Argo CD Application, the fields §5 reads. */
export interface ArgoApplication {
  metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    operationState?: { phase?: string; finishedAt?: string; syncResult?: { revision?: string } };
  };
}

/** The cached objects of one (context, namespace), read synchronously; arrays are fresh copies of the cache's lists, the objects are shared: never mutate them. */
export interface ScopeSnapshot {
  /** The resolved context (the kubeconfig's current one when the request named none). */
  context: string;
  namespace: string;
  /** `connected` once every watched type has listed; the first failure's kind otherwise. */
  connection: ConnectionState;
  /** Set when `connection` is not `connected`: the typed error with a message fit for the user. */
  error?: ClusterError;
  /** True once every requested type has listed at least once (the objects are then complete). */
  synced: boolean;
  deployments: Deployment[];
  statefulSets: StatefulSet[];
  daemonSets: DaemonSet[];
  replicaSets: ReplicaSet[];
  pods: Pod[];
  /** Only when `events` was requested. */
  events: KubeEvent[];
  /** Only when `applications` was requested and the argoproj.io API exists; undefined when it does not. */
  applications?: ArgoApplication[];
}

/** A hold on the informers of one scope: they run while at least one handle is open. */
export interface ScopeHandle {
  readonly context: string;
  readonly namespace: string;
  snapshot(): ScopeSnapshot;
  /** Resolves once synced or failed, or after `timeoutMs`; never rejects. */
  whenSettled(timeoutMs: number): Promise<void>;
  /** Releases the hold; the informers stop `idleStopMs` after the last hold is released. */
  dispose(): void;
}

export interface ClusterConnectionsOptions {
  /** The `gitopshq.kubeconfig` setting (`~` allowed); absent: $KUBECONFIG (merged as kubectl does), else ~/.kube/config. */
  kubeconfig?: string;
  /** Workspace Trust: exec credential plugins run only when true; otherwise such contexts fail with `exec-plugin`. */
  allowExecPlugins: boolean;
  logger: Logger;
  /** Default 60 000. */
  idleStopMs?: number;
  /** Environment variables to read KUBECONFIG and HOME from; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ClusterConnections {
  /**
   * Holds the informers of `types` in one scope (starting those not running) and calls `onChange`
   * after their objects or connection state change. Callbacks are not coalesced here: the caller
   * throttles. A kubeconfig problem or an unknown context does not throw: the snapshot says it.
   */
  open(scope: ScopeRequest, types: readonly ResourceType[], onChange: () => void): ScopeHandle;
  /** The kubeconfig's contexts (names only) and current context; reads the files again when asked to. */
  contexts(): Promise<{ current?: string; contexts: { name: string; cluster?: string; namespace?: string }[]; files: string[] }>;
  /** New settings: restarts the informers whose context's cluster or user changed (or all, when the file list changed). */
  configure(options: Pick<ClusterConnectionsOptions, 'kubeconfig' | 'allowExecPlugins'>): Promise<void>;
  /** Reads the kubeconfig again (its file changed) and restarts the informers whose context's settings changed. */
  reload(): Promise<void>;
  /** Restarts at once the failed informers of one scope, or of every scope, skipping their back-off. */
  retry(scope?: ScopeRequest): void;
  /** The files the kubeconfig was read from (to watch them). */
  files(): string[];
  /** Streams the logs of a workload's pods (src/infra/kube/logSession.ts); ends by itself when the scope's context changes. */
  streamLogs(request: LogSessionRequest, sink: LogSessionSink): LogSessionHandle;
  dispose(): void;
}
