/**
 * The authoring source of the vectors: each file's description and cases
 * (daemon-to-plugin lines). `conformance/record.ts` runs them against the
 * Python SDK and writes conformance/vectors/<file>.json with what it answered.
 */
import {
  fetchParameterOptionsRequest,
  oauthRequest,
  invokeEndpointRequest,
  rawHttpRequestHex,
  requestMessage,
  type JsonObject,
  type RequestEnvelope,
} from "@dify-ts/protocol";
import type { BackwardsRule, InputLine, VectorFile } from "./vectors.js";

export const CREDENTIALS = { api_key: "sk-conformance-0001", region: "eu-west-1", tier: "pro", verbose: true };
const USER = "user-1";

type Envelope = Partial<Omit<RequestEnvelope, "session_id">>;

/** Every request line is written by the protocol's builder, with the daemon's envelope and field order. */
function request(sessionId: string, data: JsonObject, envelope: Envelope = {}): JsonObject {
  return requestMessage(sessionId, data, envelope);
}

export function invoke(
  sessionId: string,
  tool: string,
  tool_parameters: JsonObject = {},
  credentials: JsonObject = CREDENTIALS,
  envelope: Envelope = {},
): JsonObject {
  const data = {
    type: "tool",
    action: "invoke_tool",
    provider: "conformance",
    tool,
    credentials,
    credential_type: "api-key",
    tool_parameters,
    user_id: USER,
  };
  return request(sessionId, data, envelope);
}

function validate(sessionId: string, credentials: JsonObject): JsonObject {
  return request(sessionId, {
    type: "tool",
    action: "validate_tool_credentials",
    provider: "conformance",
    credentials,
    user_id: USER,
  });
}

const ENDPOINT_SETTINGS = { greeting: "hello", signing_key: "sk-endpoint-0002" };

/** An invoke_endpoint line: the HTTP request as the daemon forwards it (Go's Request.Write, hex). */
function endpoint(
  sessionId: string,
  http: { method: string; target: string; headers?: Record<string, string>; body?: string },
  settings: JsonObject = ENDPOINT_SETTINGS,
): JsonObject {
  const raw_http_request = rawHttpRequestHex({ ...http, host: "dify.example.com" });
  return request(sessionId, invokeEndpointRequest({ settings, raw_http_request }), { endpoint_id: "endpoint-1" });
}

const file = (url: string, filename: string, mime_type: string) => ({
  dify_model_identity: "__dify__file__",
  url,
  filename,
  mime_type,
  extension: filename.slice(filename.lastIndexOf(".")),
  size: 123,
  type: "document",
});

/** invoke_tool of the surface tool with a credential type (absent: the SDK's default, api-key). */
function surface(
  sessionId: string,
  tool_parameters: JsonObject,
  credential_type?: string,
  credentials: JsonObject = CREDENTIALS,
) {
  const data: JsonObject = {
    type: "tool",
    action: "invoke_tool",
    provider: "conformance",
    tool: "surface",
    credentials,
    tool_parameters,
    user_id: USER,
  };
  if (credential_type !== undefined) data.credential_type = credential_type;
  return request(sessionId, data);
}

const fetchOptions = (sessionId: string, tool: string, parameter: string) =>
  request(
    sessionId,
    fetchParameterOptionsRequest({
      provider: "conformance",
      provider_action: tool,
      parameter,
      credentials: CREDENTIALS,
      credential_type: "api-key",
      user_id: USER,
    }),
  );

const OAUTH_CLIENT = { client_id: "client-conformance", client_secret: "client-secret-0001" };
const REDIRECT_URI = "https://dify.example.com/console/api/oauth/plugin/callback";
const oauth = (
  sessionId: string,
  action: Parameters<typeof oauthRequest>[0],
  fields: { raw_http_request?: string; credentials?: JsonObject } = {},
) =>
  request(
    sessionId,
    oauthRequest(action, {
      provider: "conformance",
      redirect_uri: REDIRECT_URI,
      system_credentials: OAUTH_CLIENT,
      user_id: USER,
      ...fields,
    }),
  );
const callback = (code: string) =>
  rawHttpRequestHex({
    method: "GET",
    target: `/console/api/oauth/plugin/callback?code=${code}&state=s-1`,
    host: "dify.example.com",
    headers: { "User-Agent": "conformance" },
  });

