// The project index on a large generated project (npm run bench, or
// node -e "require('./out/test/bench/projectIndex.bench.js').run().then(r=>console.log(r))"):
// 1,000 workloads × 10 environments × 3 layers (base/{workload}, {env}/{workload},
// {env}/{tenant}/{workload}, one tenant) = 21,000 values files of 15 lines with placeholders,
// 10 charts shared by the workloads, one variables file. Written to a temp folder on disk.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProjectIndex } from '../../src/core/model/projectIndex';
import { NodeFileSystem } from '../../src/infra/fs/nodeFileSystem';
import { median, round } from './stats';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  budget: number;
}

const WORKLOADS = 1000;
const ENVIRONMENTS = Array.from({ length: 10 }, (_, i) => `env${i}`);
const CHARTS = 10;
const TENANT = 'main';

export async function run(): Promise<BenchResult[]> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-bench-index-'));
  let nodeFs: NodeFileSystem | undefined;
  try {
    await generate(root);
    nodeFs = new NodeFileSystem();

    // Warm-up: a different index scans the same project once, so that the JIT is warm.
    const warm = new ProjectIndex(nodeFs);
    await warm.scan([root]);
    await warm.settled();

    // scan() resolves before the values files are parsed: the index parses them in the background
    // afterwards (see src/core/model/projectIndex.ts). Each timed scan starts on an idle event loop, as at
    // activation: the background parse of the previous index is awaited outside the clock (else
    // a fresh index would race a previous one that a real session would not have).
    const cold: number[] = [];
    let index = new ProjectIndex(nodeFs);
    for (let i = 0; i < 3; i++) {
      index = new ProjectIndex(nodeFs);
      const started = performance.now();
      await index.scan([root]);
      cold.push(performance.now() - started);
      await index.settled();
    }
    const project = index.projects()[0]?.project;
    if (!project || project.workloads.length !== WORKLOADS) throw new Error('the generated project did not index');

    // Effective values and image tag of every workload of one environment, effective-values caches
    // empty (a different environment each run), values files parsed (the index has settled).
    const effective: number[] = [];
    for (const env of ENVIRONMENTS.slice(0, 5)) {
      const started = performance.now();
      let tags = 0;
      for (const wl of project.workloads) {
        index.effective(project.slug, wl.name, env);
        if (index.imageTag(project.slug, wl.name, env) !== undefined) tags++;
      }
      effective.push(performance.now() - started);
      if (tags !== WORKLOADS) throw new Error(`expected ${WORKLOADS} image tags in ${env}, got ${tags}`);
    }

    // Saving one values file: read, parse, invalidate (the file is rewritten before each timing).
    const resave: number[] = [];
    const file = path.join(root, 'values', 'env3', 'w0042.yaml');
    for (let i = 0; i < 20; i++) {
      await fs.writeFile(file, envLayer(42, 'env3', i + 1));
      const started = performance.now();
      const changed = await index.fileChanged(file);
      resave.push(performance.now() - started);
      if (!changed) throw new Error('the resaved file did not change the index');
    }
    if (index.imageTag(project.slug, 'w0042', 'env3') !== '3.42.20') throw new Error('the resave did not reach the effective values');

    return [
      { name: 'index.cold', value: round(median(cold)), unit: 'ms', budget: 500 },
      { name: 'index.resave', value: round(median(resave)), unit: 'ms', budget: 20 },
      { name: 'index.effective1000', value: round(median(effective)), unit: 'ms', budget: 50 },
    ];
  } finally {
    nodeFs?.dispose();
    await fs.rm(root, { recursive: true, force: true });
  }
}

const name = (i: number) => `w${String(i).padStart(4, '0')}`;

