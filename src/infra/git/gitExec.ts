// The release workflow's calls that simple-git cannot express (standard input, a per-call
// environment, exit codes that are answers): runGitProcess with the repository's trust options and
// the same timeout as the simple-git path.
import { nullLogger } from '../../core/logger';
import { runGitProcess, type ProcessResult } from './gitProcess';
import { GIT_TIMEOUT_MS, UNTRUSTED_CONFIG, type GitOptions } from './gitRepository';

export interface ExecOptions {
  /** Added to the inherited environment for this call only. */
  env?: Record<string, string>;
  input?: string | Buffer;
  /** Exit codes besides 0 that the caller handles itself (the result then carries the code). */
  okCodes?: readonly number[];
}

export type ExecResult = Omit<ProcessResult, 'stopped'>;

export type GitExec = (args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

export function createGitExec(dir: string, options: GitOptions = {}): GitExec {
  const logger = options.logger ?? nullLogger;
  const config = options.trusted ? [] : UNTRUSTED_CONFIG;
  return async (args, execOptions = {}) =>
    runGitProcess(dir, args, {
      config,
      timeoutMs: GIT_TIMEOUT_MS,
      timeoutHint: 'Check for a stuck git process or a slow network drive.',
      logger,
      ...(execOptions.env ? { env: execOptions.env } : {}),
      ...(execOptions.input !== undefined ? { input: execOptions.input } : {}),
      ...(execOptions.okCodes ? { okCodes: execOptions.okCodes } : {}),
    });
}
