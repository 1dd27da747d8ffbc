import * as path from 'node:path';
import * as vscode from 'vscode';
import { Debouncer } from '../../core/debounce';
import type { Logger } from '../../core/logger';
import { RELEASES_DIR } from '../../core/release/releaseFile';
import { readReleaseDir, readReleaseEntry, type ReleaseEntry } from '../../infra/fs/releaseFiles';
import type { DisposableStore } from '../lifecycle';
import type { ProjectService } from '../projectService';

export type { ReleaseEntry };

interface Loaded {
  dir: string;
  files: Map<string, ReleaseEntry>;
}

const DEBOUNCE_MS = 100;

/**
 * The release files of every project (`<root>/.gitopshq/releases/*.yaml`), parsed and kept in memory so
 * that views read them without I/O. Reads are async; a watcher re-reads only the files that changed.
 */
export class ReleaseStore implements vscode.Disposable {
  private readonly projects = new Map<string, Loaded>();
  private readonly pending = new Set<string>();
  private readonly debouncer: Debouncer;
  private readonly changed = new vscode.EventEmitter<{ slug?: string }>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly service: ProjectService,
    private readonly logger: Logger,
    store: DisposableStore,
  ) {
    this.debouncer = new Debouncer(DEBOUNCE_MS, () => this.flush(), (err) => logger.error('Reading release files failed', err));
    store.register(this.changed);
    const watcher = store.register(vscode.workspace.createFileSystemWatcher(`**/${RELEASES_DIR}/*.yaml`));
    const queue = (uri: vscode.Uri) => {
      this.pending.add(uri.fsPath);
      this.debouncer.trigger();
    };
    store.register(watcher.onDidChange(queue));
    store.register(watcher.onDidCreate(queue));
    store.register(watcher.onDidDelete(queue));
    // Projects come and go with the index: a new project's folder is read once, a gone one forgotten.
    store.register(service.onDidChange(() => this.debouncer.trigger()));
    this.debouncer.trigger();
  }

  entries(slug: string): ReleaseEntry[] {
    return [...(this.projects.get(slug)?.files.values() ?? [])].sort((a, b) => a.file.localeCompare(b.file));
  }

  /** Re-reads one file now (after the extension wrote it), so callers see their own write at once. */
  async reload(slug: string, file: string): Promise<ReleaseEntry | undefined> {
    const loaded = this.projects.get(slug);
    if (!loaded) return undefined;
    const entry = await readReleaseEntry(slug, file, this.logger);
    if (entry) loaded.files.set(file, entry);
    else loaded.files.delete(file);
    this.changed.fire({ slug });
    return entry;
  }

  async settled(): Promise<void> {
    await this.service.ready;
    await this.debouncer.idle();
  }

  dispose(): void {
    this.debouncer.dispose();
  }

  private async flush(): Promise<void> {
    const projects = this.service.index.projects().flatMap((e) => (e.project ? [e.project] : []));
    const changed = new Set<string>();
    const live = new Set(projects.map((p) => p.slug));
    for (const slug of [...this.projects.keys()]) {
      if (!live.has(slug)) {
        this.projects.delete(slug);
        changed.add(slug);
      }
    }
    for (const project of projects) {
      const dir = path.join(project.root, RELEASES_DIR);
      if (this.projects.get(project.slug)?.dir === dir) continue;
      this.projects.set(project.slug, { dir, files: await readReleaseDir(project.slug, dir, this.logger) });
      changed.add(project.slug);
    }
    const files = [...this.pending];
    this.pending.clear();
    for (const file of files) {
      const owner = [...this.projects].find(([, l]) => path.dirname(file) === l.dir);
      if (!owner) continue;
      const [slug, loaded] = owner;
      const entry = await readReleaseEntry(slug, file, this.logger);
      if (entry) loaded.files.set(file, entry);
      else loaded.files.delete(file);
      changed.add(slug);
    }
    if (changed.size > 0) this.changed.fire(changed.size === 1 ? { slug: [...changed][0]! } : {});
  }
}
