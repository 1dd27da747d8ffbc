// Release diffs and audit changes of large files leave the extension host's thread: masking (a parse of
// the variables file) and diffing a 2 MB values file take 0.3–1 s, and the host must never stop for
// more than 50 ms. Texts up to MAX_HOST_TEXT are handled in place; larger ones by the values worker.
import type { ValuesCommit } from './audit';
import { changeSummary, type ChangeSummary } from './changedValues';
import { fileDiff, type FileDiff } from './fileDiff';
import { DISPLAY_MASKING, secretMasker } from '../secrets/mask';
import type { Project } from '../types';

/** The most text (both sides together) parsed or diffed synchronously on the host. */
export const MAX_HOST_TEXT = 64 * 1024;

/** What the values worker does for us (infra/fs/valuesParser.ts). */
export interface TextJobs {
  fileDiff(path: string, before: string, after: string, secrets: readonly string[], structural: boolean): Promise<FileDiff>;
  changeSummary(before: string | undefined, after: string | undefined, max: number): Promise<ChangeSummary | undefined>;
}

/** Whether a repository-relative path is the project's variables file (where `secret: true` lives). */
export function isVariablesFile(project: Pick<Project, 'variablesPath'> | undefined, repoPath: string): boolean {
  if (!project) return true;
  const file = project.variablesPath.replace(/\\/g, '/');
  const rel = repoPath.replace(/\\/g, '/');
  return file === rel || file.endsWith(`/${rel}`);
}

/** The masked diff of one file; on the worker when large (on the host if the worker cannot run). */
export async function maskedFileDiff(
  input: { path: string; before: string; after: string; structural: boolean },
  secrets: readonly string[],
  jobs: TextJobs | undefined,
): Promise<FileDiff> {
  const { path, before, after, structural } = input;
  if (jobs && before.length + after.length > MAX_HOST_TEXT) {
    try {
      return await jobs.fileDiff(path, before, after, secrets, structural);
    } catch {
      // The worker could not run: slower here is better than no diff.
    }
  }
  return fileDiff(path, before, after, secretMasker(secrets, DISPLAY_MASKING), structural);
}

/** Fills in the change summaries of large files of the commits, one worker job at a time, so auditEntries parses nothing large. */
export async function summarizeLargeFiles(commits: readonly ValuesCommit[], jobs: TextJobs | undefined, max: number): Promise<void> {
  if (!jobs) return;
  for (const commit of commits) {
    for (const file of commit.files) {
      if ((file.before?.length ?? 0) + (file.after?.length ?? 0) <= MAX_HOST_TEXT || file.changes !== undefined) continue;
      try {
        file.changes = (await jobs.changeSummary(file.before, file.after, max)) ?? null;
      } catch {
        file.changes = changeSummary(file.before, file.after, max) ?? null;
      }
    }
  }
}
