// Records the unhandled rejections and uncaught exceptions that pass through the extension's own
// bundles, so an integration run fails on them: the extension host only logs them, and a test that
// reads a view would go on passing over a feature that broke in the background.
// Plain Node on purpose: unit tests check it without VS Code.
import * as path from 'node:path';

export interface ExtensionErrors {
  /** The errors recorded since the last call, each with the test that was running. */
  take(): string[];
  /** Names the test that later errors are charged to. */
  during(title: string): void;
  dispose(): void;
}

/** Watches this process for errors whose stack runs through `<extensionRoot>/dist/`. */
export function watchExtensionErrors(extensionRoot: string): ExtensionErrors {
  const bundles = path.join(extensionRoot, 'dist') + path.sep;
  let seen: string[] = [];
  let current = '(before the first test)';
  const record = (kind: string) => (reason: unknown) => {
    const stack = reason instanceof Error ? (reason.stack ?? String(reason)) : '';
    if (stack.includes(bundles)) seen.push(`${kind} during "${current}":\n${stack}`);
  };
  const onRejection = record('unhandled rejection');
  const onException = record('uncaught exception');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    take() {
      const taken = seen;
      seen = [];
      return taken;
    },
    during(title) {
      current = title;
    },
    dispose() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}
