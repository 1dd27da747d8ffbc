// The FileSystemPort on Node's file system. Nothing here blocks the calling thread.
//
// readFile does open, read and close itself rather than call fs.readFile: for the small files an
// index reads by the ten thousand, fs.promises.readFile costs four or five thread-pool round trips
// (open, fstat, read, read, close) where two are needed (open, read; the close is not awaited).
//
// readFiles (the batch read of a scan) goes further: on a 2-core machine even two thread-pool round
// trips per file cost 620-900 ms for 21,000 files, where plain synchronous reads take ~160-220 ms.
// So a batch is read synchronously on worker threads, off the calling thread (the extension host's
// event loop keeps running). The workers:
//  - run inline code (`eval: true`), so the bundle needs no second entry point;
//  - are started by the first large batch and reused; they are ref()ed only while a batch is in
//    flight, so they never keep a process alive; idle for idleMs (30 s) they stop, and the next
//    batch starts new ones (~40 ms); dispose() stops them for good;
//  - are two (one on a single core): a batch goes out in chunks of CHUNK_FILES paths, dealt in
//    turn, so two threads read at once (21,000 files: ~100-150 ms with two, ~150-200 with one;
//    each worker costs ~10-17 MB while it runs);
//  - list a folder once one of its files turns out missing and answer the folder's other missing
//    files from the listing: a failed synchronous open costs ~15 µs (the thrown error), a listing
//    ~1 µs per entry. A name the listing lacks but matches ignoring case and Unicode normalisation
//    (case-insensitive volumes) is still opened, so the listing never hides a file open would find.
// Small batches (< batchThreshold files), or no worker (none could start, one died, or dispose()),
// go through readFile file by file: same results, only slower. A file that fails with anything
// but missing / a folder is read again with readFile, which throws its error as usual.
//
// A read with a scope (core/fileSystem.ts: ReadScope) refuses a file that leads out of the scope's
// folders through a symbolic link. Resolving every file would cost a system call each (~60 ms more
// on 21,000 files), so links are found where they cost nothing: the worker opens files with
// O_NOFOLLOW (a linked file fails with ELOOP) and resolves each folder once per batch; a linked
// file, or a folder that resolves outside the scope, goes to readFile, which resolves the file
// (fs.promises.realpath) and reads it or rejects. readFile itself resolves each file it reads.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { GitOpsHqError } from '../../core/errors';
import { isInside, type FileSystemPort, type ReadScope } from '../../core/fileSystem';

const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);
/** Dot-folders are skipped, except the one that holds the project's own files. */
const KEPT_DOT_FOLDERS = new Set(['.gitopshq']);
const CHUNK = 64 * 1024;
/** Paths per message to the worker. */
const CHUNK_FILES = 1024;
/** Reads kept in flight by the file-by-file path of readFiles. */
const READ_CONCURRENCY = 64;
const IDLE_MS = 30_000;

export interface NodeFileSystemOptions {
  /** Batches with fewer files are read file by file on this thread (default 64). */
  batchThreshold?: number;
  /** Worker threads that share a batch's chunks (default 2, or 1 on a single core). */
  workers?: number;
  /** Workers idle this long are stopped; the next batch starts new ones (default 30 s). */
  idleMs?: number;
}

/** A worker request: read `paths` (chunk of batch `batch`). */
interface ReadRequest {
  id: number;
  batch: number;
  paths: readonly string[];
  /** The scope's folders, resolved: files behind a link (or in a folder resolving outside them) are reported failed. */
  within?: readonly string[];
}

/** The texts in order (undefined: missing or a folder) and the indexes that failed otherwise. */
interface ReadReply {
  id: number;
  texts: (string | undefined)[];
  failed: number[];
}

