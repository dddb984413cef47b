/**
 * The daemon's side of the stdio protocol, for tests and `dify-ts invoke`:
 * spawns a plugin the way the daemon's local runtime does (no shell, the
 * package as working directory, INSTALL_METHOD=local, an allow-listed
 * environment), writes request lines and collects each session's events.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createLineParser } from "../protocol/line-parser.js";
import type { JsonObject, JsonValue } from "../protocol/wire.js";

export interface SpawnOptions {
  command: string;
  args?: string[];
  cwd: string;
  /** Added to the daemon-like environment. */
  env?: Record<string, string | undefined>;
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

export interface ReceivedEvent {
  event: string;
  session_id: string | null;
  data: JsonValue;
}

/** Environment variables a plugin process inherits, as the MCP SDK allow-lists them. */
const INHERITED = ["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG", "LC_ALL", "TZ", "TMPDIR", "SYSTEMROOT"];

export function daemonEnvironment(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  env.INSTALL_METHOD = "local";
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) env[name] = value;
  return env;
}

export class PluginProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly events: ReceivedEvent[] = [];
  /** Lines on stdout that are not protocol events: must stay empty. */
  readonly strayLines: string[] = [];
  /** The plugin configuration the SDK (and our runtime) print first in local mode. */
  configuration?: JsonObject;
  stderr = "";
  private readonly sessions = new Map<string, { result: SessionResult; resolve: (result: SessionResult) => void; onInvoke?: (payload: JsonObject) => void }>();
  private readonly waiters: { match: (event: ReceivedEvent) => boolean; resolve: (event: ReceivedEvent) => void }[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(options: SpawnOptions) {
    this.child = spawn(options.command, options.args ?? [], {
      cwd: options.cwd,
      env: daemonEnvironment(options.env),
      shell: false,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const parser = createLineParser({
      onLine: (line) => this.receive(line),
      onError: (error) => this.strayLines.push(`[parse error] ${error.message}`),
      maxLineBytes: 64 * 1024 * 1024,
    });
    this.child.stdout.on("data", (chunk: Buffer) => parser.feed(chunk));
    this.child.stderr.on("data", (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-65536)));
    this.exited = new Promise((resolve) => this.child.on("exit", (code, signal) => resolve({ code, signal })));
  }

  static spawn(options: SpawnOptions): PluginProcess {
    return new PluginProcess(options);
  }

  /** Writes one raw line (a newline is added). */
  writeLine(line: string): void {
    this.child.stdin.write(line + "\n");
  }

  /** Sends a request and resolves when its session ends. */
  request(
    data: JsonObject,
    options: { sessionId?: string; onInvoke?: (payload: JsonObject) => void; extra?: JsonObject } = {},
  ): Promise<SessionResult> {
    const sessionId = options.sessionId ?? randomUUID();
    const done = this.expectSession(sessionId, options.onInvoke);
    this.writeLine(JSON.stringify({ session_id: sessionId, event: "request", data, ...options.extra }));
    return done;
  }

  /** Resolves when the session with this id ends (for requests written with writeLine). */
  expectSession(sessionId: string, onInvoke?: (payload: JsonObject) => void): Promise<SessionResult> {
    return new Promise((resolve) => {
      this.sessions.set(sessionId, { result: { sessionId, stream: [], invokes: [] }, resolve, onInvoke });
    });
  }

  /** Answers a backwards invocation as the daemon does. */
  respondBackwards(sessionId: string, backwardsRequestId: string, event: "response" | "error" | "end", data?: JsonObject, message = ""): void {
    this.writeLine(JSON.stringify({
      session_id: sessionId,
      event: "backwards_response",
      data: { backwards_request_id: backwardsRequestId, event, message, data: data ?? null },
    }));
  }

  waitFor(match: (event: ReceivedEvent) => boolean, timeoutMs = 30_000): Promise<ReceivedEvent> {
    const existing = this.events.find(match);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      this.waiters.push({ match, resolve: (event) => (clearTimeout(timer), resolve(event)) });
    });
  }

  waitForHeartbeat(timeoutMs?: number): Promise<ReceivedEvent> {
    return this.waitFor((event) => event.event === "heartbeat", timeoutMs);
  }

  /** Closes stdin (the daemon going away) and waits for the exit. */
  async close(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.stdin.end();
    return this.exited;
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.child.kill(signal);
  }

  private receive(line: string): void {
    let event: ReceivedEvent;
    try {
      event = JSON.parse(line) as ReceivedEvent;
    } catch {
      this.strayLines.push(line);
      return;
    }
    if (typeof event !== "object" || event === null || typeof event.event !== "string") {
      if (!this.configuration && this.events.length === 0 && typeof event === "object" && event !== null && "meta" in event) {
        this.configuration = event as unknown as JsonObject;
      } else this.strayLines.push(line);
      return;
    }
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(event)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
    if (event.event !== "session" || !event.session_id) return;
    const session = this.sessions.get(event.session_id);
    if (!session) return;
    const message = event.data as { type: string; data: JsonObject };
    if (message.type === "stream") session.result.stream.push(message.data);
    else if (message.type === "error") session.result.error = message.data as SessionResult["error"];
    else if (message.type === "invoke") {
      session.result.invokes.push(message.data);
      session.onInvoke?.(message.data);
    } else if (message.type === "end") {
      this.sessions.delete(event.session_id);
      session.resolve(session.result);
    }
  }
}

