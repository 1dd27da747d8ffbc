// Brings the release panels back after a window reload: one WebviewPanelSerializer per panel type,
// registered at activation and handing over to dist/panels.js, which restores the panel from what
// its webview saved with setState. Called once at activation by the releases feature (it owns the
// ReleaseService the panels read).
import * as vscode from 'vscode';
import type { ReleaseService } from '../releases/releaseService';
import type { Services } from '../services';
import { loadPanels } from './lazyPanels';
import { AUDIT_VIEW_TYPE, CREATE_RELEASE_VIEW_TYPE, RELEASE_VIEW_TYPE } from './viewTypes';

export function registerReleasePanels(s: Services, releases: ReleaseService): void {
  const restorers = [
    [CREATE_RELEASE_VIEW_TYPE, 'restoreCreateReleasePanel'],
    [RELEASE_VIEW_TYPE, 'restoreReleasePanel'],
    [AUDIT_VIEW_TYPE, 'restoreAuditPanel'],
  ] as const;
  for (const [viewType, restore] of restorers) {
    s.store.register(
      vscode.window.registerWebviewPanelSerializer(viewType, {
        deserializeWebviewPanel: async (panel, state) => (await loadPanels())[restore](s, releases, panel, state),
      }),
    );
  }
}
