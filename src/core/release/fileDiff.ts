// The unified diff of one file as the release panels show it, secrets masked on both sides. Pure: the
// host runs it for small files and the values worker for large ones (ProjectService.releaseFileDiff).
import { structuredPatch } from 'diff';
import type { SecretMasker } from '../secrets/mask';
import { maskYamlText } from '../secrets/maskYaml';

/** Lines of diff sent at most per file: more is cut (the message stays small, the webview fast). */
export const MAX_DIFF_LINES = 2000;
const CONTEXT = 3;

export interface FileDiff {
  path: string;
  hunks: { oldStart: number; oldLines: number; newStart: number; newLines: number; lines: string[] }[];
  added: number;
  removed: number;
  /** True when some text was replaced by the mask. */
  masked: boolean;
  truncated: boolean;
}

/**
 * The diff of `before` → `after` (3 lines of context) with every secret masked first: structurally
 * too when the file is the variables file (`structural`), so old secret values nobody knows any more
 * stay hidden.
 */
export function fileDiff(path: string, before: string, after: string, masker: SecretMasker, structural: boolean): FileDiff {
  const b = maskYamlText(before, masker, structural);
  const a = maskYamlText(after, masker, structural);
  const { oldText, newText, skipped } = trimShared(b.text, a.text);
  const patch = structuredPatch(`a/${path}`, `b/${path}`, oldText, newText, '', '', { context: CONTEXT });
  let budget = MAX_DIFF_LINES;
  let truncated = false;
  let added = 0;
  let removed = 0;
  const hunks: FileDiff['hunks'] = [];
  for (const h of patch.hunks) {
    for (const line of h.lines) {
      if (line.startsWith('+')) added++;
      else if (line.startsWith('-')) removed++;
    }
    if (budget <= 0) {
      truncated = true;
      continue;
    }
    const lines = h.lines.length > budget ? h.lines.slice(0, budget) : h.lines;
    if (lines.length < h.lines.length) truncated = true;
    budget -= lines.length;
    hunks.push({ oldStart: h.oldStart + skipped, oldLines: h.oldLines, newStart: h.newStart + skipped, newLines: h.newLines, lines });
  }
  return { path, hunks, added, removed, masked: a.masked || b.masked, truncated };
}

/**
 * Both texts without the lines they share at the start and the end (beyond the context the diff
 * shows): the diff library compares every line, 270 ms for an unchanged 2 MB file.
 */
function trimShared(oldText: string, newText: string): { oldText: string; newText: string; skipped: number } {
  if (oldText === newText) return { oldText: '', newText: '', skipped: 0 };
  const oldLines = oldText.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const newLines = newText.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const max = Math.min(oldLines.length, newLines.length);
  let head = 0;
  while (head < max && oldLines[head] === newLines[head]) head++;
  let tail = 0;
  while (tail < max - head && oldLines[oldLines.length - 1 - tail] === newLines[newLines.length - 1 - tail]) tail++;
  const skipped = Math.max(0, head - CONTEXT);
  const keepTail = Math.max(0, tail - CONTEXT);
  if (skipped === 0 && keepTail === 0) return { oldText, newText, skipped: 0 };
  return {
    oldText: oldLines.slice(skipped, oldLines.length - keepTail).join(''),
    newText: newLines.slice(skipped, newLines.length - keepTail).join(''),
    skipped,
  };
}
