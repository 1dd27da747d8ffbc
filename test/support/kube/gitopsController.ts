// A tiny GitOps controller for the fake cluster (the demo and the tests): it follows a GitOpsHQ
// repository's deployed branches `gitopshq/deployed/<tenant>/<env>` (spec §4) by polling them, and
// when one moves it rolls the environment's Deployments to the image tag the values at that commit
// give, stamping `gitopshq.io/revision: <commit>` on the Deployment (as a chart that stamps it from a
// value does), the way Argo CD or Flux would apply it: a Deployment whose image does not change only
// gets the new stamp (its pod template is the same, so nothing rolls). Per (environment,
// workload) knobs script how the rollout goes: slow, bad image, crash loop, missed deadline.
// StatefulSets and DaemonSets are left alone (the scenarios roll Deployments only).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import type { RolloutOptions, Scenarios } from './scenarios';
import type { Store } from './store';

const exec = promisify(execFile);
const BRANCH_PREFIX = 'refs/heads/gitopshq/deployed/';
export const REVISION_ANNOTATION = 'gitopshq.io/revision';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type RolloutKnob = Pick<RolloutOptions, 'outcome' | 'deadlineSteps' | 'stepsPerMove'> & {
  /** The chart stamps the revision into the pod template too (podAnnotations): every deploy rolls, even of the same image. */
  templateRevision?: boolean;
};

export interface GitOpsControllerOptions {
  /** The project root (holds gitopshq.yaml) inside a Git repository. */
  repo: string;
  pollMs?: number;
  /** How rollouts go, by `<env>/<workload>` or `<env>/<tenant>/<workload>` (the more specific wins); default success. */
  knobs?: Record<string, RolloutKnob>;
  /** Images no registry has: their pull fails (ErrImagePull, then ImagePullBackOff), as a real kubelet's would. */
  missingImages?: RegExp;
  /** Told about each rollout started (the demo prints it). */
  onRollout?: (what: { namespace: string; deployment: string; image: string; commit: string; branch: string }) => void;
  onError?: (err: unknown) => void;
}

interface Manifest {
  environments: { name: string; namespace?: string }[];
  workloads: { name: string; kind: string; kubeName: string; chart: string; values: string[] }[];
}

