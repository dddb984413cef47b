/**
 * stdout carries the protocol and nothing else. Dependencies print with
 * console.log (mem0ai does, on init errors); those bytes would corrupt the
 * JSON-lines stream, so after this call every ordinary stdout write goes to
 * stderr, and only the returned function writes to the real stdout.
 */
export function claimStdout(): (chunk: string) => boolean {
  const stdout = process.stdout;
  const protocolWrite = stdout.write.bind(stdout) as (chunk: string) => boolean;
  const toStderr = process.stderr.write.bind(process.stderr);
  stdout.write = toStderr as typeof stdout.write;
  return (chunk) => protocolWrite(chunk);
}
