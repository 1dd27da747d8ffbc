// No import cycle in src/ (type-only imports count: a cycle of types is a cycle of concepts), the
// check `npx madge --circular --extensions ts src` makes, kept true by the unit run.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

const SRC = path.resolve(__dirname, '../../../../src');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]/g;

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(full)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

async function resolve(from: string, spec: string): Promise<string | undefined> {
  const base = path.resolve(path.dirname(from), spec.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (await fs.stat(candidate).then((s) => s.isFile(), () => false)) return candidate;
  }
  return undefined;
}

/** Every cycle's first revisit found by a depth-first walk, as a list of files. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('architecture', () => {
  it('has no import cycle in src/', async () => {
    const files = await sourceFiles(SRC);
    const graph = new Map<string, string[]>();
    for (const file of files) {
      const text = await fs.readFile(file, 'utf8');
      const targets: string[] = [];
      for (const match of text.matchAll(IMPORT)) {
        const target = await resolve(file, match[1]!);
        if (target) targets.push(target);
      }
      graph.set(file, targets);
    }
    assert.ok(files.length > 150, `read the sources (${files.length} files)`);
    const rel = (f: string) => path.relative(SRC, f);
    assert.deepEqual(cycles(graph).map((c) => c.map(rel).join(' → ')), []);
  });
});
