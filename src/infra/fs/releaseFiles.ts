// Reading a project's release files (`<root>/.gitopshq/releases/*.yaml`) for the Releases view. Each
// file stands alone: one that cannot be read, or that its parser throws on, is an invalid entry with
// the reason, and every other file (and every other project) is still read.
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Logger } from '../../core/logger';
import { parseReleaseFile, RELEASE_PROBLEM } from '../../core/release/releaseFile';
import type { Release } from '../../core/release/types';
import type { Problem } from '../../core/types';

export interface ReleaseEntry {
  slug: string;
  file: string;
  release?: Release;
  problems: Problem[];
}

/** Every `*.yaml` of a releases folder, in name order; none when the folder does not exist. */
export async function readReleaseDir(slug: string, dir: string, logger: Logger): Promise<Map<string, ReleaseEntry>> {
  const files = new Map<string, ReleaseEntry>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn(`Cannot list ${dir}: ${String(err)}`);
    return files;
  }
  for (const name of names.filter((n) => n.endsWith('.yaml')).sort()) {
    const entry = await readReleaseEntry(slug, path.join(dir, name), logger);
    if (entry) files.set(entry.file, entry);
  }
  return files;
}

/** Undefined when the file is gone; an entry without a release (and the reason) when it cannot be used. */
export async function readReleaseEntry(slug: string, file: string, logger: Logger): Promise<ReleaseEntry | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    logger.warn(`Cannot read ${file}: ${String(err)}`);
    return { slug, file, problems: [failure(file, `This release file could not be read (${messageOf(err)}).`)] };
  }
  try {
    const { release, problems } = parseReleaseFile(text, file);
    return release ? { slug, file, release, problems } : { slug, file, problems };
  } catch (err) {
    logger.error(`Reading the release file ${file} failed`, err);
    return { slug, file, problems: [failure(file, `This release file could not be parsed (${messageOf(err)}).`)] };
  }
}

function failure(file: string, message: string): Problem {
  return { file, span: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'error', code: RELEASE_PROBLEM, message };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