export interface ReassembledMessages {
  texts: string[];
  /** Consecutive text messages joined, as Dify shows them. */
  text: string;
  jsons: JsonValue[];
  links: string[];
  images: string[];
  blobs: { data: Buffer; meta: JsonObject }[];
  variables: Record<string, JsonValue>;
  logs: JsonObject[];
}

/** Rebuilds what Dify would see from a tool session's stream: blobs reassembled, streamed variables joined. */
export function reassemble(stream: JsonObject[]): ReassembledMessages {
  const result: ReassembledMessages = { texts: [], text: "", jsons: [], links: [], images: [], blobs: [], variables: {}, logs: [] };
  const partial = new Map<string, { chunks: Buffer[]; meta: JsonObject; expected: number }>();
  for (const item of stream) {
    const message = item.message as JsonObject;
    switch (item.type) {
      case "text":
        result.texts.push(String(message.text));
        break;
      case "json":
        result.jsons.push(message.json_object!);
        break;
      case "link":
        result.links.push(String(message.text));
        break;
      case "image":
        result.images.push(String(message.text));
        break;
      case "variable": {
        const name = String(message.variable_name);
        if (message.stream) result.variables[name] = String(result.variables[name] ?? "") + String(message.variable_value);
        else result.variables[name] = message.variable_value!;
        break;
      }
      case "log":
        result.logs.push(message);
        break;
      case "blob_chunk": {
        const id = String(message.id);
        const entry = partial.get(id) ?? { chunks: [], meta: (item.meta ?? {}) as JsonObject, expected: 0 };
        partial.set(id, entry);
        if (Number(message.sequence) !== entry.expected) throw new Error(`blob ${id}: chunk ${message.sequence} arrived, expected ${entry.expected}`);
        entry.expected += 1;
        const bytes = Buffer.from(String(message.blob), "base64");
        if (bytes.length > 8192) throw new Error(`blob ${id}: chunk of ${bytes.length} bytes exceeds 8192`);
        if (message.end) {
          result.blobs.push({ data: Buffer.concat(entry.chunks), meta: entry.meta });
          partial.delete(id);
        } else entry.chunks.push(bytes);
        break;
      }
    }
  }
  result.text = result.texts.join("");
  return result;
}
export { difySdkPython, nodeWheelPython, versitygw, wheelNode, type Lookup } from "./environment.js";
export { spawnTypeScriptPlugin } from "./spawn-fixture.js";
