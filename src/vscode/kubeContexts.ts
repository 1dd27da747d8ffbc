import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import type * as Kube from '../infra/kube/index';
import { lazyBundle } from './lazyBundle';
import type { DisposableStore } from './lifecycle';

/** dist/kube.js, the Kubernetes client: activation never pays for it. */
export const loadKube = lazyBundle<typeof Kube>('kube');

/**
 * The contexts of the user's kubeconfig, read once in the background the first time a view asks,
 * so that an environment can say whether its cluster context is one the user has.
 */
export class KubeContextsCache {
  private contexts: Kube.KubeContexts | undefined;
  private loading: Promise<void> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly logger: Logger,
    store: DisposableStore,
    /** Reads the contexts of the kubeconfig the cluster connections use (the gitopshq.kubeconfig setting, KUBECONFIG, ~/.kube/config). */
    private readonly read: () => Promise<Kube.KubeContexts>,
  ) {
    store.register(this.changed);
  }

  /** Undefined until loaded (loading starts on the first call). */
  get(): Kube.KubeContexts | undefined {
    this.loading ??= this.load();
    return this.contexts;
  }

  /** Reads the kubeconfig again (the Refresh command). */
  reload(): Promise<void> {
    this.loading = this.load();
    return this.loading;
  }

  private async load(): Promise<void> {
    try {
      this.contexts = await this.read();
    } catch (err) {
      this.logger.warn(`Could not read the kubeconfig: ${err instanceof Error ? err.message : String(err)}`);
      this.contexts = { contexts: [] };
    }
    this.changed.fire();
  }
}

/** One tooltip line about an environment's cluster: which context and namespace, and whether the user has it. */
export function clusterLine(cluster: { context?: string; namespace?: string } | undefined, contexts: Kube.KubeContexts | undefined): string {
  if (!cluster?.context) return 'Cluster: no context in gitopshq.yaml';
  const where = `Cluster: context ${cluster.context}${cluster.namespace ? `, namespace ${cluster.namespace}` : ''}`;
  if (!contexts) return where;
  if (!contexts.contexts.some((c) => c.name === cluster.context)) {
    return `${where} (not in your kubeconfig: \`kubectl config get-contexts\` lists yours)`;
  }
  return `${where} (in your kubeconfig${contexts.current === cluster.context ? ', current' : ''})`;
}
