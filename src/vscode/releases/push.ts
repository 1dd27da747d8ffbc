import * as vscode from 'vscode';
import type { ReleaseGit } from '../../infra/git/releaseGit';

export type PushSetting = 'ask' | 'always' | 'never';

export function pushSetting(scope?: vscode.Uri): PushSetting {
  const value = vscode.workspace.getConfiguration('gitopshq.git', scope).get<string>('push', 'ask');
  return value === 'always' || value === 'never' ? value : 'ask';
}

/**
 * Pushes what a release operation moved, as `gitopshq.git.push` says. A repository without a remote has
 * nothing to push. `restore` holds each ref's value before the operation: a rejected push puts them back.
 * Resolves with whether it pushed.
 */
export async function pushPerSetting(
  git: ReleaseGit,
  what: string,
  refs: string[],
  restore: Record<string, string | null>,
  scope?: vscode.Uri,
): Promise<boolean> {
  const remote = await git.hasRemote();
  if (!remote) return false;
  const setting = pushSetting(scope);
  if (setting === 'never') return false;
  if (!vscode.workspace.isTrusted) {
    // Pushing runs credential helpers and transports the repository configures: not in an untrusted workspace.
    void vscode.window.showInformationMessage(`GitOpsHQ: committed ${what} locally; the workspace is not trusted, so it was not pushed.`);
    return false;
  }
  if (setting === 'ask') {
    const choice = await vscode.window.showInformationMessage(
      `Push ${what} to ${remote}?`,
      {
        modal: true,
        detail: `Pushes ${refs.join(', ')}. Set "gitopshq.git.push" to "always" or "never" to stop this question.`,
      },
      'Push',
      'Not now',
    );
    if (choice !== 'Push') return false;
  }
  await git.push({ refs, restore });
  return true;
}
