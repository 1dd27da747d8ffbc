// invalid-placeholder, undefined-variable, hardcoded-env-value and cross-env-value diagnostics on
// open values files (src/core/language/valueChecks.ts), and their quick fixes (valuesCodeActions).
//
// Cheap on large files: problems are cached per top-level block text, so a one-line edit re-checks
// only the block it touched; a run gives the event loop back every few milliseconds and is
// abandoned when the document changes again meanwhile. Runs are debounced per document and
// recomputed from scratch when the project (its variables, its manifest) changes.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { topLevelBlocks, ValueChecker, type ValueProblem } from '../../core/language/valueChecks';
import type { Logger } from '../../core/logger';
import { toDiagnostic } from '../diagnostics';
import type { Services } from '../services';
import { valuesFileOf, type ValuesFileInfo, type ValuesProblemSource } from './valuesFiles';

const DEBOUNCE_MS = 150;
/** A run yields to the event loop after this much work. */
const SLICE_MS = 8;

export type { ValuesFileInfo } from './valuesFiles';

interface DocState {
  version: number;
  problems: ValueProblem[];
  /** Block text → its problems with lines relative to the block. */
  blocks: Map<string, ValueProblem[]>;
  timer?: ReturnType<typeof setTimeout> | undefined;
  /** Incremented by every schedule: a run that sees another value was superseded. */
  generation: number;
}

/** The diagnostics, which the quick fixes (valuesCodeActions.ts) read: the language index wires both. */
export function registerValuesDiagnostics(s: Services): ValuesProblemSource {
  return s.store.register(new ValuesDiagnostics(s));
}

class ValuesDiagnostics implements ValuesProblemSource, vscode.Disposable {
  private readonly collection: vscode.DiagnosticCollection;
  private readonly docs = new Map<string, DocState>();
  /** Values-file context by path (undefined: not a values file), until the project changes. */
  private readonly files = new Map<string, ValuesFileInfo | undefined>();
  private readonly checkers = new Map<string, ValueChecker>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly logger: Logger;

  constructor(private readonly s: Services) {
    this.logger = s.logger.child('values-diagnostics');
    this.collection = vscode.languages.createDiagnosticCollection('gitopshq-values');
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((doc) => this.schedule(doc, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.schedule(e.document, DEBOUNCE_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc.uri)),
      s.projects.onDidChange(() => this.projectChanged()),
    );
    for (const doc of vscode.workspace.textDocuments) this.schedule(doc, 0);
  }

  dispose(): void {
    for (const state of this.docs.values()) if (state.timer) clearTimeout(state.timer);
    this.docs.clear();
    for (const d of this.disposables) d.dispose();
  }

  problems(document: vscode.TextDocument): ValueProblem[] {
    const info = this.fileInfo(document);
    if (!info) return [];
    const state = this.state(document);
    if (state.version !== document.version) {
      const run = this.run(document, info, state);
      while (!run.next().done) {
        // Drained at once: the caller needs the answer now.
      }
    }
    return state.problems;
  }

  fileInfo(document: vscode.TextDocument): ValuesFileInfo | undefined {
    const key = path.normalize(document.uri.fsPath);
    if (this.files.has(key)) return this.files.get(key);
    const { file, info, known } = valuesFileOf(this.s.projects.index, document);
    if (known) this.files.set(file, info);
    return info;
  }

  // -------------------------------------------------------------------------------------------

  /**
   * The index changes on every edit of a values file too; the results only depend on the manifest
   * (the file's combinations) and the variables, so only a change of those starts over.
   */
  private projectChanged(): void {
    const index = this.s.projects.index;
    const stale = new Set<string>();
    for (const [file, info] of this.files) {
      const checker = this.checkers.get(file);
      const current = info && index.project(info.slug) === info.context.project && (!checker || checker.variables === index.variables(info.slug));
      if (current) continue;
      stale.add(file);
      this.files.delete(file);
      this.checkers.delete(file);
    }
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== 'file') continue;
      const file = path.normalize(doc.uri.fsPath);
      const known = this.files.has(file);
      if (known && !stale.has(file)) continue;
      const state = this.docs.get(doc.uri.toString());
      if (state) {
        state.blocks.clear();
        state.version = -1;
      }
      this.schedule(doc, 0);
    }
  }

  private schedule(document: vscode.TextDocument, delay: number): void {
    if (document.uri.scheme !== 'file') return;
    const key = document.uri.toString();
    const state = this.docs.get(key);
    if (state?.timer) clearTimeout(state.timer);
    if (!this.fileInfo(document)) {
      if (state) this.forget(document.uri);
      return;
    }
    const current = this.state(document);
    const generation = ++current.generation;
    current.timer = setTimeout(() => {
      current.timer = undefined;
      void this.publish(document, current, generation);
    }, delay);
  }

  private async publish(document: vscode.TextDocument, state: DocState, generation: number): Promise<void> {
    try {
      const info = this.fileInfo(document);
      if (!info || document.isClosed) return;
      if (state.version !== document.version) {
        const run = this.run(document, info, state);
        let sliceStart = performance.now();
        while (!run.next().done) {
          if (performance.now() - sliceStart < SLICE_MS) continue;
          await new Promise((resolve) => setImmediate(resolve));
          if (state.generation !== generation || document.isClosed) return;
          sliceStart = performance.now();
        }
      }
      if (state.generation !== generation || document.isClosed) return;
      this.collection.set(document.uri, state.problems.map(toDiagnostic));
    } catch (err) {
      this.logger.error(`Checking ${document.uri.fsPath} failed`, err);
    }
  }

  /**
   * Checks the document block by block, reusing the problems of unchanged blocks; yields after
   * each block so that the caller decides when to pause. Commits to `state` only when complete.
   */
  private *run(document: vscode.TextDocument, info: ValuesFileInfo, state: DocState): Generator<void, void, void> {
    const version = document.version;
    const text = document.getText();
    const checker = this.checker(info);
    const next = new Map<string, ValueProblem[]>();
    const out: ValueProblem[] = [];
    for (const block of topLevelBlocks(text)) {
      const blockText = text.slice(block.start, block.end);
      let problems = next.get(blockText) ?? state.blocks.get(blockText);
      if (!problems) problems = checker.checkRange(blockText);
      next.set(blockText, problems);
      for (const p of problems) out.push(block.line === 0 ? p : shifted(p, block.line));
      yield;
    }
    state.blocks = next;
    state.problems = out;
    state.version = version;
  }

  private checker(info: ValuesFileInfo): ValueChecker {
    let checker = this.checkers.get(info.context.file);
    if (!checker) {
      checker = new ValueChecker(info.context, this.s.projects.index.variables(info.slug));
      this.checkers.set(info.context.file, checker);
    }
    return checker;
  }

  private state(document: vscode.TextDocument): DocState {
    const key = document.uri.toString();
    let state = this.docs.get(key);
    if (!state) {
      state = { version: -1, problems: [], blocks: new Map(), generation: 0 };
      this.docs.set(key, state);
    }
    return state;
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const state = this.docs.get(key);
    if (state?.timer) clearTimeout(state.timer);
    if (state) state.generation++;
    this.docs.delete(key);
    this.collection.delete(uri);
  }
}

function shifted(p: ValueProblem, lines: number): ValueProblem {
  const move = <T extends { span: ValueProblem['span'] }>(x: T): T => ({
    ...x,
    span: { start: { line: x.span.start.line + lines, character: x.span.start.character }, end: { line: x.span.end.line + lines, character: x.span.end.character } },
  });
  const out = move(p);
  if (p.fixes) out.fixes = p.fixes.map(move);
  return out;
}
