// The running log streams: one output channel per (workload, environment, tenant), language `log`,
// shown once without taking focus; each stream a LogBuffer (filter, prefixes, masking, ring buffer,
// batched appends) fed by a log session of the Kubernetes bundle. Streams end on stop, on
// deactivate, and when the place their workload runs changes (settings, manifest, kubeconfig).
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import { compileFilter, type FilterSpec } from '../../core/logs/filters';
import { LogBuffer } from '../../core/logs/logBuffer';
import type { LogSessionHandle } from '../../core/logs/ports';
import { planStream, type StreamPlan } from '../../core/logs/streamArgs';
import { keyOfTime } from '../../core/logs/timestamps';
import { findEnvironment, findProject, findTenant, findWorkload } from '../../core/model/lookup';
import { LOG_MASKING, secretMasker } from '../../core/secrets/mask';
import type { ClusterService } from '../cluster/clusterService';
import type { ProjectService } from '../projectService';

export const DEFAULT_BUFFER_LINES = 50_000;
export const DEFAULT_MAX_PODS = 20;

export interface LogTarget {
  project: string;
  environment: string;
  tenant?: string;
  workload: string;
}

export interface StreamInfo {
  id: string;
  channel: string;
  project: string;
  environment: string;
  tenant: string;
  workload: string;
  running: boolean;
  pods: readonly string[];
  openConnections: number;
  written: number;
}

interface Stream {
  id: string;
  input: Record<string, unknown>;
  plan: StreamPlan;
  tenant: string;
  channelName: string;
  buffer: LogBuffer;
  session: LogSessionHandle | undefined;
  where: string;
  running: boolean;
  retryOffered: boolean;
  stopping: Promise<void> | undefined;
}

export class LogStreamManager implements vscode.Disposable {
  private readonly streams = new Map<string, Stream>();
  private readonly channels = new Map<string, vscode.OutputChannel>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** A stream started, stopped or changed its pods. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private next = 1;
  private disposed = false;

