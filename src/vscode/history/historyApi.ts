// The API's shapes of a history commit and a blame answer (docs/api.md). Free of `vscode`: the API
// module imports them, and it loads in plain Node too (the unit tests of compare() import it).
import { deployedIn } from '../../core/history/badges';
import type { Placement } from '../../core/history/types';
import type { HistoryEntry } from '../../infra/git/historyBrowser';
import type { HistoryService } from './historyService';

/** The API's shape of a commit. */
export function apiCommit(e: HistoryEntry): {
  sha: string;
  author: { name: string; email: string };
  date: string;
  subject: string;
  release?: string;
  deployedIn: Placement[];
} {
  return {
    sha: e.sha,
    author: { name: e.author.name, email: e.author.email },
    date: e.date,
    subject: e.subject,
    ...(e.release ? { release: e.release.id } : {}),
    deployedIn: deployedIn(e.badges),
  };
}

/** The API's and the headless command's blame answer. */
export function blameAnswer(result: Awaited<ReturnType<HistoryService['blame']>>) {
  if (!result.entry) return undefined;
  const c = apiCommit(result.entry);
  return { sha: c.sha, author: c.author, date: c.date, subject: c.subject, ...(c.release ? { release: c.release } : {}), deployedIn: c.deployedIn };
}
