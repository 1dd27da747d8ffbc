// The main bundle's side of dist/panels.js: what must exist from activation on (the compare command,
// the compare serializer, the effective-values documents an open diff editor reads) is registered
// here and hands over to the bundle, which is loaded when a panel first opens or is restored.
import * as vscode from 'vscode';
import { lazyBundle } from '../lazyBundle';
import type { Services } from '../services';
import type { CompareFeature, CompareInternals } from './comparePanel';
import { registerEffectiveDocuments } from './effectiveDocuments';
import type * as PanelsBundle from './index';
import { COMPARE_VIEW_TYPE } from './viewTypes';

export const loadPanels = lazyBundle<typeof PanelsBundle>('panels');

const COMPARE_COMMAND = 'gitopshq.compareEnvironments';

/** Initialize Project and its scaffold load with the panels bundle on first use. */
export function registerInitProject(s: Services): void {
  s.command('gitopshq.initProject', async (arg?: unknown) => (await loadPanels()).runInitProjectCommand(s, arg));
}

export function registerCompare(s: Services): CompareInternals {
  registerEffectiveDocuments(s);
  // One feature per activation (it holds the open panel): created by the first command or restore.
  let feature: CompareFeature | undefined;
  let creating: Promise<CompareFeature> | undefined;
  const compare = () => (creating ??= loadPanels().then((bundle) => (feature = bundle.createCompare(s))));
  s.command(COMPARE_COMMAND, async (arg?: unknown) => (await compare()).open(arg));
  s.store.register(
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => (await compare()).restore(panel, state),
    }),
  );
  return {
    lastRender: () => feature?.lastRender(),
    panelTitle: () => feature?.panelTitle(),
  };
}
