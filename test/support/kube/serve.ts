// Start the fake Kubernetes API server with the demo cluster and write its kubeconfig:
//   node out/test/support/kube/serve.js --kubeconfig /tmp/x/kubeconfig [--step-ms 1500] [--port 0] [--repo <demo repository>]
// With --repo, a GitOps controller follows the repository's deployed branches (gitopsController.ts).
// Prints one JSON line ({"url", "kubeconfig"}) once serving; stops on SIGINT/SIGTERM.
import { startKubeApiServer } from './apiServer';
import { DEMO_CONTEXTS, startDemo } from './demo';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const kubeconfig = option('kubeconfig');
  if (!kubeconfig) {
    process.stderr.write('usage: serve --kubeconfig <file> [--step-ms <ms>] [--port <port>]\n');
    process.exit(2);
  }
  const server = await startKubeApiServer({ stepMs: Number(option('step-ms') ?? 1500), port: Number(option('port') ?? 0) });
  const repo = option('repo');
  startDemo(server, { ...(repo ? { repo } : {}), log: (line) => process.stderr.write(`${line}\n`) });
  await server.writeKubeconfig(kubeconfig, DEMO_CONTEXTS, 'prod-eu');
  process.stdout.write(`${JSON.stringify({ url: server.url, kubeconfig })}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake kube API server failed: ${(err as Error).message}\n`);
  process.exit(1);
});
