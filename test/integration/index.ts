// The test entry VS Code loads inside the extension host (`extensionTestsPath`), under both test
// hosts (code-server and @vscode/test-electron). It runs the mocha files the runner chose
// (scripts/test-integration.mjs passes them as GITOPSHQ_TESTS, a JSON list of absolute paths) and
// rejects when a test fails, which the host turns into a non-zero exit status.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { screenshot } from '../support/control';
import { watchExtensionErrors } from '../support/extensionErrors';

/** The extension's folder: this file is out/test/integration/index.js. */
const EXTENSION_ROOT = path.resolve(__dirname, '..', '..', '..');

export async function run(): Promise<void> {
  const grep = process.env['GITOPSHQ_TEST_GREP'];
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 20_000,
    color: false, // the output ends up in a log, not a terminal
    reporter: 'spec',
    ...(grep ? { grep } : {}),
  });
  // An error the extension raised in the background fails the run, charged to the test it happened in.
  const errors = watchExtensionErrors(EXTENSION_ROOT);
  mocha.suite.beforeEach(function () {
    errors.during(this.currentTest?.fullTitle() ?? '');
  });
  // The workbench as it was when a test failed (the runner's own failure screenshot comes only after
  // the whole run, once the extension host has stopped and its webviews are gone).
  mocha.suite.afterEach(async function () {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    await screenshot(`failure-${test.fullTitle().replace(/[^\w.-]+/g, '-').slice(0, 100)}`).catch(() => undefined);
  });
  for (const file of firstOpenFirst(testFiles())) mocha.addFile(file);
  await mocha.loadFilesAsync();
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  // Rejections are reported a tick or more after they happen: give the last ones a moment.
  await new Promise((r) => setTimeout(r, 500));
  const raised = errors.take();
  errors.dispose();
  for (const error of raised) console.error(`The extension raised an ${error}`);
  const problems = [
    failures > 0 ? `${failures} test${failures === 1 ? '' : 's'} failed` : '',
    raised.length > 0 ? `the extension raised ${raised.length} unhandled error${raised.length === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(problems.join('; '));
}

/**
 * firstOpen.test.js clicks the views open as a newcomer does: it must meet them as nothing has touched
 * them yet, so it runs before every other suite.
 */
function firstOpenFirst(files: string[]): string[] {
  const first = (f: string) => (path.basename(f) === 'firstOpen.test.js' ? 0 : 1);
  return [...files].sort((a, b) => first(a) - first(b));
}

/** GITOPSHQ_TESTS; without it (a host started by hand), the suites next to this file. */
function testFiles(): string[] {
  const fromRunner = process.env['GITOPSHQ_TESTS'];
  if (fromRunner) {
    const files: unknown = JSON.parse(fromRunner);
    if (!Array.isArray(files) || !files.every((f) => typeof f === 'string')) {
      throw new Error('GITOPSHQ_TESTS must be a JSON list of absolute file paths');
    }
    return files;
  }
  return fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => path.join(__dirname, f));
}
