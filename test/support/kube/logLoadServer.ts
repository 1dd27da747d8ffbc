// The fake API server in a child process for the log benchmark (test/bench/host/logs.bench.ts): its
// CPU (writing 20,000 lines a second over TLS) then does not count against the extension host it
// measures. Namespace `logs` with the Deployment `payment-api` of 10 ready pods, a kubeconfig with
// one `bench` context, and on IPC:
//   { load: { linesPerSecond, durationMs, cutEveryMs? } }: numbered lines over every pod (podLogs.ts
//     generate), every log connection cut every cutEveryMs; answered with
//     { done, counts: [pod, lines][], cuts, elapsedMs }.
//   { stop: true }: closes the server and exits.
import { startKubeApiServer } from './apiServer';

export const LOG_NAMESPACE = 'logs';
export const LOG_WORKLOAD = 'payment-api';
export const LOG_PODS = 10;

export type LogLoadMessage =
  | { ready: true; openStreams?: number }
  | { done: true; counts: Array<[string, number]>; cuts: number; elapsedMs: number }
  | { streams: number };

async function main(): Promise<void> {
  const file = process.argv[process.argv.indexOf('--kubeconfig') + 1]!;
  const token = 'logs-bench-token-7e21c4';
  const server = await startKubeApiServer({ tokens: { [token]: { user: 'bench' } } });
  server.scenario.deployment(LOG_NAMESPACE, LOG_WORKLOAD, { image: 'registry.example.com/payments/payment-api:2.4.0', replicas: LOG_PODS });
  await server.writeKubeconfig(file, [{ name: 'bench', namespace: LOG_NAMESPACE, token }], 'bench');
  const pods = server.store.list('pods', LOG_NAMESPACE).map((p) => p.metadata.name);

  process.on('message', (message: { load?: { linesPerSecond: number; durationMs: number; cutEveryMs?: number }; streams?: true; stop?: boolean }) => {
    if (message.stop) {
      void server.close().then(() => process.exit(0));
      return;
    }
    if (message.streams) {
      process.send!({ streams: server.logs.openStreams } satisfies LogLoadMessage);
      return;
    }
    if (!message.load) return;
    const { linesPerSecond, durationMs, cutEveryMs } = message.load;
    const started = Date.now();
    let cuts = 0;
    const cutter = cutEveryMs ? setInterval(() => void (cuts += server.logs.cut() > 0 ? 1 : 0), cutEveryMs) : undefined;
    const load = server.logs.generate({ namespace: LOG_NAMESPACE, pods, linesPerSecond, durationMs });
    void load.done.then(() => {
      if (cutter) clearInterval(cutter);
      process.send!({ done: true, counts: [...load.counts], cuts, elapsedMs: Date.now() - started } satisfies LogLoadMessage);
    });
  });
  process.send!({ ready: true } satisfies LogLoadMessage);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`log load server failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
