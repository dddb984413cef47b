/**
 * stdout carries the protocol and nothing else. Dependencies print with
 * console.log (mem0ai does, on init errors); those bytes would corrupt the
 * JSON-lines stream, so after this call every ordinary stdout write goes to
 * stderr, and only the returned function writes to the real stdout.
 *
 * A bundle made by `dify-ts bundle` claims stdout in its first statement,
 * before any dependency's module code runs, and leaves the protocol writer
 * under this global key; the runtime then uses that one.
 */
export const PROTOCOL_STDOUT_KEY = Symbol.for("@dify-ts/runtime.protocol-stdout");

type ProtocolWrite = (chunk: string) => boolean;

export function claimStdout(): ProtocolWrite {
  const global = globalThis as { [PROTOCOL_STDOUT_KEY]?: ProtocolWrite };
  const claimed = global[PROTOCOL_STDOUT_KEY];
  if (claimed) return claimed;
  const stdout = process.stdout;
  const protocolWrite = stdout.write.bind(stdout) as ProtocolWrite;
  stdout.write = process.stderr.write.bind(process.stderr) as typeof stdout.write;
  global[PROTOCOL_STDOUT_KEY] = protocolWrite;
  return protocolWrite;
}

/** A line held back waiting for its end is written anyway past this size or at the next turn of the event loop. */
const MAX_HELD_CHARS = 64 * 1024;

interface OutputRedactor {
  redact(text: string): string;
  /** See Redactor.pendingSuffixLength. */
  pendingSuffixLength(text: string): number;
}

/** Every runPlugin in this process adds its redactor; the streams are wrapped once. */
const outputRedactors: OutputRedactor[] = [];

/**
 * Everything the plugin's code and its dependencies write to stdout and stderr
 * (console.error from an SDK echoing an API key, say) goes through `redactor`
 * before it reaches stderr, which the daemon logs. Claims stdout first, so the
 * protocol writer stays untouched. Text is redacted by whole lines, so a secret
 * split across two writes of one line is still masked. A partial line is written
 * at the next turn of the event loop or past MAX_HELD_CHARS, all but an end that
 * could begin a secret: that waits for the next write (or the exit), so a secret
 * split across turns or at the size limit is masked too.
 */
export function redactOutput(redactor: OutputRedactor): void {
  outputRedactors.push(redactor);
  if (outputRedactors.length > 1) return;
  const redact = (text: string) => outputRedactors.reduce((result, each) => each.redact(result), text);
  claimStdout();
  const stderr = process.stderr;
  const write = stderr.write.bind(stderr) as (chunk: string, callback?: (error?: Error | null) => void) => boolean;
  let held = "";
  let flushScheduled = false;
  const pendingLength = (text: string) =>
    outputRedactors.reduce((longest, each) => Math.max(longest, each.pendingSuffixLength(text)), 0);
  /** Writes the held partial line; unless `final`, keeps back an end that may continue into a secret. */
  const flush = (final = false) => {
    flushScheduled = false;
    if (held === "") return;
    const end = final ? held.length : held.length - pendingLength(held);
    const text = held.slice(0, end);
    held = held.slice(end);
    if (text !== "") write(redact(text));
  };
  const redactingWrite = (chunk: unknown, encodingOrCallback?: unknown, maybeCallback?: unknown): boolean => {
    const callback = (typeof encodingOrCallback === "function" ? encodingOrCallback : maybeCallback) as
      ((error?: Error | null) => void) | undefined;
    const encoding = typeof encodingOrCallback === "string" ? (encodingOrCallback as BufferEncoding) : "utf8";
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, encoding) : Buffer.from(chunk as Uint8Array);
    const text = held + bytes.toString("utf8");
    const end = text.lastIndexOf("\n") + 1;
    held = text.slice(end);
    let result = true;
    if (end > 0) result = write(redact(text.slice(0, end)), callback);
    else if (callback) process.nextTick(callback);
    if (held.length > MAX_HELD_CHARS) flush();
    else if (held !== "" && !flushScheduled) {
      flushScheduled = true;
      setImmediate(() => flush()).unref();
    }
    return result;
  };
  process.stdout.write = redactingWrite as typeof process.stdout.write;
  stderr.write = redactingWrite as typeof stderr.write;
  process.once("exit", () => flush(true));
}
