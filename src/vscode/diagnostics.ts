import * as vscode from 'vscode';
import type { Problem, Severity } from '../core/types';
import type { Services } from './services';

const severities: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export function toDiagnostic(problem: Problem): vscode.Diagnostic {
  const { start, end } = problem.span;
  const range = new vscode.Range(start.line, start.character, end.line, end.character);
  const diagnostic = new vscode.Diagnostic(range, problem.message, severities[problem.severity]);
  diagnostic.source = 'gitopshq';
  diagnostic.code = problem.code;
  return diagnostic;
}

/** Publishes the index's problems (manifests, variables files, values files) as `gitopshq` diagnostics. */
export function registerIndexDiagnostics(s: Services): void {
  const collection = s.store.register(vscode.languages.createDiagnosticCollection('gitopshq'));
  let published = new Set<string>();
  const publish = () => {
    const next = new Set<string>();
    for (const [file, problems] of s.projects.index.problemsByFile()) {
      if (problems.length === 0) continue;
      next.add(file);
      collection.set(vscode.Uri.file(file), problems.map(toDiagnostic));
    }
    for (const file of published) if (!next.has(file)) collection.delete(vscode.Uri.file(file));
    published = next;
  };
  s.store.register(s.projects.onDidChange(publish));
}
