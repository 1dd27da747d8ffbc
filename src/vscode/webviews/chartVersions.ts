// The chart versions the compare panel shows next to each workload, read from the charts' Chart.yaml.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse as parseYaml } from 'yaml';
import type { Project } from '../../core/types';
import type { Services } from '../services';

/**
 * The `version` of each chart's Chart.yaml, read with vscode.workspace.fs and cached per file;
 * the cache is dropped whenever the projects change (a Chart.yaml saved or edited included).
 */
export class ChartVersions {
  private readonly cache = new Map<string, Promise<string | undefined>>();

  constructor(private readonly s: Services) {
    s.store.register(s.projects.onDidChange(() => this.cache.clear()));
  }

  /** Chart folder (as written in the manifest) → version, for the charts that have one. */
  async of(project: Project): Promise<Record<string, string>> {
    const charts = [...new Set(project.workloads.map((w) => w.chart))];
    const versions = await Promise.all(charts.map((chart) => this.read(path.join(project.root, chart, 'Chart.yaml'))));
    const out: Record<string, string> = {};
    charts.forEach((chart, i) => {
      const version = versions[i];
      if (version !== undefined) out[chart] = version;
    });
    return out;
  }

  private read(file: string): Promise<string | undefined> {
    let entry = this.cache.get(file);
    if (!entry) {
      entry = (async () => {
        try {
          const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(file));
          const chart: unknown = parseYaml(new TextDecoder().decode(bytes));
          const version = chart && typeof chart === 'object' ? (chart as Record<string, unknown>)['version'] : undefined;
          return typeof version === 'string' || typeof version === 'number' ? String(version) : undefined;
        } catch (err) {
          // A missing or unparsable Chart.yaml: no version shown (the chart's own diagnostics tell why).
          this.s.logger.debug(`Compare panel: no chart version from ${file} (${String(err)})`);
          return undefined;
        }
      })();
      this.cache.set(file, entry);
    }
    return entry;
  }
}
