/**
 * The process's life around the sessions: heartbeats from the start, graceful
 * SIGTERM (running sessions finish, new ones are refused, the shutdown hook
 * runs, exit 0), logging only through log events with levels, and stray
 * errors reported redacted while the plugin keeps serving.
 */
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { JsonObject } from "@dify-ts/protocol";
import { eventually, reassemble, type PluginProcess, type ReceivedEvent } from "@dify-ts/host";
import { spawnTypeScriptPlugin } from "@dify-ts/test-support";

const entry = fileURLToPath(new URL("./__fixtures__/main.ts", import.meta.url));
const credentials = { api_key: "sk-lifecycle-secret-222" };
let plugin: PluginProcess | undefined;

afterEach(() => plugin?.kill());

const invoke = (tool: string, tool_parameters: JsonObject = {}, sessionId?: string) =>
  plugin!.request(
    { type: "tool", action: "invoke_tool", provider: "fixture", tool, credentials, tool_parameters },
    { sessionId },
  );

const logs = (match: string) =>
  plugin!.events.filter((event) => event.event === "log" && String((event.data as JsonObject).message).includes(match));

describe("heartbeat", () => {
  it("beats once at start, before any request, then every HEARTBEAT_INTERVAL", async () => {
    const spawned = performance.now();
    plugin = spawnTypeScriptPlugin(entry, { HEARTBEAT_INTERVAL: "0.2" });
    const sessions = plugin.sessions;
    const beats = () =>
      sessions.events
        .map((event, i) => ({ event, at: sessions.arrivals[i]! }))
        .filter(({ event }) => event.event === "heartbeat");
    await eventually(beats, (seen) => seen.length >= 6);
    expect(sessions.events[0]).toEqual({ event: "heartbeat", session_id: null, data: {} });
    // Beats are sent at start and then every 200 ms, so the sixth cannot arrive before 5 intervals have passed.
    // Arrival gaps are not asserted: a busy test process can read two beats in one chunk.
    expect(beats()[5]!.at - spawned).toBeGreaterThanOrEqual(5 * 200 - 5);
  });
});

describe("start hook", () => {
  it("runs once after the transport started, logs through the protocol, and its signal aborts at shutdown", async () => {
    plugin = spawnTypeScriptPlugin(entry, {});
    await plugin.waitFor((event) => event.event === "log" && (event.data as JsonObject).message === "fixture started");
    expect(logs("fixture started")).toHaveLength(1);
    expect(plugin.stderr).not.toContain("start signal aborted");
    plugin.kill("SIGTERM");
    expect((await plugin.exited).code).toBe(0);
    expect(plugin.stderr).toContain("fixture start signal aborted: the plugin is shutting down (SIGTERM)");
  });
});

describe("SIGTERM", () => {
  it("finishes running sessions, refuses new ones cleanly, runs the shutdown hook and exits 0", async () => {
    plugin = spawnTypeScriptPlugin(entry, { SHUTDOWN_TIMEOUT: "10" });
    await plugin.waitForHeartbeat();
    const running = [0, 1, 2].map((i) => invoke("sleep", { ms: 800 }, `slow-${i}`));
    await plugin.waitForStderr("sleep 800 started", 3);
    plugin.kill("SIGTERM");
    await plugin.waitFor(
      (event) =>
        event.event === "log" && String((event.data as JsonObject).message).startsWith("shutting down (SIGTERM)"),
    );
    const refused = await invoke("echo", { text: "too late" }, "late");
    expect(refused.error).toEqual({
      error_type: "ShutdownError",
      message: "the plugin is shutting down and takes no new requests",
      args: {},
    });
    for (const session of await Promise.all(running)) expect(reassemble(session.stream).text).toBe("slept 800");
    const exit = await plugin.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(plugin.stderr).toContain("fixture shutdown hook ran");
    expect(logs("3 session(s) running")).toHaveLength(1);
    expect([...plugin.sessions.endCounts.values()].every((count) => count === 1)).toBe(true);
  });

  it("stops sessions that outlast SHUTDOWN_TIMEOUT with a ShutdownError and still exits 0", async () => {
    plugin = spawnTypeScriptPlugin(entry, { SHUTDOWN_TIMEOUT: "0.5" });
    await plugin.waitForHeartbeat();
    const hung = invoke("hang", {}, "hung");
    await plugin.waitForStderr("hang started");
    plugin.kill("SIGTERM");
    expect((await hung).error).toEqual({
      error_type: "ShutdownError",
      message: "the plugin is shutting down and the session did not finish within SHUTDOWN_TIMEOUT (0.5 s)",
      args: { traceback: expect.any(String) },
    });
    expect((await plugin.exited).code).toBe(0);
    expect(plugin.stderr).toContain("fixture shutdown hook ran");
  });
});

describe("logging and stray errors", () => {
  it("logs only through log events, with levels, redacted and bounded in size", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    expect(reassemble((await invoke("logs")).stream).text).toBe("logged");
    const entries = plugin.events.filter(
      (event): event is ReceivedEvent & { data: JsonObject } => event.event === "log",
    );
    const messages = entries.map((event) => [event.data.level, String(event.data.message).slice(0, 60)]);
    expect(messages).toEqual(
      expect.arrayContaining([
        ["INFO", "info [REDACTED]"],
        ["WARNING", "warn [REDACTED]"],
        ["ERROR", "error [REDACTED]: Error: cause [REDACTED]"],
      ]),
    );
    // DEBUG is below the default level.
    expect(messages.some(([, message]) => String(message).startsWith("debug"))).toBe(false);
    expect(entries.every((event) => typeof event.data.timestamp === "number")).toBe(true);
    const long = entries.find((event) => String(event.data.message).startsWith("long "))!;
    expect(String(long.data.message).length).toBeLessThan(70_000);
    expect(String(long.data.message)).toMatch(/\[\d+ more characters cut\]$/);
    expect(JSON.stringify(plugin.events)).not.toContain(credentials.api_key);
    expect(plugin.strayLines).toEqual([]);
  });

  it("reports an uncaught exception and an unhandled rejection redacted, and keeps serving", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    expect(reassemble((await invoke("stray")).stream).text).toBe("scheduled");
    const uncaught = await plugin.waitFor(
      (event) => event.event === "log" && String((event.data as JsonObject).message).startsWith("uncaught exception"),
    );
    const unhandled = await plugin.waitFor(
      (event) => event.event === "log" && String((event.data as JsonObject).message).startsWith("unhandled rejection"),
    );
    expect((uncaught.data as JsonObject).message).toBe("uncaught exception: Error: stray failure with key [REDACTED]");
    expect((unhandled.data as JsonObject).message).toBe(
      "unhandled rejection: Error: stray rejection with key [REDACTED]",
    );
    expect((uncaught.data as JsonObject).level).toBe("ERROR");
    expect(reassemble((await invoke("echo", { text: "alive" })).stream).text).toBe("alive");
    expect(plugin.child.exitCode).toBeNull();
    expect(JSON.stringify(plugin.events)).not.toContain(credentials.api_key);
    expect(plugin.stderr).not.toContain(credentials.api_key);
  });
});
