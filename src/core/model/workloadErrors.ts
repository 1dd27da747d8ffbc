// Which workloads of a (tenant, environment) need action: placeholders that do not resolve, or a
// values layer with an error. Knowing it means computing effective values for every workload of
// every environment, too much to do while the tree renders a large project, so it is computed in the
// background in small slices; the tree shows what is known and refreshes when more is.
//
// A workload whose computation throws counts as having errors, and the others are still computed:
// an exception here would otherwise leave every mark after it unknown for good.
import { nullLogger, type Logger } from '../logger';
import type { ProjectIndex } from './projectIndex';

const SLICE = 100;

export class WorkloadErrors {
  private readonly cache = new Map<string, string[]>();
  private readonly pending = new Map<string, { slug: string; environment: string; tenant: string }>();
  private generation = 0;
  private draining: Promise<void> | undefined;

  constructor(
    private readonly index: ProjectIndex,
    /** Called after a batch of answers became known (the tree refreshes). */
    private readonly onComputed: () => void,
    private readonly yieldToLoop: () => Promise<void> = () => new Promise((r) => setImmediate(r)),
    private readonly logger: Logger = nullLogger,
  ) {}

  /** The workloads with errors, or undefined while not known yet (the computation is then scheduled). */
  get(slug: string, environment: string, tenant: string): string[] | undefined {
    const key = `${slug}\u0000${environment}\u0000${tenant}`;
    const known = this.cache.get(key);
    if (known) return known;
    this.pending.set(key, { slug, environment, tenant });
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
    return undefined;
  }

  /** Forget every answer: the index changed. */
  invalidate(): void {
    this.generation++;
    this.cache.clear();
  }

  /** Resolves when nothing is left to compute (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    let computed = false;
    while (this.pending.size > 0) {
      const [key, job] = this.pending.entries().next().value as [string, { slug: string; environment: string; tenant: string }];
      this.pending.delete(key);
      const generation = this.generation;
      let result: string[] | undefined;
      try {
        result = await this.compute(job.slug, job.environment, job.tenant, generation);
      } catch (err) {
        // Not cached: asked again after the next change, which may have fixed it.
        this.logger.error(`Checking the workloads of ${job.slug} in ${job.tenant}/${job.environment} failed`, err);
        continue;
      }
      if (result && generation === this.generation) {
        this.cache.set(key, result);
        computed = true;
      }
    }
    if (computed) this.onComputed();
  }

  private async compute(slug: string, environment: string, tenant: string, generation: number): Promise<string[] | undefined> {
    const project = this.index.project(slug);
    if (!project) return [];
    const problems = this.index.problemsByFile();
    const out: string[] = [];
    for (let i = 0; i < project.workloads.length; i++) {
      if (i > 0 && i % SLICE === 0) {
        await this.yieldToLoop();
        // A change in the meantime makes this answer stale: its caller asks again after the refresh.
        if (generation !== this.generation) return undefined;
      }
      const workload = project.workloads[i]!.name;
      if (this.hasErrors(slug, workload, environment, tenant, problems)) out.push(workload);
    }
    return out;
  }

  private hasErrors(slug: string, workload: string, environment: string, tenant: string, problems: ReadonlyMap<string, readonly { severity: string }[]>): boolean {
    try {
      if (!this.index.isBound(slug, workload, environment, tenant)) return false;
      const files = this.index.existingLayerFiles(slug, workload, environment, tenant);
      const fileErrors = files.some((f) => problems.get(f)?.some((p) => p.severity === 'error'));
      return fileErrors || this.index.effective(slug, workload, environment, tenant).unresolved.length > 0;
    } catch (err) {
      this.logger.error(`Computing the values of ${slug}/${workload} in ${tenant}/${environment} failed`, err);
      return true;
    }
  }
}
