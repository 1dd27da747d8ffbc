import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import { ProjectIndex } from '../core/model/projectIndex';
import { WorkloadErrors } from '../core/model/workloadErrors';
import { deployStateKey, readDeployStates } from '../core/model/deployStates';
import { loadedProjects } from '../core/model/lookup';
import type { TextJobs } from '../core/release/largeTexts';
import type { DeployState, Project } from '../core/types';
import { NodeFileSystem } from '../infra/fs/nodeFileSystem';
import { ValuesParser } from '../infra/fs/valuesParser';
import type * as Git from '../infra/git/index';
import type { GitRepository } from '../infra/git/gitRepository';
import { Debouncer } from '../core/debounce';
import { lazyBundle } from './lazyBundle';
import type { DisposableStore } from './lifecycle';

export interface ServiceChange {
  /** Projects whose model or Git state changed; empty means "everything". */
  slugs: string[];
}

/** dist/git.js (simple-git and our adapter): first needed after the first scan, not by activation. */
const loadGit = lazyBundle<typeof Git>('git');

const INDEX_DEBOUNCE_MS = 150;
const GIT_DEBOUNCE_MS = 250;

/**
 * Keeps the project index and the Git state in step with the workspace: scans on start, feeds
 * saved files and unsaved buffers to the index, watches deployed branches, and coalesces all of it
 * into one change event that views and diagnostics listen to.
 */
export class ProjectService implements vscode.Disposable {
  readonly index: ProjectIndex;
  private readonly fileSystem: NodeFileSystem;
  private readonly valuesParser = new ValuesParser();
  /** Which workloads need action per (tenant, environment), computed in the background. */
  readonly workloadErrors: WorkloadErrors;
  private readonly changeEmitter = new vscode.EventEmitter<ServiceChange>();
  readonly onDidChange = this.changeEmitter.event;

  private readonly repos = new Map<string, Promise<GitRepository | undefined>>();
  private readonly deployStates = new Map<string, DeployState>();
  private readonly pendingFiles = new Map<string, string | undefined>();
  private readonly createdFolders = new Set<string>();
  private readonly indexDebouncer: Debouncer;
  private readonly folderDebouncer: Debouncer;
  private readonly gitDebouncer: Debouncer;
  private gitWatchers: vscode.Disposable[] = [];
  private watchedKey = '';
  private secrets: string[] | undefined;
  private gitGeneration = 0;
  readonly ready: Promise<void>;

  constructor(
    private readonly logger: Logger,
    private readonly store: DisposableStore,
  ) {
    this.fileSystem = new NodeFileSystem();
    this.index = new ProjectIndex(this.fileSystem, logger.child('index'), {
      parseValues: (text, file, layer) => this.valuesParser.parse(text, file, layer),
      parseVariables: (text, file, project) => this.valuesParser.parseVariables(text, file, project),
    });
    this.workloadErrors = new WorkloadErrors(this.index, () => this.changeEmitter.fire({ slugs: [] }), undefined, logger.child('workloads'));
    const onError = (err: unknown) => logger.error('Background refresh failed', err);
    this.indexDebouncer = new Debouncer(INDEX_DEBOUNCE_MS, () => this.flushFiles(), onError);
    this.gitDebouncer = new Debouncer(GIT_DEBOUNCE_MS, () => this.refreshGit(), onError);
    this.folderDebouncer = new Debouncer(INDEX_DEBOUNCE_MS, () => this.flushFolders(), onError);
    store.register(this.changeEmitter);
    store.register(
      this.index.onDidChange((e) => {
        this.secrets = undefined;
        this.workloadErrors.invalidate();
        this.changeEmitter.fire({ slugs: e.slugs });
      }),
    );
    this.watchFiles();
    // File watchers can miss ref changes (a deployed-branch folder deleted and made again, a fetch
    // from another tool): coming back to the window reads the branches again, as the Git view does.
    store.register(
      vscode.window.onDidChangeWindowState((state) => {
        if (!state.focused) return;
        for (const repo of this.repos.values()) void repo.then((r) => r?.invalidate());
        this.gitDebouncer.trigger();
      }),
    );
    this.ready = this.scan();
  }

  /** A fresh scan of every workspace folder (the Refresh command, folder changes). */
  async rescan(): Promise<void> {
    this.repos.clear();
    await this.scan();
  }

