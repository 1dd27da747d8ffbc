// The in-memory index every feature reads from: projects, variables, values files and effective
// values. Reads are synchronous and never do I/O; `scan`, `fileChanged` and `fileDeleted` are the
// only ways in, run one at a time, and each change re-reads only what depends on the file.
//
// One broken project or file never hides the others: a manifest that does not parse leaves an
// entry with its problems, a values file with a YAML error contributes its problems and nothing
// else, and a duplicate slug only disables the second project.
//
// A cold scan reads every values file but parses none: on a 21,000-file project parsing costs
// ~450 ms, and nothing needs all of it at once. So:
//  - the files are read in one batch (FileSystemPort.readFiles: a worker thread in the Node
//    adapter), and each file's text is kept;
//  - a values file is parsed on first use: effective(), imageTag() and parsedValues() parse the
//    few files they need, synchronously (tens of microseconds each);
//  - once scan() resolves (and after a manifest change adds files), the rest is parsed in the
//    background, PARSE_SLICE files per turn of the event loop (setImmediate in between), so the
//    tree and the editor stay responsive meanwhile;
//  - problemsByFile() is never the one to parse: it reports the problems of the files parsed so
//    far. When the background pass has parsed everything, the problems that became known since the
//    last change event (YAML errors of values files) are announced with onDidChange, whose `files`
//    lists those files; listeners (diagnostics, the tree's error marks) then read them as after any
//    change. settled() resolves when nothing is left to parse, for tests and benchmarks.
// fileChanged() still parses the changed file at once: its problems belong to its own change event.
// It re-reads only the top-level blocks the change touched (incrementalValues: the file's previous
// snapshot is kept), which is what keeps editing a 50,000-line file fast. Large files never hold
// the event loop for long: their first read goes in slices (setImmediate in between), and when the
// fast reader cannot take one (anchors, syntax errors) the full parse runs off the event loop
// (options.parseValues: a worker thread on Node). A large variables file is parsed there too
// (options.parseVariables), at the scan and at each change of it.
//
// A file that cannot be read (a read error, a symbolic link out of the project's workspace folders)
// or whose parser throws is a problem on that file and counts as empty: nothing from an earlier
// read of it is used as if current, and the next change of it is read afresh.
import * as path from 'node:path';
import { computeEffective, imageTag, type EffectiveValues } from '../values/effective';
import { GitOpsHqError } from '../errors';
import { isInside, type FileSystemPort, type ReadScope } from '../fileSystem';
import { chartValuesFile, layerEntries, type LayerFile } from '../values/layers';
import { nullLogger, type Logger } from '../logger';
import { findEnvironment, findTenant, projectNotFound } from './lookup';
import { checkManifestFiles, parseManifest, type ManifestResult } from './manifest';
import type { Problem, Project, Workload } from '../types';
import { parseVariables, VariableSet, type VariablesResult } from './variables';
import { secretFindings } from '../secrets/secretFindings';
import { buildSnapshot, buildSnapshotInSlices, updateSnapshot, type ValuesSnapshot } from '../yaml/incrementalValues';
import { parseValuesFile, type ParsedValues } from '../yaml/valuesReader';

export const MANIFEST_FILE = 'gitopshq.yaml';

export interface ProjectEntry {
  /** Absolute path of the folder that holds gitopshq.yaml. */
  root: string;
  manifestPath: string;
  /** Undefined when the manifest is broken (or its slug is taken by another project). */
  project?: Project;
  /** The manifest's problems (including missing files and a duplicate slug) and the variables file's. */
  problems: Problem[];
}

export interface ValuesFileInfo {
  file: string;
  workload: string;
  /** Absent for a chart's values.yaml. */
  environment?: string;
  tenant?: string;
  /** -1 for a chart's values.yaml, else the index in the workload's `values` list. */
  layer: number;
  exists: boolean;
}

export interface IndexChange {
  /** Projects whose data changed. */
  slugs: string[];
  /**
   * Files whose content changed (values, variables or manifest files), or whose problems became
   * known when the background parse after a scan reached them (see the header).
   */
  files: string[];
}

/** How many reads a scan keeps in flight (ports without readFiles). */
const READ_CONCURRENCY = 64;
/** Files per batch read of a scan: the first batch starts while the rest are listed. */
const READ_SLICE = 2048;
/** Values files parsed per turn of the event loop by the background pass (~4 ms). */
const PARSE_SLICE = 200;
/**
 * From this size (~1,500 lines) a values file is read in slices, and a full library parse goes to
 * options.parseValues: the library takes ~20 µs a line, and the event loop must not stop for 50 ms.
 */
const LARGE_FILE = 64 * 1024;
/** Lines per slice of a large file's first read: ~2 ms once optimised, under 20 ms on the first scan (code not optimised yet). */
const SLICE_LINES = 2000;
/**
 * From this size (~500 variables) the variables file goes to options.parseVariables: on the first
 * scan the reader's code is not optimised yet, and 5,000 lines take 100–400 ms even on the fast path.
 */
const LARGE_VARIABLES_FILE = 16 * 1024;

