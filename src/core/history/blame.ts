// `git blame --porcelain` parsed into lines, and the map from an edited buffer's lines to the saved
// file's lines (blame runs on the saved file: lines the user has not saved are said to be unsaved).
import type { BlameLine } from './types';

const ZERO = /^0+$/;

/** Lines by final (1-based) line number; index 0 unused. */
export function parseBlamePorcelain(text: string): BlameLine[] {
  const lines: BlameLine[] = [];
  const commits = new Map<string, { name?: string; email?: string; time?: number; summary?: string; filename?: string }>();
  const records = text.split('\n');
  let current: { sha: string; originalLine: number; finalLine: number } | undefined;
  for (const record of records) {
    if (current === undefined) {
      const header = /^([0-9a-f]{40}(?:[0-9a-f]{24})?) (\d+) (\d+)(?: \d+)?$/.exec(record);
      if (header) current = { sha: header[1]!, originalLine: Number(header[2]), finalLine: Number(header[3]) };
      continue;
    }
    const info = commits.get(current.sha) ?? {};
    commits.set(current.sha, info);
    if (record.startsWith('\t')) {
      const uncommitted = ZERO.test(current.sha);
      lines[current.finalLine] = {
        sha: current.sha,
        originalLine: current.originalLine,
        finalLine: current.finalLine,
        author: { name: info.name ?? '', email: info.email ?? '' },
        date: info.time === undefined ? '' : new Date(info.time * 1000).toISOString(),
        subject: info.summary ?? '',
        filename: info.filename ?? '',
        uncommitted,
      };
      current = undefined;
      continue;
    }
    const space = record.indexOf(' ');
    const key = space < 0 ? record : record.slice(0, space);
    const value = space < 0 ? '' : record.slice(space + 1);
    if (key === 'author') info.name = value;
    else if (key === 'author-mail') info.email = value.replace(/^<(.*)>$/, '$1');
    else if (key === 'author-time') info.time = Number(value);
    else if (key === 'summary') info.summary = value;
    else if (key === 'filename') info.filename = value;
  }
  return lines;
}

/**
 * The saved file's 0-based line that the buffer's 0-based `line` shows, or undefined when the line
 * is part of the unsaved edit. The edit is taken as one region between the longest common prefix and
 * suffix of lines: exact for one edit, conservative (more lines called unsaved) for several.
 */
export function savedLineOf(saved: readonly string[], buffer: readonly string[], line: number): number | undefined {
  if (line < 0 || line >= buffer.length) return undefined;
  let prefix = 0;
  const max = Math.min(saved.length, buffer.length);
  while (prefix < max && saved[prefix] === buffer[prefix]) prefix++;
  if (line < prefix) return line;
  let suffix = 0;
  while (suffix < max - prefix && saved[saved.length - 1 - suffix] === buffer[buffer.length - 1 - suffix]) suffix++;
  if (line >= buffer.length - suffix) return line - (buffer.length - saved.length);
  return undefined;
}
