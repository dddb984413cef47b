/**
 * The daemon's side of the stdio protocol, for tests and `dify-ts invoke`:
 * spawns a plugin the way the daemon's local runtime does (no shell, the
 * package as working directory, INSTALL_METHOD=local, an allow-listed
 * environment), writes request lines and collects each session's events.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  backwardsResponseMessage,
  createLineParser,
  requestLine,
  type JsonObject,
  type RequestEnvelope,
} from "@dify-ts/protocol";
import { SessionCollector, type ReceivedEvent, type SessionResult } from "./sessions.js";
import type { TenantStorage } from "./tenant-storage.js";

export interface SpawnOptions {
  command: string;
  args?: string[];
  cwd: string;
  /** Added to the daemon-like environment. */
  env?: Record<string, string | undefined>;
  /** Keep every event in `events` (default). Benchmarks turn it off to measure the plugin, not the harness. */
  recordEvents?: boolean;
  /** Answers the plugin's storage invocations as the daemon does, per request's `tenant`; others reach `onInvoke`. */
  storage?: TenantStorage;
}

/** The workspace a request comes from when it names none (storage invocations are kept per tenant). */
export const DEFAULT_TENANT = "stand-in-tenant";

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
  readonly sessions: SessionCollector;
  /** Lines on stdout that are not protocol events: must stay empty. */
  readonly strayLines: string[] = [];
  /** The plugin configuration the SDK (and our runtime) print first in local mode. */
  configuration?: JsonObject;
  /** The longest stdout line seen, in bytes (the daemon kills a plugin past 5 MiB). */
  maxLineBytes = 0;
  stderr = "";
  readonly storage?: TenantStorage;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(options: SpawnOptions) {
    this.sessions = new SessionCollector(options.recordEvents ?? true);
    this.storage = options.storage;
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
    // A plugin that died must not turn the test's next write into an unhandled EPIPE.
    this.child.stdin.on("error", () => {});
    this.exited = new Promise((resolve) => this.child.on("exit", (code, signal) => resolve({ code, signal })));
  }

  static spawn(options: SpawnOptions): PluginProcess {
    return new PluginProcess(options);
  }

  /** Every event received, in order. */
  get events(): ReceivedEvent[] {
    return this.sessions.events;
  }

  /** Writes one raw line (a newline is added). */
  writeLine(line: string): void {
    this.child.stdin.write(line + "\n");
  }

  /** Sends a request as the daemon writes it and resolves when its session ends. */
  request(
    data: JsonObject,
    options: {
      sessionId?: string;
      onInvoke?: (payload: JsonObject) => void;
      envelope?: Partial<Omit<RequestEnvelope, "session_id">>;
      /** The workspace the daemon would call for: the tenant whose storage answers (default DEFAULT_TENANT). */
      tenant?: string;
    } = {},
  ): Promise<SessionResult> {
    const sessionId = options.sessionId ?? randomUUID();
    const done = this.expectSession(sessionId, options.onInvoke, options.tenant);
    this.writeLine(requestLine(sessionId, data, options.envelope));
    return done;
  }

  /** Resolves when the session with this id ends (for requests written with writeLine). */
  expectSession(
    sessionId: string,
    onInvoke?: (payload: JsonObject) => void,
    tenant = DEFAULT_TENANT,
  ): Promise<SessionResult> {
    const storage = this.storage;
    if (!storage) return this.sessions.expect(sessionId, onInvoke);
    return this.sessions.expect(sessionId, (payload) => {
      const replies = storage.answer(payload, tenant);
      if (!replies) return onInvoke?.(payload);
      for (const reply of replies)
        this.respondBackwards(sessionId, String(payload.backwards_request_id), reply.event, reply.data, reply.message);
    });
  }

  /** Answers a backwards invocation as the daemon does. */
  respondBackwards(
    sessionId: string,
    backwardsRequestId: string,
    event: "response" | "error" | "end",
    data?: JsonObject,
    message = "",
  ): void {
    this.writeLine(JSON.stringify(backwardsResponseMessage(sessionId, backwardsRequestId, event, data, message)));
  }

  waitFor(match: (event: ReceivedEvent) => boolean, timeoutMs = 150_000): Promise<ReceivedEvent> {
    return this.sessions.waitFor(match, timeoutMs, () => `; stderr: ${this.stderr.slice(-2000)}`);
  }

  /** Resolves once stderr holds `text` `times` times (stderr is its own pipe: it can come after the stdout lines). */
  async waitForStderr(text: string, times = 1): Promise<void> {
    await eventually(
      () => this.stderr.split(text).length - 1,
      (seen) => seen >= times,
    );
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
    const bytes = Buffer.byteLength(line);
    if (bytes > this.maxLineBytes) this.maxLineBytes = bytes;
    let event: ReceivedEvent;
    try {
      event = JSON.parse(line) as ReceivedEvent;
    } catch {
      this.strayLines.push(line);
      return;
    }
    if (typeof event !== "object" || event === null || typeof event.event !== "string") {
      if (
        !this.configuration &&
        this.events.length === 0 &&
        typeof event === "object" &&
        event !== null &&
        "meta" in event
      ) {
        this.configuration = event as unknown as JsonObject;
      } else this.strayLines.push(line);
      return;
    }
    this.sessions.receive(event);
  }
}

/**
 * Polls `probe` until `check` holds and returns that value. `timeoutMs` only
 * bounds a broken test (it fails with the last value); it is never the event.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 150_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let value = await probe();
  while (!check(value)) {
    if (performance.now() > deadline)
      throw new Error(
        `condition not reached within ${timeoutMs} ms; last value: ${JSON.stringify(value)?.slice(0, 500)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await probe();
  }
  return value;
}
