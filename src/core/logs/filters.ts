// Which lines a stream writes: include/exclude regular expressions and the errors-only preset. The
// preset keeps a line that reads as an error and the stack trace that follows it (indented frames,
// `at …`, `Caused by:`, `... 3 more`, Python's traceback lines, Go's goroutine dumps), tracked per
// source (pod/container) since traces of two pods interleave in a merged stream.

export interface FilterSpec {
  include?: string;
  exclude?: string;
  errorsOnly?: boolean;
}

/** An invalid regular expression, with the engine's own message. */
export class FilterError extends Error {
  constructor(
    readonly field: 'include' | 'exclude',
    readonly pattern: string,
    reason: string,
  ) {
    super(`Invalid ${field} regular expression /${pattern}/: ${reason}`);
    this.name = 'FilterError';
  }
}

const ERROR_LINE = new RegExp(
  [
    '\\b(?:error|exception|panic|fatal)\\b',
    '\\b[A-Za-z]+(?:Error|Exception)\\b',
    'level=(?:error|fatal|panic)\\b',
    '"level"\\s*:\\s*"(?:error|fatal|panic)"',
    '^[EF]\\d{4} ',
    '\\b(?:ERROR|FATAL|PANIC|ERR|CRIT(?:ICAL)?)\\b',
  ].join('|'),
  'i',
);

const CONTINUATION = new RegExp(
  [
    '^\\s+\\S', // indented frames: "    at x (file.js:1:2)", "\tmain.go:12 +0x1d", "  File \"x.py\", line 3"
    '^\\s*at\\s',
    '^\\s*Caused by:',
    '^\\s*\\.\\.\\. \\d+ (?:more|common frames omitted)',
    '^Traceback \\(most recent call last\\):',
    '^goroutine \\d+ \\[',
    '^[\\w./-]+\\.go:\\d+',
    '^[\\w$./*()-]+\\(.*\\)$', // Go function lines of a goroutine dump: "main.main()", "pkg.(*T).Run(0xc0)"
    '^\\w+(?:\\.\\w+)*(?:Error|Exception)(?::|$)', // the exception line that ends a Python traceback
  ].join('|'),
);

export function isErrorLine(text: string): boolean {
  return ERROR_LINE.test(text);
}

export function isContinuation(text: string): boolean {
  return CONTINUATION.test(text);
}

function compile(field: 'include' | 'exclude', pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined || pattern === '') return undefined;
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new FilterError(field, pattern, err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err));
  }
}

/** Throws FilterError for an invalid pattern: nothing streams with a filter the user did not mean. */
export function compileFilter(spec: FilterSpec): LineFilter {
  return new LineFilter(spec, compile('include', spec.include), compile('exclude', spec.exclude));
}

export class LineFilter {
  /** Sources whose last kept line was an error or part of its trace. */
  private readonly inTrace = new Set<string>();

  constructor(
    readonly spec: FilterSpec,
    private readonly include: RegExp | undefined,
    private readonly exclude: RegExp | undefined,
  ) {}

  get passesAll(): boolean {
    return !this.include && !this.exclude && !this.spec.errorsOnly;
  }

  /** Whether `text` from `source` is written. Call once per line, in order: the preset keeps state. */
  accepts(source: string, text: string): boolean {
    if (this.spec.errorsOnly && !this.errorOrTrace(source, text)) return false;
    if (this.include && !this.include.test(text)) return false;
    if (this.exclude && this.exclude.test(text)) return false;
    return true;
  }

  private errorOrTrace(source: string, text: string): boolean {
    if (this.inTrace.has(source) && text !== '' && isContinuation(text)) return true;
    if (isErrorLine(text)) {
      this.inTrace.add(source);
      return true;
    }
    this.inTrace.delete(source);
    return false;
  }

  /** One sentence for the marker written when the filter changes. */
  describe(): string {
    const parts: string[] = [];
    if (this.spec.include) parts.push(`include /${this.spec.include}/`);
    if (this.spec.exclude) parts.push(`exclude /${this.spec.exclude}/`);
    if (this.spec.errorsOnly) parts.push('errors only');
    return parts.length > 0 ? parts.join(', ') : 'no filter';
  }
}
