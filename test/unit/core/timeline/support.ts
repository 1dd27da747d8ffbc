// Timeline inputs from the recorded sequences: the storefront Deployment of shop-acme, release
// 3.2.0 (commit 1a410ef…) deployed to production for tenant acme at 10:00:00.
import type { Release } from '../../../../src/core/release/types';
import type { AncestryPort, Timeline, TimelineInput } from '../../../../src/core/timeline/types';
import { timeline } from '../../../../src/core/timeline/phases';
import type { RecordedSnapshot } from '../cluster/fixtures';

export const C1 = '9fceb02d0ae598e95dc970b74767f19372d61af8';
export const C2 = '1a410efbd13591db07496601ebc7a059dd55cfe9';
export const C3 = '2b7e4d1c9a8f7e6d5c4b3a29180f7e6d5c4b3a21';

/** The deployed branch's history, C1 → C2 → C3, as Git would answer it. */
export const history: AncestryPort = (ancestor, descendant) => {
  const order = [C1, C2, C3];
  const a = order.findIndex((c) => c.startsWith(ancestor));
  const d = order.findIndex((c) => c.startsWith(descendant));
  return a < 0 || d < 0 ? false : a <= d;
};

export function release(commit = C2, at = '2026-03-02T10:00:00Z', commits?: Record<string, string>): Pick<Release, 'id' | 'environment' | 'deploy'> {
  return { id: 'rel_01JDX4V6Q8K7E3M2N1P0R9S8T7', environment: 'production', deploy: { commit, at, ...(commits ? { commits } : {}) } };
}

export function input(s: RecordedSnapshot, extra: Partial<TimelineInput> = {}): TimelineInput {
  return {
    release: release(),
    project: 'shop',
    tenant: 'acme',
    workload: { kind: 'Deployment', name: 'storefront', selector: { 'app.kubernetes.io/name': 'storefront' } },
    object: s.deployments.find((d) => d.metadata.name === 'storefront'),
    applications: undefined,
    imageTag: '3.2.0',
    replicaSets: s.replicaSets,
    pods: s.pods,
    events: s.events,
    isAncestor: history,
    now: s.at,
    ...extra,
  };
}

/** The phases in one comparable list: `phase@time: detail`. */
export function story(t: Timeline): string[] {
  return t.reached.map((r) => `${r.phase}@${r.at.slice(11)}: ${r.detail}`);
}

export { timeline };
