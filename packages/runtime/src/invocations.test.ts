/**
 * Every typed backwards invocation through a real plugin process, on both ways
 * the daemon answers them: over stdio (answers on the plugin's stdin) and in
 * serverless mode (the plugin POSTs to the host's stand-in
 * /backwards-invocation/transaction). Each case checks the payload that left
 * (the SDK's wire form, defaults filled in) and what the handler read from
 * the answers; then the permission gate for every kind.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invokeToolRequest, type JsonObject, type JsonValue } from "@dify-ts/protocol";
import {
  BackwardsTransactionServer,
  eventually,
  invokeServerless,
  reassemble,
  type BackwardsAnswer,
  type BackwardsReply,
  type PluginProcess,
  type SessionResult,
} from "@dify-ts/host";
import { spawnTypeScriptPlugin } from "@dify-ts/test-support";

const entry = fileURLToPath(new URL("./__fixtures__/main.ts", import.meta.url));
const credentials = { api_key: "sk-invocations-secret-444" };
const hex = (text: string) => Buffer.from(text).toString("hex");
const answers = (...data: JsonObject[]): BackwardsReply[] => [
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
const chunk = (content: string, extra: JsonObject = {}) => ({
  model: "gpt",
  prompt_messages: [],
  system_fingerprint: null,
  delta: {
    index: 0,
    message: { role: "assistant", content, name: null, tool_calls: [], opaque_body: null },
    usage: null,
    finish_reason: null,
    ...extra,
  },
});
const embedding = {
  model: "embed",
  embeddings: [[0.25, -0.5]],
  usage: { tokens: 1, total_tokens: 1, unit_price: 0, price_unit: 0, total_price: 0, currency: "USD", latency: 0.1 },
};
const llmConfig = { provider: "openai", model: "gpt", mode: "chat", model_type: "llm" };
const toolCall = { id: "call-1", type: "function", function: { name: "clock", arguments: "{}" } };

/** One fixture operation: what the daemon answers, the request it must receive, what the handler must return. */
interface Case {
  op: string;
  value?: string;
  type: string;
  answer: BackwardsReply[];
  request: JsonObject;
  output: JsonValue;
}

