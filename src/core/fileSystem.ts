// The file-system port that the project index reads through. The Node adapter is src/infra/fs;
// the editor adapter overlays unsaved buffers on top of it.
import * as path from 'node:path';

/**
 * Where the files of a read may lead. A project's files are read through symbolic links only while
 * the links stay inside its workspace folders: a link out of them would show (and later deploy)
 * whatever the link's author pointed it at, e.g. another checkout or a secrets file.
 */
export interface ReadScope {
  /** Folders (as the workspace names them; links in them are resolved by the port) a file or a folder link may lead into. */
  readonly within: readonly string[];
}

export interface FileSystemPort {
  /**
   * The file's text, or undefined when it does not exist (or is a folder). With a scope, a file that
   * leads outside it through a symbolic link (the file itself or a folder on its path) is not read:
   * the call rejects with a `link-outside-workspace` GitOpsHqError. A file reached without links is
   * read wherever it is: the scope is about links (the manifest already refuses paths out of a project).
   */
  readFile(path: string, scope?: ReadScope): Promise<string | undefined>;
  /**
   * Optional batch read, for ports that can read many files faster together than one by one (the
   * Node adapter reads them on a worker thread). The texts in the order of `paths`, undefined where
   * readFile would give undefined; rejects when a file cannot be read for another reason (callers
   * then fall back to readFile per file, which reports that file's error on its own).
   */
  readFiles?(paths: readonly string[], scope?: ReadScope): Promise<(string | undefined)[]>;
  /** Whether a folder exists. */
  isDirectory(path: string): Promise<boolean>;
  /** Absolute paths of every file named `name` below `root`, skipping node_modules and dot-folders other than .gitopshq. */
  findFiles(root: string, name: string): Promise<string[]>;
}

/** Whether `file` is `folder` or below it (both absolute and normalised). */
export function isInside(file: string, folder: string): boolean {
  return file === folder || file.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep);
}
