/**
 * The protocol layer: turns daemon lines into sessions, routes each request to
 * its handler, streams the handler's messages back, and ends every session the
 * way the Python SDK does: stream messages, then `end`; on failure one `error`
 * message (error_type, message, args) followed by `end`. Sessions run
 * concurrently; each is bounded by MAX_REQUEST_TIMEOUT.
 */
import { BackwardsRouter, checkPermission, type BackwardsResponse, type InvokeType } from "./backwards.js";
import type { DifyInvocations, SessionInfo, ToolContext } from "./context.js";
import type { PluginDefinition, ToolDefinition } from "./definitions.js";
import { PluginError, errorTypeOf } from "./errors.js";
import { createLogger, describeError, type Logger } from "./logger.js";
import { toWire, type ToolMessage } from "./messages.js";
import { Redactor } from "./redact.js";
import { serializeEvent, type DaemonLine, type JsonObject, type PluginEvent, type SessionMessage } from "./protocol/wire.js";
import type { Transport } from "./transport/transport.js";
import { validateCredentials, validateParameters } from "./validation.js";

export interface DispatcherOptions {
  /** Seconds a session may run (MAX_REQUEST_TIMEOUT). */
  maxRequestTimeout: number;
  /** Seconds a backwards invocation may wait for the daemon (MAX_INVOCATION_TIMEOUT). */
  maxInvocationTimeout: number;
}

/** Produces the `data` of each stream message of one session. */
type RequestHandler = (request: JsonObject, context: ToolContext) => AsyncIterable<JsonObject>;

export class Dispatcher {
  readonly redactor = new Redactor();
  readonly logger: Logger;
  private readonly backwards = new BackwardsRouter();
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private accepting = true;

  constructor(
    private readonly plugin: PluginDefinition,
    private readonly transport: Transport,
    private readonly options: DispatcherOptions,
  ) {
    this.logger = createLogger((event) => void this.write(event), this.redactor);
  }

  /** Wires the transport's callbacks to this dispatcher. */
  connect(): void {
    this.transport.onmessage = (line) => this.handleLine(line);
    this.transport.onerror = (error) => this.logger.error("transport", error);
  }

  get runningSessions(): number {
    return this.running.size;
  }

  /** Writes one event outside any session (heartbeats, logs, registration). */
  write(event: PluginEvent): Promise<void> {
    return this.transport.send(serializeEvent(event));
  }

