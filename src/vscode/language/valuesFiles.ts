// Which values file of which project a document is. Shared by the values-file language features;
// each caches the answer per path until the index changes.
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { ValueProblem } from '../../core/language/valueChecks';
import { valuesFileContext, type ValuesFileContext } from '../../core/language/variableInfo';
import type { ProjectIndex } from '../../core/model/projectIndex';
import type { Project } from '../../core/types';

export interface ValuesFileInfo {
  slug: string;
  project: Project;
  context: ValuesFileContext;
}

/** What the quick fixes ask of the diagnostics (valuesDiagnostics.ts implements it). */
export interface ValuesProblemSource {
  /** The problems of the document as it is now (checked at once when the last run is stale). */
  problems(document: vscode.TextDocument): ValueProblem[];
  fileInfo(document: vscode.TextDocument): ValuesFileInfo | undefined;
}

/**
 * The values-file context of `document`: `info` is undefined for anything else (the manifest, the
 * variables file, untitled buffers, files outside every project). `known` is false while no loaded
 * project holds the file (before the first scan, say): ask again later rather than remember "no".
 */
export function valuesFileOf(index: ProjectIndex, document: vscode.TextDocument): { file: string; info: ValuesFileInfo | undefined; known: boolean } {
  const file = path.normalize(document.uri.fsPath);
  // An untitled buffer belongs to no project.
  if (document.uri.scheme !== 'file') return { file, info: undefined, known: true };
  const entry = index.projectOf(file);
  const project = entry?.project;
  if (!entry || !project) return { file, info: undefined, known: entry !== undefined };
  if (file === path.normalize(entry.manifestPath) || file === path.normalize(project.variablesPath)) return { file, info: undefined, known: true };
  const context = valuesFileContext(index, project.slug, file);
  return { file, info: context ? { slug: project.slug, project, context } : undefined, known: true };
}