export class GitOpsController {
  private readonly seen = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private first = true;
  /** Per `namespace/deployment`: the rollout running and the newest one waiting for it. */
  private readonly queues = new Map<string, Promise<void>>();
  private polling: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly scenario: Scenarios,
    private readonly options: GitOpsControllerOptions,
  ) {}

  start(): void {
    const tick = async () => {
      // The server closed (its scenarios stopped): nothing left to roll.
      if (this.stopped || this.scenario.isStopped) return;
      this.polling = this.poll().catch((err: unknown) => this.options.onError?.(err));
      await this.polling;
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.options.pollMs ?? 1000);
    };
    void tick();
  }

  /** One look at the branches now (tests call it rather than wait for the next poll). */
  async pollNow(): Promise<void> {
    await this.polling;
    this.polling = this.poll();
    await this.polling;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async poll(): Promise<void> {
    const refs = await this.git(['for-each-ref', '--format=%(refname) %(objectname)', BRANCH_PREFIX]);
    const moved: { tenant: string; env: string; sha: string; branch: string }[] = [];
    for (const line of refs.split('\n')) {
      const [ref, sha] = line.trim().split(' ');
      if (!ref || !sha) continue;
      const [tenant, env] = ref.slice(BRANCH_PREFIX.length).split('/');
      if (!tenant || !env) continue;
      if (this.seen.get(ref) === sha) continue;
      this.seen.set(ref, sha);
      moved.push({ tenant, env, sha, branch: ref.slice('refs/heads/'.length) });
    }
    const first = this.first;
    this.first = false;
    if (moved.length === 0) return;
    const manifest = await this.manifest();
    const done = new Set<string>();
    for (const m of moved) {
      const env = manifest.environments.find((e) => e.name === m.env);
      if (!env) continue;
      const namespace = (env.namespace ?? 'default').replaceAll('{tenant}', m.tenant);
      for (const w of manifest.workloads.filter((x) => x.kind === 'Deployment')) {
        const key = `${namespace}/${w.kubeName}`;
        if (done.has(key)) continue;
        const deployment = this.store.get('deployments', namespace, w.kubeName);
        if (!deployment) continue;
        const tag = await this.imageTag(m.sha, w, m.env, m.tenant);
        const spec = deployment.spec as Any;
        const current = String(spec.template.spec.containers[0].image ?? '');
        const image = tag ? current.replace(/:[^:/@]+$/, '') + `:${tag}` : current;
        const stamped = (deployment.metadata.annotations as Record<string, string> | undefined)?.[REVISION_ANNOTATION];
        done.add(key);
        if (stamped === m.sha) continue;
        const knob: RolloutKnob = this.options.missingImages?.test(image)
          ? { outcome: 'bad-image' }
          : (this.options.knobs?.[`${m.env}/${m.tenant}/${w.name}`] ?? this.options.knobs?.[`${m.env}/${w.name}`] ?? {});
        // Nothing in the pod template changes (or the controller just started and finds it running): only the stamp.
        if (image === current && (first || !knob.templateRevision)) {
          this.store.modify('deployments', namespace, w.kubeName, (o) => {
            o.metadata.annotations = { ...(o.metadata.annotations as Record<string, string> | undefined), [REVISION_ANNOTATION]: m.sha };
          });
          continue;
        }
        this.options.onRollout?.({ namespace, deployment: w.kubeName, image, commit: m.sha, branch: m.branch });
        this.enqueue(key, () =>
          this.scenario.rollout(namespace, w.kubeName, {
            image,
            ...(knob.outcome ? { outcome: knob.outcome } : {}),
            ...(knob.deadlineSteps !== undefined ? { deadlineSteps: knob.deadlineSteps } : {}),
            ...(knob.stepsPerMove !== undefined ? { stepsPerMove: knob.stepsPerMove } : {}),
            annotations: { [REVISION_ANNOTATION]: m.sha },
            ...(knob.templateRevision ? { templateAnnotations: { [REVISION_ANNOTATION]: m.sha } } : {}),
          }),
        );
      }
    }
  }

  /** Rollouts of one Deployment run one after the other (a stalled one ends at its failure state). */
  private enqueue(key: string, run: () => Promise<void>): void {
    const before = this.queues.get(key) ?? Promise.resolve();
    const next = before.then(run).catch((err: unknown) => this.options.onError?.(err));
    this.queues.set(key, next);
  }

  private async manifest(): Promise<Manifest> {
    const doc = parse(await this.git(['show', `HEAD:${this.prefix}gitopshq.yaml`])) as Any;
    const spec = (doc?.spec ?? {}) as Any;
    return {
      environments: ((spec.environments ?? []) as Any[]).map((e) => ({ name: String(e.name), ...(e.cluster?.namespace ? { namespace: String(e.cluster.namespace) } : {}) })),
      workloads: ((spec.workloads ?? []) as Any[]).map((w) => ({
        name: String(w.name),
        kind: String(w.kube?.kind ?? 'Deployment'),
        kubeName: String(w.kube?.name ?? w.name),
        chart: String(w.chart ?? ''),
        values: ((w.values ?? []) as unknown[]).map(String),
      })),
    };
  }

  /** `image.tag` at `sha`: the last values layer that sets it wins over the chart's default. */
  private async imageTag(sha: string, w: Manifest['workloads'][number], env: string, tenant: string): Promise<string | undefined> {
    const files = [`${w.chart}/values.yaml`, ...w.values.map((v) => v.replaceAll('{env}', env).replaceAll('{tenant}', tenant).replaceAll('{workload}', w.name))];
    let tag: string | undefined;
    for (const file of files) {
      const text = await this.git(['show', `${sha}:${this.prefix}${file.replace(/^\.\//, '')}`]).catch(() => undefined);
      if (text === undefined) continue;
      const value = (parse(text) as Any | null)?.image?.tag;
      if (value !== undefined && value !== null) tag = String(value);
    }
    return tag;
  }

  private prefix = '';

  private async git(args: string[], cwd = this.options.repo): Promise<string> {
    if (this.first && !this.prefix) this.prefix = (await exec('git', ['rev-parse', '--show-prefix'], { cwd })).stdout.trim();
    return (await exec('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 })).stdout;
  }
}
