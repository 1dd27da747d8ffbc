// Scripted cluster behaviour, driven from tests and the demo through `server.scenario`: workloads
// that exist and are healthy, and rollouts that progress over time the way the deployment
// controller, scheduler and kubelet move them (new ReplicaSet, pods Pending -> Running -> Ready, old
// pods terminating), or fail the ways users meet: a bad image, a crash loop, a missed deadline.
// One "step" (options.stepMs) is the time between two controller moves.
import * as build from './objects';
import type { KubeObject } from './selectors';
import { timestamp, type Store } from './store';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface WorkloadOptions {
  image: string;
  replicas?: number;
  /** Labels of the object and its pods, also its selector; default `app.kubernetes.io/name: <name>`. */
  labels?: Record<string, string>;
}

const defaultLabels = (name: string) => ({ 'app.kubernetes.io/name': name });

export interface RolloutOptions {
  image: string;
  /** New replica count; default the deployment's. */
  replicas?: number;
  /**
   * How it ends: 'success' (default), 'bad-image' (ErrImagePull then ImagePullBackOff),
   * 'crash-loop' (the new pod keeps crashing: CrashLoopBackOff, restartCount growing).
   */
  outcome?: 'success' | 'bad-image' | 'crash-loop';
  /** Steps after the rollout stalls before Progressing turns False with ProgressDeadlineExceeded; default never. */
  deadlineSteps?: number;
  /** Annotations set on the Deployment (as `kubectl apply` of a chart that stamps them), e.g. `gitopshq.io/revision`. */
  annotations?: Record<string, string>;
  /** Annotations of the pod template (a chart's podAnnotations): changing them rolls the pods even for the same image. */
  templateAnnotations?: Record<string, string>;
  /** Each controller move takes this many steps (a slow rollout); default 1. */
  stepsPerMove?: number;
}

class Stopped extends Error {}

