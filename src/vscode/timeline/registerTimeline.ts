// The deployment timeline feature at activation: the TimelineService, the runtime phase the Releases
// view shows, the `gitopshq.timeline.show` command (scriptable; a quick pick of recent deployed
// releases without arguments; a tree node from the menus) and the panel's serializer. The panel
// itself lives in dist/panels.js, loaded when it first opens.
import * as vscode from 'vscode';
import { GitOpsHqError } from '../../core/errors';
import { relativeTime } from '../../core/format';
import type { ReleaseTreeNode } from '../../core/release/releaseTree';
import type { WorkloadNode } from '../../core/tree/treeModel';
import { ms } from '../../core/timeline/times';
import type { ReleaseService } from '../releases/releaseService';
import type { Services } from '../services';
import type { Views } from '../views/registerViews';
import type { ReleasesViews } from '../views/releasesView';
import { loadPanels } from '../webviews/lazyPanels';
import { TIMELINE_VIEW_TYPE } from '../webviews/viewTypes';
import { ReleaseRuntime } from './releaseRuntime';
import { TimelineService } from './timelineService';
import { parseTarget, type TimelineTarget } from './timelineTarget';

export const TIMELINE_COMMAND = 'gitopshq.timeline.show';
const RECENT_LIMIT = 50;

export interface TimelineFeature {
  service: TimelineService;
  runtime: ReleaseRuntime;
  /** For this extension's integration tests: the panels' render timings and a way to send a state. */
  panels: () => Promise<Pick<typeof import('../webviews/index'), 'timelineRenders' | 'postTimelineState'>>;
}

export function registerTimeline(s: Services, releases: ReleaseService, views: Views, releasesViews: ReleasesViews): TimelineFeature {
  const service = s.store.register(new TimelineService(s.projects, releases, views.cluster, s.logger.child('timeline'), s.store));
  const runtime = s.store.register(new ReleaseRuntime(service, s.store));
  runtime.setVisible(releasesViews.view.visible);
  s.store.register(releasesViews.view.onDidChangeVisibility((e) => runtime.setVisible(e.visible)));
  releasesViews.provider.setRuntime(runtime);
  releases.runtime = runtime;

  s.command(TIMELINE_COMMAND, async (arg?: unknown) => {
    await s.projects.ready;
    await releases.settled();
    const target = targetOfArg(arg) ?? (await pickRecent(service));
    if (!target) return undefined;
    await (await loadPanels()).openTimelinePanel(s, releases, service, target);
    return undefined;
  });
  s.store.register(
    vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => (await loadPanels()).restoreTimelinePanel(s, releases, service, panel, state),
    }),
  );
  return { service, runtime, panels: loadPanels };
}

/** A scripted argument, a Releases view release node or a Projects tree workload node. */
function targetOfArg(arg: unknown): TimelineTarget | undefined {
  if (arg === undefined || arg === null) return undefined;
  const node = arg as Partial<ReleaseTreeNode | WorkloadNode>;
  if (node.kind === 'release' && 'releaseId' in node && node.slug && node.releaseId) return { project: node.slug, release: node.releaseId };
  if (node.kind === 'workload' && 'workload' in node && node.slug && node.environment && node.workload) {
    return { project: node.slug, environment: node.environment, workload: node.workload, ...(node.tenant ? { tenant: node.tenant } : {}) };
  }
  const target = parseTarget(arg);
  if (!target) {
    throw new GitOpsHqError('release-invalid', 'gitopshq.timeline.show takes { project, release, tenant? } or { project, environment, workload, tenant? }.');
  }
  return target;
}

async function pickRecent(service: TimelineService): Promise<TimelineTarget | undefined> {
  const items: (vscode.QuickPickItem & { target: TimelineTarget; at: number })[] = [];
  for (const entry of service.projects.index.projects()) {
    const slug = entry.project?.slug;
    if (!slug) continue;
    for (const r of service.releaseList(slug)) {
      const at = ms(r.deploy.at);
      if (r.state !== 'deployed' || at === undefined) continue;
      items.push({
        label: r.title,
        description: `${r.environment} · ${r.tenants.join(', ')}`,
        detail: `${slug} · deployed ${relativeTime(new Date(at), new Date())}${r.deploy.commit ? ` · ${r.deploy.commit.slice(0, 7)}` : ''}`,
        target: { project: slug, release: r.id },
        at,
      });
    }
  }
  if (items.length === 0) {
    void vscode.window.showInformationMessage('No deployed release yet: a timeline starts when a release is deployed.');
    return undefined;
  }
  items.sort((a, b) => b.at - a.at);
  const picked = await vscode.window.showQuickPick(items.slice(0, RECENT_LIMIT), { title: 'Show Deployment Timeline', placeHolder: 'A recently deployed release', matchOnDescription: true, matchOnDetail: true });
  return picked?.target;
}