  /** Resolves once pending file and Git refreshes have run (commands and tests that need fresh state). */
  async settled(): Promise<void> {
    await this.ready;
    await this.index.settled();
    await this.folderDebouncer.idle();
    await this.indexDebouncer.idle();
    await this.gitDebouncer.idle();
    await this.workloadErrors.idle();
  }

  /** Values of secret variables, so the logger can mask them; cached until the index changes. */
  secretValues(): string[] {
    if (this.secrets) return this.secrets;
    this.secrets = this.index.projects().flatMap((e) => (e.project ? this.index.variables(e.project.slug).secretValues() : []));
    return this.secrets;
  }

  /** The values worker's work on large texts (release diffs, audit changes), off the host's thread. */
  textJobs(): TextJobs {
    return this.valuesParser;
  }

  deployState(slug: string, environment: string, tenant: string): DeployState | undefined {
    return this.deployStates.get(deployStateKey(slug, tenant, environment));
  }

  /** The Git repository that holds a project, opened once per root. */
  repository(project: Project): Promise<GitRepository | undefined> {
    let repo = this.repos.get(project.root);
    if (!repo) {
      repo = loadGit()
        .then((git) => git.GitRepository.open(project.root, { trusted: vscode.workspace.isTrusted, logger: this.logger.child('git') }))
        .catch((err: unknown) => {
          this.logger.warn(`Git is not available for ${project.root}: ${String(err)}`);
          return undefined;
        });
      this.repos.set(project.root, repo);
    }
    return repo;
  }

  dispose(): void {
    this.fileSystem.dispose();
    this.valuesParser.dispose();
    this.indexDebouncer.dispose();
    this.folderDebouncer.dispose();
    this.gitDebouncer.dispose();
    for (const w of this.gitWatchers) w.dispose();
  }

