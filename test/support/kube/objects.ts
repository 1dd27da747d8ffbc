// Objects shaped like the ones a real cluster's controllers write: defaults filled in, zero counts
// left out of status (the real types are `omitempty`), owner references, pod-template-hash.
import { createHash, randomBytes } from 'node:crypto';
import type { KubeObject } from './selectors';
import { timestamp } from './store';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes).
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

function safeString(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE[bytes[i % bytes.length]! % SAFE.length];
  return out;
}

export const randomSuffix = (length = 5) => safeString(randomBytes(length), length);

/** A stable hash of a pod template, like the deployment controller's pod-template-hash. */
export function podTemplateHash(template: unknown): string {
  return safeString(createHash('sha256').update(JSON.stringify(template)).digest(), 10);
}

export interface ContainerSpec {
  image: string;
  /** Container name; default "app". */
  name?: string;
}

export function containerSpec({ image, name = 'app' }: ContainerSpec): Any {
  return {
    name,
    image,
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  };
}

export function podTemplate(labels: Record<string, string>, container: ContainerSpec): Any {
  return {
    metadata: { labels: { ...labels } },
    spec: {
      containers: [containerSpec(container)],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      schedulerName: 'default-scheduler',
    },
  };
}

/** Drop zero counts, as the API's omitempty status fields do. */
export function counts(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== 0));
}

export function condition(type: string, status: 'True' | 'False', reason: string, message: string, previous?: Any[]): Any {
  const now = timestamp();
  const before = previous?.find((c) => c.type === type);
  // lastTransitionTime moves only when the status flips, lastUpdateTime on every change.
  const lastTransitionTime = before && before.status === status ? before.lastTransitionTime : now;
  return { type, status, lastUpdateTime: now, lastTransitionTime, reason, message };
}

export function deployment(namespace: string, name: string, replicas: number, container: ContainerSpec, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { ...labels }, annotations: { 'deployment.kubernetes.io/revision': '1' } },
    spec: {
      replicas,
      selector: { matchLabels: { ...labels } },
      template: podTemplate(labels, container),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  };
}

export function ownerReference(owner: KubeObject): Any {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

export function replicaSet(owner: KubeObject, revision: number): KubeObject {
  const template = structuredClone((owner.spec as Any).template) as Any;
  const hash = podTemplateHash(template);
  template.metadata.labels = { ...template.metadata.labels, 'pod-template-hash': hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${owner.metadata.name}-${hash}`,
      namespace: owner.metadata.namespace,
      labels: template.metadata.labels,
      annotations: {
        // The deployment controller copies the Deployment's annotations but its own and kubectl's.
        ...copiedAnnotations(owner.metadata.annotations as Record<string, string> | undefined),
        'deployment.kubernetes.io/desired-replicas': String((owner.spec as Any).replicas),
        'deployment.kubernetes.io/max-replicas': String((owner.spec as Any).replicas + 1),
        'deployment.kubernetes.io/revision': String(revision),
      },
      ownerReferences: [ownerReference(owner)],
    },
    spec: {
      replicas: 0,
      selector: { matchLabels: { ...(owner.spec as Any).selector.matchLabels, 'pod-template-hash': hash } },
      template,
    },
    status: { replicas: 0 },
  };
}

const NOT_COPIED = new Set(['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision', 'deployment.kubernetes.io/revision-history', 'deployment.kubernetes.io/desired-replicas', 'deployment.kubernetes.io/max-replicas', 'deprecated.deployment.rollback.to']);

/** What the deployment controller copies from a Deployment to its ReplicaSets (skipCopyAnnotation in kubernetes/pkg/controller/deployment/util). */
function copiedAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => !NOT_COPIED.has(k)));
}

/** A pod just created by its owner: Pending, not yet scheduled. */
export function pod(owner: KubeObject, template: Any): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${owner.metadata.name}-${randomSuffix()}`,
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...template.metadata.labels },
      ownerReferences: [ownerReference(owner)],
    },
    spec: { ...structuredClone(template.spec), enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0 },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}

const NODES = ['worker-a', 'worker-b', 'worker-c'];
let nodeTurn = 0;
let ipTurn = 10;

