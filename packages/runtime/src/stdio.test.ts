import { afterEach, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { invokeToolRequest, requestLine, type JsonObject } from "@dify-ts/protocol";
import { reassemble, type PluginProcess } from "@dify-ts/host";
import { spawnTypeScriptPlugin } from "@dify-ts/test-support";

const entry = fileURLToPath(new URL("./__fixtures__/main.ts", import.meta.url));
const credentials = { api_key: "sk-test-secret-123", region: "eu-west-1" };
let plugin: PluginProcess;

afterEach(async () => {
  plugin?.kill();
});

const invoke = (tool: string, tool_parameters: JsonObject = {}) =>
  plugin.request({
    type: "tool",
    action: "invoke_tool",
    provider: "fixture",
    tool,
    credentials,
    tool_parameters,
    user_id: "u1",
  });

describe("stdio transport", () => {
  it("heartbeats at start and answers a tool call", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    await plugin.waitForHeartbeat();
    const result = await invoke("echo", { text: "hello" });
    expect(result.error).toBeUndefined();
    expect(result.stream).toEqual([{ type: "text", message: { text: "hello" }, meta: null }]);
  });

  it("emits every message kind in the SDK's wire form", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    const result = await invoke("messages", { blob_bytes: 20000 });
    const seen = reassemble(result.stream);
    expect(seen.text).toBe("xxxxx");
    expect(seen.jsons).toEqual([{ region: "eu-west-1", user: "u1" }]);
    expect(seen.links).toEqual(["https://example.com/a"]);
    expect(seen.images).toEqual(["https://example.com/a.png"]);
    expect(seen.blobs).toHaveLength(1);
    expect(seen.blobs[0]!.data.length).toBe(20000);
    expect(seen.blobs[0]!.meta).toEqual({ mime_type: "application/octet-stream", filename: "data.bin" });
    const chunks = result.stream.filter((m) => m.type === "blob_chunk");
    expect(chunks.map((c) => (c.message as { sequence: number }).sequence)).toEqual([0, 1, 2, 3]);
    expect((chunks.at(-1)!.message as { end: boolean; blob: string }).end).toBe(true);
    expect(seen.variables).toEqual({ answer: 42, story: "once upon" });
    expect(seen.logs[0]).toMatchObject({ label: "step", status: "success", data: { ok: true } });
  });

  it("answers credential validation as the SDK does", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    const ok = await plugin.request({
      type: "tool",
      action: "validate_tool_credentials",
      provider: "fixture",
      credentials,
    });
    expect(ok.stream).toEqual([{ result: true }]);
    const bad = await plugin.request({
      type: "tool",
      action: "validate_tool_credentials",
      provider: "fixture",
      credentials: { api_key: "bad" },
    });
    expect(bad.error).toEqual({
      error_type: "ToolProviderCredentialValidationError",
      message: "the API key was rejected",
      args: { traceback: expect.any(String) },
    });
  });

  it("fails a throwing tool cleanly, with the secret redacted, and keeps serving", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    const failed = await invoke("fail");
    expect(failed.error?.error_type).toBe("Error");
    expect(failed.error?.message).toBe("boom with key [REDACTED]");
    expect(JSON.stringify(plugin.events)).not.toContain(credentials.api_key);
    const withSecret = await invoke("fail", { secret: "param-secret-xyz" });
    expect(withSecret.error?.message).toBe("boom with key [REDACTED] and [REDACTED]");
    const after = await invoke("echo", { text: "still here" });
    expect(after.stream).toHaveLength(1);
  });

  it("rejects invalid parameters before the handler, naming the parameter", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    const result = await invoke("kinds", { s: "x", n: 99, choice: "z" });
    expect(result.error?.error_type).toBe("ToolParameterValidationError");
    expect(result.error?.message).toContain('parameter "n" must be at most 10; got 99');
    expect(result.error?.message).toContain('parameter "choice" must be one of "a", "b"');
  });

  it("answers malformed lines and unknown actions without dying", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    await plugin.waitForHeartbeat();
    plugin.writeLine("this is not json");
    const unknown = await plugin.request({ type: "tool", action: "nope", provider: "fixture" });
    expect(unknown.error?.error_type).toBe("UnsupportedRequestError");
    const bad = plugin.expectSession("s-broken");
    plugin.writeLine('{"session_id":"s-broken","event":"request","data":');
    expect((await bad).error?.error_type).toBe("InvalidRequestError");
    const log = await plugin.waitFor(
      (event) => event.event === "log" && JSON.stringify(event.data).includes("not JSON"),
    );
    expect(log.session_id).toBeNull();
    expect((await invoke("echo", { text: "ok" })).stream).toHaveLength(1);
  });

  it("answers backwards invocations through the daemon", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    const sessionId = "s-storage";
    const result = plugin.request(
      {
        type: "tool",
        action: "invoke_tool",
        provider: "fixture",
        tool: "storage",
        credentials,
        tool_parameters: { key: "k" },
      },
      {
        sessionId,
        onInvoke: (payload) => {
          expect(payload).toMatchObject({ type: "storage", request: { opt: "get", key: "k" } });
          const id = String(payload.backwards_request_id);
          plugin.respondBackwards(sessionId, id, "response", { data: Buffer.from("v1").toString("hex") });
          plugin.respondBackwards(sessionId, id, "end");
        },
      },
    );
    expect(reassemble((await result).stream).text).toBe("value=v1");
  });

  it("exits 0 when stdin closes, after running sessions finish", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    const slow = invoke("sleep", { ms: 300 });
    await plugin.waitFor((event) => event.event === "heartbeat");
    const exit = plugin.close();
    expect(reassemble((await slow).stream).text).toBe("slept 300");
    expect((await exit).code).toBe(0);
  });

  it("keeps stray console output off stdout", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    expect(reassemble((await invoke("noisy")).stream).text).toBe("printed");
    expect(plugin.strayLines).toHaveLength(0);
    await plugin.waitForStderr("a dependency printing to stdout");
    expect(plugin.configuration).toMatchObject({ name: "fixture", meta: { runner: { language: "python" } } });
  });

  it("redacts credentials, registered derived secrets and URL userinfo in everything the plugin writes to stdout and stderr", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    const answered = await invoke("leaky", { derived: "derived-canary-9876" });
    expect(reassemble(answered.stream).text).toBe("leaked nothing");
    await plugin.waitForStderr("across writes");
    await plugin.waitForStderr("derived=");
    expect(plugin.stderr).toContain("Bearer [REDACTED]");
    expect(plugin.stderr).toContain("http://[REDACTED]@127.0.0.1:1/v1");
    expect(plugin.stderr).toContain("split [REDACTED] across writes");
    await plugin.waitForStderr("across turns", 2);
    expect(plugin.stderr).toContain("split [REDACTED] across turns");
    expect(plugin.stderr).toContain(" [REDACTED] after a long line");
    expect(plugin.stderr).toContain("in a URL http://[REDACTED]@127.0.0.1:1/v1 across turns");
    expect(plugin.stderr).not.toContain("-unregistered");
    for (const secret of [credentials.api_key, "derived-canary-9876"]) {
      expect(plugin.stderr).not.toContain(secret);
      expect(JSON.stringify(plugin.events)).not.toContain(secret);
    }
  });

  it("answers get_tool_runtime_parameters, and names a tool without them", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    const request = { type: "tool", action: "get_tool_runtime_parameters", provider: "fixture", credentials };
    const answered = await plugin.request({ ...request, tool: "dynamic" });
    expect(answered.stream).toEqual([
      {
        parameters: [
          {
            name: "bucket",
            type: "select",
            options: [{ value: "eu-west-1-bucket", label: { en_US: "eu-west-1 bucket", zh_Hans: "eu-west-1 bucket" } }],
          },
        ],
      },
    ]);
    const refused = await plugin.request({ ...request, tool: "echo" });
    expect(refused.error).toEqual({
      error_type: "ValueError",
      message: "Tool `echo` does not implement runtime parameters",
      args: { traceback: expect.any(String) },
    });
  });

  it("names an unknown provider or tool, and fails missing credentials like a rejected key", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    const provider = await plugin.request({
      type: "tool",
      action: "invoke_tool",
      provider: "other",
      tool: "echo",
      credentials,
      tool_parameters: { text: "x" },
    });
    expect(provider.error).toEqual({
      error_type: "ValueError",
      message: "Provider `other` not found",
      args: { traceback: expect.any(String) },
    });
    const tool = await plugin.request({
      type: "tool",
      action: "invoke_tool",
      provider: "fixture",
      tool: "nope",
      credentials,
      tool_parameters: {},
    });
    expect(tool.error).toEqual({
      error_type: "ValueError",
      message: "Tool `nope` not found for provider `fixture`",
      args: { traceback: expect.any(String) },
    });
    const missing = await plugin.request({
      type: "tool",
      action: "validate_tool_credentials",
      provider: "fixture",
      credentials: {},
    });
    expect(missing.error).toEqual({
      error_type: "ToolProviderCredentialValidationError",
      message: 'credential "api_key" is required: set API key in the plugin\'s credentials',
      args: { traceback: expect.any(String) },
    });
  });

  it("ignores a second request for a session that is still running, so it still ends once", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    const line = requestLine(
      "twice",
      invokeToolRequest({ provider: "fixture", tool: "sleep", credentials, tool_parameters: { ms: 200 } }),
    );
    const done = plugin.expectSession("twice");
    plugin.writeLine(line);
    plugin.writeLine(line);
    expect(reassemble((await done).stream).text).toBe("slept 200");
    await plugin.waitFor(
      (event) =>
        event.event === "log" &&
        JSON.stringify(event.data).includes("duplicate request for running session twice ignored"),
    );
    // Had the duplicate run, its 200 ms timer started before this one's and fires first: once this session ends,
    // a second end of "twice" would already be on the wire.
    expect(reassemble((await invoke("sleep", { ms: 200 })).stream).text).toBe("slept 200");
    expect(plugin.sessions.endCounts.get("twice")).toBe(1);
  });
});