export interface ProjectIndexOptions {
  /** Parses a values file off the event loop (the Node adapter: a worker thread); for large files the fast reader leaves to the library. */
  parseValues?: (text: string, file: string, layer: number) => Promise<ParsedValues>;
  /** parseVariables off the event loop (the Node adapter: the same worker), for large variables files. */
  parseVariables?: (text: string, file: string, project: Project) => Promise<VariablesResult>;
}

interface LoadedFile {
  /** Undefined when the file does not exist. */
  text: string | undefined;
  /** Undefined until first parsed (see parsedOf), and for a missing file. */
  parsed: ParsedValues | undefined;
  /** The layer it is parsed as: -1 for chart values, else the template index of its first use. */
  layer: number;
  /** The blocks of `text` (see incrementalValues), kept for files changed since the scan and large files. */
  snapshot?: ValuesSnapshot;
  /** Why the file exists but could not be read; `parsed` then holds this problem and no values. */
  failure?: Problem;
}

interface ProjectState {
  root: string;
  manifestPath: string;
  manifestText: string;
  manifest: ManifestResult;
  /** From checkManifestFiles: missing charts, chart values and variables file. */
  fileProblems: Problem[];
  variablesText: string | undefined;
  /** The variables file exists but could not be read or parsed: its variables count as none. */
  variablesFailed: boolean;
  variables: VariableSet;
  variablesProblems: Problem[];
  /** The workspace folders of the project's root: its files may lead only there through links. */
  scope: ReadScope;
  workloads: Map<string, Workload>;
  /** (workload, environment, tenant) → its layer files. */
  combos: Map<string, LayerFile[]>;
  /** Layer file → the combinations that use it. */
  layerUses: Map<string, string[]>;
  /** Chart values file → the workloads that use it. */
  chartUses: Map<string, string[]>;
  effective: Map<string, EffectiveValues>;
  /** Set by link(). */
  entry: ProjectEntry;
  /** Indexing it failed (see failed()): any text of the manifest is read again. */
  failed?: boolean;
}

export class ProjectIndex {
  private folders: string[] = [];
  /** One ReadScope per set of folders, so that the port resolves each set once (reset by a scan). */
  private readonly scopes = new Map<string, ReadScope>();
  private states = new Map<string, ProjectState>();
  private bySlug = new Map<string, ProjectState>();
  private sorted: ProjectEntry[] = [];
  /** Values layers and chart values files of every project, by absolute path. */
  private files = new Map<string, LoadedFile>();
  private problemsCache: Map<string, Problem[]> | undefined;
  private readonly listeners = new Set<(e: IndexChange) => void>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Files for the background pass to parse, from parseCursor on. */
  private parseQueue: string[] = [];
  private parseCursor = 0;
  private parsing: Promise<void> | undefined;
  /** Files whose problems were found by a parse outside fileChanged and not yet announced. */
  private readonly unannounced = new Set<string>();

  constructor(
    private readonly fs: FileSystemPort,
    private readonly logger: Logger = nullLogger,
    private readonly options: ProjectIndexOptions = {},
  ) {}

  // -------------------------------------------------------------------------------------------
  // Reading.

  /** Every project found, valid or not, sorted by name. */
  projects(): ProjectEntry[] {
    return this.sorted;
  }

  project(slug: string): Project | undefined {
    return this.bySlug.get(slug)?.entry.project;
  }

  /** The project a file is in (the innermost project root that contains it). */
  projectOf(file: string): ProjectEntry | undefined {
    const target = path.normalize(file);
    let best: ProjectEntry | undefined;
    for (const state of this.states.values()) {
      const root = state.root;
      const inside = target === root || target.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
      if (inside && (!best || root.length > best.root.length)) best = state.entry;
    }
    return best;
  }

  /**
   * Problems of manifests, variables files and values files, by file (files without problems are
   * absent). Read-only. Values files count once parsed: right after a scan only those parsed on
   * demand; every one after the background pass, which announces what it found (see the header).
   */
  problemsByFile(): Map<string, Problem[]> {
    if (this.problemsCache) return this.problemsCache;
    const out = new Map<string, Problem[]>();
    const add = (p: Problem) => {
      const list = out.get(p.file);
      if (list) list.push(p);
      else out.set(p.file, [p]);
    };
    for (const state of this.states.values()) state.entry.problems.forEach(add);
    for (const loaded of this.files.values()) loaded.parsed?.problems.forEach(add);
    this.problemsCache = out;
    return out;
  }

  variables(slug: string): VariableSet {
    return this.bySlug.get(slug)?.variables ?? VariableSet.empty();
  }

  /** A values file's indexed text (an unsaved buffer's once fed to fileChanged); undefined when not indexed or missing. */
  valuesText(file: string): string | undefined {
    return this.files.get(path.normalize(file))?.text;
  }

  /** A values file as parsed (layer or chart values), or undefined when it is not indexed or does not exist. */
  parsedValues(file: string): ParsedValues | undefined {
    return this.parsedOf(path.normalize(file));
  }

