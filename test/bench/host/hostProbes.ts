// What the host benchmarks share: a CPU profile of the extension host on demand, and a control
// process that measures what the machine alone adds to an event-loop figure.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { Session } from 'node:inspector';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/**
 * With GITOPSHQ_BENCH_PROFILE=<dir>: a CPU profile of the host from now until the returned function
 * is called, written to <dir>/<prefix>-<name>.cpuprofile (open it in Chrome's DevTools). To find
 * why a figure misses its budget.
 */
export async function startProfile(prefix: string): Promise<((name: string) => Promise<void>) | undefined> {
  const dir = process.env['GITOPSHQ_BENCH_PROFILE'];
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  return async (name) => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    session.disconnect();
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, `${prefix}-${name}.cpuprofile`), JSON.stringify(profile));
  };
}

/**
 * A Node process that does nothing but measure its own event-loop delay until the returned function
 * is called: what the machine alone (other processes on its cores) adds to the host's figure.
 */
export function startControlProcess(): () => Promise<{ max: number; p99: number } | undefined> {
  const code = `const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 5 }); h.enable();
process.stdin.once('data', () => { h.disable(); process.stdout.write(JSON.stringify({ max: h.max / 1e6, p99: h.percentile(99) / 1e6 })); process.exit(0); });`;
  const child = spawn(process.execPath, ['-e', code], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return async () => {
    child.stdin.write('stop\n');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null) child.kill();
    try {
      return JSON.parse(out) as { max: number; p99: number };
    } catch {
      return undefined;
    }
  };
}

/** The V8 gc function, for heap figures that do not count garbage (undefined when V8 refuses). */
export function exposeGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

export function heapUsedMb(gc: (() => void) | undefined): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}
