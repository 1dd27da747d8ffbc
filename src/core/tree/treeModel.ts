// The GitOpsHQ tree as plain data: Projects → Environments (→ Tenants) → Workloads → values layers.
// Computed from the index and the cached Git state only, so expanding a node never does I/O;
// the editor adapter turns these descriptors into TreeItems.
import * as path from 'node:path';
import { plural, relativeTime } from '../format';
import { imageTag } from '../values/effective';
import { chartValuesFile, layerFiles } from '../values/layers';
import type { ProjectIndex } from '../model/projectIndex';
import type { DeployState, Project } from '../types';
import type { EnvironmentClusterStatus } from '../cluster/environmentStatus';
import { clusterNodeParts, clusterStatusParts, workloadClusterParts } from '../cluster/treeParts';
import type { HealthColour } from '../cluster/healthColours';

export type Health = 'ok' | 'warning' | 'error' | 'unknown';

interface Base {
  /** Stable identity: `project/env/tenant/workload`, so VS Code keeps expansion and selection. */
  id: string;
  label: string;
  description: string;
  tooltip: string;
  health: Health;
}

export interface ProjectNode extends Base {
  kind: 'project';
  slug?: string;
  manifestPath: string;
  broken: boolean;
}
export interface EnvironmentNode extends Base {
  kind: 'environment';
  slug: string;
  environment: string;
  /** Set when the project has one tenant: the environment node then stands for it. */
  tenant?: string;
}
export interface TenantNode extends Base {
  kind: 'tenant';
  slug: string;
  environment: string;
  tenant: string;
}
export interface WorkloadNode extends Base {
  kind: 'workload';
  slug: string;
  environment: string;
  tenant: string;
  workload: string;
  bound: boolean;
  /** The cluster reported this workload: its health is the live one. */
  live: boolean;
  /** The most specific existing layer: what a click opens. */
  valuesFile?: string;
}
export interface ValuesFileNode extends Base {
  kind: 'valuesFile';
  file: string;
  exists: boolean;
}

/** The one child an environment (or tenant) gets when its cluster cannot be asked: the error and what to do. */
export interface ClusterErrorNode extends Base {
  kind: 'clusterError';
  slug: string;
  environment: string;
  tenant: string;
  connection: string;
  context?: string;
}

export type TreeNode = ProjectNode | EnvironmentNode | TenantNode | WorkloadNode | ValuesFileNode | ClusterErrorNode;

export type DeployLookup = (slug: string, environment: string, tenant: string) => DeployState | undefined;
/** Workloads with errors in (tenant, environment), or undefined while not known yet. */
export type ErrorsLookup = (slug: string, environment: string, tenant: string) => string[] | undefined;
/** Releases waiting for approval in an environment. */
export type PendingApprovalsLookup = (slug: string, environment: string) => number;
/** The cluster side of (environment, tenant) for its bound workloads; undefined when not known. */
export type ClusterLookup = (project: Project, environment: string, tenant: string, bound: readonly string[]) => EnvironmentClusterStatus | undefined;

const COLOUR_HEALTH: Record<HealthColour, Health> = { green: 'ok', yellow: 'warning', red: 'error' };

const healthRank: Record<Health, number> = { unknown: 0, ok: 1, warning: 2, error: 3 };
function worstHealth(values: Health[]): Health {
  return values.reduce<Health>((a, b) => (healthRank[b] > healthRank[a] ? b : a), 'unknown');
}

export class TreeModel {
  constructor(
    private readonly index: ProjectIndex,
    private readonly deployState: DeployLookup,
    private readonly workloadErrors: ErrorsLookup,
    private readonly now: () => Date = () => new Date(),
    private readonly pendingApprovals: PendingApprovalsLookup = () => 0,
    private readonly cluster: ClusterLookup = () => undefined,
  ) {}

