// Navigation around HQ Variables (issue 4, items 4 and 5): rename everywhere, document links in
// gitopshq.yaml, and completion, hover, CodeLens and the unused warning in the variables file.
import type { Services } from '../services';
import { registerManifestLinks } from './manifestLinks';
import { registerRenameVariable } from './renameVariable';
import { registerVariablesFileFeatures } from './variablesFileFeatures';

export function registerVariablesNavigation(s: Services): void {
  registerRenameVariable(s);
  registerManifestLinks(s);
  registerVariablesFileFeatures(s);
}
