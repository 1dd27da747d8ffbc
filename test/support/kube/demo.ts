// The demo cluster behind `npm start`: one context per environment of demo/gitopshq.yaml, so the
// tree is live: production healthy, staging rolling out (over and over), and in dev (one namespace
// per tenant: payments-dev-{tenant}) acme's checkout-web crash-looping while globex's is healthy.
import type { KubeApiServer } from './apiServer';
import { GitOpsController, type RolloutKnob } from './gitopsController';
import { startDemoLogs } from './demoLogs';
import type { KubeconfigContext } from './kubeconfig';

export const DEMO_CONTEXTS: KubeconfigContext[] = [
  { name: 'kind-dev', namespace: 'payments-dev-acme', token: 'demo-dev-token' },
  { name: 'staging-eu', namespace: 'payments-staging', token: 'demo-staging-token' },
  { name: 'prod-eu', namespace: 'payments', token: 'demo-prod-token' },
];

const LEDGER_LABELS = { app: 'ledger', component: 'worker' };

export function grantDemoTokens(server: KubeApiServer): void {
  for (const context of DEMO_CONTEXTS) server.tokens.set(context.token, { user: `demo-${context.name}` });
}

/**
 * How the demo's deploys roll out when a GitOps controller follows the repository: staging's
 * payment-api 2.4.1 crash-loops (its release shows a Failed rollout); production's charts stamp the
 * revision into the pod template (every deploy rolls, globex's onboarding too) slowly enough to watch.
 */
export const DEMO_KNOBS: Record<string, RolloutKnob> = {
  'staging/payment-api': { outcome: 'crash-loop' },
  'production/payment-api': { stepsPerMove: 2, templateRevision: true },
  'production/checkout-web': { stepsPerMove: 2, templateRevision: true },
};

/** Tags the demo registry does not have: deploying one shows a bad-image rollout. */
export const MISSING_IMAGES = /:[^/]*does-not-exist$/;

/**
 * Fill the cluster and start the dev crash loop. With the demo repository (`repo`), a GitOps
 * controller follows its deployed branches (staging's release then fails, production's next deploy
 * rolls out live); without it, staging keeps rolling between two versions so there is a rollout to watch.
 */
export function startDemo(server: KubeApiServer, options: { repo?: string; log?: (line: string) => void } = {}): GitOpsController | undefined {
  grantDemoTokens(server);
  // Before the workloads: their containers' startup lines are written as they start.
  startDemoLogs(server);
  const s = server.scenario;
  // The images are those of the demo's values files (registry.example.com/payments/<workload>:<tag>).
  const image = (workload: string, tag: string) => `registry.example.com/payments/${workload}:${tag}`;
  s.deployment('payments', 'payment-api', { image: image('payment-api', '2.4.0'), replicas: 3 });
  s.deployment('payments', 'checkout-web', { image: image('checkout-web', '1.7.2'), replicas: 2 });
  s.statefulSet('payments', 'ledger-worker', { image: image('ledger-worker', '0.9.2'), replicas: 2, labels: LEDGER_LABELS });

  s.deployment('payments-staging', 'payment-api', { image: image('payment-api', '2.4.0'), replicas: 2 });
  s.deployment('payments-staging', 'checkout-web', { image: image('checkout-web', '1.7.2'), replicas: 2 });
  s.statefulSet('payments-staging', 'ledger-worker', { image: image('ledger-worker', '0.9.3'), replicas: 1, labels: LEDGER_LABELS });

  for (const tenant of ['acme', 'globex']) {
    s.deployment(`payments-dev-${tenant}`, 'payment-api', { image: image('payment-api', '2.5.0'), replicas: 1 });
    s.deployment(`payments-dev-${tenant}`, 'checkout-web', { image: image('checkout-web', '1.8.0'), replicas: 1 });
  }

  void s.crashLoop('payments-dev-acme', 'checkout-web');
  if (options.repo) {
    const controller = new GitOpsController(server.store, s, {
      repo: options.repo,
      knobs: DEMO_KNOBS,
      missingImages: MISSING_IMAGES,
      onRollout: (r) => options.log?.(`gitops: ${r.branch} moved to ${r.commit.slice(0, 7)}: rolling ${r.namespace}/${r.deployment} to ${r.image}`),
      onError: (err) => options.log?.(`gitops: ${err instanceof Error ? err.message : String(err)}`),
    });
    controller.start();
    return controller;
  }
  void (async () => {
    // Staging keeps rolling between two versions, so there is always a rollout to watch.
    for (let i = 0; server.url !== ''; i++) {
      await s.rollout('payments-staging', 'payment-api', { image: image('payment-api', i % 2 === 0 ? '2.4.1' : '2.4.0') });
      if (s.isStopped) return;
    }
  })();
  return undefined;
}
