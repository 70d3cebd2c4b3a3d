const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Tracks how deep JSON text nests, fed in pieces (request body chunks), so a
 * body that nests deeper than allowed is refused before anything parses it:
 * JSON.parse and the variable coercion after it spend seconds on 400,000
 * levels. It reads bytes: UTF-8 never puts an ASCII byte inside a longer
 * character, so brackets and quotes are found exactly.
 */
export class JsonDepthScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly maxDepth: number) {}

  /** Feeds the next piece; false once the text has nested deeper than allowed. */
  feed(bytes: Uint8Array | string): boolean {
    const text = typeof bytes === 'string';
    for (let i = 0; i < bytes.length; i++) {
      const c = text ? (bytes as string).charCodeAt(i) : (bytes as Uint8Array)[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
      } else if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++this.depth > this.maxDepth) return false;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) this.depth--;
    }
    return true;
  }
}

/** Whether JSON text nests deeper than `maxDepth` (a body of 2 levels: `{"variables":{}}`). */
export const jsonDepthExceeds = (text: string, maxDepth: number) => !new JsonDepthScanner(maxDepth).feed(text);

export const tooDeepMessage = (maxDepth: number) => `request JSON nests deeper than ${maxDepth} levels`;
