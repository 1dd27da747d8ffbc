// The one place that hides secret values, for every surface: logs, release diffs, compare, the audit,
// effective values, webview messages. A secret is hidden two ways:
//  - structurally, in the variables file: the `value` of any mapping with `secret: true`, found by node
//    range in the parsed document (quoted keys, flow maps, block scalars, old values no longer known);
//  - literally, anywhere: every known secret value, longest first, in the forms YAML and JSON may write
//    it (escapes `\x65` `\u0065` `\"`, single-quoted `''`, folded or broken across lines).
// The shortest secret a masker hides is an explicit parameter: logs keep ordinary words readable, the UI
// hides everything (the variables file warns about secrets too short or too common to hide in logs).
// No dependencies: the webview protocol re-exports SECRET_MASK. The structural part is maskYaml.ts.
/** What is shown instead of a secret's value, everywhere. */
export const SECRET_MASK = '••••••';

/** Logs leave shorter secrets (and common words) alone: masking them would hide ordinary text. */
export const LOG_MIN_SECRET_LENGTH = 4;

export interface MaskerOptions {
  /** Secrets shorter than this are not masked literally. */
  minLength: number;
  /** Whether a secret that is a common word (`true`, `no`, a number) is masked literally. */
  commonWords: boolean;
}

/** Every surface a user sees: every secret, however short. */
export const DISPLAY_MASKING: MaskerOptions = Object.freeze({ minLength: 1, commonWords: true });
/** The log channel. */
export const LOG_MASKING: MaskerOptions = Object.freeze({ minLength: LOG_MIN_SECRET_LENGTH, commonWords: false });

const COMMON_WORD = /^(?:true|false|yes|no|on|off|y|n|null|none|~|[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|0x[0-9a-f]+|0o[0-7]+|[-+]?\.inf|\.nan)$/i;

/** Why a secret's value cannot be masked in logs, or undefined when it can. */
export function unsafeSecretReason(value: string): string | undefined {
  if (value.length < LOG_MIN_SECRET_LENGTH) return `shorter than ${LOG_MIN_SECRET_LENGTH} characters`;
  if (COMMON_WORD.test(value)) return 'a common word (a boolean or a number)';
  return undefined;
}

/** Hides a set of secret values in text and in plain data. Build one per set of secrets (see `secretMasker`). */
export class SecretMasker {
  /** The secrets it masks, longest first. */
  readonly secrets: readonly string[];
  private readonly pattern: RegExp | undefined;
  /** No written form is shorter than the secret: shorter texts are skipped without a regex run. */
  private readonly shortest: number = Infinity;

  constructor(secrets: Iterable<string>, options: MaskerOptions) {
    const kept = new Set<string>();
    for (const secret of secrets) {
      if (secret.length === 0 || secret.length < options.minLength) continue;
      if (!options.commonWords && COMMON_WORD.test(secret)) continue;
      kept.add(secret);
    }
    // Longest first: the alternation takes the first alternative that matches, so `password-XYZ` wins over `pass`.
    this.secrets = [...kept].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    if (this.secrets.length === 0) return;
    this.shortest = (this.secrets[this.secrets.length - 1] as string).length;
    this.pattern = new RegExp(this.secrets.map(writtenForms).join('|'), 'g');
    // V8 interprets a regular expression's first run and compiles it for the next: run it first on a
    // tiny string, or a 2 MB text goes through the interpreter (100+ ms instead of a few).
    'x'.replace(this.pattern, '');
    'x'.replace(this.pattern, '');
  }

  get empty(): boolean {
    return this.pattern === undefined;
  }

  /** The text with every secret masked; a match across lines keeps its line breaks. */
  text(text: string): string {
    if (!this.pattern || text.length < this.shortest) return text;
    const out = text.replace(this.pattern, maskSpan);
    if (!out.includes('\\')) return out;
    // Escapes of ordinary characters (`"hunt\u0065r22"`): a quoted string whose meaning holds a secret is masked whole.
    return out.replace(ESCAPED_STRING, (whole, body: string) => {
      const meaning = decodeDoubleQuoted(body);
      return this.secrets.some((s) => meaning.includes(s)) ? `"${maskSpan(body)}"` : whole;
    });
  }

  /** Plain data (JSON-like) with every string masked; keys too. Returns the same object when nothing changes. */
  deep<T>(value: T): T {
    if (!this.pattern) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) {
      let changed = false;
      const out = value.map((v) => {
        const m = this.walk(v);
        changed ||= m !== v;
        return m;
      });
      return changed ? out : value;
    }
    if (value !== null && typeof value === 'object') {
      let changed = false;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const mk = this.text(k);
        const mv = this.walk(v);
        changed ||= mk !== k || mv !== v;
        Object.defineProperty(out, mk, { value: mv, enumerable: true, writable: true, configurable: true });
      }
      return changed ? out : value;
    }
    return value;
  }
}