// Plain JavaScript run by the worker (no imports from the bundle). Synchronous I/O is the point:
// it runs on the worker's thread, never on the caller's.
const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
const SIZE = 64 * 1024;
const buffer = Buffer.allocUnsafe(SIZE);
let batch = -1;
// Folder → its listing (exact and folded names), null when the folder does not exist, false when
// it cannot be listed. Only folders where a file was missing are listed; reset per batch.
let listings = new Map();
// Folder → its real path (null: it cannot be resolved), for reads with a scope; reset per batch.
let realFolders = new Map();
// Not on Windows: there every file of a scoped read is checked with lstat instead.
const NOFOLLOW = fs.constants.O_NOFOLLOW;
const fold = (name) => name.normalize('NFC').toLowerCase();

function list(dir) {
  let entry = listings.get(dir);
  if (entry !== undefined) return entry;
  try {
    const names = fs.readdirSync(dir);
    entry = { exact: new Set(names), folded: new Set(names.map(fold)) };
  } catch (err) {
    entry = MISSING.has(err && err.code) ? null : false;
  }
  listings.set(dir, entry);
  return entry;
}

function realFolder(dir) {
  let real = realFolders.get(dir);
  if (real !== undefined) return real;
  try {
    real = fs.realpathSync.native(dir);
  } catch {
    real = null;
  }
  realFolders.set(dir, real);
  return real;
}

function inside(file, folders) {
  return folders.some((f) => file === f || file.startsWith(f.endsWith(path.sep) ? f : f + path.sep));
}

// Whether a scoped read must leave this file to the caller's thread: a folder on its path resolves
// outside the scope, or the file itself is a link (then open fails with ELOOP, see read).
function leftToCaller(file, dir, within) {
  const real = realFolder(dir);
  if (real !== null && real !== dir && !inside(path.join(real, path.basename(file)), within)) return true;
  if (NOFOLLOW === undefined) {
    try {
      return fs.lstatSync(file).isSymbolicLink();
    } catch {
      return false;
    }
  }
  return false;
}

