// Secrets on a 2 MB values file (issue 10, section 5): the release diff with secrets masked and the
// audit's changed values, as the extension host runs them (on the values worker, since the text is
// over 64 KB), and how long the host's event loop stops meanwhile. The file is a flat map of 40,000
// keys (the `yaml` library is quadratic on those) with a block scalar (which the fast reader may leave
// to the library) and secrets written literally.
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ValuesCommit } from '../../src/core/release/audit';
import { maskedFileDiff, summarizeLargeFiles } from '../../src/core/release/largeTexts';
import { ValuesParser } from '../../src/infra/fs/valuesParser';
import { median, round } from './stats';

const WORKER = path.join(__dirname, '../../src/infra/fs/valuesParseWorker.js');
const RUNS = 5;
const SECRETS = Array.from({ length: 20 }, (_, i) => `s3cr3t-value-${i}-${'x'.repeat(i)}`);

interface Result {
  name: string;
  value: number;
  unit: string;
  budget: number;
}

function valuesFile(edit: (i: number) => string | undefined): string {
  const lines = Array.from({ length: 40_000 }, (_, i) => edit(i) ?? `key_${String(i).padStart(5, '0')}: "value number ${i} of a large file"`);
  for (let k = 0; k < SECRETS.length; k++) lines[k * 1999] = `password_${k}: ${SECRETS[k]}`;
  return `${lines.join('\n')}\nnotes: |\n  a block scalar\n  of two lines\n`;
}

export async function run(): Promise<Result[]> {
  const before = valuesFile(() => undefined);
  const after = valuesFile((i) => (i === 123 || i === 20_000 || i === 39_000 ? `key_${String(i).padStart(5, "0")}: changed` : undefined));
  const parser = new ValuesParser(WORKER);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const results: Result[] = [];
  try {
    const measure = async (name: string, op: () => Promise<unknown>) => {
      await op(); // warm-up: worker start, JIT
      const times: number[] = [];
      let maxDelay = 0;
      for (let i = 0; i < RUNS; i++) {
        delay.reset();
        delay.enable();
        const started = performance.now();
        await op();
        times.push(performance.now() - started);
        // Let the sampling timer fire once, so a stall at the end is counted.
        await new Promise((resolve) => setTimeout(resolve, 10));
        delay.disable();
        maxDelay = Math.max(maxDelay, delay.max / 1e6);
      }
      results.push({ name: `secrets.${name}.2MB`, value: round(median(times)), unit: 'ms', budget: 1000 });
      results.push({ name: `secrets.${name}.2MB.eventLoopMaxDelay`, value: round(maxDelay), unit: 'ms', budget: 50 });
    };
    await measure('releaseDiffMasking', async () => {
      const diff = await maskedFileDiff({ path: 'values/prod/app.yaml', before, after, structural: false }, SECRETS, parser);
      if (diff.added !== 3 || JSON.stringify(diff).includes('s3cr3t')) throw new Error('unexpected release diff');
    });
    await measure('auditChangedValues', async () => {
      const commit: ValuesCommit = { sha: 'a'.repeat(40), author: { name: 'A', email: 'a@example.com' }, date: new Date().toISOString(), subject: 's', files: [{ path: 'values/prod/app.yaml', before, after }] };
      await summarizeLargeFiles([commit], parser, 5);
      if (commit.files[0]?.changes?.total !== 3) throw new Error('unexpected changed values');
    });
  } finally {
    parser.dispose();
  }
  return results;
}
