/**
 * The protocol layer: turns daemon lines into sessions, routes each request to
 * its handler (requests.ts), streams the handler's messages back, and ends
 * every session exactly once, the way the Python SDK does: stream messages,
 * then `end`; on failure one `error` message (error_type, message, args)
 * followed by `end`. Sessions run concurrently; each is bounded by
 * MAX_REQUEST_TIMEOUT. No line written exceeds the daemon's 5 MiB limit.
 */
import {
  decodeLine,
  LineParseError,
  MAX_INPUT_LINE_BYTES,
  MAX_LINE_BYTES,
  serializeEvent,
  sessionEvent,
  sessionIdAtLineStart,
  type DaemonRequest,
  type JsonObject,
  type LineProblem,
  type PluginEvent,
  type RequestEnvelope,
  type SessionMessage,
} from "@dify-ts/protocol";
import { BackwardsRouter, type BackwardsChannel } from "./backwards.js";
import { httpBackwardsChannel } from "./backwards-http.js";
import type { DifyInvocations, SecretRegistry, SessionInfo } from "./context.js";
import type { PluginDefinition } from "./definitions.js";
import { PluginError, errorTypeOf, formatTraceback } from "./errors.js";
import { createInvocations } from "./invocations.js";
import { createLogger, describeError, truncate, MAX_LOG_MESSAGE_CHARS, type Logger } from "./logger.js";
import { MessageTooLargeError } from "./messages.js";
import { Redactor } from "./redact.js";
import {
  requestSecrets,
  resolveRequest,
  unsupportedRequest,
  type PluginContext,
  type ResolvedRequest,
} from "./requests.js";
import { ConnectionLostError, type Transport } from "./transport/transport.js";

export interface DispatcherOptions {
  /** Seconds a session may run (MAX_REQUEST_TIMEOUT). */
  maxRequestTimeout: number;
  /** Seconds a backwards invocation may wait for the daemon's next answer (MAX_INVOCATION_TIMEOUT). */
  maxInvocationTimeout: number;
  /** Serverless: backwards invocations go over HTTP to this daemon URL (DIFY_PLUGIN_DAEMON_URL) instead of the transport. */
  backwardsHttpUrl?: string;
  /** Also receives every log event; remote debugging shows logs locally because the daemon drops them. */
  logSink?: (event: PluginEvent) => void;
}

/**
 * One running session's cancellation. The AbortController a handler sees is
 * made only when the handler reads `context.signal` (most never do): a session
 * is aborted through this object, which tells the controller if there is one.
 */
class RunningSession {
  aborted = false;
  reason: unknown;
  /** Rejects the session's work at once when it is aborted (set while the work runs). */
  onAbort?: (reason: unknown) => void;
  readonly done: Promise<void>;
  finish!: () => void;
  private controller?: AbortController;

  constructor(
    /** Date.now() past which the session is stopped (MAX_REQUEST_TIMEOUT). */
    readonly deadline: number,
  ) {
    this.done = new Promise<void>((resolve) => (this.finish = resolve));
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.onAbort?.(reason);
  }
}

/**
 * A handler's context. Its logger, its calls back into Dify and its signal are
 * made on first use: most handlers log little and call nothing back.
 */
class SessionContext implements PluginContext {
  readonly credentials: PluginContext["credentials"];
  readonly credentialType: PluginContext["credentialType"];
  readonly secrets: SecretRegistry;
  private madeLogger?: Logger;
  private madeInvocations?: DifyInvocations;

  constructor(
    private readonly dispatcher: Dispatcher,
    resolved: ResolvedRequest,
    readonly session: SessionInfo,
    private readonly running: RunningSession,
  ) {
    this.credentials = resolved.credentials;
    this.credentialType = resolved.credentialType;
    this.secrets = dispatcher.secrets;
  }

  get signal(): AbortSignal {
    return this.running.signal;
  }

  get logger(): Logger {
    return (this.madeLogger ??= this.dispatcher.sessionLogger(this.session.id));
  }

  get dify(): DifyInvocations {
    return (this.madeInvocations ??= this.dispatcher.sessionInvocations(this.session, this.running.signal));
  }
}

export class Dispatcher {
  /** Knows every credential value seen recently: process-wide logs and crash reports are redacted with it. */
  readonly redactor = new Redactor();
  /** What handlers register their own secrets with (context.secrets): the process-wide redactor. */
  readonly secrets: SecretRegistry = { add: (value) => this.redactor.addSecret(value) };
  readonly logger: Logger;
  private readonly backwards = new BackwardsRouter();
  /** In start order, so in deadline order too: every session has the same time limit. */
  private readonly running = new Map<string, RunningSession>();
  /** One timer for all deadlines, set for the oldest running session's (a timer per session cost a tenth of a round trip). */
  private deadlineTimer?: NodeJS.Timeout;
  private accepting = true;

