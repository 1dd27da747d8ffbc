// Completion and hover for the keys of values files (workload layers and charts' values.yaml), and
// the `schema` diagnostics (schemaDiagnostics.ts). The cursor's YAML path comes from the document's
// lines without a parse (core/language/yamlPathAt.ts), so both answer at once after an edit; the
// data (keys, rows, Markdown) is computed in core/language/keyInfo.ts. A cursor on an HQ Variable
// placeholder belongs to placeholderFeatures.ts: these providers then return nothing.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { schemaInfoAt } from '../../core/values/chartSchema';
import { chartValuesFile } from '../../core/values/layers';
import { keyCompletions, keyHoverMarkdown, keyRows, valueCompletions } from '../../core/language/keyInfo';
import { completionContextAt, placeholderAt } from '../../core/language/placeholderContext';
import { contentRange, siblingKeys, yamlPathAt, type LineSource } from '../../core/language/yamlPathAt';
import type { Logger } from '../../core/logger';
import type { PlainMap } from '../../core/values/paths';
import type { Services } from '../services';
import { ChartSchemaSource, registerSchemaDiagnostics } from './schemaDiagnostics';
import { valuesFileOf, type ValuesFileInfo } from './valuesFiles';

const SELECTOR: vscode.DocumentSelector = [{ language: 'yaml', scheme: 'file' }];

interface FileInfo extends ValuesFileInfo {
  /** The chart whose schema and defaults describe the file: its first workload's. */
  schemaFile?: string;
  defaultsFile?: string;
}

export function registerValuesKeyFeatures(s: Services): void {
  const schemas = s.store.register(new ChartSchemaSource(s.logger.child('schema')));
  const features = new ValuesKeyFeatures(s, schemas);
  s.store.register(s.projects.index.onDidChange(() => features.invalidate()));
  s.store.register(vscode.languages.registerHoverProvider(SELECTOR, features));
  // A space after `key:` offers the schema's enum members and booleans.
  s.store.register(vscode.languages.registerCompletionItemProvider(SELECTOR, features, ' '));
  registerSchemaDiagnostics(s, schemas);
}

class ValuesKeyFeatures implements vscode.HoverProvider, vscode.CompletionItemProvider {
  private readonly files = new Map<string, FileInfo | undefined>();
  private readonly logger: Logger;

  constructor(
    private readonly s: Services,
    private readonly schemas: ChartSchemaSource,
  ) {
    this.logger = s.logger.child('language');
  }

  invalidate(): void {
    this.files.clear();
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    try {
      const info = this.fileInfo(document);
      if (!info) return undefined;
      const lineText = document.lineAt(position.line).text;
      if (placeholderAt(lineText, position.character)) return undefined;
      const at = yamlPathAt(linesOf(document), position.line, position.character);
      if (!at || at.kind !== 'key' || !at.hasColon || at.key === '') return undefined;
      const keyPath = [...at.parent, at.key];
      const schema = info.schemaFile ? await this.schemas.schema(info.schemaFile) : undefined;
      if (token.isCancellationRequested) return undefined;
      const rows = keyRows(this.s.projects.index, info.slug, info.context, keyPath);
      const markdown = new vscode.MarkdownString(
        keyHoverMarkdown(keyPath, schema === undefined ? undefined : schemaInfoAt(schema, keyPath), rows, {
          tenants: info.context.project.tenantsDeclared,
          root: info.context.project.root,
        }),
      );
      markdown.supportHtml = false;
      return new vscode.Hover(markdown, new vscode.Range(position.line, at.keyStart, position.line, at.keyEnd));
    } catch (err) {
      this.logger.error('Key hover failed', err);
      return undefined;
    }
  }

  async provideCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    token: vscode.CancellationToken,
    context: vscode.CompletionContext,
  ): Promise<vscode.CompletionItem[] | undefined> {
    try {
      const info = this.fileInfo(document);
      if (!info) return undefined;
      const lineText = document.lineAt(position.line).text;
      if (completionContextAt(lineText, position.character) || placeholderAt(lineText, position.character)) return undefined;
      const lines = linesOf(document);
      const at = yamlPathAt(lines, position.line, position.character);
      if (!at) return undefined;
      if (context.triggerCharacter === ' ' && at.kind !== 'value') return undefined;
      const schema = info.schemaFile ? await this.schemas.schema(info.schemaFile) : undefined;
      if (token.isCancellationRequested) return undefined;
      const line = position.line;

      if (at.kind === 'value') {
        if ((at.valuePrefix ?? '').includes('{{')) return undefined;
        const start = at.valueStart ?? position.character;
        const end = Math.max(contentRange(lineText, start).end, position.character);
        const range = new vscode.Range(line, Math.min(start, position.character), line, end);
        return valueCompletions(schema, [...at.parent, at.key]).map((v, i) => {
          const item = new vscode.CompletionItem(v.label, vscode.CompletionItemKind.EnumMember);
          item.detail = v.detail;
          item.range = range;
          item.sortText = String(i).padStart(4, '0');
          return item;
        });
      }

      const present = siblingKeys(lines, line, at.keyStart);
      const defaults = info.defaultsFile ? this.s.projects.index.parsedValues(info.defaultsFile)?.value : undefined;
      const items = keyCompletions({ schema, defaults: defaults as PlainMap | undefined, parent: at.parent, present });
      const range = new vscode.Range(line, at.keyStart, line, at.keyEnd);
      return items.map((k) => {
        const kind = k.shape === 'object' ? vscode.CompletionItemKind.Module : k.shape === 'array' ? vscode.CompletionItemKind.Enum : vscode.CompletionItemKind.Property;
        const item = new vscode.CompletionItem(k.key, kind);
        item.detail = k.detail;
        if (k.documentation) {
          const doc = new vscode.MarkdownString(k.documentation);
          doc.supportHtml = false;
          item.documentation = doc;
        }
        // On an existing `key:` only the name is replaced.
        item.insertText = at.hasColon ? k.key : new vscode.SnippetString(k.snippet);
        item.range = range;
        item.sortText = k.sortText;
        return item;
      });
    } catch (err) {
      this.logger.error('Key completion failed', err);
      return undefined;
    }
  }

  private fileInfo(document: vscode.TextDocument): FileInfo | undefined {
    const key = path.normalize(document.uri.fsPath);
    if (this.files.has(key)) return this.files.get(key);
    const { file, info: values, known } = valuesFileOf(this.s.projects.index, document);
    let info: FileInfo | undefined;
    if (values) {
      info = { ...values };
      const workload = values.project.workloads.find((w) => w.name === values.context.workloads[0]);
      if (workload) {
        info.defaultsFile = chartValuesFile(values.project, workload);
        const schemaFile = ChartSchemaSource.fileOf(values.project, workload.name);
        if (schemaFile) info.schemaFile = schemaFile;
      }
    }
    if (known) this.files.set(file, info);
    return info;
  }
}

function linesOf(document: vscode.TextDocument): LineSource {
  return { lineCount: document.lineCount, line: (i) => document.lineAt(i).text };
}

