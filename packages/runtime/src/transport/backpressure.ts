import type { Writable } from "node:stream";

/** Buffered bytes that trigger a write before the end of the event-loop turn. */
const FLUSH_BYTES = 64 * 1024;

/**
 * Writes lines to a stream in batches. Lines sent during one turn of the event
 * loop go out in a single write (stdout on a pipe is synchronous on Linux, so
 * this saves a syscall per line), and a send resolves at once while the stream
 * keeps up, so a blob's chunks do not wait a loop turn each. Under backpressure
 * every sender waits for the same 'drain', so a thousand concurrent sessions
 * do not stack a thousand listeners on stdout.
 */
export class BackpressureWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  private drained?: Promise<void>;

  constructor(
    private readonly stream: Writable,
    private readonly write: (chunk: string) => boolean = (chunk) => stream.write(chunk),
  ) {}

  send(chunk: string): Promise<void> {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= FLUSH_BYTES) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
    return this.drained ?? Promise.resolve();
  }

  /** Writes what is buffered now; resolves when the stream accepted it. */
  flush(): Promise<void> {
    this.scheduled = false;
    if (this.pending.length > 0) {
      const batch = this.pending.length === 1 ? this.pending[0]! : this.pending.join("");
      this.pending = [];
      this.pendingBytes = 0;
      if (!this.write(batch)) this.drained ??= this.waitForDrain();
    }
    return this.drained ?? Promise.resolve();
  }

  private waitForDrain(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("close", done);
        this.drained = undefined;
        resolve();
      };
      this.stream.on("drain", done);
      this.stream.on("close", done);
    });
  }
}