  constructor(
    private readonly plugin: PluginDefinition,
    private readonly transport: Transport,
    private readonly options: DispatcherOptions,
  ) {
    this.logger = createLogger((event) => this.emitLog(event), this.redactor);
  }

  /** Wires the transport's callbacks to this dispatcher. */
  connect(): void {
    this.transport.onmessage = (line) => this.handleLine(line);
    this.transport.onerror = (error) => {
      if (error instanceof LineParseError) return this.rejectUnreadLine(error);
      this.logger.error("transport", error);
      if (error instanceof ConnectionLostError) this.abortSessions(error);
    };
  }

  /** Nobody reads these sessions' output any more: their handlers are told through their signal. */
  private abortSessions(lost: ConnectionLostError): void {
    for (const [sessionId, session] of this.running) {
      if (lost.sessionId === undefined || lost.sessionId === sessionId)
        session.abort(new PluginError("ConnectionLostError", lost.message));
    }
  }

  get runningSessions(): number {
    return this.running.size;
  }

  /** Writes one event outside any session (heartbeats, logs). */
  write(event: PluginEvent): Promise<void> {
    return this.transport.send(serializeEvent(event));
  }

  handleLine(text: string): void {
    const decoded = decodeLine(text);
    switch (decoded.kind) {
      case "request":
        void this.runSession(decoded.envelope, decoded.request);
        return;
      case "unsupported":
        void this.runSession(decoded.envelope, unsupportedRequest(decoded.type, decoded.action));
        return;
      case "backwards_response":
        this.backwards.deliver(decoded.response);
        return;
      case "problem":
        this.rejectLine(text, decoded.problem);
    }
  }

