// Installs dependencies when node_modules is missing or older than package.json / package-lock.json.
// Dependency-free on purpose: it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
const stale = !existsSync(marker)
  || mtime(join(root, 'package.json')) > mtime(marker)
  || mtime(join(root, 'package-lock.json')) > mtime(marker);

if (stale) {
  const lock = existsSync(join(root, 'package-lock.json'));
  const args = lock ? ['ci'] : ['install'];
  console.log(`[ensure-deps] node_modules is missing or stale: npm ${args.join(' ')}`);
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('[ensure-deps] npm failed; fix the error above and run the command again.');
    process.exit(r.status ?? 1);
  }
}
