import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import fixture from "./__fixtures__/fixture-plugin.js";
import { manifestDeclaration, toolDeclaration } from "./declarations.js";
import { StandInDaemon } from "@dify-ts/host";
import { reassemble, type PluginProcess } from "@dify-ts/host";
import { spawnTypeScriptPlugin } from "@dify-ts/test-support";

const entry = fileURLToPath(new URL("./__fixtures__/main.ts", import.meta.url));
const credentials = { api_key: "sk-tcp-secret-456" };
const key = "debug-key-0123456789";
let plugin: PluginProcess | undefined;
let daemon: StandInDaemon | undefined;

afterEach(async () => {
  plugin?.kill();
  await daemon?.stop();
  plugin = daemon = undefined;
});

/** A working directory whose icon is 20,000 bytes, so it travels in three asset chunks. */
function workingDirectory(): { cwd: string; icon: Buffer } {
  const cwd = mkdtempSync(join(tmpdir(), "dify-remote-"));
  mkdirSync(join(cwd, "_assets"));
  const icon = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg">${"<!-- padding -->".repeat(1248)}</svg>`.slice(0, 20_000),
  );
  writeFileSync(join(cwd, "_assets", "icon.svg"), icon);
  return { cwd, icon };
}

function remoteEnvironment(port: number, remoteKey = key): Record<string, string> {
  return {
    INSTALL_METHOD: "remote",
    REMOTE_INSTALL_HOST: "127.0.0.1",
    REMOTE_INSTALL_PORT: String(port),
    REMOTE_INSTALL_KEY: remoteKey,
    HEARTBEAT_INTERVAL: "0.2",
  };
}

describe("remote debugging over TCP", () => {
  it("registers as the daemon checks it, serves requests, and registers again after the daemon restarts", async () => {
    daemon = await StandInDaemon.start(key);
    const { cwd, icon } = workingDirectory();
    plugin = spawnTypeScriptPlugin(entry, remoteEnvironment(daemon.port), cwd);

    const first = await daemon.registration(1);
    expect(first.problems).toEqual([]);
    expect(first.key).toBe(key);
    expect(first.order).toEqual([
      "handshake",
      "manifest_declaration",
      "tool_declaration",
      "asset_chunk",
      "asset_chunk",
      "asset_chunk",
      "end",
    ]);
    expect(first.manifest).toEqual(manifestDeclaration(fixture));
    expect(first.tools).toEqual([toolDeclaration(fixture)]);
    expect(first.chunks.get("icon.svg")).toEqual([
      { bytes: 8192, end: false },
      { bytes: 8192, end: false },
      { bytes: 3616, end: true },
    ]);
    expect(first.assets.get("icon.svg")!.equals(icon)).toBe(true);

    await daemon.waitFor((event) => event.event === "heartbeat", 10_000);
    const echo = await daemon.request({
      type: "tool",
      action: "invoke_tool",
      provider: "fixture",
      tool: "echo",
      credentials,
      tool_parameters: { text: "over tcp" },
    });
    expect(echo.stream).toEqual([{ type: "text", message: { text: "over tcp" }, meta: null }]);
    const messages = await daemon.request({
      type: "tool",
      action: "invoke_tool",
      provider: "fixture",
      tool: "messages",
      credentials,
      tool_parameters: { blob_bytes: 30_000 },
    });
    expect(reassemble(messages.stream).blobs[0]!.data.length).toBe(30_000);
    const failed = await daemon.request({
      type: "tool",
      action: "invoke_tool",
      provider: "fixture",
      tool: "fail",
      credentials,
      tool_parameters: {},
    });
    expect(failed.error).toEqual({
      error_type: "Error",
      message: "boom with key [REDACTED]",
      args: { traceback: expect.any(String) },
    });
    const sessionId = "tcp-backwards";
    const stored = await daemon.request(
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
          daemon!.respondBackwards(sessionId, String(payload.backwards_request_id), "response", {
            data: Buffer.from("from tcp").toString("hex"),
          });
          daemon!.respondBackwards(sessionId, String(payload.backwards_request_id), "end");
        },
      },
    );
    expect(reassemble(stored.stream).text).toBe("value=from tcp");

    // A session still running when the connection drops is aborted: nobody can read its output.
    void daemon.request({
      type: "tool",
      action: "invoke_tool",
      provider: "fixture",
      tool: "hang",
      credentials,
      tool_parameters: {},
    });
    await plugin.waitForStderr("hang started");
    // The daemon restarts on the same port: the plugin reconnects with backoff and registers again.
    const reconnects = plugin.stderr.split("reconnecting in").length - 1;
    await daemon.stop();
    await plugin.waitForStderr("reconnecting in", reconnects + 1);
    await daemon.listen();
    const second = await daemon.registration(2);
    expect(second.problems).toEqual([]);
    expect(second.order[0]).toBe("handshake");
    expect(second.order.at(-1)).toBe("end");
    const again = await daemon.request({
      type: "tool",
      action: "invoke_tool",
      provider: "fixture",
      tool: "echo",
      credentials,
      tool_parameters: { text: "after restart" },
    });
    expect(reassemble(again.stream).text).toBe("after restart");
    expect(plugin.stderr).toMatch(/disconnected from 127\.0\.0\.1:\d+; reconnecting in \d+ ms/);
    expect(plugin.stderr).toMatch(/hang aborted: disconnected from 127\.0\.0\.1:\d+/);
    expect(daemon.sessions.violations).toEqual([]);
    expect(JSON.stringify(daemon.sessions.events)).not.toContain(credentials.api_key);
  });

  it("reports a refused key on stderr and keeps retrying with growing delays, without crashing", async () => {
    daemon = await StandInDaemon.start(key);
    plugin = spawnTypeScriptPlugin(entry, remoteEnvironment(daemon.port, "wrong-key"), workingDirectory().cwd);
    // The third refusal's "reconnecting in" line comes after the third registration.
    await plugin.waitForStderr("reconnecting in", 3);
    expect(daemon.registrations.length).toBeGreaterThanOrEqual(3);
    expect(
      daemon.registrations.every((registration) => !registration.complete && registration.key === "wrong-key"),
    ).toBe(true);
    expect(plugin.stderr).toContain("refused the plugin: handshake failed, invalid key");
    const delays = [...plugin.stderr.matchAll(/reconnecting in (\d+) ms/g)].map((match) => Number(match[1]));
    expect(delays.slice(0, 3)).toEqual([500, 1000, 2000]);
    expect(plugin.child.exitCode).toBeNull();
  });

  it("names the missing key before connecting", async () => {
    plugin = spawnTypeScriptPlugin(entry, { INSTALL_METHOD: "remote", REMOTE_INSTALL_PORT: "1" });
    const exit = await plugin.exited;
    expect(exit.code).not.toBe(0);
    expect(plugin.stderr).toContain("REMOTE_INSTALL_KEY is required for INSTALL_METHOD=remote");
  });
});
