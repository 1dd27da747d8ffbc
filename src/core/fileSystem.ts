// The file-system port that the project index reads through. The Node adapter is src/infra/fs;
// the editor adapter overlays unsaved buffers on top of it.
export interface FileSystemPort {
  /** The file's text, or undefined when it does not exist (or is a folder). */
  readFile(path: string): Promise<string | undefined>;
  /** Whether a folder exists. */
  isDirectory(path: string): Promise<boolean>;
  /** Absolute paths of every file named `name` below `root`, skipping node_modules and dot-folders other than .gitopshq. */
  findFiles(root: string, name: string): Promise<string[]>;
}