  roots(): ProjectNode[] {
    return this.index.projects().map((entry) => {
      const errors = entry.problems.filter((p) => p.severity === 'error').length;
      if (!entry.project) {
        return {
          kind: 'project',
          id: `project:${entry.manifestPath}`,
          label: path.basename(entry.root),
          description: `manifest has ${plural(errors, 'error')}`,
          tooltip: `${entry.manifestPath}\nThe manifest is invalid: open it to see the problems.`,
          health: 'error',
          manifestPath: entry.manifestPath,
          broken: true,
        };
      }
      const project = entry.project;
      const envHealth = project.environments.map((env) => this.environment(project, env.name).health);
      return {
        kind: 'project',
        id: `project:${project.slug}`,
        slug: project.slug,
        label: project.name,
        description: `${project.slug} · ${plural(project.environments.length, 'environment')} · ${plural(project.workloads.length, 'workload')}`,
        tooltip: `${project.name} (${project.slug})\n${entry.manifestPath}`,
        health: errors > 0 ? 'error' : worstHealth(envHealth),
        manifestPath: entry.manifestPath,
        broken: false,
      };
    });
  }

  children(node: TreeNode): TreeNode[] {
    switch (node.kind) {
      case 'project': {
        const project = node.slug ? this.index.project(node.slug) : undefined;
        return project ? project.environments.map((env) => this.environment(project, env.name)) : [];
      }
      case 'environment': {
        const project = this.index.project(node.slug);
        if (!project) return [];
        if (node.tenant !== undefined) return this.runtimeChildren(project, node.environment, node.tenant);
        return project.tenants.map((tenant) => this.tenant(project, node.environment, tenant));
      }
      case 'tenant': {
        const project = this.index.project(node.slug);
        return project ? this.runtimeChildren(project, node.environment, node.tenant) : [];
      }
      case 'workload':
        return this.valuesFiles(node);
      default:
        return [];
    }
  }

  /**
   * The nodes a cluster change of (environment, tenant) can alter: the project, the environment, the
   * tenant and their runtime children. For refreshing only what changed.
   */
  clusterNodes(slug: string, environment: string, tenant: string): TreeNode[] {
    const project = this.index.project(slug);
    if (!project || !project.environments.some((e) => e.name === environment)) return [];
    const nodes: TreeNode[] = this.roots().filter((p) => p.slug === slug);
    nodes.push(this.environment(project, environment));
    if (project.tenantsDeclared) nodes.push(this.tenant(project, environment, tenant));
    nodes.push(...this.runtimeChildren(project, environment, tenant));
    return nodes;
  }

  /** The parent of a node, for TreeView.reveal. */
  parent(node: TreeNode): TreeNode | undefined {
    switch (node.kind) {
      case 'project':
      case 'valuesFile':
        return undefined;
      case 'environment':
        return this.roots().find((p) => p.slug === node.slug);
      case 'tenant': {
        const project = this.index.project(node.slug);
        return project ? this.environment(project, node.environment) : undefined;
      }
      case 'clusterError':
      case 'workload': {
        const project = this.index.project(node.slug);
        if (!project) return undefined;
        return project.tenantsDeclared
          ? this.tenant(project, node.environment, node.tenant)
          : this.environment(project, node.environment);
      }
    }
  }

  environment(project: Project, environment: string): EnvironmentNode {
    const node = this.environmentStatus(project, environment);
    const pending = this.pendingApprovals(project.slug, environment);
    if (pending === 0) return node;
    const text = plural(pending, 'pending approval', 'pending approvals');
    return { ...node, description: `${node.description} · ${text}`, tooltip: `${node.tooltip}\n${text} (see the Releases view)` };
  }

  private environmentStatus(project: Project, environment: string): EnvironmentNode {
    const single = project.tenantsDeclared ? undefined : project.tenants[0];
    const base = { kind: 'environment' as const, id: `env:${project.slug}/${environment}`, slug: project.slug, environment };
    if (single !== undefined) {
      const status = this.status(project, environment, single);
      return { ...base, tenant: single, label: environment, ...status };
    }
    const statuses = project.tenants.map((tenant) => ({
      tenant,
      state: this.deployState(project.slug, environment, tenant),
      ...this.status(project, environment, tenant),
    }));
    const count = (test: (s: (typeof statuses)[number]) => boolean) => statuses.filter(test).length;
    const failing = count((s) => s.health === 'error');
    const never = count((s) => s.health !== 'error' && s.state?.kind === 'never-deployed');
    const pending = count((s) => s.health !== 'error' && s.state?.kind === 'deployed' && s.state.drift.length > 0);
    const parts = [plural(project.tenants.length, 'tenant')];
    if (failing > 0) parts.push(`${failing} need${failing === 1 ? 's' : ''} action`);
    if (pending > 0) parts.push(`${pending} with changes pending`);
    if (never > 0) parts.push(`${never} never deployed`);
    if (statuses.every((s) => s.health === 'ok')) parts.push('all in sync');
    return {
      ...base,
      label: environment,
      description: parts.join(' · '),
      tooltip: [`${environment}${approvalText(project, environment)}`, ...statuses.map((s) => `${s.tenant}: ${s.description}`)].join('\n'),
      health: worstHealth(statuses.map((s) => s.health)),
    };
  }

