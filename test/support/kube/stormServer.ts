// The fake API server in a child process for the cluster benchmark (test/bench/host/cluster.bench.ts):
// its CPU then does not count against the extension host it measures. Two namespaces of 100
// Deployments × 5 ready pods (`storm` for the storm, `fresh` for a first clusterStatus), a kubeconfig
// with one `bench` context, and on IPC:
//   { storm: { ticks, intervalMs } }: every intervalMs, every pod of `storm` flips its readiness
//     (the kubelet's status update, then the Deployment and ReplicaSet status from their controllers);
//     answered with { done, ticks, elapsedMs, podUpdates, deployments: [name, ready, desired][] }.
//   { stop: true }: closes the server and exits.
//   fork('out/test/support/kube/stormServer.js', ['--kubeconfig', file])
import { startKubeApiServer } from './apiServer';

export const STORM_NAMESPACE = 'storm';
export const FRESH_NAMESPACE = 'fresh';
export const STORM_WORKLOADS = 100;
export const STORM_REPLICAS = 5;
export const STORM_IMAGE = 'registry.example.com/bench/svc:1.0.0';

export type StormMessage =
  | { ready: true }
  | { done: true; ticks: number; elapsedMs: number; podUpdates: number; deployments: Array<[string, number, number]> };

export function workloadName(i: number): string {
  return `svc-${String(i).padStart(3, '0')}`;
}

async function main(): Promise<void> {
  const file = process.argv[process.argv.indexOf('--kubeconfig') + 1]!;
  const token = 'storm-bench-token-3c1d9e';
  // Enough history for a watch that reconnects during the storm to resume rather than list again.
  const server = await startKubeApiServer({ tokens: { [token]: { user: 'bench' } }, historyLimit: 20_000 });
  for (const namespace of [STORM_NAMESPACE, FRESH_NAMESPACE]) {
    for (let i = 0; i < STORM_WORKLOADS; i++) server.scenario.deployment(namespace, workloadName(i), { image: STORM_IMAGE, replicas: STORM_REPLICAS });
  }
  await server.writeKubeconfig(file, [{ name: 'bench', namespace: STORM_NAMESPACE, token }], 'bench');

  const deployments = () =>
    server.store.list('deployments', STORM_NAMESPACE).map((d): [string, number, number] => [
      d.metadata.name,
      Number((d.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0),
      Number((d.spec as { replicas: number }).replicas),
    ]);

  process.on('message', (message: { storm?: { ticks: number; intervalMs: number }; stop?: boolean }) => {
    if (message.stop) {
      void server.close().then(() => process.exit(0));
      return;
    }
    if (!message.storm) return;
    const { ticks, intervalMs } = message.storm;
    // Pods in the order of their Deployment: pod i belongs to Deployment floor(i / 5).
    const pods = server.store
      .list('pods', STORM_NAMESPACE)
      .sort((a, b) => (a.metadata.labels?.['app.kubernetes.io/name'] ?? '').localeCompare(b.metadata.labels?.['app.kubernetes.io/name'] ?? '') || a.metadata.name.localeCompare(b.metadata.name))
      .map((p) => p.metadata.name);
    const started = Date.now();
    let podUpdates = 0;
    let tick = 0;
    const step = () => {
      // Every pod changes state on every tick: odd pods ready on odd ticks, even pods on even ones.
      const before = server.store.resourceVersion;
      server.scenario.setPodsReady(STORM_NAMESPACE, pods.map((pod, i) => ({ pod, ready: (i + tick) % 2 === 0 })));
      podUpdates += server.store.resourceVersion - before;
      tick++;
      if (tick < ticks) {
        // Scheduled against the start, so a slow tick does not stretch the storm.
        setTimeout(step, Math.max(0, started + tick * intervalMs - Date.now()));
        return;
      }
      const done: StormMessage = { done: true, ticks: tick, elapsedMs: Date.now() - started, podUpdates, deployments: deployments() };
      process.send!(done);
    };
    step();
  });
  process.send!({ ready: true } satisfies StormMessage);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`storm server failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
