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
