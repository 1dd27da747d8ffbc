// A generated project for the values-language benchmarks: 500 HQ Variables × 10 environments, one
// chart (values.yaml and values.schema.json) and two workloads whose base layer is a large values
// file shaped like a real umbrella chart's: one top-level block per component (nested maps, lists
// of maps, flow maps, comments), ~10% of the lines holding a placeholder.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export const ENVIRONMENTS = Array.from({ length: 10 }, (_, i) => `env${i}`);
export const VARIABLES = 500;
export const SLUG = 'values-bench';
/** Workload name → lines of its base layer. */
export const SIZES = { app10k: 10_000, app50k: 50_000 } as const;
export type Workload = keyof typeof SIZES;

export const variableName = (i: number) => `VAR_${String(i).padStart(3, '0')}`;
const component = (i: number) => `component${String(i).padStart(4, '0')}`;

/** The lines of one component block (49 lines, 5 with a placeholder). */
function componentLines(i: number): string[] {
  const v = (k: number) => `"{{hq.var.${variableName((i * 7 + k) % VARIABLES)}}}"`;
  const name = component(i);
  return [
    `# ${name}: generated`,
    `${name}:`,
    '  enabled: true',
    `  replicaCount: ${(i % 5) + 1}`,
    '  image:',
    `    repository: registry.example.com/${name}`,
    `    tag: ${v(0)}`,
    '    pullPolicy: IfNotPresent',
    '  service:',
    '    type: ClusterIP',
    `    port: ${8000 + (i % 1000)}`,
    '    annotations:',
    `      prometheus.io/scrape: "true"`,
    `      prometheus.io/port: "${9000 + (i % 100)}"`,
    '  ingress:',
    '    enabled: false',
    '    hosts:',
    `      - host: ${name}.example.com`,
    '        paths:',
    '          - path: /',
    '            pathType: Prefix',
    '  env:',
    '    - name: DATABASE_HOST',
    `      value: ${v(1)}`,
    '    - name: CACHE_URL',
    `      value: "redis://{{hq.var.${variableName((i * 7 + 2) % VARIABLES)}}}:6379/0"`,
    '    - name: LOG_LEVEL',
    '      value: info',
    '  resources:',
    '    requests: { cpu: 100m, memory: 128Mi }',
    '    limits: { cpu: 500m, memory: 256Mi }',
    '  autoscaling:',
    '    enabled: false',
    '    minReplicas: 1',
    `    maxReplicas: ${(i % 8) + 2}`,
    '    targetCPUUtilizationPercentage: 80',
    '  podAnnotations:',
    `    team: team-${i % 13}`,
    `    owner: ${v(3)}`,
    '  nodeSelector: {}',
    '  tolerations: []',
    '  config:',
    `    timeoutSeconds: ${10 + (i % 50)}`,
    `    featureFlags: [alpha, beta]`,
    `    region: ${v(4)}`,
    '    retries: 3',
    '    debug: false',
    '  extraLabels:',
    `    tier: backend`,
  ];
}

/** A values file of about `lines` lines. */
export function valuesText(lines: number): string {
  const out: string[] = ['# Generated values for the values-language benchmark.', 'global:', '  imageRegistry: registry.example.com', '  logLevel: info'];
  for (let i = 0; out.length < lines; i++) out.push(...componentLines(i));
  return out.slice(0, lines).join('\n') + '\n';
}

function manifest(): string {
  return [
    'apiVersion: gitopshq.io/v1alpha1',
    'kind: Project',
    'metadata:',
    '  name: Values benchmark',
    `  slug: ${SLUG}`,
    'spec:',
    '  environments:',
    ...ENVIRONMENTS.map((env) => `    - name: ${env}`),
    '  workloads:',
    ...Object.keys(SIZES).flatMap((w) => [`    - name: ${w}`, '      chart: charts/app', '      values:', '        - values/base/{workload}.yaml', '        - values/{env}/{workload}.yaml']),
  ].join('\n') + '\n';
}

function variables(): string {
  const lines = ['repo:'];
  for (let v = 0; v < VARIABLES; v += 10) lines.push(`  ${variableName(v)}: repo-value-${v}`);
  lines.push('env:');
  for (const env of ENVIRONMENTS) {
    lines.push(`  ${env}:`);
    for (let v = 0; v < VARIABLES; v++) {
      if (v % 10 === 0) continue;
      lines.push(v % 97 === 1 ? `    ${variableName(v)}: { value: ${env}-secret-${v}, secret: true }` : `    ${variableName(v)}: ${env}-value-${v}.internal`);
    }
  }
  return lines.join('\n') + '\n';
}

const COMPONENT_SCHEMA = {
  type: 'object',
  description: 'One component of the umbrella chart.',
  properties: {
    enabled: { type: 'boolean', description: 'Deploys the component.' },
    replicaCount: { type: ['integer', 'string'], description: 'Pods of the component.' },
    image: {
      type: 'object',
      properties: {
        repository: { type: 'string', description: 'Image repository.' },
        tag: { type: 'string', description: 'Image tag.' },
        pullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'], description: 'When the kubelet pulls the image.' },
      },
    },
    service: { type: 'object', properties: { type: { type: 'string', enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] }, port: { type: 'integer' } } },
    config: { type: 'object', properties: { timeoutSeconds: { type: 'integer', minimum: 1, description: 'Request timeout.' } } },
  },
};

function schema(): string {
  return JSON.stringify(
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { global: { type: 'object', properties: { imageRegistry: { type: 'string' }, logLevel: { type: 'string', enum: ['debug', 'info', 'warn', 'error'] } } } },
      additionalProperties: { $ref: '#/definitions/component' },
      definitions: { component: COMPONENT_SCHEMA },
    },
    null,
    2,
  );
}

export interface GeneratedProject {
  root: string;
  /** Workload → its base layer (the large file). */
  files: Record<Workload, string>;
  schemaFile: string;
}

/** Writes the project below `root` (which must exist). */
export async function generateProject(root: string): Promise<GeneratedProject> {
  const files = new Map<string, string>();
  files.set('gitopshq.yaml', manifest());
  files.set('.gitopshq/variables.yaml', variables());
  files.set('charts/app/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 1.0.0\n');
  files.set('charts/app/values.yaml', valuesText(60));
  files.set('charts/app/values.schema.json', schema());
  for (const [workload, lines] of Object.entries(SIZES)) {
    files.set(`values/base/${workload}.yaml`, valuesText(lines));
    for (const env of ENVIRONMENTS) files.set(`values/${env}/${workload}.yaml`, `component0001:\n  replicaCount: ${env.length}\n`);
  }
  for (const folder of new Set([...files.keys()].map((f) => path.dirname(path.join(root, f))))) await fs.mkdir(folder, { recursive: true });
  await Promise.all([...files].map(([rel, text]) => fs.writeFile(path.join(root, rel), text)));
  return {
    root,
    files: { app10k: path.join(root, 'values/base/app10k.yaml'), app50k: path.join(root, 'values/base/app50k.yaml') },
    schemaFile: path.join(root, 'charts/app/values.schema.json'),
  };
}
