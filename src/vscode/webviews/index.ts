// Entry of dist/panels.js: the webview panel hosts (compare, create release, release, audit, timeline,
// dashboard), their protocols and the diff library, and Initialize Project (with the scaffold). The main bundle registers the commands and serializers at
// activation (lazyPanels.ts, releasePanels.ts) and loads this bundle when a panel opens.
export { openAuditPanel, restoreAuditPanel } from './auditPanel';
export { createCompare } from './comparePanel';
export { openCreateReleasePanel, restoreCreateReleasePanel } from './createReleasePanel';
export { openReleasePanel, restoreReleasePanel } from './releasePanel';
export { openTimelinePanel, postTimelineState, restoreTimelinePanel, timelineRenders } from './timelinePanel';
export { openDashboard, openDashboardState, restoreDashboard } from '../dashboard/dashboardPanel';
export { runInitProjectCommand } from '../commands/initProjectCommand';
