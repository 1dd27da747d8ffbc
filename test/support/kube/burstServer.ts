// The fake API server in a child process, for measurements of the client alone: 500 pods in
// `shop`, a kubeconfig with one `admin` context, and on an IPC message { burst: n } n pod updates
// (the server yields every 100), answered with { done, pods: [name, resourceVersion][] }.
//   fork('out/test/support/kube/burstServer.js', ['--kubeconfig', file])
import { startKubeApiServer } from './apiServer';
import type { KubeObject } from './selectors';

const NS = 'shop';

async function main(): Promise<void> {
  const file = process.argv[process.argv.indexOf('--kubeconfig') + 1]!;
  const server = await startKubeApiServer({ tokens: { 'burst-admin-token-7d9f1b3c5e': { user: 'admin' } }, historyLimit: 20_000 });
  for (let i = 0; i < 500; i++) {
    server.store.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `bulk-${String(i).padStart(3, '0')}`, namespace: NS, labels: { 'app.kubernetes.io/name': 'bulk' } },
      spec: { containers: [{ name: 'app', image: 'shop/bulk:1.0' }], nodeName: 'node-1' },
      status: { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'shop/bulk:1.0', state: { running: { startedAt: '2026-12-01T00:00:00Z' } } }] },
    } as unknown as KubeObject);
  }
  await server.writeKubeconfig(file, [{ name: 'admin', namespace: NS, token: 'burst-admin-token-7d9f1b3c5e' }]);
  process.on('message', (message: { burst?: number; stop?: boolean }) => {
    if (message.stop) {
      void server.close().then(() => process.exit(0));
      return;
    }
    void (async () => {
      const names = server.store.list('pods', NS).map((p) => p.metadata.name);
      for (let i = 0; i < (message.burst ?? 0); i++) {
        server.store.modify('pods', NS, names[i % names.length]!, (p) => {
          (p.metadata.annotations ??= {}).seq = String(i);
          const statuses = (p.status as { containerStatuses: Array<{ restartCount: number }> }).containerStatuses;
          statuses[0]!.restartCount = Math.floor(i / names.length);
        });
        if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
      }
      process.send!({ done: true, pods: server.store.list('pods', NS).map((p) => [p.metadata.name, p.metadata.resourceVersion]) });
    })();
  });
  process.send!({ ready: true, watches: 0 });
  setInterval(() => process.send!({ watches: server.openWatches }), 50).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`burst server failed: ${(err as Error).message}\n`);
  process.exit(1);
});
