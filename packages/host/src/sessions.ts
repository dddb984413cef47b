/**
 * The daemon's bookkeeping of plugin events, shared by every stand-in daemon
 * (stdio harness, TCP debug daemon, HTTP tests): it groups session messages by
 * session, counts `end`s, and notes anything that breaks the protocol's
 * promises (a message after a session's end, a second end).
 */
import type { JsonObject, JsonValue } from "@dify-ts/protocol";

export interface ReceivedEvent {
  event: string;
  session_id: string | null;
  data: JsonValue;
}

export interface SessionResult {
  sessionId: string;
  /** The `data` of every stream message, in order. */
  stream: JsonObject[];
  /** The session's error message, if it failed. */
  error?: { error_type: string; message: string; args?: JsonObject };
  /** `invoke` messages (backwards invocations) the plugin sent. */
  invokes: JsonObject[];
}

interface Expected {
  result: SessionResult;
  resolve: (result: SessionResult) => void;
  onInvoke?: (payload: JsonObject) => void;
}

export class SessionCollector {
  /** Every event, in arrival order (unless recording is off, for benchmarks). */
  readonly events: ReceivedEvent[] = [];
  /** When each recorded event arrived (performance.now()), parallel to `events`. */
  readonly arrivals: number[] = [];
  /** How many `end` messages each session id received. */
  readonly endCounts = new Map<string, number>();
  /** Protocol violations seen: messages after a session's end. */
  readonly violations: string[] = [];
  private readonly sessions = new Map<string, Expected>();
  private readonly waiters: { match: (event: ReceivedEvent) => boolean; resolve: (event: ReceivedEvent) => void }[] =
    [];

  constructor(private readonly record = true) {}

  /** Resolves when the session with this id ends. */
  expect(sessionId: string, onInvoke?: (payload: JsonObject) => void): Promise<SessionResult> {
    return new Promise((resolve) => {
      this.sessions.set(sessionId, { result: { sessionId, stream: [], invokes: [] }, resolve, onInvoke });
    });
  }

  /** Resolves with the first event (already seen or future) that matches. */
  waitFor(
    match: (event: ReceivedEvent) => boolean,
    timeoutMs = 150_000,
    describe: () => string = () => "",
  ): Promise<ReceivedEvent> {
    const existing = this.events.find(match);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching event within ${timeoutMs} ms ${describe()}`)),
        timeoutMs,
      );
      this.waiters.push({ match, resolve: (event) => (clearTimeout(timer), resolve(event)) });
    });
  }

  receive(event: ReceivedEvent): void {
    if (this.record) {
      this.events.push(event);
      this.arrivals.push(performance.now());
    }
    for (const waiter of [...this.waiters]) {
      if (waiter.match(event)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
    if (event.event !== "session" || !event.session_id) return;
    const id = event.session_id;
    const message = event.data as { type: string; data: JsonObject };
    if (this.endCounts.has(id)) this.violations.push(`session ${id}: ${message.type} after its end`);
    if (message.type === "end") this.endCounts.set(id, (this.endCounts.get(id) ?? 0) + 1);
    const session = this.sessions.get(id);
    if (!session) return;
    if (message.type === "stream") session.result.stream.push(message.data);
    else if (message.type === "error") session.result.error = message.data as SessionResult["error"];
    else if (message.type === "invoke") {
      session.result.invokes.push(message.data);
      session.onInvoke?.(message.data);
    } else if (message.type === "end") {
      this.sessions.delete(id);
      session.resolve(session.result);
    }
  }
}