  private async scan(): Promise<void> {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const started = performance.now();
    await this.index.scan(folders);
    this.logger.info(`Indexed ${this.index.projects().length} project(s) in ${Math.round(performance.now() - started)} ms`);
    // Unsaved buffers win over disk: a dirty values file is what the user sees.
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.isDirty && doc.uri.scheme === 'file') await this.index.fileChanged(doc.uri.fsPath, doc.getText());
    }
    this.changeEmitter.fire({ slugs: [] });
    // Git state is slower and not needed to answer the API: it follows in the background.
    this.gitDebouncer.trigger();
  }

  private watchFiles(): void {
    const watcher = this.store.register(vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml,json}'));
    const onDisk = (uri: vscode.Uri) => this.queueFile(uri.fsPath, undefined);
    this.store.register(watcher.onDidChange(onDisk));
    this.store.register(watcher.onDidCreate(onDisk));
    this.store.register(watcher.onDidDelete(onDisk));
    this.store.register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme !== 'file' || e.contentChanges.length === 0) return;
        if (!this.isRelevant(e.document.uri.fsPath)) return;
        this.queueFile(e.document.uri.fsPath, e.document.getText());
      }),
    );
    // Closing a dirty buffer without saving returns the file to its disk content.
    this.store.register(
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme === 'file' && this.isRelevant(doc.uri.fsPath)) this.queueFile(doc.uri.fsPath, undefined);
      }),
    );
    // Deleting a folder fires no event for the files inside it: forget what the index knew below it.
    // Moving one in (or a watcher that attaches to a new folder after its files are written) may
    // fire only the folder's event: look below it for manifests.
    const folders = this.store.register(vscode.workspace.createFileSystemWatcher('**', false, true, false));
    this.store.register(folders.onDidDelete((uri) => this.forgetBelow(uri.fsPath)));
    this.store.register(folders.onDidCreate((uri) => this.lookBelow(uri.fsPath)));
    this.store.register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rescan()));
    this.store.register(
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.repos.clear();
        this.gitDebouncer.trigger();
      }),
    );
  }

  private forgetBelow(folder: string): void {
    // Files are the other watcher's job; only a deleted folder can hide indexed files.
    if (path.extname(folder) !== '') return;
    this.queueKnownBelow(folder, true);
  }

  /** Re-reads the files the index knows (or expects, when `existing` is false) below a folder. */
  private queueKnownBelow(folder: string, existing = false): void {
    const prefix = folder.endsWith(path.sep) ? folder : folder + path.sep;
    for (const entry of this.index.projects()) {
      if (!entry.manifestPath.startsWith(prefix) && !prefix.startsWith(entry.root + path.sep)) continue;
      const files = [entry.manifestPath];
      if (entry.project) {
        files.push(entry.project.variablesPath, ...this.index.valuesFiles(entry.project.slug).filter((f) => !existing || f.exists).map((f) => f.file));
      }
      for (const file of files) if (file.startsWith(prefix)) this.queueFile(file, undefined);
    }
  }

  private lookBelow(folder: string): void {
    if (path.basename(folder) === 'gitopshq.yaml') return; // the other watcher's
    this.createdFolders.add(folder);
    this.folderDebouncer.trigger();
  }

  private async flushFolders(): Promise<void> {
    // Shortest first, so a parent is kept before the folders below it, which its walk finds.
    const folders = [...this.createdFolders].sort((a, b) => a.length - b.length);
    this.createdFolders.clear();
    const roots = new Set<string>();
    const below = (f: string) => {
      for (let up = path.dirname(f); up !== path.dirname(up); up = path.dirname(up)) if (roots.has(up)) return true;
      return false;
    };
    for (const f of folders) if (!below(f)) roots.add(f);
    // Layer files the index expects below a new folder (a tenant's first layer): their own events
    // may be missed just as a manifest's are.
    for (const folder of roots) this.queueKnownBelow(folder);
    for (const folder of roots) {
      // A file, a skipped folder or one outside the workspace folders finds nothing.
      for (const manifest of await this.index.manifestsBelow(folder)) {
        if (!this.index.projects().some((e) => e.manifestPath === manifest)) this.queueFile(manifest, undefined);
      }
    }
  }

  private isRelevant(file: string): boolean {
    return path.basename(file) === 'gitopshq.yaml' || this.index.projectOf(file) !== undefined;
  }

  private queueFile(file: string, text: string | undefined): void {
    if (!this.isRelevant(file)) return;
    this.pendingFiles.set(file, text);
    this.indexDebouncer.trigger();
  }

  private async flushFiles(): Promise<void> {
    const batch = [...this.pendingFiles];
    this.pendingFiles.clear();
    let changed = false;
    for (const [file, text] of batch) {
      try {
        changed = (await this.index.fileChanged(file, text)) || changed;
      } catch (err) {
        this.logger.error(`Re-indexing ${file} failed`, err);
      }
    }
    // A manifest or variables change can change which paths count for drift.
    if (changed) this.gitDebouncer.trigger();
  }

  /** Re-reads deployed branches and drift for every project; a newer call supersedes an older one. */
  private async refreshGit(): Promise<void> {
    const generation = ++this.gitGeneration;
    const { states, repos } = await readDeployStates(loadedProjects(this.index), (project) => this.repository(project), this.logger);
    if (generation !== this.gitGeneration) return;
    this.deployStates.clear();
    for (const [k, v] of states) this.deployStates.set(k, v);
    this.watchRepositories(repos);
    this.changeEmitter.fire({ slugs: [] });
  }

  private watchRepositories(repos: Set<GitRepository>): void {
    const key = [...repos].map((r) => `${r.commonDir}\u0000${r.gitDir}`).sort().join('\u0001');
    if (key === this.watchedKey) return;
    this.watchedKey = key;
    for (const w of this.gitWatchers) w.dispose();
    this.gitWatchers = [];
    const trigger = () => {
      // The repository caches its ref lookup for a moment: a moved branch must not wait for that.
      for (const repo of this.repos.values()) void repo.then((r) => r?.invalidate());
      this.gitDebouncer.trigger();
    };
    for (const repo of repos) {
      // Branch moves (deploys, commits, fetches) show up as ref files (local and remote-tracking) and packed-refs in the common
      // dir (shared by linked worktrees) and as HEAD in the worktree's own git dir.
      const patterns = [
        new vscode.RelativePattern(vscode.Uri.file(repo.commonDir), '{packed-refs,refs/heads/**,refs/remotes/**}'),
        new vscode.RelativePattern(vscode.Uri.file(repo.gitDir), 'HEAD'),
      ];
      for (const pattern of patterns) {
        const watcher = vscode.workspace.createFileSystemWatcher(pattern);
        this.gitWatchers.push(watcher, watcher.onDidChange(trigger), watcher.onDidCreate(trigger), watcher.onDidDelete(trigger));
      }
    }
  }
}
