/** The dispatcher in process, over a linked in-memory transport pair: guarantees no stand-alone piece can check. */
import { describe, expect, it } from "vitest";
import { defineProvider, definePlugin } from "./definitions.js";
import { Dispatcher } from "./dispatcher.js";
import { json } from "./messages.js";
import { MAX_LINE_BYTES, type JsonObject } from "@dify-ts/protocol";
import { SessionCollector, type ReceivedEvent } from "@dify-ts/host";
import { InMemoryTransport } from "./transport/in-memory.js";

const l = (en: string) => ({ en_US: en, zh_Hans: en });
const provider = defineProvider({
  identity: { name: "p", label: l("P"), description: l("P"), icon: "icon.svg", tags: ["utilities"] },
  credentials: {},
});
const nearLimit = provider.defineTool({
  identity: { name: "near_limit", label: l("Near limit") },
  description: { human: l("A json message just under the per-message budget"), llm: "x" },
  parameters: {},
  async handler() {
    return json({ pad: "p".repeat(MAX_LINE_BYTES - 4096 - 200) });
  },
});
const plugin = definePlugin({
  manifest: { author: "a", name: "p", version: "0.0.1", label: l("P"), description: l("P"), icon: "icon.svg", created_at: "2026-01-01T00:00:00Z", tags: [], resource: { memory: 1 } },
  provider,
  tools: [nearLimit],
});

function connect() {
  const [pluginSide, daemonSide] = InMemoryTransport.createLinkedPair();
  new Dispatcher(plugin, pluginSide, { maxRequestTimeout: 10, maxInvocationTimeout: 10 }).connect();
  const sessions = new SessionCollector();
  daemonSide.onmessage = (line) => sessions.receive(JSON.parse(line) as ReceivedEvent);
  return { sessions, sent: pluginSide.sent, request: (sessionId: string, data: JsonObject) => daemonSide.send(JSON.stringify({ session_id: sessionId, event: "request", data })) };
}

describe("Dispatcher", () => {
  it("fails a session rather than write a line over 5 MiB, even when the session id makes it long", async () => {
    const { sessions, sent, request } = connect();
    const longId = `s-${"x".repeat(8000)}`;
    const done = sessions.expect(longId);
    await request(longId, { type: "tool", action: "invoke_tool", provider: "p", tool: "near_limit", tool_parameters: {} });
    const result = await done;
    expect(result.stream).toEqual([]);
    expect(result.error?.error_type).toBe("MessageTooLargeError");
    expect(result.error?.message).toMatch(/^a session stream message of \d+ bytes exceeds the daemon's 5242880-byte line limit/);
    expect(Math.max(...sent.map(({ line }) => Buffer.byteLength(line)))).toBeLessThan(MAX_LINE_BYTES);
    // With a daemon-sized id the same message fits.
    const fits = await (() => {
      const pending = sessions.expect("short");
      void request("short", { type: "tool", action: "invoke_tool", provider: "p", tool: "near_limit", tool_parameters: {} });
      return pending;
    })();
    expect(fits.error).toBeUndefined();
    expect(fits.stream).toHaveLength(1);
  });

  it("routes each line of a session with its session id and marks only the end as final", async () => {
    const { sessions, sent, request } = connect();
    const done = sessions.expect("r1");
    await request("r1", { type: "tool", action: "invoke_tool", provider: "p", tool: "missing", tool_parameters: {} });
    await done;
    const routes = sent.filter(({ route }) => route?.sessionId === "r1").map(({ line, route }) => [JSON.parse(line).data.type, Boolean(route?.final)]);
    expect(routes).toEqual([["error", false], ["end", true]]);
  });
});
