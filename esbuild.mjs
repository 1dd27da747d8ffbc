// Builds these bundles:
//  - dist/extension.js: the extension host entry (node, cjs, `vscode` external);
//  - dist/kube.js: @kubernetes/client-node and our adapter, required lazily so activation never loads it;
//  - dist/valuesParseWorker.js: the worker thread that parses large values files off the event loop;
//  - dist/git.js: simple-git and our Git adapter, required after the first index scan;
//  - dist/schema.js: ajv and our chart-schema adapter, required by the first `schema` validation;
//  - dist/language.js: the values-file language features, required when the first YAML document opens
//    or after the first index scan;
//  - dist/panels.js: the webview panel hosts, their protocols and `diff`, required when a panel opens;
//  - dist/webviews/<panel>.js: one browser ESM bundle per folder of webview-ui/ that has a main.ts.
// Flags: --watch, --production (minified, no source maps), --metafile (writes dist/meta.json for the bench).
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const wantMeta = process.argv.includes('--metafile');

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'info',
  metafile: wantMeta,
  legalComments: 'none',
};

const nodeCommon = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  mainFields: ['module', 'main'],
};

const webviewEntries = existsSync('webview-ui')
  ? readdirSync('webview-ui', { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join('webview-ui', d.name, 'main.ts')))
      .map((d) => ({ in: join('webview-ui', d.name, 'main.ts'), out: d.name }))
  : [];

// dist/language.js and dist/panels.js only ever run after dist/extension.js has loaded: they take `yaml`
// and `zod` from it (its `shared` export, the same instances) instead of carrying ~175 KB copies each.
const sharedFromMain = {
  name: 'shared-from-main',
  setup(build) {
    build.onResolve({ filter: /^(yaml|zod)$/ }, (args) => ({ path: args.path, namespace: 'shared-from-main' }));
    build.onResolve({ filter: /^\.\/extension\.js$/, namespace: 'shared-from-main' }, (args) => ({ path: args.path, external: true }));
    build.onLoad({ filter: /.*/, namespace: 'shared-from-main' }, (args) => ({
      contents: `module.exports = require('./extension.js').shared[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
  },
};

const contexts = [
  { name: 'extension', options: { ...nodeCommon, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' } },
  { name: 'kube', options: { ...nodeCommon, entryPoints: ['src/infra/kube/index.ts'], outfile: 'dist/kube.js' } },
  { name: 'valuesParseWorker', options: { ...nodeCommon, entryPoints: ['src/infra/fs/valuesParseWorker.ts'], outfile: 'dist/valuesParseWorker.js' } },
  { name: 'git', options: { ...nodeCommon, entryPoints: ['src/infra/git/index.ts'], outfile: 'dist/git.js' } },
  { name: 'schema', options: { ...nodeCommon, entryPoints: ['src/infra/schema/schemaValidator.ts'], outfile: 'dist/schema.js' } },
  { name: 'language', options: { ...nodeCommon, entryPoints: ['src/vscode/language/index.ts'], outfile: 'dist/language.js', plugins: [sharedFromMain] } },
  { name: 'panels', options: { ...nodeCommon, entryPoints: ['src/vscode/webviews/index.ts'], outfile: 'dist/panels.js', plugins: [sharedFromMain] } },
  { name: 'logs', options: { ...nodeCommon, entryPoints: ['src/vscode/logs/index.ts'], outfile: 'dist/logs.js', plugins: [sharedFromMain] } },
];
if (webviewEntries.length > 0) {
  contexts.push({
    name: 'webviews',
    options: { ...common, platform: 'browser', format: 'esm', target: 'es2022', entryPoints: webviewEntries, outdir: 'dist/webviews' },
  });
}

const built = await Promise.all(
  contexts.map(async ({ name, options }) => {
    if (!existsSync(options.entryPoints[0]?.in ?? options.entryPoints[0])) return undefined;
    if (watch) {
      const ctx = await esbuild.context(options);
      await ctx.watch();
      return undefined;
    }
    const result = await esbuild.build(options);
    return result.metafile ? { name, metafile: result.metafile } : undefined;
  }),
);

if (wantMeta) {
  mkdirSync('dist', { recursive: true });
  writeFileSync('dist/meta.json', JSON.stringify(Object.fromEntries(built.filter(Boolean).map((b) => [b.name, b.metafile]))));
}
if (watch) console.log('[esbuild] watching for changes…');
