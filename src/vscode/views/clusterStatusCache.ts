import type { ClusterLookup } from '../../core/tree/treeModel';
import type { EnvironmentClusterStatus } from '../../core/cluster/environmentStatus';

/** A cached answer older than this is derived again, so time-based health (recent restarts, ages) does not go stale. */
const MAX_AGE_MS = 5000;

interface Entry {
  bound: string;
  status: EnvironmentClusterStatus | undefined;
  at: number;
}

/**
 * One health derivation per (project, environment, tenant) per cluster change. Why: a change
 * re-renders the project, the environment, the tenant and their workloads, and each asks for the
 * same status, and the project row asks for every environment's: with 100 workloads and 500 pods a
 * derivation takes tens of milliseconds, and a storm of watch events then blocked the extension host
 * for seconds. Entries are dropped for the keys a cluster change names (all for an empty set).
 */
export class ClusterStatusCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly lookup: ClusterLookup,
    private readonly now: () => number = Date.now,
  ) {}

  readonly get: ClusterLookup = (project, environment, tenant, bound) => {
    const key = `${project.slug}/${environment}/${tenant}`;
    const boundKey = bound.join('\u0000');
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached && cached.bound === boundKey && now - cached.at < MAX_AGE_MS) return cached.status;
    const status = this.lookup(project, environment, tenant, bound);
    // Not known yet (the view is hidden, or the client is loading): ask again next time.
    if (status === undefined) this.entries.delete(key);
    else this.entries.set(key, { bound: boundKey, status, at: now });
    return status;
  };

  /** The cluster side of these `<slug>/<environment>/<tenant>` keys changed; empty: everything may have. */
  invalidate(keys: ReadonlySet<string>): void {
    if (keys.size === 0) this.entries.clear();
    else for (const key of keys) this.entries.delete(key);
  }
}
