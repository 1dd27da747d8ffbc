// The GitOpsHQ tree on the generated 1,000-workload project (npm run bench): the first level and one
// expanded environment, rendered from the index alone (the index is scanned before the clock starts,
// effective values are not cached yet, Git state is known).
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProjectIndex } from '../../src/core/projectIndex';
import { TreeModel, type TreeNode } from '../../src/core/treeModel';
import { WorkloadErrors } from '../../src/core/workloadErrors';
import { NodeFileSystem } from '../../src/infra/fs/nodeFileSystem';
import { generate, type BenchResult } from './projectIndex.bench';

export async function run(): Promise<BenchResult[]> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-bench-tree-'));
  try {
    await generate(root);
    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const index = new ProjectIndex(new NodeFileSystem());
      await index.scan([root]);
      const errors = new WorkloadErrors(index, () => undefined);
      const deployed = { kind: 'deployed' as const, drift: [], deployed: { branch: 'b', sha: 'f'.repeat(40), shortSha: 'fffffff', authorName: 'Dana', authorEmail: 'dana@example.com', date: new Date(), subject: 'deploy' } };
      const model = new TreeModel(index, () => deployed, (s, e, t) => errors.get(s, e, t));
      const started = performance.now();
      const projects = model.roots();
      const environments = model.children(projects[0]!);
      const env = environments[i % environments.length]!;
      const workloads = expand(model, env);
      timings.push(performance.now() - started);
      if (workloads.length !== 1000) throw new Error(`expected 1,000 workloads, got ${workloads.length}`);
      await errors.idle();
    }
    return [{ name: 'tree.firstLevelAndEnvironment1000', value: Math.round(median(timings) * 10) / 10, unit: 'ms', budget: 50 }];
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

function expand(model: TreeModel, node: TreeNode): TreeNode[] {
  const children = model.children(node);
  return children[0]?.kind === 'tenant' ? model.children(children[0]) : children;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
