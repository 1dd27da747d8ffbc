// Quick fixes for values-file diagnostics: quote an unquoted placeholder, use the placeholder
// instead of a hardcoded or another environment's value, correct a malformed or misspelt
// placeholder, and define an undefined variable in the variables file. The edits are computed in
// src/core/language (valueChecks, valueFixes); this adapter only converts them.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { VALUE_CHECK_CODES, type ValueProblem } from '../../core/language/valueChecks';
import { defineVariableEdit, quoteScalarFix, type DefineTarget, type TextFix } from '../../core/language/valueFixes';
import type { ValuesFileContext } from '../../core/language/variableInfo';
import type { ResolveContext } from '../../core/model/variables';
import type { Services } from '../services';
import type { ValuesProblemSource } from './valuesFiles';

const SELECTOR: vscode.DocumentSelector = [{ language: 'yaml', scheme: 'file' }];
const CODES = new Set<string>(VALUE_CHECK_CODES);

export function registerValuesCodeActions(s: Services, source: ValuesProblemSource): void {
  const provider = new ValuesCodeActions(s, source);
  s.store.register(
    vscode.languages.registerCodeActionsProvider(SELECTOR, provider, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
  );
}

class ValuesCodeActions implements vscode.CodeActionProvider {
  constructor(
    private readonly s: Services,
    private readonly source: ValuesProblemSource,
  ) {}

  async provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.CodeAction[]> {
    const actions: vscode.CodeAction[] = [];
    try {
      for (const diagnostic of context.diagnostics) {
        if (token.isCancellationRequested) return [];
        if (diagnostic.source !== 'gitopshq') continue;
        const code = typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code ?? '');
        // The manifest's unquoted `{workload}` path templates get the same fix (the index reports them).
        if (code === 'unquoted-placeholder' || code === 'unquoted-path-template') {
          const { start, end } = diagnostic.range;
          if (start.line !== end.line) continue;
          const fix = quoteScalarFix(document.lineAt(start.line).text, start.line, start.character, end.character);
          if (fix) actions.push(this.action(document, diagnostic, fix));
          continue;
        }
        if (!CODES.has(code)) continue;
        const problem = this.source.problems(document).find((p) => p.code === code && sameRange(p, diagnostic.range));
        if (!problem) continue;
        for (const fix of problem.fixes ?? []) actions.push(this.action(document, diagnostic, fix));
        if (code === 'undefined-variable') actions.push(...(await this.defineActions(document, diagnostic, problem)));
      }
    } catch (err) {
      this.s.logger.error('Values quick fixes failed', err);
    }
    return actions;
  }

  private action(document: vscode.TextDocument, diagnostic: vscode.Diagnostic, fix: TextFix): vscode.CodeAction {
    const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    action.diagnostics = [diagnostic];
    action.isPreferred = fix.preferred;
    action.edit = new vscode.WorkspaceEdit();
    const { start, end } = fix.span;
    action.edit.replace(document.uri, new vscode.Range(start.line, start.character, end.line, end.character), fix.newText);
    return action;
  }

  /** "Define KEY in .gitopshq/variables.yaml (env: staging)": one action per place it is missing. */
  private async defineActions(document: vscode.TextDocument, diagnostic: vscode.Diagnostic, problem: ValueProblem): Promise<vscode.CodeAction[]> {
    const info = this.source.fileInfo(document);
    if (!info || !problem.key || !problem.missing) return [];
    const targets = defineTargets(info.context, problem.missing, problem.pinned);
    if (targets.length === 0) return [];
    const variablesPath = info.context.project.variablesPath;
    const uri = vscode.Uri.file(variablesPath);
    let variables: vscode.TextDocument;
    try {
      variables = await vscode.workspace.openTextDocument(uri);
    } catch {
      variables = await vscode.workspace.openTextDocument(uri.with({ scheme: 'untitled' }));
    }
    const text = variables.getText();
    const rel = path.relative(info.context.project.root, variablesPath);
    const out: vscode.CodeAction[] = [];
    for (const target of targets) {
      const edit = defineVariableEdit(text, problem.key, target);
      if (!edit) continue;
      const where = target.scope === 'repo' ? 'repo' : target.scope === 'env' ? `env: ${target.environment}` : `tenant: ${target.tenant}`;
      const action = new vscode.CodeAction(`Define ${problem.key} in ${rel} (${where})`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.edit = new vscode.WorkspaceEdit();
      action.edit.insert(variables.uri, variables.positionAt(edit.offset), edit.text);
      // Then show the new key with its empty value selected, ready to type.
      const selection = new vscode.Range(edit.line, edit.valueStart, edit.line, edit.valueEnd);
      action.command = { title: 'Open the variables file', command: 'vscode.open', arguments: [variables.uri, { selection }] };
      out.push(action);
    }
    return out;
  }
}

/**
 * Where to define a key so that it resolves where it is missing: the repo scope when it is missing
 * everywhere the file applies, else each environment where it is missing for every tenant, else
 * each tenant that misses it. A pinned placeholder can only be satisfied in its own scope.
 */
function defineTargets(ctx: ValuesFileContext, missing: readonly ResolveContext[], pinned: ValueProblem['pinned']): DefineTarget[] {
  const envs = (list: readonly ResolveContext[]) => [...new Set(list.map((c) => c.environment))];
  const tenants = (list: readonly ResolveContext[]) => [...new Set(list.map((c) => c.tenant))];
  const envTargets = (names: string[]): DefineTarget[] => names.map((environment) => ({ scope: 'env', environment }));
  const tenantTargets = (names: string[]): DefineTarget[] =>
    ctx.project.tenantsDeclared ? names.map((tenant) => ({ scope: 'tenant', tenant })) : [];
  if (pinned === 'repo') return [{ scope: 'repo' }];
  if (pinned === 'env') return envTargets(envs(missing));
  if (pinned === 'tenant') return tenantTargets(tenants(missing));
  if (pinned === 'svc') return [];
  if (missing.length === ctx.combos.length) return [{ scope: 'repo' }, ...(envs(ctx.combos).length > 1 ? [] : envTargets(envs(missing)))];
  const wholeEnvs = envs(missing).filter((e) => ctx.combos.filter((c) => c.environment === e).every((c) => missing.includes(c)));
  const rest = missing.filter((c) => !wholeEnvs.includes(c.environment));
  return [...envTargets(wholeEnvs), ...tenantTargets(tenants(rest))];
}

function sameRange(p: ValueProblem, range: vscode.Range): boolean {
  const { start, end } = p.span;
  return start.line === range.start.line && start.character === range.start.character && end.line === range.end.line && end.character === range.end.character;
}
