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
  const choice = await vscode.window.showErrorMessage(`GitOpsHQ: ${message}${hint}`, 'Open Output');
  if (choice === 'Open Output') await vscode.commands.executeCommand('gitopshq.showOutput');
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
