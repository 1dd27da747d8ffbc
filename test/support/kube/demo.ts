// The demo cluster behind `npm start`: one context per environment of demo/gitopshq.yaml, so the
// tree is live: production healthy, staging rolling out (over and over), dev with a crash loop.
import type { KubeApiServer } from './apiServer';
import type { KubeconfigContext } from './kubeconfig';

export const DEMO_CONTEXTS: KubeconfigContext[] = [
  { name: 'kind-dev', namespace: 'payments-dev', token: 'demo-dev-token' },
  { name: 'staging-eu', namespace: 'payments-staging', token: 'demo-staging-token' },
  { name: 'prod-eu', namespace: 'payments', token: 'demo-prod-token' },
];

const LEDGER_LABELS = { app: 'ledger', component: 'worker' };

export function grantDemoTokens(server: KubeApiServer): void {
  for (const context of DEMO_CONTEXTS) server.tokens.set(context.token, { user: `demo-${context.name}` });
}

/** Fill the cluster and start the staging rollout and the dev crash loop (they run until the server closes). */
export function startDemo(server: KubeApiServer): void {
  grantDemoTokens(server);
  const s = server.scenario;
  s.deployment('payments', 'payment-api', { image: 'registry.example.com/payment-api:1.8.2', replicas: 3 });
  s.deployment('payments', 'checkout-web', { image: 'registry.example.com/checkout-web:2.4.0', replicas: 2 });
  s.statefulSet('payments', 'ledger-worker', { image: 'registry.example.com/ledger-worker:0.9.1', replicas: 2, labels: LEDGER_LABELS });

  s.deployment('payments-staging', 'payment-api', { image: 'registry.example.com/payment-api:1.8.2', replicas: 2 });
  s.deployment('payments-staging', 'checkout-web', { image: 'registry.example.com/checkout-web:2.4.0', replicas: 2 });
  s.statefulSet('payments-staging', 'ledger-worker', { image: 'registry.example.com/ledger-worker:0.9.1', replicas: 1, labels: LEDGER_LABELS });

  s.deployment('payments-dev', 'payment-api', { image: 'registry.example.com/payment-api:1.9.0-rc.1', replicas: 1 });
  s.deployment('payments-dev', 'checkout-web', { image: 'registry.example.com/checkout-web:2.5.0-rc.2', replicas: 1 });

  void s.crashLoop('payments-dev', 'checkout-web');
  void (async () => {
    // Staging keeps rolling between two versions, so there is always a rollout to watch.
    for (let i = 0; server.url !== ''; i++) {
      await s.rollout('payments-staging', 'payment-api', { image: `registry.example.com/payment-api:${i % 2 === 0 ? '1.9.0' : '1.8.2'}` });
      if (s.isStopped) return;
    }
  })();
}
