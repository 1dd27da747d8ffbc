// The share of values-file lines the fast reader reads (the rest goes to the `yaml` library, 25–40
// times slower): over chart values files in the style of kube-prometheus-stack, bitnami and traefik
// (test/bench/fixtures/chart-values, written for this: there is no network here) and environment
// layers generated from them. Reported as the share left to the library: lower is better.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseFast } from '../../src/core/yaml/valuesReader';
import type { BenchResult } from './projectIndex.bench';
import { round } from './stats';

const FIXTURES = path.resolve(__dirname, '../../../test/bench/fixtures/chart-values');

/** The chart file and, per environment, a layer that overrides every other top-level block of it. */
function layersOf(text: string): string[] {
  const blocks = text.split(/\n(?=[^\s#\-\]}])/);
  const layers = ['dev', 'staging', 'prod'].map((env, e) => blocks.filter((_, i) => i % 3 === e).join('\n').replace(/^(\s*replicas?: )\d+/m, `$1${e + 1}`) + `\n# ${env}\n`);
  return [text, ...layers];
}

export async function run(): Promise<BenchResult[]> {
  const names = (await fs.readdir(FIXTURES)).filter((f) => f.endsWith('.yaml')).sort();
  let lines = 0;
  let library = 0;
  const declined: string[] = [];
  for (const name of names) {
    const text = await fs.readFile(path.join(FIXTURES, name), 'utf8');
    layersOf(text).forEach((layer, i) => {
      const count = layer.split('\n').length;
      lines += count;
      if (parseFast(layer, name, i) === undefined) {
        library += count;
        declined.push(`${name}#${i}`);
      }
    });
  }
  if (declined.length > 0) console.error(`fast reader declined: ${declined.join(', ')}`);
  return [{ name: 'fastReader.linesLeftToLibrary', value: round((100 * library) / lines), unit: '%', budget: 5 }];
}
