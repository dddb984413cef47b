/**
 * Incremental JSON-lines framing, apart from any I/O (after eventsource-parser):
 * `feed` accepts chunks of any size, `onLine` gets each complete non-blank line.
 * Fragments are kept in an array and joined once per line, so a long line costs
 * O(n), not O(n²). A line longer than `maxLineBytes` is reported and skipped up
 * to its newline instead of growing the buffer without bound; the report keeps
 * the line's first bytes, where the daemon writes the session id, so the
 * session can still be answered.
 */

export type LineParseErrorKind = "line-too-long";

/** How much of an overlong line's start a report keeps. */
export const LINE_HEAD_BYTES = 4096;

export class LineParseError extends Error {
  constructor(
    readonly kind: LineParseErrorKind,
    message: string,
    /** The dropped line's first bytes (at most LINE_HEAD_BYTES), as text. */
    readonly head = "",
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
          const head = headOf([...fragments, piece]);
          discarding = true;
          fragments = [];
          pendingBytes = 0;
          onError(
            new LineParseError("line-too-long", `input line exceeds ${maxLineBytes} bytes and was dropped`, head),
          );
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

/** The first LINE_HEAD_BYTES of a line's fragments, without joining the whole line. */
function headOf(pieces: Buffer[]): string {
  const kept: Buffer[] = [];
  let bytes = 0;
  for (const piece of pieces) {
    if (bytes >= LINE_HEAD_BYTES) break;
    const part = piece.subarray(0, LINE_HEAD_BYTES - bytes);
    kept.push(part);
    bytes += part.length;
  }
  return Buffer.concat(kept, bytes).toString("utf8").trimStart();
}