const cases: Case[] = [
  {
    op: "llm",
    type: "llm",
    // The middle chunk carries only what Pydantic requires: the defaults are filled in as the SDK's model does.
    answer: answers(
      chunk("Hel"),
      { model: "gpt", delta: { index: 0, message: { content: "lo" } } },
      chunk("!", { finish_reason: "stop" }),
    ),
    request: {
      ...llmConfig,
      completion_params: {},
      prompt_messages: [{ role: "user", content: "hi", name: null }],
      tools: null,
      stop: null,
      stream: true,
    },
    output: "Hello!",
  },
  {
    op: "llm_blocking",
    type: "llm",
    answer: answers(
      { model: "gpt", delta: { index: 0, message: { content: "It is " }, usage: usage(3, 2) } },
      chunk("noon", { usage: usage(0, 1), message: { role: "assistant", content: "noon", tool_calls: [toolCall] } }),
    ),
    request: {
      ...llmConfig,
      completion_params: { temperature: 0.2 },
      prompt_messages: [
        { role: "system", content: "be brief", name: null },
        { role: "user", content: [{ type: "text", data: "hi", opaque_body: null }], name: null },
        { role: "assistant", content: "", name: null, tool_calls: [toolCall], opaque_body: null },
        { role: "tool", content: "12:00", name: null, tool_call_id: "call-1" },
      ],
      tools: [{ name: "clock", description: "Tells the time", parameters: { type: "object", properties: {} } }],
      stop: ["\n\n"],
      stream: false,
    },
    output: {
      model: "gpt",
      prompt_messages: [],
      message: { role: "assistant", content: "It is noon", name: null, tool_calls: [toolCall], opaque_body: null },
      usage: {
        ...usage(3, 3),
        prompt_unit_price: 0,
        prompt_price_unit: 0,
        completion_unit_price: 0,
        completion_price_unit: 0,
      },
      system_fingerprint: null,
    },
  },
  {
    op: "llm_structured",
    type: "llm_structured_output",
    answer: answers(
      { ...chunk('{"colour":'), structured_output: null },
      { ...chunk('"teal"}'), structured_output: { colour: "teal" } },
    ),
    request: {
      ...llmConfig,
      completion_params: {},
      prompt_messages: [{ role: "user", content: "name a colour", name: null }],
      structured_output_schema: { type: "object", properties: { colour: { type: "string" } } },
      tools: null,
      stop: null,
      stream: false,
    },
    output: expect.objectContaining({
      message: expect.objectContaining({ content: '{"colour":"teal"}' }),
      structured_output: { colour: "teal" },
    }) as JsonValue,
  },
  {
    op: "text_embedding",
    type: "text_embedding",
    answer: answers(embedding),
    request: {
      provider: "openai",
      model: "embed",
      model_type: "text-embedding",
      texts: ["a", "b"],
      input_type: "query",
    },
    output: embedding,
  },
  {
    op: "multimodal_embedding",
    type: "multimodal_embedding",
    answer: answers(embedding),
    request: {
      provider: "openai",
      model: "embed",
      model_type: "text-embedding",
      tenant_id: "tenant-1",
      documents: [{ content: "a", content_type: "text" }],
      input_type: "document",
    },
    output: embedding,
  },
  {
    op: "rerank",
    type: "rerank",
    answer: answers({ model: "rerank", docs: [{ index: 1, text: "y", score: 0.75 }] }),
    request: {
      provider: "cohere",
      model: "rerank",
      model_type: "rerank",
      score_threshold: 0.5,
      top_n: 2,
      docs: ["x", "y"],
      query: "q",
    },
    output: { model: "rerank", docs: [{ index: 1, text: "y", score: 0.75 }] },
  },
  {
    op: "multimodal_rerank",
    type: "multimodal_rerank",
    answer: answers({ model: "rerank", docs: [] }),
    request: {
      provider: "cohere",
      model: "rerank",
      model_type: "rerank",
      score_threshold: null,
      top_n: null,
      query: { content: "q", content_type: "text" },
      docs: [{ content: "aW1n", content_type: "image" }],
    },
    output: { model: "rerank", docs: [] },
  },
  {
    op: "tts",
    type: "tts",
    answer: answers({ result: hex("hel") }, { result: hex("lo") }),
    request: { provider: "openai", model: "tts-1", model_type: "tts", voice: "alloy", content_text: "hello" },
    output: { pieces: 2, audio: "hello" },
  },
  {
    op: "speech2text",
    type: "speech2text",
    answer: answers({ result: "hello" }),
    request: { provider: "openai", model: "whisper", model_type: "speech2text", file: hex("RIFF") },
    output: { text: "hello" },
  },
  {
    op: "moderation",
    type: "moderation",
    answer: answers({ result: true }),
    request: { provider: "openai", model: "mod", model_type: "moderation", text: "bad" },
    output: { flagged: true },
  },
  {
    op: "summary",
    value: "a text long enough",
    type: "system_summary",
    answer: answers({ summary: "short" }),
    request: { text: "a text long enough", instruction: "shorten" },
    output: { summary: "short" },
  },
  {
    op: "parameter_extractor",
    type: "node_parameter_extractor",
    answer: answers({ process_data: {}, inputs: {}, outputs: { city: "Paris" } }),
    request: {
      parameters: [{ name: "city", type: "string", options: [], description: "the city", required: true }],
      model: { provider: "openai", name: "gpt", mode: "chat", completion_params: null },
      query: "weather in Paris",
      instruction: "",
    },
    output: { process_data: {}, inputs: {}, outputs: { city: "Paris" } },
  },
  {
    op: "question_classifier",
    type: "node_question_classifier",
    answer: answers({ process_data: {}, inputs: {}, outputs: { class_name: "weather" } }),
    request: {
      classes: [
        { id: "1", name: "weather" },
        { id: "2", name: "other" },
      ],
      model: { provider: "openai", name: "gpt", mode: "completion", completion_params: { temperature: 0 } },
      query: "weather in Paris",
      instruction: "pick one",
    },
    output: { process_data: {}, inputs: {}, outputs: { class_name: "weather" } },
  },
  {
    op: "app_chat",
    type: "app",
    answer: answers({ event: "message", answer: "Hi" }, { event: "message_end" }),
    request: {
      app_id: "app-9",
      query: "hi",
      inputs: { x: 1 },
      response_mode: "streaming",
      conversation_id: null,
      user: null,
    },
    output: { events: [{ event: "message", answer: "Hi" }, { event: "message_end" }] },
  },
  {
    op: "app_chat_blocking",
    type: "app",
    answer: answers({ answer: "hello" }),
    request: {
      app_id: "app-9",
      query: "hi",
      inputs: {},
      response_mode: "blocking",
      conversation_id: "conv-1",
      user: "user-1",
    },
    output: { answer: "hello" },
  },
  {
    op: "app_completion",
    type: "app",
    answer: answers({ answer: "tea" }),
    request: { app_id: "app-9", inputs: { topic: "tea" }, response_mode: "blocking", user: null },
    output: { answer: "tea" },
  },
  {
    op: "app_workflow",
    type: "app",
    answer: answers({ event: "workflow_started" }, { event: "workflow_finished" }),
    request: { app_id: "app-9", inputs: {}, response_mode: "streaming", user: null },
    output: { events: [{ event: "workflow_started" }, { event: "workflow_finished" }] },
  },
  {
    op: "fetch_app",
    type: "fetch_app",
    answer: answers({ id: "app-9", mode: "chat" }),
    request: { app_id: "app-9" },
    output: { id: "app-9", mode: "chat" },
  },
];

