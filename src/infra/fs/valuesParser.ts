// Full parses of large values files on a worker thread (ProjectIndexOptions.parseValues): the `yaml`
// library takes ~1 s for 50,000 lines, which must not happen on the extension host's event loop.
// Only files the fast reader leaves to the library get here (anchors, block scalars, syntax errors).
// Large variables files too (ProjectIndexOptions.parseVariables): even on the fast path, reading
// 5,000 lines with code not yet optimised takes 100–400 ms on the first scan.
// One worker, started on first use, unref()ed while idle and stopped after idleMs; requests are
// answered in order. The result comes back in parts (see valuesParseWorker.ts), so no single
// message takes long to deserialise. A worker that dies or cannot start rejects the pending
// parses: the index then parses on its own thread (and logs it).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FileDiff } from '../../core/release/fileDiff';
import type { ChangeSummary } from '../../core/release/changedValues';
import type { Origin, Problem, Project, VariableDef } from '../../core/types';
import { VariableSet, type VariablesResult } from '../../core/model/variables';
import { setKey, type PlainMap } from '../../core/values/paths';
import { type ParsedValues } from '../../core/yaml/valuesReader';

export interface ParseRequest {
  id: number;
  kind?: 'values';
  text: string;
  file: string;
  layer: number;
}

export interface VariablesRequest {
  id: number;
  kind: 'variables';
  text: string;
  file: string;
  project: Project;
}

/**
 * Work on large texts for the release panels and the audit (secrets masked by the worker). The texts
 * travel as UTF-8 bytes whose buffers are transferred: cloning two 2 MB strings holds the host's
 * event loop for 30–80 ms, encoding and transferring them takes a few.
 */
export type JobRequest =
  | { id: number; kind: 'fileDiff'; path: string; before: Uint8Array; after: Uint8Array; secrets: string[]; structural: boolean }
  | { id: number; kind: 'changes'; before?: Uint8Array; after?: Uint8Array; max: number };

export type ParseReply =
  | { id: number; kind: 'values'; entries: [string, unknown][] }
  | { id: number; kind: 'origins'; paths: string[]; positions: Int32Array }
  | { id: number; kind: 'done'; problems: Problem[] }
  /** The definitions as JSON texts (see encodeDefinitions): a string costs nothing to deserialise, the host parses one part per turn. */
  | { id: number; kind: 'definitions'; parts: string[]; problems: Problem[] }
  | { id: number; kind: 'result'; result: unknown }
  | { id: number; kind: 'failed'; message: string };

interface Pending {
  request: ParseRequest;
  value: PlainMap;
  paths: string[][];
  positions: Int32Array[];
  resolve: (parsed: ParsedValues) => void;
  reject: (err: Error) => void;
}

interface PendingJob {
  request: JobRequest;
  job: true;
  transfer: ArrayBuffer[];
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
}

interface PendingVariables {
  request: VariablesRequest;
  resolve: (result: VariablesResult) => void;
  reject: (err: Error) => void;
}

const IDLE_MS = 30_000;
const utf8 = new TextEncoder();

