import * as path from 'node:path';

/**
 * A module bundled on its own (dist/<name>.js) and required on first use, so that activation parses
 * only dist/extension.js. The bundles are built by esbuild.mjs from their src/infra entry points.
 */
export function lazyBundle<T>(name: string): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= Promise.resolve().then(() => require(path.join(__dirname, `${name}.js`)) as T));
}
