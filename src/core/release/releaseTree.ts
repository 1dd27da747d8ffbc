// The Releases view as plain data: Project → Environment (promotion order) → state group → release.
// Computed from the loaded release files and the current identity's allowed actions, so expanding a
// node never does I/O; the editor adapter turns these descriptors into TreeItems.
import * as path from 'node:path';
import { plural, relativeTime } from '../format';
import type { Problem, Project } from '../types';
import { approvalProgress } from './policy';
import type { Release, ReleaseAction, ReleaseState } from './types';

export type ReleaseGroup = 'pending' | 'approved' | 'draft' | 'deployed' | 'closed';

/** Group order and labels; closed releases are history, so that group starts collapsed. */
export const RELEASE_GROUPS: readonly { group: ReleaseGroup; label: string; states: readonly ReleaseState[]; collapsed: boolean }[] = [
  { group: 'pending', label: 'Pending approval', states: ['pending_approval'], collapsed: false },
  // A release stays `deploying` only while the extension moves the branches: it belongs with the approved ones.
  { group: 'approved', label: 'Approved', states: ['approved', 'deploying'], collapsed: false },
  { group: 'draft', label: 'Draft', states: ['draft'], collapsed: false },
  { group: 'deployed', label: 'Deployed', states: ['deployed'], collapsed: false },
  { group: 'closed', label: 'Cancelled / Failed', states: ['cancelled', 'failed'], collapsed: true },
];

export const STATE_LABELS: Record<ReleaseState, string> = {
  draft: 'draft',
  pending_approval: 'pending approval',
  approved: 'approved',
  deploying: 'deploying',
  deployed: 'deployed',
  failed: 'failed',
  cancelled: 'cancelled',
};

interface Base {
  /** Stable identity, so VS Code keeps expansion and selection across refreshes. */
  id: string;
  label: string;
  description: string;
  tooltip: string;
}
export interface ReleaseProjectNode extends Base {
  kind: 'project';
  slug: string;
  children: (ReleaseEnvironmentNode | InvalidReleaseNode)[];
}
export interface ReleaseEnvironmentNode extends Base {
  kind: 'environment';
  slug: string;
  environment: string;
  pending: number;
  children: ReleaseGroupNode[];
}
export interface ReleaseGroupNode extends Base {
  kind: 'group';
  group: ReleaseGroup;
  collapsed: boolean;
  children: ReleaseItemNode[];
}
export interface ReleaseItemNode extends Base {
  kind: 'release';
  slug: string;
  releaseId: string;
  environment: string;
  state: ReleaseState;
  /** `release` plus the actions the current identity may take, e.g. `release:approve:reject`. */
  contextValue: string;
}
/** A release file that does not parse: shown so that it is not silently missing. */
export interface InvalidReleaseNode extends Base {
  kind: 'invalid';
  file: string;
}

export type ReleaseTreeNode = ReleaseProjectNode | ReleaseEnvironmentNode | ReleaseGroupNode | ReleaseItemNode | InvalidReleaseNode;

export interface ReleaseTreeEntry {
  file: string;
  release?: Release;
  problems: Problem[];
}

export interface ReleaseTreeInput {
  project: Project;
  entries: ReleaseTreeEntry[];
}

export interface ReleaseTreeOptions {
  /** What the current identity may do; an unknown identity may do nothing. */
  allowed: (slug: string, release: Release) => ReleaseAction[];
  now: Date;
}

export function buildReleaseTree(inputs: ReleaseTreeInput[], options: ReleaseTreeOptions): ReleaseProjectNode[] {
  return inputs.map(({ project, entries }) => {
    const valid = entries.flatMap((e) => (e.release ? [e.release] : []));
    const environments = project.environments.map((env) => environmentNode(project, env.name, valid, options));
    const invalid = entries
      .filter((e) => !e.release)
      .map<InvalidReleaseNode>((e) => ({
        kind: 'invalid',
        id: `release-invalid:${e.file}`,
        file: e.file,
        label: path.basename(e.file),
        description: 'invalid release file',
        tooltip: [e.file, ...e.problems.map((p) => `${p.span.start.line + 1}: ${p.message}`)].join('\n'),
      }));
    const pending = environments.reduce((n, e) => n + e.pending, 0);
    return {
      kind: 'project',
      id: `releases:${project.slug}`,
      slug: project.slug,
      label: project.name,
      description: [plural(valid.length, 'release'), pending > 0 ? plural(pending, 'pending approval', 'pending approvals') : '']
        .filter(Boolean)
        .join(' · '),
      tooltip: `${project.name} (${project.slug})`,
      children: [...environments, ...invalid],
    };
  });
}

