import * as vscode from 'vscode';
import { GitOpsHqError } from '../core/errors';
import type { Logger } from '../core/logger';

/**
 * Shows an error the user can act on: the message, the hint when there is one, and "Open Output".
 * Used by every command so that failures are never silent (VS Code does not show a command's rejection).
 */
export async function showError(err: unknown, logger: Logger, context: string): Promise<void> {
  logger.error(`${context}: ${err instanceof Error ? err.message : String(err)}`, err instanceof Error ? err : undefined);
  if (GitOpsHqError.is(err, 'cancelled')) return;
  const message = err instanceof Error ? err.message : String(err);
  const hint = GitOpsHqError.is(err) && err.hint ? ` ${err.hint}` : '';
  const actions = GitOpsHqError.is(err) ? (RECOVERY[err.kind] ?? []) : [];
  const choice = await vscode.window.showErrorMessage(`GitOpsHQ: ${message}${hint}`, ...actions.map((a) => a.title), 'Open Output');
  if (choice === 'Open Output') await vscode.commands.executeCommand('gitopshq.showOutput');
  else await actions.find((a) => a.title === choice)?.run();
}

const LEARN_GIT_IDENTITY = 'https://git-scm.com/book/en/v2/Getting-Started-First-Time-Git-Setup';

/** What the user can do about a Git failure, offered as buttons beside the message. */
const RECOVERY: Partial<Record<string, { title: string; run: () => Thenable<unknown> }[]>> = {
  'git-identity': [
    { title: 'Open Terminal', run: () => vscode.commands.executeCommand('workbench.action.terminal.new') },
    { title: 'Learn how', run: () => vscode.env.openExternal(vscode.Uri.parse(LEARN_GIT_IDENTITY)) },
  ],
  // The built-in Git extension's pull, when it is there; otherwise a terminal to pull by hand.
  'git-push-rejected': [{ title: 'Pull', run: () => runFirst(['git.pull', 'workbench.action.terminal.new']) }],
  'git-dirty': [{ title: 'Open Source Control', run: () => vscode.commands.executeCommand('workbench.view.scm') }],
  'git-conflict': [{ title: 'Open Source Control', run: () => vscode.commands.executeCommand('workbench.view.scm') }],
  'git-detached': [{ title: 'Open Terminal', run: () => vscode.commands.executeCommand('workbench.action.terminal.new') }],
};

async function runFirst(commands: string[]): Promise<unknown> {
  const known = new Set(await vscode.commands.getCommands(true));
  const command = commands.find((c) => known.has(c));
  return command ? vscode.commands.executeCommand(command) : undefined;
}

/** Wraps a command handler: errors are shown (and re-thrown so scripted callers see them). */
export function guarded<A extends unknown[], R>(
  logger: Logger,
  name: string,
  handler: (...args: A) => Promise<R> | R,
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (err) {
      void showError(err, logger, name);
      throw err;
    }
  };
}
