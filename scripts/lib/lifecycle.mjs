// Process lifetime helpers shared by the test runner and `npm start`: a cleanup stack that runs once
// on every exit path (normal end, error, Ctrl+C, SIGTERM), and a "reaper" that kills a detached
// process group even when this Node process dies without running any cleanup (kill -9, OOM).
import { spawn } from 'node:child_process';

/**
 * A LIFO stack of cleanup tasks. `run()` runs each task once, newest first (browser before server
 * before temp folders), and never throws: a failing task is logged and the others still run.
 */
export function createCleanup(log = (msg) => console.error(msg)) {
  const tasks = [];
  let running;
  return {
    add(name, fn) {
      tasks.push({ name, fn });
    },
    /** True once cleanup has begun: errors after that are the shutdown's, not worth reporting. */
    get started() {
      return running !== undefined;
    },
    run() {
      running ??= (async () => {
        while (tasks.length > 0) {
          const { name, fn } = tasks.pop();
          try {
            await withTimeout(Promise.resolve().then(fn), 15_000, `cleanup of ${name}`);
          } catch (err) {
            log(`cleanup of ${name} failed: ${err?.message ?? err}`);
          }
        }
      })();
      return running;
    },
  };
}

/**
 * Ctrl+C / SIGTERM / SIGHUP run the cleanup, then exit with the conventional 128+n status.
 * A second Ctrl+C while cleaning up kills at once (the handlers are `once`); the reapers then
 * still take the servers down.
 */
export function exitOnSignals(cleanup, log = (msg) => console.error(msg)) {
  for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    process.once(signal, () => {
      log(`${signal}: stopping…`);
      void cleanup.run().finally(() => process.exit(status));
    });
  }
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Sends `signal` to every process of the group led by `pgid`; false when the group is gone. */
export function killGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

// The reaper is a tiny detached Node process holding the read end of a pipe from us. The pipe
// closes when we exit for any reason (even SIGKILL), and the reaper then kills the group.
const REAPER_SOURCE = `
const group = Number(process.argv[1]);
const reap = () => { try { process.kill(-group, 'SIGKILL'); } catch {} process.exit(0); };
process.stdin.on('end', reap).on('close', reap).on('error', reap).resume();
`;

/** Guards process group `pgid`; call `release()` once the group has been stopped normally. */
export function startReaper(pgid) {
  const reaper = spawn(process.execPath, ['-e', REAPER_SOURCE, String(pgid)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // Neither the child nor the pipe may keep our event loop alive.
  reaper.unref();
  reaper.stdin.unref?.();
  reaper.stdin.on('error', () => {});
  return {
    release() {
      reaper.kill('SIGKILL');
    },
  };
}
