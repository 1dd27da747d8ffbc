// Entry of dist/language.js: the values-file language features (placeholders, value checks, keys and
// schemas, variables navigation), loaded by lazyLanguage.ts when the first YAML document opens or
// after the first index scan, whichever comes first.
import type { Services } from '../services';
import { registerPlaceholderLanguageFeatures } from './placeholderFeatures';
import { registerValuesCodeActions } from './valuesCodeActions';
import { registerValuesDiagnostics } from './valuesDiagnostics';
import { registerValuesKeyFeatures } from './valuesKeyFeatures';
import { registerVariablesNavigation } from './variablesNavigation';

/** Registers every provider; each also serves the documents that are open already. */
export function registerLanguageFeatures(s: Services): void {
  registerPlaceholderLanguageFeatures(s);
  registerValuesCodeActions(s, registerValuesDiagnostics(s));
  registerValuesKeyFeatures(s);
  registerVariablesNavigation(s);
}
