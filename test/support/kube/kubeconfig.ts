// A kubeconfig for the fake server: one context per entry, each with its own bearer token and
// default namespace. The CA goes in as certificate-authority-data, so nothing outside the file is
// needed and nothing is written to the user's ~/.kube.
import { stringify } from 'yaml';

export interface KubeconfigContext {
  name: string;
  namespace?: string;
  token: string;
  /** Another server for this context only (say, a closed port for an unreachable cluster). */
  server?: string;
}

export interface KubeconfigOptions {
  server: string;
  /** PEM of the server's CA; omit for a plain http:// server. */
  caCert?: string;
  contexts: KubeconfigContext[];
  currentContext?: string;
}

export function kubeconfigYaml(options: KubeconfigOptions): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': options.currentContext ?? options.contexts[0]?.name ?? '',
    clusters: options.contexts.map((c) => ({
      name: c.name,
      cluster: {
        server: c.server ?? options.server,
        ...(options.caCert !== undefined
          ? { 'certificate-authority-data': Buffer.from(options.caCert).toString('base64') }
          : { 'insecure-skip-tls-verify': true }),
      },
    })),
    users: options.contexts.map((c) => ({ name: c.name, user: { token: c.token } })),
    contexts: options.contexts.map((c) => ({
      name: c.name,
      context: { cluster: c.name, user: c.name, ...(c.namespace ? { namespace: c.namespace } : {}) },
    })),
  });
}
