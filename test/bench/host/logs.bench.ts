// Runs inside the extension host (npm run bench): issue 15's log figures, against the fake API
// server over HTTPS in a child process. One stream of the 10 pods of a workload:
//  - logs.flood.*: 20,000 lines a second for 10 s: every line arrives once (sequence numbers per
//    pod), the channel's flush latency p95, the host's event-loop delay, heap growth after GC;
//  - logs.cuts.*: the same with every connection cut every 2 s: every gap resumed within 2 s,
//    nothing lost or repeated.
// The demo's production environment is pointed at the server with the gitopshq.clusters setting.
// Every written line is checked as it is flushed (a tap on the stream), with the default buffer.
import * as assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { LazyLogs } from '../../../src/vscode/logs/lazyLogs';
import type { LogStreamManager } from '../../../src/vscode/logs/logStreams';
import { LOG_NAMESPACE, LOG_PODS, LOG_WORKLOAD, type LogLoadMessage } from '../../support/kube/logLoadServer';
import { activate, waitFor } from '../../integration/support';
import { exposeGc, heapUsedMb, startControlProcess, startProfile } from './hostProbes';

const PROJECT = 'payment-platform';
const RATE = 20_000;
const DURATION_MS = 10_000;

type Line = { name: string; value: number; unit: string; budget: number | null };
type Done = Extract<LogLoadMessage, { done: true }>;

