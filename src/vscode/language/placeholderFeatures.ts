// Hover, completion, Go to Definition and Find All References for HQ Variable placeholders in
// values files. The core (src/core/language) finds placeholders and computes rows and Markdown as
// plain data with offsets; this adapter only converts them to VS Code types. Every provider is
// line-local except references, never throws (it logs and returns undefined), honours
// cancellation and never shows a secret's value.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import { completionContextAt, placeholderAt } from '../../core/language/placeholderContext';
import { positionsOf } from '../../core/language/textPositions';
import {
  cachedCompletionDetail,
  completionKeys,
  definitionTargets,
  hoverMarkdown,
  hoverRows,
  placeholderRanges,
  SCOPE_KEYWORDS,
  variableDescription,
  type HoverOptions,
  type VariableInfoRow,
} from '../../core/language/variableInfo';
import type { VariableScope } from '../../core/types';
import type { VariableSet } from '../../core/model/variables';
import type { Services } from '../services';
import { valuesFileOf, type ValuesFileInfo } from './valuesFiles';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'yaml', scheme: 'file' },
  { language: 'yaml', scheme: 'untitled' },
];

/** Files read at once by Find All References. */
const READ_CONCURRENCY = 16;

type FileInfo = ValuesFileInfo;

export function registerPlaceholderLanguageFeatures(s: Services): void {
  const features = new PlaceholderFeatures(s);
  const { store } = s;
  store.register(s.projects.index.onDidChange(() => features.invalidate()));
  store.register(vscode.languages.registerHoverProvider(SELECTOR, features));
  store.register(vscode.languages.registerCompletionItemProvider(SELECTOR, features, '.', '{'));
  store.register(vscode.languages.registerDefinitionProvider(SELECTOR, features));
  store.register(vscode.languages.registerReferenceProvider(SELECTOR, features));
}

interface ItemData {
  key: string;
  scope?: VariableScope;
  info: FileInfo;
}

