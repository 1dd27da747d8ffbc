// Headless Chromium for driving the code-server workbench. Playwright's own browser download does not
// work without internet, so playwright-core drives the system's Chromium through `executablePath`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withTimeout } from './lifecycle.mjs';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox', // we may run as root, where Chromium's sandbox refuses to start
  '--disable-gpu',
  // Nothing may try the network: no internet here, and stray requests slow start-up down.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * The Chromium to use: CHROME_PATH, else /usr/bin/chromium, installed with apt when it is missing
 * and we can (root on Debian). Throws one line saying what to do otherwise.
 */
export function findChromium(log = (msg) => console.log(`[chromium] ${msg}`)) {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  if (canUseApt()) {
    log('Chromium is missing: apt-get install -y chromium');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
      const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
      if (r.status !== 0) break;
    }
    if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  }
  throw new Error('Chromium not found: install it (Debian: `sudo apt-get install chromium`) or set CHROME_PATH to a Chromium/Chrome executable');
}

function canUseApt() {
  return process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

/**
 * Launches headless Chromium with a fresh profile in a temp folder.
 * launchPersistentContext rather than launch(): it lets us own (and always delete) the profile
 * folder; launch() would make its own under /tmp and leave it behind if we are killed.
 * Returns { context, page, close() }.
 */
export async function launchChromium({ executablePath = findChromium(), headless = true, viewport = { width: 1440, height: 900 } } = {}) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'gitopshq-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless,
      args: ARGS,
      viewport,
      // Playwright's own signal handlers exit the process at once: our cleanup would not run.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  let closing;
  const close = () => {
    closing ??= withTimeout(context.close(), 10_000, 'closing Chromium')
      .catch(() => {}) // Playwright kills the browser process group on its own exit anyway
      .finally(() => rmSync(profile, { recursive: true, force: true, maxRetries: 3 }));
    return closing;
  };
  return { context, page, close };
}