  private tenant(project: Project, environment: string, tenant: string): TenantNode {
    return {
      kind: 'tenant',
      id: `tenant:${project.slug}/${environment}/${tenant}`,
      slug: project.slug,
      environment,
      tenant,
      label: tenant,
      ...this.status(project, environment, tenant),
    };
  }

  /** The workloads of (environment, tenant), after the cluster's error node when it cannot be asked. */
  private runtimeChildren(project: Project, environment: string, tenant: string): TreeNode[] {
    const cluster = this.clusterOf(project, environment, tenant);
    const error = clusterNodeParts(cluster);
    const workloads = this.workloads(project, environment, tenant, cluster);
    if (!error || !cluster) return workloads;
    const node: ClusterErrorNode = {
      kind: 'clusterError',
      id: `cluster:${project.slug}/${environment}/${tenant}`,
      slug: project.slug,
      environment,
      tenant,
      connection: cluster.connection,
      ...error,
      health: 'warning',
    };
    if (cluster.context) node.context = cluster.context;
    return [node, ...workloads];
  }

  /** The cluster status of (environment, tenant) for its bound workloads. */
  clusterOf(project: Project, environment: string, tenant: string): EnvironmentClusterStatus | undefined {
    const bound = project.workloads.filter((w) => this.index.isBound(project.slug, w.name, environment, tenant)).map((w) => w.name);
    return this.cluster(project, environment, tenant, bound);
  }

  /** Deployed commit and drift of one (tenant, environment), red when its values do not resolve, and its cluster's health. */
  private status(project: Project, environment: string, tenant: string): Pick<Base, 'description' | 'tooltip' | 'health'> {
    const git = this.gitStatus(project, environment, tenant);
    const cluster = clusterStatusParts(this.clusterOf(project, environment, tenant));
    return {
      description: cluster.description ? `${git.description} · ${cluster.description}` : git.description,
      tooltip: [git.tooltip, ...cluster.tooltip].join('\n'),
      health: cluster.colour ? worstHealth([git.health, COLOUR_HEALTH[cluster.colour]]) : git.health,
    };
  }

  private gitStatus(project: Project, environment: string, tenant: string): Pick<Base, 'description' | 'tooltip' | 'health'> {
    const broken = this.workloadErrors(project.slug, environment, tenant) ?? [];
    const state = this.deployState(project.slug, environment, tenant);
    const lines = [`${environment} / ${tenant}${approvalText(project, environment)}`];
    let description: string;
    let health: Health;
    if (!state) {
      description = 'reading Git…';
      health = 'unknown';
    } else if (state.kind === 'no-git') {
      description = 'not a Git repository';
      health = 'unknown';
    } else if (state.kind === 'error') {
      description = 'Git error';
      lines.push(state.message);
      health = 'error';
    } else if (state.kind === 'never-deployed') {
      description = 'never deployed';
      lines.push(`No branch gitopshq/deployed/${tenant}/${environment} yet.`);
      health = 'warning';
    } else {
      const d = state.deployed;
      const when = relativeTime(d.date, this.now());
      const pending = state.drift.length;
      description = `${d.shortSha} · ${d.authorName} · ${when}${pending > 0 ? ` · ${plural(pending, 'change')} pending` : ''}`;
      lines.push(`Deployed ${d.shortSha} "${d.subject}" by ${d.authorName} <${d.authorEmail}>, ${when} (${d.date.toISOString()})`);
      if (pending > 0) lines.push(`Pending on main:\n${state.drift.map((p) => `  • ${p}`).join('\n')}`);
      else lines.push('In sync with main.');
      health = pending > 0 ? 'warning' : 'ok';
    }
    if (broken.length > 0) {
      lines.push(`Needs action: ${broken.join(', ')} (unresolved variables or invalid values)`);
      health = 'error';
      description = `${description} · ${plural(broken.length, 'workload')} with errors`;
    }
    return { description, tooltip: lines.join('\n'), health };
  }

