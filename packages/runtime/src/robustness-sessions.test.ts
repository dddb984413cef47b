/**
 * Concurrency and failure isolation, each scenario on one plugin process with
 * pipelined writes: 1,000 concurrent sessions get exactly their own messages in
 * order and one end each; a throwing and a hanging tool fail cleanly (the
 * hanging one by MAX_REQUEST_TIMEOUT) while the others are unaffected.
 */
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { invokeToolRequest, requestLine, type JsonObject } from "@dify-ts/protocol";
import { reassemble, type PluginProcess } from "@dify-ts/host";
import { spawnTypeScriptPlugin } from "@dify-ts/test-support";

const entry = fileURLToPath(new URL("./__fixtures__/main.ts", import.meta.url));
const credentials = { api_key: "sk-sessions-secret-111" };
let plugin: PluginProcess | undefined;

afterEach(() => plugin?.kill());

const toolLine = (sessionId: string, tool: string, tool_parameters: JsonObject) =>
  requestLine(sessionId, invokeToolRequest({ provider: "fixture", tool, credentials, tool_parameters }));

describe("concurrent sessions", () => {
  it("gives each of 1,000 concurrent sessions exactly its own messages, in order, and one end", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    const ids = Array.from({ length: 1000 }, (_, i) => `c${i}`);
    const results = ids.map((id) => plugin!.expectSession(id));
    plugin.child.stdin.write(
      ids.map((id, i) => toolLine(id, "sequence", { tag: id, count: 5 + (i % 11) })).join("\n") + "\n",
    );
    const finished = await Promise.all(results);
    finished.forEach((result, i) => {
      expect(result.error).toBeUndefined();
      expect(reassemble(result.stream).texts).toEqual(Array.from({ length: 5 + (i % 11) }, (_, n) => `c${i}:${n}`));
    });
    const sessions = plugin.sessions;
    expect(sessions.violations).toEqual([]);
    expect(sessions.endCounts.size).toBe(1000);
    expect([...sessions.endCounts.values()].every((count) => count === 1)).toBe(true);
    // They really ran at the same time: many sessions were open at once on the wire.
    const open = new Set<string>();
    let mostOpen = 0;
    for (const event of sessions.events) {
      if (event.event !== "session" || !event.session_id) continue;
      if ((event.data as JsonObject).type === "end") open.delete(event.session_id);
      else open.add(event.session_id);
      mostOpen = Math.max(mostOpen, open.size);
    }
    expect(mostOpen).toBeGreaterThan(100);
  });

  it("fails a throwing and a hanging tool cleanly while the other sessions are unaffected", async () => {
    plugin = spawnTypeScriptPlugin(entry, { MAX_REQUEST_TIMEOUT: "1" });
    const started = performance.now();
    const hang = plugin.expectSession("hang");
    const fail = plugin.expectSession("fail");
    const others = Array.from({ length: 50 }, (_, i) => plugin!.expectSession(`ok-${i}`));
    const lines = [toolLine("hang", "hang", {}), toolLine("fail", "fail", {})];
    for (let i = 0; i < 50; i++)
      lines.push(i % 2 ? toolLine(`ok-${i}`, "echo", { text: `ok ${i}` }) : toolLine(`ok-${i}`, "sleep", { ms: 200 }));
    plugin.child.stdin.write(lines.join("\n") + "\n");

    const failed = await fail;
    expect(failed.error).toEqual({
      error_type: "Error",
      message: "boom with key [REDACTED]",
      args: { traceback: expect.any(String) },
    });
    const done = await Promise.all(others);
    done.forEach((result, i) => expect(reassemble(result.stream).text).toBe(i % 2 ? `ok ${i}` : "slept 200"));
    const hung = await hang;
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(hung.error).toEqual({
      error_type: "TimeoutError",
      message: "the request exceeded MAX_REQUEST_TIMEOUT (1 s) and was stopped",
      args: { traceback: expect.any(String) },
    });
    expect(hung.stream).toEqual([]);

    // Still serving, and nothing leaked.
    const after = await plugin.request({
      type: "tool",
      action: "invoke_tool",
      provider: "fixture",
      tool: "echo",
      credentials,
      tool_parameters: { text: "after" },
    });
    expect(reassemble(after.stream).text).toBe("after");
    expect(plugin.sessions.violations).toEqual([]);
    expect([...plugin.sessions.endCounts.values()].every((count) => count === 1)).toBe(true);
    expect(JSON.stringify(plugin.events)).not.toContain(credentials.api_key);
  });
});
