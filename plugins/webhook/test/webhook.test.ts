/**
 * The example endpoint plugin over all three transports, as the daemon drives each: stdio (an installed plugin),
 * TCP remote debugging (the stand-in daemon: registration with endpoint_declaration, then requests) and serverless
 * HTTP (POST /invoke streaming the session back).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invokePlugin } from "@dify-ts/cli";
import { eventually, SessionCollector, StandInDaemon, type PluginProcess, type ReceivedEvent } from "@dify-ts/host";
import { requestLine, type JsonObject } from "@dify-ts/protocol";
import { endpointDeclaration, manifestDeclaration } from "@dify-ts/runtime";
import { spawnTypeScriptPlugin } from "@dify-ts/test-support";
import plugin, { endpoints } from "../src/plugin.js";
import { sign } from "../src/signature.js";
import { delivery, endpointRequest, pluginEntry, pluginRoot, responseOf, secret } from "./support.js";

describe("over stdio", () => {
  let process: PluginProcess;
  beforeAll(() => {
    process = spawnTypeScriptPlugin(pluginEntry, {}, pluginRoot);
  });
  afterAll(() => process.kill());

  it("accepts a delivery with the right signature and answers JSON", async () => {
    const payload = { ref: "main", commits: [] };
    const result = await process.request(delivery(payload));
    expect(result.error).toBeUndefined();
    const response = responseOf(result.stream);
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.text)).toEqual({
      accepted: true,
      event: "push",
      delivery: "d-1",
      bytes: Buffer.byteLength(JSON.stringify(payload)),
      keys: ["commits", "ref"],
    });
    // A body that fits one chunk travels in one message: status, headers and body, as the SDK sends a plain Response.
    expect(result.stream).toHaveLength(1);
  });

  it("reads the largest body the daemon forwards (10 MiB, 20 MiB as hex on the line)", async () => {
    const payload = { blob: "x".repeat(10 * 1024 * 1024 - 20) };
    const response = responseOf((await process.request(delivery(payload))).stream);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).bytes).toBe(Buffer.byteLength(JSON.stringify(payload)));
  });

  it("refuses a wrong signature with 401 and never shows the secret", async () => {
    const response = responseOf((await process.request(delivery({ ref: "main" }, "not-the-secret"))).stream);
    expect(response.status).toBe(401);
    expect(JSON.parse(response.text).error).toMatch(/x-hub-signature-256/);
    expect(JSON.stringify(process.events) + process.stderr).not.toContain(secret);
  });

  it("streams Server-Sent Events: the events ready at once go out with status and headers in one message", async () => {
    const result = await process.request(endpointRequest({ method: "GET", target: "/events/5" }));
    // A real daemon drops the later messages of a session that has already ended, so a fast stream goes out whole.
    expect(result.stream).toHaveLength(1);
    expect(Object.keys(result.stream[0]!).sort()).toEqual(["headers", "result", "status"]);
    const response = responseOf(result.stream);
    expect(response.headers["content-type"]).toBe("text/event-stream");
    expect(response.text.match(/^event: tick$/gm)).toHaveLength(5);
    expect(response.text).toContain('data: {"n":5,"of":5}');
  });

  it("matches werkzeug: an unknown path and a wrong method answer 404 with its text; path values are typed by converter", async () => {
    const missing = responseOf((await process.request(endpointRequest({ method: "GET", target: "/nope" }))).stream);
    expect(missing.status).toBe(404);
    expect(missing.text).toMatch(/^Failed to dispatch endpoint request: 404 Not Found/);
    const method = responseOf((await process.request(endpointRequest({ method: "GET", target: "/webhook" }))).stream);
    expect(method.status).toBe(404);
    expect(method.text).toMatch(/405 Method Not Allowed/);
    const notInt = responseOf((await process.request(endpointRequest({ method: "GET", target: "/events/x" }))).stream);
    expect(notInt.status).toBe(404);
    const hidden = responseOf((await process.request(endpointRequest({ method: "GET", target: "/health" }))).stream);
    expect(JSON.parse(hidden.text)).toEqual({ ok: true });
  });

  it("fails the session (not the HTTP answer) when a required setting is missing or the raw request is not HTTP", async () => {
    const noSecret = await process.request({ ...delivery({}), settings: {} });
    expect(noSecret.error?.error_type).toBe("EndpointSettingsValidationError");
    expect(noSecret.error?.message).toMatch(/signing_secret/);
    const garbage = await process.request({ ...delivery({}), raw_http_request: Buffer.from("hello").toString("hex") });
    expect(garbage.error).toMatchObject({ error_type: "ValueError" });
    expect(garbage.error!.message).toMatch(/invalid raw_http_request: Invalid HTTP request line/);
    expect(process.strayLines).toEqual([]);
  });
});

describe("over TCP remote debugging", () => {
  const key = "debug-key-webhook-0001";
  let daemon: StandInDaemon;
  let process: PluginProcess;
  afterAll(async () => {
    process?.kill();
    await daemon?.stop();
  });

  it("registers the endpoint group (no tool declaration) and serves requests", async () => {
    daemon = await StandInDaemon.start(key);
    process = spawnTypeScriptPlugin(
      pluginEntry,
      {
        INSTALL_METHOD: "remote",
        REMOTE_INSTALL_HOST: "127.0.0.1",
        REMOTE_INSTALL_PORT: String(daemon.port),
        REMOTE_INSTALL_KEY: key,
      },
      pluginRoot,
    );
    const registration = await daemon.registration(1);
    expect(registration.problems).toEqual([]);
    expect(registration.order).toEqual([
      "handshake",
      "manifest_declaration",
      "endpoint_declaration",
      "asset_chunk",
      "end",
    ]);
    expect(registration.manifest).toEqual(manifestDeclaration(plugin));
    expect((registration.manifest!.plugins as JsonObject).endpoints).toEqual(["group/webhook.yaml"]);
    expect(registration.endpoints).toEqual([endpointDeclaration(endpoints)]);
    expect(registration.endpoints![0]!.endpoints).toEqual([
      { path: "/webhook", method: "POST", hidden: false },
      { path: "/events/<int:count>", method: "GET", hidden: false },
      { path: "/health", method: "GET", hidden: true },
    ]);

    const accepted = responseOf((await daemon.request(delivery({ ok: 1 }))).stream);
    expect(accepted.status).toBe(200);
    expect(JSON.parse(accepted.text).accepted).toBe(true);
    const events = responseOf((await daemon.request(endpointRequest({ method: "GET", target: "/events/3" }))).stream);
    expect(events.text.match(/^event: tick$/gm)).toHaveLength(3);
  });
});

describe("over serverless HTTP", () => {
  let process: PluginProcess;
  let base: string;
  beforeAll(async () => {
    process = spawnTypeScriptPlugin(
      pluginEntry,
      { INSTALL_METHOD: "serverless", SERVERLESS_HOST: "127.0.0.1", SERVERLESS_PORT: "0" },
      pluginRoot,
    );
    const banner = await eventually(
      () => process.strayLines.find((line) => line.startsWith("* Running on http://")),
      Boolean,
    );
    base = `http://127.0.0.1:${/:(\d+)$/.exec(banner!)![1]}`;
  });
  afterAll(() => process.kill());

  /** POSTs the request line to /invoke as the daemon does and collects the session from the streamed answer. */
  async function invoke(data: JsonObject) {
    const sessionId = crypto.randomUUID();
    const response = await fetch(`${base}/invoke?action=invoke_endpoint`, {
      method: "POST",
      headers: { "content-type": "application/json", "dify-plugin-session-id": sessionId },
      body: requestLine(sessionId, data),
    });
    const sessions = new SessionCollector();
    const done = sessions.expect(sessionId);
    for (const line of (await response.text()).split("\n").filter((text) => text.trim()))
      sessions.receive(JSON.parse(line) as ReceivedEvent);
    return { result: await done, sessions };
  }

  it("answers a signed delivery and streams events, each session ended once", async () => {
    const accepted = await invoke(delivery({ hello: "world" }));
    expect(responseOf(accepted.result.stream).status).toBe(200);
    const refused = await invoke(delivery({ hello: "world" }, "wrong"));
    expect(responseOf(refused.result.stream).status).toBe(401);
    const events = await invoke(endpointRequest({ method: "GET", target: "/events/4" }));
    expect(events.result.stream).toHaveLength(1);
    expect(responseOf(events.result.stream).text.match(/^event: tick$/gm)).toHaveLength(4);
    for (const { sessions } of [accepted, refused, events]) {
      expect([...sessions.endCounts.values()]).toEqual([1]);
      expect(sessions.violations).toEqual([]);
    }
  });
});

describe("with dify-ts invoke", () => {
  it("sends an HTTP request to the source plugin and prints the response, the secret setting masked", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const body = JSON.stringify({ leak: secret });
    const code = await invokePlugin(
      pluginRoot,
      {
        endpoint: {
          method: "POST",
          target: "/webhook",
          headers: { "X-Hub-Signature-256": sign(secret, Buffer.from(body)), "X-GitHub-Event": "ping" },
          body,
        },
        settings: { signing_secret: secret },
      },
      { out: (line) => out.push(line), err: (line) => err.push(line) },
    );
    expect(code).toBe(0);
    expect(out[0]).toBe("HTTP 200");
    expect(out).toContain("content-type: application/json");
    expect(JSON.parse(out.at(-1)!)).toMatchObject({ accepted: true, event: "ping", keys: ["leak"] });
    expect(out.join("\n") + err.join("\n")).not.toContain(secret);
  });
});
