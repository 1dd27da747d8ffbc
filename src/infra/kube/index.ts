// Entry of the lazily loaded Kubernetes bundle (dist/kube.js): the only code that imports
// @kubernetes/client-node, so activation never pays for it.
//
// Security: what leaves this module is names, objects of the cluster and typed errors. Tokens,
// passwords, client keys, certificates and exec settings stay inside the connection layer, and
// listing contexts calls no API, so no exec credential plugin runs for it.
import { loadKubeconfig } from './kubeconfig';

export { createClusterConnections, type ClusterConnectionsTuning } from './clusterConnections';
// The health derivation ships here, not in dist/extension.js: it only has work once the client is loaded.
export { environmentStatus } from '../../core/cluster/environmentStatus';
// And the deployment timeline's (issue 13), for the same reason.
export { liveRelease, releaseTimeline } from '../../core/timeline/releaseTimeline';
export { podHealth } from '../../core/cluster/podHealth';

export interface KubeContextInfo {
  name: string;
  cluster?: string;
  namespace?: string;
  user?: string;
}

export interface KubeContexts {
  /** The kubeconfig's `current-context`, when set. */
  current?: string;
  contexts: KubeContextInfo[];
}

/**
 * The contexts of a kubeconfig: `options.kubeconfig` when given (`~` expanded), else the files
 * listed in $KUBECONFIG, else ~/.kube/config, merged as kubectl merges them. No kubeconfig at all
 * gives no contexts. Throws an Error whose message names the file but never quotes its content.
 */
export async function kubeContexts(options: { kubeconfig?: string } = {}): Promise<KubeContexts> {
  const config = await loadKubeconfig(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {});
  const result: KubeContexts = { contexts: [...config.contexts.values()].map((c) => ({ ...c })) };
  if (config.current !== undefined) result.current = config.current;
  return result;
}
