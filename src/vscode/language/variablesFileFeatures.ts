// The variables file (.gitopshq/variables.yaml) as a place to work in: completion of the names the
// format expects where the cursor is (scope sections, environments, tenants, workloads, variable
// keys), a hover and a CodeLens on each variable key with its usages, and an `unused-variable`
// warning on keys that no values file of the project uses.
//
// Usages come from the core's VariableUsage, rebuilt lazily once per index change from the index's
// texts (unsaved buffers included); key positions from the document's own text, so a lens or a
// warning sits on the key even while the buffer is being edited.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Debouncer } from '../../core/debounce';
import { definitionLink, hoverMarkdown, variableDescription, variableRows, SCOPE_KEYWORDS } from '../../core/language/variableInfo';
import { variableKeyAt, variableKeySpans, variablesFileSlotAt, type VariableKeySpans, type VariablesFileSlot } from '../../core/language/variablesFilePositions';
import { VariableUsage, type VariableUse } from '../../core/language/variableUsage';
import { positionsOf } from '../../core/language/textPositions';
import type { Logger } from '../../core/logger';
import type { Project } from '../../core/types';
import type { ResolveContext } from '../../core/model/variables';
import type { Services } from '../services';

const SELECTOR: vscode.DocumentSelector = { language: 'yaml', scheme: 'file' };
const DIAGNOSTICS_DEBOUNCE_MS = 300;
/** Usages listed by file and line in the hover; the CodeLens shows them all. */
const HOVER_USES = 5;

export function registerVariablesFileFeatures(s: Services): void {
  const features = new VariablesFileFeatures(s);
  s.store.register(features);
  s.store.register(vscode.languages.registerCompletionItemProvider(SELECTOR, features));
  s.store.register(vscode.languages.registerHoverProvider(SELECTOR, features));
  s.store.register(vscode.languages.registerCodeLensProvider(SELECTOR, features));
}

class VariablesFileFeatures implements vscode.CompletionItemProvider, vscode.HoverProvider, vscode.CodeLensProvider, vscode.Disposable {
  private readonly usage = new Map<string, { usage: VariableUsage; stale: boolean }>();
  private readonly spans = new Map<string, { version: number; spans: VariableKeySpans }>();
  private readonly lastKeys = new Map<string, string[]>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  private readonly diagnostics: vscode.DiagnosticCollection;
  private readonly debouncer: Debouncer;
  private published = new Set<string>();
  private readonly logger: Logger;

  constructor(private readonly s: Services) {
    this.logger = s.logger.child('variables-file');
    this.diagnostics = vscode.languages.createDiagnosticCollection('gitopshq.variables');
    this.debouncer = new Debouncer(DIAGNOSTICS_DEBOUNCE_MS, () => this.publish(), (err) => this.logger.error('Unused-variable check failed', err));
    const disposables = [
      s.projects.index.onDidChange(() => {
        for (const entry of this.usage.values()) entry.stale = true;
        this.rememberKeys();
        this.lensesChanged.fire();
        this.debouncer.trigger();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.projectOf(e.document)) this.debouncer.trigger();
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.spans.delete(d.uri.toString())),
    ];
    for (const d of disposables) s.store.register(d);
    this.rememberKeys();
    this.debouncer.trigger();
  }

  dispose(): void {
    this.debouncer.dispose();
    this.diagnostics.dispose();
    this.lensesChanged.dispose();
  }

