// `values: [values/common/{workload}.yaml, values/{env}/{workload}.yaml]`: inside a flow list an
// unquoted `{` opens a mapping, so one missing pair of quotes makes the rest of the manifest
// unreadable (the library reported 149 syntax errors for it). These helpers find such path
// templates so the manifest reports the one mistake, with a fix that quotes it.
import type { Problem, Span } from '../types';

export interface UnquotedTemplate {
  /** 0-based line and the columns of the unquoted item. */
  line: number;
  start: number;
  end: number;
  text: string;
}

/** A flow-list item: after `[` or `,`, up to the next `,` or `]`, not quoted. */
const ITEM = /([[,]\s*)([^\s"'[\],#][^,[\]]*?)(?=\s*[,\]])/g;
/** A block value that starts with a template: `values: {env}/x.yaml`. */
const LEADING = /^(\s*(?:-\s+)?[\w"']+\s*:\s+)(\{[^\s#]*)\s*(?:#.*)?$/;

/** The unquoted path templates (with one of `tokens`) in flow lists, or leading a value, of a manifest text. */
export function findUnquotedTemplates(text: string, tokens: readonly string[]): UnquotedTemplate[] {
  const token = new RegExp(`\\{(?:${tokens.join('|')})\\}`);
  const found: UnquotedTemplate[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, line) => {
    const source = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!source.includes('{')) return;
    const leading = LEADING.exec(source);
    if (leading && token.test(leading[2] as string)) {
      const start = (leading[1] as string).length;
      found.push({ line, start, end: start + (leading[2] as string).length, text: leading[2] as string });
      return;
    }
    if (!source.includes('[')) return;
    for (const match of source.matchAll(ITEM)) {
      const item = (match[2] as string).trimEnd();
      if (!token.test(item)) continue;
      const start = (match.index ?? 0) + (match[1] as string).length;
      found.push({ line, start, end: start + item.length, text: item });
    }
  });
  return found;
}

/** The text with every template double-quoted (positions on other lines unchanged). */
export function quoteTemplates(text: string, templates: readonly UnquotedTemplate[]): string {
  const lines = text.split('\n');
  // Right to left, so the columns of earlier items on the same line stay valid.
  for (const t of [...templates].sort((a, b) => b.line - a.line || b.start - a.start)) {
    const line = lines[t.line] as string;
    lines[t.line] = `${line.slice(0, t.start)}${JSON.stringify(t.text)}${line.slice(t.end)}`;
  }
  return lines.join('\n');
}

export function unquotedTemplateProblem(file: string, t: UnquotedTemplate): Problem {
  const span: Span = { start: { line: t.line, character: t.start }, end: { line: t.line, character: t.end } };
  return {
    file,
    span,
    severity: 'error',
    code: 'unquoted-path-template',
    message: `Quote this path template: unquoted, YAML reads { as the start of a mapping. Write "${t.text}".`,
  };
}
