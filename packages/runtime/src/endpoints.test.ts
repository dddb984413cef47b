/** Endpoints in process over the in-memory transport pair: a tool plugin that also carries an endpoint group. */
import { describe, expect, it } from "vitest";
import {
  endpointResponseOf,
  invokeEndpointRequest,
  parseRawHttpRequest,
  rawHttpRequestHex,
  requestLine,
  type EndpointResponseChunk,
  type JsonObject,
} from "@dify-ts/protocol";
import { eventually, SessionCollector, type ReceivedEvent } from "@dify-ts/host";
import { defineEndpointGroup, definePlugin, defineProvider, localized } from "./definitions.js";
import { endpointDeclaration, endpointGroupYaml, endpointRouteYaml, manifestDeclaration } from "./declarations.js";
import { Dispatcher } from "./dispatcher.js";
import { compileRoutes, matchRoute } from "./endpoints.js";
import { text } from "./messages.js";
import { InMemoryTransport } from "./transport/in-memory.js";

const provider = defineProvider({
  identity: { name: "bot", label: localized("Bot"), description: localized("Bot"), icon: "icon.svg", tags: [] },
  credentials: { token: { type: "secret-input", required: true, label: localized("Token") } },
});
const send = provider.defineTool({
  identity: { name: "send", label: localized("Send") },
  description: { human: localized("Sends a message"), llm: "Sends a message" },
  parameters: {},
  async handler(_parameters, { credentials }) {
    return text(`sent with ${credentials.token.length}-char token`);
  },
});
const group = defineEndpointGroup({
  settings: {
    app_secret: { type: "secret-input", required: true, label: localized("App secret") },
    greeting: { type: "text-input", public: true, default: "hi", label: localized("Greeting") },
  },
  routes: [
    {
      name: "echo",
      path: "/echo/<name>",
      method: "POST",
      async handler(request, { settings, params }) {
        return Response.json({
          greeting: settings.greeting,
          name: params.name,
          query: new URL(request.url).searchParams.get("q"),
          host: new URL(request.url).host,
          type: request.headers.get("content-type"),
          body: await request.text(),
        });
      },
    },
    { name: "fixed", path: "/echo/me", method: "POST", handler: () => new Response("static route wins") },
    {
      name: "big",
      path: "/big",
      method: "GET",
      handler: () => new Response(new Uint8Array(2.5 * 1024 * 1024).fill(7)),
    },
    { name: "empty", path: "/empty", method: "DELETE", handler: () => new Response(null, { status: 204 }) },
    {
      name: "boom",
      path: "/boom",
      method: "GET",
      handler(_request, { settings }) {
        throw new Error(`failed with ${settings.app_secret}`);
      },
    },
  ],
});
/** An event stream that goes quiet: how far it got, and whether the runtime cancelled it. */
const endless = { pulled: 0, cancelled: false };
const endlessRoute = {
  name: "endless",
  path: "/endless",
  method: "GET" as const,
  handler: () =>
    new Response(
      new ReadableStream<Uint8Array>({
        // Three events, then silence: the stream waits for an event that never comes.
        pull: async (controller) => {
          if (endless.pulled === 3) return new Promise<void>(() => {});
          controller.enqueue(new TextEncoder().encode(`data: ${++endless.pulled}\n\n`));
        },
        cancel: () => {
          endless.cancelled = true;
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    ),
};

const plugin = definePlugin({
  manifest: {
    author: "a",
    name: "bot",
    version: "0.0.1",
    label: localized("Bot"),
    description: localized("Bot"),
    icon: "icon.svg",
    created_at: "2026-01-01T00:00:00Z",
    tags: [],
    resource: { memory: 1, permission: { tool: { enabled: true }, endpoint: { enabled: true } } },
  },
  provider,
  tools: [send],
  endpoints: { ...group, routes: [...group.routes, endlessRoute] },
});

function connect(maxRequestTimeout = 10) {
  const [pluginSide, daemonSide] = InMemoryTransport.createLinkedPair();
  new Dispatcher(plugin, pluginSide, { maxRequestTimeout, maxInvocationTimeout: 10 }).connect();
  const sessions = new SessionCollector();
  daemonSide.onmessage = (line) => sessions.receive(JSON.parse(line) as ReceivedEvent);
  let next = 0;
  return {
    sessions,
    async request(data: JsonObject) {
      const sessionId = `s${++next}`;
      const done = sessions.expect(sessionId);
      await daemonSide.send(requestLine(sessionId, data));
      return done;
    },
  };
}

const settings = { app_secret: "app-secret-value-1234" };
const http = (method: string, target: string, body?: string, headers?: Record<string, string>) =>
  invokeEndpointRequest({
    settings,
    raw_http_request: rawHttpRequestHex({ method, target, host: "hooks.example:8443", body, headers }),
  });

describe("endpoints", () => {
  it("serves tools and endpoints from one plugin, declaring both", async () => {
    const { request } = connect();
    const tool = await request({
      type: "tool",
      action: "invoke_tool",
      provider: "bot",
      tool: "send",
      credentials: { token: "t0k" },
    });
    expect(tool.stream[0]).toMatchObject({ type: "text", message: { text: "sent with 3-char token" } });
    const answer = await request(http("POST", "/echo/ada?q=1", "hello", { "Content-Type": "text/plain" }));
    const response = endpointResponseOf(answer.stream as EndpointResponseChunk[]);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({
      greeting: "hi",
      name: "ada",
      query: "1",
      host: "hooks.example:8443",
      type: "text/plain",
      body: "hello",
    });
    expect(manifestDeclaration(plugin).plugins).toEqual({
      tools: ["provider/bot.yaml"],
      endpoints: ["group/bot.yaml"],
    });
    expect(endpointGroupYaml(group)).toEqual({
      settings: [
        {
          name: "app_secret",
          type: "secret-input",
          required: true,
          label: { en_US: "App secret", zh_Hans: "App secret" },
        },
        {
          name: "greeting",
          type: "text-input",
          required: false,
          default: "hi",
          label: { en_US: "Greeting", zh_Hans: "Greeting" },
        },
      ],
      endpoints: [
        "endpoints/echo.yaml",
        "endpoints/fixed.yaml",
        "endpoints/big.yaml",
        "endpoints/empty.yaml",
        "endpoints/boom.yaml",
      ],
    });
    expect(endpointRouteYaml(group.routes[0]!)).toEqual({ path: "/echo/<name>", method: "POST" });
    expect((endpointDeclaration(group).endpoints as JsonObject[])[0]).toEqual({
      path: "/echo/<name>",
      method: "POST",
      hidden: false,
    });
  });

  it("prefers a static route, splits a large body into messages under the line limit, and answers an empty body", async () => {
    const { request } = connect();
    const fixed = await request(http("POST", "/echo/me", "x"));
    expect(endpointResponseOf(fixed.stream as EndpointResponseChunk[]).body.toString()).toBe("static route wins");
    const big = await request(http("GET", "/big"));
    expect(big.stream.map((message) => String(message.result).length)).toEqual([
      2 * 1024 * 1024,
      2 * 1024 * 1024,
      1024 * 1024,
    ]);
    const body = endpointResponseOf(big.stream as EndpointResponseChunk[]).body;
    expect(body.length).toBe(2.5 * 1024 * 1024);
    expect(body.every((byte) => byte === 7)).toBe(true);
    const empty = await request(http("DELETE", "/empty"));
    expect(empty.stream).toEqual([{ status: 204, headers: {}, result: "" }]);
  });

  it("sends the events a stream has ready in one message, and cancels it once idle when the session times out", async () => {
    const { request } = connect(0.3);
    const result = await request(http("GET", "/endless"));
    expect(result.error).toMatchObject({ error_type: "TimeoutError" });
    // The three events the stream had ready go out in the first message: the daemon drops later messages of a
    // session that ends before it starts copying them.
    expect(result.stream).toHaveLength(1);
    expect(endpointResponseOf(result.stream as EndpointResponseChunk[]).body.toString()).toBe(
      "data: 1\n\ndata: 2\n\ndata: 3\n\n",
    );
    await eventually(() => endless.cancelled, Boolean);
  });

  it("answers a failing handler with 500 and no internals, logging the error with the secret setting masked", async () => {
    const { request, sessions } = connect();
    const failed = await request(http("GET", "/boom"));
    const response = endpointResponseOf(failed.stream as EndpointResponseChunk[]);
    expect([response.status, response.body.toString()]).toEqual([500, "Internal Server Error"]);
    const everything = JSON.stringify(sessions.events);
    expect(everything).not.toContain(settings.app_secret);
    expect(everything).toContain('endpoint route \\"boom\\" failed');
  });

  it("refuses an endpoint request to a plugin without endpoints, and a tool request to one without tools", async () => {
    const toolsOnly = definePlugin({ ...plugin, endpoints: undefined });
    const [pluginSide, daemonSide] = InMemoryTransport.createLinkedPair();
    new Dispatcher(toolsOnly, pluginSide, { maxRequestTimeout: 10, maxInvocationTimeout: 10 }).connect();
    const sessions = new SessionCollector();
    daemonSide.onmessage = (line) => sessions.receive(JSON.parse(line) as ReceivedEvent);
    const done = sessions.expect("x");
    await daemonSide.send(requestLine("x", http("GET", "/big")));
    expect((await done).error).toMatchObject({
      error_type: "ValueError",
      message: "this plugin declares no endpoints",
    });
    expect(() => definePlugin({ ...plugin, provider: undefined })).toThrow(/tools need a provider/);
    expect(() => definePlugin({ ...plugin, manifest: { ...plugin.manifest, resource: { memory: 1 } } })).toThrow(
      /manifest.resource.permission.endpoint = \{ enabled: true \}/,
    );
  });
});

describe("hostile raw requests", () => {
  it("answers every one with a response or one error, and then still serves", async () => {
    const { request } = connect();
    let seed = 20261202;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const bytes = (length: number) => Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
    const heads = [
      "",
      "GET /echo/x HTTP/1.1\r\n",
      "POST /echo/%ZZ HTTP/1.1\r\nHost: h\r\n",
      "GET / HTTP/1.1\r\nX: \u0000\r\n\r\n",
    ];
    const outcomes = { responses: 0, errors: 0 };
    const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    const targets = ["/echo/x?q=%00", "/nowhere", "/empty", "/boom", "/echo/" + "a".repeat(2000)];
    for (let i = 0; i < 300; i++) {
      // Even: a request line (or nothing) and random bytes; odd: well-framed requests with random binary bodies.
      const raw =
        i % 2 === 0
          ? Buffer.concat([Buffer.from(heads[(i / 2) % heads.length]!), bytes(Math.floor(next() * 200))]).toString(
              "hex",
            )
          : rawHttpRequestHex({
              method: methods[Math.floor(next() * methods.length)]!,
              target: targets[Math.floor(next() * targets.length)]!,
              body: bytes(Math.floor(next() * 300)),
            });
      const result = await request(invokeEndpointRequest({ settings, raw_http_request: raw }));
      if (result.error) {
        expect(result.error.error_type).toBe("ValueError");
        outcomes.errors++;
      } else {
        expect(endpointResponseOf(result.stream as EndpointResponseChunk[]).status).toBeGreaterThanOrEqual(200);
        outcomes.responses++;
      }
    }
    expect(outcomes.responses).toBeGreaterThanOrEqual(150);
    expect(outcomes.errors + outcomes.responses).toBe(300);
    const after = await request(http("POST", "/echo/me", "x"));
    expect(endpointResponseOf(after.stream as EndpointResponseChunk[]).status).toBe(200);
  });
});

describe("route matching (werkzeug's rules)", () => {
  const routes = compileRoutes(
    defineEndpointGroup({
      settings: {},
      routes: [
        { name: "item", path: "/items/<int:id>", method: "GET", handler: () => new Response() },
        { name: "file", path: "/files/<path:rest>", method: "GET", handler: () => new Response() },
        { name: "ratio", path: "/ratio/<float:value>", method: "PUT", handler: () => new Response() },
      ],
    }),
  );
  it("converts int, float and path segments and serves HEAD with a GET route", () => {
    expect(matchRoute(routes, "GET", "/items/42")).toMatchObject({ params: { id: "42" } });
    expect(matchRoute(routes, "HEAD", "/items/42")).toMatchObject({ params: { id: "42" } });
    expect(matchRoute(routes, "GET", "/items/4x")).toMatchObject({ status: 404 });
    expect(matchRoute(routes, "GET", "/files/a/b c.txt")).toMatchObject({ params: { rest: "a/b c.txt" } });
    expect(matchRoute(routes, "PUT", "/ratio/0.5")).toMatchObject({ params: { value: "0.5" } });
    expect(matchRoute(routes, "POST", "/items/1")).toMatchObject({
      status: 404,
      message: expect.stringMatching(/405/),
    });
  });
  it("refuses an unknown converter, naming the route and the converters it knows", () => {
    expect(() =>
      compileRoutes({
        settings: {},
        routes: [{ name: "x", path: "/<slug:s>", method: "GET", handler: () => new Response() }],
      }),
    ).toThrow(
      /endpoint route "x": unknown converter "slug" in \/<slug:s>; use one of default, string, int, float, uuid, path/,
    );
  });
});

describe("the raw HTTP request", () => {
  it("parses what Go's Request.Write sends and refuses a body that does not match Content-Length", () => {
    const bytes = Buffer.from(rawHttpRequestHex({ method: "POST", target: "/a?b=1", body: "héllo" }), "hex");
    expect(parseRawHttpRequest(bytes)).toMatchObject({
      method: "POST",
      target: "/a?b=1",
      headers: [
        ["Host", "localhost"],
        ["Content-Length", "6"],
      ],
    });
    expect(Buffer.from(parseRawHttpRequest(bytes).body).toString()).toBe("héllo");
    expect(() => parseRawHttpRequest(bytes.subarray(0, bytes.length - 1))).toThrow(
      /does not match Content-Length \(6 declared, 5 received\)/,
    );
    expect(() => parseRawHttpRequest(Buffer.from("GET / SPDY/3\r\n\r\n"))).toThrow(/Invalid HTTP request line/);
  });
});
