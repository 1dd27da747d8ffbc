// Positions in the variables file (spec §3): where each variable key is, and what the format
// expects at the cursor (a scope section, an environment, tenant or workload name, a variable key).
//
// Key spans come from the YAML tree (exact, quoted keys included). The cursor's slot is found from
// the indentation of the lines above instead: while the user types a new key the file is often not
// valid YAML, and completion must still know that `  st|` under `env:` is an environment name.
import { isAlias, isMap, isNode, isScalar, type Document, type Node } from 'yaml';
import type { VariableScope } from '../types';
import { lineAt } from './placeholderContext';
import { isStructurallySound, parseYaml } from '../yaml/yamlSource';

export interface VariableKeySpan {
  key: string;
  /** Offsets of the key's name in the text (inside quotes for a quoted key). */
  start: number;
  end: number;
  scope: VariableScope;
  environment?: string;
  tenant?: string;
  workload?: string;
}

export interface VariableKeySpans {
  /** False when a syntax error leaves the tree unreliable (spans is then empty). */
  sound: boolean;
  /** Every variable key under repo / env.E / tenant.T / svc.T.E.W, in file order. */
  spans: VariableKeySpan[];
}

/** The variable keys of a variables file, with their exact offsets. */
export function variableKeySpans(text: string): VariableKeySpans {
  const parsed = parseYaml(text, '');
  if (!isStructurallySound(parsed.doc)) return { sound: false, spans: [] };
  const doc = parsed.doc;
  const spans: VariableKeySpan[] = [];
  const seen = new Set<number>();
  const variables = (node: Node | undefined, scope: VariableScope, names: Omit<VariableKeySpan, 'key' | 'start' | 'end' | 'scope'>) => {
    for (const [key, keyNode] of pairs(doc, node)) {
      const range = keyNode.range;
      if (!range) continue;
      // An alias makes two sections share one anchored map: its keys are one span each, once.
      const at = text.indexOf(key, range[0]);
      if (at < 0 || at >= range[1] || seen.has(at)) continue;
      seen.add(at);
      spans.push({ key, start: at, end: at + key.length, scope, ...names });
    }
  };
  for (const [section, , value] of pairs(doc, doc.contents ?? undefined)) {
    if (section === 'repo') variables(value, 'repo', {});
    else if (section === 'env') for (const [environment, , v] of pairs(doc, value)) variables(v, 'env', { environment });
    else if (section === 'tenant') for (const [tenant, , v] of pairs(doc, value)) variables(v, 'tenant', { tenant });
    else if (section === 'svc') {
      for (const [tenant, , byEnv] of pairs(doc, value)) {
        for (const [environment, , byWorkload] of pairs(doc, byEnv)) {
          for (const [workload, , v] of pairs(doc, byWorkload)) variables(v, 'svc', { tenant, environment, workload });
        }
      }
    }
  }
  spans.sort((a, b) => a.start - b.start);
  return { sound: true, spans };
}

/** The variable key whose name holds `offset` (its end included, for a cursor right after it). */
export function variableKeyAt(spans: readonly VariableKeySpan[], offset: number): VariableKeySpan | undefined {
  return spans.find((s) => s.start <= offset && offset <= s.end);
}

function* pairs(doc: Document.Parsed, node: unknown): Generator<[string, Node, Node | undefined]> {
  const map = deref(doc, node);
  if (!isMap(map)) return;
  for (const pair of map.items) {
    if (!isScalar(pair.key) || pair.key.value === null || pair.key.value === undefined) continue;
    yield [String(pair.key.value), pair.key, deref(doc, pair.value)];
  }
}

function deref(doc: Document.Parsed, node: unknown): Node | undefined {
  if (!isNode(node)) return undefined;
  const resolved: unknown = isAlias(node) ? node.resolve(doc) : node;
  return isNode(resolved) ? resolved : undefined;
}

// ---------------------------------------------------------------------------------------------
// The slot at the cursor.

export type VariablesFileSlotKind = 'section' | 'environment' | 'tenant' | 'workload' | 'variable';

