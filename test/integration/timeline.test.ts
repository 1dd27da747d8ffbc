// The deployment timeline in real VS Code against the demo cluster, whose GitOps controller follows the
// demo repository's deployed branches (test/support/kube/gitopsController.ts): a release deployed to
// dev rolls out and its timeline goes Pending → In Progress → Deployed → Healthy (the window shortened
// by the setting); a release of an image the registry does not have reaches Failed with the pod and
// the reason, and raises one notification. Both through the API and the Releases view's runtime.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { ApiTimeline } from '../../src/api/gitopshq';
import type { ReleaseResult } from '../../src/vscode/releases/releaseService';
import type { TimelineFeature } from '../../src/vscode/timeline/registerTimeline';
import { workbenchText } from '../support/control';
import { internals, waitFor, workspaceRoot } from './support';

const run = promisify(execFile);
const PROJECT = 'payment-platform';
const WINDOW_SECONDS = 2;

export async function git(...args: string[]): Promise<string> {
  return (await run('git', args, { cwd: workspaceRoot() })).stdout.trim();
}

/** Writes a values file, releases it to dev for one tenant (a draft: dev needs no approval) and deploys it. */
export async function releaseToDev(file: string, content: string, tenant: string, title: string): Promise<string> {
  await fs.mkdir(path.dirname(path.join(workspaceRoot(), file)), { recursive: true });
  await fs.writeFile(path.join(workspaceRoot(), file), content);
  const created = await vscode.commands.executeCommand<ReleaseResult>('gitopshq.release.create', {
    project: PROJECT,
    environment: 'dev',
    title,
    notes: 'Timeline test.',
    paths: [file],
    tenants: [tenant],
    commitUncommitted: true,
  });
  assert.ok(created?.id, 'the release was created');
  const deployed = await vscode.commands.executeCommand<ReleaseResult>('gitopshq.release.deploy', { project: PROJECT, id: created.id });
  assert.equal(deployed?.state, 'deployed');
  return created.id;
}

export async function setWindow(seconds: number | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('gitopshq').update('healthyAfterSeconds', seconds, vscode.ConfigurationTarget.Global);
}

function story(t: ApiTimeline): string {
  return t.phases.map((p) => `${p.phase}@${p.at} ${p.detail}`).join(' | ');
}

