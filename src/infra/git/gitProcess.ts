// The one place that starts a git process ourselves, for what simple-git cannot express: standard
// input (update-ref --stdin, cat-file --batch, hash-object --stdin), a per-call environment (a
// temporary GIT_INDEX_FILE, the author identity), exit codes that are answers (merge-base
// --is-ancestor), cancellation, and output streamed or bounded. Everything else goes through
// simple-git (gitRepository.ts). Both paths apply the trust options and fail with gitFailed.
import { spawn } from 'node:child_process';
import { GitOpsHqError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { displayArgs, gitFailed } from './gitRepository';

/** Collected output above this fails the call (streamed output has no limit: the caller keeps what it needs). */
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
/** git's error output kept for the message; a fatal line is at its start. */
const MAX_STDERR = 16_384;

export interface ProcessOptions {
  /** `-c` settings for this call (the trust options, read tuning). */
  config: readonly string[];
  timeoutMs: number;
  /** What to do about a timeout, said after "did not finish within N s". */
  timeoutHint: string;
  logger: Logger;
  /** Added to the inherited environment for this call only. */
  env?: Record<string, string>;
  input?: string | Buffer;
  /** Exit codes besides 0 that the caller handles itself (the result then carries the code). */
  okCodes?: readonly number[];
  signal?: AbortSignal;
  /** Collected stdout above this many bytes fails the call with a clear error. */
  maxBytes?: number;
  /**
   * Streams stdout: called per chunk; nothing is collected. Return false to stop early (the process
   * is ended and the call resolves normally).
   */
  onData?: (chunk: Buffer) => boolean | void;
}

export interface ProcessResult {
  stdout: Buffer;
  /** git's error output (the first 16 KB). */
  stderr: string;
  code: number;
  /** The caller stopped reading (onData returned false). */
  stopped: boolean;
}

export function runGitProcess(dir: string, args: readonly string[], options: ProcessOptions): Promise<ProcessResult> {
  const command = `git ${displayArgs(args)}`;
  if (options.signal?.aborted) return Promise.reject(cancelled(args));
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const started = Date.now();
  return new Promise<ProcessResult>((resolve, reject) => {
    const child = spawn('git', [...options.config.flatMap((setting) => ['-c', setting]), ...args], {
      cwd: dir,
      env: options.env ? { ...process.env, ...options.env } : process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let stderr = '';
    let ended: 'timeout' | 'cancelled' | 'too-large' | 'stopped' | undefined;
    const end = (why: NonNullable<typeof ended>) => {
      if (ended) return;
      ended = why;
      child.kill();
    };
    const timer = setTimeout(() => end('timeout'), options.timeoutMs);
    const onAbort = () => end('cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (ended) return;
      if (options.onData) {
        if (options.onData(chunk) === false) end('stopped');
        return;
      }
      bytes += chunk.length;
      if (bytes > maxBytes) return end('too-large');
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR) stderr += chunk.toString('utf8');
    });
    // git may exit before reading all of its input (a fatal error); the close event reports that.
    child.stdin.on('error', () => undefined);
    const finish = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: unknown) => {
      const error = gitFailed(command, dir, err);
      options.logger.debug(`${error.message}\n  command: git ${args.join(' ')}\n  output: ${err instanceof Error ? err.message.trim() : String(err)}`);
      reject(error);
    };
    child.on('error', (err) => {
      finish();
      fail(err);
    });
    // A process we ended may leave a child holding its pipes open (a shell alias): settle on exit then.
    child.on('exit', () => {
      if (ended === 'timeout' || ended === 'cancelled') {
        child.stdout.destroy();
        child.stderr.destroy();
      }
    });
    child.on('close', (code) => {
      finish();
      if (ended === 'cancelled') return reject(cancelled(args));
      if (ended === 'timeout') {
        return reject(new GitOpsHqError('git-failed', `${command} did not finish within ${options.timeoutMs / 1000} s in ${dir}.`, options.timeoutHint));
      }
      if (ended === 'too-large') {
        return reject(
          new GitOpsHqError('git-failed', `${command} printed more than ${Math.round(maxBytes / 1024 / 1024)} MB in ${dir}; GitOpsHQ stopped reading.`, 'The file or history is too large to show here: use git in a terminal.'),
        );
      }
      const exit = code ?? -1;
      const out = Buffer.concat(chunks);
      if (ended !== 'stopped' && exit !== 0 && !(options.okCodes ?? []).includes(exit)) {
        // Some commands say why on stdout ("nothing to commit"); a long stdout is data, not a reason.
        const said = out.length <= 4096 ? out.toString('utf8') : '';
        return fail(new Error(`${said}\n${stderr}`.trim() || `exit code ${exit}`));
      }
      options.logger.trace(`${command} (${Date.now() - started} ms)`);
      resolve({ stdout: out, stderr, code: exit, stopped: ended === 'stopped' });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** The error of a call cancelled before or while it ran. */
export function cancelled(args: readonly string[]): GitOpsHqError {
  return new GitOpsHqError('cancelled', `git ${displayArgs(args)} was cancelled.`);
}

/** Whether an error is a cancellation (callers that moved on ignore those). */
export function isCancelled(err: unknown): boolean {
  return GitOpsHqError.is(err, 'cancelled');
}
