// `schema` diagnostics: the effective values of every (environment, tenant, workload) an open values
// file applies to, after substitution, validated against the chart's values.schema.json with ajv
// (dist/schema.js, loaded on first use). Each error is reported in the file that set the value
// (src/core/language/schemaProblems.ts). Runs are debounced, a newer trigger abandons an older run
// between files and combinations, schemas are read asynchronously, and validation results are
// cached per effective-values object (the index keeps those until a file they depend on changes).
// A schema that cannot be compiled is never skipped silently: an error on values.schema.json and an
// information line on each values file it would have checked. Remote `$ref`s are fetched over HTTPS
// (cached on disk) unless the setting `gitopshq.schema.remoteRefs` is off or the workspace is untrusted.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseSchema, type JsonSchema } from '../../core/values/chartSchema';
import { Debouncer } from '../../core/debounce';
import type { EffectiveValues } from '../../core/values/effective';
import { chartValuesFile } from '../../core/values/layers';
import { schemaCompileProblem, schemaUncheckedProblem } from '../../core/language/schemaCompileProblems';
import { schemaProblems, type ComboErrors, type SchemaError } from '../../core/language/schemaProblems';
import { valuesFileContext, type ValuesFileContext } from '../../core/language/variableInfo';
import type { Logger } from '../../core/logger';
import type { Problem, Project } from '../../core/types';
import type * as SchemaBundle from '../../infra/schema/schemaValidator';
import { toDiagnostic } from '../diagnostics';
import { lazyBundle } from '../lazyBundle';
import type { Services } from '../services';

const loadSchemaBundle = lazyBundle<typeof SchemaBundle>('schema');

const DEBOUNCE_MS = 300;
const REMOTE_REFS_SETTING = 'gitopshq.schema.remoteRefs';
export const SCHEMA_FILE = 'values.schema.json';

/**
 * The charts' values.schema.json files: read asynchronously (an open buffer wins over disk), kept
 * until the file or its buffer changes, parsed once for completion and hover.
 */
