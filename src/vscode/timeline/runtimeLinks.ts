// What the deployment timeline tells the dashboard and the log streams: a tile turns yellow while
// its release rolls out and red when it failed; a running log stream of a workload gets a marker
// line at the moment each phase was reached, so its lines can be read against the rollout.
import type * as vscode from 'vscode';
import type { RolloutObservation } from '../../core/fleet/types';
import type { FleetService } from '../dashboard/fleetService';
import type { LazyLogs } from '../logs/lazyLogs';
import type { LogStreamManager } from '../logs/logStreams';
import type { ReleaseRuntime } from './releaseRuntime';

const PHASE_WORDS = { pending: 'Pending', in_progress: 'In Progress', deployed: 'Deployed', healthy: 'Healthy', failed: 'Failed' } as const;

export function linkFleet(runtime: ReleaseRuntime, fleet: FleetService): vscode.Disposable {
  fleet.setRolloutPort((slug, environment, tenant): RolloutObservation | undefined => {
    const view = runtime.rollout(slug, environment, tenant);
    if (!view?.release || view.timeline.superseded) return undefined;
    const failure = view.timeline.failure;
    return {
      phase: view.timeline.phase,
      release: { id: view.release.id, title: view.release.title },
      ...(failure ? { failure: { reason: `${failure.workload}: ${failure.reason}`, ...(failure.pod ? { pod: failure.pod } : {}), ...(failure.container ? { container: failure.container } : {}) } } : {}),
    };
  });
  // An open dashboard needs the latest releases' phases, as the Releases view does.
  fleet.onVisible = (visible) => runtime.setVisible(visible, 'dashboard');
  return runtime.onDidChange(() => fleet.invalidate());
}

export function linkLogs(runtime: ReleaseRuntime, lazy: LazyLogs): vscode.Disposable[] {
  /** `slug/release/tenant/workload/phase` already written: a phase is marked once. */
  const written = new Set<string>();
  const mark = (logs: LogStreamManager | undefined) => {
    if (!logs) return; // no log command ran yet: nothing streams
    for (const view of runtime.followedViews()) {
      if (!view.release) continue;
      for (const { workload, timeline } of view.timeline.workloads) {
        for (const step of timeline.reached) {
          const key = `${view.project}/${view.release.id}/${view.tenant}/${workload}/${step.phase}`;
          if (written.has(key)) continue;
          const text = `${view.release.id} ${view.release.title}: ${PHASE_WORDS[step.phase]} (${step.detail})`;
          const reached = logs.marker({ project: view.project, environment: view.environment, workload, tenant: view.tenant }, step.at, text);
          // Only phases a stream took are spent: a stream started later still gets them, at their time.
          if (reached > 0) written.add(key);
        }
      }
    }
  };
  // A phase that moves, and a stream that starts (it gets the phases already reached).
  const subscriptions: vscode.Disposable[] = [runtime.onDidChange(() => mark(lazy.manager))];
  subscriptions.push(lazy.onDidLoad((logs) => subscriptions.push(logs.onDidChange(() => mark(logs)))));
  return subscriptions;
}
