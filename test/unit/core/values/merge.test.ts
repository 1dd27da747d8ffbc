import * as assert from 'node:assert/strict';
import { mergeLayers } from '../../../../src/core/values/merge';
import { parseValuesFile, type ParsedValues } from '../../../../src/core/yaml/valuesReader';

const chart = (text: string) => parseValuesFile(text, '/repo/charts/api/values.yaml', -1);
const layer = (n: number, text: string) => parseValuesFile(text, `/repo/values/layer${n}.yaml`, n);

function where(layers: ParsedValues[], path: string): [string, number, number] | undefined {
  const o = mergeLayers(layers).origins.get(path);
  return o ? [o.file.replace('/repo/', ''), o.line, o.layer] : undefined;
}

describe('merge', () => {
  it('merges maps key by key, later layers winning', () => {
    const result = mergeLayers([
      chart('image:\n  repository: nginx\n  tag: "1.0"\n  pullPolicy: IfNotPresent\nreplicaCount: 1\n'),
      layer(0, 'image:\n  tag: "1.1"\n'),
      layer(1, 'replicaCount: 3\nimage:\n  pullPolicy: Always\n'),
    ]);
    assert.deepEqual(result.value, { image: { repository: 'nginx', tag: '1.1', pullPolicy: 'Always' }, replicaCount: 3 });
  });

  it('replaces lists and scalars whole', () => {
    const result = mergeLayers([
      chart('hosts: [a, b, c]\nport: 80\nnested: { list: [1, 2] }\n'),
      layer(0, 'hosts: [x]\nport: "8080"\nnested: { list: [] }\n'),
    ]);
    assert.deepEqual(result.value, { hosts: ['x'], port: '8080', nested: { list: [] } });
  });

  it('replaces a map with a scalar and a scalar with a map', () => {
    const result = mergeLayers([chart('a: { b: 1 }\nc: 2\n'), layer(0, 'a: off\nc: { d: 3 }\n')]);
    assert.deepEqual(result.value, { a: 'off', c: { d: 3 } });
  });

  it('removes a key set to null in a values layer, whichever layer set it', () => {
    const result = mergeLayers([
      chart('resources: { limits: { cpu: 1 } }\nnodeSelector: { disk: ssd }\nkeep: 1\n'),
      layer(0, 'extra: { a: 1, b: 2 }\n'),
      layer(1, 'resources: null\nnodeSelector:\n  disk: ~\nextra: { a: null }\nnew: { x: null, y: 1 }\nnever: null\n'),
    ]);
    assert.deepEqual(result.value, { nodeSelector: {}, keep: 1, extra: { b: 2 }, new: { y: 1 } });
  });

  it("keeps a null of the chart's own defaults as a value", () => {
    const result = mergeLayers([chart('podSecurityContext: null\nimage: { digest: ~ }\n'), layer(0, 'other: 1\n')]);
    assert.deepEqual(result.value, { podSecurityContext: null, image: { digest: null }, other: 1 });
  });

  it('lets a later layer set a key again after an earlier one removed it', () => {
    const result = mergeLayers([chart('a: 1\n'), layer(0, 'a: null\n'), layer(1, 'a: 2\n')]);
    assert.deepEqual(result.value, { a: 2 });
  });

  it('never changes the layers it merges', () => {
    const base = chart('a: { b: { c: 1 } }\nl: [1]\n');
    const over = layer(0, 'a: { b: { d: 2 } }\n');
    const before = JSON.stringify([base.value, over.value]);
    mergeLayers([base, over]);
    mergeLayers([over, base]);
    assert.equal(JSON.stringify([base.value, over.value]), before);
  });

  it('remembers where every value came from', () => {
    const layers = [
      chart('image:\n  repository: nginx\n  tag: "1.0"\nhosts:\n  - a\n  - b\nres:\n  cpu: 1\n'),
      layer(0, 'image:\n  tag: "1.1"\n'),
      layer(1, '\nhosts:\n  - x\nres: null\n'),
    ];
    assert.deepEqual(where(layers, 'image'), ['values/layer0.yaml', 1, 0], 'a merged map: the last layer that has it');
    assert.deepEqual(where(layers, 'image.repository'), ['charts/api/values.yaml', 1, -1]);
    assert.deepEqual(where(layers, 'image.tag'), ['values/layer0.yaml', 1, 0]);
    assert.deepEqual(where(layers, 'hosts'), ['values/layer1.yaml', 2, 1]);
    assert.deepEqual(where(layers, 'hosts[0]'), ['values/layer1.yaml', 2, 1]);
    assert.equal(where(layers, 'hosts[1]'), undefined, 'origins of a replaced list are dropped');
    assert.equal(where(layers, 'res'), undefined, 'a removed key has no origin');
    assert.equal(where(layers, 'res.cpu'), undefined);
    assert.deepEqual([...mergeLayers(layers).origins.keys()].sort(), ['hosts', 'hosts[0]', 'image', 'image.repository', 'image.tag']);
  });

  it('merges nothing into an empty map', () => {
    assert.deepEqual(mergeLayers([]).value, {});
    assert.equal(mergeLayers([]).origins.size, 0);
  });
});
