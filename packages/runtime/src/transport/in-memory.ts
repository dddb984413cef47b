import type { Route, Transport } from "./transport.js";

/**
 * Two linked transports in one process, for tests: what one side sends, the
 * other receives as a line. `sent` records every line with its route.
 */
export class InMemoryTransport implements Transport {
  onmessage?: (line: string) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  readonly sent: { line: string; route?: Route }[] = [];
  private peer?: InMemoryTransport;

  static createLinkedPair(): [InMemoryTransport, InMemoryTransport] {
    const a = new InMemoryTransport();
    const b = new InMemoryTransport();
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  async start(): Promise<void> {}

  async send(serialized: string, route?: Route): Promise<void> {
    this.sent.push({ line: serialized, route });
    for (const line of serialized.split("\n")) if (line.trim()) this.peer?.onmessage?.(line);
  }

  async close(): Promise<void> {
    this.onclose?.();
    const peer = this.peer;
    this.peer = undefined;
    if (peer) await peer.close();
  }
}
