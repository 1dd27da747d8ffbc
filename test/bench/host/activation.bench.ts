// Runs inside the extension host (npm run bench): how long activate() took on the fixture.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import type { InternalApi } from '../../../src/vscode/api';

describe('activation benchmark', () => {
  it('measures activate() on the fixture', async () => {
    const api = await vscode.extensions.getExtension<InternalApi>('gitopshq.gitopshq-vscode')!.activate();
    const ms = api._activationMs;
    assert.ok(ms > 0);
    const out = process.env['GITOPSHQ_BENCH_OUT'];
    assert.ok(out, 'GITOPSHQ_BENCH_OUT is set by scripts/bench.mjs');
    await fs.appendFile(out, `${JSON.stringify({ name: 'activate', value: Math.round(ms * 10) / 10, unit: 'ms', budget: 50 })}\n`);
  });
});