export interface VariablesFileSlot {
  kind: VariablesFileSlotKind;
  /** The keys of the enclosing maps, outermost first: `['svc', 'acme']`. */
  path: string[];
  /** What is typed of the key so far. */
  partial: string;
  /** The range a completion replaces: the key being typed, through the rest of its word. */
  replace: { start: number; end: number };
  /** Appended after the chosen name: `:` (and a space for a variable) unless the line has one. */
  suffix: string;
  /** The other keys of the same map, which completion does not offer again. */
  siblings: string[];
}

const SECTION_SLOTS: Record<string, VariablesFileSlotKind[]> = {
  repo: ['variable'],
  env: ['environment', 'variable'],
  tenant: ['tenant', 'variable'],
  svc: ['tenant', 'environment', 'workload', 'variable'],
};

const KEY_LINE = /^( *)("[^"]*"|'[^']*'|[^\s#:'"][^:#]*?)[ \t]*:(?:\s|$)/;
const WORD = /[A-Za-z0-9_-]/;

/**
 * What the variables file expects where `offset` is: a key being typed at the start of a line
 * (possibly empty), classified by its enclosing keys. Undefined in values, comments, lists and
 * flow collections, and below a key whose value is on its own line.
 */
export function variablesFileSlotAt(text: string, offset: number): VariablesFileSlot | undefined {
  const line = lineAt(text, offset);
  const rel = offset - line.start;
  const typed = /^( *)([A-Za-z0-9_-]*)$/.exec(line.text.slice(0, rel));
  if (!typed) return undefined;
  const indent = (typed[1] ?? '').length;
  const partial = typed[2] ?? '';

  const lines = text.split('\n');
  const row = countLines(text, line.start);
  const path: string[] = [];
  const siblings = new Set<string>();
  let limit = indent;
  for (let i = row - 1; i >= 0 && !(limit === 0 && path.length > 0); i--) {
    const l = stripCr(lines[i] ?? '');
    if (isBlankOrComment(l)) continue;
    const lineIndent = l.length - l.trimStart().length;
    if (lineIndent > limit) continue;
    const key = KEY_LINE.exec(l);
    if (!key) return undefined; // a list item or a multi-line scalar: not a map the format knows
    if (lineIndent === limit) {
      if (limit === indent) siblings.add(unquote(key[2] ?? ''));
      continue;
    }
    // A parent holds a nested block: nothing (but a comment) may follow its colon.
    if (!isBlankOrComment(l.slice(key[0].length))) return undefined;
    path.unshift(unquote(key[2] ?? ''));
    limit = lineIndent;
  }
  if (limit > 0) return undefined; // indented with no parent: not valid here
  for (let i = row + 1; i < lines.length; i++) {
    const l = stripCr(lines[i] ?? '');
    if (isBlankOrComment(l)) continue;
    const lineIndent = l.length - l.trimStart().length;
    if (lineIndent < indent) break;
    const key = lineIndent === indent ? KEY_LINE.exec(l) : null;
    if (key) siblings.add(unquote(key[2] ?? ''));
  }

  const kind = slotKind(path);
  if (!kind) return undefined;
  let end = rel;
  while (end < line.text.length && WORD.test(line.text.charAt(end))) end++;
  const hasColon = /^[ \t]*:/.test(line.text.slice(end));
  return {
    kind,
    path,
    partial,
    replace: { start: offset - partial.length, end: line.start + end },
    suffix: hasColon ? '' : kind === 'variable' ? ': ' : ':',
    siblings: [...siblings].filter((s) => s !== partial),
  };
}

function slotKind(path: readonly string[]): VariablesFileSlotKind | undefined {
  if (path.length === 0) return 'section';
  const slots = SECTION_SLOTS[path[0] ?? ''];
  return slots?.[path.length - 1];
}

function countLines(text: string, upTo: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < upTo; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function stripCr(l: string): string {
  return l.endsWith('\r') ? l.slice(0, -1) : l;
}

function isBlankOrComment(l: string): boolean {
  const t = l.trim();
  return t === '' || t.startsWith('#');
}

function unquote(key: string): string {
  return /^(["']).*\1$/.test(key) ? key.slice(1, -1) : key;
}
