// The ancestry graph behind release attribution: containment through merges, walks that add only
// what is new, and heads that were never walked or do not exist.
import * as assert from 'node:assert/strict';
import { AncestryGraph } from '../../../../src/core/history/ancestry';

describe('AncestryGraph', () => {
  // a <- b <- d (merge of b and c) <- e ; a <- c ; a <- x (another branch)
  const walk = (graph: AncestryGraph, heads: string[], lines: string[]) => {
    for (const line of lines) graph.addLine(line);
    graph.addHeads(heads);
  };

  it('answers containment through merges, and not across branches', () => {
    const graph = new AncestryGraph();
    walk(graph, ['e'], ['e d', 'd b c', 'c a', 'b a', 'a']);
    assert.equal(graph.contains('e', 'c'), true, 'through the merge’s second parent');
    assert.equal(graph.contains('e', 'a'), true);
    assert.equal(graph.contains('e', 'e'), true, 'a head contains itself');
    assert.equal(graph.contains('b', 'c'), false, 'a sibling is not an ancestor');
    assert.equal(graph.contains('d', 'e'), false, 'a descendant is not an ancestor');
    assert.equal(graph.size, 5);
  });

  it('grows with a walk of a new head that leaves out known ancestors, and keeps earlier answers right', () => {
    const graph = new AncestryGraph();
    walk(graph, ['e'], ['e d', 'd b c', 'c a', 'b a', 'a']);
    assert.equal(graph.contains('e', 'b'), true);
    assert.deepEqual(graph.walked, ['e']);
    // `git rev-list --parents x --not e` prints only x: a is known.
    walk(graph, ['x'], ['x a']);
    assert.equal(graph.contains('x', 'a'), true);
    assert.equal(graph.contains('x', 'b'), false);
    assert.equal(graph.contains('e', 'x'), false, 'marks computed before the walk do not cover the new commits');
    assert.equal(graph.knows('x'), true);
  });

  it('contains nothing for a head not walked or missing from the repository', () => {
    const graph = new AncestryGraph();
    walk(graph, ['e'], ['e d', 'd b c', 'c a', 'b a', 'a']);
    assert.equal(graph.contains('b', 'a'), false, 'b was not walked as a head: not answered from a partial view');
    walk(graph, ['missing'], []);
    assert.equal(graph.knows('missing'), true);
    assert.equal(graph.contains('missing', 'a'), false);
  });
});
