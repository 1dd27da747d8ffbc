// For suites that run the extension's own Git adapters (which use the process environment, unlike
// runGit): keeps the machine's global and system Git config (identity, hooks, signing) out of the
// suite, and puts the environment back afterwards.
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** Call inside a `describe`: registers the before/after hooks. */
export function isolateGitConfig(): void {
  const saved: Record<string, string | undefined> = {};
  before(() => {
    for (const key of ['GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM']) saved[key] = process.env[key];
    process.env.GIT_CONFIG_GLOBAL = path.join(tmpdir(), 'gitopshq-test-no-global-gitconfig');
    process.env.GIT_CONFIG_NOSYSTEM = '1';
  });
  after(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
}