  handleLine(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      this.rejectLine(line, `malformed line, not JSON: ${(error as Error).message}`);
      return;
    }
    const problem = describeLineProblem(parsed);
    if (problem) {
      this.rejectLine(line, problem, parsed);
      return;
    }
    const message = parsed as DaemonLine;
    if (message.event === "backwards_response") {
      this.backwards.deliver(message.data as unknown as BackwardsResponse);
      return;
    }
    void this.runSession(message);
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
      for (const session of this.running.values()) session.controller.abort(new PluginError("ShutdownError", "the plugin is shutting down"));
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 1000))]);
    }
    this.backwards.closeAll("the plugin is shutting down");
  }

  /** A line we cannot serve: an error for its session if one can be read, else a log entry. */
  private rejectLine(line: string, problem: string, parsed?: unknown): void {
    const sessionId = readSessionId(parsed) ?? readSessionId(line);
    if (sessionId) {
      void this.endSession(sessionId, { error_type: "InvalidRequestError", message: problem, args: {} });
    } else {
      this.logger.error(`${problem} (line starts ${JSON.stringify(line.slice(0, 80))})`);
    }
  }

  private async runSession(message: DaemonLine): Promise<void> {
    const sessionId = message.session_id;
    if (this.running.has(sessionId)) {
      this.logger.error(`duplicate request for running session ${sessionId} ignored`);
      return;
    }
    if (!this.accepting) {
      await this.endSession(sessionId, { error_type: "ShutdownError", message: "the plugin is shutting down and takes no new requests", args: {} });
      return;
    }
    const controller = new AbortController();
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.running.set(sessionId, { controller, done });

    const redactor = new Redactor(this.redactor);
    const credentials = (message.data.credentials ?? {}) as Record<string, unknown>;
    redactor.addCredentials(credentials);
    const timeoutMs = this.options.maxRequestTimeout * 1000;
    const timer = setTimeout(
      () => controller.abort(new PluginError("TimeoutError", `the request exceeded MAX_REQUEST_TIMEOUT (${this.options.maxRequestTimeout} s) and was stopped`)),
      timeoutMs,
    );
    let failure: JsonObject | undefined;
    try {
      const { handler, request } = this.route(message.data);
      const context = this.createContext(message, credentials, controller.signal, redactor);
      await abortable(this.stream(sessionId, handler(request, context), controller.signal), controller.signal);
    } catch (error) {
      const cause = controller.signal.aborted ? controller.signal.reason : error;
      failure = { error_type: errorTypeOf(cause), message: redactor.redact(describeMessage(cause)), args: {} };
      controller.abort(cause);
    } finally {
      clearTimeout(timer);
    }
    await this.endSession(sessionId, failure);
    this.running.delete(sessionId);
    finish();
  }

  /** Sends the stream messages in order, waiting on transport backpressure. */
  private async stream(sessionId: string, messages: AsyncIterable<JsonObject>, signal: AbortSignal): Promise<void> {
    for await (const data of messages) {
      if (signal.aborted) return;
      await this.sendSession(sessionId, { type: "stream", data });
    }
  }

  private async endSession(sessionId: string, failure?: JsonObject): Promise<void> {
    if (failure) await this.sendSession(sessionId, { type: "error", data: failure });
    await this.sendSession(sessionId, { type: "end", data: {} }, true);
  }

  private sendSession(sessionId: string, data: SessionMessage, final = false): Promise<void> {
    return this.transport.send(serializeEvent({ event: "session", session_id: sessionId, data }), { sessionId, final });
  }

  private route(data: JsonObject): { handler: RequestHandler; request: JsonObject } {
    const { type, action } = data;
    if (type !== "tool") throw new PluginError("UnsupportedRequestError", `request type ${JSON.stringify(type)} is not supported: this plugin serves tool requests`);
    const provider = this.plugin.provider;
    if (data.provider !== undefined && data.provider !== provider.identity.name) {
      throw new PluginError("ValueError", `Provider \`${String(data.provider)}\` not found`);
    }
    switch (action) {
      case "invoke_tool":
        return { handler: (request, context) => this.invokeTool(request, context), request: data };
      case "validate_tool_credentials":
        return { handler: (request, context) => this.validateToolCredentials(request, context), request: data };
      case "get_tool_runtime_parameters":
        return { handler: (request, context) => this.runtimeParameters(request, context), request: data };
      default:
        throw new PluginError("UnsupportedRequestError", `tool action ${JSON.stringify(action)} is not supported: expected invoke_tool, validate_tool_credentials or get_tool_runtime_parameters`);
    }
  }

  private findTool(request: JsonObject): ToolDefinition {
    const tool = this.plugin.tools.find((candidate) => candidate.identity.name === request.tool);
    if (!tool) throw new PluginError("ValueError", `Tool \`${String(request.tool)}\` not found for provider \`${this.plugin.provider.identity.name}\``);
    return tool;
  }

  private async *invokeTool(request: JsonObject, context: ToolContext): AsyncGenerator<JsonObject> {
    const tool = this.findTool(request);
    const parameters = validateParameters(tool.parameters, (request.tool_parameters ?? {}) as Record<string, unknown>);
    const result = tool.handler(parameters as never, this.withValidCredentials(context) as never);
    const messages = isAsyncIterable(result) ? result : toList(await result);
    for await (const message of messages) {
      for await (const wire of toWire(message)) yield wire as unknown as JsonObject;
    }
  }

  private async *validateToolCredentials(_request: JsonObject, context: ToolContext): AsyncGenerator<JsonObject> {
    const checked = this.withValidCredentials(context);
    await this.plugin.provider.validateCredentials?.(checked.credentials as never, checked as never);
    // The SDK answers a successful validation with this bare stream payload.
    yield { result: true };
  }

  private async *runtimeParameters(request: JsonObject, context: ToolContext): AsyncGenerator<JsonObject> {
    const tool = this.findTool(request);
    if (!tool.runtimeParameters) throw new PluginError("ValueError", `Tool \`${tool.identity.name}\` does not implement runtime parameters`);
    const parameters = await tool.runtimeParameters(this.withValidCredentials(context) as never);
    yield { parameters: parameters as unknown as JsonObject[] };
  }

  private withValidCredentials(context: ToolContext): ToolContext {
    const declared = this.plugin.provider.credentials;
    return { ...context, credentials: validateCredentials(declared, context.credentials as Record<string, unknown>) };
  }

  private createContext(message: DaemonLine, credentials: Record<string, unknown>, signal: AbortSignal, redactor: Redactor): ToolContext {
    const session: SessionInfo = {
      id: message.session_id,
      conversationId: message.conversation_id,
      messageId: message.message_id,
      appId: message.app_id,
      endpointId: message.endpoint_id,
      userId: typeof message.data.user_id === "string" ? message.data.user_id : null,
    };
    const logger = createLogger((event) => void this.write(event), redactor);
    return { credentials, session, signal, logger, dify: this.createInvocations(session, signal) };
  }

  private createInvocations(session: SessionInfo, signal: AbortSignal): DifyInvocations {
    const permissions = this.plugin.manifest.resource.permission;
    const invoke = (type: InvokeType, request: JsonObject): AsyncIterable<JsonObject> => {
      checkPermission(type, permissions);
      return this.backwards.invoke(
        (payload) => this.sendSession(session.id, { type: "invoke", data: payload }),
        type,
        request,
        { timeoutMs: this.options.maxInvocationTimeout * 1000, signal },
      );
    };
    const single = async (type: InvokeType, request: JsonObject): Promise<JsonObject> => {
      for await (const data of invoke(type, request)) return data;
      throw new PluginError("BackwardsInvocationError", `${type} invocation returned no data`);
    };
    const storage = async (request: JsonObject): Promise<JsonObject> => single("storage", request);
    return {
      invoke,
      model: {
        llm: (request) => invoke("llm", request),
        textEmbedding: (request) => single("text_embedding", request),
        rerank: (request) => single("rerank", request),
      },
      tool: {
        invoke: (request) => invoke("tool", { ...request, ...(session.appId ? { app_id: session.appId } : {}) } as JsonObject),
      },
      app: { invoke: (request) => invoke("app", request) },
      storage: {
        get: async (key) => Buffer.from(String((await storage({ opt: "get", key })).data), "hex"),
        set: async (key, value) => expectOk(await storage({ opt: "set", key, value: Buffer.from(value).toString("hex") })),
        delete: async (key) => expectOk(await storage({ opt: "del", key })),
        exist: async (key) => Boolean((await storage({ opt: "exist", key })).data),
      },
    };
  }
}

