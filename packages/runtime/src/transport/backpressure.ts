import type { Writable } from "node:stream";

/**
 * Writes to a stream and resolves once it accepted the bytes. Under
 * backpressure every waiting writer shares one 'drain' listener, so a thousand
 * concurrent sessions do not stack a thousand listeners on stdout.
 */
export class BackpressureWriter {
  private drained?: Promise<void>;

  constructor(
    private readonly stream: Writable,
    private readonly write: (chunk: string) => boolean = (chunk) => stream.write(chunk),
  ) {}

  send(chunk: string): Promise<void> {
    if (this.write(chunk)) return Promise.resolve();
    this.drained ??= new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("close", done);
        this.drained = undefined;
        resolve();
      };
      this.stream.on("drain", done);
      this.stream.on("close", done);
    });
    return this.drained;
  }
}
