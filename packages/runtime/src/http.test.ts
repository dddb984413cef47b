import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invokeToolRequest, MAX_INPUT_LINE_BYTES, requestLine, type JsonObject } from "@dify-ts/protocol";
import {
  eventually,
  invokeServerless,
  reassemble,
  SessionCollector,
  type PluginProcess,
  type ReceivedEvent,
} from "@dify-ts/host";
import { spawnTypeScriptPlugin } from "@dify-ts/test-support";
import fixturePlugin from "./__fixtures__/fixture-plugin.js";
import { Dispatcher } from "./dispatcher.js";
import { HttpTransport } from "./transport/http.js";

const entry = fileURLToPath(new URL("./__fixtures__/main.ts", import.meta.url));
const credentials = { api_key: "sk-http-secret-789" };

/** Stands in for the daemon's /backwards-invocation/transaction endpoint. */
let daemon: Server;
let answer: (body: JsonObject, request: IncomingMessage, response: ServerResponse) => void;
let plugin: PluginProcess;
let base: string;

beforeAll(async () => {
  daemon = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => answer(JSON.parse(Buffer.concat(chunks).toString()) as JsonObject, request, response));
  });
  await new Promise<void>((resolve) => daemon.listen(0, "127.0.0.1", resolve));
  const daemonUrl = `http://127.0.0.1:${(daemon.address() as AddressInfo).port}`;
  plugin = spawnTypeScriptPlugin(entry, {
    INSTALL_METHOD: "serverless",
    SERVERLESS_HOST: "127.0.0.1",
    SERVERLESS_PORT: "0",
    DIFY_PLUGIN_DAEMON_URL: daemonUrl,
  });
  const banner = await eventually(
    () => plugin.strayLines.find((line) => line.startsWith("* Running on http://")),
    Boolean,
  );
  base = `http://127.0.0.1:${/:(\d+)$/.exec(banner!)![1]}`;
});

afterAll(async () => {
  plugin?.kill();
  await new Promise((resolve) => daemon?.close(resolve));
});

/** POSTs one request line to /invoke the way the daemon does and reads the streamed session events. */
const invoke = (data: JsonObject, sessionId: string = crypto.randomUUID(), onEvent?: (event: ReceivedEvent) => void) =>
  invokeServerless(base, sessionId, data, onEvent);

const tool = (name: string, tool_parameters: JsonObject = {}) =>
  invokeToolRequest({ provider: "fixture", tool: name, credentials, tool_parameters });