  /**
   * Resolves when every pending change has run and every values file is parsed, its problems
   * announced (tests, benchmarks, and whoever needs the complete problemsByFile()).
   */
  async settled(): Promise<void> {
    for (;;) {
      const queue = this.queue;
      await queue;
      const parsing = this.parsing;
      if (parsing) await parsing;
      else if (queue === this.queue) return;
    }
  }

  /**
   * The effective values of a workload in an environment (and tenant; default the first), from
   * memory, cached until a file they depend on changes. Throws for an unknown project,
   * workload, environment or tenant.
   */
  effective(slug: string, workload: string, environment: string, tenant?: string): EffectiveValues {
    const { state, project, wl, t } = this.combo(slug, workload, environment, tenant);
    const key = comboKey(workload, environment, t);
    const cached = state.effective.get(key);
    if (cached) return cached;
    const layers = new Array<ParsedValues | undefined>(wl.values.length).fill(undefined);
    for (const { file, layer } of state.combos.get(key) ?? []) layers[layer] = this.parsedOf(file);
    const result = computeEffective({
      chart: this.parsedOf(chartValuesFile(project, wl)),
      layers,
      variables: state.variables,
      context: { environment, tenant: t, workload },
    });
    state.effective.set(key, result);
    return result;
  }

  imageTag(slug: string, workload: string, environment: string, tenant?: string): string | undefined {
    return this.known(slug, workload, environment, tenant) ? imageTag(this.effective(slug, workload, environment, tenant).values) : undefined;
  }

  /** Whether any values layer exists for the combination (false for unknown names). */
  isBound(slug: string, workload: string, environment: string, tenant?: string): boolean {
    return this.existingLayerFiles(slug, workload, environment, tenant).length > 0;
  }

  /** The layer files that exist for the combination, lowest first ([] for unknown names). */
  existingLayerFiles(slug: string, workload: string, environment: string, tenant?: string): string[] {
    if (!this.known(slug, workload, environment, tenant)) return [];
    const { state, t } = this.combo(slug, workload, environment, tenant);
    const out: string[] = [];
    for (const { file } of state.combos.get(comboKey(workload, environment, t)) ?? []) {
      if (exists(this.files.get(file))) out.push(file);
    }
    return out;
  }

  /** Every values file of a project: each chart's values.yaml, and every layer path of every combination. */
  valuesFiles(slug: string): ValuesFileInfo[] {
    const state = this.bySlug.get(slug);
    const project = state?.entry.project;
    if (!state || !project) return [];
    const out: ValuesFileInfo[] = [];
    const present = (file: string) => exists(this.files.get(file));
    for (const wl of project.workloads) {
      const chart = chartValuesFile(project, wl);
      out.push({ file: chart, workload: wl.name, layer: -1, exists: present(chart) });
      for (const env of project.environments) {
        for (const tenant of project.tenants) {
          for (const { file, layer } of state.combos.get(comboKey(wl.name, env.name, tenant)) ?? []) {
            out.push({ file, workload: wl.name, environment: env.name, tenant, layer, exists: present(file) });
          }
        }
      }
    }
    return out;
  }

