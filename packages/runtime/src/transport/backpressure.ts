import type { Writable } from "node:stream";

/**
 * Writes to a stream in batches and resolves once the stream accepted the
 * bytes. Lines sent during one turn of the event loop go out in a single
 * write (stdout on a pipe is synchronous on Linux, so this saves a syscall per
 * line under load). Under backpressure every waiting writer shares one 'drain'
 * listener, so a thousand concurrent sessions do not stack a thousand
 * listeners on stdout.
 */
export class BackpressureWriter {
  private pending: string[] = [];
  private flushed?: Promise<void>;
  private resolveFlushed?: () => void;

  constructor(
    private readonly stream: Writable,
    private readonly write: (chunk: string) => boolean = (chunk) => stream.write(chunk),
  ) {}

  send(chunk: string): Promise<void> {
    this.pending.push(chunk);
    if (!this.flushed) {
      this.flushed = new Promise<void>((resolve) => (this.resolveFlushed = resolve));
      setImmediate(() => this.flush());
    }
    return this.flushed;
  }

  private flush(): void {
    const batch = this.pending.length === 1 ? this.pending[0]! : this.pending.join("");
    const resolve = this.resolveFlushed!;
    this.pending = [];
    this.flushed = undefined;
    this.resolveFlushed = undefined;
    if (this.write(batch)) {
      resolve();
      return;
    }
    const done = () => {
      this.stream.off("drain", done);
      this.stream.off("close", done);
      resolve();
    };
    this.stream.on("drain", done);
    this.stream.on("close", done);
  }
}
