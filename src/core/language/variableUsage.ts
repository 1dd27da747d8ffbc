// Where each HQ Variable is used: every valid placeholder in a project's values files (all layers
// and the charts' values.yaml), by key. The variables file's CodeLens, hover and `unused-variable`
// warning read it. Rebuilt once per index change; a file whose text is the same string as before
// is not scanned again, so a keystroke in one buffer rescans that buffer only.
import { mayContainPlaceholder, scanPlaceholders } from '../values/placeholders';
import type { VariableScope } from '../types';

export interface VariableUse {
  file: string;
  /** Offsets of the whole placeholder in the file's text. */
  start: number;
  end: number;
  /** 0-based positions of start and end. */
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
  /** The pinned scope, for `{{ hq.var.SCOPE.KEY }}`. */
  scope?: VariableScope;
}

const NONE: readonly VariableUse[] = Object.freeze([]);

export class VariableUsage {
  private perFile = new Map<string, { text: string; uses: Map<string, VariableUse[]> }>();
  private byKey = new Map<string, VariableUse[]>();

  /** Replaces what is known with `files` (path → text), in the order given. */
  update(files: Iterable<readonly [string, string]>): void {
    const next = new Map<string, { text: string; uses: Map<string, VariableUse[]> }>();
    let changed = false;
    for (const [file, text] of files) {
      if (next.has(file)) continue;
      const previous = this.perFile.get(file);
      const entry = previous && previous.text === text ? previous : { text, uses: placeholderUses(file, text) };
      changed ||= entry !== previous;
      next.set(file, entry);
    }
    changed ||= next.size !== this.perFile.size;
    this.perFile = next;
    // A change elsewhere (the variables file, the manifest) leaves every use where it was.
    if (!changed) return;
    const byKey = new Map<string, VariableUse[]>();
    for (const entry of next.values()) {
      for (const [key, uses] of entry.uses) {
        const list = byKey.get(key);
        if (list) for (const use of uses) list.push(use);
        else byKey.set(key, [...uses]);
      }
    }
    this.byKey = byKey;
  }

  /** Every use of `key`, by file in update order, then by position. */
  uses(key: string): readonly VariableUse[] {
    return this.byKey.get(key) ?? NONE;
  }

  count(key: string): number {
    return this.byKey.get(key)?.length ?? 0;
  }

  /** The files that use `key`, each once, in order. */
  files(key: string): string[] {
    return [...new Set(this.uses(key).map((u) => u.file))];
  }
}

/** The valid placeholders of one text, by key, with positions. */
export function placeholderUses(file: string, text: string): Map<string, VariableUse[]> {
  const out = new Map<string, VariableUse[]>();
  if (!mayContainPlaceholder(text)) return out;
  // Positions are counted forward from the previous match: one pass over the text in all.
  let line = 0;
  let lineStart = 0;
  let scanned = 0;
  const advance = (to: number) => {
    for (let i = text.indexOf('\n', scanned); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    scanned = to;
  };
  for (const m of scanPlaceholders(text)) {
    if (!m.valid || m.key === undefined) continue;
    advance(m.start);
    const startLine = line;
    const character = m.start - lineStart;
    advance(m.end);
    const use: VariableUse = { file, start: m.start, end: m.end, line: startLine, character, endLine: line, endCharacter: m.end - lineStart };
    if (m.scope) use.scope = m.scope;
    const list = out.get(m.key);
    if (list) list.push(use);
    else out.set(m.key, [use]);
  }
  return out;
}