  onDidChange(listener: (e: IndexChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  // -------------------------------------------------------------------------------------------
  // Loading.

  /**
   * The manifests below a folder that appeared after the scan (a project moved or cloned into the
   * workspace fires one event for the folder, none for the files in it). [] outside the scanned
   * folders and in the folders a scan skips.
   */
  async manifestsBelow(folder: string): Promise<string[]> {
    if (!this.inFolders(path.join(folder, MANIFEST_FILE))) return [];
    return (await this.fs.findFiles(folder, MANIFEST_FILE)).map((f) => path.normalize(f));
  }

  /** Finds and indexes every project below the folders, replacing what the index held. */
  scan(folders: string[]): Promise<void> {
    return this.exclusive(async () => {
      const started = Date.now();
      // The files parsed in the background are about to be replaced: stop parsing them.
      this.parseQueue = [];
      this.parseCursor = 0;
      let found: string[][];
      try {
        found = await Promise.all(folders.map((f) => this.fs.findFiles(f, MANIFEST_FILE)));
      } catch (err) {
        this.parseLater(this.files.keys()); // nothing replaced after all
        throw err;
      }
      const manifests = [...new Set(found.flat().map((f) => path.normalize(f)))].sort();
      const fs = memoized(this.fs);
      const files = new Map<string, LoadedFile>();
      this.folders = folders.map((f) => path.normalize(f));
      this.scopes.clear();
      const states = await Promise.all(
        manifests.map((m) => this.loadProject(m, undefined, fs, new Map(), files).catch((err: unknown) => this.failed(m, err))),
      );
      this.states = new Map(states.flatMap((s) => (s ? [[s.manifestPath, s] as const] : [])));
      this.files = files;
      this.unannounced.clear();
      this.parseQueue = [];
      this.parseCursor = 0;
      this.link();
      this.logger.debug(`Scanned ${this.states.size} project(s), ${files.size} values file path(s) in ${Date.now() - started} ms`);
      this.emit({ slugs: [...this.bySlug.keys()], files: [] });
      this.parseLater(files.keys());
    });
  }

  /**
   * A file was saved, created or edited (with `text`, its unsaved content). Re-indexes only what
   * depends on it; resolves to whether anything changed.
   */
  fileChanged(file: string, text?: string): Promise<boolean> {
    return this.exclusive(() => this.update(path.normalize(file), text === undefined ? { read: true } : { text }));
  }

  /** A file was deleted. Resolves to whether anything changed. */
  fileDeleted(file: string): Promise<boolean> {
    return this.exclusive(() => this.update(path.normalize(file), { text: undefined }));
  }

  private async update(file: string, source: { read: true } | { text: string | undefined }): Promise<boolean> {
    let read: Promise<string | undefined | Unreadable> | undefined;
    const content = () => ('read' in source ? (read ??= this.readSafely(this.fs, file, this.scopeOf(file))) : Promise.resolve(source.text));
    const slugs = new Set<string>();
    const files = new Set<string>();

    if (path.basename(file) === MANIFEST_FILE && (this.states.has(file) || this.inFolders(file))) {
      const before = this.states.get(file)?.manifest.project?.slug;
      if (await this.updateManifest(file, await content())) {
        files.add(file);
        const after = this.states.get(file)?.manifest.project?.slug;
        for (const slug of [before, after]) if (slug) slugs.add(slug);
      }
    }

    for (const state of this.states.values()) {
      const project = state.manifest.project;
      if (project?.variablesPath !== file) continue;
      const text = await content();
      if (text === state.variablesText && !state.variablesFailed) continue;
      const existed = state.variablesText !== undefined || state.variablesFailed;
      await this.setVariables(state, text);
      if (existed !== (text !== undefined)) await this.recheckFiles(state);
      slugs.add(project.slug);
      files.add(file);
    }

    const loaded = this.files.get(file);
    if (loaded) {
      const text = await content();
      if (text !== loaded.text || loaded.failure) {
        const existed = exists(loaded);
        const layer = this.layerOf(file);
        this.files.set(file, await this.reloaded(loaded, text, file, layer));
        for (const state of this.states.values()) {
          if (!this.invalidate(state, file)) continue;
          if (state.chartUses.has(file) && existed !== (text !== undefined)) await this.recheckFiles(state);
          if (state.manifest.project) slugs.add(state.manifest.project.slug);
        }
        files.add(file);
      }
    }

    if (files.size === 0) return false;
    this.link();
    this.emit({ slugs: [...slugs], files: [...files] });
    return true;
  }

  /** A values file's entry after a change: missing, unreadable (read or parse failure), or parsed. */
  private async reloaded(loaded: LoadedFile, text: string | undefined | Unreadable, file: string, layer: number): Promise<LoadedFile> {
    if (text === undefined) return { text, parsed: undefined, layer };
    if (text instanceof Unreadable) return unreadableFile(text.problem(file), layer);
    try {
      return { text, layer, ...(await this.reparse(loaded, text, file, layer)) };
    } catch (err) {
      this.logger.error(err instanceof Error ? err : String(err));
      return { ...unreadableFile(parseFailure(file, err), layer), text };
    }
  }

  /** Re-indexes the project of a manifest (or adds or removes it). Whether anything changed. */
  private async updateManifest(manifestPath: string, text: string | undefined | Unreadable): Promise<boolean> {
    const previous = this.states.get(manifestPath);
    if (previous && !previous.failed && text === previous.manifestText) return false;
    if (text instanceof Unreadable) {
      // Shown as a broken project (its entry, the reason on the manifest) until it can be read again.
      this.states.set(manifestPath, this.failed(manifestPath, text.error));
    } else if (text === undefined) {
      if (!previous) return false;
      this.states.delete(manifestPath);
    } else {
      const added = new Map<string, LoadedFile>();
      const state = await this.loadProject(manifestPath, text, memoized(this.fs), this.files, added).catch((err: unknown) =>
        this.failed(manifestPath, err),
      );
      if (!state) return false;
      for (const [file, loaded] of added) this.files.set(file, loaded);
      this.states.set(manifestPath, state);
      this.parseLater(added.keys());
    }
    this.prune();
    return true;
  }

  /**
   * Parses a manifest and loads its variables and values files. Files already in `known` are
   * reused (they are kept current by fileChanged); the others are read into `added`, unparsed.
   */
  private async loadProject(
    manifestPath: string,
    manifestText: string | undefined,
    fs: ScanFileSystem,
    known: ReadonlyMap<string, LoadedFile>,
    added: Map<string, LoadedFile>,
  ): Promise<ProjectState | undefined> {
    const text = manifestText ?? (await this.readSafely(fs, manifestPath, this.scopeOf(manifestPath)));
    if (text === undefined) return undefined;
    if (text instanceof Unreadable) throw text.error;
    const manifest = parseManifest(text, manifestPath);
    const project = manifest.project;
    const scope = this.scopeOf(manifestPath);
    const state: ProjectState = {
      root: path.dirname(manifestPath),
      manifestPath,
      manifestText: text,
      manifest,
      fileProblems: [],
      variablesText: undefined,
      variablesFailed: false,
      variables: VariableSet.empty(),
      variablesProblems: [],
      scope,
      workloads: new Map(project?.workloads.map((w) => [w.name, w]) ?? []),
      combos: new Map(),
      layerUses: new Map(),
      chartUses: new Map(),
      effective: new Map(),
      entry: { root: path.dirname(manifestPath), manifestPath, problems: [] },
    };
    if (!project) return state;
    // Reading starts as soon as the first READ_SLICE files are listed, and goes on (on worker
    // threads with the Node port) while the rest are listed and while recordUses runs.
    const files = [project.variablesPath]; // then the values files not known yet
    const toRead: [string, LoadedFile][] = [];
    const reads: Promise<(string | undefined | Unreadable)[]>[] = [];
    let sent = 0;
    const flush = () => {
      if (sent < files.length) reads.push(this.readAll(fs, files.slice(sent), scope));
      sent = files.length;
    };
    const want = (file: string, layer: number) => {
      if (known.has(file) || added.has(file)) return; // known, or claimed by another project of the scan
      const loaded: LoadedFile = { text: undefined, parsed: undefined, layer };
      added.set(file, loaded);
      toRead.push([file, loaded]);
      files.push(file);
      if (files.length - sent >= READ_SLICE) flush();
    };
    const layers: LayerFile[][] = []; // per (workload, environment, tenant), in recordUses' order
    for (const wl of project.workloads) {
      want(chartValuesFile(project, wl), -1);
      for (const env of project.environments) {
        for (const tenant of project.tenants) {
          const entries = layerEntries(project, wl, env.name, tenant);
          layers.push(entries);
          for (const { file, layer } of entries) want(file, layer);
        }
      }
    }
    flush();
    recordUses(state, project, layers);
    const texts: (string | undefined | Unreadable)[] = [];
    for (const slice of await Promise.all(reads)) for (let i = 0; i < slice.length; i++) texts.push(slice[i]); // holes read as undefined
    for (let i = 0; i < toRead.length; i++) {
      const [file, loaded] = toRead[i] as [string, LoadedFile];
      const fileText = texts[i + 1];
      if (fileText instanceof Unreadable) Object.assign(loaded, unreadableFile(fileText.problem(file), loaded.layer));
      else loaded.text = fileText;
      // checkManifestFiles reads the chart values again: from memory (an unreadable file exists: no missing-file problem on top).
      if (loaded.layer < 0) fs.prime(file, fileText instanceof Unreadable ? '' : fileText);
    }
    const variablesText = texts[0];
    fs.prime(project.variablesPath, variablesText instanceof Unreadable ? '' : variablesText);
    state.fileProblems = await checkManifestFiles(manifest, fs).catch((err: unknown) => {
      this.logger.warn(`Checking the files of ${manifestPath} failed: ${String(err)}`);
      return [];
    });
    await this.setVariables(state, variablesText);
    return state;
  }

  /** A project whose indexing failed unexpectedly: shown with the error instead of hidden. */
  private failed(manifestPath: string, err: unknown): ProjectState {
    this.logger.error(err instanceof Error ? err : String(err));
    const root = path.dirname(manifestPath);
    const problem: Problem = {
      file: manifestPath,
      span: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 'error',
      code: 'index-failed',
      message: `This project could not be indexed: ${err instanceof Error ? err.message : String(err)}`,
    };
    return {
      root,
      manifestPath,
      manifestText: '',
      manifest: { problems: [problem], locate: () => undefined },
      fileProblems: [],
      variablesText: undefined,
      variablesFailed: false,
      variables: VariableSet.empty(),
      variablesProblems: [],
      scope: this.scopeOf(manifestPath),
      workloads: new Map(),
      combos: new Map(),
      layerUses: new Map(),
      chartUses: new Map(),
      effective: new Map(),
      entry: { root, manifestPath, problems: [problem] },
      failed: true,
    };
  }

  /**
   * The texts of `files`, in order: in one batch when the port can (a worker thread on Node), else
   * file by file. Unreadable marks a file that could not be read (logged).
   */
  private async readAll(fs: FileSystemPort, files: readonly string[], scope: ReadScope): Promise<(string | undefined | Unreadable)[]> {
    if (this.fs.readFiles) {
      try {
        return await this.fs.readFiles(files, scope);
      } catch (err) {
        this.logger.warn(`Reading ${files.length} files at once failed (${String(err)}): reading them one by one.`);
      }
    }
    // A folder that does not exist (no layers for a tenant yet) spares a failed open per file.
    const folders = [...new Set(files.map((file) => path.dirname(file)))];
    const present = new Set((await Promise.all(folders.map(async (f) => ((await fs.isDirectory(f)) ? f : undefined)))).filter(isDefined));
    const texts = new Array<string | undefined | Unreadable>(files.length).fill(undefined);
    const indexes = files.flatMap((file, i) => (present.has(path.dirname(file)) ? [i] : []));
    await forEachLimit(indexes, READ_CONCURRENCY, async (i) => {
      texts[i] = await this.readSafely(this.fs, files[i] as string, scope);
    });
    return texts;
  }

  /** The variables file's new content; an unreadable one, or one its parser throws on, is a problem and no variables. */
  private async setVariables(state: ProjectState, text: string | undefined | Unreadable): Promise<void> {
    const project = state.manifest.project;
    let result: VariablesResult;
    let failure: Problem | undefined;
    if (!project || text === undefined) result = { variables: VariableSet.empty(), problems: [] };
    else if (text instanceof Unreadable) failure = text.problem(project.variablesPath);
    else {
      try {
        result = await this.variablesOf(text, project);
      } catch (err) {
        this.logger.error(err instanceof Error ? err : String(err));
        failure = parseFailure(project.variablesPath, err);
      }
    }
    result ??= { variables: VariableSet.empty(), problems: failure ? [failure] : [] };
    // Text and variables change together: readers never see one without the other.
    state.variablesText = text instanceof Unreadable ? undefined : text;
    state.variablesFailed = failure !== undefined;
    state.effective.clear();
    state.variables = result.variables;
    state.variablesProblems = [...result.problems, ...secretFindings(result.variables.all())];
  }

  private async variablesOf(text: string, project: Project): Promise<VariablesResult> {
    if (text.length >= LARGE_VARIABLES_FILE && this.options.parseVariables) {
      try {
        return await this.options.parseVariables(text, project.variablesPath, project);
      } catch (err) {
        this.logger.warn(`Parsing ${project.variablesPath} off the event loop failed (${String(err)}): parsing it here.`);
      }
    }
    return parseVariables(text, project.variablesPath, project);
  }

  /** Runs checkManifestFiles again, reading indexed files from memory (a chart values or variables file came or went). */
  private async recheckFiles(state: ProjectState): Promise<void> {
    const fromMemory: FileSystemPort = {
      readFile: async (file) => {
        const loaded = this.files.get(file);
        if (loaded) return loaded.failure ? '' : loaded.text;
        if (file === state.manifest.project?.variablesPath) return state.variablesFailed ? '' : state.variablesText;
        return this.fs.readFile(file);
      },
      isDirectory: (folder) => this.fs.isDirectory(folder),
      findFiles: (root, name) => this.fs.findFiles(root, name),
    };
    state.fileProblems = await checkManifestFiles(state.manifest, fromMemory).catch(() => state.fileProblems);
  }

  /** Drops the cached effective values that depend on a file; whether the project uses it. */
  private invalidate(state: ProjectState, file: string): boolean {
    let used = false;
    const combos = state.layerUses.get(file);
    if (combos) {
      used = true;
      for (const key of combos) state.effective.delete(key);
    }
    const chartUsers = state.chartUses.get(file);
    if (chartUsers) {
      used = true;
      const workloads = new Set(chartUsers);
      for (const key of [...state.effective.keys()]) {
        if (workloads.has(key.slice(0, key.indexOf('\u0000')))) state.effective.delete(key);
      }
    }
    return used;
  }

  // -------------------------------------------------------------------------------------------
  // Parsing values files: on first use, and in the background after a scan.

  /** A values file, parsed now if it was not yet; undefined when not indexed or missing. */
  private parsedOf(file: string): ParsedValues | undefined {
    const loaded = this.files.get(file);
    if (!loaded || loaded.text === undefined) return loaded?.parsed; // parsed: an unreadable file's problem
    if (!loaded.parsed) {
      try {
        loaded.parsed = parseValuesFile(loaded.text, file, loaded.layer);
      } catch (err) {
        this.logger.error(err instanceof Error ? err : String(err));
        Object.assign(loaded, unreadableFile(parseFailure(file, err), loaded.layer), { text: loaded.text });
      }
      if (loaded.parsed!.problems.length > 0) {
        this.problemsCache = undefined;
        this.unannounced.add(file);
      }
    }
    return loaded.parsed;
  }

  /**
   * A values file's new text: from the blocks of its previous version when there is one, else read
   * afresh; a large file never holds the event loop for long (see the header).
   */
  private async reparse(loaded: LoadedFile, text: string, file: string, layer: number): Promise<{ parsed: ParsedValues; snapshot: ValuesSnapshot }> {
    const previous = loaded.snapshot?.layer === layer ? loaded.snapshot : undefined;
    const large = text.length >= LARGE_FILE;
    let snapshot: ValuesSnapshot;
    if (previous) snapshot = updateSnapshot(previous, text);
    else if (large) snapshot = await buildSnapshotInSlices(text, file, layer, nextTurn, SLICE_LINES);
    else snapshot = buildSnapshot(text, file, layer);
    if (snapshot.fast) return { parsed: snapshot.fast, snapshot };
    if (large && this.options.parseValues) {
      try {
        return { parsed: await this.options.parseValues(text, file, layer), snapshot };
      } catch (err) {
        this.logger.warn(`Parsing ${file} off the event loop failed (${String(err)}): parsing it here.`);
      }
    }
    return { parsed: parseValuesFile(text, file, layer), snapshot };
  }

  /** The background pass's read of a large file (parsedOf would hold the event loop). */
  private async parseLarge(file: string): Promise<void> {
    const loaded = this.files.get(file);
    if (!loaded || loaded.text === undefined || loaded.parsed) return;
    const { parsed, snapshot, failure } = await this.reloaded({ text: undefined, parsed: undefined, layer: loaded.layer }, loaded.text, file, loaded.layer);
    if (this.files.get(file) !== loaded) return; // changed meanwhile: fileChanged parsed the new text
    if (snapshot) loaded.snapshot ??= snapshot;
    if (loaded.parsed || !parsed) return; // parsed on demand meanwhile
    loaded.parsed = parsed;
    if (failure) loaded.failure = failure;
    if (parsed.problems.length > 0) {
      this.problemsCache = undefined;
      this.unannounced.add(file);
    }
  }

  /** Queues files for the background pass, and starts it if it is not running. */
  private parseLater(files: Iterable<string>): void {
    for (const file of files) {
      const loaded = this.files.get(file);
      if (loaded && loaded.text !== undefined && !loaded.parsed) this.parseQueue.push(file);
    }
    this.startParsing();
  }

  private startParsing(): void {
    if (this.parsing || this.parseCursor >= this.parseQueue.length) return;
    this.parsing = this.parseInBackground()
      .catch((err: unknown) => this.logger.error(err instanceof Error ? err : String(err)))
      .finally(() => {
        this.parsing = undefined;
        this.startParsing(); // files queued after the last slice
      });
  }

  /** Parses the queue PARSE_SLICE files per turn of the event loop, then announces the problems found. */
  private async parseInBackground(): Promise<void> {
    while (this.parseCursor < this.parseQueue.length) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const end = Math.min(this.parseQueue.length, this.parseCursor + PARSE_SLICE);
      // A file replaced or forgotten meanwhile is looked up afresh (and skipped when parsed or gone).
      while (this.parseCursor < end) {
        const file = this.parseQueue[this.parseCursor++] as string;
        if ((this.files.get(file)?.text?.length ?? 0) >= LARGE_FILE) await this.parseLarge(file);
        else this.parsedOf(file);
      }
    }
    this.parseQueue = [];
    this.parseCursor = 0;
    if (this.unannounced.size === 0) return;
    const files = [...this.unannounced].sort();
    this.unannounced.clear();
    const slugs = new Set<string>();
    for (const state of this.states.values()) {
      const slug = state.entry.project?.slug;
      if (slug && files.some((f) => state.layerUses.has(f) || state.chartUses.has(f))) slugs.add(slug);
    }
    this.problemsCache = undefined;
    this.emit({ slugs: [...slugs], files });
  }

  /** Forgets files no project uses any more. */
  private prune(): void {
    for (const file of [...this.files.keys()]) {
      let used = false;
      for (const state of this.states.values()) {
        if (state.layerUses.has(file) || state.chartUses.has(file)) {
          used = true;
          break;
        }
      }
      if (!used) this.files.delete(file);
    }
  }

  /** The layer a file is parsed as: -1 for chart values, else the template index of a use (effective relabels per use). */
  private layerOf(file: string): number {
    for (const state of this.states.values()) {
      if (state.chartUses.has(file)) return -1;
      const combo = state.layerUses.get(file)?.[0];
      const entry = combo === undefined ? undefined : state.combos.get(combo)?.find((e) => e.file === file);
      if (entry) return entry.layer;
    }
    return 0;
  }

  /** Slugs, duplicate-slug problems and the sorted entries, after any change. */
  private link(): void {
    this.bySlug = new Map();
    this.problemsCache = undefined;
    const states = [...this.states.values()].sort((a, b) => compare(a.manifestPath, b.manifestPath));
    for (const state of states) {
      const project = state.manifest.project;
      const problems = [...state.manifest.problems, ...state.fileProblems];
      let visible = project;
      if (project) {
        const owner = this.bySlug.get(project.slug);
        if (owner) {
          visible = undefined;
          problems.push({
            file: state.manifestPath,
            span: state.manifest.locate(['metadata', 'slug']) ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
            severity: 'error',
            code: 'duplicate-slug',
            message: `Slug "${project.slug}" is already used by the project in ${owner.manifestPath}: slugs must be unique in the workspace.`,
          });
        } else {
          this.bySlug.set(project.slug, state);
        }
      }
      problems.push(...state.variablesProblems);
      state.entry = visible ? { root: state.root, manifestPath: state.manifestPath, project: visible, problems } : { root: state.root, manifestPath: state.manifestPath, problems };
    }
    this.sorted = states
      .map((s) => s.entry)
      .sort((a, b) => compare(a.project?.name ?? path.basename(a.root), b.project?.name ?? path.basename(b.root)) || compare(a.manifestPath, b.manifestPath));
  }

  // -------------------------------------------------------------------------------------------
  // Helpers.

  private combo(slug: string, workload: string, environment: string, tenant: string | undefined) {
    const state = this.bySlug.get(slug);
    const project = state?.entry.project;
    if (!state || !project) throw projectNotFound(slug);
    const wl = state.workloads.get(workload);
    if (!wl) throw new GitOpsHqError('workload-not-found', `Project ${slug} has no workload "${workload}".`);
    findEnvironment(project, environment);
    const t = findTenant(project, tenant);
    return { state, project, wl, t };
  }

  private known(slug: string, workload: string, environment: string, tenant: string | undefined): boolean {
    const state = this.bySlug.get(slug);
    const project = state?.entry.project;
    return (
      !!project &&
      !!state?.workloads.has(workload) &&
      project.environments.some((e) => e.name === environment) &&
      (tenant === undefined || project.tenants.includes(tenant))
    );
  }

  private inFolders(file: string): boolean {
    return this.folders.some((folder) => {
      const relative = path.relative(folder, file);
      if (relative.startsWith('..') || path.isAbsolute(relative)) return false;
      // The folders findFiles skips.
      return path
        .dirname(relative)
        .split(path.sep)
        .every((part) => part === '.' || part === '.gitopshq' || (part !== 'node_modules' && !part.startsWith('.')));
    });
  }

  /** A file's text, undefined when missing, Unreadable (logged) when it exists but cannot be read. */
  private async readSafely(fs: FileSystemPort, file: string, scope?: ReadScope): Promise<string | undefined | Unreadable> {
    try {
      return await fs.readFile(file, scope);
    } catch (err) {
      this.logger.warn(`Cannot read ${file}: ${String(err)}`);
      return new Unreadable(err);
    }
  }

  /**
   * Where a project's files may lead through links: the workspace folders that hold it (the
   * project's own folder when none does, e.g. an index fed files outside its folders).
   */
  private scopeOf(file: string): ReadScope {
    const within = this.folders.filter((folder) => isInside(file, folder));
    const key = within.length > 0 ? within.join('\u0000') : path.dirname(file);
    let scope = this.scopes.get(key);
    if (!scope) this.scopes.set(key, (scope = { within: within.length > 0 ? within : [path.dirname(file)] }));
    return scope;
  }

  private emit(change: IndexChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.logger.error(err instanceof Error ? err : String(err));
      }
    }
  }

  /** Runs mutations one at a time, in call order. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Which combinations use each layer file, and which workloads each chart values file. */
