// The in-line rules of YAML 1.2 that every hand-written reader here shares (the fast values
// reader, the value checks, the path at the cursor): white space between tokens is a space or a
// tab; a comment is a `#` at the start of the line or after white space; a double-quoted scalar
// escapes with `\`, a single-quoted one doubles its quote. Indentation is the readers' own business.

export const SPACE = 32;
export const TAB = 9;
export const HASH = 35;
export const DASH = 45;
export const LF = 10;
export const CR = 13;

export function isWhite(code: number): boolean {
  return code === SPACE || code === TAB;
}

/** The first offset at or after `i` that is not white space. */
export function skipWhite(line: string, i: number): number {
  while (i < line.length && isWhite(line.charCodeAt(i))) i++;
  return i;
}

/** Whether offset `i` ends a token: the end of the line or white space. */
export function isBlankAt(line: string, i: number): boolean {
  return i >= line.length || isWhite(line.charCodeAt(i));
}

/** The offset of the white space before a comment that starts after `from`, or the line's length. */
export function commentStart(line: string, from: number): number {
  for (let h = line.indexOf('#', from + 1); h >= 0; h = line.indexOf('#', h + 1)) {
    if (isWhite(line.charCodeAt(h - 1))) return h - 1;
  }
  return line.length;
}

/** The end of `line` before `end` with trailing white space (down to `from`) removed. */
export function trimWhiteEnd(line: string, end: number, from: number): number {
  while (end > from && isWhite(line.charCodeAt(end - 1))) end--;
  return end;
}

/**
 * The offset of the quote that closes a `quote`-quoted scalar whose content starts at `from` (a
 * line may continue a scalar opened above), or -1 when it does not close on this line.
 */
export function closingQuote(line: string, from: number, quote: '"' | "'"): number {
  const q = quote.charCodeAt(0);
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (q === 34 /* " */ && c === 92 /* \ */) i++;
    else if (c === q) {
      if (q === 39 /* ' */ && line.charCodeAt(i + 1) === 39) i++;
      else return i;
    }
  }
  return -1;
}

/** Whether a comment starts at offset `i`. */
export function isCommentAt(line: string, i: number): boolean {
  return line.charCodeAt(i) === HASH && (i === 0 || isWhite(line.charCodeAt(i - 1)));
}
