import * as vscode from 'vscode';
import * as yaml from 'yaml';
import * as zod from 'zod';
import { createApi } from './vscode/api';
import { registerDashboard, type DashboardFeature } from './vscode/dashboard/registerDashboard';
import { registerGoToCommand } from './vscode/commands/goToCommand';
import { registerNavigationCommands } from './vscode/commands/navigationCommands';
import { registerReleaseCommands } from './vscode/commands/releaseCommands';
import { registerIndexDiagnostics } from './vscode/diagnostics';
import { registerLazyLanguageFeatures } from './vscode/language/lazyLanguage';
import { registerHistory, type HistoryFeature } from './vscode/history/registerHistory';
import { DisposableStore } from './vscode/lifecycle';
import { registerLazyLogs, type LazyLogs } from './vscode/logs/lazyLogs';
import { ChannelLogger } from './vscode/logging';
import { ProjectService } from './vscode/projectService';
import { ReleaseService } from './vscode/releases/releaseService';
import { Services } from './vscode/services';
import { registerViews, type Views } from './vscode/views/registerViews';
import { registerReleasesView, type ReleasesViews } from './vscode/views/releasesView';
import type { CompareInternals } from './vscode/webviews/comparePanel';
import { registerCompare, registerInitProject } from './vscode/webviews/lazyPanels';
import { registerReleasePanels } from './vscode/webviews/releasePanels';
import { registerTimeline, type TimelineFeature } from './vscode/timeline/registerTimeline';
import { linkFleet, linkLogs } from './vscode/timeline/runtimeLinks';

/** How long activation waits for the first index scan before it hands out the API anyway. */
const FIRST_SCAN_WAIT_MS = 2000;

// activate() is a table of contents: logger first, then services, then one register* per feature.
// It waits for the first index scan (bounded) so that the API and the views answer from a full index
// from the start; Git state and everything else fill in afterwards in the background.
export async function activate(context: vscode.ExtensionContext) {
  const started = performance.now();
  const store = new DisposableStore();
  context.subscriptions.push(store);
  const channel = store.register(vscode.window.createOutputChannel('GitOpsHQ', { log: true }));
  let projects: ProjectService | undefined;
  const logger = new ChannelLogger(channel, () => projects?.secretValues() ?? []);
  let views: Views;
  let releases: ReleaseService;
  let releasesViews: ReleasesViews;
  let compare: CompareInternals;
  let history: HistoryFeature;
  let timeline: TimelineFeature;
  let dashboard: DashboardFeature;
  let logs: LazyLogs;
  try {
    projects = store.register(new ProjectService(logger, store));
    const services = new Services(context, store, channel, logger, projects);
    releases = store.register(new ReleaseService(projects, logger.child('releases'), store));
    views = registerViews(services, releases);
    releasesViews = registerReleasesView(services, releases);
    history = registerHistory(services, releases, views);
    registerNavigationCommands(services);
    registerGoToCommand(services, views, releases);
    registerReleaseCommands(services, releases);
    registerReleasePanels(services, releases);
    registerInitProject(services);
    registerIndexDiagnostics(services);
    registerLazyLanguageFeatures(services);
    compare = registerCompare(services);
    timeline = registerTimeline(services, releases, views, releasesViews);
    dashboard = registerDashboard(services, releases, views);
    logs = registerLazyLogs(services, views.cluster);
    // The timeline's phases colour the dashboard's tiles and mark the log streams of their workloads.
    store.register(linkFleet(timeline.runtime, dashboard.fleet));
    for (const link of linkLogs(timeline.runtime, logs)) store.register(link);
  } catch (err) {
    // VS Code does not show activation failures: say it ourselves.
    logger.error('Activation failed', err);
    void vscode.window.showErrorMessage(`GitOpsHQ failed to start: ${String(err)}`, 'Open Output').then((choice) => {
      if (choice) channel.show();
    });
    throw err;
  }
  // VS Code reports both figures too: the synchronous call and the time until the promise resolves.
  const callMs = performance.now() - started;
  await Promise.race([projects.ready, new Promise((r) => setTimeout(r, FIRST_SCAN_WAIT_MS))]);
  const resolvedMs = performance.now() - started;
  logger.info(`Activated in ${callMs.toFixed(1)} ms; first index scan done at ${resolvedMs.toFixed(1)} ms`);
  const internal = { service: projects, views, compare, releases, releasesView: releasesViews.provider, history, timeline, dashboard, logs };
  return createApi(projects.index, {
    activation: { callMs, resolvedMs },
    internal,
    cluster: views.cluster,
    history: history.service,
    timeline: timeline.service,
    fleet: dashboard.fleet,
  });
}

/**
 * The libraries the lazily loaded bundles (dist/language.js, dist/panels.js) use from this bundle
 * instead of their own copies: see `sharedFromMain` in esbuild.mjs.
 */
export const shared = { yaml, zod };

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