function expectOk(response: JsonObject): void {
  if (response.data !== "ok") throw new PluginError("StorageInvocationError", `unexpected storage answer: ${JSON.stringify(response.data)}`);
}

function describeLineProblem(parsed: unknown): string | undefined {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return "malformed line: expected a JSON object";
  const line = parsed as Record<string, unknown>;
  if (typeof line.session_id !== "string" || line.session_id === "") return "malformed line: session_id must be a non-empty string";
  if (line.event !== "request" && line.event !== "backwards_response") return `unknown event ${JSON.stringify(line.event)}: expected "request" or "backwards_response"`;
  if (typeof line.data !== "object" || line.data === null || Array.isArray(line.data)) return "malformed line: data must be a JSON object";
  return undefined;
}

/** Finds a session id in a parsed object, or in the raw text of a line that did not parse. */
function readSessionId(source: unknown): string | undefined {
  if (typeof source === "object" && source !== null) {
    const id = (source as Record<string, unknown>).session_id;
    return typeof id === "string" && id !== "" ? id : undefined;
  }
  if (typeof source === "string") return /"session_id"\s*:\s*"([^"\\]{1,200})"/.exec(source)?.[1];
  return undefined;
}

function describeMessage(error: unknown): string {
  if (error instanceof Error) return error.message || describeError(error);
  return String(error);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ToolMessage> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

function toList(result: ToolMessage[] | ToolMessage | void): ToolMessage[] {
  if (result === undefined) return [];
  return Array.isArray(result) ? result : [result];
}

/** Resolves or rejects with the work, or rejects with the signal's reason as soon as it aborts. */
function abortable(work: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
