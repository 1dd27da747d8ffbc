// The file-system port that the project index reads through. The Node adapter is src/infra/fs;
// the editor adapter overlays unsaved buffers on top of it.
export interface FileSystemPort {
  /** The file's text, or undefined when it does not exist (or is a folder). */
  readFile(path: string): Promise<string | undefined>;
  /**
   * Optional batch read, for ports that can read many files faster together than one by one (the
   * Node adapter reads them on a worker thread). The texts in the order of `paths`, undefined where
   * readFile would give undefined; rejects when a file cannot be read for another reason (callers
   * then fall back to readFile per file, which reports that file's error on its own).
   */
  readFiles?(paths: readonly string[]): Promise<(string | undefined)[]>;
  /** Whether a folder exists. */
  isDirectory(path: string): Promise<boolean>;
  /** Absolute paths of every file named `name` below `root`, skipping node_modules and dot-folders other than .gitopshq. */
  findFiles(root: string, name: string): Promise<string[]>;
}