const EMPTY = new SecretMasker([], DISPLAY_MASKING);
const cache = new WeakMap<readonly string[], Map<MaskerOptions, SecretMasker>>();

/**
 * The masker for a list of secrets, cached per list object and options: callers pass the same array
 * until the secrets change (ProjectService.secretValues), so the pattern is built once per change.
 */
export function secretMasker(secrets: readonly string[], options: MaskerOptions): SecretMasker {
  if (secrets.length === 0) return EMPTY;
  let byOptions = cache.get(secrets);
  if (!byOptions) cache.set(secrets, (byOptions = new Map()));
  let masker = byOptions.get(options);
  if (!masker) byOptions.set(options, (masker = new SecretMasker(secrets, options)));
  return masker;
}

/** The mask for a span of text, keeping its line breaks and each line's indentation (line numbers stay right). */
export function maskSpan(span: string): string {
  if (!span.includes('\n')) return SECRET_MASK;
  return span
    .split('\n')
    .map((line, i) => {
      const cr = line.endsWith('\r') ? '\r' : '';
      const body = cr ? line.slice(0, -1) : line;
      if (i === 0) return body.length > 0 ? SECRET_MASK + cr : cr;
      const indent = /^[ \t]*/.exec(body)?.[0] ?? '';
      return indent + (body.length > indent.length ? SECRET_MASK : '') + cr;
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// The forms a secret may be written in.

/**
 * One regular-expression alternative matching the secret as YAML or JSON may write it, every ordinary
 * character literal (a group per character takes V8 a second to compile for 20 secrets). Escapes of
 * ordinary characters (`\u0065`) are found by decoding double-quoted strings instead (see `text`).
 */
function writtenForms(secret: string): string {
  let out = '';
  for (const char of secret) out += SPECIAL_FORMS[char] ?? escapeRegExp(char);
  return out;
}

const SPECIAL_FORMS: Record<string, string> = {
  // Folding: a space may be a line break plus the next line's indentation; a line break an empty line.
  ' ': String.raw`(?: |[ \t]*\r?\n[ \t]*)`,
  '\n': String.raw`(?:(?:[ \t]*\r?\n)+[ \t]*|\\n)`,
  '\t': String.raw`(?:\t|\\t)`,
  '\r': String.raw`(?:\r|\\r)`,
  '"': String.raw`(?:"|\\")`,
  '\\': String.raw`(?:\\|\\\\)`,
  '/': String.raw`(?:\/|\\\/)`,
  // Single-quoted YAML doubles the quote.
  "'": "(?:'|'')",
};

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A double-quoted string (YAML or JSON) with at least one escape. */
const ESCAPED_STRING = /"((?:[^"\\]|\\[\s\S])*\\(?:[^"\\]|\\[\s\S])*)"/g;

/** What a double-quoted YAML (or JSON) string means: escapes decoded, line breaks folded. */
export function decodeDoubleQuoted(body: string): string {
  const folded = body.replace(/[ \t]*\r?\n(?:[ \t]*\r?\n)*[ \t]*/g, (m) => {
    const breaks = m.split('\n').length - 1;
    return breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
  });
  return folded.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[\s\S])/g, (_m, e: string) =>
    e.length > 1 ? String.fromCodePoint(parseInt(e.slice(1), 16)) : (DECODED[e] ?? e),
  );
}

const DECODED: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\x0b',
  f: '\f',
  r: '\r',
  e: '\x1b',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

// ---------------------------------------------------------------------------------------------
// Logs.

const CREDENTIALS: RegExp[] = [
  /((?:client-key-data|client-certificate-data|token|password|id-token|refresh-token|access-token)\s*[:=]\s*["']?)[^\s"',}]+/gi,
  /(authorization\s*:\s*(?:bearer|basic)\s+)[^\s"',}]+/gi,
  /(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
];

/**
 * A log line without secrets: kubeconfig credentials, bearer tokens and the masker's secrets, in any
 * written form (a JSON-escaped one included). Masked before it is cut to `maxLength`, so a cut never
 * leaves a secret's head behind.
 */
export function sanitizeLog(text: string, masker: SecretMasker, maxLength?: number): string {
  let out = text;
  for (const pattern of CREDENTIALS) out = out.replace(pattern, `$1${SECRET_MASK}`);
  out = masker.text(out);
  return maxLength !== undefined && out.length > maxLength ? `${out.slice(0, maxLength)}…` : out;
}

/** A value to log as JSON, cut to `maxLength` characters after masking (see ChannelLogger). */
export class LogExcerpt {
  constructor(
    readonly value: unknown,
    readonly maxLength: number,
  ) {}
}

export function logExcerpt(value: unknown, maxLength = 200): LogExcerpt {
  return new LogExcerpt(value, maxLength);
}