function read(file, scoped) {
  const fd = fs.openSync(file, scoped && NOFOLLOW !== undefined ? fs.constants.O_RDONLY | NOFOLLOW : 'r');
  try {
    let length = fs.readSync(fd, buffer, 0, SIZE, null);
    if (length < SIZE) return buffer.toString('utf8', 0, length);
    const chunks = [Buffer.from(buffer)];
    while ((length = fs.readSync(fd, buffer, 0, SIZE, null)) > 0) chunks.push(Buffer.from(buffer.subarray(0, length)));
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

parentPort.on('message', (request) => {
  if (request.batch !== batch) {
    batch = request.batch;
    listings = new Map();
    realFolders = new Map();
  }
  const paths = request.paths;
  const within = request.within;
  const texts = new Array(paths.length);
  const failed = [];
  for (let i = 0; i < paths.length; i++) {
    const file = paths[i];
    const dir = path.dirname(file);
    const known = listings.get(dir);
    if (known === null) continue;
    if (known) {
      const name = path.basename(file);
      if (!known.exact.has(name) && !known.folded.has(fold(name))) continue;
    }
    if (within && leftToCaller(file, dir, within)) {
      failed.push(i);
      continue;
    }
    try {
      texts[i] = read(file, within !== undefined);
    } catch (err) {
      const code = err && err.code;
      if (!MISSING.has(code)) failed.push(i);
      else if (code === 'ENOENT' && known === undefined) list(dir);
    }
  }
  parentPort.postMessage({ id: request.id, texts, failed });
});
`;

/** The worker died, could not start, or was disposed: the batch goes file by file instead. */
class WorkerGone extends Error {}

export class NodeFileSystem implements FileSystemPort {
  /** Buffers of finished reads, reused by the next ones. */
  private readonly spare: Buffer[] = [];
  private readonly batchThreshold: number;
  private readonly poolSize: number;
  private readonly idleMs: number;
  private workers: Worker[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  /** No workers from now on: dispose() was called, or none could be created. */
  private noWorker = false;
  private nextId = 0;
  private nextBatch = 0;
  private readonly pending = new Map<number, { resolve: (reply: ReadReply) => void; reject: (err: Error) => void }>();

  constructor(options: NodeFileSystemOptions = {}) {
    this.batchThreshold = options.batchThreshold ?? 64;
    this.poolSize = Math.max(1, options.workers ?? Math.min(2, os.availableParallelism()));
    this.idleMs = options.idleMs ?? IDLE_MS;
  }

  /** How many worker threads are running (for tests). */
  get runningWorkers(): number {
    return this.workers.length;
  }

  /** Real paths of each scope's folders, resolved once per scope object. */
  private readonly realScopes = new WeakMap<ReadScope, Promise<string[]>>();

  async readFile(file: string, scope?: ReadScope): Promise<string | undefined> {
    if (scope && !(await this.staysInside(file, scope))) return undefined;
    let fd: number;
    try {
      fd = await open(file);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    const buffer = this.spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
    try {
      let length = await read(fd, buffer);
      if (length < buffer.length) return buffer.toString('utf8', 0, length);
      // Larger than one chunk: keep reading until the end.
      const chunks = [Buffer.from(buffer)];
      for (;;) {
        length = await read(fd, buffer);
        if (length === 0) break;
        chunks.push(Buffer.from(buffer.subarray(0, length)));
      }
      return Buffer.concat(chunks).toString('utf8');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    } finally {
      fs.close(fd, () => undefined);
      if (this.spare.length < 64) this.spare.push(buffer);
    }
  }

  async readFiles(paths: readonly string[], scope?: ReadScope): Promise<(string | undefined)[]> {
    if (paths.length >= this.batchThreshold && paths.length > 0) {
      try {
        return await this.readOnWorkers(paths, scope);
      } catch (err) {
        if (!(err instanceof WorkerGone)) throw err;
      }
    }
    const texts = new Array<string | undefined>(paths.length);
    let next = 0;
    const reader = async () => {
      while (next < paths.length) {
        const i = next++;
        texts[i] = await this.readFile(paths[i] as string, scope);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, paths.length) }, reader));
    return texts;
  }

  /** Stops the workers for good: batches in flight and later ones are read file by file. */
  dispose(): void {
    this.noWorker = true;
    this.stopWorkers();
    this.failPending(new WorkerGone('The file system was disposed.'));
  }

  /**
   * Whether the file stays inside the scope once links are resolved; false when it does not exist.
   * Rejects with `link-outside-workspace` when it leads out, and with the error of a link that
   * cannot be resolved (a loop).
   */
  private async staysInside(file: string, scope: ReadScope): Promise<boolean> {
    let real: string;
    try {
      real = await fsp.realpath(file);
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
    if (real === path.resolve(file)) return true;
    const within = await this.realScope(scope);
    if (within.some((folder) => isInside(real, folder))) return true;
    throw new GitOpsHqError(
      'link-outside-workspace',
      `${file} is a symbolic link (or in a linked folder) that leads to ${real}, outside the workspace folder ${scope.within.join(', ')}.`,
      'Copy the file into the workspace, or make the link point inside it.',
    );
  }

  private realScope(scope: ReadScope): Promise<string[]> {
    let real = this.realScopes.get(scope);
    if (!real) {
      real = Promise.all(scope.within.map((folder) => fsp.realpath(folder).catch(() => path.resolve(folder))));
      this.realScopes.set(scope, real);
    }
    return real;
  }

  async isDirectory(folder: string): Promise<boolean> {
    try {
      return (await fsp.stat(folder)).isDirectory();
    } catch {
      return false;
    }
  }

  async findFiles(root: string, name: string): Promise<string[]> {
    const found: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fsp.readdir(folder, { withFileTypes: true });
      } catch {
        return; // unreadable or gone: nothing to find there
      }
      const below: Promise<void>[] = [];
      for (const entry of entries) {
        if (entry.isDirectory()) {
          if (SKIPPED_FOLDERS.has(entry.name)) continue;
          if (entry.name.startsWith('.') && !KEPT_DOT_FOLDERS.has(entry.name)) continue;
          below.push(walk(path.join(folder, entry.name)));
        } else if (entry.name === name && (entry.isFile() || entry.isSymbolicLink())) {
          found.push(path.join(folder, entry.name));
        }
      }
      await Promise.all(below);
    };
    await walk(root);
    return found.sort();
  }

  // -------------------------------------------------------------------------------------------
  // The workers.

  private async readOnWorkers(paths: readonly string[], scope: ReadScope | undefined): Promise<(string | undefined)[]> {
    const within = scope && (await this.realScope(scope));
    const workers = this.startWorkers();
    const batch = this.nextBatch++;
    const requests: Promise<ReadReply>[] = [];
    for (let start = 0, k = 0; start < paths.length; start += CHUNK_FILES, k++) {
      const worker = workers[k % workers.length] as Worker;
      const request: ReadRequest = { id: this.nextId++, batch, paths: paths.slice(start, start + CHUNK_FILES) };
      if (within) request.within = within;
      requests.push(this.request(worker, request));
    }
    const replies = await Promise.all(requests);
    const texts: (string | undefined)[] = [];
    const failed: number[] = [];
    for (const reply of replies) {
      for (const i of reply.failed) failed.push(texts.length + i);
      // The reply's array has holes where a file is missing: they read as undefined.
      for (let i = 0; i < reply.texts.length; i++) texts.push(reply.texts[i]);
    }
    // Unexpected errors (permissions, too many open files...): readFile throws them as it always
    // does. Linked files of a scoped read: readFile resolves them, and reads them or refuses.
    for (const i of failed) texts[i] = await this.readFile(paths[i] as string, scope);
    return texts;
  }

  private startWorkers(): Worker[] {
    if (this.workers.length > 0) return this.workers;
    if (this.noWorker) throw new WorkerGone('No worker thread.');
    for (let i = 0; i < this.poolSize; i++) {
      try {
        this.workers.push(this.startWorker());
      } catch (err) {
        if (this.workers.length > 0) break; // fewer workers, still faster than none
        this.noWorker = true;
        throw new WorkerGone(`Cannot start a worker thread: ${String(err)}`);
      }
    }
    return this.workers;
  }

  private startWorker(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, name: 'gitopshq-fs' });
    worker.unref();
    worker.on('message', (reply: ReadReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.idle();
      waiter?.resolve(reply);
    });
    // A worker that fails takes its siblings along: the batches in flight go file by file, and
    // the next batch starts new workers.
    const gone = (why: string) => {
      if (!this.workers.includes(worker)) return;
      this.stopWorkers();
      this.failPending(new WorkerGone(why));
    };
    worker.on('error', (err) => gone(`The file worker failed: ${String(err)}`));
    worker.on('exit', (code) => gone(`The file worker exited with code ${code}.`));
    return worker;
  }

  private request(worker: Worker, request: ReadRequest): Promise<ReadReply> {
    return new Promise((resolve, reject) => {
      clearTimeout(this.idleTimer);
      this.pending.set(request.id, { resolve, reject });
      worker.ref();
      worker.postMessage(request);
    });
  }

  /** Nothing in flight: let the process exit, and stop the workers if nothing comes for a while. */
  private idle(): void {
    for (const w of this.workers) w.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.pending.size === 0) this.stopWorkers();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private stopWorkers(): void {
    clearTimeout(this.idleTimer);
    const workers = this.workers;
    this.workers = [];
    for (const w of workers) void w.terminate();
  }

  private failPending(err: Error): void {
    const waiters = [...this.pending.values()];
    this.pending.clear();
    for (const w of waiters) w.reject(err);
  }
}

function open(file: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(file, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
}

/** Reads from the file's current position. */
function read(fd: number, buffer: Buffer): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buffer, 0, buffer.length, null, (err, bytes) => (err ? reject(err) : resolve(bytes))));
}

function isMissing(err: unknown): boolean {
  return typeof err === 'object' && err !== null && MISSING.has((err as NodeJS.ErrnoException).code ?? '');
}
