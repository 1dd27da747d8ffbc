// Network chunks to lines: a chunk may end inside a line or inside a multi-byte UTF-8 character, so
// bytes are decoded in streaming mode and the text after the last newline waits for the next chunk.
// A partial last line of a dropped connection is dropped by `reset()`: resuming sends it again whole.

export class LineAssembler {
  private decoder = new TextDecoder('utf-8');
  private rest = '';

  constructor(private readonly maxLineChars = 1_000_000) {}

  /** Lines cut because they were longer than the cap (the rest followed as the next line). */
  cuts = 0;

  /** The complete lines in this chunk (without their `\n`). */
  push(chunk: Uint8Array): string[] {
    const lines = (this.rest + this.decoder.decode(chunk, { stream: true })).split('\n');
    this.rest = lines.pop() ?? '';
    // A line without end must not grow without bound (a binary dump, a runaway writer).
    while (this.rest.length > this.maxLineChars) {
      lines.push(this.rest.slice(0, this.maxLineChars));
      this.rest = this.rest.slice(this.maxLineChars);
      this.cuts++;
    }
    return lines;
  }

  /** The stream ended cleanly: what remains is a last line without a newline. */
  finish(): string[] {
    const text = this.rest + this.decoder.decode();
    this.rest = '';
    return text === '' ? [] : [text];
  }

  /** The connection dropped: forget the partial line and any half character. */
  reset(): void {
    this.decoder = new TextDecoder('utf-8');
    this.rest = '';
  }

  get pending(): number {
    return this.rest.length;
  }
}
