// The main bundle's side of dist/language.js. Nothing is registered for YAML until the bundle is
// loaded, so it is loaded on the first of: a YAML document open (at activation or later), or the
// first index scan done (in the background, so that opening a values file later does not wait).
// Loading is synchronous inside the open event: a caller that opens a document and asks for a
// hover right away finds the providers.
import * as vscode from 'vscode';
import { lazyBundleSync } from '../lazyBundle';
import type { Services } from '../services';
import type * as LanguageBundle from './index';

const loadLanguage = lazyBundleSync<typeof LanguageBundle>('language');

export function registerLazyLanguageFeatures(s: Services): void {
  let registered = false;
  const opened = s.store.register(
    vscode.workspace.onDidOpenTextDocument((doc) => {
      if (isYaml(doc)) register();
    }),
  );
  function register(): void {
    if (registered) return;
    registered = true;
    opened.dispose();
    try {
      loadLanguage().registerLanguageFeatures(s);
    } catch (err) {
      s.logger.error('Loading the values-file language features failed', err);
    }
  }
  if (vscode.workspace.textDocuments.some(isYaml)) {
    register();
    return;
  }
  // Whether the scan worked or not: the features also serve files the index learns about later.
  void s.projects.ready.then(register, register);
}

function isYaml(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'yaml';
}