export class ValuesParser {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending | PendingVariables | PendingJob>();
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    /** The compiled worker script: next to this module (out/) or to the bundle (dist/). */
    private readonly script = path.join(__dirname, 'valuesParseWorker.js'),
    private readonly idleMs = IDLE_MS,
  ) {}

  parse(text: string, file: string, layer: number): Promise<ParsedValues> {
    return new Promise((resolve, reject) => {
      const request: ParseRequest = { id: this.nextId++, text, file, layer };
      this.send({ request, value: {}, paths: [], positions: [], resolve, reject });
    });
  }

  /** parseVariables on the worker: the same definitions and problems. */
  parseVariables(text: string, file: string, project: Project): Promise<VariablesResult> {
    return new Promise((resolve, reject) => {
      const request: VariablesRequest = { id: this.nextId++, kind: 'variables', text, file, project };
      this.send({ request, resolve, reject });
    });
  }

  /** The release diff of one file, secrets masked (core/release/fileDiff.ts) on the worker. */
  fileDiff(path: string, before: string, after: string, secrets: readonly string[], structural: boolean): Promise<FileDiff> {
    const request: JobRequest = { id: this.nextId++, kind: 'fileDiff', path, before: utf8.encode(before), after: utf8.encode(after), secrets: [...secrets], structural };
    return this.job(request, [request.before.buffer as ArrayBuffer, request.after.buffer as ArrayBuffer]) as Promise<FileDiff>;
  }

  /** changeSummary (core/release/changedValues.ts) on the worker. */
  async changeSummary(before: string | undefined, after: string | undefined, max: number): Promise<ChangeSummary | undefined> {
    const request: JobRequest = { id: this.nextId++, kind: 'changes', max };
    const transfer: ArrayBuffer[] = [];
    if (before !== undefined) transfer.push((request.before = utf8.encode(before)).buffer as ArrayBuffer);
    if (after !== undefined) transfer.push((request.after = utf8.encode(after)).buffer as ArrayBuffer);
    return ((await this.job(request, transfer)) as ChangeSummary | null) ?? undefined;
  }

  private job(request: JobRequest, transfer: ArrayBuffer[]): Promise<unknown> {
    return new Promise((resolve, reject) => this.send({ request, job: true, transfer, resolve, reject }));
  }

  private send(p: Pending | PendingVariables | PendingJob): void {
    if (this.disposed) return p.reject(new Error('The values parser was disposed.'));
    let worker: Worker;
    try {
      worker = this.start();
    } catch (err) {
      return p.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.pending.set(p.request.id, p);
    clearTimeout(this.idleTimer);
    worker.ref();
    worker.postMessage(p.request, 'transfer' in p ? p.transfer : []);
  }

  dispose(): void {
    this.disposed = true;
    this.stop(new Error('The values parser was disposed.'));
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { name: 'gitopshq-values' });
    worker.unref();
    worker.on('message', (reply: ParseReply) => this.receive(reply));
    worker.on('error', (err) => this.worker === worker && this.stop(err));
    worker.on('exit', (code) => this.worker === worker && this.stop(new Error(`The values parser exited with code ${code}.`)));
    this.worker = worker;
    return worker;
  }

  private receive(reply: ParseReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if ('job' in p) {
      this.settle(reply.id);
      if (reply.kind === 'result') p.resolve(reply.result);
      else p.reject(new Error(reply.kind === 'failed' ? reply.message : `Unexpected reply ${reply.kind}.`));
      return;
    }
    if (!('value' in p)) {
      this.settle(reply.id);
      if (reply.kind === 'definitions') {
        const problems = reply.problems;
        decodeDefinitions(reply.parts).then((defs) => p.resolve({ variables: new VariableSet(defs), problems }), p.reject);
      } else {
        p.reject(new Error(reply.kind === 'failed' ? reply.message : `Unexpected reply ${reply.kind}.`));
      }
      return;
    }
    switch (reply.kind) {
      case 'values':
        for (const [key, value] of reply.entries) setKey(p.value, key, value);
        return;
      case 'origins':
        p.paths.push(reply.paths);
        p.positions.push(reply.positions);
        return;
      case 'failed':
        this.settle(reply.id);
        p.reject(new Error(reply.message));
        return;
      case 'done':
        this.settle(reply.id);
        p.resolve(new TransferredValues(p.request.file, p.request.layer, p.value, reply.problems, p.paths, p.positions));
        return;
      case 'definitions':
      case 'result':
        return;
    }
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size > 0) return;
    this.worker?.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.pending.size === 0 && this.stop(undefined), this.idleMs);
    this.idleTimer.unref();
  }

  private stop(err: Error | undefined): void {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(err ?? new Error('The values parser stopped.'));
  }
}

/** Variable definitions per part of a 'definitions' reply. */
export const DEFINITIONS_PER_PART = 500;

/** JSON texts of the definitions, DEFINITIONS_PER_PART each; ±Infinity (`.inf`), which JSON has not, as `{ number: "Infinity" }`. */
export function encodeDefinitions(defs: readonly VariableDef[]): string[] {
  const parts: string[] = [];
  const replacer = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? { number: String(value) } : value);
  for (let i = 0; i < defs.length; i += DEFINITIONS_PER_PART) parts.push(JSON.stringify(defs.slice(i, i + DEFINITIONS_PER_PART), replacer));
  return parts;
}

/** The inverse of encodeDefinitions, one part per turn of the event loop. */
async function decodeDefinitions(parts: readonly string[]): Promise<VariableDef[]> {
  const defs: VariableDef[] = [];
  for (const part of parts) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (const def of JSON.parse(part) as VariableDef[]) {
      // A variable's value is a scalar: an object can only be an encoded number.
      if (typeof def.value === 'object' && def.value !== null) def.value = Number((def.value as { number: string }).number);
      defs.push(def);
    }
  }
  return defs;
}

/** A parse result from the worker; the origins map is built on first use. */
class TransferredValues implements ParsedValues {
  private map: Map<string, Origin> | undefined;

  constructor(
    readonly file: string,
    readonly layer: number,
    readonly value: PlainMap,
    readonly problems: Problem[],
    private paths: string[][],
    private positions: Int32Array[],
  ) {}

  get origins(): Map<string, Origin> {
    if (!this.map) {
      const map = new Map<string, Origin>();
      this.paths.forEach((paths, part) => {
        const positions = this.positions[part] as Int32Array;
        paths.forEach((p, k) => map.set(p, { file: this.file, line: positions[2 * k] as number, character: positions[2 * k + 1] as number, layer: this.layer }));
      });
      this.map = map;
      this.paths = [];
      this.positions = [];
    }
    return this.map;
  }
}