/** Bind a pod to a node: PodScheduled, containers ContainerCreating. */
export function schedule(pod: Any): void {
  const now = timestamp();
  const nodeIndex = nodeTurn++ % NODES.length;
  pod.spec.nodeName = NODES[nodeIndex];
  const podIP = `10.244.${nodeIndex}.${ipTurn++ % 250}`;
  pod.status = {
    phase: 'Pending',
    conditions: [
      { type: 'PodReadyToStartContainers', status: 'False', lastProbeTime: null, lastTransitionTime: now },
      { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now },
      { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'ContainersNotReady', message: `containers with unready status: [${containerNames(pod)}]` },
      { type: 'ContainersReady', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'ContainersNotReady', message: `containers with unready status: [${containerNames(pod)}]` },
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now },
    ],
    hostIP: `172.18.0.${nodeIndex + 2}`,
    hostIPs: [{ ip: `172.18.0.${nodeIndex + 2}` }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: now,
    qosClass: 'BestEffort',
    containerStatuses: (pod.spec.containers as Any[]).map((c) => ({
      name: c.name,
      state: { waiting: { reason: 'ContainerCreating' } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: c.image,
      imageID: '',
      started: false,
    })),
  };
}

function containerNames(pod: Any): string {
  return (pod.spec.containers as Any[]).map((c) => c.name).join(' ');
}

function setCondition(pod: Any, type: string, status: 'True' | 'False', reason?: string, message?: string): void {
  const conditions = (pod.status.conditions ?? []) as Any[];
  const existing = conditions.find((c) => c.type === type);
  const next: Any = { type, status, lastProbeTime: null, lastTransitionTime: existing && existing.status === status ? existing.lastTransitionTime : timestamp() };
  if (reason) next.reason = reason;
  if (message) next.message = message;
  if (existing) conditions[conditions.indexOf(existing)] = next;
  else conditions.push(next);
  pod.status.conditions = conditions;
}

export function containerId(): string {
  return `containerd://${randomBytes(32).toString('hex')}`;
}

function imageId(image: string): string {
  return `${image.split(':')[0]}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}

/** Containers started; `ready` decides whether the readiness probe already passed. */
export function run(pod: Any, ready: boolean): void {
  const now = timestamp();
  pod.status.phase = 'Running';
  setCondition(pod, 'PodReadyToStartContainers', 'True');
  for (const c of pod.status.containerStatuses as Any[]) {
    c.state = { running: { startedAt: now } };
    c.ready = ready;
    c.started = true;
    c.imageID = imageId(c.image);
    c.containerID = containerId();
  }
  if (ready) {
    setCondition(pod, 'Ready', 'True');
    setCondition(pod, 'ContainersReady', 'True');
  }
}

/**
 * A running pod's readiness probe starts failing or passing again: the kubelet flips the containers'
 * `ready` and the Ready/ContainersReady conditions; phase, container state and restarts stay.
 */
export function readiness(pod: Any, ready: boolean): void {
  for (const c of pod.status.containerStatuses as Any[]) c.ready = ready;
  if (ready) {
    setCondition(pod, 'Ready', 'True');
    setCondition(pod, 'ContainersReady', 'True');
  } else {
    const message = `containers with unready status: [${containerNames(pod)}]`;
    setCondition(pod, 'Ready', 'False', 'ContainersNotReady', message);
    setCondition(pod, 'ContainersReady', 'False', 'ContainersNotReady', message);
  }
}

export function isReady(pod: Any): boolean {
  return ((pod.status?.conditions ?? []) as Any[]).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** A container that cannot pull its image: ErrImagePull first, ImagePullBackOff after. */
export function imagePullFailure(pod: Any, reason: 'ErrImagePull' | 'ImagePullBackOff'): void {
  for (const c of pod.status.containerStatuses as Any[]) {
    c.state = {
      waiting: {
        reason,
        message: reason === 'ErrImagePull'
          ? `failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": not found`
          : `Back-off pulling image "${c.image}"`,
      },
    };
  }
}

/** The container exited with an error and the kubelet is backing off before the next restart. */
export function crash(pod: Any): void {
  const now = timestamp();
  pod.status.phase = 'Running';
  setCondition(pod, 'Ready', 'False', 'ContainersNotReady', `containers with unready status: [${containerNames(pod)}]`);
  setCondition(pod, 'ContainersReady', 'False', 'ContainersNotReady', `containers with unready status: [${containerNames(pod)}]`);
  for (const c of pod.status.containerStatuses as Any[]) {
    const startedAt = c.state?.running?.startedAt ?? now;
    c.lastState = { terminated: { exitCode: 1, reason: 'Error', startedAt, finishedAt: now, containerID: c.containerID ?? containerId() } };
    c.restartCount = (c.restartCount ?? 0) + 1;
    c.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.min(10 * 2 ** (c.restartCount - 1), 300)}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` } };
    c.ready = false;
    c.started = false;
  }
}

/** Restarted after a back-off: running again, not ready. */
export function restart(pod: Any): void {
  const now = timestamp();
  for (const c of pod.status.containerStatuses as Any[]) {
    c.state = { running: { startedAt: now } };
    c.started = true;
    c.containerID = containerId();
  }
}

/** A pod no node can take. */
export function unschedulable(pod: Any, message: string): void {
  setCondition(pod, 'PodScheduled', 'False', 'Unschedulable', message);
}

/** Graceful deletion started: the API shows it as Terminating until the kubelet confirms. */
export function terminate(pod: Any): void {
  pod.metadata.deletionTimestamp = timestamp(new Date(Date.now() + 30_000));
  pod.metadata.deletionGracePeriodSeconds = 30;
}

export function event(involved: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string, fieldPath?: string): KubeObject {
  const now = timestamp();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${involved.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: involved.metadata.namespace },
    involvedObject: {
      kind: involved.kind,
      namespace: involved.metadata.namespace,
      name: involved.metadata.name,
      uid: involved.metadata.uid,
      apiVersion: involved.apiVersion,
      resourceVersion: involved.metadata.resourceVersion,
      ...(fieldPath ? { fieldPath } : {}),
    },
    reason,
    message,
    source: { component },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    type,
    eventTime: null,
    reportingComponent: component,
    reportingInstance: '',
  };
}
