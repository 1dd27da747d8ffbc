// Rename Symbol on an HQ Variable: on a placeholder key in any values file of a project, or on a
// variable key in its variables file. The core (src/core/language/renameVariable.ts) computes the
// edits from the texts as they are on screen (open buffers, saved or not; the index's text for the
// rest); this adapter turns them into one WorkspaceEdit, which VS Code applies and undoes as one.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { renameTargetInValues, renameTargetInVariables, renameVariable, RENAME_REFUSAL, type RenameTarget } from '../../core/language/renameVariable';
import { positionsOf } from '../../core/language/textPositions';
import type { Logger } from '../../core/logger';
import type { Project } from '../../core/types';
import type { Services } from '../services';

const SELECTOR: vscode.DocumentSelector = { language: 'yaml', scheme: 'file' };

interface Place {
  project: Project;
  kind: 'values' | 'variables';
}

export function registerRenameVariable(s: Services): void {
  s.store.register(vscode.languages.registerRenameProvider(SELECTOR, new VariableRename(s)));
}

class VariableRename implements vscode.RenameProvider {
  private readonly logger: Logger;

  constructor(private readonly s: Services) {
    this.logger = s.logger.child('rename');
  }

  prepareRename(document: vscode.TextDocument, position: vscode.Position): { range: vscode.Range; placeholder: string } | undefined {
    const place = this.place(document);
    if (!place) return undefined; // not ours: another provider may rename here
    const target = this.target(document, position, place);
    if (!target) throw new Error(RENAME_REFUSAL);
    return { range: new vscode.Range(document.positionAt(target.start), document.positionAt(target.end)), placeholder: target.key };
  }

  async provideRenameEdits(
    document: vscode.TextDocument,
    position: vscode.Position,
    newName: string,
    token: vscode.CancellationToken,
  ): Promise<vscode.WorkspaceEdit | undefined> {
    const place = this.place(document);
    if (!place) return undefined;
    const target = this.target(document, position, place);
    if (!target) throw new Error(RENAME_REFUSAL);
    const { project } = place;
    const open = openDocuments();
    const variablesText = open.get(project.variablesPath)?.getText() ?? (await this.readVariables(project.variablesPath));
    if (token.isCancellationRequested) return undefined;
    const valuesTexts = new Map<string, string>();
    for (const { file } of this.s.projects.index.valuesFiles(project.slug)) {
      if (valuesTexts.has(file)) continue;
      const text = open.get(file)?.getText() ?? this.s.projects.index.valuesText(file);
      if (text !== undefined) valuesTexts.set(file, text);
    }
    const result = renameVariable({ oldKey: target.key, newKey: newName.trim(), variablesFile: project.variablesPath, variablesText, valuesTexts });
    if (!result.ok) throw new Error(result.message);

    const edit = new vscode.WorkspaceEdit();
    const positions = new Map<string, (offset: number) => vscode.Position>();
    for (const e of result.edits) {
      let at = positions.get(e.file);
      if (!at) {
        const doc = open.get(e.file);
        const text = e.file === project.variablesPath ? (variablesText ?? '') : (valuesTexts.get(e.file) ?? '');
        if (doc) at = (o: number) => doc.positionAt(o);
        else {
          const position = positionsOf(text);
          at = (o: number) => toPosition(position(o));
        }
        positions.set(e.file, at);
      }
      edit.replace(vscode.Uri.file(e.file), new vscode.Range(at(e.start), at(e.end)), e.newText);
    }
    this.logger.debug(`Rename ${target.key} → ${newName}: ${result.edits.length} edit(s) in ${positions.size} file(s)`);
    return edit;
  }

  /** The project and the role of the document in it, when it is its variables file or one of its values files. */
  private place(document: vscode.TextDocument): Place | undefined {
    const file = path.normalize(document.uri.fsPath);
    const index = this.s.projects.index;
    const project = index.projectOf(file)?.project;
    if (!project) return undefined;
    if (file === project.variablesPath) return { project, kind: 'variables' };
    return index.valuesFiles(project.slug).some((f) => f.file === file) ? { project, kind: 'values' } : undefined;
  }

  private target(document: vscode.TextDocument, position: vscode.Position, place: Place): RenameTarget | undefined {
    if (place.kind === 'variables') return renameTargetInVariables(document.getText(), document.offsetAt(position));
    // Placeholders are line-local: scan the cursor's line only, then shift to document offsets.
    const line = document.lineAt(position.line);
    const target = renameTargetInValues(line.text, position.character);
    if (!target) return undefined;
    const base = document.offsetAt(line.range.start);
    return { key: target.key, start: base + target.start, end: base + target.end };
  }

  private async readVariables(file: string): Promise<string | undefined> {
    try {
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
    } catch (err) {
      // No variables file: only placeholders are renamed.
      this.logger.debug(`Could not read ${file}: ${String(err)}`);
      return undefined;
    }
  }
}

function openDocuments(): Map<string, vscode.TextDocument> {
  const open = new Map<string, vscode.TextDocument>();
  for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === 'file') open.set(path.normalize(doc.uri.fsPath), doc);
  return open;
}

function toPosition(p: { line: number; character: number }): vscode.Position {
  return new vscode.Position(p.line, p.character);
}