export class ChartSchemaSource implements vscode.Disposable {
  private readonly texts = new Map<string, Promise<string | undefined>>();
  private readonly parsed = new Map<string, { text: string; schema: JsonSchema | undefined }>();
  private readonly emitter = new vscode.EventEmitter<string>();
  /** Fires with the schema file that changed. */
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly logger: Logger) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${SCHEMA_FILE}`);
    const changed = (uri: vscode.Uri) => this.changed(path.normalize(uri.fsPath));
    this.disposables.push(
      this.emitter,
      watcher,
      watcher.onDidChange(changed),
      watcher.onDidCreate(changed),
      watcher.onDidDelete(changed),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme === 'file' && path.basename(e.document.uri.fsPath) === SCHEMA_FILE && e.contentChanges.length > 0) changed(e.document.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme === 'file' && path.basename(doc.uri.fsPath) === SCHEMA_FILE) changed(doc.uri);
      }),
    );
  }

  /** The schema file of a workload's chart. */
  static fileOf(project: Project, workload: string): string | undefined {
    const wl = project.workloads.find((w) => w.name === workload);
    return wl ? path.join(path.dirname(chartValuesFile(project, wl)), SCHEMA_FILE) : undefined;
  }

  /** The schema's text, undefined when the chart has none. */
  text(file: string): Promise<string | undefined> {
    let text = this.texts.get(file);
    if (!text) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && path.normalize(d.uri.fsPath) === file);
      text = open
        ? Promise.resolve(open.getText())
        : Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.file(file))).then(
            (bytes) => new TextDecoder().decode(bytes),
            () => undefined,
          );
      this.texts.set(file, text);
    }
    return text;
  }

  /** The parsed schema (for completion and hover), undefined when absent or not JSON. */
  async schema(file: string): Promise<JsonSchema | undefined> {
    const text = await this.text(file);
    if (text === undefined) return undefined;
    const cached = this.parsed.get(file);
    if (cached?.text === text) return cached.schema;
    const schema = parseSchema(text);
    if (schema === undefined) this.logger.warn(`${file} is not a JSON Schema: completion and hover ignore it.`);
    this.parsed.set(file, { text, schema });
    return schema;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private changed(file: string): void {
    this.texts.delete(file);
    this.emitter.fire(file);
  }
}

export function registerSchemaDiagnostics(s: Services, schemas: ChartSchemaSource): void {
  const logger = s.logger.child('schema');
  const collection = s.store.register(vscode.languages.createDiagnosticCollection('gitopshq-schema'));
  const validator = new SchemaValidation(s, schemas, logger);
  let generation = 0;
  const run = async () => {
    const mine = generation;
    const stale = () => mine !== generation;
    const published = new Set<string>();
    const schemaFiles = new Map<string, Problem>();
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== 'file' || doc.isClosed) continue;
      const diagnostics = await validator.diagnose(doc, stale, schemaFiles);
      if (diagnostics === 'stale') return;
      if (diagnostics === undefined) continue;
      published.add(doc.uri.toString());
      collection.set(doc.uri, diagnostics);
    }
    for (const [file, problem] of schemaFiles) {
      const uri = vscode.Uri.file(file);
      published.add(uri.toString());
      collection.set(uri, [toDiagnostic(problem)]);
    }
    const gone: vscode.Uri[] = [];
    collection.forEach((uri) => {
      if (!published.has(uri.toString())) gone.push(uri);
    });
    for (const uri of gone) collection.delete(uri);
  };
  const debouncer = new Debouncer(DEBOUNCE_MS, run, (err) => logger.error('Schema validation failed', err));
  s.store.register({ dispose: () => debouncer.dispose() });
  const trigger = () => {
    generation++;
    debouncer.trigger();
  };
  s.store.register(s.projects.onDidChange(trigger));
  s.store.register(schemas.onDidChange(trigger));
  const reconfigure = () => {
    validator.reconfigure();
    trigger();
  };
  s.store.register(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(REMOTE_REFS_SETTING)) reconfigure();
    }),
  );
  s.store.register(vscode.workspace.onDidGrantWorkspaceTrust(reconfigure));
  s.store.register(vscode.workspace.onDidOpenTextDocument(trigger));
  s.store.register(
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0 && e.document.languageId === 'yaml') trigger();
    }),
  );
  s.store.register(
    vscode.workspace.onDidCloseTextDocument((doc) => {
      collection.delete(doc.uri);
    }),
  );
  trigger();
}

/** Validation of one document against its charts' schemas, with the caches that make re-runs cheap. */
class SchemaValidation {
  /** Errors per effective-values object and compiled schema. */
  private readonly results = new WeakMap<EffectiveValues, { schema: SchemaBundle.CompiledSchema; errors: SchemaError[] }>();
  private compiler: SchemaBundle.SchemaCompiler | undefined;
  private refs: SchemaBundle.RemoteRefs | undefined;
  private readonly reported = new Set<string>();

  constructor(
    private readonly s: Services,
    private readonly schemas: ChartSchemaSource,
    private readonly logger: Logger,
  ) {}

  /** The diagnostics of a document; undefined when it is not a values file; 'stale' when a newer run started. */
  async diagnose(doc: vscode.TextDocument, stale: () => boolean, schemaFiles: Map<string, Problem>): Promise<vscode.Diagnostic[] | undefined | 'stale'> {
    const index = this.s.projects.index;
    const file = path.normalize(doc.uri.fsPath);
    const entry = index.projectOf(file);
    const project = entry?.project;
    if (!project || file === path.normalize(entry.manifestPath) || file === path.normalize(project.variablesPath)) return undefined;
    const context = valuesFileContext(index, project.slug, file);
    if (!context) return undefined;
    const validated = await this.validate(project.slug, context, stale);
    if (validated === 'stale') return 'stale';
    const { results, failed } = validated;
    const problems = schemaProblems({
      file,
      kind: context.kind,
      lines: { lineCount: doc.lineCount, line: (i) => doc.lineAt(i).text },
      results,
      combos: context.combos,
      tenants: project.tenantsDeclared ? project.tenants : undefined,
    });
    const root = path.dirname(entry.manifestPath);
    for (const [schemaFile, problem] of failed) {
      schemaFiles.set(schemaFile, problem);
      const shown = path.relative(root, schemaFile).split(path.sep).join('/');
      problems.push(schemaUncheckedProblem(file, shown, doc.lineCount > 0 ? doc.lineAt(0).text : ''));
    }
    return problems.map(toDiagnostic);
  }

  /** Compiles again with the current remote-refs setting and workspace trust. */
  reconfigure(): void {
    if (this.compiler) this.compiler.setOptions(this.compilerOptions());
  }

  private compilerOptions(): SchemaBundle.SchemaCompilerOptions {
    if (!vscode.workspace.isTrusted) return { noLoadReason: 'remote references are not fetched in an untrusted workspace.' };
    if (!vscode.workspace.getConfiguration().get<boolean>(REMOTE_REFS_SETTING, true)) {
      return { noLoadReason: `the setting "${REMOTE_REFS_SETTING}" is off.` };
    }
    const refs = this.refs;
    return refs ? { load: (url) => refs.load(url) } : {};
  }

  private async validate(
    slug: string,
    context: ValuesFileContext,
    stale: () => boolean,
  ): Promise<{ results: ComboErrors[]; failed: Map<string, Problem> } | 'stale'> {
    const index = this.s.projects.index;
    const out: ComboErrors[] = [];
    const failed = new Map<string, Problem>();
    const compiled = new Map<string, SchemaBundle.CompiledSchema | undefined>();
    for (const workload of context.workloads) {
      const file = ChartSchemaSource.fileOf(context.project, workload);
      if (file === undefined || compiled.has(workload)) continue;
      const result = await this.compiled(file);
      if (stale()) return 'stale';
      if (result && 'problem' in result) failed.set(file, result.problem);
      compiled.set(workload, result && 'schema' in result ? result.schema : undefined);
    }
    for (const combo of context.combos) {
      const schema = compiled.get(combo.workload);
      if (!schema) continue;
      // Cheap after an edit (computeEffective reuses the unchanged top-level keys), but a
      // validation of a 50,000-line file takes ~10 ms: one per task, and a newer run wins.
      const effective = index.effective(slug, combo.workload, combo.environment, combo.tenant);
      if (!effective.bound) continue;
      let cached = this.results.get(effective);
      if (cached?.schema !== schema) {
        cached = { schema, errors: schema.validate(effective.values) };
        this.results.set(effective, cached);
        await new Promise((r) => setImmediate(r));
        if (stale()) return 'stale';
      }
      if (cached.errors.length > 0) out.push({ combo, errors: cached.errors, effective });
    }
    return { results: out, failed };
  }

  /** The compiled schema of a chart, or the problem that says why it cannot be; undefined when the chart has none. */
  private async compiled(file: string): Promise<{ schema: SchemaBundle.CompiledSchema } | { problem: Problem } | undefined> {
    const text = await this.schemas.text(file);
    if (text === undefined) return undefined;
    if (!this.compiler) {
      const bundle = await loadSchemaBundle();
      this.refs ??= new bundle.RemoteRefs({ cacheDir: path.join(this.s.context.globalStorageUri.fsPath, 'schema-refs') });
      this.compiler ??= new bundle.SchemaCompiler(this.compilerOptions());
    }
    const result = await this.compiler.compile(file, text);
    if (result.ok) {
      this.reported.delete(file);
      return { schema: result.schema };
    }
    if (!this.reported.has(file)) {
      this.reported.add(file);
      this.logger.warn(`${file}: ${result.message}`);
    }
    return { problem: schemaCompileProblem(file, text, result.message) };
  }
}