/** The daemon's answers for a case, found by the invoke payload's type. */
const answerFrom =
  (replies: BackwardsReply[]): BackwardsAnswer =>
  () =>
    replies;

const invocation = (op: string, value = "v") =>
  invokeToolRequest({ provider: "fixture", tool: "backwards", credentials, tool_parameters: { op, key: "k", value } });

/** What the handler returned: its JSON message, or its text. */
const output = (result: SessionResult): JsonValue => {
  const messages = reassemble(result.stream);
  return messages.jsons[0] ?? messages.text;
};

/** Runs one operation on a transport; `answer` plays the daemon. */
type Run = (op: string, value: string | undefined, answer: BackwardsAnswer) => Promise<SessionResult>;

let stdio: PluginProcess;
let restricted: PluginProcess;
let serverless: PluginProcess;
let serverlessBase: string;
let transactions: BackwardsTransactionServer;
let serverlessAnswer: BackwardsAnswer = () => [];
let counter = 0;

beforeAll(async () => {
  stdio = spawnTypeScriptPlugin(entry);
  restricted = spawnTypeScriptPlugin(entry, { FIXTURE_RESTRICTED: "1" });
  transactions = await BackwardsTransactionServer.start((invoke) => serverlessAnswer(invoke));
  serverless = spawnTypeScriptPlugin(entry, {
    INSTALL_METHOD: "serverless",
    SERVERLESS_HOST: "127.0.0.1",
    SERVERLESS_PORT: "0",
    DIFY_PLUGIN_DAEMON_URL: transactions.url,
  });
  const banner = await eventually(
    () => serverless.strayLines.find((line) => line.startsWith("* Running on http://")),
    Boolean,
  );
  serverlessBase = `http://127.0.0.1:${/:(\d+)$/.exec(banner!)![1]}`;
});

afterAll(async () => {
  for (const process of [stdio, restricted, serverless]) process?.kill();
  await transactions?.close();
});

const overStdio =
  (target: () => PluginProcess): Run =>
  (op, value, answer) => {
    const plugin = target();
    const sessionId = `invocations-${counter++}`;
    return plugin.request(invocation(op, value), {
      sessionId,
      onInvoke: (payload) => {
        for (const reply of answer(payload))
          plugin.respondBackwards(
            sessionId,
            String(payload.backwards_request_id),
            reply.event,
            reply.data,
            reply.message,
          );
      },
    });
  };

const overServerless: Run = async (op, value, answer) => {
  serverlessAnswer = answer;
  const sessionId = `invocations-http-${counter++}`;
  const { result } = await invokeServerless(serverlessBase, sessionId, invocation(op, value));
  // The serverless session stream carries no invoke messages: they went to the transaction endpoint.
  return { ...result, invokes: transactions.received.splice(0) };
};

describe.each([
  ["stdio", overStdio(() => stdio)],
  ["serverless HTTP", overServerless],
] as const)("typed backwards invocations over %s", (_transport, run) => {
  it.each(cases.map((testCase) => [testCase.op, testCase] as const))("%s", async (_op, testCase) => {
    const result = await run(testCase.op, testCase.value, answerFrom(testCase.answer));
    expect(result.error).toBeUndefined();
    expect(result.invokes).toHaveLength(1);
    expect(result.invokes[0]).toEqual({
      type: testCase.type,
      backwards_request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      request: testCase.request,
    });
    expect(output(result)).toEqual(testCase.output);
  });

  it("summary returns a text shorter than min_summarize_length without calling Dify", async () => {
    const result = await run("summary", "tiny", answerFrom([]));
    expect(result.invokes).toEqual([]);
    expect(output(result)).toEqual({ summary: "tiny" });
  });

  it("an answer without a required field fails with the field named", async () => {
    const result = await run("text_embedding", undefined, answerFrom(answers({ model: "embed", usage: {} })));
    expect(result.error).toEqual({
      error_type: "BackwardsInvocationError",
      message:
        'Failed to parse response: the text_embedding answer\'s field "embeddings" should be an array, got missing',
      args: { traceback: expect.any(String) },
    });
  });

  it("a model config without a provider is refused before anything is sent, naming the field", async () => {
    const result = await run("llm_no_provider", undefined, answerFrom([]));
    expect(result.invokes).toEqual([]);
    expect(result.error).toEqual({
      error_type: "InvalidInvocationError",
      message:
        'dify.model.llm: model_config.provider must be a non-empty string, e.g. { provider: "openai", model: "gpt-4o-mini" }',
      args: { traceback: expect.any(String) },
    });
  });

  it("no answer at all fails with the SDK's message for the kind", async () => {
    const result = await run("rerank", undefined, answerFrom([{ event: "end" }]));
    expect(result.error?.message).toBe("No response from rerank");
  });
});

