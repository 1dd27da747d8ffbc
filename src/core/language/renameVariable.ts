// Renaming an HQ Variable (issue 4, navigation): its key in every scope section of the variables
// file that defines it, and in every placeholder of the project's values files (every form: spaced,
// pinned to a scope), as plain edits with offsets in the texts given. The adapter applies them as
// one workspace edit, so one Undo restores everything.
import { scanPlaceholders, mayContainPlaceholder } from '../values/placeholders';
import { VARIABLE_KEY_PATTERN } from '../model/variables';
import { placeholderAt } from './placeholderContext';
import { variableKeyAt, variableKeySpans } from './variablesFilePositions';

export interface FileTextEdit {
  file: string;
  start: number;
  end: number;
  newText: string;
}

export interface RenameInput {
  oldKey: string;
  newKey: string;
  variablesFile: string;
  /** Undefined when the project has no variables file. */
  variablesText: string | undefined;
  /** The project's values files (every layer, every chart's values.yaml) by path, unsaved content where open. */
  valuesTexts: ReadonlyMap<string, string>;
}

export type RenameResult = { ok: true; edits: FileTextEdit[] } | { ok: false; message: string };

/** What a rename at the cursor renames: the key and the offsets of its name. */
export interface RenameTarget {
  key: string;
  start: number;
  end: number;
}

/** Keys YAML reads as null or a boolean: written quoted in the variables file so they stay strings. */
const NOT_A_STRING = /^(null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;

export function renameVariable(input: RenameInput): RenameResult {
  const { oldKey, newKey } = input;
  if (!VARIABLE_KEY_PATTERN.test(newKey)) {
    return { ok: false, message: `"${newKey}" is not a valid variable key: use letters, digits and "_", not starting with a digit (e.g. DATABASE_HOST).` };
  }
  const edits: FileTextEdit[] = [];
  if (input.variablesText !== undefined) {
    const { sound, spans } = variableKeySpans(input.variablesText);
    if (!sound) {
      return { ok: false, message: `The variables file ${input.variablesFile} has a syntax error: fix it before renaming a variable.` };
    }
    if (newKey !== oldKey && spans.some((s) => s.key === newKey)) {
      return { ok: false, message: `A variable "${newKey}" already exists: renaming "${oldKey}" to it would merge the two variables.` };
    }
    for (const span of spans) {
      if (span.key !== oldKey) continue;
      const quoted = /["']/.test(input.variablesText.charAt(span.start - 1));
      const newText = !quoted && NOT_A_STRING.test(newKey) ? `"${newKey}"` : newKey;
      edits.push({ file: input.variablesFile, start: span.start, end: span.end, newText });
    }
  }
  if (newKey === oldKey) return { ok: true, edits: [] };
  for (const [file, text] of input.valuesTexts) {
    for (const range of placeholderKeyRanges(text, oldKey)) edits.push({ file, ...range, newText: newKey });
  }
  return { ok: true, edits };
}

/** Offsets of the key's name in every valid placeholder of `key` in `text`. */
export function placeholderKeyRanges(text: string, key: string): { start: number; end: number }[] {
  if (!text.includes(key) || !mayContainPlaceholder(text)) return [];
  const out: { start: number; end: number }[] = [];
  for (const m of scanPlaceholders(text)) {
    if (!m.valid || m.key !== key) continue;
    const range = keyRange(text, m.end, key);
    if (range) out.push(range);
  }
  return out;
}

/** The key of a valid placeholder ends its body: just before the spaces and `}}` that close it. */
function keyRange(text: string, placeholderEnd: number, key: string): { start: number; end: number } | undefined {
  let end = placeholderEnd - 2;
  while (end > 0 && /\s/.test(text.charAt(end - 1))) end--;
  const start = end - key.length;
  return text.slice(start, end) === key ? { start, end } : undefined;
}

/** The placeholder key under `offset` in a values file, or undefined (the adapter then refuses). */
export function renameTargetInValues(text: string, offset: number): RenameTarget | undefined {
  const m = placeholderAt(text, offset);
  if (!m?.valid || m.key === undefined) return undefined;
  const range = keyRange(text, m.end, m.key);
  return range ? { key: m.key, ...range } : undefined;
}

/** The variable key under `offset` in the variables file, or undefined. */
export function renameTargetInVariables(text: string, offset: number): RenameTarget | undefined {
  const span = variableKeyAt(variableKeySpans(text).spans, offset);
  return span ? { key: span.key, start: span.start, end: span.end } : undefined;
}

/** Why the cursor is not on something to rename, in the user's words. */
export const RENAME_REFUSAL =
  'Only an HQ Variable can be renamed here: put the cursor on the key of a placeholder ({{ hq.var.KEY }}) or on a variable key in the variables file.';
