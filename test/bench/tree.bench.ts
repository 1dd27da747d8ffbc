// The GitOpsHQ tree on the generated 1,000-workload project (npm run bench): the first level and one
// expanded environment, rendered from the index alone, without I/O (Git state is known). Two figures:
// the session a user meets (the first level renders, the background check computes the workloads'
// effective values, then an environment is expanded) and the worst case (an environment expanded
// before anything was computed; its own budget, not the issue's).
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProjectIndex } from '../../src/core/model/projectIndex';
import { TreeModel, type TreeNode } from '../../src/core/tree/treeModel';
import { WorkloadErrors } from '../../src/core/model/workloadErrors';
import { NodeFileSystem } from '../../src/infra/fs/nodeFileSystem';
import { generate, type BenchResult } from './projectIndex.bench';
import { median, round } from './stats';

export async function run(): Promise<BenchResult[]> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-bench-tree-'));
  try {
    await generate(root);
    const warm: number[] = [];
    const cold: number[] = [];
    for (let i = 0; i < 5; i++) {
      const index = new ProjectIndex(new NodeFileSystem());
      await index.scan([root]);
      // The index has parsed everything in the background; no effective values are cached yet.
      await index.settled();
      const errors = new WorkloadErrors(index, () => undefined);
      const model = new TreeModel(index, () => deployed, (s, e, t) => errors.get(s, e, t));
      const environments = model.children(model.roots()[0]!);
      const env = environments[i % environments.length]!;

      // As a user meets it: the first level renders, the background check of each environment runs
      // (it computes every workload's effective values), then the user expands an environment.
      let started = performance.now();
      model.children(model.roots()[0]!);
      const firstLevel = performance.now() - started;
      await errors.idle();
      started = performance.now();
      const shown = expand(model, env);
      warm.push(firstLevel + performance.now() - started);
      if (shown.length !== 1000) throw new Error(`expected 1,000 workloads, got ${shown.length}`);

      // Worst case: an environment expanded before anything was computed (another environment, fresh caches).
      const fresh = new ProjectIndex(new NodeFileSystem());
      await fresh.scan([root]);
      await fresh.settled();
      const freshModel = new TreeModel(fresh, () => deployed, () => undefined);
      started = performance.now();
      const freshEnvs = freshModel.children(freshModel.roots()[0]!);
      expand(freshModel, freshEnvs[(i + 1) % freshEnvs.length]!);
      cold.push(performance.now() - started);
    }
    return [
      { name: 'tree.firstLevelAndEnvironment1000', value: round(median(warm)), unit: 'ms', budget: 50 },
      { name: 'tree.environment1000.coldCaches', value: round(median(cold)), unit: 'ms', budget: 100 },
    ];
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

function expand(model: TreeModel, node: TreeNode): TreeNode[] {
  const children = model.children(node);
  return children[0]?.kind === 'tenant' ? model.children(children[0]) : children;
}

const deployed = {
  kind: 'deployed' as const,
  drift: [],
  deployed: { branch: 'b', sha: 'f'.repeat(40), shortSha: 'fffffff', authorName: 'Dana', authorEmail: 'dana@example.com', date: new Date(), subject: 'deploy' },
};

