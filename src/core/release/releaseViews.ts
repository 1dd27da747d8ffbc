// What the release panels show, built from the service's data: candidates merged across tenants and
// audit filter options (diffs: fileDiff.ts). Pure, unit-tested in test/unit/protocol/releaseViews.test.ts;
// the protocol's wire shapes (candidateSchema, the audit state's options) have these shapes.
import type { AffectedPath } from './affectedPaths';
import type { AuditEntry } from './audit';

export interface CandidateRow {
  path: string;
  status: 'added' | 'modified' | 'deleted';
  workload?: string;
  kind: AffectedPath['kind'];
  /** The working tree differs from HEAD for this path (in one of the tenants at least). */
  uncommitted: boolean;
  /** The selected tenants for which the path is a candidate. */
  tenants: string[];
}

/** Per tenant candidates, as the release workflow's CandidateView gives them. */
export interface TenantCandidates {
  tenant: string;
  changes: { path: string; status: CandidateRow['status']; workload?: string; kind: CandidateRow['kind']; uncommitted: boolean }[];
}

/** One row per path across the selected tenants (the first tenant's status), grouped order: workload, then path. */
export function mergeCandidates(views: readonly TenantCandidates[]): CandidateRow[] {
  const byPath = new Map<string, CandidateRow>();
  for (const view of views) {
    for (const c of view.changes) {
      const known = byPath.get(c.path);
      if (known) {
        known.tenants.push(view.tenant);
        known.uncommitted ||= c.uncommitted;
        continue;
      }
      byPath.set(c.path, {
        path: c.path,
        status: c.status,
        ...(c.workload !== undefined ? { workload: c.workload } : {}),
        kind: c.kind,
        uncommitted: c.uncommitted,
        tenants: [view.tenant],
      });
    }
  }
  return [...byPath.values()].sort((a, b) => (a.workload ?? '\uffff').localeCompare(b.workload ?? '\uffff') || a.path.localeCompare(b.path));
}

/** The values the audit panel's filter dropdowns offer. */
export function auditOptions(entries: readonly Pick<AuditEntry, 'environment' | 'environments' | 'workloads' | 'who' | 'action'>[]): {
  environments: string[];
  workloads: string[];
  people: { email: string; name: string }[];
  actions: AuditEntry['action'][];
} {
  const environments = new Set<string>();
  const workloads = new Set<string>();
  const people = new Map<string, string>();
  const actions = new Set<AuditEntry['action']>();
  for (const e of entries) {
    if (e.environment) environments.add(e.environment);
    for (const env of e.environments ?? []) environments.add(env);
    for (const w of e.workloads) workloads.add(w);
    const key = (e.who.email || e.who.name).toLowerCase();
    if (key && !people.has(key)) people.set(key, e.who.name);
    actions.add(e.action);
  }
  const sorted = (s: Iterable<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return {
    environments: sorted(environments),
    workloads: sorted(workloads),
    people: [...people.entries()].map(([email, name]) => ({ email, name })).sort((a, b) => (a.name || a.email).localeCompare(b.name || b.email)),
    actions: [...actions].sort(),
  };
}