function environmentNode(project: Project, environment: string, releases: Release[], options: ReleaseTreeOptions): ReleaseEnvironmentNode {
  const mine = releases.filter((r) => r.environment === environment);
  const groups = RELEASE_GROUPS.flatMap<ReleaseGroupNode>((g) => {
    const inGroup = mine
      .filter((r) => g.states.includes(r.state))
      // Newest first; the id (a ULID) breaks ties in creation order.
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    if (inGroup.length === 0) return [];
    return [
      {
        kind: 'group',
        id: `release-group:${project.slug}/${environment}/${g.group}`,
        group: g.group,
        collapsed: g.collapsed,
        label: g.label,
        description: String(inGroup.length),
        tooltip: `${plural(inGroup.length, 'release')} ${g.label.toLowerCase()} in ${environment}`,
        children: inGroup.map((r) => releaseNode(project, r, options)),
      },
    ];
  });
  const pending = mine.filter((r) => r.state === 'pending_approval').length;
  const env = project.environments.find((e) => e.name === environment);
  const policy = env && env.approval.required > 0 ? `${plural(env.approval.required, 'approval')} required` : 'no approval required';
  return {
    kind: 'environment',
    id: `release-env:${project.slug}/${environment}`,
    slug: project.slug,
    environment,
    pending,
    label: environment,
    description: mine.length === 0 ? 'no releases' : pending > 0 ? pendingApprovalsText(pending) : plural(mine.length, 'release'),
    tooltip: [`${environment}: ${policy}${env?.freeze ? `, frozen: ${env.freeze.reason}` : ''}`, plural(mine.length, 'release')].join('\n'),
    children: groups,
  };
}

export function pendingApprovalsText(n: number): string {
  return plural(n, 'pending approval', 'pending approvals');
}

function releaseNode(project: Project, release: Release, options: ReleaseTreeOptions): ReleaseItemNode {
  const progress = approvalProgress(release, project.teams);
  const author = release.createdBy.name.split(/\s+/)[0] ?? release.createdBy.name;
  const age = relativeTime(new Date(release.createdAt), options.now);
  const parts = [author, age];
  if (release.policy.required > 0 && (release.state === 'pending_approval' || release.state === 'approved')) {
    parts.unshift(approvalsText(progress.approvals.length, progress.required));
  }
  const actions = options.allowed(project.slug, release);
  return {
    kind: 'release',
    id: `release:${project.slug}/${release.id}`,
    slug: project.slug,
    releaseId: release.id,
    environment: release.environment,
    state: release.state,
    label: release.title,
    description: parts.join(' · '),
    tooltip: releaseTooltip(release, progress.approvals.map((a) => a.by.name), progress.required),
    contextValue: ['release', ...actions].join(':'),
  };
}

/** "0/1 approvals", "2/2 approvals": a ratio, so always the plural. */
export function approvalsText(have: number, required: number): string {
  return `${have}/${required} approvals`;
}

function releaseTooltip(release: Release, approvers: string[], required: number): string {
  const lines = [
    release.title,
    `${release.id} · ${STATE_LABELS[release.state]}`,
    `Environment: ${release.environment} · tenants: ${release.tenants.join(', ')}`,
    `Created by ${release.createdBy.name} <${release.createdBy.email}> at ${release.createdAt}`,
  ];
  if (required > 0) lines.push(`Approvals: ${approvalsText(approvers.length, required)}${approvers.length ? ` (${approvers.join(', ')})` : ''}`);
  if (release.rollbackOf) lines.push(`Rolls back ${release.rollbackOf}`);
  lines.push(`Changes:\n${release.changes.map((c) => `  • ${c.path}${c.blob === null ? ' (removed)' : ''}`).join('\n')}`);
  return lines.join('\n');
}

/** One line that says what creating a release in an environment will need (palette confirm step, form). */
export function policySummary(preview: {
  required: number;
  approvers: string[];
  requesterCanApprove: boolean;
  frozen: { reason?: string; until?: string } | null;
  resultState: ReleaseState;
}): string {
  const parts = [
    preview.required === 0
      ? 'No approval needed'
      : `Needs ${plural(preview.required, 'approval')} from ${preview.approvers.join(', ') || '(no approver listed)'}${preview.requesterCanApprove ? '' : ', not from you'}`,
    `starts as ${STATE_LABELS[preview.resultState]}`,
  ];
  if (preview.frozen) parts.push(`frozen${preview.frozen.reason ? `: ${preview.frozen.reason}` : ''}${preview.frozen.until ? ` until ${preview.frozen.until}` : ''} (deploy refused)`);
  return parts.join(' · ');
}
