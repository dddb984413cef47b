/**
 * 10,000 malformed or random lines (random bytes, truncated JSON, huge lines,
 * wrong types, unknown events) interleaved with valid requests, written to one
 * plugin process in one pipelined stream: every valid request is answered,
 * every session that can be named ends exactly once, and the plugin survives.
 */
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { invokeToolRequest, requestLine, requestMessage, type JsonObject, type JsonValue } from "@dify-ts/protocol";
import { reassemble, type PluginProcess, type SessionResult } from "@dify-ts/host";
import { spawnTypeScriptPlugin } from "@dify-ts/test-support";

const entry = fileURLToPath(new URL("./__fixtures__/main.ts", import.meta.url));
const credentials = { api_key: "sk-fuzz-secret-000" };
let plugin: PluginProcess | undefined;

afterAll(() => plugin?.kill());

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const echoRequest = (sessionId: string, text: string): JsonObject =>
  requestMessage(
    sessionId,
    invokeToolRequest({ provider: "fixture", tool: "echo", credentials, tool_parameters: { text } }),
  );

function garbageLines(count: number, next: () => number): Buffer[] {
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
  const wrongValues: JsonValue[] = [null, 42, "text", [], [1, 2], {}, true, { nested: { deep: [] } }];
  const lines: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const id = `bad-${i}`;
    const kind = i % 10;
    let line: Buffer;
    if (kind <= 2) {
      // Random bytes, any value but the newline.
      line = Buffer.from(
        Array.from({ length: 1 + Math.floor(next() * 200) }, () => {
          const byte = Math.floor(next() * 256);
          return byte === 0x0a ? 0x20 : byte;
        }),
      );
    } else if (kind <= 4) {
      const full = JSON.stringify(echoRequest(id, "never served"));
      line = Buffer.from(full.slice(0, 1 + Math.floor(next() * (full.length - 2))));
    } else if (kind === 5) {
      line = Buffer.from(JSON.stringify(pick<JsonValue>([[], 123, "a string", null, true, [{ session_id: id }]])));
    } else if (kind === 6) {
      const request = echoRequest(id, "x");
      const field = pick(["session_id", "event", "data"]);
      const wrong =
        field === "event"
          ? pick<JsonValue>(["invoke", "", "REQUEST", "backwards", "heartbeat"])
          : field === "session_id"
            ? pick<JsonValue>([null, 42, "", [], {}, true])
            : pick(wrongValues);
      (request as Record<string, JsonValue>)[field] = wrong;
      line = Buffer.from(JSON.stringify(request));
    } else if (kind === 7) {
      const request = echoRequest(id, "x");
      const data = request.data as JsonObject;
      const field = pick(["type", "action", "tool", "provider", "tool_parameters", "credentials"]);
      data[field] = pick(wrongValues);
      line = Buffer.from(JSON.stringify(request));
    } else if (kind === 8) {
      // An answer to a backwards call nobody made.
      line = Buffer.from(
        JSON.stringify({
          session_id: id,
          event: "backwards_response",
          data: { backwards_request_id: `nobody-${i}`, event: "response", message: "", data: { x: 1 } },
        }),
      );
    } else {
      line = Buffer.from(JSON.stringify({ session_id: id, event: pick(["unknown", "ping", "request_v2"]), data: {} }));
    }
    lines.push(line);
  }
  return lines;
}

describe("malformed input", () => {
  it("answers every valid request among 10,000 bad lines, ends every named session once, and keeps serving", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    await plugin.waitForHeartbeat();
    const next = random(20260101);
    const lines = garbageLines(10_000, next);
    // Huge lines: two over the 24 MiB input cap, and some large ones under it.
    lines.splice(1234, 0, Buffer.alloc(25 * 1024 * 1024, 0x7b), Buffer.alloc(25 * 1024 * 1024 + 17, 0x41));
    for (let i = 0; i < 10; i++)
      lines.splice(
        Math.floor(next() * lines.length),
        0,
        Buffer.from(
          JSON.stringify({ session_id: `large-${i}`, event: "request", data: { pad: "p".repeat(1024 * 1024) } }),
        ),
      );

    const valid = Array.from({ length: 500 }, (_, i) => `valid-${i}`);
    const answers = valid.map((id) => plugin!.expectSession(id));
    for (const id of valid)
      lines.splice(Math.floor(next() * lines.length), 0, Buffer.from(JSON.stringify(echoRequest(id, `text of ${id}`))));

    // A running session must not be ended by someone else's bad line that names it.
    let slow: Promise<SessionResult> | undefined;
    // It stays open, waiting on a backwards call, until every line has been written: no machine is too slow for that.
    let pendingCall: string | undefined;
    const called = new Promise<void>((resolve) => {
      const slowCall = plugin!.expectSession("running-slow", (payload) => {
        pendingCall = String(payload.backwards_request_id);
        resolve();
      });
      slow = slowCall;
    });
    plugin.writeLine(
      requestLine(
        "running-slow",
        invokeToolRequest({
          provider: "fixture",
          tool: "backwards",
          credentials,
          tool_parameters: { op: "storage_get" },
        }),
      ),
    );
    await called;
    lines.splice(
      5000,
      0,
      Buffer.from('{"session_id":"running-slow","event":"request","data":'),
      Buffer.from(JSON.stringify({ session_id: "running-slow", event: "backwards_response", data: null })),
    );

    const stdin = plugin.child.stdin;
    for (const line of lines) {
      if (!stdin.write(Buffer.concat([line, Buffer.from("\n")])))
        await new Promise((resolve) => stdin.once("drain", resolve));
    }

    // Written after every bad line, so the plugin reads it after them.
    plugin.respondBackwards("running-slow", pendingCall!, "response", {
      data: Buffer.from("still running").toString("hex"),
    });
    plugin.respondBackwards("running-slow", pendingCall!, "end");

    const results = await Promise.all(answers);
    results.forEach((result, i) => {
      expect(result.error).toBeUndefined();
      expect(reassemble(result.stream).text).toBe(`text of valid-${i}`);
    });
    expect(reassemble((await slow!).stream).jsons).toEqual([{ value: "still running" }]);

    const sessions = plugin.sessions;
    expect(sessions.violations).toEqual([]);
    const ends = [...sessions.endCounts.entries()];
    expect(ends.filter(([, count]) => count !== 1)).toEqual([]);
    // Named bad requests got an error of their own; the rest were logged.
    const errors = plugin.events.filter(
      (event) => event.event === "session" && (event.data as JsonObject).type === "error",
    );
    expect(errors.length).toBeGreaterThan(4000);
    const logs = plugin.events.filter((event) => event.event === "log");
    expect(logs.length).toBeGreaterThan(3000);
    expect(logs.some((event) => String((event.data as JsonObject).message).includes("input limit of 24 MiB"))).toBe(
      true,
    );
    expect(plugin.strayLines).toEqual([]);

    const after = await plugin.request(echoRequest("after", "ignored").data as JsonObject);
    expect(reassemble(after.stream).text).toBe("ignored");
    expect(plugin.child.exitCode).toBeNull();
    expect(plugin.stderr).not.toMatch(/Uncaught|FATAL|heap out of memory/);
  });
});
