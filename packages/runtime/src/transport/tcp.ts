import { Socket, connect } from "node:net";
import { createLineParser } from "../protocol/line-parser.js";
import { MAX_LINE_BYTES, serializeEvent } from "../protocol/wire.js";
import type { Transport } from "./transport.js";

export interface TcpTransportOptions {
  host: string;
  port: number;
  /** REMOTE_INSTALL_KEY, sent in the handshake. */
  key: string;
  /** Sends the registration (declarations, assets, end) after each handshake. */
  register: (send: (serialized: string) => Promise<void>) => Promise<void>;
  /** Reconnect delays grow from `minDelayMs` to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Remote debugging: the plugin dials the daemon (REMOTE_INSTALL_HOST:PORT),
 * sends the handshake with its key and registers; then requests flow as JSON
 * lines both ways. When the daemon restarts, the connection is retried with
 * backoff and the plugin registers again.
 */
export class TcpTransport implements Transport {
  onmessage?: (line: string) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;

  private socket?: Socket;
  private ready = false;
  private started = false;
  private closed = false;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  private readonly parser = createLineParser({
    onLine: (line) => this.onmessage?.(line),
    onError: (error) => this.onerror?.(error),
    maxLineBytes: MAX_LINE_BYTES * 4,
  });

  constructor(private readonly options: TcpTransportOptions) {}

  async start(): Promise<void> {
    if (this.started) throw new Error("TcpTransport already started");
    this.started = true;
    this.dial();
  }

  /** Lines sent while the connection is down are dropped: the daemon has no session to receive them. */
  send(serialized: string): Promise<void> {
    const socket = this.socket;
    if (!socket || !this.ready || socket.destroyed) return Promise.resolve();
    return this.write(socket, serialized);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket?.end();
    this.socket?.destroy();
    this.onclose?.();
  }

  private write(socket: Socket, serialized: string): Promise<void> {
    return new Promise((resolve) => {
      if (socket.write(serialized)) resolve();
      else socket.once("drain", resolve);
    });
  }

  private dial(): void {
    const { host, port, key } = this.options;
    const socket = connect({ host, port });
    this.socket = socket;
    this.parser.reset();
    socket.setNoDelay(true);
    socket.on("connect", () => {
      this.attempt = 0;
      // The SDK sends the handshake with a single newline, everything after with a blank line.
      socket.write(JSON.stringify({ type: "handshake", data: { key } }) + "\n");
      this.options
        .register((serialized) => this.write(socket, serialized))
        .then(() => (this.ready = true))
        .catch((error: Error) => {
          this.onerror?.(new Error(`registration failed: ${error.message}`));
          socket.destroy();
        });
    });
    socket.on("data", (chunk: Buffer) => this.parser.feed(chunk));
    socket.on("error", (error) => this.onerror?.(new Error(`connection to ${host}:${port} failed: ${error.message}`)));
    socket.on("close", () => {
      this.ready = false;
      if (this.closed) return;
      const delay = Math.min(this.options.maxDelayMs ?? 30_000, (this.options.minDelayMs ?? 500) * 2 ** this.attempt++);
      this.onerror?.(new Error(`disconnected from ${host}:${port}; reconnecting in ${delay} ms`));
      this.retryTimer = setTimeout(() => this.dial(), delay);
    });
  }
}

/** The registration the SDK sends after the handshake; shared by the runtime and the tests' stand-in daemon. */
export function registrationLines(declarations: {
  manifest: Record<string, unknown>;
  tools: Record<string, unknown>[];
  assets: { filename: string; data: Buffer }[];
}): string[] {
  const lines = [
    serializeEvent({ type: "manifest_declaration", data: declarations.manifest as never }),
    serializeEvent({ type: "tool_declaration", data: declarations.tools as never }),
  ];
  for (const asset of declarations.assets) {
    const chunks = Math.max(1, Math.ceil(asset.data.length / 8192));
    for (let sequence = 0; sequence < chunks; sequence++) {
      const data = asset.data.subarray(sequence * 8192, (sequence + 1) * 8192).toString("base64");
      lines.push(serializeEvent({ type: "asset_chunk", data: { filename: asset.filename, data, end: sequence === chunks - 1 } }));
    }
  }
  lines.push(serializeEvent({ type: "end", data: {} }));
  return lines;
}
