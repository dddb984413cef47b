import type { Readable, Writable } from "node:stream";
import { createLineParser, MAX_INPUT_LINE_BYTES } from "@dify-ts/protocol";
import { BackpressureWriter } from "./backpressure.js";
import type { Transport } from "./transport.js";

/**
 * JSON lines on stdin/stdout, as the daemon's local runtime launches plugins.
 * Streams are injectable for tests; by default the process's own.
 */
export class StdioTransport implements Transport {
  onmessage?: (line: string) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;

  private started = false;
  private closed = false;
  private readonly parser = createLineParser({
    onLine: (line) => this.onmessage?.(line),
    onError: (error) => this.onerror?.(error),
    maxLineBytes: MAX_INPUT_LINE_BYTES,
  });
  private readonly onData = (chunk: Buffer) => this.parser.feed(chunk);
  private readonly onEnd = () => this.stopReading();
  private readonly onStreamError = (error: Error) => this.onerror?.(error);
  private readonly writer: BackpressureWriter;

  /**
   * @param write the function that puts protocol bytes on `output`; the runtime
   *   passes the one `claimStdout` kept, because `process.stdout.write` itself
   *   is redirected to stderr so a stray console.log cannot corrupt the protocol.
   */
  constructor(
    private readonly input: Readable = process.stdin,
    private readonly output: Writable = process.stdout,
    write: (chunk: string) => boolean = (chunk) => output.write(chunk),
  ) {
    this.writer = new BackpressureWriter(output, write);
  }

  async start(): Promise<void> {
    if (this.started) throw new Error("StdioTransport already started");
    this.started = true;
    this.input.on("data", this.onData);
    this.input.on("end", this.onEnd);
    this.input.on("close", this.onEnd);
    this.input.on("error", this.onStreamError);
    this.output.on("error", this.onStreamError);
  }

  /** Output stays writable after stdin ends, so running sessions can still answer. */
  send(serialized: string): Promise<void> {
    if (!this.output.writable) return Promise.resolve();
    return this.writer.send(serialized);
  }

  async close(): Promise<void> {
    this.stopReading();
    await this.writer.flush();
    this.output.off("error", this.onStreamError);
  }

  private stopReading(): void {
    if (this.closed) return;
    this.closed = true;
    this.input.off("data", this.onData);
    this.input.off("end", this.onEnd);
    this.input.off("close", this.onEnd);
    this.input.off("error", this.onStreamError);
    this.input.pause();
    this.onclose?.();
  }
}