function recordUses(state: ProjectState, project: Project, layers: readonly LayerFile[][]): void {
  let k = 0;
  for (const wl of project.workloads) {
    addTo(state.chartUses, chartValuesFile(project, wl), wl.name);
    for (const env of project.environments) {
      for (const tenant of project.tenants) {
        const key = comboKey(wl.name, env.name, tenant);
        const entries = layers[k++] as LayerFile[];
        state.combos.set(key, entries);
        for (const { file } of entries) addTo(state.layerUses, file, key);
      }
    }
  }
}

function comboKey(workload: string, environment: string, tenant: string): string {
  return `${workload}\u0000${environment}\u0000${tenant}`;
}

/** Appends to the list at `key` (callers never add the same value twice). */
function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

function compare(a: string, b: string): number {
  return a.localeCompare(b, 'en');
}

/** The file system of one scan: reads each file and checks each folder once; `prime` supplies a text already read. */
interface ScanFileSystem extends FileSystemPort {
  prime(file: string, text: string | undefined): void;
}

/** A file that exists but could not be read: a read error, or a link leading out of the project's workspace folders. */
class Unreadable {
  constructor(readonly error: unknown) {}

  problem(file: string): Problem {
    const err = this.error;
    if (GitOpsHqError.is(err, 'link-outside-workspace')) {
      return fileProblem(file, 'link-outside-workspace', `Not read: ${err.message} Nothing in it is used. ${err.hint ?? ''}`.trim());
    }
    const reason = err instanceof Error ? err.message : String(err);
    return fileProblem(file, 'file-unreadable', `This file could not be read (${reason}): nothing in it is used until it can be.`);
  }
}

