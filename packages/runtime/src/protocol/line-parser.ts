/**
 * Incremental JSON-lines framing, apart from any I/O (after eventsource-parser):
 * `feed` accepts chunks of any size, `onLine` gets each complete non-blank line.
 * Fragments are kept in an array and joined once per line, so a long line costs
 * O(n), not O(n²). A line longer than `maxLineBytes` is reported and skipped up
 * to its newline instead of growing the buffer without bound.
 */

export type LineParseErrorKind = "line-too-long";

export class LineParseError extends Error {
  constructor(
    readonly kind: LineParseErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "LineParseError";
  }
}

export interface LineParserOptions {
  onLine: (line: string) => void;
  onError: (error: LineParseError) => void;
  maxLineBytes: number;
}

export interface LineParser {
  feed(chunk: Buffer): void;
  reset(): void;
}

const NEWLINE = 0x0a;

export function createLineParser({ onLine, onError, maxLineBytes }: LineParserOptions): LineParser {
  let fragments: Buffer[] = [];
  let pendingBytes = 0;
  let discarding = false;

  function emit(buffer: Buffer): void {
    const line = buffer.toString("utf8").trim();
    if (line.length > 0) onLine(line);
  }

  function feed(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!discarding) {
        const piece = chunk.subarray(start, end);
        if (pendingBytes + piece.length > maxLineBytes) {
          discarding = true;
          fragments = [];
          pendingBytes = 0;
          onError(new LineParseError("line-too-long", `input line exceeds ${maxLineBytes} bytes and was dropped`));
        } else if (piece.length > 0) {
          fragments.push(piece);
          pendingBytes += piece.length;
        }
      }
      if (newline === -1) break;
      if (!discarding) emit(fragments.length === 1 ? fragments[0]! : Buffer.concat(fragments, pendingBytes));
      fragments = [];
      pendingBytes = 0;
      discarding = false;
      start = newline + 1;
    }
  }

  function reset(): void {
    fragments = [];
    pendingBytes = 0;
    discarding = false;
  }

  return { feed, reset };
}
