// The palette flow of `gitopshq.logs.stream` without arguments: the workload (project, environment,
// tenant), then its pods and containers ("all" first), then the options. Escape anywhere cancels.
import * as vscode from 'vscode';
import { DEFAULT_TAIL } from '../../core/logs/streamArgs';
import type { StreamArgs } from '../../core/logs/streamArgs';
import type { ClusterService } from '../cluster/clusterService';
import type { ProjectService } from '../projectService';

const ALL = 'all';

interface TargetItem extends vscode.QuickPickItem {
  project: string;
  environment: string;
  tenant?: string;
  workload: string;
}

export async function pickStream(projects: ProjectService, cluster: ClusterService): Promise<StreamArgs | undefined> {
  const targets: TargetItem[] = [];
  for (const entry of projects.index.projects()) {
    const project = entry.project;
    if (!project) continue;
    for (const env of project.environments) {
      for (const tenant of project.tenants) {
        for (const workload of project.workloads) {
          const where = project.tenantsDeclared ? `${env.name}/${tenant}` : env.name;
          targets.push({
            label: `${workload.name} (${where})`,
            description: project.slug,
            project: project.slug,
            environment: env.name,
            ...(project.tenantsDeclared ? { tenant } : {}),
            workload: workload.name,
          });
        }
      }
    }
  }
  const target = await vscode.window.showQuickPick(targets, { title: 'Stream Logs (1/3): workload', placeHolder: 'payment-api (staging/acme)', matchOnDescription: true });
  if (!target) return undefined;
  const project = projects.index.project(target.project)!;
  const env = project.environments.find((e) => e.name === target.environment)!;
  const workload = project.workloads.find((w) => w.name === target.workload)!;
  const pods = await cluster.workloadPods(project, env, target.tenant ?? project.tenants[0]!, workload);
  const podItems: (vscode.QuickPickItem & { pod?: string; container?: string })[] = [{ label: ALL, description: 'every pod and container, new pods included' }];
  for (const pod of pods) {
    podItems.push({ label: pod.name, description: pod.phase, pod: pod.name });
    if (pod.containers.length > 1) for (const c of pod.containers) podItems.push({ label: `${pod.name}/${c}`, description: 'container', pod: pod.name, container: c });
  }
  const containerNames = [...new Set(pods.flatMap((p) => p.containers))];
  if (containerNames.length > 1) for (const c of containerNames) podItems.push({ label: `${ALL}/${c}`, description: `container ${c} of every pod`, container: c });
  const chosen = await vscode.window.showQuickPick(podItems, { title: 'Stream Logs (2/3): pods and containers', canPickMany: false });
  if (!chosen) return undefined;
  const options = await vscode.window.showQuickPick(
    [
      { label: 'Follow', description: `the last ${DEFAULT_TAIL} lines of each container, then new lines`, id: 'follow' },
      { label: 'Errors only', description: 'errors, exceptions, panics and their stack traces', id: 'errors' },
      { label: 'Last 5 minutes', description: 'since 5m, then new lines', id: 'since5m' },
      { label: 'Last hour', description: 'since 1h, then new lines', id: 'since1h' },
      { label: 'Previous container', description: 'the last terminated container (after a crash)', id: 'previous' },
      { label: 'With timestamps', description: 'each line with its time', id: 'timestamps' },
    ],
    { title: 'Stream Logs (3/3): options', placeHolder: 'Enter for Follow' },
  );
  if (!options) return undefined;
  const args: StreamArgs = {
    project: target.project,
    environment: target.environment,
    workload: target.workload,
    ...(target.tenant ? { tenant: target.tenant } : {}),
    ...(chosen.pod ? { pod: chosen.pod } : {}),
    ...(chosen.container ? { container: chosen.container } : {}),
  };
  if (options.id === 'errors') args.errorsOnly = true;
  if (options.id === 'since5m') args.since = '5m';
  if (options.id === 'since1h') args.since = '1h';
  if (options.id === 'previous') args.previous = true;
  if (options.id === 'timestamps') args.timestamps = true;
  return args;
}

/** `id` when given, else the only running stream, else a pick among the streams. */
export async function pickStreamId(streams: { id: string; channel: string; running: boolean }[], given: unknown, title: string): Promise<string | undefined> {
  if (typeof given === 'string') return given;
  const candidates = streams.filter((s) => s.running);
  if (candidates.length === 1) return candidates[0]!.id;
  const all = candidates.length > 0 ? candidates : streams;
  if (all.length === 0) {
    void vscode.window.showInformationMessage('No log stream is running.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(all.map((s) => ({ label: s.channel, description: s.running ? 'running' : 'stopped', id: s.id })), { title });
  return picked?.id;
}