describe("serverless HTTP transport", () => {
  it("prints Flask's banner on stdout and answers GET /health", async () => {
    expect(plugin.strayLines[0]).toMatch(/^\* Serving Flask app/);
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("OK");
  });

  it("streams a session's events in the response to POST /invoke, ending with one end", async () => {
    const { status, contentType, result, sessions } = await invoke(tool("messages", { blob_bytes: 10_000 }));
    expect(status).toBe(200);
    expect(contentType).toContain("text/event-stream");
    const seen = reassemble(result.stream);
    expect(seen.blobs[0]!.data.length).toBe(10_000);
    expect(seen.variables.story).toBe("once upon");
    expect([...sessions.endCounts.values()]).toEqual([1]);
    expect(sessions.violations).toEqual([]);
  });

  it("serves concurrent invocations, each with its own messages in order", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => invoke(tool("sequence", { tag: `s${i}`, count: 25 }))),
    );
    results.forEach(({ result }, i) =>
      expect(reassemble(result.stream).texts).toEqual(Array.from({ length: 25 }, (_, n) => `s${i}:${n}`)),
    );
  });

  it("fails a throwing tool with a redacted error and the end", async () => {
    const { result } = await invoke(tool("fail"));
    expect(result.error).toEqual({
      error_type: "Error",
      message: "boom with key [REDACTED]",
      args: { traceback: expect.any(String) },
    });
  });

  it("aborts a session whose client disconnected", async () => {
    const client = new AbortController();
    const request = fetch(`${base}/invoke`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: requestLine("http-gone", tool("hang")),
      signal: client.signal,
    }).catch(() => undefined);
    await plugin.waitForStderr("hang started");
    client.abort();
    await request;
    await plugin.waitForStderr("hang aborted: the client of session http-gone disconnected");
  });

  it("answers bad requests with HTTP errors", async () => {
    expect((await fetch(`${base}/invoke`, { method: "POST", body: "not json" })).status).toBe(400);
    const answer = await fetch(`${base}/invoke`, {
      method: "POST",
      body: JSON.stringify({ session_id: "s", event: "backwards_response", data: {} }),
    });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toBe('request body must be a JSON object with a session_id and "event": "request"');
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
  });

  it("answers a request body over the input limit with the session's error and end", async () => {
    const { status, result } = await invoke(
      tool("sequence", { tag: "x".repeat(MAX_INPUT_LINE_BYTES), count: 1 }),
      "http-too-large",
    );
    expect(status).toBe(200);
    expect(result.error?.error_type).toBe("RequestTooLargeError");
    expect(result.error?.message).toContain("input limit of 24 MiB");
    expect(result.stream).toEqual([]);
  });

  it("sends backwards invocations to DIFY_PLUGIN_DAEMON_URL/backwards-invocation/transaction and streams the answer", async () => {
    const sessionId = "serverless-backwards";
    const received: { path?: string; header?: string; body?: JsonObject; sawLogFirst?: boolean } = {};
    let logSeen = false;
    answer = (body, request, response) => {
      Object.assign(received, {
        path: request.url,
        header: request.headers["dify-plugin-session-id"],
        body,
        sawLogFirst: logSeen,
      });
      const id = String(((body.data as JsonObject).data as JsonObject).backwards_request_id);
      response.writeHead(200, { "content-type": "text/event-stream" });
      const line = (event: string, data: JsonObject | null) =>
        JSON.stringify({
          session_id: sessionId,
          event: "backwards_response",
          data: { backwards_request_id: id, event, message: "", data },
        }) + "\n\n";
      response.write("\n\n"); // the daemon's keep-alive
      response.write(line("response", { data: Buffer.from("from http").toString("hex") }));
      response.end(line("end", null));
    };
    const { result } = await invoke(tool("backwards", { op: "storage_get", key: "k1" }), sessionId, (event) => {
      if (event.event === "log" && JSON.stringify(event.data).includes("backwards storage_get")) logSeen = true;
    });
    expect(result.error).toBeUndefined();
    expect(reassemble(result.stream).jsons).toEqual([{ value: "from http" }]);
    expect(received.path).toBe("/backwards-invocation/transaction");
    expect(received.header).toBe(sessionId);
    expect(received.body).toMatchObject({
      event: "session",
      session_id: sessionId,
      data: { type: "invoke", data: { type: "storage", request: { opt: "get", key: "k1" } } },
    });
    // The session's log reached the /invoke stream before the backwards call was answered: the response streams.
    expect(received.sawLogFirst).toBe(true);
  });

  it("turns the daemon's session-not-found answer into a clear backwards error", async () => {
    answer = (body, _request, response) => {
      const id = String(((body.data as JsonObject).data as JsonObject).backwards_request_id);
      response.writeHead(400);
      response.end(
        JSON.stringify({
          backwards_request_id: id,
          event: "error",
          message: "failed to get session info from cache",
          data: { error_type: "SessionNotFound" },
        }),
      );
    };
    const { result } = await invoke(tool("backwards", { op: "storage_get" }));
    expect(result.error).toEqual({
      error_type: "BackwardsInvocationError",
      message: "storage invocation failed: failed to get session info from cache",
      args: { traceback: expect.any(String) },
    });
  });
});

describe("HttpTransport.handleRequest in a server its caller owns", () => {
  it("serves /invoke and /health from the caller's server, 503 before start and after close", async () => {
    const transport = new HttpTransport();
    new Dispatcher(fixturePlugin, transport, { maxRequestTimeout: 10, maxInvocationTimeout: 10 }).connect();
    const server = createServer(transport.handleRequest);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const own = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${own}/health`)).status).toBe(503);
      await transport.start();
      expect(await (await fetch(`${own}/health`)).text()).toBe("OK");
      const response = await fetch(`${own}/invoke`, {
        method: "POST",
        body: requestLine("own-server", tool("echo", { text: "hi" })),
      });
      const events = (await response.text())
        .split("\n")
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as ReceivedEvent);
      const sessions = new SessionCollector();
      const done = sessions.expect("own-server");
      events.forEach((event) => sessions.receive(event));
      expect(reassemble((await done).stream).texts).toEqual(["hi"]);
      await transport.close();
      expect((await fetch(`${own}/health`)).status).toBe(503);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
