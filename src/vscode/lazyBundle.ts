import * as path from 'node:path';

/**
 * A module bundled on its own (dist/<name>.js) and required on first use, so that activation parses
 * only dist/extension.js. The bundles are built by esbuild.mjs from their entry points.
 */
export function lazyBundle<T>(name: string): () => Promise<T> {
  const load = lazyBundleSync<T>(name);
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= Promise.resolve().then(load));
}

/**
 * The same, loaded at once: for callers that must finish registering before they return (an event
 * handler whose caller expects the providers to answer right after it).
 */
export function lazyBundleSync<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(path.join(__dirname, `${name}.js`)) as T);
}