class PlaceholderFeatures
  implements vscode.HoverProvider, vscode.CompletionItemProvider, vscode.DefinitionProvider, vscode.ReferenceProvider
{
  /** Values-file context by path (undefined: not a values file), until the index changes. */
  private readonly files = new Map<string, FileInfo | undefined>();
  private readonly items = new WeakMap<vscode.CompletionItem, ItemData>();
  private readonly logger: Logger;

  constructor(private readonly s: Services) {
    this.logger = s.logger.child('language');
  }

  invalidate(): void {
    this.files.clear();
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): vscode.Hover | undefined {
    return this.safely('hover', () => {
      const info = this.fileInfo(document);
      if (!info || token.isCancellationRequested) return undefined;
      const match = placeholderAt(document.lineAt(position.line).text, position.character);
      if (!match?.valid || match.key === undefined) return undefined;
      const variables = this.variables(info);
      const rows = hoverRows(variables, info.context, match.key, match.scope);
      const markdown = this.markdown(variables, info, match.key, match.scope, rows);
      return new vscode.Hover(markdown, new vscode.Range(position.line, match.start, position.line, match.end));
    });
  }

  provideCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    token: vscode.CancellationToken,
  ): vscode.CompletionItem[] | undefined {
    return this.safely('completion', () => {
      const info = this.fileInfo(document);
      if (!info) return undefined;
      const context = completionContextAt(document.lineAt(position.line).text, position.character);
      if (!context) return undefined;
      const line = position.line;
      const range = {
        inserting: new vscode.Range(line, context.replace.start, line, position.character),
        replacing: new vscode.Range(line, context.replace.start, line, context.replace.end),
      };
      const extra = context.extraEdits.map((e) => vscode.TextEdit.insert(new vscode.Position(line, e.offset), e.text));
      const prefix = context.mode === 'start' ? 'hq.var.' : '';
      const variables = this.variables(info);
      const items: vscode.CompletionItem[] = [];
      for (const key of completionKeys(variables, context.scope)) {
        if (token.isCancellationRequested) return undefined;
        const item = new vscode.CompletionItem(key, vscode.CompletionItemKind.Variable);
        item.insertText = prefix + key + context.suffix;
        item.filterText = prefix + key;
        item.sortText = `0${key}`;
        item.range = range;
        if (extra.length > 0) item.additionalTextEdits = extra;
        item.detail = cachedCompletionDetail(variables, info.context, key, context.scope);
        const data: ItemData = { key, info };
        if (context.scope) data.scope = context.scope;
        this.items.set(item, data);
        items.push(item);
      }
      if (context.offerScopes) {
        for (const { scope, detail } of SCOPE_KEYWORDS) {
          const item = new vscode.CompletionItem(scope, vscode.CompletionItemKind.Keyword);
          item.insertText = `${scope}.`;
          item.filterText = scope;
          item.sortText = `1${scope}`;
          item.range = range;
          item.detail = detail;
          item.documentation = new vscode.MarkdownString(`Pins the placeholder to the \`${scope}\` scope: \`{{ hq.var.${scope}.KEY }}\`.`);
          item.command = { title: 'Suggest keys', command: 'editor.action.triggerSuggest' };
          items.push(item);
        }
      }
      return items;
    });
  }

  resolveCompletionItem(item: vscode.CompletionItem, token: vscode.CancellationToken): vscode.CompletionItem {
    return (
      this.safely('completion details', () => {
        const data = this.items.get(item);
        if (!data || token.isCancellationRequested) return item;
        const variables = this.variables(data.info);
        const rows = hoverRows(variables, data.info.context, data.key, data.scope);
        item.documentation = this.markdown(variables, data.info, data.key, data.scope, rows);
        return item;
      }) ?? item
    );
  }

  provideDefinition(
    document: vscode.TextDocument,
    position: vscode.Position,
    token: vscode.CancellationToken,
  ): vscode.LocationLink[] | undefined {
    return this.safely('definition', () => {
      const info = this.fileInfo(document);
      if (!info || token.isCancellationRequested) return undefined;
      const match = placeholderAt(document.lineAt(position.line).text, position.character);
      if (!match?.valid || match.key === undefined) return undefined;
      const origin = new vscode.Range(position.line, match.start, position.line, match.end);
      // The winner for the file comes first; VS Code sorts the list by position but goes to the
      // provider's first in `goto`/`gotoAndPeek` mode (package.json makes that YAML's default).
      const defs = definitionTargets(this.variables(info), match.key, match.scope, info.context.combos);
      if (defs.length === 0) return undefined;
      return defs.map((d) => {
        const { file, line, character } = d.origin;
        const keyRange = new vscode.Range(line, character, line, character + d.key.length);
        return { originSelectionRange: origin, targetUri: vscode.Uri.file(file), targetRange: keyRange, targetSelectionRange: keyRange };
      });
    });
  }

  async provideReferences(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.ReferenceContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.Location[] | undefined> {
    try {
      const info = this.fileInfo(document);
      if (!info || token.isCancellationRequested) return undefined;
      const match = placeholderAt(document.lineAt(position.line).text, position.character);
      if (!match?.valid || match.key === undefined) return undefined;
      const key = match.key;
      const files = [...new Set(this.s.projects.index.valuesFiles(info.slug).filter((f) => f.exists).map((f) => f.file))];
      // Unsaved buffers win over disk, as everywhere else.
      const open = new Map<string, vscode.TextDocument>();
      for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === 'file') open.set(path.normalize(doc.uri.fsPath), doc);
      if (!files.includes(info.context.file)) files.push(info.context.file);

      const found = await mapLimited(files, READ_CONCURRENCY, token, async (file) => {
        const doc = open.get(file);
        const text = doc ? doc.getText() : await this.read(file);
        if (text === undefined) return [];
        const ranges = placeholderRanges(text, key);
        if (ranges.length === 0) return [];
        const positions = doc ? (o: number) => doc.positionAt(o) : editorPositions(positionsOf(text));
        const uri = vscode.Uri.file(file);
        return ranges.map((r) => new vscode.Location(uri, new vscode.Range(positions(r.start), positions(r.end))));
      });
      if (!found || token.isCancellationRequested) return undefined;
      const out = found.flat();
      if (context.includeDeclaration) {
        for (const d of this.variables(info).definitions(key)) {
          const { file, line, character } = d.origin;
          out.push(new vscode.Location(vscode.Uri.file(file), new vscode.Range(line, character, line, character + key.length)));
        }
      }
      return out;
    } catch (err) {
      this.logger.error('Find All References failed', err);
      return undefined;
    }
  }

  // -------------------------------------------------------------------------------------------

  private fileInfo(document: vscode.TextDocument): FileInfo | undefined {
    const key = path.normalize(document.uri.fsPath);
    if (this.files.has(key)) return this.files.get(key);
    const { file, info, known } = valuesFileOf(this.s.projects.index, document);
    if (known) this.files.set(file, info);
    return info;
  }

  private variables(info: FileInfo): VariableSet {
    return this.s.projects.index.variables(info.slug);
  }

  private markdown(
    variables: VariableSet,
    info: FileInfo,
    key: string,
    scope: VariableScope | undefined,
    rows: VariableInfoRow[],
  ): vscode.MarkdownString {
    const options: HoverOptions = { tenants: info.context.project.tenantsDeclared };
    if (scope) options.pinned = scope;
    const description = variableDescription(variables, key);
    if (description !== undefined) options.description = description;
    const markdown = new vscode.MarkdownString(hoverMarkdown(rows, key, options));
    markdown.supportHtml = false;
    return markdown;
  }

  private async read(file: string): Promise<string | undefined> {
    try {
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
    } catch (err) {
      this.logger.debug(`Could not read ${file}: ${String(err)}`);
      return undefined;
    }
  }

  private safely<T>(what: string, run: () => T): T | undefined {
    try {
      return run();
    } catch (err) {
      this.logger.error(`Placeholder ${what} failed`, err);
      return undefined;
    }
  }
}

/** Runs `task` over `items`, `limit` at a time; undefined when cancelled. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  token: vscode.CancellationToken,
  task: (item: T) => Promise<R>,
): Promise<R[] | undefined> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !token.isCancellationRequested) {
      const i = next++;
      out[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return token.isCancellationRequested ? undefined : out;
}

/** A core offset → position lookup as the editor's positions. */
function editorPositions(at: (offset: number) => { line: number; character: number }): (offset: number) => vscode.Position {
  return (offset) => {
    const p = at(offset);
    return new vscode.Position(p.line, p.character);
  };
}
