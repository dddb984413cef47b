/**
 * The tool surface added after the first three actions, in process over a linked in-memory pair: dynamic-select
 * options, the OAuth actions, credential_type reaching handlers, the newer parameter types, message kinds and the
 * error traceback. Each request is written by the protocol's builders, as the daemon writes it.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  checkToolDeclaration,
  fetchParameterOptionsRequest,
  invokeToolRequest,
  oauthRequest,
  rawHttpRequestHex,
  requestLine,
  type JsonObject,
} from "@dify-ts/protocol";
import { SessionCollector, type ReceivedEvent } from "@dify-ts/host";
import { defineProvider, definePlugin, localized, type AppSelection, type DateRange } from "./definitions.js";
import { providerYaml, toolDeclaration, toolYaml } from "./declarations.js";
import { Dispatcher } from "./dispatcher.js";
import { PluginError } from "./errors.js";
import { decodeRawHttpRequest } from "./raw-http.js";
import { imageLink, json, retrieverResources, text } from "./messages.js";
import { InMemoryTransport } from "./transport/in-memory.js";

const CLIENT_SECRET = "client-secret-0001";
const API_KEY = "sk-surface-0001";

const provider = defineProvider({
  identity: { name: "p", label: localized("P"), description: localized("P"), icon: "icon.svg", tags: ["utilities"] },
  credentials: {
    api_key: { type: "secret-input", required: true, label: localized("API key") },
    region: { type: "text-input", public: true, label: localized("Region") },
  },
  oauth: {
    client: {
      client_id: { type: "text-input", public: true, required: true, label: localized("Client ID") },
      client_secret: { type: "secret-input", required: true, label: localized("Client secret") },
    },
    credentials: { access_token: { type: "secret-input", required: true, label: localized("Access token") } },
    getAuthorizationUrl({ redirectUri, systemCredentials }) {
      return `https://auth.example.com/authorize?client_id=${systemCredentials.client_id}&redirect_uri=${redirectUri}`;
    },
    async getCredentials({ request, systemCredentials }, context) {
      const code = new URL(request.url).searchParams.get("code");
      if (code === "leak") throw new Error(`exchange failed for client secret ${systemCredentials.client_secret}`);
      const body = request.method === "POST" ? await request.text() : "";
      context.logger.info(`exchanged ${code} (${request.headers.get("x-trace") ?? "no trace"}) ${body}`);
      return { credentials: { access_token: `token-for-${code}` }, expires_at: 1767225600 };
    },
    async refreshCredentials({ credentials }) {
      return { credentials: { access_token: `${credentials.access_token}-refreshed` } };
    },
  },
});

const surface = provider.defineTool({
  identity: { name: "surface", label: localized("Surface") },
  description: { human: localized("Newer parameter types"), llm: "x" },
  parameters: {
    channel: {
      type: "dynamic-select",
      required: true,
      form: "form",
      label: localized("C"),
      human_description: localized("C"),
    },
    channels: {
      type: "dynamic-select",
      multiple: true,
      form: "form",
      label: localized("Cs"),
      human_description: localized("Cs"),
    },
    colors: {
      type: "select",
      multiple: true,
      default: ["red"],
      options: [
        { value: "red", label: localized("Red") },
        {
          value: "blue",
          label: localized("Blue"),
          icon: "https://example.com/blue.svg",
          show_on: [{ variable: "channel", value: "general" }],
        },
      ],
      form: "form",
      label: localized("Colors"),
      human_description: localized("Colors"),
    },
    day: { type: "date", form: "form", label: localized("Day"), human_description: localized("Day") },
    period: { type: "date-range", form: "form", label: localized("Period"), human_description: localized("Period") },
    model: {
      type: "model-selector",
      scope: "llm",
      form: "form",
      label: localized("M"),
      human_description: localized("M"),
    },
    app: { type: "app-selector", form: "form", label: localized("A"), human_description: localized("A") },
    filter: {
      type: "object",
      form: "llm",
      input_schema: { type: "object" },
      label: localized("F"),
      human_description: localized("F"),
      show_on: [{ variable: "channel", value: "general" }],
    },
    tags: { type: "array", form: "llm", label: localized("T"), human_description: localized("T") },
    agree: { type: "checkbox", form: "form", label: localized("Agree"), human_description: localized("Agree") },
  },
  async *handler(params, context) {
    // The handler's types follow the declaration.
    expectTypeOf(params.channel).toEqualTypeOf<string>();
    expectTypeOf(params.channels).toEqualTypeOf<string[] | undefined>();
    expectTypeOf(params.colors).toEqualTypeOf<string[]>();
    expectTypeOf(params.period).toEqualTypeOf<DateRange | undefined>();
    expectTypeOf(params.app).toEqualTypeOf<AppSelection | undefined>();
    expectTypeOf(params.agree).toEqualTypeOf<boolean | undefined>();
    const who =
      context.credentialType === "oauth2"
        ? `token ${context.credentials.access_token}`
        : `key ${context.credentials.api_key}`;
    context.logger.info(`invoked with ${who}`);
    yield json({
      credential_type: context.credentialType,
      parameters: JSON.parse(JSON.stringify(params)) as JsonObject,
    });
    yield imageLink("https://example.com/linked.png");
    yield retrieverResources([{ position: 1, dataset_name: "docs", score: 0.5 }], "ctx");
  },
  async fetchParameterOptions(parameter, context) {
    expectTypeOf(parameter).toEqualTypeOf<"channel" | "channels">();
    if (parameter === "channels")
      throw new PluginError("ValueError", "no options for channels", { cause: new Error("upstream said 503") });
    return [{ value: context.credentialType, label: localized("Credential type") }];
  },
});

const plain = provider.defineTool({
  identity: { name: "plain", label: localized("Plain") },
  description: { human: localized("No fetcher"), llm: "x" },
  parameters: {
    pick: { type: "dynamic-select", form: "form", label: localized("P"), human_description: localized("P") },
  },
  async handler() {
    return text("plain");
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
  tools: [surface, plain],
});

function connect() {
  const [pluginSide, daemonSide] = InMemoryTransport.createLinkedPair();
  new Dispatcher(plugin, pluginSide, { maxRequestTimeout: 10, maxInvocationTimeout: 10 }).connect();
  const sessions = new SessionCollector();
  daemonSide.onmessage = (line) => sessions.receive(JSON.parse(line) as ReceivedEvent);
  const call = async (sessionId: string, data: JsonObject) => {
    const done = sessions.expect(sessionId);
    await daemonSide.send(requestLine(sessionId, data));
    return done;
  };
  const logs = () =>
    sessions.events.filter((event) => event.event === "log").map((event) => String((event.data as JsonObject).message));
  return { call, logs, sent: pluginSide.sent };
}

const OAUTH = {
  provider: "p",
  redirect_uri: "https://dify.example.com/callback",
  system_credentials: { client_id: "cid", client_secret: CLIENT_SECRET },
};

describe("fetch_parameter_options", () => {
  it("answers the options the tool's fetcher returns, with every language, and passes the credential type", async () => {
    const { call } = connect();
    const result = await call(
      "f1",
      fetchParameterOptionsRequest({
        provider: "p",
        provider_action: "surface",
        parameter: "channel",
        credentials: { api_key: API_KEY },
        credential_type: "api-key",
      }),
    );
    expect(result.error).toBeUndefined();
    expect(result.stream).toEqual([
      {
        options: [
          {
            value: "api-key",
            label: {
              en_US: "Credential type",
              zh_Hans: "Credential type",
              ja_JP: "Credential type",
              pt_BR: "Credential type",
            },
            icon: null,
          },
        ],
      },
    ]);
  });

  it("fails with the SDK's errors for an unknown tool, a tool without fetcher, and a parameter that is not dynamic", async () => {
    const { call } = connect();
    const fetch = (provider_action: string, parameter: string) =>
      fetchParameterOptionsRequest({ provider: "p", provider_action, parameter, credentials: { api_key: API_KEY } });
    expect((await call("f2", fetch("nope", "channel"))).error).toMatchObject({
      error_type: "ValueError",
      message: "Cannot find the target to fetch parameter options",
    });
    expect((await call("f3", fetch("plain", "pick"))).error).toMatchObject({
      error_type: "NotImplementedError",
      message: expect.stringContaining("Tool `plain` has no fetchParameterOptions"),
    });
    expect((await call("f4", fetch("surface", "colors"))).error).toMatchObject({
      error_type: "ValueError",
      message: "Tool `surface` has no dynamic-select parameter `colors`",
    });
  });

  it("sends a traceback with the cause chain in args, as the newest SDK does", async () => {
    const { call } = connect();
    const result = await call(
      "f5",
      fetchParameterOptionsRequest({
        provider: "p",
        provider_action: "surface",
        parameter: "channels",
        credentials: { api_key: API_KEY },
      }),
    );
    expect(result.error?.error_type).toBe("ValueError");
    const traceback = String(result.error?.args?.traceback);
    expect(traceback).toMatch(/^Traceback \(most recent call last\):\n/);
    expect(traceback).toContain("Error: upstream said 503\n");
    expect(traceback).toContain("The above exception was the direct cause of the following exception:");
    expect(traceback).toMatch(/ValueError: no options for channels\n$/);
    expect(traceback).toContain("tool-surface.test.ts");
  });
});

describe("OAuth", () => {
  it("answers the authorization URL", async () => {
    const { call } = connect();
    const result = await call("o1", oauthRequest("get_authorization_url", OAUTH));
    expect(result.stream).toEqual([
      {
        authorization_url:
          "https://auth.example.com/authorize?client_id=cid&redirect_uri=https://dify.example.com/callback",
      },
    ]);
  });

  it("hands the callback to getCredentials as a web Request and masks the token it returns from then on", async () => {
    const { call, logs } = connect();
    const raw = rawHttpRequestHex({
      method: "POST",
      target: "/callback?code=abc&state=1",
      host: "dify.example.com",
      headers: { "X-Trace": "t-1", "Content-Type": "text/plain" },
      body: "body-text",
    });
    const result = await call("o2", oauthRequest("get_credentials", { ...OAUTH, raw_http_request: raw }));
    expect(result.stream).toEqual([
      { metadata: {}, credentials: { access_token: "token-for-abc" }, expires_at: 1767225600 },
    ]);
    expect(logs()).toContain("exchanged abc (t-1) body-text");
    // The token is a secret from now on: an invocation that logs it shows it masked.
    await call(
      "o3",
      invokeToolRequest({
        provider: "p",
        tool: "surface",
        credential_type: "oauth2",
        credentials: { access_token: "token-for-abc" },
        tool_parameters: { channel: "x" },
      }),
    );
    expect(logs()).toContain("invoked with token [REDACTED]");
  });

  it("refreshes credentials, expires_at defaulting to -1", async () => {
    const { call } = connect();
    const result = await call(
      "o4",
      oauthRequest("refresh_credentials", { ...OAUTH, credentials: { access_token: "old-token" } }),
    );
    expect(result.stream).toEqual([{ credentials: { access_token: "old-token-refreshed" }, expires_at: -1 }]);
  });

  it("never echoes the client secret: not in the message, not in the traceback", async () => {
    const { call, sent } = connect();
    const raw = rawHttpRequestHex({ method: "GET", target: "/callback?code=leak", host: "dify.example.com" });
    const result = await call("o5", oauthRequest("get_credentials", { ...OAUTH, raw_http_request: raw }));
    expect(result.error?.message).toBe("exchange failed for client secret [REDACTED]");
    expect(sent.some(({ line }) => line.includes(CLIENT_SECRET))).toBe(false);
  });

  it("names what is wrong with a missing client setting or a malformed callback", async () => {
    const { call } = connect();
    const missing = await call(
      "o6",
      oauthRequest("get_authorization_url", { ...OAUTH, system_credentials: { client_id: "cid" } }),
    );
    expect(missing.error).toMatchObject({
      error_type: "ToolProviderCredentialValidationError",
      message: expect.stringContaining('credential "client_secret" is required'),
    });
    const otherProvider = await call("o8", oauthRequest("get_authorization_url", { ...OAUTH, provider: "other" }));
    expect(otherProvider.error).toMatchObject({
      error_type: "ValueError",
      message: "Provider `other` does not support OAuth",
    });
    const malformed = await call("o7", oauthRequest("get_credentials", { ...OAUTH, raw_http_request: "zz" }));
    expect(malformed.error).toMatchObject({
      error_type: "ValueError",
      message: expect.stringMatching(
        /^raw_http_request is not a hex-encoded HTTP request: raw_http_request must be the hex/,
      ),
    });
  });
});

describe("credential_type on invocations", () => {
  const invoke = (
    credential_type: string | undefined,
    credentials: JsonObject,
    tool_parameters: JsonObject = { channel: "c" },
  ) =>
    invokeToolRequest({
      provider: "p",
      tool: "surface",
      credentials,
      tool_parameters,
      ...(credential_type ? { credential_type } : {}),
    });

  it("reaches the handler; OAuth credentials are checked against oauth.credentials", async () => {
    const { call } = connect();
    const apiKey = await call("c1", invoke(undefined, { api_key: API_KEY }));
    expect(apiKey.stream[0]).toMatchObject({ message: { json_object: { credential_type: "api-key" } } });
    const oauth = await call("c2", invoke("oauth2", { access_token: "t-0001" }));
    expect(oauth.stream[0]).toMatchObject({ message: { json_object: { credential_type: "oauth2" } } });
    const wrongSchema = await call("c3", invoke("oauth2", { api_key: API_KEY }));
    expect(wrongSchema.error).toMatchObject({
      error_type: "ToolProviderCredentialValidationError",
      message: expect.stringContaining('credential "access_token" is required'),
    });
  });

  it("refuses an unknown credential type, naming the field and the allowed values", async () => {
    const { call } = connect();
    const result = await call("c4", invoke("password", { api_key: API_KEY }));
    expect(result.error).toMatchObject({
      error_type: "ValidationError",
      message: 'credential_type must be one of api-key, oauth2, unauthorized; got "password"',
    });
  });
});

describe("the newer parameter types", () => {
  const invoke = (sessionId: string, tool_parameters: JsonObject) =>
    invokeToolRequest({ provider: "p", tool: "surface", credentials: { api_key: API_KEY }, tool_parameters });

  it("reach the handler typed: multiple choices as lists, dates, a date range, selectors, JSON given as text", async () => {
    const { call } = connect();
    const result = await call(
      "t1",
      invoke("t1", {
        channel: "general",
        channels: "random",
        day: "2024-02-29",
        period: ["2026-01-01", "2026-01-31"],
        model: { provider: "openai", model: "gpt-4o", model_type: "llm" },
        app: { app_id: "app-1" },
        filter: '{"field":"name"}',
        tags: "[1, 2]",
        agree: "true",
      }),
    );
    expect(result.error).toBeUndefined();
    expect(result.stream[0]).toEqual({
      type: "json",
      message: {
        json_object: {
          credential_type: "api-key",
          parameters: {
            channel: "general",
            channels: ["random"],
            colors: ["red"],
            day: "2024-02-29",
            period: { start: "2026-01-01", end: "2026-01-31" },
            model: { provider: "openai", model: "gpt-4o", model_type: "llm" },
            app: { app_id: "app-1" },
            filter: { field: "name" },
            tags: [1, 2],
            agree: true,
          },
        },
      },
      meta: null,
    });
    expect(result.stream.slice(1)).toEqual([
      { type: "image_link", message: { text: "https://example.com/linked.png" }, meta: null },
      {
        type: "retriever_resources",
        message: {
          retriever_resources: [
            {
              position: 1,
              dataset_id: null,
              dataset_name: "docs",
              document_id: null,
              document_name: null,
              data_source_type: null,
              segment_id: null,
              retriever_from: null,
              score: 0.5,
              hit_count: null,
              word_count: null,
              segment_position: null,
              index_node_hash: null,
              content: null,
              page: null,
              doc_metadata: null,
            },
          ],
          context: "ctx",
        },
        meta: null,
      },
    ]);
  });

  it("name the parameter and the expected form when a value does not fit", async () => {
    const { call } = connect();
    const result = await call(
      "t2",
      invoke("t2", {
        channel: "general",
        colors: ["red", "green"],
        day: "2023-02-29",
        period: { start: "2026-02-01", end: "2026-01-01" },
        model: { provider: "openai" },
        tags: { not: "a list" },
      }),
    );
    expect(result.error?.error_type).toBe("ToolParameterValidationError");
    expect(result.error?.message).toBe(
      [
        'parameter "colors"[1] must be one of "red", "blue"; got "green"',
        'parameter "day" must be a date as YYYY-MM-DD; got "2023-02-29"',
        'parameter "period".start (2026-02-01) is after its end (2026-01-01)',
        'parameter "model" must be a model chosen in the node: model, model_type missing',
        'parameter "tags" must be a JSON array; got {"not":"a list"}',
      ].join("; "),
    );
  });
});

describe("declarations", () => {
  it("write show_on, multiple, scope, input_schema and option icons into the tool YAML", () => {
    const parameters = toolYaml(plugin, surface).parameters as JsonObject[];
    const byName = new Map(parameters.map((parameter) => [parameter.name, parameter]));
    expect(byName.get("colors")).toMatchObject({
      multiple: true,
      default: ["red"],
      options: [
        { value: "red", label: { en_US: "Red", zh_Hans: "Red" } },
        { value: "blue", icon: "https://example.com/blue.svg", show_on: [{ variable: "channel", value: "general" }] },
      ],
    });
    expect(byName.get("model")).toMatchObject({ type: "model-selector", scope: "llm" });
    expect(byName.get("filter")).toMatchObject({
      input_schema: { type: "object" },
      show_on: [{ variable: "channel", value: "general" }],
    });
  });

  it("declare the OAuth schema in the provider YAML and over TCP, where the daemon's rules accept it", () => {
    const schema = {
      client_schema: [
        { name: "client_id", type: "text-input", required: true, label: { en_US: "Client ID", zh_Hans: "Client ID" } },
        {
          name: "client_secret",
          type: "secret-input",
          required: true,
          label: { en_US: "Client secret", zh_Hans: "Client secret" },
        },
      ],
      credentials_schema: [
        {
          name: "access_token",
          type: "secret-input",
          required: true,
          label: { en_US: "Access token", zh_Hans: "Access token" },
        },
      ],
    };
    expect(providerYaml(plugin).oauth_schema).toEqual(schema);
    const declaration = toolDeclaration(plugin);
    expect(declaration.oauth_schema).toEqual(schema);
    expect(
      checkToolDeclaration([{ ...declaration, identity: { ...(declaration.identity as JsonObject), author: "a" } }]),
    ).toEqual([]);
    expect(
      checkToolDeclaration([{ ...declaration, oauth_schema: { client_schema: [{ name: "x", type: "password" }] } }]),
    ).toEqual([
      expect.stringContaining('tool_declaration[0].oauth_schema.client_schema[0].type: "password" is not one of'),
      "tool_declaration[0].oauth_schema.client_schema[0].label: required",
    ]);
  });
});

describe("decodeRawHttpRequest", () => {
  it("reads method, target, headers and body, and names the field when the request is malformed", async () => {
    const request = decodeRawHttpRequest(
      rawHttpRequestHex({
        method: "POST",
        target: "/cb?code=1",
        host: "h.example",
        headers: { "X-A": "b" },
        body: "payload",
      }),
      "raw_http_request",
    );
    expect([request.method, request.url, request.headers.get("x-a"), await request.text()]).toEqual([
      "POST",
      "http://h.example/cb?code=1",
      "b",
      "payload",
    ]);
    const hex = (text: string) => Buffer.from(text).toString("hex");
    expect(() => decodeRawHttpRequest(hex("get /cb SPDY/3\r\n\r\n"), "f")).toThrow(
      /^f is not a hex-encoded HTTP request: Invalid HTTP request line/,
    );
    expect(() => decodeRawHttpRequest("zz", "f")).toThrow(
      /^f is not a hex-encoded HTTP request: raw_http_request must/,
    );
  });
});
