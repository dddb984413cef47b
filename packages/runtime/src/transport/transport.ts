/**
 * A transport moves protocol lines between the plugin and the daemon. It knows
 * nothing about sessions: the protocol layer (dispatcher) assigns the callbacks.
 */
export interface Transport {
  /** Starts reading. Throws if called twice. */
  start(): Promise<void>;
  /**
   * Writes one serialised event; resolves once the bytes are accepted (after
   * 'drain' under backpressure). `route` names the session the line belongs to
   * and marks its last line: stream transports ignore it, HTTP uses it to pick
   * and close the response.
   */
  send(serialized: string, route?: Route): Promise<void>;
  /** Stops reading and releases the underlying resource. */
  close(): Promise<void>;
  /** A complete input line (the framing layer already split it). */
  onmessage?: (line: string) => void;
  /** A non-fatal problem: a bad line, a dropped connection that will be retried. */
  onerror?: (error: Error) => void;
  /** The input ended for good (stdin closed, transport closed). */
  onclose?: () => void;
}

export interface Route {
  sessionId: string;
  /** The session's last line. */
  final?: boolean;
}

/**
 * Reported through `onerror` when the peer a session's output goes to is gone:
 * the whole TCP connection (no sessionId) or one HTTP client (its sessionId).
 * The dispatcher aborts the affected sessions, since nobody reads their output.
 */
export class ConnectionLostError extends Error {
  constructor(
    message: string,
    readonly sessionId?: string,
  ) {
    super(message);
    this.name = "ConnectionLostError";
  }
}
