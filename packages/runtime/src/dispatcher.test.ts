/** The dispatcher in process, over a linked in-memory transport pair: guarantees no stand-alone piece can check. */
import { describe, expect, it } from "vitest";
import { defineProvider, definePlugin, localized } from "./definitions.js";
import { Dispatcher } from "./dispatcher.js";
import { json, text } from "./messages.js";
import { MAX_LINE_BYTES, requestLine, type JsonObject } from "@dify-ts/protocol";
import { eventually, SessionCollector, type ReceivedEvent } from "@dify-ts/host";
import { InMemoryTransport } from "./transport/in-memory.js";

const provider = defineProvider({
  identity: { name: "p", label: localized("P"), description: localized("P"), icon: "icon.svg", tags: ["utilities"] },
  credentials: {},
});
const nearLimit = provider.defineTool({
  identity: { name: "near_limit", label: localized("Near limit") },
  description: { human: localized("A json message just under the per-message budget"), llm: "x" },
  parameters: {},
  async handler() {
    return json({ pad: "p".repeat(MAX_LINE_BYTES - 4096 - 200) });
  },
});
/** Streams until the session stops it; records how far it got and that its cleanup ran. */
const endless = { yielded: 0, cleanedUp: false };
const stream = provider.defineTool({
  identity: { name: "endless", label: localized("Endless") },
  description: { human: localized("Streams text until stopped"), llm: "x" },
  parameters: {},
  async *handler() {
    try {
      for (;;) {
        endless.yielded += 1;
        yield text(`piece ${endless.yielded}`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      endless.cleanedUp = true;
    }
  },
});
/** Waits for its session's signal; records the reason it was given. */
const stopped: { reasons: unknown[] } = { reasons: [] };
const waitForStop = provider.defineTool({
  identity: { name: "wait_for_stop", label: localized("Wait for stop") },
  description: { human: localized("Runs until its session's signal aborts"), llm: "x" },
  parameters: {},
  async handler(_parameters, context) {
    await new Promise<void>((resolve) => context.signal.addEventListener("abort", () => resolve(), { once: true }));
    stopped.reasons.push(context.signal.reason);
    throw context.signal.reason;
  },
});
const plugin = definePlugin({
  manifest: {
    author: "a",
    name: "p",
    version: "0.0.1",
    label: localized("P"),
    description: localized("P"),
    icon: "icon.svg",
    created_at: "2026-01-01T00:00:00Z",
    tags: [],
    resource: { memory: 1 },
  },
  provider,
  tools: [nearLimit, stream, waitForStop],
});

function connect(maxRequestTimeout = 10) {
  const [pluginSide, daemonSide] = InMemoryTransport.createLinkedPair();
  new Dispatcher(plugin, pluginSide, { maxRequestTimeout, maxInvocationTimeout: 10 }).connect();
  const sessions = new SessionCollector();
  daemonSide.onmessage = (line) => sessions.receive(JSON.parse(line) as ReceivedEvent);
  return {
    sessions,
    sent: pluginSide.sent,
    request: (sessionId: string, data: JsonObject) => daemonSide.send(requestLine(sessionId, data)),
  };
}

describe("Dispatcher", () => {
  it("stops a streaming handler at its next message once the session is stopped, and runs its cleanup", async () => {
    const { sessions, request } = connect(0.3);
    const done = sessions.expect("endless");
    await request("endless", {
      type: "tool",
      action: "invoke_tool",
      provider: "p",
      tool: "endless",
      tool_parameters: {},
    });
    const result = await done;
    expect(result.error).toEqual({
      error_type: "TimeoutError",
      message: "the request exceeded MAX_REQUEST_TIMEOUT (0.3 s) and was stopped",
      args: { traceback: expect.any(String) },
    });
    await eventually(() => endless.cleanedUp, Boolean);
    // The message being sent when the session stopped is the last one the handler produced.
    expect(endless.yielded).toBeLessThanOrEqual(result.stream.length + 1);
  });

  it("fails a session rather than write a line over 5 MiB, even when the session id makes it long", async () => {
    const { sessions, sent, request } = connect();
    const longId = `s-${"x".repeat(8000)}`;
    const done = sessions.expect(longId);
    await request(longId, {
      type: "tool",
      action: "invoke_tool",
      provider: "p",
      tool: "near_limit",
      tool_parameters: {},
    });
    const result = await done;
    expect(result.stream).toEqual([]);
    expect(result.error?.error_type).toBe("MessageTooLargeError");
    expect(result.error?.message).toMatch(
      /^a session stream message of \d+ bytes exceeds the daemon's 5242880-byte line limit/,
    );
    expect(Math.max(...sent.map(({ line }) => Buffer.byteLength(line)))).toBeLessThan(MAX_LINE_BYTES);
    // With a daemon-sized id the same message fits.
    const fits = await (() => {
      const pending = sessions.expect("short");
      void request("short", {
        type: "tool",
        action: "invoke_tool",
        provider: "p",
        tool: "near_limit",
        tool_parameters: {},
      });
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
    const routes = sent
      .filter(({ route }) => route?.sessionId === "r1")
      .map(({ line, route }) => [JSON.parse(line).data.type, Boolean(route?.final)]);
    expect(routes).toEqual([
      ["error", false],
      ["end", true],
    ]);
  });

  it("stops every session at its own deadline, sessions started before, during and after another's", async () => {
    const { sessions, request } = connect(0.3);
    const call = (sessionId: string) =>
      request(sessionId, {
        type: "tool",
        action: "invoke_tool",
        provider: "p",
        tool: "wait_for_stop",
        tool_parameters: {},
      });
    const first = sessions.expect("first");
    const second = sessions.expect("second");
    await call("first");
    await call("second");
    const results = [await first, await second];
    // One started after the others had ended: the deadline timer is armed again.
    const later = sessions.expect("later");
    await call("later");
    results.push(await later);
    for (const result of results) {
      expect(result.error).toMatchObject({
        error_type: "TimeoutError",
        message: "the request exceeded MAX_REQUEST_TIMEOUT (0.3 s) and was stopped",
      });
    }
    // Each handler saw the stop through context.signal (made on first use, then aborted with the reason).
    expect(stopped.reasons).toHaveLength(3);
    for (const reason of stopped.reasons) expect((reason as Error).name).toBe("TimeoutError");
  });
});