describe('Deployment timeline', function () {
  this.timeout(180_000);
  let feature: TimelineFeature;

  before(async function () {
    if (!process.env['GITOPSHQ_DEMO_KUBECONFIG']) this.skip(); // a runner that starts no demo cluster
    const { api } = await internals();
    feature = (api._internal as { timeline: TimelineFeature }).timeline;
    await setWindow(WINDOW_SECONDS);
  });

  after(async () => {
    await setWindow(undefined);
  });

  it('follows a dev release from Pending through In Progress and Deployed to Healthy', async () => {
    const { api } = await internals();
    const id = await releaseToDev('values/dev/globex/payment-api.yaml', '# globex dev: the next payment-api\nimage:\n  tag: "2.5.1"\n', 'globex', 'payment-api 2.5.1 for globex in dev');
    // The Releases view's runtime follows a release deployed in this window, visible or not.
    const seen = new Set<string>();
    const healthy = await waitFor(
      async () => {
        const phase = feature.runtime.phase(PROJECT, id)?.phase;
        if (phase) seen.add(phase);
        const t = await api.timeline(PROJECT, { release: id });
        return t.phase === 'healthy' ? t : undefined;
      },
      'the release to turn Healthy',
      120_000,
    );
    assert.deepEqual(healthy.phases.map((p) => p.phase), ['pending', 'in_progress', 'deployed', 'healthy'], story(healthy));
    const times = healthy.phases.map((p) => Date.parse(p.at));
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!, `phase times never go backwards: ${story(healthy)}`);
    assert.ok(times[3]! - times[2]! >= WINDOW_SECONDS * 1000, `Healthy at least the window after Deployed: ${story(healthy)}`);
    assert.match(healthy.phases[1]!.detail, /generation \d+ observed|updated/);
    assert.match(healthy.phases[2]!.detail, /1\/1 available/);
    assert.match(healthy.phases[3]!.detail, new RegExp(`no restarts for ${WINDOW_SECONDS} s`));
    assert.equal(healthy.tenant, 'globex');
    assert.equal(healthy.release, id);
    assert.equal(healthy.superseded, undefined);
    // Once Healthy, only the new template's pods: the 2.5.1 one.
    assert.equal(healthy.pods.length, 1);
    assert.match(healthy.pods[0]!.containers[0]!.image, /:2\.5\.1$/);
    assert.ok(healthy.events.some((e) => e.reason === 'ScalingReplicaSet'), 'the rollout events are listed');
    await waitFor(() => feature.runtime.phase(PROJECT, id)?.phase === 'healthy', 'the Releases view to show Healthy', 10_000);
    assert.ok(seen.has('in_progress') || seen.has('deployed') || seen.has('pending'), `the view saw the rollout under way (${[...seen].join(', ')})`);

    // `{ environment, workload }` means the latest deployed release of that workload there.
    const byWorkload = await api.timeline(PROJECT, { environment: 'dev', workload: 'payment-api', tenant: 'globex' });
    assert.equal(byWorkload.release, id);
    assert.equal(byWorkload.phase, 'healthy');
  });

  it('a release of an image the registry lacks reaches Failed with the pod and the reason, and says so once', async () => {
    const { api } = await internals();
    const before = feature.runtime.notices.length;
    // A log stream of the workload, running while it rolls out, gets the phases as marker lines.
    const { id: streamId } = await vscode.commands.executeCommand<{ id: string }>('gitopshq.logs.stream', { project: PROJECT, environment: 'dev', workload: 'payment-api', tenant: 'acme' });
    const id = await releaseToDev('values/dev/acme/payment-api.yaml', '# acme dev: a tag nobody pushed\nimage:\n  tag: "2.5.2-does-not-exist"\n', 'acme', 'payment-api 2.5.2 for acme in dev');
    const failed = await waitFor(
      async () => {
        const t = await api.timeline(PROJECT, { release: id, tenant: 'acme' });
        return t.phase === 'failed' ? t : undefined;
      },
      'the release to fail',
      120_000,
    );
    assert.deepEqual(failed.phases.map((p) => p.phase), ['pending', 'in_progress', 'failed'], story(failed));
    assert.match(failed.reason ?? '', /^(ErrImagePull|ImagePullBackOff)$/);
    assert.match(failed.pod ?? '', /^payment-api-/);
    assert.equal(failed.container, 'app');
    const pod = failed.pods.find((p) => p.name === failed.pod);
    assert.ok(pod, `the failing pod is listed (${failed.pods.map((p) => p.name).join(', ')})`);
    assert.match(pod.reason ?? '', /ErrImagePull|ImagePullBackOff/);
    assert.ok(failed.pods.some((p) => p.ready && /:2\.5\.0$/.test(p.containers[0]!.image)), 'the old pod still serves');
    assert.ok(failed.events.some((e) => e.type === 'Warning' && e.reason === 'Failed' && /2\.5\.2-does-not-exist/.test(e.message)), 'the kubelet Warning is listed');

    const notice = await waitFor(() => feature.runtime.notices.slice(before).find((n) => n.release === id), 'the Failed notification', 20_000);
    assert.match(notice.message, /failed in dev/);
    assert.match(notice.message, /(ErrImagePull|ImagePullBackOff) in pod payment-api-/);
    assert.ok(notice.actions.includes('Show Timeline'));
    // The toast a person sees, with its button.
    const toast = await waitFor(() => workbenchText('.notification-toast', { timeoutMs: 2000 }).catch(() => undefined), 'the toast', 10_000).catch(() => undefined);
    if (toast !== undefined) assert.match(toast, /failed in dev/);
    // One notification, however often the timeline is computed again.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(feature.runtime.notices.slice(before).filter((n) => n.release === id).length, 1);
    assert.equal(feature.runtime.phase(PROJECT, id)?.phase, 'failed');

    // The dashboard's tile names the failed rollout, and the log stream carries the phases at their time.
    const fleet = await api.fleet();
    const tile = fleet.projects.find((p) => p.slug === PROJECT)!.environments.find((e) => e.name === 'dev')!.tenants.find((t) => t.name === 'acme')!;
    assert.equal(tile.colour, 'red');
    assert.ok(tile.reasons.some((r) => /failed in the cluster: payment-api: (ErrImagePull|ImagePullBackOff)/.test(r)), tile.reasons.join(' | '));
    const logs = await (api._internal as { logs: { load(): Promise<{ retained(id: string): string[] }> } }).logs.load();
    const markers = await waitFor(() => {
      const found = logs.retained(streamId).filter((l) => l.includes(id));
      return found.some((l) => /: Failed \(/.test(l)) ? found : undefined;
    }, 'the phase markers in the log stream', 20_000);
    assert.ok(markers.some((l) => /: In Progress \(/.test(l)), markers.join('\n'));
    await vscode.commands.executeCommand('gitopshq.logs.stop', { id: streamId });
  });

  it('rejects what has no timeline with a clear error', async () => {
    const { api } = await internals();
    await assert.rejects(Promise.resolve(api.timeline(PROJECT, { release: 'rel_01M82J5V0T9Q3XKD7F1M4PR6ZA' })), /pending approval: only a deployed release has a timeline/);
    await assert.rejects(Promise.resolve(api.timeline(PROJECT, { release: 'rel_0NOPE' })), /has no release rel_0NOPE/);
    await assert.rejects(Promise.resolve(api.timeline(PROJECT, { environment: 'dev', workload: 'nope' })), /has no workload "nope"/);
    await assert.rejects(Promise.resolve(api.timeline('nope', { environment: 'dev', workload: 'payment-api' })), /No GitOpsHQ project with slug "nope"/);
  });
});