  private workloads(project: Project, environment: string, tenant: string, cluster: EnvironmentClusterStatus | undefined): WorkloadNode[] {
    return project.workloads.map((workload) => {
      const id = `workload:${project.slug}/${environment}/${tenant}/${workload.name}`;
      const base = { kind: 'workload' as const, id, slug: project.slug, environment, tenant, workload: workload.name, label: workload.name };
      const files = this.index.existingLayerFiles(project.slug, workload.name, environment, tenant);
      if (files.length === 0) {
        return {
          ...base,
          bound: false,
          live: false,
          description: 'not bound',
          tooltip: `${workload.name} has no values layer for ${environment}/${tenant}: it is not deployed there.`,
          health: 'unknown',
        };
      }
      const effective = this.index.effective(project.slug, workload.name, environment, tenant);
      const tag = imageTag(effective.values);
      const unresolved = effective.unresolved.length;
      const live = workloadClusterParts(cluster, workload.name, this.now());
      const gitHealth: Health = unresolved > 0 ? 'error' : 'ok';
      return {
        ...base,
        bound: true,
        live: live.colour !== undefined,
        valuesFile: files[files.length - 1]!,
        description: [live.description ?? '', tag ?? 'no image tag', unresolved > 0 ? plural(unresolved, 'unresolved variable') : ''].filter(Boolean).join(' · '),
        tooltip: [
          `${workload.name} in ${environment}/${tenant}`,
          `Image tag: ${tag ?? '(none)'}`,
          `Layers: ${files.map((f) => relativeTo(project.root, f)).join(' → ')}`,
          ...(unresolved > 0 ? [`Unresolved: ${effective.unresolved.join(', ')}`] : []),
          ...live.tooltip,
        ].join('\n'),
        health: live.colour ? worstHealth([gitHealth, COLOUR_HEALTH[live.colour]]) : gitHealth,
      };
    });
  }

  private valuesFiles(node: WorkloadNode): ValuesFileNode[] {
    const project = this.index.project(node.slug);
    const workload = project?.workloads.find((w) => w.name === node.workload);
    if (!project || !workload) return [];
    const existing = new Set(this.index.existingLayerFiles(node.slug, node.workload, node.environment, node.tenant));
    const files = [
      { file: chartValuesFile(project, workload), layer: -1, exists: true },
      ...layerFiles(project, workload, node.environment, node.tenant).map((file, layer) => ({ file, layer, exists: existing.has(file) })),
    ];
    return files.map((f) => ({
      kind: 'valuesFile' as const,
      id: `values:${node.slug}/${node.environment}/${node.tenant}/${node.workload}/${f.layer}`,
      file: f.file,
      exists: f.exists,
      label: path.relative(project.root, f.file),
      description: f.layer === -1 ? 'chart defaults' : f.exists ? `layer ${f.layer + 1}` : `layer ${f.layer + 1} · missing`,
      tooltip: f.exists ? f.file : `${f.file} does not exist: this layer is skipped.`,
      health: 'unknown' as const,
    }));
  }
}

/** path.relative for a file known to be under root, without its cost on a hot path (1,000 workloads). */
function relativeTo(root: string, file: string): string {
  return file.startsWith(root + path.sep) ? file.slice(root.length + 1) : path.relative(root, file);
}

function approvalText(project: Project, environment: string): string {
  const env = project.environments.find((e) => e.name === environment);
  if (!env) return '';
  const parts: string[] = [];
  if (env.approval.required > 0) parts.push(`${env.approval.required} approval${env.approval.required === 1 ? '' : 's'} required`);
  if (env.freeze) parts.push(`frozen: ${env.freeze.reason}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
