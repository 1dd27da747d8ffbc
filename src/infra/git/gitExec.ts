// A git runner for the commands simple-git cannot express: standard input (update-ref --stdin,
// cat-file --batch, hash-object --stdin), per-call environment (a temporary GIT_INDEX_FILE, the
// author identity) and exit codes that are answers rather than failures (merge-base --is-ancestor).
// Same guarantees as createGitRun: the trust options on every call and every failure wrapped.
import { spawn } from 'node:child_process';
import { nullLogger } from '../../core/logger';
import { displayArgs, GIT_TIMEOUT_MS, gitFailed, UNTRUSTED_CONFIG, type GitOptions } from './gitRepository';

export interface ExecOptions {
  /** Added to the inherited environment for this call only. */
  env?: Record<string, string>;
  input?: string | Buffer;
  /** Exit codes besides 0 that the caller handles itself (the result then carries the code). */
  okCodes?: readonly number[];
}

export interface ExecResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

export type GitExec = (args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

export function createGitExec(dir: string, options: GitOptions = {}): GitExec {
  const logger = options.logger ?? nullLogger;
  const config = options.trusted ? [] : UNTRUSTED_CONFIG.flatMap((setting) => ['-c', setting]);

  return (args, execOptions = {}) =>
    new Promise<ExecResult>((resolve, reject) => {
      const command = `git ${displayArgs(args)}`;
      const started = Date.now();
      const fail = (err: unknown): void => {
        const error = gitFailed(command, dir, err);
        logger.debug(`${error.message}\n  command: git ${args.join(' ')}\n  output: ${err instanceof Error ? err.message.trim() : String(err)}`);
        reject(error);
      };
      const child = spawn('git', [...config, ...args], {
        cwd: dir,
        env: { ...process.env, ...execOptions.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill();
      }, GIT_TIMEOUT_MS);
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      // git may exit before reading all of its input (a fatal error); the close event reports that.
      child.stdin.on('error', () => undefined);
      child.on('error', (err) => {
        clearTimeout(timer);
        fail(err);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const out = Buffer.concat(stdout);
        const err = Buffer.concat(stderr).toString('utf8');
        if (timedOut) return fail(new Error(`timed out after ${GIT_TIMEOUT_MS} ms\n${err}`));
        const exit = code ?? -1;
        if (exit !== 0 && !(execOptions.okCodes ?? []).includes(exit)) {
          return fail(new Error(`${out.toString('utf8')}\n${err}`.trim() || `exit code ${exit}`));
        }
        logger.trace(`${command} (${Date.now() - started} ms)`);
        resolve({ stdout: out, stderr: err, code: exit });
      });
      child.stdin.end(execOptions.input ?? '');
    });
}
