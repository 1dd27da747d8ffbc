// The Kubernetes objects the health core reads, as the API server serialises them (JSON field
// names of apps/v1 and core/v1). Only the fields we use, all optional where the server may omit
// them: objects come from informers and are read as they are, never trusted to be complete.
// Structural on purpose: core must not import @kubernetes/client-node (it lives in the lazily
// loaded kube bundle), and the client's camel-cased model classes would not match raw JSON anyway.

export type Labels = Record<string, string>;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  /** RFC 3339, e.g. 2026-03-01T10:00:00Z. */
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Labels;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface Container {
  name: string;
  image?: string;
}

export interface PodSpec {
  nodeName?: string;
  containers: Container[];
  initContainers?: Container[];
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

/** Deployment, ReplicaSet, StatefulSet and DaemonSet conditions share this shape. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface Deployment {
  apiVersion?: string;
  kind?: 'Deployment';
  metadata: ObjectMeta;
  spec?: {
    /** Defaults to 1 when absent. */
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplateSpec;
    paused?: boolean;
    progressDeadlineSeconds?: number;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: Condition[];
  };
}

export interface ReplicaSet {
  apiVersion?: string;
  kind?: 'ReplicaSet';
  metadata: ObjectMeta;
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplateSpec;
  };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
  };
}

export interface StatefulSet {
  apiVersion?: string;
  kind?: 'StatefulSet';
  metadata: ObjectMeta;
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplateSpec;
    serviceName?: string;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    currentReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    /** The `controller-revision-hash` label value of the pods of the current template. */
    updateRevision?: string;
    conditions?: Condition[];
  };
}

export interface DaemonSet {
  apiVersion?: string;
  kind?: 'DaemonSet';
  metadata: ObjectMeta;
  spec?: {
    selector?: LabelSelector;
    template?: PodTemplateSpec;
  };
  status?: {
    observedGeneration?: number;
    currentNumberScheduled?: number;
    numberMisscheduled?: number;
    desiredNumberScheduled?: number;
    numberReady?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    numberUnavailable?: number;
    conditions?: Condition[];
  };
}

export type WorkloadObject = Deployment | StatefulSet | DaemonSet;

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: {
    exitCode?: number;
    signal?: number;
    reason?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
  };
}

export interface ContainerStatus {
  name: string;
  image?: string;
  imageID?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface Pod {
  apiVersion?: string;
  kind?: 'Pod';
  metadata: ObjectMeta;
  spec?: PodSpec;
  status?: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    /** Set on an evicted or node-lost pod, e.g. `Evicted`. */
    reason?: string;
    message?: string;
    startTime?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  fieldPath?: string;
}

/** core/v1 Event. */
export interface KubeEvent {
  apiVersion?: string;
  kind?: 'Event';
  metadata: ObjectMeta;
  involvedObject: ObjectReference;
  reason?: string;
  message?: string;
  type?: 'Normal' | 'Warning';
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
}

/** The `Status` object the API server answers errors with. */
export interface KubeStatus {
  kind?: 'Status';
  apiVersion?: string;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string };
  code?: number;
}

/** A list answer: items plus the resourceVersion to watch from. */
export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** Well-known labels and annotations the derivations read. */
export const POD_TEMPLATE_HASH = 'pod-template-hash';
export const CONTROLLER_REVISION_HASH = 'controller-revision-hash';
export const POD_TEMPLATE_GENERATION = 'pod-template-generation';
export const DAEMONSET_TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';
export const DEPLOYMENT_REVISION = 'deployment.kubernetes.io/revision';
export const TENANT_LABEL = 'gitopshq.io/tenant';
