// The fleet dashboard feature at activation (main bundle): the fleet service, the status bar item,
// the `gitopshq.dashboard.show` command and the panel's serializer. The panel itself lives in
// dist/panels.js and loads when it first opens.
import * as vscode from 'vscode';
import { filterSchema } from '../../protocol/dashboard';
import type { ReleaseService } from '../releases/releaseService';
import type { Services } from '../services';
import type { Views } from '../views/registerViews';
import type * as PanelsBundle from '../webviews/index';
import { loadPanels } from '../webviews/lazyPanels';
import { DASHBOARD_VIEW_TYPE } from '../webviews/viewTypes';
import type { DashboardHooks, RenderTiming } from './dashboardHooks';
import { FleetService } from './fleetService';
import { FleetStatusBar, SHOW_DASHBOARD_COMMAND } from './statusBar';

export interface DashboardFeature {
  fleet: FleetService;
  statusBar: FleetStatusBar;
  /** The last render timings the webview reported, by kind (tests, the budgets). */
  renders: RenderTiming[];
  /** The open dashboard's filter and the fleet it shows, or undefined when it is closed (tests). */
  panelState(): Promise<ReturnType<typeof PanelsBundle.openDashboardState>>;
}

export function registerDashboard(s: Services, releases: ReleaseService, views: Views): DashboardFeature {
  const fleet = s.store.register(new FleetService(s.projects, releases, views.cluster, s.logger.child('fleet'), s.store));
  const statusBar = new FleetStatusBar(fleet, () => s.projects.index.projects().length > 0, s.store);
  const renders: RenderTiming[] = [];
  const hooks: DashboardHooks = {
    fleet,
    reveal: async (slug, environment, tenant) => {
      const project = s.projects.index.project(slug);
      if (!project) return;
      const model = views.projects.model;
      const env = model.environment(project, environment);
      const node = project.tenantsDeclared ? model.children(env).find((n) => n.kind === 'tenant' && n.tenant === tenant) : env;
      if (node) await views.projectsView.reveal(node, { select: true, focus: true, expand: true });
    },
    rendered: (timing) => {
      renders.push(timing);
      if (renders.length > 100) renders.shift();
    },
  };
  // `{ mine?, problems?, text? }` opens it filtered (scriptable); anything else opens it as it was.
  s.command(SHOW_DASHBOARD_COMMAND, async (arg?: unknown) => {
    const parsed = typeof arg === 'object' && arg !== null ? filterSchema.safeParse(arg) : undefined;
    const filter = parsed?.success ? parsed.data : undefined;
    await (await loadPanels()).openDashboard(s, hooks, filter);
  });
  s.store.register(
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        await s.projects.ready;
        (await loadPanels()).restoreDashboard(s, hooks, panel, state);
      },
    }),
  );
  return { fleet, statusBar, renders, panelState: async () => (await loadPanels()).openDashboardState() };
}
