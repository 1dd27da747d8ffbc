// An in-memory FileSystemPort for unit tests: files by absolute path, folders implied by them,
// and a log of every read so that tests can assert what a change re-read.
import * as path from 'node:path';
import type { FileSystemPort } from '../../src/core/fileSystem';

export class MemoryFileSystem implements FileSystemPort {
  private readonly files = new Map<string, string>();
  /** Every readFile call, in order. */
  readonly reads: string[] = [];

  constructor(files: Record<string, string> = {}) {
    for (const [file, text] of Object.entries(files)) this.write(file, text);
  }

  write(file: string, text: string): void {
    this.files.set(path.normalize(file), text);
  }

  delete(file: string): void {
    this.files.delete(path.normalize(file));
  }

  /** How many times a file was read (all files without an argument). */
  readCount(file?: string): number {
    return file === undefined ? this.reads.length : this.reads.filter((f) => f === path.normalize(file)).length;
  }

  resetReads(): void {
    this.reads.length = 0;
  }

  async readFile(file: string): Promise<string | undefined> {
    await Promise.resolve();
    this.reads.push(path.normalize(file));
    return this.files.get(path.normalize(file));
  }

  async isDirectory(folder: string): Promise<boolean> {
    await Promise.resolve();
    const prefix = path.normalize(folder).replace(/\/?$/, '/');
    for (const file of this.files.keys()) if (file.startsWith(prefix)) return true;
    return false;
  }

  async findFiles(root: string, name: string): Promise<string[]> {
    await Promise.resolve();
    const prefix = path.normalize(root).replace(/\/?$/, '/');
    return [...this.files.keys()]
      .filter((file) => file.startsWith(prefix) && path.basename(file) === name)
      .filter((file) =>
        path
          .relative(root, path.dirname(file))
          .split(path.sep)
          .every((part) => part === '' || part === '.gitopshq' || (part !== 'node_modules' && !part.startsWith('.'))),
      )
      .sort();
  }
}
