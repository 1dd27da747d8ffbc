import * as assert from 'node:assert/strict';
import type { Deployment } from '../../../../src/core/cluster/kubeTypes';
import { deployCommit, recognise, sameCommit } from '../../../../src/core/timeline/recognise';
import type { AncestryPort, RecogniseInput, TimelineApplication } from '../../../../src/core/timeline/types';
import { sequence } from '../cluster/fixtures';
import { C1, C2, C3, history, release } from './support';

const [, applied, , , healthy] = sequence('timeline-rollout.json');
const [successor] = sequence('timeline-superseded.json');
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const storefront = (s = healthy!) => copy(s.deployments[0]!) as Deployment;

function ask(extra: Partial<RecogniseInput>): RecogniseInput {
  return { release: release(), project: 'shop', tenant: 'acme', object: storefront(), applications: undefined, isAncestor: history, ...extra };
}

/** Records what Git was asked. */
function spy(answer: boolean | undefined): AncestryPort & { calls: [string, string][] } {
  const calls: [string, string][] = [];
  return Object.assign((a: string, d: string) => (calls.push([a, d]), answer), { calls });
}

describe('recognise: which release the cluster runs (spec §5)', () => {
  it('1. Argo CD: the Application labelled for (project, environment, tenant) synced at the deploy commit', () => {
    const r = recognise(ask({ applications: healthy!.applications, object: undefined }));
    assert.deepEqual(r, { running: true, by: 'argo', detail: 'Argo CD: Synced 1a410ef, Healthy' });
  });

  it('1. Argo CD synced at a descendant of the deploy commit (asked through the port)', () => {
    const apps = copy(healthy!.applications);
    apps[0]!.status!.sync!.revision = C3;
    const git = spy(true);
    assert.deepEqual(recognise(ask({ applications: apps, object: undefined, isAncestor: git })), { running: true, by: 'argo', detail: 'Argo CD: Synced 2b7e4d1, Healthy' });
    assert.deepEqual(git.calls, [[C2, C3]]);
  });

  it('an Application of another tenant or environment is not read', () => {
    for (const [key, value] of [['gitopshq.io/tenant', 'globex'], ['gitopshq.io/environment', 'staging'], ['gitopshq.io/project', 'other']] as const) {
      const apps = copy(healthy!.applications) as TimelineApplication[];
      apps[0]!.metadata.labels![key] = value;
      const git = spy(true);
      const r = recognise(ask({ applications: apps, object: undefined, isAncestor: git }));
      assert.equal(r.running, false, key);
      assert.deepEqual(git.calls, []);
    }
  });

  it('2. the workload annotation gitopshq.io/revision, full or short, equal to the deploy commit', () => {
    assert.deepEqual(recognise(ask({})), { running: true, by: 'annotation', detail: 'gitopshq.io/revision 1a410ef' });
    const object = storefront();
    object.metadata.annotations!['gitopshq.io/revision'] = '1a410ef';
    const git = spy(undefined);
    assert.equal(recognise(ask({ object, isAncestor: git })).running, true);
    assert.deepEqual(git.calls, [], 'an equal commit needs no Git');
  });

  it('2. the annotation at a descendant commit (the successor ran over it): running, by Git\'s word', () => {
    const object = storefront(successor);
    assert.equal(object.metadata.annotations!['gitopshq.io/revision'], C3);
    assert.deepEqual(recognise(ask({ object })), { running: true, by: 'annotation', detail: 'gitopshq.io/revision 2b7e4d1' });
    // The other way round (the cluster runs an ancestor) is not running the release.
    assert.deepEqual(recognise(ask({ object: storefront(applied), release: release(C3), imageTag: '3.3.0' })), { running: false, detail: 'the cluster does not run 2b7e4d1 yet' });
  });

  it('ancestry unknown: undefined (ask again later), unless the image tag decides', () => {
    const object = storefront(successor);
    const r = recognise(ask({ object, isAncestor: () => undefined }));
    assert.deepEqual(r, { running: undefined, detail: 'gitopshq.io/revision 2b7e4d1 (ancestry of 1a410ef not known yet)' });
    assert.deepEqual(recognise(ask({ object, isAncestor: () => undefined, imageTag: '3.3.0' })), { running: true, by: 'image', detail: 'image tag 3.3.0' });
  });

  it('the first rule that holds decides: Argo CD before the annotation', () => {
    const object = storefront();
    object.metadata.annotations!['gitopshq.io/revision'] = C1;
    assert.equal(recognise(ask({ object, applications: healthy!.applications })).by, 'argo');
    // Argo CD on an older commit does not hide a matching annotation.
    const apps = copy(healthy!.applications);
    apps[0]!.status!.sync!.revision = C1;
    assert.equal(recognise(ask({ applications: apps })).by, 'annotation');
  });

  it('3. every container image ends with the release\'s effective image tag (no annotation, no Argo CD)', () => {
    const object = storefront();
    delete object.metadata.annotations!['gitopshq.io/revision'];
    assert.deepEqual(recognise(ask({ object, imageTag: '3.2.0' })), { running: true, by: 'image', detail: 'image tag 3.2.0' });
    assert.equal(recognise(ask({ object, imageTag: '3.1.0' })).running, false);
    assert.equal(recognise(ask({ object, imageTag: '2.0' })).running, false, 'the tag is matched after the colon, not as any suffix');
    object.spec!.template!.spec!.containers.push({ name: 'proxy', image: 'envoyproxy/envoy:v1.30.1' });
    assert.equal(recognise(ask({ object, imageTag: '3.2.0' })).running, false, 'every container, not one');
    object.spec!.template!.spec!.containers = [{ name: 'storefront', image: 'acme/storefront:3.2.0@sha256:abc' }];
    assert.equal(recognise(ask({ object, imageTag: '3.2.0' })).running, true, 'a digest after the tag is ignored');
  });

  it('the commit for tenant T is deploy.commits[T] when present, else deploy.commit', () => {
    const multi = release(C1, '2026-03-02T10:00:00Z', { acme: C2, globex: C1 });
    assert.equal(deployCommit(multi, 'acme'), C2);
    assert.equal(deployCommit(multi, 'initech'), C1);
    const git = spy(false);
    assert.equal(recognise(ask({ release: multi, isAncestor: git })).running, true);
    assert.equal(recognise(ask({ release: multi, tenant: 'globex', isAncestor: git })).running, false);
    assert.deepEqual(git.calls, [[C1, C2]]);
  });

  it('no object and no Application: not running, and says why', () => {
    assert.deepEqual(recognise(ask({ object: undefined })), { running: false, detail: 'the workload is not in the cluster' });
  });

  it('commits compare by prefix of at least 7 characters', () => {
    assert.ok(sameCommit('1A410EF', C2));
    assert.ok(!sameCommit('1a41', C2));
    assert.ok(!sameCommit(C1, C2));
  });
});
