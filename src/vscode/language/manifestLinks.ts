// Document links on the paths of gitopshq.yaml (chart, variables, values layers). The core reads
// the manifest's YAML nodes into candidates; existence comes from the index (which knows every
// layer file of the saved manifest) and, for paths it does not know (Chart.yaml, a template just
// typed), from the file system. Links are cached per document version.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { manifestLinkSpecs, resolveManifestLinks } from '../../core/language/manifestLinks';
import type { Logger } from '../../core/logger';
import type { Services } from '../services';

const SELECTOR: vscode.DocumentSelector = { language: 'yaml', scheme: 'file', pattern: '**/gitopshq.yaml' };

export function registerManifestLinks(s: Services): void {
  s.store.register(vscode.languages.registerDocumentLinkProvider(SELECTOR, new ManifestLinks(s)));
}

class ManifestLinks implements vscode.DocumentLinkProvider {
  private readonly cache = new Map<string, { version: number; generation: number; links: vscode.DocumentLink[] }>();
  private readonly logger: Logger;
  /** Bumped when the index changes: which layer files exist may have changed without an edit here. */
  private generation = 0;

  constructor(private readonly s: Services) {
    this.logger = s.logger.child('links');
    s.store.register(s.projects.index.onDidChange(() => this.generation++));
    s.store.register(vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString())));
  }

  async provideDocumentLinks(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.DocumentLink[] | undefined> {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version && cached.generation === this.generation) return cached.links;
    try {
      const generation = this.generation;
      const file = path.normalize(document.uri.fsPath);
      const root = path.dirname(file);
      const specs = manifestLinkSpecs(document.getText(), root);
      const exists = await this.existence(file, specs.flatMap((spec) => spec.candidates));
      if (token.isCancellationRequested) return undefined;
      const links = resolveManifestLinks(specs, root, (f) => exists.has(f)).map((l) => {
        const link = new vscode.DocumentLink(new vscode.Range(document.positionAt(l.start), document.positionAt(l.end)), vscode.Uri.file(l.target));
        link.tooltip = l.tooltip;
        return link;
      });
      this.cache.set(key, { version: document.version, generation, links });
      return links;
    } catch (err) {
      this.logger.error('Document links failed', err);
      return undefined;
    }
  }

  /** Which of `candidates` exist: the index answers for the files it indexes, the file system for the rest. */
  private async existence(manifest: string, candidates: readonly string[]): Promise<Set<string>> {
    const index = this.s.projects.index;
    const known = new Map<string, boolean>();
    const project = index.projectOf(manifest)?.project;
    if (project && path.normalize(project.manifestPath) === manifest) {
      for (const f of index.valuesFiles(project.slug)) if (!known.has(f.file)) known.set(f.file, f.exists);
    }
    const unknown = [...new Set(candidates.filter((c) => !known.has(c)))];
    const stats = await Promise.all(
      unknown.map((f) =>
        vscode.workspace.fs.stat(vscode.Uri.file(f)).then(
          (st) => st.type !== vscode.FileType.Directory,
          () => false,
        ),
      ),
    );
    const out = new Set<string>();
    for (const [f, e] of known) if (e) out.add(f);
    unknown.forEach((f, i) => {
      if (stats[i]) out.add(f);
    });
    return out;
  }
}
