// What is shown when a chart's values.schema.json cannot be compiled (not JSON, a `$schema` no
// validator knows, an invalid keyword, a remote `$ref` that cannot be fetched): an error on the
// schema file with the validator's message, placed on the line it is about when that can be told,
// and one information line on each values file it would have checked, so that validation is never
// skipped silently.
import type { Problem } from '../types';

export const SCHEMA_COMPILE_CODE = 'schema-invalid';
export const SCHEMA_UNCHECKED_CODE = 'schema-unchecked';

/** The problem on the schema file itself. */
export function schemaCompileProblem(file: string, text: string, message: string): Problem {
  const lines = text.split('\n');
  let line = 0;
  const url = /remote \$ref (?:to )?(https?:\/\/[^\s(,]+?)[.,]?(?:\s|$)/.exec(message)?.[1];
  const wanted = url !== undefined ? (l: string) => l.includes('"$ref"') && l.includes(url) : message.includes('"$schema"') ? (l: string) => l.includes('"$schema"') : undefined;
  if (wanted) {
    const found = lines.findIndex(wanted);
    if (found >= 0) line = found;
  }
  const content = (lines[line] ?? '').replace(/\r$/, '');
  const start = content.length - content.trimStart().length;
  return {
    file,
    span: { start: { line, character: start }, end: { line, character: Math.max(start, content.trimEnd().length) } },
    severity: 'error',
    code: SCHEMA_COMPILE_CODE,
    message: `${message} Values files of this chart are not checked against it until this is fixed.`,
  };
}

/** The information line on a values file that `schema` (shown relative, e.g. charts/api/values.schema.json) would have checked. */
export function schemaUncheckedProblem(file: string, schema: string, firstLine: string): Problem {
  const line = firstLine.replace(/\r$/, '');
  return {
    file,
    span: { start: { line: 0, character: 0 }, end: { line: 0, character: line.trimEnd().length } },
    severity: 'info',
    code: SCHEMA_UNCHECKED_CODE,
    message: `Not checked against ${schema}: that schema cannot be compiled (see the problem reported on it).`,
  };
}