export class Scenarios {
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly store: Store,
    private readonly options: { stepMs: number },
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Stop every running scenario (server shutdown). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const wake of this.wakers) wake();
  }

  /** A Deployment that has finished rolling out: its ReplicaSet and ready pods, as after `kubectl apply` and a minute. */
  deployment(namespace: string, name: string, { image, replicas = 3, labels = defaultLabels(name) }: WorkloadOptions): KubeObject {
    const deployment = this.store.create('deployments', build.deployment(namespace, name, replicas, { image }, labels));
    const rs = this.store.create('replicasets', { ...build.replicaSet(deployment, 1), spec: { ...build.replicaSet(deployment, 1).spec as Any, replicas } });
    this.event(deployment, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rs.metadata.name} from 0 to ${replicas}`, 'deployment-controller');
    for (let i = 0; i < replicas; i++) this.readyPod(rs, (rs.spec as Any).template);
    return this.sync(namespace, name, { observe: true, progressing: ['True', 'NewReplicaSetAvailable', `ReplicaSet "${rs.metadata.name}" has successfully progressed.`] });
  }

  /** A StatefulSet with all replicas ready (pods `<name>-0`, `<name>-1`, ...). */
  statefulSet(namespace: string, name: string, { image, replicas = 1, labels = defaultLabels(name) }: WorkloadOptions): KubeObject {
    const template = build.podTemplate(labels, { image });
    const sts = this.store.create('statefulsets', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name, namespace, labels: { ...labels } },
      spec: { replicas, selector: { matchLabels: { ...labels } }, serviceName: name, template, podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, revisionHistoryLimit: 10, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } },
      status: {},
    });
    const revision = `${name}-${build.podTemplateHash(template)}`;
    for (let i = 0; i < replicas; i++) {
      const labels = { ...template.metadata.labels, 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': `${name}-${i}`, 'apps.kubernetes.io/pod-index': String(i) };
      this.readyPod(sts, { ...template, metadata: { labels } }, `${name}-${i}`);
    }
    return this.store.modify('statefulsets', namespace, name, (o) => {
      o.status = { observedGeneration: o.metadata.generation, ...build.counts({ replicas, readyReplicas: replicas, currentReplicas: replicas, updatedReplicas: replicas, availableReplicas: replicas }), currentRevision: revision, updateRevision: revision, collisionCount: 0 };
    });
  }

  /** A DaemonSet with one ready pod on each of the three nodes. */
  daemonSet(namespace: string, name: string, { image, labels = defaultLabels(name) }: WorkloadOptions): KubeObject {
    const template = build.podTemplate(labels, { image });
    const ds = this.store.create('daemonsets', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace, labels: { ...labels }, annotations: { 'deprecated.daemonset.template.generation': '1' } },
      spec: { selector: { matchLabels: { ...labels } }, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 },
      status: {},
    });
    const podLabels = { ...template.metadata.labels, 'controller-revision-hash': build.podTemplateHash(template), 'pod-template-generation': '1' };
    for (let i = 0; i < 3; i++) this.readyPod(ds, { ...template, metadata: { labels: podLabels } });
    return this.store.modify('daemonsets', namespace, name, (o) => {
      o.status = { currentNumberScheduled: 3, numberMisscheduled: 0, desiredNumberScheduled: 3, numberReady: 3, observedGeneration: o.metadata.generation, updatedNumberScheduled: 3, numberAvailable: 3 };
    });
  }

  /** An Argo CD Application (served only when the server runs with `argo: true`). */
  application(namespace: string, name: string, options: { destinationNamespace: string; health?: string; sync?: string }): KubeObject {
    return this.store.create('applications', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name, namespace },
      spec: { project: 'default', source: { repoURL: 'https://git.example.com/gitops.git', path: name, targetRevision: 'HEAD' }, destination: { server: 'https://kubernetes.default.svc', namespace: options.destinationNamespace } },
      status: { sync: { status: options.sync ?? 'Synced' }, health: { status: options.health ?? 'Healthy' } },
    });
  }

  /**
   * Roll a Deployment out to a new image, one pod at a time (surge 1, nothing unavailable). Resolves
   * when the rollout has finished, or has reached its failure state (which then goes on: a crash loop
   * keeps restarting until the server stops).
   */
  async rollout(namespace: string, name: string, options: RolloutOptions): Promise<void> {
    try {
      await this.runRollout(namespace, name, options);
    } catch (err) {
      if (!(err instanceof Stopped)) throw err;
    }
  }

  /** A rollout to an image that does not exist: ErrImagePull, then ImagePullBackOff, Warning events `Failed`. */
  badImage(namespace: string, name: string, image: string): Promise<void> {
    return this.rollout(namespace, name, { image, outcome: 'bad-image' });
  }

  /** A rollout that stalls on a bad image until its progress deadline passes: ProgressDeadlineExceeded. */
  deadlineExceeded(namespace: string, name: string, image: string, deadlineSteps = 3): Promise<void> {
    return this.rollout(namespace, name, { image, outcome: 'bad-image', deadlineSteps });
  }

  /**
   * Every pod of the Deployment starts crash-looping (say, a config change they cannot survive).
   * Resolves once all are in CrashLoopBackOff; they go on restarting and crashing until the server stops.
   */
  async crashLoop(namespace: string, name: string): Promise<void> {
    const deployment = this.store.get('deployments', namespace, name);
    if (!deployment) throw new Error(`deployment ${namespace}/${name} not found`);
    const pods = this.podsOf(namespace, this.ownedReplicaSets(deployment).map((rs) => rs.metadata.uid!));
    for (const pod of pods) this.crashPod(pod);
    this.sync(namespace, name, {});
    for (const pod of pods) this.keepCrashing(namespace, name, pod.metadata.name);
  }

  private async runRollout(namespace: string, name: string, options: RolloutOptions): Promise<void> {
    const outcome = options.outcome ?? 'success';
    const moves = Math.max(1, options.stepsPerMove ?? 1);
    const step = (count = 1) => this.step(count * moves);
    let deployment = this.store.modify('deployments', namespace, name, (o) => {
      const spec = o.spec as Any;
      spec.template.spec.containers[0].image = options.image;
      if (options.replicas !== undefined) spec.replicas = options.replicas;
      if (options.annotations) o.metadata.annotations = { ...(o.metadata.annotations as Record<string, string> | undefined), ...options.annotations };
      if (options.templateAnnotations) spec.template.metadata.annotations = { ...spec.template.metadata.annotations, ...options.templateAnnotations };
    });
    const replicas = (deployment.spec as Any).replicas as number;
    await step();

    const revision = Math.max(0, ...this.ownedReplicaSets(deployment).map((rs) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0))) + 1;
    const wanted = build.replicaSet(deployment, revision);
    let rs = this.store.get('replicasets', namespace, wanted.metadata.name) ?? this.store.create('replicasets', wanted);
    deployment = this.store.modify('deployments', namespace, name, (o) => {
      o.metadata.annotations = { ...(o.metadata.annotations as Record<string, string>), 'deployment.kubernetes.io/revision': String(revision) };
    });
    this.sync(namespace, name, { observe: true, progressing: ['True', 'NewReplicaSetCreated', `Created new replica set "${rs.metadata.name}"`] });
    const progressing = ['True', 'ReplicaSetUpdated', `ReplicaSet "${rs.metadata.name}" is progressing.`] as const;

    while (this.podsOf(namespace, [rs.metadata.uid!]).length < replicas) {
      const from = (rs.spec as Any).replicas as number;
      rs = this.store.modify('replicasets', namespace, rs.metadata.name, (o) => void ((o.spec as Any).replicas = from + 1));
      this.event(deployment, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rs.metadata.name} from ${from} to ${from + 1}`, 'deployment-controller');
      const created = this.store.create('pods', build.pod(rs, (rs.spec as Any).template));
      this.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, 'replicaset-controller');
      this.sync(namespace, name, { progressing });
      await step();

      const podName = created.metadata.name;
      const scheduled = this.store.modify('pods', namespace, podName, (p) => build.schedule(p));
      this.event(scheduled, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${podName} to ${(scheduled.spec as Any).nodeName}`, 'default-scheduler');
      this.event(scheduled, 'Normal', 'Pulling', `Pulling image "${options.image}"`, 'kubelet', 'spec.containers{app}');
      await step();

      if (outcome === 'bad-image') {
        const failing = this.store.modify('pods', namespace, podName, (p) => build.imagePullFailure(p, 'ErrImagePull'));
        this.event(failing, 'Warning', 'Failed', `Failed to pull image "${options.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${options.image}": not found`, 'kubelet', 'spec.containers{app}');
        this.event(failing, 'Warning', 'Failed', 'Error: ErrImagePull', 'kubelet', 'spec.containers{app}');
        await step();
        const backingOff = this.store.modify('pods', namespace, podName, (p) => build.imagePullFailure(p, 'ImagePullBackOff'));
        this.event(backingOff, 'Normal', 'BackOff', `Back-off pulling image "${options.image}"`, 'kubelet', 'spec.containers{app}');
        this.event(backingOff, 'Warning', 'Failed', 'Error: ImagePullBackOff', 'kubelet', 'spec.containers{app}');
        return this.stall(namespace, name, rs, options.deadlineSteps === undefined ? undefined : options.deadlineSteps * moves);
      }

      const running = this.store.modify('pods', namespace, podName, (p) => build.run(p, false));
      this.event(running, 'Normal', 'Pulled', `Successfully pulled image "${options.image}" in 1.2s (1.2s including waiting). Image size: 12345678 bytes.`, 'kubelet', 'spec.containers{app}');
      this.event(running, 'Normal', 'Created', 'Created container: app', 'kubelet', 'spec.containers{app}');
      this.event(running, 'Normal', 'Started', 'Started container app', 'kubelet', 'spec.containers{app}');
      this.sync(namespace, name, { progressing });
      await step();

      if (outcome === 'crash-loop') {
        this.crashPod(this.store.get('pods', namespace, podName)!);
        this.sync(namespace, name, { progressing });
        this.keepCrashing(namespace, name, podName);
        return this.stall(namespace, name, rs, options.deadlineSteps === undefined ? undefined : options.deadlineSteps * moves);
      }

      this.store.modify('pods', namespace, podName, (p) => build.run(p, true));
      this.sync(namespace, name, { progressing });
      await this.scaleDownOne(namespace, name, deployment, rs, moves);
    }
    // Fewer replicas than before: the rest of the old pods go too.
    while (await this.scaleDownOne(namespace, name, deployment, rs, moves));
    this.sync(namespace, name, { progressing: ['True', 'NewReplicaSetAvailable', `ReplicaSet "${rs.metadata.name}" has successfully progressed.`] });
  }

  /** Scale the oldest old ReplicaSet down by one: its pod terminates, then goes. False when none is left. */
  private async scaleDownOne(namespace: string, name: string, deployment: KubeObject, current: KubeObject, moves: number): Promise<boolean> {
    const old = this.ownedReplicaSets(deployment).filter((rs) => rs.metadata.uid !== current.metadata.uid && ((rs.spec as Any).replicas as number) > 0);
    const rs = old[0];
    if (!rs) return false;
    const from = (rs.spec as Any).replicas as number;
    this.store.modify('replicasets', namespace, rs.metadata.name, (o) => void ((o.spec as Any).replicas = from - 1));
    this.event(deployment, 'Normal', 'ScalingReplicaSet', `Scaled down replica set ${rs.metadata.name} from ${from} to ${from - 1}`, 'deployment-controller');
    const victim = this.podsOf(namespace, [rs.metadata.uid!])[0];
    if (victim) {
      const terminating = this.store.modify('pods', namespace, victim.metadata.name, (p) => build.terminate(p));
      this.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${victim.metadata.name}`, 'replicaset-controller');
      this.event(terminating, 'Normal', 'Killing', 'Stopping container app', 'kubelet', 'spec.containers{app}');
      this.sync(namespace, name, {});
      await this.step(moves);
      this.store.delete('pods', namespace, victim.metadata.name);
    }
    this.sync(namespace, name, {});
    return true;
  }

  /** The rollout makes no progress; after `deadlineSteps` the controller gives up: ProgressDeadlineExceeded. */
  private async stall(namespace: string, name: string, rs: KubeObject, deadlineSteps: number | undefined): Promise<void> {
    if (deadlineSteps === undefined) return;
    await this.step(deadlineSteps);
    this.sync(namespace, name, { progressing: ['False', 'ProgressDeadlineExceeded', `ReplicaSet "${rs.metadata.name}" has timed out progressing.`] });
  }

  private crashPod(pod: KubeObject): void {
    const crashed = this.store.modify('pods', pod.metadata.namespace!, pod.metadata.name, (p) => build.crash(p));
    this.event(crashed, 'Warning', 'BackOff', `Back-off restarting failed container app in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, 'kubelet', 'spec.containers{app}');
  }

  /** Restart, crash, back off, again: restartCount keeps growing while the server runs. */
  private keepCrashing(namespace: string, deployment: string, podName: string): void {
    void (async () => {
      try {
        for (;;) {
          await this.step(2);
          if (!this.store.get('pods', namespace, podName)) return;
          const restarted = this.store.modify('pods', namespace, podName, (p) => build.restart(p));
          this.event(restarted, 'Normal', 'Started', 'Started container app', 'kubelet', 'spec.containers{app}');
          await this.step();
          if (!this.store.get('pods', namespace, podName)) return;
          this.crashPod(restarted);
          this.sync(namespace, deployment, {});
        }
      } catch (err) {
        if (!(err instanceof Stopped)) throw err;
      }
    })();
  }

  /**
   * Readiness probes of many pods flip at once (a storm): each pod whose readiness changes is written
   * once, as the kubelet's status update, then the owning Deployments' and ReplicaSets' status
   * follow, as their controllers recompute them. Pods already in the wanted state are not written.
   */
  setPodsReady(namespace: string, changes: ReadonlyArray<{ pod: string; ready: boolean }>): void {
    const touched = new Set<string>();
    for (const { pod, ready } of changes) {
      const current = this.store.peek('pods', namespace, pod);
      if (!current || build.isReady(current) === ready) continue;
      this.store.mutate('pods', namespace, pod, (p) => build.readiness(p, ready));
      for (const ref of (current.metadata.ownerReferences as Any[] | undefined) ?? []) touched.add(ref.uid as string);
    }
    if (touched.size === 0) return;
    // One read of the namespace for every Deployment to recompute, rather than one per Deployment.
    const lists = { pods: this.store.peekList('pods', namespace), replicaSets: this.store.peekList('replicasets', namespace) };
    const deployments = new Set<string>();
    for (const rs of lists.replicaSets) {
      if (!touched.has(rs.metadata.uid!)) continue;
      for (const ref of (rs.metadata.ownerReferences as Any[] | undefined) ?? []) if (ref.kind === 'Deployment') deployments.add(ref.name as string);
    }
    for (const name of deployments) this.sync(namespace, name, {}, lists);
  }

  /** Recompute the status of a Deployment and its ReplicaSets from their pods, as the controllers do. */
  private sync(
    namespace: string,
    name: string,
    options: { observe?: boolean; progressing?: readonly ['True' | 'False', string, string] },
    lists?: { pods: ReadonlyArray<Readonly<KubeObject>>; replicaSets: ReadonlyArray<Readonly<KubeObject>> },
  ): KubeObject {
    const deployment = this.store.get('deployments', namespace, name)!;
    const owned = this.ownedReplicaSets(deployment, lists?.replicaSets);
    for (const rs of owned) {
      const pods = this.podsOf(namespace, [rs.metadata.uid!], lists?.pods);
      const ready = pods.filter(build.isReady).length;
      const status = { ...build.counts({ replicas: pods.length, fullyLabeledReplicas: pods.length, readyReplicas: ready, availableReplicas: ready }), replicas: pods.length, observedGeneration: rs.metadata.generation };
      if (JSON.stringify(status) !== JSON.stringify(rs.status)) this.store.mutate('replicasets', namespace, rs.metadata.name, (o) => void (o.status = status));
    }
    const spec = deployment.spec as Any;
    const hash = build.podTemplateHash(spec.template);
    const current = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    const pods = this.podsOf(namespace, owned.map((rs) => rs.metadata.uid!), lists?.pods);
    const updated = current ? pods.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash).length : 0;
    const available = pods.filter(build.isReady).length;
    const previous = (deployment.status ?? {}) as Any;
    const conditions = (previous.conditions ?? []) as Any[];
    const minAvailable = spec.replicas - Math.floor(spec.replicas * 0.25);
    const availableCondition = available >= minAvailable
      ? build.condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', conditions)
      : build.condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', conditions);
    const keepOrNew = (next: Any): Any => {
      const before = conditions.find((c) => c.type === next.type);
      return before && before.status === next.status && before.reason === next.reason && before.message === next.message ? before : next;
    };
    const progressing = options.progressing
      ? keepOrNew(build.condition('Progressing', options.progressing[0], options.progressing[1], options.progressing[2], conditions))
      : conditions.find((c) => c.type === 'Progressing');
    const status: Any = {
      observedGeneration: options.observe ? deployment.metadata.generation : previous.observedGeneration,
      ...build.counts({ replicas: pods.length, updatedReplicas: updated, readyReplicas: available, availableReplicas: available, unavailableReplicas: Math.max(0, spec.replicas - available) }),
      conditions: [keepOrNew(availableCondition), ...(progressing ? [progressing] : [])],
    };
    if (JSON.stringify(status) === JSON.stringify(deployment.status)) return deployment;
    return this.store.modify('deployments', namespace, name, (o) => void (o.status = status));
  }

  private ownedReplicaSets(owner: KubeObject, replicaSets: ReadonlyArray<Readonly<KubeObject>> = this.store.list('replicasets', owner.metadata.namespace)): KubeObject[] {
    return replicaSets
      .filter((rs) => (rs.metadata.ownerReferences as Any[] | undefined)?.some((ref) => ref.uid === owner.metadata.uid))
      .sort((a, b) => Number(a.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) - Number(b.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0));
  }

  /** The live (not terminating) pods owned by any of these owners. */
  private podsOf(namespace: string, ownerUids: string[], pods: ReadonlyArray<Readonly<KubeObject>> = this.store.list('pods', namespace)): KubeObject[] {
    return pods.filter((p) => !p.metadata.deletionTimestamp
      && (p.metadata.ownerReferences as Any[] | undefined)?.some((ref) => ownerUids.includes(ref.uid)));
  }

  private readyPod(owner: KubeObject, template: Any, name?: string): KubeObject {
    const pod = build.pod(owner, template) as Any;
    if (name) {
      pod.metadata.name = name;
      delete pod.metadata.generateName;
    }
    build.schedule(pod);
    build.run(pod, true);
    return this.store.create('pods', pod as KubeObject);
  }

  /** Record an event; a repeat of the same one bumps its count, as the kubelet's event aggregation does. */
  private event(involved: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string, fieldPath?: string): void {
    const same = this.store.list('events', involved.metadata.namespace).find((e) => {
      const o = e.involvedObject as Any;
      return o.uid === involved.metadata.uid && e.reason === reason && e.message === message;
    });
    if (same) {
      this.store.modify('events', same.metadata.namespace!, same.metadata.name, (e) => {
        e.count = ((e.count as number) ?? 1) + 1;
        e.lastTimestamp = timestamp();
      });
    } else {
      this.store.create('events', build.event(involved, type, reason, message, component, fieldPath));
    }
  }

  private step(count = 1): Promise<void> {
    if (this.stopped) return Promise.reject(new Stopped());
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.wakers.delete(wake);
        if (this.stopped) reject(new Stopped());
        else resolve();
      };
      const timer = setTimeout(wake, this.options.stepMs * count);
      this.timers.add(timer);
      this.wakers.add(wake);
    });
  }
}
