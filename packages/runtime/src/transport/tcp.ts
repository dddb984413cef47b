import { Socket, connect } from "node:net";
import { BLOB_CHUNK_BYTES, createLineParser, MAX_INPUT_LINE_BYTES, serializeEvent } from "@dify-ts/protocol";
import { BackpressureWriter } from "./backpressure.js";
import { ConnectionLostError, type Transport } from "./transport.js";

/** A connection that stayed up this long was a real session with the daemon: the next reconnect starts fast again. */
const STABLE_CONNECTION_MS = 5000;

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
  private writer?: BackpressureWriter;
  private ready = false;
  private started = false;
  private closed = false;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  private readonly parser = createLineParser({
    onLine: (line) => this.receive(line),
    onError: (error) => this.onerror?.(error),
    maxLineBytes: MAX_INPUT_LINE_BYTES,
  });

  constructor(private readonly options: TcpTransportOptions) {}

  /** Requests are JSON objects; the daemon's plain-text lines are refusals ("handshake failed, invalid key") sent before it hangs up. */
  private receive(line: string): void {
    if (line.startsWith("{")) this.onmessage?.(line);
    else
      this.onerror?.(new Error(`the daemon at ${this.options.host}:${this.options.port} refused the plugin: ${line}`));
  }

  async start(): Promise<void> {
    if (this.started) throw new Error("TcpTransport already started");
    this.started = true;
    this.dial();
  }

  /** Lines sent while the connection is down are dropped: the daemon has no session to receive them. */
  send(serialized: string): Promise<void> {
    const socket = this.socket;
    if (!socket || !this.ready || socket.destroyed) return Promise.resolve();
    return this.writer!.send(serialized);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.writer?.flush();
    this.socket?.end();
    this.socket?.destroy();
    this.onclose?.();
  }

  private dial(): void {
    const { host, port, key } = this.options;
    const socket = connect({ host, port });
    const writer = new BackpressureWriter(socket);
    this.socket = socket;
    this.writer = writer;
    this.parser.reset();
    socket.setNoDelay(true);
    let connectedAt = 0;
    socket.on("connect", () => {
      connectedAt = Date.now();
      // The SDK sends the handshake with a single newline, everything after with a blank line.
      socket.write(JSON.stringify({ type: "handshake", data: { key } }) + "\n");
      this.options
        .register((serialized) => writer.send(serialized))
        .then(() => {
          if (!socket.destroyed) this.ready = true;
        })
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
      // A daemon that accepts and then drops the plugin (wrong key) must not be redialled in a tight loop.
      if (connectedAt > 0 && Date.now() - connectedAt >= STABLE_CONNECTION_MS) this.attempt = 0;
      const delay = Math.min(this.options.maxDelayMs ?? 30_000, (this.options.minDelayMs ?? 500) * 2 ** this.attempt++);
      this.onerror?.(new ConnectionLostError(`disconnected from ${host}:${port}; reconnecting in ${delay} ms`));
      this.retryTimer = setTimeout(() => this.dial(), delay);
    });
  }
}

/** The registration the SDK sends after the handshake; shared by the runtime and the tests' stand-in daemon. */
export function registrationLines(declarations: {
  manifest: Record<string, unknown>;
  tools: Record<string, unknown>[];
  /** Endpoint groups (one at most, as the daemon keeps the first). */
  endpoints?: Record<string, unknown>[];
  assets: { filename: string; data: Buffer }[];
}): string[] {
  // As the SDK: a declaration kind is sent only when the plugin has one.
  const lines = [serializeEvent({ type: "manifest_declaration", data: declarations.manifest as never })];
  if (declarations.tools.length > 0)
    lines.push(serializeEvent({ type: "tool_declaration", data: declarations.tools as never }));
  if (declarations.endpoints?.length)
    lines.push(serializeEvent({ type: "endpoint_declaration", data: declarations.endpoints as never }));
  for (const asset of declarations.assets) {
    // Like the SDK, an empty file sends no chunk: the daemon requires non-empty chunk data.
    const chunks = Math.ceil(asset.data.length / BLOB_CHUNK_BYTES);
    for (let sequence = 0; sequence < chunks; sequence++) {
      const data = asset.data
        .subarray(sequence * BLOB_CHUNK_BYTES, (sequence + 1) * BLOB_CHUNK_BYTES)
        .toString("base64");
      lines.push(
        serializeEvent({ type: "asset_chunk", data: { filename: asset.filename, data, end: sequence === chunks - 1 } }),
      );
    }
  }
  lines.push(serializeEvent({ type: "end", data: {} }));
  return lines;
}