  /** Stops taking new sessions and waits (up to `deadlineMs`) for running ones; then aborts the rest. */
  async drain(deadlineMs: number): Promise<void> {
    this.accepting = false;
    const all = Promise.all([...this.running.values()].map((session) => session.done));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<"expired">((resolve) => (timer = setTimeout(() => resolve("expired"), deadlineMs)));
    const outcome = await Promise.race([all, expired]);
    clearTimeout(timer);
    if (outcome === "expired") {
      const reason = new PluginError(
        "ShutdownError",
        `the plugin is shutting down and the session did not finish within SHUTDOWN_TIMEOUT (${deadlineMs / 1000} s)`,
      );
      for (const session of this.running.values()) session.abort(reason);
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 1000))]);
    }
    this.backwards.closeAll("the plugin is shutting down");
  }

  /**
   * A line we cannot serve: an error for its session if one can be read, else a
   * log entry. A session that is already running is never ended by someone
   * else's bad line: it ends once, by itself.
   */
  private rejectLine(text: string, problem: LineProblem): void {
    const sessionId = problem.session_id;
    if (sessionId && !this.running.has(sessionId)) {
      void this.endSession(sessionId, { error_type: problem.error_type, message: problem.message, args: {} });
    } else {
      this.logger.error(`${problem.message} (line starts ${JSON.stringify(text.slice(0, 80))})`);
    }
  }

  /**
   * A request too large to read: its session is answered at once (the daemon
   * would otherwise wait for its own timeout) when the line's start names it.
   */
  private rejectUnreadLine(error: LineParseError): void {
    const message =
      `the request is larger than the plugin's input limit of ${MAX_INPUT_LINE_BYTES / (1024 * 1024)} MiB and was not read; ` +
      "pass large content as a file parameter instead of inline text or base64";
    const sessionId = sessionIdAtLineStart(error.head);
    this.rejectLine(error.head, {
      error_type: "RequestTooLargeError",
      message,
      ...(sessionId ? { session_id: sessionId } : {}),
    });
  }

  /** Runs one session: a decoded request, or the error an unsupported one answers with. */
  private async runSession(envelope: RequestEnvelope, request: DaemonRequest | PluginError): Promise<void> {
    const sessionId = envelope.session_id;
    if (this.running.has(sessionId)) {
      this.logger.error(`duplicate request for running session ${sessionId} ignored`);
      return;
    }
    if (!this.accepting) {
      await this.endSession(sessionId, {
        error_type: "ShutdownError",
        message: "the plugin is shutting down and takes no new requests",
        args: {},
      });
      return;
    }
    const session = new RunningSession(Date.now() + this.options.maxRequestTimeout * 1000);
    this.running.set(sessionId, session);
    this.deadlineTimer ??= this.armDeadline(session.deadline);
    let failure: JsonObject | undefined;
    try {
      if (request instanceof PluginError) throw request;
      for (const secret of requestSecrets(this.plugin, request)) this.redactor.addSecret(secret);
      const resolved = resolveRequest(this.plugin, request);
      for (const secret of resolved.secretParameters) this.redactor.addSecret(secret);
      const context = this.createContext(envelope, request, resolved, session);
      const emit = (data: JsonObject): Promise<void> =>
        session.aborted
          ? Promise.reject(session.reason as Error)
          : this.sendSession(sessionId, { type: "stream", data });
      await new Promise<void>((resolve, reject) => {
        session.onAbort = reject;
        resolved.run(context, emit).then(resolve, reject);
      });
    } catch (error) {
      const cause = session.aborted ? session.reason : error;
      failure = {
        error_type: errorTypeOf(cause),
        message: truncate(this.redactor.redact(describeMessage(cause)), MAX_LOG_MESSAGE_CHARS),
        args: { traceback: truncate(this.redactor.redact(formatTraceback(cause)), MAX_LOG_MESSAGE_CHARS) },
      };
      session.abort(cause);
    }
    this.running.delete(sessionId);
    await this.endSession(sessionId, failure);
    session.finish();
  }

  /**
   * Stops the sessions whose deadline has passed and waits for the next one.
   * Unreferenced: the transport keeps the process alive, not a session's deadline.
   */
  private armDeadline(deadline: number): NodeJS.Timeout {
    return setTimeout(
      () => {
        this.deadlineTimer = undefined;
        const now = Date.now();
        const limit = this.options.maxRequestTimeout;
        for (const session of this.running.values()) {
          if (session.deadline > now) {
            this.deadlineTimer = this.armDeadline(session.deadline);
            return;
          }
          session.abort(
            new PluginError("TimeoutError", `the request exceeded MAX_REQUEST_TIMEOUT (${limit} s) and was stopped`),
          );
        }
      },
      Math.max(0, deadline - Date.now()),
    ).unref();
  }

  private async endSession(sessionId: string, failure?: JsonObject): Promise<void> {
    if (failure) await this.sendSession(sessionId, { type: "error", data: failure });
    await this.sendSession(sessionId, { type: "end", data: {} }, true);
  }

  private sendSession(sessionId: string, data: SessionMessage, final = false): Promise<void> {
    const line = serializeEvent(sessionEvent(sessionId, data));
    // Cheap bound first: a UTF-8 byte is at most 3 per UTF-16 unit.
    if (line.length * 3 >= MAX_LINE_BYTES && Buffer.byteLength(line) >= MAX_LINE_BYTES) {
      return Promise.reject(new MessageTooLargeError(`session ${data.type}`, Buffer.byteLength(line)));
    }
    return this.transport.send(line, { sessionId, final });
  }

  private emitLog(event: PluginEvent, sessionId?: string): void {
    this.options.logSink?.(event);
    const line = serializeEvent(event);
    void this.transport.send(line, sessionId && this.running.has(sessionId) ? { sessionId } : undefined);
  }

  private createContext(
    envelope: RequestEnvelope,
    request: DaemonRequest,
    resolved: ResolvedRequest,
    running: RunningSession,
  ): PluginContext {
    const session: SessionInfo = {
      id: envelope.session_id,
      conversationId: envelope.conversation_id,
      messageId: envelope.message_id,
      appId: envelope.app_id,
      endpointId: envelope.endpoint_id,
      userId: request.type === "tool" ? request.user_id : null,
      context: envelope.context,
    };
    return new SessionContext(this, resolved, session, running);
  }

  /** A session's logger: its log events travel with the session's output. */
  sessionLogger(sessionId: string): Logger {
    return createLogger((event) => this.emitLog(event, sessionId), this.redactor);
  }

  /** A session's calls back into Dify. */
  sessionInvocations(session: SessionInfo, signal: AbortSignal): DifyInvocations {
    return createInvocations({
      channel: this.backwardsChannel(session.id),
      permissions: this.plugin.manifest.resource.permission,
      session,
      timeoutMs: this.options.maxInvocationTimeout * 1000,
      signal,
    });
  }

  private backwardsChannel(sessionId: string): BackwardsChannel {
    if (this.options.backwardsHttpUrl) return httpBackwardsChannel(this.options.backwardsHttpUrl, sessionId);
    return this.backwards.channel((payload) => this.sendSession(sessionId, { type: "invoke", data: payload }));
  }
}

function describeMessage(error: unknown): string {
  if (error instanceof Error) return error.message || describeError(error);
  return String(error);
}