/** A parser threw on the file: the file counts as empty, with the reason. */
function parseFailure(file: string, err: unknown): Problem {
  const reason = err instanceof Error ? err.message : String(err);
  return fileProblem(file, 'file-unreadable', `This file could not be parsed (${reason}): nothing in it is used until it is fixed.`);
}

function fileProblem(file: string, code: string, message: string): Problem {
  return { file, span: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'error', code, message };
}

/** The entry of a values file that exists but gave nothing: no values, the failure as its problem. */
function unreadableFile(failure: Problem, layer: number): LoadedFile {
  return { text: undefined, layer, failure, parsed: { file: failure.file, layer, value: {}, origins: new Map(), problems: [failure] } };
}

/** Whether a values file exists (read, or there but unreadable). */
function exists(loaded: LoadedFile | undefined): boolean {
  return loaded !== undefined && (loaded.text !== undefined || loaded.failure !== undefined);
}

function memoized(fs: FileSystemPort): ScanFileSystem {
  const reads = new Map<string, Promise<string | undefined>>();
  const folders = new Map<string, Promise<boolean>>();
  return {
    readFile: (file, scope) => {
      let p = reads.get(file);
      if (!p) reads.set(file, (p = fs.readFile(file, scope)));
      return p;
    },
    isDirectory: (folder) => {
      let p = folders.get(folder);
      if (!p) folders.set(folder, (p = fs.isDirectory(folder)));
      return p;
    },
    findFiles: (root, name) => fs.findFiles(root, name),
    prime: (file, text) => {
      if (!reads.has(file)) reads.set(file, Promise.resolve(text));
    },
  };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs `fn` over the items with at most `limit` in flight. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
