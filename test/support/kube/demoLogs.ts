// What the demo's containers write: a startup banner, request and job lines with a sprinkle of
// warnings, and for acme's crash-looping checkout-web a configuration error with its stack trace
// before each exit, so that `errorsOnly` and the stack-trace grouping have something real to show.
import type { KubeApiServer } from './apiServer';
import type { KubeObject } from './selectors';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PATHS = ['/v1/payments', '/v1/payments/{id}', '/v1/refunds', '/healthz', '/v1/checkout/session', '/metrics'];

function appOf(pod: KubeObject): string {
  return pod.metadata.labels?.['app.kubernetes.io/name'] ?? pod.metadata.labels?.app ?? pod.metadata.name;
}

function version(pod: KubeObject): string {
  const image = ((pod.spec as Any).containers?.[0]?.image ?? '') as string;
  return image.split(':')[1] ?? 'latest';
}

let turn = 0;

function chatter(pod: KubeObject): string {
  const app = appOf(pod);
  const n = turn++;
  if (app === 'ledger') return `{"level":"info","ts":"${new Date().toISOString()}","msg":"ledger batch committed","entries":${20 + (n % 17)},"lag_ms":${n % 40}}`;
  const path = PATHS[n % PATHS.length]!.replace('{id}', `pay_${(n * 7919) % 100000}`);
  if (n % 23 === 0) return `level=warn msg="slow upstream" upstream=psp.example.com duration=${900 + (n % 300)}ms path=${path}`;
  const method = path.startsWith('/v1/refunds') || path === '/v1/payments' ? 'POST' : 'GET';
  return `level=info msg="${method} ${path}" status=${method === 'POST' ? 201 : 200} duration=${3 + (n % 40)}ms request_id=${(n * 2654435761 >>> 0).toString(16)}`;
}

/** Starts the demo's log lines; they run until the server closes. */
export function startDemoLogs(server: KubeApiServer, intervalMs = 1500): void {
  server.logs.hooks = {
    started: (pod) => [
      `level=info msg="starting ${appOf(pod)} ${version(pod)}" go=go1.22.4 pid=1`,
      `level=info msg="listening" addr=:8080`,
    ],
    lastWords: (pod) => {
      if (appOf(pod) !== 'checkout-web') return [`level=error msg="exiting" code=1`];
      return [
        'level=info msg="loading configuration" file=/etc/checkout/config.yaml',
        'Exception in thread "main" java.lang.IllegalStateException: PAYMENT_API_URL is not set',
        '\tat com.example.checkout.Config.require(Config.java:57)',
        '\tat com.example.checkout.Config.load(Config.java:31)',
        '\tat com.example.checkout.Main.main(Main.java:14)',
        'Caused by: java.util.NoSuchElementException: PAYMENT_API_URL',
        '\tat com.example.checkout.Env.get(Env.java:22)',
        '\t... 3 more',
      ];
    },
  };
  const timer = setInterval(() => {
    if (server.url === '' || server.scenario.isStopped) {
      clearInterval(timer);
      return;
    }
    for (const pod of server.store.peekList('pods')) {
      const status = ((pod.status as Any)?.containerStatuses ?? [])[0];
      if (!status?.state?.running || pod.metadata.deletionTimestamp) continue;
      try {
        server.logs.append(pod.metadata.namespace!, pod.metadata.name, chatter(pod as KubeObject));
      } catch {
        // Stopped between the list and the write.
      }
    }
  }, intervalMs);
  timer.unref();
}
