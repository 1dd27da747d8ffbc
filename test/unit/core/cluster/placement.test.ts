import * as assert from 'node:assert/strict';
import {
  environmentPlacement,
  parseClusterOverrides,
  substituteTenant,
  tenantSelector,
  tenantsSharingNamespace,
  workloadTarget,
} from '../../../../src/core/cluster/placement';
import type { Pod } from '../../../../src/core/cluster/kubeTypes';
import { labelSelectorQuery, matchesLabelSelector } from '../../../../src/core/cluster/labels';
import { recorded } from './fixtures';

const prod = { name: 'production', cluster: { context: 'prod-{tenant}', namespace: 'shop-{tenant}' } };
const staging = { name: 'staging', cluster: { context: 'staging', namespace: 'shop' } };
const api = { kube: { kind: 'Deployment' as const, name: 'api', selector: { 'app.kubernetes.io/name': 'api' } } };

describe('placement (spec §5 "Where a workload runs")', () => {
  it('substitutes every {tenant} in the context and the namespace', () => {
    assert.equal(substituteTenant('{tenant}-{tenant}', 'acme'), 'acme-acme');
    assert.deepEqual(environmentPlacement('shop', prod, 'acme'), { context: 'prod-acme', namespace: 'shop-acme', overridden: { context: false, namespace: false } });
  });

  it('leaves out what neither the manifest nor the user names', () => {
    assert.deepEqual(environmentPlacement('shop', { name: 'dev' }, 'acme'), { overridden: { context: false, namespace: false } });
  });

  it('the user override wins field by field, keyed <project>/<env>, with the tenant token', () => {
    const overrides = { 'shop/production': { context: 'kind-{tenant}' }, 'other/production': { context: 'nope' } };
    assert.deepEqual(environmentPlacement('shop', prod, 'globex', overrides), { context: 'kind-globex', namespace: 'shop-globex', overridden: { context: true, namespace: false } });
    assert.deepEqual(environmentPlacement('shop', staging, 'acme', { 'shop/staging': { namespace: 'shop-{tenant}-test' } }), {
      context: 'staging',
      namespace: 'shop-acme-test',
      overridden: { context: false, namespace: true },
    });
  });

  it('targets the workload object and its pods', () => {
    assert.deepEqual(workloadTarget('shop', prod, 'acme', { kube: { kind: 'StatefulSet', name: 'postgres', selector: { app: 'db' } } }), {
      context: 'prod-acme',
      namespace: 'shop-acme',
      overridden: { context: false, namespace: false },
      tenant: 'acme',
      kind: 'StatefulSet',
      name: 'postgres',
      selector: { app: 'db' },
    });
  });

  describe('tenants sharing a namespace', () => {
    const pods = recorded('deployment-healthy.json').filter((i) => i.kind === 'Pod') as unknown as Pod[];

    it('are the tenants whose context and namespace come out equal', () => {
      assert.deepEqual(tenantsSharingNamespace('shop', staging, 'acme', ['acme', 'globex']), ['acme', 'globex']);
      assert.deepEqual(tenantsSharingNamespace('shop', prod, 'acme', ['acme', 'globex']), ['acme']);
      // An override can put one tenant's namespace in common with nobody's.
      assert.deepEqual(tenantsSharingNamespace('shop', staging, 'acme', ['acme', 'globex'], { 'shop/staging': { namespace: 'shop-{tenant}' } }), ['acme']);
    });

    it('narrow the selector with gitopshq.io/tenant when the pods carry it', () => {
      const target = workloadTarget('shop', staging, 'acme', api);
      const narrowed = tenantSelector(target.selector, 'acme', true, pods.map((p) => p.metadata.labels));
      assert.deepEqual(narrowed, { 'app.kubernetes.io/name': 'api', 'gitopshq.io/tenant': 'acme' });
      assert.equal(labelSelectorQuery(narrowed), 'app.kubernetes.io/name=api,gitopshq.io/tenant=acme');
    });

    it('keep the plain selector when the pods do not carry the label, or the namespace is not shared', () => {
      const unlabelled = pods.map((p) => {
        const labels = { ...p.metadata.labels };
        delete labels['gitopshq.io/tenant'];
        return labels;
      });
      assert.deepEqual(tenantSelector(api.kube.selector, 'acme', true, unlabelled), api.kube.selector);
      assert.deepEqual(tenantSelector(api.kube.selector, 'acme', false, pods.map((p) => p.metadata.labels)), api.kube.selector);
    });
  });

  it('evaluates a LabelSelector like the API server', () => {
    const labels = { app: 'api', tier: 'web' };
    assert.equal(matchesLabelSelector(labels, {}), true);
    assert.equal(matchesLabelSelector(labels, { matchLabels: { app: 'api' } }), true);
    assert.equal(matchesLabelSelector(labels, { matchLabels: { app: 'db' } }), false);
    assert.equal(matchesLabelSelector(labels, { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'edge'] }] }), true);
    assert.equal(matchesLabelSelector(labels, { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }), false);
    assert.equal(matchesLabelSelector(labels, { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }), true);
    assert.equal(matchesLabelSelector(labels, { matchExpressions: [{ key: 'canary', operator: 'Exists' }] }), false);
    assert.equal(matchesLabelSelector(undefined, { matchExpressions: [{ key: 'canary', operator: 'NotIn', values: ['x'] }] }), true);
  });

  describe('the gitopshq.clusters setting', () => {
    it('takes good entries, empty strings as absent', () => {
      assert.deepEqual(parseClusterOverrides({ 'shop/staging': { context: 'kind-{tenant}', namespace: '' } }), {
        overrides: { 'shop/staging': { context: 'kind-{tenant}' } },
        problems: [],
      });
      assert.deepEqual(parseClusterOverrides(undefined), { overrides: {}, problems: [] });
    });

    it('leaves out each bad entry with a sentence naming it, and keeps the good ones', () => {
      const r = parseClusterOverrides({
        'shop/staging': { namespace: 'shop-{tenant}' },
        staging: { context: 'x' },
        'shop/dev': 'kind-dev',
        'shop/qa': { context: 1 },
        'shop/prod': { namespace: 'Shop' },
        'shop/perf': { cluster: 'x' },
      });
      assert.deepEqual(r.overrides, { 'shop/staging': { namespace: 'shop-{tenant}' } });
      assert.deepEqual(r.problems, [
        'gitopshq.clusters["staging"] is ignored: the key must be "<project>/<environment>", e.g. "shop/staging".',
        'gitopshq.clusters["shop/dev"] is ignored: the value must be an object with "context" and/or "namespace".',
        'gitopshq.clusters["shop/qa"] is ignored: "context" must be a string.',
        'gitopshq.clusters["shop/prod"] is ignored: "Shop" is not a namespace: use lowercase letters, digits and "-"; {tenant} may stand for the tenant\'s name.',
        'gitopshq.clusters["shop/perf"] is ignored: unknown field "cluster" (use "context" and "namespace").',
      ]);
      assert.equal(parseClusterOverrides(['x']).problems.length, 1);
    });
  });
});
