// Compare of two environments on a generated project (npm run bench, or
// node -e "require('./out/test/bench/compare.bench.js').run().then(r=>console.log(r))"):
// 200 workloads × 3 environments × 3 layers (base/{workload}, {env}/{workload},
// {env}/{tenant}/{workload}, one tenant), values of ~40 leaves with placeholders, lists and secrets,
// 5 charts, one variables file with env-, tenant- and svc-scoped variables. Written to a temp
// folder on disk. Each timed compare runs on a fresh index that has settled (values files parsed,
// effective values not yet computed): what the compare panel costs when it first opens.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareEnvironments } from '../../src/core/compare/compare';
import { ProjectIndex } from '../../src/core/model/projectIndex';
import { NodeFileSystem } from '../../src/infra/fs/nodeFileSystem';
import type { BenchResult } from './projectIndex.bench';
import { median, round } from './stats';

const WORKLOADS = 200;
const ENVIRONMENTS = ['dev', 'staging', 'production'];
const CHARTS = 5;
const TENANT = 'main';
const RUNS = 5;

export async function run(): Promise<BenchResult[]> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-bench-compare-'));
  let nodeFs: NodeFileSystem | undefined;
  try {
    await generate(root);
    nodeFs = new NodeFileSystem();
    const input = { project: 'compare-bench', source: 'staging', target: 'production', tenant: TENANT };

    // Warm-up (JIT), on its own index.
    const warm = new ProjectIndex(nodeFs);
    await warm.scan([root]);
    await warm.settled();
    compareEnvironments(warm, input);

    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const index = new ProjectIndex(nodeFs);
      await index.scan([root]);
      await index.settled();
      const started = performance.now();
      const result = compareEnvironments(index, input);
      times.push(performance.now() - started);
      if (result.workloads.length !== WORKLOADS || result.summary.workloadsChanged !== WORKLOADS) {
        throw new Error(`expected ${WORKLOADS} changed workloads, got ${result.summary.workloadsChanged}/${result.workloads.length}`);
      }
      if (result.summary.findings.error === 0) throw new Error('expected the planted cross-environment values to be found');
    }
    return [{ name: 'compare.200workloads', value: round(median(times)), unit: 'ms', budget: 300 }];
  } finally {
    nodeFs?.dispose();
    await fs.rm(root, { recursive: true, force: true });
  }
}

const name = (i: number) => `svc${String(i).padStart(3, '0')}`;

async function generate(root: string): Promise<void> {
  const files = new Map<string, string>();
  files.set('gitopshq.yaml', manifest());
  files.set('.gitopshq/variables.yaml', variables());
  for (let c = 0; c < CHARTS; c++) {
    files.set(`charts/chart${c}/Chart.yaml`, `apiVersion: v2\nname: chart${c}\nversion: 1.${c}.0\n`);
    files.set(`charts/chart${c}/values.yaml`, chartValues(c));
  }
  for (let w = 0; w < WORKLOADS; w++) {
    files.set(`values/base/${name(w)}.yaml`, baseLayer(w));
    ENVIRONMENTS.forEach((env, e) => {
      files.set(`values/${env}/${name(w)}.yaml`, envLayer(w, env, e));
      files.set(`values/${env}/${TENANT}/${name(w)}.yaml`, tenantLayer(w, env));
    });
  }
  for (const folder of new Set([...files.keys()].map((f) => path.dirname(path.join(root, f))))) await fs.mkdir(folder, { recursive: true });
  await Promise.all([...files].map(([rel, text]) => fs.writeFile(path.join(root, rel), text)));
}

function manifest(): string {
  const lines = [
    'apiVersion: gitopshq.io/v1alpha1',
    'kind: Project',
    'metadata:',
    '  name: Compare benchmark',
    '  slug: compare-bench',
    'spec:',
    '  environments:',
    ...ENVIRONMENTS.map((env) => `    - name: ${env}`),
    `  tenants: [${TENANT}]`,
    '  workloads:',
  ];
  for (let w = 0; w < WORKLOADS; w++) {
    lines.push(
      `    - name: ${name(w)}`,
      `      chart: charts/chart${w % CHARTS}`,
      '      values:',
      '        - values/base/{workload}.yaml',
      '        - values/{env}/{workload}.yaml',
      '        - values/{env}/{tenant}/{workload}.yaml',
    );
  }
  return lines.join('\n') + '\n';
}

function variables(): string {
  const lines = ['repo:', '  REGISTRY: registry.example.com', '  LOG_LEVEL: info', '  API_TOKEN: { value: repo-token-value, secret: true }', 'env:'];
  ENVIRONMENTS.forEach((env, e) => {
    lines.push(
      `  ${env}:`,
      `    DATABASE_HOST: ${env}-db.internal`,
      `    CACHE_HOST: ${env}-cache.internal`,
      `    REPLICAS: ${e + 1}`,
      `    DB_PASSWORD: { value: ${env}-password-value, secret: true }`,
    );
  });
  lines.push('tenant:', `  ${TENANT}: { REGION: eu-west-1 }`, 'svc:', `  ${TENANT}:`, '    production:');
  for (let w = 0; w < WORKLOADS; w += 10) lines.push(`      ${name(w)}: { REPLICAS: 8 }`);
  return lines.join('\n') + '\n';
}

function chartValues(c: number): string {
  return `replicaCount: 1
image:
  repository: registry.example.com/chart${c}
  tag: "1.0.0"
  pullPolicy: IfNotPresent
service:
  type: ClusterIP
  port: 8080
resources:
  requests: { cpu: 100m, memory: 128Mi }
  limits: { cpu: 500m, memory: 256Mi }
autoscaling:
  enabled: false
  minReplicas: 1
  maxReplicas: 3
podAnnotations: {}
tolerations: []
env: []
`;
}

function baseLayer(w: number): string {
  return `replicaCount: "{{hq.var.REPLICAS}}"
image:
  repository: "{{hq.var.REGISTRY}}/${name(w)}"
config:
  logLevel: "{{hq.var.LOG_LEVEL}}"
  region: "{{hq.var.REGION}}"
  database:
    url: "postgres://{{hq.var.DATABASE_HOST}}:5432/${name(w)}"
    password: "{{hq.var.DB_PASSWORD}}"
  cache:
    url: "redis://{{hq.var.CACHE_HOST}}:6379/${w % 16}"
  token: "{{hq.var.API_TOKEN}}"
env:
  - name: SERVICE
    value: ${name(w)}
  - name: OTEL_ENDPOINT
    value: http://otel.observability:4317
`;
}

function envLayer(w: number, env: string, e: number): string {
  // Production runs one release behind staging; every 20th production workload points at the
  // staging cache by mistake (a cross-environment finding).
  const minor = e === 2 ? 3 : 4;
  const cache = env === 'production' && w % 20 === 0 ? '\n  cacheOverride: redis://staging-cache.internal:6379' : '';
  return `image:
  tag: "2.${minor}.${w % 10}"
ingress:
  enabled: true
  host: ${name(w)}.${env === 'production' ? '' : `${env}.`}example.com
resources:
  requests: { cpu: ${100 * (e + 1)}m, memory: ${128 * (e + 1)}Mi }
autoscaling:
  enabled: ${e === 2}
  maxReplicas: ${3 * (e + 1)}
config:
  timeoutSeconds: ${10 + e * 5}${cache}
`;
}

function tenantLayer(w: number, env: string): string {
  return `podAnnotations:
  team: team-${w % 7}
  environment: ${env}
tolerations:
  - key: dedicated
    value: ${env}
    effect: NoSchedule
`;
}