describe("file upload", () => {
  let uploads: Server;
  let uploadsUrl: string;
  let answerUpload: (form: FormData) => { status: number; body: string };
  const received: FormData[] = [];

  beforeAll(async () => {
    // Stands in for Dify's signed upload URL (files/upload/for-plugin): multipart in, 201 and the file's record out.
    uploads = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (piece: Buffer) => chunks.push(piece));
      request.on("end", () => {
        void new Response(Buffer.concat(chunks), { headers: { "content-type": request.headers["content-type"]! } })
          .formData()
          .then((form) => {
            received.push(form);
            const { status, body } = answerUpload(form);
            response.writeHead(status, { "content-type": "application/json" }).end(body);
          });
      });
    });
    await new Promise<void>((resolve) => uploads.listen(0, "127.0.0.1", resolve));
    uploadsUrl = `http://127.0.0.1:${(uploads.address() as AddressInfo).port}/files/upload/for-plugin?sign=s3cret`;
  });

  afterAll(async () => {
    uploads.closeAllConnections();
    await new Promise((resolve) => uploads.close(resolve));
  });

  const record = { id: "file-1", name: "note.txt", size: 5, extension: "txt", mime_type: "text/plain" };

  it.each([
    ["stdio", overStdio(() => stdio)],
    ["serverless HTTP", overServerless],
  ] as const)("over %s: asks Dify for a signed URL, POSTs the file there and reads the record", async (_t, run) => {
    answerUpload = () => ({ status: 201, body: JSON.stringify(record) });
    const result = await run("upload_file", "hello", answerFrom(answers({ url: uploadsUrl })));
    expect(result.invokes[0]).toMatchObject({
      type: "upload_file",
      request: { filename: "note.txt", mimetype: "text/plain" },
    });
    expect(output(result)).toEqual({ ...record, type: "document", preview_url: null });
    const file = received.at(-1)!.get("file") as File;
    expect([file.name, file.type, await file.text()]).toEqual(["note.txt", "text/plain", "hello"]);
  });

  it("a refused upload fails with the status and the answer, never the signed URL", async () => {
    answerUpload = () => ({ status: 413, body: '{"message":"file too large"}' });
    const result = await overStdio(() => stdio)("upload_file", "hello", answerFrom(answers({ url: uploadsUrl })));
    expect(result.error).toEqual({
      error_type: "FileUploadError",
      message: 'upload file failed, status code: 413, response: {"message":"file too large"}',
      args: { traceback: expect.any(String) },
    });
  });

  it("an answer without a URL fails before any upload", async () => {
    const before = received.length;
    const result = await overStdio(() => stdio)("upload_file", "hello", answerFrom(answers({})));
    expect(result.error?.message).toBe("upload file failed, could not get signed url");
    expect(received).toHaveLength(before);
  });
});

describe("the permission gate", () => {
  const permissionOf: Record<string, string> = {
    llm: "model.enabled and model.llm",
    llm_blocking: "model.enabled and model.llm",
    llm_structured: "model.enabled and model.llm",
    text_embedding: "model.enabled and model.text_embedding",
    multimodal_embedding: "model.enabled and model.text_embedding",
    rerank: "model.enabled and model.rerank",
    multimodal_rerank: "model.enabled and model.rerank",
    tts: "model.enabled and model.tts",
    speech2text: "model.enabled and model.speech2text",
    moderation: "model.enabled and model.moderation",
    summary: "model.enabled and model.llm",
    parameter_extractor: "node.enabled",
    question_classifier: "node.enabled",
    app_chat: "app.enabled",
    app_chat_blocking: "app.enabled",
    app_completion: "app.enabled",
    app_workflow: "app.enabled",
    fetch_app: "app.enabled",
  };

  it.each(Object.entries(permissionOf))("refuses %s without %s, before anything is sent", async (op, permission) => {
    const result = await overStdio(() => restricted)(op, "a text long enough", answerFrom([]));
    expect(result.invokes).toEqual([]);
    expect(result.error?.error_type).toBe("PermissionDenied");
    expect(result.error?.message).toMatch(
      new RegExp(
        `is not permitted: declare resource\\.permission\\.${permission.replaceAll(".", "\\.")} in the plugin manifest$`,
      ),
    );
  });

  it("file upload needs no permission (the daemon grants it to every plugin)", async () => {
    const result = await overStdio(() => restricted)("upload_file", "hello", answerFrom([{ event: "end" }]));
    expect(result.invokes).toHaveLength(1);
    expect(result.error?.message).toBe("upload file failed, empty response from server");
  });
});
