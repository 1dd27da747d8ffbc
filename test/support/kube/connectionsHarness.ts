// Shared set-up of the ClusterConnections tests: the fake API server over HTTPS with a small shop,
// a kubeconfig in a temp folder, and helpers to wait for a condition and to read the server's log.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { ClusterConnectionsOptions } from '../../../src/core/cluster/connections';
import type { Logger } from '../../../src/core/logger';
import { startKubeApiServer, type KubeApiServer, type KubeApiServerOptions, type RecordedRequest } from './apiServer';

export const NS = 'shop';
export const TOKENS = {
  admin: 'admin-token-3f9a1c7e5b2d4f6a8c0e',
  viewer: 'viewer-token-8b1d3f5a7c9e2b4d6f0a',
  wrong: 'wrong-token-5c7e9a1b3d5f7a9c1e3b',
};

export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nothing listens on: connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Lines a test can search: what the layer logged (it must never log a credential either). */
export class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  trace = (m: string) => void this.lines.push(`trace ${m}`);
  debug = (m: string) => void this.lines.push(`debug ${m}`);
  info = (m: string) => void this.lines.push(`info ${m}`);
  warn = (m: string) => void this.lines.push(`warn ${m}`);
  error = (m: string | Error) => void this.lines.push(`error ${m instanceof Error ? m.message : m}`);
  child = () => this;
}

export interface Harness {
  server: KubeApiServer;
  dir: string;
  kubeconfig: string;
  logger: RecordingLogger;
  options(extra?: Partial<ClusterConnectionsOptions>): ClusterConnectionsOptions;
  /** The server's requests for one resource in the namespace, split into lists and watches. */
  calls(resource: string, namespace?: string): { lists: RecordedRequest[]; watches: RecordedRequest[] };
  close(): Promise<void>;
}

export interface KubeconfigEntry {
  name: string;
  server?: string;
  namespace?: string;
  user: Record<string, unknown>;
  cluster?: Record<string, unknown>;
}

/** A kubeconfig with arbitrary users (exec, token-file...) for the server; the CA is the server's unless the cluster says otherwise. */
export function kubeconfigFor(server: KubeApiServer, entries: KubeconfigEntry[], current?: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': current ?? entries[0]?.name ?? '',
    clusters: entries.map((e) => ({
      name: `${e.name}-cluster`,
      cluster: e.cluster ?? { server: e.server ?? server.url, 'certificate-authority-data': Buffer.from(server.caCert ?? '').toString('base64') },
    })),
    users: entries.map((e) => ({ name: `${e.name}-user`, user: e.user })),
    contexts: entries.map((e) => ({ name: e.name, context: { cluster: `${e.name}-cluster`, user: `${e.name}-user`, ...(e.namespace ? { namespace: e.namespace } : {}) } })),
  });
}

export async function startHarness(serverOptions: KubeApiServerOptions = {}): Promise<Harness> {
  const server = await startKubeApiServer({
    stepMs: 20,
    bookmarkIntervalMs: 60_000,
    tokens: {
      [TOKENS.admin]: { user: 'admin' },
      [TOKENS.viewer]: { user: 'viewer', deny: [{ resource: 'pods', verb: 'list' }] },
    },
    ...serverOptions,
  });
  server.scenario.deployment(NS, 'storefront', { image: 'shop/storefront:1.0', replicas: 3 });
  server.scenario.deployment(NS, 'cart', { image: 'shop/cart:1.0', replicas: 1 });
  server.scenario.statefulSet(NS, 'ledger', { image: 'shop/ledger:1.0', replicas: 2 });
  server.scenario.daemonSet(NS, 'agent', { image: 'shop/agent:1.0' });
  server.scenario.deployment('other', 'elsewhere', { image: 'other/app:1.0', replicas: 1 });
  const dir = await mkdtemp(path.join(tmpdir(), 'gitopshq-kube-conn-'));
  const kubeconfig = path.join(dir, 'config');
  const refused = `https://127.0.0.1:${await closedPort()}`;
  await writeFile(kubeconfig, kubeconfigFor(server, [
    { name: 'admin', namespace: NS, user: { token: TOKENS.admin } },
    { name: 'viewer', namespace: NS, user: { token: TOKENS.viewer } },
    { name: 'stranger', namespace: NS, user: { token: TOKENS.wrong } },
    { name: 'down', namespace: NS, server: refused, user: { token: TOKENS.admin } },
  ]), { mode: 0o600 });
  const logger = new RecordingLogger();
  return {
    server,
    dir,
    kubeconfig,
    logger,
    options: (extra = {}) => ({ kubeconfig, allowExecPlugins: false, logger, idleStopMs: 60_000, env: { HOME: dir }, ...extra }),
    calls: (resource, namespace = NS) => {
      const mine = server.requests.filter((r) => r.path.endsWith(`/namespaces/${namespace}/${resource}`));
      return { lists: mine.filter((r) => r.query.watch !== 'true'), watches: mine.filter((r) => r.query.watch === 'true') };
    },
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
