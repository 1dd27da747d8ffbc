// Runs inside the extension host (npm run bench): how long activate() took on the fixture.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import type { InternalApi } from '../../../src/vscode/api';

describe('activation benchmark', () => {
  it('measures activate() on the fixture', async () => {
    const api = await vscode.extensions.getExtension<InternalApi>('gitopshq.gitopshq-vscode')!.activate();
    const { callMs, resolvedMs } = api._activation;
    assert.ok(callMs > 0 && resolvedMs >= callMs);
    const out = process.env['GITOPSHQ_BENCH_OUT'];
    assert.ok(out, 'GITOPSHQ_BENCH_OUT is set by scripts/bench.mjs');
    const round = (ms: number) => Math.round(ms * 10) / 10;
    // `activate`: the activate() call itself (registrations, no I/O), VS Code's "activateCallTime".
    // `activate.resolved`: until its promise resolves, after the first index scan of the fixture.
    const lines = [
      { name: 'activate', value: round(callMs), unit: 'ms', budget: 50 },
      { name: 'activate.resolved', value: round(resolvedMs), unit: 'ms', budget: 250 },
    ];
    await fs.appendFile(out, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  });
});