  constructor(
    private readonly projects: ProjectService,
    private readonly cluster: ClusterService,
    private readonly logger: Logger,
  ) {
    this.disposables.push(
      this.changeEmitter,
      cluster.onDidChangeKubeconfig(() => this.checkPlacements()),
      projects.onDidChange(() => this.checkPlacements()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('gitopshq.clusters') || e.affectsConfiguration('gitopshq.kubeconfig')) this.checkPlacements();
      }),
    );
  }

  /** `gitopshq.logs.stream`: refuses bad arguments (an invalid regex among them) before anything connects. */
  async start(input: unknown, reuseId?: string): Promise<{ id: string }> {
    const plan = planStream(input);
    const project = findProject(this.projects.index, plan.project);
    const env = findEnvironment(project, plan.environment);
    const tenant = findTenant(project, plan.tenant);
    const workload = findWorkload(project, plan.workload);
    const target = this.cluster.logTarget(project, env, tenant, workload);
    const channelName = `GitOpsHQ Logs: ${workload.name} (${env.name}${project.tenantsDeclared ? `/${tenant}` : ''})`;
    // One stream per channel: a new stream of the same workload replaces the running one.
    for (const other of this.streams.values()) {
      if (other.channelName === channelName && other.running && other.id !== reuseId) await this.stopStream(other, 'replaced by a new stream');
    }
    let channel = this.channels.get(channelName);
    if (!channel) {
      channel = vscode.window.createOutputChannel(channelName, 'log');
      this.channels.set(channelName, channel);
      // Shown once, without taking the focus; never again (a user who closed it keeps it closed).
      channel.show(true);
    }
    const out = channel;
    const config = vscode.workspace.getConfiguration('gitopshq.logs');
    const capacity = positive(config.get<number>('bufferLines'), DEFAULT_BUFFER_LINES);
    const maxPods = positive(config.get<number>('maxPods'), DEFAULT_MAX_PODS);
    const buffer = new LogBuffer({
      capacity,
      filter: plan.filter,
      mask: (text) => secretMasker(this.projects.secretValues(), LOG_MASKING).text(text),
      timestamps: plan.timestamps,
      append: (text) => out.append(text),
      replace: (text) => out.replace(text),
    });
    const id = reuseId ?? `logs-${this.next++}`;
    const stream: Stream = {
      id, input: { ...(input as Record<string, unknown>) }, plan, tenant, channelName, buffer, session: undefined, where: target.where, running: true, retryOffered: false, stopping: undefined,
    };
    this.streams.set(id, stream);
    buffer.marker(`streaming ${workload.name} of ${project.slug}/${env.name}/${tenant}: ${describeWindow(plan)}; ${plan.filter.describe()}`);
    try {
      stream.session = await this.cluster.streamLogs({
        scope: target.scope,
        selector: target.selector,
        ...(target.tenant ? { tenant: target.tenant } : {}),
        ...(plan.pods ? { pods: plan.pods } : {}),
        ...(plan.containers ? { containers: plan.containers } : {}),
        follow: plan.follow,
        previous: plan.previous,
        start: plan.window,
        maxPods,
        ...(tuningOf(input) ? { tuning: tuningOf(input)! } : {}),
      }, {
        lines: (batch) => buffer.lines(batch),
        marker: (text) => {
          buffer.marker(text);
          this.changeEmitter.fire();
        },
        failed: (reason) => this.offerRetry(stream, reason),
        ended: () => void this.stopStream(stream),
      });
    } catch (err) {
      stream.running = false;
      buffer.close(`could not start: ${err instanceof Error ? err.message : String(err)}`);
      this.changeEmitter.fire();
      throw err;
    }
    if (!stream.running) void stream.session.stop();
    if (this.disposed) void this.stopStream(stream);
    this.changeEmitter.fire();
    return { id };
  }

  /** `gitopshq.logs.filter`: from the next line on, without reconnecting. */
  filter(args: { id: string } & FilterSpec): void {
    const stream = this.get(args.id);
    const current = stream.buffer.currentFilter.spec;
    const spec: FilterSpec = {
      ...pick(current, args, 'include'),
      ...pick(current, args, 'exclude'),
      errorsOnly: args.errorsOnly ?? current.errorsOnly ?? false,
    };
    const filter = compileFilter(spec);
    stream.buffer.setFilter(filter);
    stream.buffer.marker(`filter: ${filter.describe()}`);
  }

  /** `gitopshq.logs.stop`: one stream, or all. Resolves once their connections are closed. */
  async stop(id?: string): Promise<void> {
    const targets = id === undefined ? [...this.streams.values()] : [this.get(id)];
    await Promise.all(targets.map((s) => this.stopStream(s)));
  }

  async restart(id: string): Promise<{ id: string }> {
    const stream = this.get(id);
    await this.stopStream(stream, 'restarting');
    return this.start(stream.input, id);
  }

  /** The retained lines of a stream, prefixes and markers included. */
  retained(id: string): string[] {
    return this.get(id).buffer.retained();
  }

  channelName(id: string): string {
    return this.get(id).channelName;
  }

  /**
   * For the deployment timeline: writes `── <text> ──` at `at` into every running stream of the
   * workload in that environment (and tenant, when given). Returns how many streams got it.
   */
  marker(target: LogTarget, at: Date | string | number, text: string): number {
    const key = keyOfTime(at);
    let written = 0;
    for (const stream of this.streams.values()) {
      const p = stream.plan;
      if (!stream.running || p.project !== target.project || p.environment !== target.environment || p.workload !== target.workload) continue;
      if (target.tenant !== undefined && stream.tenant !== target.tenant) continue;
      stream.buffer.marker(text, key);
      written++;
    }
    return written;
  }

  list(): StreamInfo[] {
    return [...this.streams.values()].map((s) => ({
      id: s.id,
      channel: s.channelName,
      project: s.plan.project,
      environment: s.plan.environment,
      tenant: s.tenant,
      workload: s.plan.workload,
      running: s.running,
      pods: s.session?.pods ?? [],
      openConnections: s.session?.openConnections ?? 0,
      written: s.buffer.written,
    }));
  }

  showChannel(id: string): void {
    this.channels.get(this.get(id).channelName)?.show(true);
  }

  /** Every line written to a stream's channel from now on (the benchmark checks a flood without retaining it). */
  tap(id: string, observer: (lines: readonly string[]) => void): vscode.Disposable {
    const buffer = this.get(id).buffer;
    buffer.tap = observer;
    return { dispose: () => void (buffer.tap = undefined) };
  }

  /** Latencies of the batched appends (the benchmark reads them). */
  latencies(id: string): readonly number[] {
    return this.get(id).buffer.latencies;
  }

  dispose(): void {
    this.disposed = true;
    for (const stream of this.streams.values()) void this.stopStream(stream, 'stopped: the extension is shutting down');
    for (const d of this.disposables) d.dispose();
    for (const channel of this.channels.values()) channel.dispose();
    this.channels.clear();
  }

  private get(id: unknown): Stream {
    const stream = typeof id === 'string' ? this.streams.get(id) : undefined;
    if (!stream) throw new Error(`No log stream "${String(id)}" (running: ${[...this.streams.values()].filter((s) => s.running).map((s) => s.id).join(', ') || 'none'}).`);
    return stream;
  }

  private stopStream(stream: Stream, why = 'stopped'): Promise<void> {
    if (!stream.running) return stream.stopping ?? Promise.resolve();
    stream.running = false;
    stream.buffer.close(why);
    this.changeEmitter.fire();
    stream.stopping = (stream.session?.stop() ?? Promise.resolve()).catch((err: unknown) => this.logger.warn(`Stopping log stream ${stream.id}: ${err instanceof Error ? err.message : String(err)}`));
    return stream.stopping;
  }

  private offerRetry(stream: Stream, reason: string): void {
    if (stream.retryOffered || !stream.running) return;
    stream.retryOffered = true;
    void vscode.window.showWarningMessage(`${stream.channelName}: ${reason}`, 'Retry', 'Show').then((choice) => {
      stream.retryOffered = false;
      if (choice === 'Retry' && stream.running) stream.session?.retry();
      if (choice === 'Show') this.showChannel(stream.id);
    });
  }

  /** A stream whose workload now runs elsewhere (another context or namespace) ends. */
  private checkPlacements(): void {
    for (const stream of this.streams.values()) {
      if (!stream.running) continue;
      let where: string | undefined;
      try {
        const project = findProject(this.projects.index, stream.plan.project);
        where = this.cluster.logTarget(project, findEnvironment(project, stream.plan.environment), stream.tenant, findWorkload(project, stream.plan.workload)).where;
      } catch {
        where = undefined;
      }
      if (where !== stream.where) void this.stopStream(stream, 'the cluster context changed: the stream ended');
    }
  }
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}

function pick(current: FilterSpec, given: FilterSpec, field: 'include' | 'exclude'): FilterSpec {
  const value = field in given ? given[field] : current[field];
  return value === undefined || value === '' ? {} : { [field]: value };
}

function describeWindow(plan: StreamPlan): string {
  const w = plan.window;
  const parts: string[] = [];
  if (plan.previous) parts.push('the previous container');
  if (w.sinceTime !== undefined) parts.push(`since ${w.sinceTime}`);
  if (w.sinceSeconds !== undefined) parts.push(`the last ${w.sinceSeconds} s`);
  if (w.tailLines !== undefined) parts.push(`the last ${w.tailLines} lines of each container`);
  if (plan.follow && !plan.previous) parts.push('then following');
  return parts.join(', ');
}

/** Test-only knobs (`_tuning` in the arguments): shorter idle timeouts and back-offs. */
function tuningOf(input: unknown): { idleTimeoutMs?: number; maxAttempts?: number; backoffInitialMs?: number; backoffMaxMs?: number } | undefined {
  const t = (input as { _tuning?: unknown })._tuning;
  return t && typeof t === 'object' ? (t as Record<string, number>) : undefined;
}
