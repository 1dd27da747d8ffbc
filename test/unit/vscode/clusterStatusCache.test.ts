// The tree's cache of cluster statuses: one derivation per (project, environment, tenant) until a
// cluster change names it, a different bound set, or 5 s pass. Plain Node: the cache imports no vscode.
import * as assert from 'node:assert/strict';
import type { EnvironmentClusterStatus } from '../../../src/core/cluster/environmentStatus';
import type { Project } from '../../../src/core/types';
import { ClusterStatusCache } from '../../../src/vscode/views/clusterStatusCache';

const project = { slug: 'shop' } as Project;

describe('vscode/views ClusterStatusCache', () => {
  let calls: string[];
  let now: number;
  let answer: EnvironmentClusterStatus | undefined;
  let cache: ClusterStatusCache;

  beforeEach(() => {
    calls = [];
    now = 1000;
    answer = { connection: 'connected' } as EnvironmentClusterStatus;
    cache = new ClusterStatusCache((p, env, tenant, bound) => {
      calls.push(`${p.slug}/${env}/${tenant}:${bound.join(',')}`);
      return answer && { ...answer };
    }, () => now);
  });

  it('derives once per combination until a change names it', () => {
    const first = cache.get(project, 'prod', 'acme', ['api']);
    assert.equal(cache.get(project, 'prod', 'acme', ['api']), first);
    cache.get(project, 'dev', 'acme', ['api']);
    assert.deepEqual(calls, ['shop/prod/acme:api', 'shop/dev/acme:api']);
    cache.invalidate(new Set(['shop/prod/acme']));
    const second = cache.get(project, 'prod', 'acme', ['api']);
    cache.get(project, 'dev', 'acme', ['api']);
    assert.notEqual(second, first);
    assert.deepEqual(calls, ['shop/prod/acme:api', 'shop/dev/acme:api', 'shop/prod/acme:api']);
  });

  it('an empty change drops everything', () => {
    cache.get(project, 'prod', 'acme', ['api']);
    cache.get(project, 'dev', 'acme', ['api']);
    cache.invalidate(new Set());
    cache.get(project, 'prod', 'acme', ['api']);
    cache.get(project, 'dev', 'acme', ['api']);
    assert.equal(calls.length, 4);
  });

  it('asks again for other bound workloads, after 5 s, and while the answer is unknown', () => {
    cache.get(project, 'prod', 'acme', ['api']);
    cache.get(project, 'prod', 'acme', ['api', 'web']);
    assert.equal(calls.length, 2);
    now += 4999;
    cache.get(project, 'prod', 'acme', ['api', 'web']);
    assert.equal(calls.length, 2);
    now += 1;
    cache.get(project, 'prod', 'acme', ['api', 'web']);
    assert.equal(calls.length, 3);
    answer = undefined;
    cache.invalidate(new Set());
    assert.equal(cache.get(project, 'prod', 'acme', ['api']), undefined);
    assert.equal(cache.get(project, 'prod', 'acme', ['api']), undefined);
    assert.equal(calls.length, 5);
  });
});