/** Writes the benchmark project into `root` (exported for profiling). */
export async function generate(root: string): Promise<void> {
  const files = new Map<string, string>();
  files.set('gitopshq.yaml', manifest());
  files.set('.gitopshq/variables.yaml', variables());
  for (let c = 0; c < CHARTS; c++) {
    files.set(`charts/app${c}/Chart.yaml`, `apiVersion: v2\nname: app${c}\nversion: 1.0.0\nappVersion: "1.0"\n`);
    files.set(`charts/app${c}/values.yaml`, chartValues(c));
  }
  for (let w = 0; w < WORKLOADS; w++) {
    files.set(`values/base/${name(w)}.yaml`, baseLayer(w));
    for (const env of ENVIRONMENTS) {
      files.set(`values/${env}/${name(w)}.yaml`, envLayer(w, env, 0));
      files.set(`values/${env}/${TENANT}/${name(w)}.yaml`, tenantLayer(w, env));
    }
  }
  const folders = new Set([...files.keys()].map((f) => path.dirname(path.join(root, f))));
  for (const folder of folders) await fs.mkdir(folder, { recursive: true });
  const entries = [...files];
  for (let i = 0; i < entries.length; i += 256) {
    await Promise.all(entries.slice(i, i + 256).map(([rel, text]) => fs.writeFile(path.join(root, rel), text)));
  }
}

function manifest(): string {
  const lines = [
    'apiVersion: gitopshq.io/v1alpha1',
    'kind: Project',
    'metadata:',
    '  name: Benchmark',
    '  slug: benchmark',
    'spec:',
    '  environments:',
    ...ENVIRONMENTS.map((env) => `    - name: ${env}`),
    `  tenants: [${TENANT}]`,
    '  workloads:',
  ];
  for (let w = 0; w < WORKLOADS; w++) {
    lines.push(
      `    - name: ${name(w)}`,
      `      chart: charts/app${w % CHARTS}`,
      '      values:',
      '        - values/base/{workload}.yaml',
      '        - values/{env}/{workload}.yaml',
      '        - values/{env}/{tenant}/{workload}.yaml',
      '      kube:',
      '        kind: Deployment',
    );
  }
  return lines.join('\n') + '\n';
}

function variables(): string {
  const lines = ['repo:', '  IMAGE_REGISTRY: registry.example.com', '  LOG_LEVEL: info', 'env:'];
  for (const env of ENVIRONMENTS) lines.push(`  ${env}:`, `    DATABASE_HOST: ${env}-db.internal`, '    REPLICA_COUNT: 2');
  return lines.join('\n') + '\n';
}

function chartValues(c: number): string {
  return `# Default values for app${c}.
replicaCount: 1
image:
  repository: nginx
  tag: ""
  pullPolicy: IfNotPresent
service:
  type: ClusterIP
  port: 80
resources: {}
nodeSelector: {}
tolerations: []
`;
}

function baseLayer(w: number): string {
  return `# Base values of ${name(w)}
image:
  repository: "{{ hq.var.IMAGE_REGISTRY }}/${name(w)}"
  pullPolicy: IfNotPresent
service:
  type: ClusterIP
  port: 8080
env:
  - name: LOG_LEVEL
    value: "{{ hq.var.LOG_LEVEL }}"
podAnnotations:
  prometheus.io/scrape: "true"
  prometheus.io/port: "8080"
resources:
  limits: { cpu: 500m, memory: 256Mi }
`;
}

function envLayer(w: number, env: string, revision: number): string {
  const e = ENVIRONMENTS.indexOf(env);
  return `# ${name(w)} in ${env}
replicaCount: "{{ hq.var.REPLICA_COUNT }}"
image:
  tag: "${e}.${w}.${revision}"
env:
  - name: LOG_LEVEL
    value: "{{ hq.var.LOG_LEVEL }}"
  - name: DATABASE_URL
    value: "postgres://{{hq.var.DATABASE_HOST}}:5432/${name(w)}"
ingress:
  enabled: true
  hosts:
    - host: ${name(w)}.${env}.example.com
      paths: ["/"]
resources:
  requests: { cpu: 100m, memory: 128Mi }
`;
}

function tenantLayer(w: number, env: string): string {
  return `# ${name(w)} for tenant ${TENANT} in ${env}
podLabels:
  tenant: ${TENANT}
  workload: ${name(w)}
autoscaling:
  enabled: false
  minReplicas: 1
  maxReplicas: 3
nodeSelector:
  pool: general
tolerations: []
affinity: {}
extraEnv:
  - name: TENANT
    value: ${TENANT}
`;
}