const ALL_SURFACE_PARAMETERS: JsonObject = {
  channel: "general",
  channels: ["general", "random"],
  colors: ["red", "blue"],
  shade: "navy",
  agree: true,
  model: {
    provider: "langgenius/openai/openai",
    model: "gpt-4o",
    model_type: "llm",
    mode: "chat",
    completion_params: { temperature: 0.2 },
  },
  app: { app_id: "app-1", inputs: { question: "why" } },
  filter: { field: "name" },
  tags: ["a", "b"],
  anything: 42,
};

const oneCase = (name: string, description: string, ...input: InputLine[]) => ({ name, description, input });

const storage = (opt: string, respond: BackwardsRule["respond"]): BackwardsRule => ({
  match: { type: "storage", request: { opt } },
  respond,
});

/** A case of the `backwards` tool: one invocation kind, answered by the daemon's events for that type. */
const backwardsKind = (
  kind: string,
  description: string,
  type: string,
  respond: BackwardsRule["respond"],
  name: string = kind,
) => ({
  ...oneCase(name, description, invoke(`backwards-${name}`, "backwards", { kind })),
  backwards: [{ match: { type }, respond }],
});

const answers = (...data: JsonObject[]): BackwardsRule["respond"] => [
  ...data.map((item) => ({ event: "response" as const, data: item })),
  { event: "end" },
];

const usage = (prompt: number, completion: number) => ({
  prompt_tokens: prompt,
  prompt_unit_price: 0.001,
  prompt_price_unit: 0.001,
  prompt_price: 0.002,
  completion_tokens: completion,
  completion_unit_price: 0.002,
  completion_price_unit: 0.001,
  completion_price: 0.004,
  total_tokens: prompt + completion,
  total_price: 0.006,
  currency: "USD",
  latency: 0.5,
});

/** An LLMResultChunk as Dify sends it: every field present. */
const chunk = (
  content: string,
  extra: { usage?: JsonObject; finish_reason?: string; tool_calls?: JsonObject[] } = {},
) => ({
  model: "gpt",
  prompt_messages: [],
  system_fingerprint: null,
  delta: {
    index: 0,
    message: { role: "assistant", content, name: null, tool_calls: extra.tool_calls ?? [], opaque_body: null },
    usage: extra.usage ?? null,
    finish_reason: extra.finish_reason ?? null,
  },
});

const embedding = {
  model: "embed",
  embeddings: [
    [0.25, -0.5],
    [1, 0],
  ],
  usage: {
    tokens: 2,
    total_tokens: 2,
    unit_price: 0.0001,
    price_unit: 0.001,
    total_price: 0.0002,
    currency: "USD",
    latency: 0.1,
  },
};
const hex = (text: string) => Buffer.from(text).toString("hex");