describe('log benchmark', function () {
  this.timeout(300_000);
  let child: ChildProcess | undefined;
  let dir: string;
  let logs: LogStreamManager;
  const messages: LogLoadMessage[] = [];
  const lines: Line[] = [];
  const config = () => vscode.workspace.getConfiguration('gitopshq');
  let previous: { kubeconfig: unknown; clusters: unknown };

  before(async () => {
    const api = await activate();
    logs = await (api._internal as { logs: LazyLogs }).logs.load();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitopshq-logs-bench-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    child = fork(path.join(__dirname, '..', '..', 'support', 'kube', 'logLoadServer.js'), ['--kubeconfig', kubeconfig], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (m) => void messages.push(m as LogLoadMessage));
    await waitFor(() => messages.some((m) => 'ready' in m), 'the log server', 60_000);
    previous = {
      kubeconfig: config().inspect('kubeconfig')?.globalValue,
      clusters: config().inspect('clusters')?.globalValue,
    };
    await config().update('kubeconfig', kubeconfig, vscode.ConfigurationTarget.Global);
    await config().update('clusters', { [`${PROJECT}/production`]: { context: 'bench', namespace: LOG_NAMESPACE } }, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.commands.executeCommand('gitopshq.logs.stop', {});
    await config().update('kubeconfig', previous.kubeconfig, vscode.ConfigurationTarget.Global);
    await config().update('clusters', previous.clusters, vscode.ConfigurationTarget.Global);
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.send({ stop: true });
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill();
    }
    if (dir) await fs.rm(dir, { recursive: true, force: true });
    const out = process.env['GITOPSHQ_BENCH_OUT'];
    if (out && lines.length > 0) await fs.appendFile(out, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  });

  async function run(name: 'flood' | 'cuts', cutEveryMs?: number): Promise<void> {
    const gc = exposeGc();
    const heapBefore = heapUsedMb(gc);
    const { id } = (await vscode.commands.executeCommand<{ id: string }>('gitopshq.logs.stream', { project: PROJECT, environment: 'production', tenant: 'acme', workload: LOG_WORKLOAD, tail: 0 }));
    await waitFor(() => logs.list().find((s) => s.id === id)?.openConnections === LOG_PODS, 'every pod connected', 30_000);
    await waitFor(async () => {
      messages.length = 0;
      child!.send({ streams: true });
      const m = await waitFor(() => messages.find((x): x is Extract<LogLoadMessage, { streams: number }> => 'streams' in x), 'the server\'s count');
      return m.streams === LOG_PODS;
    }, 'the server to serve every stream', 10_000);
    // Each pod's sequence numbers, checked line by line as they are written.
    const last = new Map<string, number>();
    let lost = 0;
    let duplicated = 0;
    let checked = 0;
    const gaps: number[] = [];
    const tap = logs.tap(id, (batch) => {
      for (const line of batch) {
        const at = line.indexOf('seq=');
        if (at < 0) {
          const resumed = /^── \[\w+\] resumed after (\d+\.\d) s ──$/.exec(line);
          if (resumed) gaps.push(Number(resumed[1]));
          continue;
        }
        const space = line.indexOf(' ', at);
        const seq = Number(line.slice(at + 4, space));
        const pod = line.slice(space + 5, line.indexOf(' ', space + 5));
        const before = last.get(pod) ?? 0;
        checked++;
        if (seq === before + 1) last.set(pod, seq);
        else if (seq > before + 1) {
          lost += seq - before - 1;
          last.set(pod, seq);
        } else if (seq <= before) duplicated++;
      }
    });
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    const control = startControlProcess();
    const profile = await startProfile('logs');
    const cpuBefore = process.cpuUsage();
    const loadStart = performance.now();
    messages.length = 0;
    child!.send({ load: { linesPerSecond: RATE, durationMs: DURATION_MS, ...(cutEveryMs ? { cutEveryMs } : {}) } });
    const done = await waitFor(() => messages.find((m): m is Done => 'done' in m), 'the load to end', 120_000);
    const total = done.counts.reduce((n, [, c]) => n + c, 0);
    await waitFor(() => checked >= total, () => `all ${total} lines (${checked} so far)`, 60_000);
    await new Promise((r) => setTimeout(r, 300));
    histogram.disable();
    const cpu = process.cpuUsage(cpuBefore);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - loadStart);
    const controlDelay = await control();
    await profile?.(name);
    tap.dispose();
    const heapAfter = heapUsedMb(gc);
    const latencies = [...logs.latencies(id)].sort((a, b) => a - b);
    const p95 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.95))] ?? 0;
    await vscode.commands.executeCommand('gitopshq.logs.stop', { id });
    for (const [pod, count] of done.counts) {
      const got = last.get(pod) ?? 0;
      if (got < count) lost += count - got;
    }
    const maxDelay = histogram.max / 1e6;
    console.log(
      `      ${name}: ${total} lines from ${done.counts.length} pods in ${done.elapsedMs} ms${cutEveryMs ? `, ${done.cuts} cuts, ${gaps.length} resumes, longest gap ${Math.max(0, ...gaps).toFixed(1)} s` : ''}; ` +
        `lost ${lost}, duplicated ${duplicated}; flush latency p95 ${p95.toFixed(1)} ms over ${latencies.length} flushes; ` +
        `event-loop delay max ${maxDelay.toFixed(1)} ms, p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms ` +
        `(an idle Node process meanwhile: max ${controlDelay?.max.toFixed(1) ?? '?'} ms, p99 ${controlDelay?.p99.toFixed(1) ?? '?'} ms); heap ${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)} MB${gc ? ' after GC' : ''}; host CPU ${(cpuShare * 100).toFixed(0)}% of one core; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    );
    lines.push(
      { name: `logs.${name}.lost`, value: lost, unit: 'lines', budget: 0 },
      { name: `logs.${name}.duplicated`, value: duplicated, unit: 'lines', budget: 0 },
      { name: `logs.${name}.flushLatencyP95`, value: round(p95), unit: 'ms', budget: 150 },
      { name: `logs.${name}.eventLoopMaxDelay`, value: round(maxDelay), unit: 'ms', budget: 50 },
      { name: `logs.${name}.heapGrowth`, value: round(heapAfter - heapBefore), unit: 'MB', budget: 100 },
      { name: `logs.${name}.idleProcessMaxDelay`, value: round(controlDelay?.max ?? -1), unit: 'ms', budget: null },
      { name: `logs.${name}.hostCpu`, value: Math.round(cpuShare * 100), unit: '% of a core', budget: null },
    );
    if (cutEveryMs) lines.push({ name: `logs.${name}.longestGap`, value: Math.max(0, ...gaps), unit: 's', budget: 2 });
    assert.ok(total >= RATE * (DURATION_MS / 1000) * 0.95, `the server kept the pace: ${total} lines`);
    if (cutEveryMs) assert.ok(gaps.length >= LOG_PODS, `the connections were cut and resumed (${gaps.length} resumes)`);
  }

  it('20,000 lines/s from 10 pods for 10 s', async () => {
    await run('flood');
  });

  it('the same with every connection cut every 2 s', async () => {
    await run('cuts', 2000);
  });
});

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