  // -------------------------------------------------------------------------------------------
  // Completion.

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): vscode.CompletionItem[] | undefined {
    return this.safely('completion', () => {
      const project = this.projectOf(document);
      if (!project) return undefined;
      const slot = variablesFileSlotAt(document.getText(), document.offsetAt(position));
      if (!slot || token.isCancellationRequested) return undefined;
      const range = new vscode.Range(document.positionAt(slot.replace.start), document.positionAt(slot.replace.end));
      const taken = new Set(slot.siblings);
      return this.candidates(project, slot)
        .filter((c) => !taken.has(c.name))
        .map((c, i) => {
          const item = new vscode.CompletionItem(c.name, c.kind);
          item.insertText = c.name + slot.suffix;
          item.filterText = c.name;
          item.range = range;
          item.detail = c.detail;
          // Manifest order (promotion order for environments), not alphabetical.
          item.sortText = String(i).padStart(5, '0');
          return item;
        });
    });
  }

  private candidates(project: Project, slot: VariablesFileSlot): { name: string; kind: vscode.CompletionItemKind; detail: string }[] {
    const { Module, EnumMember, Class, Variable } = vscode.CompletionItemKind;
    switch (slot.kind) {
      case 'section':
        return SCOPE_KEYWORDS.map(({ scope, detail }) => ({ name: scope, kind: Module, detail }));
      case 'environment':
        return project.environments.map((e, i) => ({ name: e.name, kind: EnumMember, detail: `Environment ${i + 1} of ${project.environments.length} (promotion order)` }));
      case 'tenant':
        return project.tenants.map((t) => ({ name: t, kind: EnumMember, detail: project.tenantsDeclared ? 'Tenant' : 'The default tenant (the project declares none)' }));
      case 'workload':
        return project.workloads.map((w) => ({ name: w.name, kind: Class, detail: `Workload (chart ${w.chart})` }));
      case 'variable': {
        const usage = this.usageOf(project);
        return this.variableKeys(project).map((key) => ({ name: key, kind: Variable, detail: `HQ Variable defined elsewhere · ${usesLabel(usage.count(key))}` }));
      }
    }
  }

  /**
   * The project's variable keys. A key half typed (`    DATA`) is a YAML error that empties the
   * index's variables until the line is finished: completion then offers the keys known before.
   */
  private variableKeys(project: Project): string[] {
    const keys = this.s.projects.index.variables(project.slug).keys();
    return keys.length > 0 ? keys : (this.lastKeys.get(project.slug) ?? []);
  }

  private rememberKeys(): void {
    const index = this.s.projects.index;
    for (const { project } of index.projects()) {
      const keys = project ? index.variables(project.slug).keys() : [];
      if (project && keys.length > 0) this.lastKeys.set(project.slug, keys);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Hover and CodeLens.

  provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): vscode.Hover | undefined {
    return this.safely('hover', () => {
      const project = this.projectOf(document);
      if (!project) return undefined;
      const span = variableKeyAt(this.keySpans(document).spans, document.offsetAt(position));
      if (!span || token.isCancellationRequested) return undefined;
      const variables = this.s.projects.index.variables(project.slug);
      const rows = variableRows(variables, { project, combos: allCombos(project) }, span.key);
      const description = variableDescription(variables, span.key);
      const table = hoverMarkdown(rows, span.key, { tenants: project.tenantsDeclared, ...(description !== undefined ? { description } : {}) });
      const markdown = new vscode.MarkdownString([table, '', usageMarkdown(project, this.usageOf(project).uses(span.key))].join('\n'));
      markdown.supportHtml = false;
      return new vscode.Hover(markdown, new vscode.Range(document.positionAt(span.start), document.positionAt(span.end)));
    });
  }

  provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): vscode.CodeLens[] | undefined {
    return this.safely('CodeLens', () => {
      const project = this.projectOf(document);
      if (!project) return undefined;
      const { spans } = this.keySpans(document);
      if (token.isCancellationRequested) return undefined;
      const usage = this.usageOf(project);
      return spans.map((span) => {
        const range = new vscode.Range(document.positionAt(span.start), document.positionAt(span.end));
        const uses = usage.uses(span.key);
        if (uses.length === 0) return new vscode.CodeLens(range, { title: 'unused', command: '', tooltip: 'No values file of the project uses this variable' });
        return new vscode.CodeLens(range, {
          title: usesLabel(uses.length),
          command: 'editor.action.showReferences',
          arguments: [document.uri, range.start, uses.map(locationOf)],
        });
      });
    });
  }

  // -------------------------------------------------------------------------------------------
  // The unused-variable warning.

  private async publish(): Promise<void> {
    const next = new Set<string>();
    for (const entry of this.s.projects.index.projects()) {
      const project = entry.project;
      if (!project) continue;
      const file = project.variablesPath;
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && path.normalize(d.uri.fsPath) === file);
      const text = doc ? doc.getText() : await this.read(file);
      if (text === undefined) continue;
      const usage = this.usageOf(project);
      const position = doc ? undefined : positionsOf(text);
      const at = (o: number) => (position ? toPosition(position(o)) : (doc as vscode.TextDocument).positionAt(o));
      const diagnostics = variableKeySpans(text)
        .spans.filter((span) => usage.count(span.key) === 0)
        .map((span) => {
          const d = new vscode.Diagnostic(
            new vscode.Range(at(span.start), at(span.end)),
            `HQ Variable "${span.key}" is not used by any values file of project ${project.name}: remove it, or use it as "{{ hq.var.${span.key} }}".`,
            vscode.DiagnosticSeverity.Warning,
          );
          d.source = 'gitopshq';
          d.code = 'unused-variable';
          d.tags = [vscode.DiagnosticTag.Unnecessary];
          return d;
        });
      if (diagnostics.length === 0) continue;
      next.add(file);
      this.diagnostics.set(vscode.Uri.file(file), diagnostics);
    }
    for (const file of this.published) if (!next.has(file)) this.diagnostics.delete(vscode.Uri.file(file));
    this.published = next;
  }

  // -------------------------------------------------------------------------------------------

  /** The project whose variables file the document is. */
  private projectOf(document: vscode.TextDocument): Project | undefined {
    if (document.uri.scheme !== 'file') return undefined;
    const file = path.normalize(document.uri.fsPath);
    const project = this.s.projects.index.projectOf(file)?.project;
    return project?.variablesPath === file ? project : undefined;
  }

  /** The project's usages, rebuilt from the index's texts when the index changed since the last call. */
  private usageOf(project: Project): VariableUsage {
    let entry = this.usage.get(project.slug);
    if (!entry) {
      entry = { usage: new VariableUsage(), stale: true };
      this.usage.set(project.slug, entry);
    }
    if (entry.stale) {
      const index = this.s.projects.index;
      const texts: [string, string][] = [];
      for (const { file } of index.valuesFiles(project.slug)) {
        const text = index.valuesText(file);
        if (text !== undefined) texts.push([file, text]);
      }
      entry.usage.update(texts);
      entry.stale = false;
    }
    return entry.usage;
  }

  private keySpans(document: vscode.TextDocument): VariableKeySpans {
    const key = document.uri.toString();
    const cached = this.spans.get(key);
    if (cached?.version === document.version) return cached.spans;
    const spans = variableKeySpans(document.getText());
    this.spans.set(key, { version: document.version, spans });
    return spans;
  }

  private async read(file: string): Promise<string | undefined> {
    try {
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
    } catch {
      return undefined; // no variables file: nothing to warn about
    }
  }

  private safely<T>(what: string, run: () => T): T | undefined {
    try {
      return run();
    } catch (err) {
      this.logger.error(`Variables file ${what} failed`, err);
      return undefined;
    }
  }
}