export const VECTOR_DEFINITIONS: Record<string, VectorFile> = {
  "startup.json": {
    description: "What a plugin writes on its own after its configuration line, before any request (heartbeats aside)",
    record_startup: true,
    cases: [],
  },
  "messages.json": {
    description: "Every message kind a tool emits, and credential validation",
    cases: [
      oneCase("echo", "one text message", invoke("echo-1", "echo", { text: "hello" })),
      oneCase(
        "echo-with-context",
        "a request line carrying the conversation, message and app ids Dify adds",
        invoke("echo-2", "echo", { text: "with context" }, CREDENTIALS, {
          conversation_id: "c-1",
          message_id: "m-1",
          app_id: "a-1",
          context: {},
        }),
      ),
      oneCase(
        "messages",
        "text (with unicode and escapes), json object and list, link, image, variables, a streamed variable, nested logs",
        invoke("messages-1", "messages"),
      ),
      oneCase(
        "messages-default-credentials",
        "optional credentials left out: the tool sees their defaults",
        invoke("messages-2", "messages", {}, { api_key: "k" }),
      ),
      oneCase(
        "validate-ok",
        "credential validation that passes answers a bare {result: true}",
        validate("validate-1", CREDENTIALS),
      ),
      oneCase(
        "validate-bad-key",
        "credential validation that fails",
        validate("validate-2", { ...CREDENTIALS, api_key: "bad-key" }),
      ),
    ],
  },
  "blobs.json": {
    description: "Blob chunking: 8 KiB chunks with id, sequence and total length, then an empty end chunk",
    cases: [
      oneCase("blob-empty", "0 bytes: only the end chunk", invoke("blob-0", "blob", { bytes: 0 })),
      oneCase("blob-1k", "1 KiB: one chunk", invoke("blob-1k", "blob", { bytes: 1024 })),
      oneCase("blob-8k", "exactly one full chunk", invoke("blob-8k", "blob", { bytes: 8192 })),
      oneCase("blob-8k-plus-1", "one full chunk and a 1-byte chunk", invoke("blob-8k1", "blob", { bytes: 8193 })),
      oneCase("blob-100k", "100 KiB", invoke("blob-100k", "blob", { bytes: 102400 })),
      oneCase("blob-30m", "30 MiB: 3840 chunks", invoke("blob-30m", "blob", { bytes: 30 * 1024 * 1024 })),
    ],
  },
  "errors.json": {
    description:
      "Failures: error framing (one error message, then end) and the answers to requests the plugin cannot serve",
    cases: [
      oneCase("fail", "a tool that raises", invoke("fail-1", "fail")),
      oneCase(
        "fail-after-messages",
        "a tool that raises after three messages",
        invoke("fail-2", "fail", { before: 3 }),
      ),
      oneCase(
        "fail-reveal-key",
        "a tool whose error message contains the API key",
        invoke("fail-3", "fail", { reveal_key: true }),
      ),
      oneCase("unknown-tool", "a tool the provider does not have", invoke("unknown-tool-1", "nope")),
      oneCase(
        "unknown-provider",
        "a provider the plugin does not have",
        request("unknown-provider-1", {
          type: "tool",
          action: "invoke_tool",
          provider: "other",
          tool: "echo",
          credentials: CREDENTIALS,
          tool_parameters: { text: "x" },
          user_id: USER,
        }),
      ),
      oneCase(
        "unknown-action",
        "a tool action that does not exist",
        request("unknown-action-1", { type: "tool", action: "nope", provider: "conformance", user_id: USER }),
      ),
      oneCase(
        "unknown-type",
        "a request type that does not exist",
        request("unknown-type-1", { type: "nonsense", action: "invoke_tool", user_id: USER }),
      ),
      oneCase(
        "model-request",
        "a model request to a tool-only plugin",
        request("model-1", {
          type: "model",
          action: "invoke_llm",
          provider: "conformance",
          model: "x",
          model_type: "llm",
          user_id: USER,
        }),
      ),
      oneCase(
        "runtime-parameters",
        "get_tool_runtime_parameters for a tool without runtime parameters",
        request("runtime-parameters-1", {
          type: "tool",
          action: "get_tool_runtime_parameters",
          provider: "conformance",
          tool: "echo",
          credentials: CREDENTIALS,
          user_id: USER,
        }),
      ),
      oneCase("missing-required-parameter", "a required parameter left out", invoke("missing-parameter-1", "echo", {})),
      oneCase(
        "out-of-range-parameter",
        "a number above its declared max",
        invoke("range-1", "parameters", { text: "x", count: 99 }),
      ),
      oneCase(
        "missing-credentials",
        "a tool call without the required credential",
        invoke("missing-credentials-1", "echo", { text: "x" }, {}),
      ),
      oneCase(
        "validate-missing-key",
        "credential validation without the required credential",
        validate("validate-3", { region: "eu-west-1" }),
      ),
    ],
  },
  "malformed.json": {
    description: "Lines that are not requests; the plugin must keep serving",
    cases: [
      oneCase("not-json", "a line that is not JSON", "this is not json"),
      oneCase("json-array", "JSON that is not an object", "[1,2,3]"),
      oneCase(
        "no-session-id",
        "a request without session_id",
        '{"event":"request","data":{"type":"tool","action":"invoke_tool"}}',
      ),
      oneCase(
        "truncated",
        "a request cut off after its session id",
        '{"session_id":"truncated-1","event":"request","data":{"type":"tool","action":"invo',
      ),
      oneCase(
        "unknown-event",
        "an event the protocol does not have",
        '{"session_id":"unknown-event-1","event":"bogus","data":{}}',
      ),
      oneCase(
        "data-not-object",
        "a request whose data is a string",
        '{"session_id":"data-string-1","event":"request","data":"invoke_tool"}',
      ),
      oneCase("blank-lines", "empty and whitespace-only lines are skipped", "", "   ", "\t"),
      oneCase(
        "stray-backwards-response",
        "a backwards response nobody waits for",
        '{"session_id":"stray-1","event":"backwards_response","data":{"backwards_request_id":"x","event":"end","message":"","data":null}}',
      ),
      oneCase(
        "still-serving",
        "a valid request after all of the above",
        invoke("after-malformed-1", "echo", { text: "still here" }),
      ),
    ],
  },
  "concurrency.json": {
    description: "Concurrent sessions: each session's messages in order, whatever the interleaving",
    cases: [
      oneCase(
        "sleeps",
        "three sleeping calls and an echo sent together finish in their own time",
        invoke("sleep-300", "sleep", { ms: 300 }),
        invoke("sleep-100", "sleep", { ms: 100 }),
        invoke("sleep-200", "sleep", { ms: 200 }),
        invoke("sleep-echo", "echo", { text: "fast" }),
      ),
      oneCase(
        "many-echoes",
        "32 calls written in one burst",
        ...Array.from({ length: 32 }, (_, index) =>
          invoke(`burst-${String(index).padStart(2, "0")}`, "echo", { text: `burst ${index}` }),
        ),
      ),
      oneCase(
        "mixed-kinds",
        "a blob, the message kinds and a failure at the same time",
        invoke("mixed-blob", "blob", { bytes: 50000 }),
        invoke("mixed-messages", "messages"),
        invoke("mixed-fail", "fail", { before: 2 }),
      ),
    ],
  },
  "backwards.json": {
    description:
      "Backwards invocations: the plugin asks the daemon (storage, models, nodes, apps, tools, files) in the middle of a session and waits for its answer",
    cases: [
      {
        ...oneCase(
          "storage",
          "get, set and exist, each answered with one response and end",
          invoke("storage-1", "storage", { key: "greeting" }),
        ),
        backwards: [
          storage("get", [
            { event: "response", data: { data: Buffer.from("hello").toString("hex") } },
            { event: "end" },
          ]),
          storage("set", [{ event: "response", data: { data: "ok" } }, { event: "end" }]),
          storage("exist", [{ event: "response", data: { data: true } }, { event: "end" }]),
        ],
      },
      {
        ...oneCase(
          "storage-error",
          "the daemon answers the get with an error event",
          invoke("storage-2", "storage", { key: "greeting" }),
        ),
        backwards: [storage("get", [{ event: "error", message: "storage is unavailable" }])],
      },
      {
        ...oneCase(
          "storage-no-data",
          "the daemon ends the get without any data",
          invoke("storage-3", "storage", { key: "greeting" }),
        ),
        backwards: [storage("get", [{ event: "end" }])],
      },
      backwardsKind("llm", "a streamed LLM call with every prompt message kind, tools and stop words", "llm", [
        ...answers(chunk("Hel"), chunk("lo"), chunk("!", { finish_reason: "stop", usage: usage(3, 2) })),
      ]),
      backwardsKind("llm_blocking", "stream=False: the chunks collected into one result, usage summed", "llm", [
        ...answers(
          chunk("It is ", { usage: usage(3, 2) }),
          chunk("noon", {
            usage: usage(0, 1),
            tool_calls: [{ id: "call-2", type: "function", function: { name: "clock", arguments: '{"tz":"UTC"}' } }],
          }),
        ),
      ]),
      backwardsKind(
        "llm_structured",
        "structured output, collected: the last chunk's structured_output",
        "llm_structured_output",
        answers(
          { ...chunk('{"colour":'), structured_output: null },
          {
            ...chunk('"teal"}'),
            structured_output: { colour: "teal" },
          },
        ),
      ),
      backwardsKind(
        "text_embedding",
        "texts embedded (input_type query by default)",
        "text_embedding",
        answers(embedding),
      ),
      backwardsKind(
        "text_embedding",
        "the daemon ends without an answer",
        "text_embedding",
        [{ event: "end" }],
        "text_embedding-no-data",
      ),
      backwardsKind("multimodal_embedding", "documents embedded", "multimodal_embedding", answers(embedding)),
      backwardsKind(
        "rerank",
        "documents reranked",
        "rerank",
        answers({ model: "rerank", docs: [{ index: 1, text: "y", score: 0.75 }] }),
      ),
      backwardsKind(
        "multimodal_rerank",
        "multimodal documents reranked (threshold and top_n unset)",
        "multimodal_rerank",
        answers({ model: "rerank", docs: [{ index: 0, text: "aW1n", score: 0.5 }] }),
      ),
      backwardsKind(
        "tts",
        "audio streamed in hex pieces",
        "tts",
        answers({ result: hex("hel"), mime_type: "audio/mpeg" }, { result: hex("lo") }),
      ),
      backwardsKind(
        "speech2text",
        "the file sent hex-encoded, the transcript read",
        "speech2text",
        answers({ result: "hello" }),
      ),
      backwardsKind("moderation", "flagged text", "moderation", answers({ result: true })),
      backwardsKind(
        "summary",
        "a text below min_summarize_length comes back without a call; a longer one is summarized",
        "system_summary",
        answers({ summary: "a summary" }),
      ),
      backwardsKind(
        "parameter_extractor",
        "a parameter extractor node",
        "node_parameter_extractor",
        answers({
          process_data: { model_mode: "chat" },
          inputs: { query: "weather in Paris" },
          outputs: { city: "Paris" },
        }),
      ),
      backwardsKind(
        "question_classifier",
        "a question classifier node",
        "node_question_classifier",
        answers({ process_data: {}, inputs: { query: "weather in Paris" }, outputs: { class_name: "weather" } }),
      ),
      backwardsKind(
        "tool",
        "another tool's messages",
        "tool",
        answers(
          { type: "text", message: { text: "12:00" }, meta: null },
          { type: "text", message: { text: "UTC" }, meta: null },
        ),
      ),
      backwardsKind(
        "app_chat",
        "a chat app, streamed",
        "app",
        answers({ event: "message", answer: "Hel" }, { event: "message", answer: "lo" }, { event: "message_end" }),
      ),
      backwardsKind(
        "app_chat_blocking",
        "a chat app, blocking, with conversation and user",
        "app",
        answers({ event: "message", answer: "hello", conversation_id: "conv-1" }),
      ),
      backwardsKind("app_completion", "a completion app, blocking", "app", answers({ answer: "tea is good" })),
      backwardsKind(
        "app_workflow",
        "a workflow app, streamed",
        "app",
        answers({ event: "workflow_started" }, { event: "workflow_finished", data: { outputs: { ok: true } } }),
      ),
      backwardsKind(
        "fetch_app",
        "an app's settings",
        "fetch_app",
        answers({ id: "app-9", mode: "chat", name: "Helper" }),
      ),
      backwardsKind(
        "upload_file",
        "Dify signs an upload URL; the file is POSTed there and the record read",
        "upload_file",
        answers({ url: "{signed_upload_url}" }),
      ),
      backwardsKind(
        "upload_file",
        "Dify answers without a signed URL",
        "upload_file",
        answers({}),
        "upload_file-no-url",
      ),
      backwardsKind(
        "upload_file",
        "Dify ends without an answer",
        "upload_file",
        [{ event: "end" }],
        "upload_file-no-data",
      ),
    ],
  },
  "parameters.json": {
    description: "Every parameter type and form as the tool receives it",
    cases: [
      oneCase(
        "all-given",
        "a value for every parameter, files included",
        invoke("parameters-1", "parameters", {
          text: "hello",
          count: 3,
          ratio: 0.25,
          flag: true,
          choice: "b",
          secret: "s3cr3t",
          document: file("https://files.example.com/a.pdf?sign=1", "a.pdf", "application/pdf"),
          attachments: [
            file("https://files.example.com/b.txt", "b.txt", "text/plain"),
            file("/files/c.csv", "c.csv", "text/csv"),
          ],
        }),
      ),
      oneCase(
        "defaults",
        "only the required parameter: the others take their declared defaults",
        invoke("parameters-2", "parameters", { text: "only" }),
      ),
      oneCase(
        "nulls-and-empties",
        "unset parameters as Dify sends them: null, empty string, empty list",
        invoke("parameters-3", "parameters", {
          text: "nulls",
          count: null,
          ratio: null,
          flag: null,
          choice: "",
          secret: null,
          document: null,
          attachments: [],
        }),
      ),
      oneCase(
        "loose-forms",
        "numbers and booleans as strings",
        invoke("parameters-4", "parameters", { text: "loose", count: "3", flag: "true" }),
      ),
    ],
  },
  "tool-surface.json": {
    description:
      "The tool surface added since the pinned SDK: dynamic-select options, OAuth, credential_type, the newer parameter types and message kinds",
    cases: [
      oneCase(
        "fetch-options",
        "the options of a dynamic-select parameter",
        fetchOptions("fetch-1", "surface", "channel"),
      ),
      oneCase(
        "fetch-options-failing",
        "the tool's fetcher throws for the parameter",
        fetchOptions("fetch-2", "surface", "channels"),
      ),
      oneCase(
        "fetch-options-no-fetcher",
        "a tool that implements no fetcher",
        fetchOptions("fetch-3", "echo", "channel"),
      ),
      oneCase(
        "fetch-options-unknown-tool",
        "a tool the plugin does not have",
        fetchOptions("fetch-4", "nope", "channel"),
      ),
      oneCase(
        "fetch-options-unknown-provider",
        "a provider the plugin does not have",
        request(
          "fetch-5",
          fetchParameterOptionsRequest({
            provider: "other",
            provider_action: "surface",
            parameter: "channel",
            credentials: CREDENTIALS,
            user_id: USER,
          }),
        ),
      ),
      oneCase(
        "oauth-unknown-provider",
        "an OAuth request for a provider the plugin does not have",
        request(
          "oauth-5",
          oauthRequest("get_authorization_url", {
            provider: "other",
            redirect_uri: REDIRECT_URI,
            system_credentials: OAUTH_CLIENT,
            user_id: USER,
          }),
        ),
      ),
      oneCase(
        "oauth-authorization-url",
        "the provider's authorization page",
        oauth("oauth-1", "get_authorization_url"),
      ),
      oneCase(
        "oauth-get-credentials",
        "the provider's callback exchanged for credentials",
        oauth("oauth-2", "get_credentials", { raw_http_request: callback("abc") }),
      ),
      oneCase(
        "oauth-get-credentials-denied",
        "the exchange fails",
        oauth("oauth-3", "get_credentials", { raw_http_request: callback("denied") }),
      ),
      oneCase(
        "oauth-refresh",
        "expiring credentials refreshed",
        oauth("oauth-4", "refresh_credentials", { credentials: { access_token: "token-for-abc" } }),
      ),
      oneCase(
        "invoke-api-key",
        "every newer parameter type given, with the form's credentials; image_link, retriever resources, log metadata",
        surface("surface-1", ALL_SURFACE_PARAMETERS, "api-key"),
      ),
      oneCase(
        "invoke-oauth2",
        "credentials from the OAuth flow",
        surface("surface-2", { channel: "random" }, "oauth2", { access_token: "token-for-abc" }),
      ),
      oneCase(
        "invoke-default-credential-type",
        "no credential_type: the form's credentials",
        surface("surface-3", { channel: "general", colors: ["blue"] }),
      ),
    ],
  },
  "endpoints.json": {
    description: "invoke_endpoint: routing, the request as the handler sees it, streamed and failing responses",
    cases: [
      oneCase(
        "echo",
        "a POST with a path value, a query and a body: the handler answers JSON with status 201",
        endpoint("endpoint-1", {
          method: "POST",
          target: "/echo/ada?q=42",
          headers: { "Content-Type": "text/plain" },
          body: "hello endpoint",
        }),
      ),
      oneCase(
        "stream",
        "a streamed body of three Server-Sent Events",
        endpoint("endpoint-2", { method: "GET", target: "/stream/3" }),
      ),
      oneCase(
        "not-found",
        "no route has the path: 404 with werkzeug's text",
        endpoint("endpoint-3", { method: "GET", target: "/nowhere" }),
      ),
      oneCase(
        "wrong-method",
        "a route has the path but not the method: 404 with werkzeug's 405 text",
        endpoint("endpoint-4", { method: "GET", target: "/echo/ada" }),
      ),
      oneCase(
        "converter-mismatch",
        "the int converter refuses a non-number: 404",
        endpoint("endpoint-5", { method: "GET", target: "/stream/many" }),
      ),
      oneCase("handler-fails", "the handler raises: 500", endpoint("endpoint-6", { method: "GET", target: "/fail" })),
      oneCase(
        "tool-alongside",
        "a tool request to the same plugin between endpoint requests",
        invoke("endpoint-7", "echo", { text: "tools and endpoints" }),
      ),
    ],
  },
};
