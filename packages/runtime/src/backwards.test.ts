/**
 * Backwards invocations over stdio, with the harness answering as the daemon
 * does: the invoke message's wire form (as the SDK's runtime.py and
 * invocations/*.py send it), streamed answers, errors, timeouts and the
 * manifest permission gate.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonObject } from "@dify-ts/protocol";
import { reassemble, type PluginProcess, type SessionResult } from "@dify-ts/host";
import { spawnTypeScriptPlugin } from "@dify-ts/test-support";

const entry = fileURLToPath(new URL("./__fixtures__/main.ts", import.meta.url));
const credentials = { api_key: "sk-backwards-secret-333" };
let plugin: PluginProcess;
let restricted: PluginProcess;
let impatient: PluginProcess;

beforeAll(() => {
  plugin = spawnTypeScriptPlugin(entry);
  restricted = spawnTypeScriptPlugin(entry, { FIXTURE_RESTRICTED: "1" });
  impatient = spawnTypeScriptPlugin(entry, { MAX_INVOCATION_TIMEOUT: "0.3" });
});

afterAll(() => {
  for (const process of [plugin, restricted, impatient]) process?.kill();
});

type Respond = (event: "response" | "error" | "end", data?: JsonObject, message?: string) => void;

let counter = 0;
/** Runs the fixture's `backwards` tool; `answer` plays the daemon for each invoke message. */
function call(
  op: string,
  answer: (payload: JsonObject, respond: Respond) => void,
  options: {
    target?: PluginProcess;
    key?: string;
    value?: string;
    envelope?: { app_id?: string; context?: JsonObject };
  } = {},
): Promise<SessionResult> {
  const target = options.target ?? plugin;
  const sessionId = `backwards-${counter++}`;
  return target.request(
    {
      type: "tool",
      action: "invoke_tool",
      provider: "fixture",
      tool: "backwards",
      credentials,
      tool_parameters: { op, key: options.key ?? "k", value: options.value ?? "v" },
    },
    {
      sessionId,
      envelope: options.envelope,
      onInvoke: (payload) =>
        answer(payload, (event, data, message) =>
          target.respondBackwards(sessionId, String(payload.backwards_request_id), event, data, message),
        ),
    },
  );
}

const json = (result: SessionResult) => reassemble(result.stream).jsons[0];

describe("storage", () => {
  it("set sends the value hex-encoded and accepts the daemon's ok", async () => {
    let seen: JsonObject | undefined;
    const result = await call(
      "storage_set",
      (payload, respond) => {
        seen = payload;
        respond("response", { data: "ok" });
        respond("end");
      },
      { key: "greeting", value: "héllo" },
    );
    expect(json(result)).toEqual({ ok: true });
    expect(seen).toEqual({
      type: "storage",
      backwards_request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      request: { opt: "set", key: "greeting", value: Buffer.from("héllo").toString("hex") },
    });
  });

  it("set fails on an unexpected answer, as the SDK does", async () => {
    const result = await call("storage_set", (_payload, respond) => respond("response", { data: "full" }));
    expect(result.error).toEqual({
      error_type: "StorageInvocationError",
      message: 'unexpected data: "full"',
      args: { traceback: expect.any(String) },
    });
  });

  it("get decodes the hex answer; an answer without data means no data", async () => {
    const found = await call("storage_get", (payload, respond) => {
      expect(payload.request).toEqual({ opt: "get", key: "k" });
      respond("response", { data: Buffer.from("stored value").toString("hex") });
      respond("end");
    });
    expect(json(found)).toEqual({ value: "stored value" });
    const missing = await call("storage_get", (_payload, respond) => respond("end"));
    expect(missing.error).toEqual({
      error_type: "StorageInvocationError",
      message: "no data found",
      args: { traceback: expect.any(String) },
    });
  });

  it("exist and delete", async () => {
    const exists = await call("storage_exist", (payload, respond) => {
      expect(payload.request).toEqual({ opt: "exist", key: "k" });
      respond("response", { data: true });
    });
    expect(json(exists)).toEqual({ exists: true });
    const deleted = await call("storage_delete", (payload, respond) => {
      expect(payload.request).toEqual({ opt: "del", key: "k" });
      respond("response", { data: "ok" });
      respond("end");
    });
    expect(json(deleted)).toEqual({ ok: true });
  });
});

describe("tools and models", () => {
  it("invokes a tool with the session's app id and the credential the workflow chose", async () => {
    let seen: JsonObject | undefined;
    const message = { type: "text", message: { text: "12:00" }, meta: null };
    const result = await call(
      "tool",
      (payload, respond) => {
        seen = payload;
        respond("response", message);
        respond("response", { ...message, message: { text: "UTC" } });
        respond("end");
      },
      { envelope: { app_id: "app-1", context: { credentials: { tool_credentials: { time: "cred-9" } } } } },
    );
    expect(seen).toMatchObject({
      type: "tool",
      request: {
        tool_type: "builtin",
        provider: "time",
        tool: "current_time",
        tool_parameters: { timezone: "UTC" },
        app_id: "app-1",
        credential_id: "cred-9",
      },
    });
    expect(json(result)).toEqual({ messages: [message, { ...message, message: { text: "UTC" } }] });
  });

  it("streams llm chunks until the end event", async () => {
    const result = await call("llm", (payload, respond) => {
      expect(payload).toMatchObject({ type: "llm", request: { model: "gpt", stream: true } });
      for (const piece of ["Hel", "lo", "!"])
        respond("response", { model: "gpt", delta: { index: 0, message: { role: "assistant", content: piece } } });
      respond("end");
    });
    expect(reassemble(result.stream).text).toBe("Hello!");
  });
});

describe("failures", () => {
  it("turns the daemon's error event into a session error with its message", async () => {
    const result = await call("llm", (_payload, respond) =>
      respond("error", undefined, "quota exceeded for model gpt"),
    );
    expect(result.error).toEqual({
      error_type: "BackwardsInvocationError",
      message: "llm invocation failed: quota exceeded for model gpt",
      args: { traceback: expect.any(String) },
    });
  });

  it("gives up after MAX_INVOCATION_TIMEOUT without an answer", async () => {
    const result = await call("storage_get", () => {}, { target: impatient });
    expect(result.invokes).toHaveLength(1);
    expect(result.error).toEqual({
      error_type: "BackwardsInvocationTimeout",
      message: "storage invocation got no response within 0.3 s (MAX_INVOCATION_TIMEOUT)",
      args: { traceback: expect.any(String) },
    });
  });

  it("refuses a call the manifest does not permit, before anything is sent", async () => {
    for (const op of ["storage_get", "tool", "llm"]) {
      const result = await call(op, () => {}, { target: restricted });
      expect(result.invokes).toEqual([]);
      expect(result.error?.error_type).toBe("PermissionDenied");
    }
    const storage = await call("storage_set", () => {}, { target: restricted });
    expect(storage.error?.message).toBe(
      'backwards invocation "storage" is not permitted: declare resource.permission.storage.enabled in the plugin manifest',
    );
    const llm = await call("llm", () => {}, { target: restricted });
    expect(llm.error?.message).toBe(
      'backwards invocation "llm" is not permitted: declare resource.permission.model.enabled and model.llm in the plugin manifest',
    );
  });
});