function usesLabel(n: number): string {
  return n === 0 ? 'unused' : `${n} usage${n === 1 ? '' : 's'}`;
}

function locationOf(use: VariableUse): vscode.Location {
  return new vscode.Location(vscode.Uri.file(use.file), new vscode.Range(use.line, use.character, use.endLine, use.endCharacter));
}

/** Every (environment, tenant, workload) of the project: the variables file applies to all of them. */
function allCombos(project: Project): ResolveContext[] {
  return project.environments.flatMap((env) =>
    project.tenants.flatMap((tenant) => project.workloads.map((w) => ({ environment: env.name, tenant, workload: w.name }))),
  );
}

/** "Used N times in M files", then the first few usages as file:line links. */
function usageMarkdown(project: Project, uses: readonly VariableUse[]): string {
  if (uses.length === 0) return '_Unused: no values file of the project uses it._';
  const files = new Set(uses.map((u) => u.file)).size;
  const lines = [`**${usesLabel(uses.length)}** in ${files} file${files === 1 ? '' : 's'}:`, ''];
  for (const use of uses.slice(0, HOVER_USES)) {
    const where = `${path.relative(project.root, use.file).split(path.sep).join('/')}:${use.line + 1}`;
    lines.push(`- [${where}](${definitionLink({ file: use.file, line: use.line })})`);
  }
  if (uses.length > HOVER_USES) lines.push(`- _…and ${uses.length - HOVER_USES} more (see the CodeLens)_`);
  return lines.join('\n');
}

function toPosition(p: { line: number; character: number }): vscode.Position {
  return new vscode.Position(p.line, p.character);
}
