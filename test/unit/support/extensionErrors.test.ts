import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { watchExtensionErrors } from '../../support/extensionErrors';

describe('integration runs fail on errors the extension raises in the background', () => {
  const root = path.join(os.tmpdir(), 'gitopshq-extension');
  /** Rejects from a function whose frames are in `file`, as the extension's bundled code is. */
  const rejectIn = (file: string) =>
    (vm.runInThisContext('(() => Promise.reject(new Error("index read failed")))', { filename: file }) as () => Promise<never>)();

  // Mocha's own handler would fail the unit run on these deliberate rejections: step it aside.
  let mochaHandlers: NodeJS.UnhandledRejectionListener[] = [];
  beforeEach(() => {
    mochaHandlers = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
  });
  afterEach(() => {
    process.removeAllListeners('unhandledRejection');
    for (const handler of mochaHandlers) process.on('unhandledRejection', handler);
  });

  it('records an unhandled rejection from the extension bundle, with the test it happened in', async () => {
    const errors = watchExtensionErrors(root);
    try {
      errors.during('views show the projects');
      void rejectIn(path.join(root, 'dist', 'extension.js'));
      await new Promise((r) => setTimeout(r, 20));
      const raised = errors.take();
      assert.equal(raised.length, 1);
      assert.match(raised[0]!, /^unhandled rejection during "views show the projects":\nError: index read failed/);
      assert.deepEqual(errors.take(), [], 'taken once');
    } finally {
      errors.dispose();
    }
  });

  it('ignores rejections that do not pass through the extension (VS Code, other extensions)', async () => {
    const errors = watchExtensionErrors(root);
    try {
      void rejectIn(path.join(os.tmpdir(), 'other-extension', 'dist', 'extension.js'));
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(errors.take(), []);
    } finally {
      errors.dispose();
    }
  });
});
