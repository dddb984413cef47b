/**
 * The fixture's `backwards` tool: one operation per backwards invocation, each
 * with fixed inputs, answering with what the helper returned (as JSON) so a
 * test sees both the request that left and how the answer was read.
 */
import { json, localized, text, type Provider } from "../index.js";
import type { CredentialFields } from "../definitions.js";
import type { JsonObject, JsonValue } from "@dify-ts/protocol";
import type { ToolContext } from "../context.js";

const llmModel = { provider: "openai", model: "gpt", mode: "chat" } as const;
const nodeModel = { provider: "openai", name: "gpt" };

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

type Operation = (context: ToolContext, key: string, value: string) => Promise<JsonValue | string>;

const operations: Record<string, Operation> = {
  storage_set: async ({ dify }, key, value) => (await dify.storage.set(key, Buffer.from(value)), { ok: true }),
  storage_get: async ({ dify }, key) => ({ value: (await dify.storage.get(key)).toString() }),
  storage_exist: async ({ dify }, key) => ({ exists: await dify.storage.exist(key) }),
  storage_delete: async ({ dify }, key) => (await dify.storage.delete(key), { ok: true }),
  tool: async ({ dify }) => ({
    messages: await collect(
      dify.tool.invoke({
        tool_type: "builtin",
        provider: "time",
        tool: "current_time",
        tool_parameters: { timezone: "UTC" },
      }),
    ),
  }),
  // Text: the chunks' content joined, as a stream of text messages would show it.
  llm: async ({ dify }) => {
    let answer = "";
    for await (const chunk of dify.model.llm({
      model_config: llmModel,
      prompt_messages: [{ role: "user", content: "hi" }],
    }))
      answer += typeof chunk.delta.message.content === "string" ? chunk.delta.message.content : "";
    return answer;
  },
  // A model config without a provider: refused before anything is sent.
  llm_no_provider: async ({ dify }) =>
    await dify.model.llm({ model_config: { ...llmModel, provider: "" }, prompt_messages: [], stream: false }),
  llm_blocking: async ({ dify }) =>
    await dify.model.llm({
      model_config: { ...llmModel, completion_params: { temperature: 0.2 } },
      prompt_messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: [{ type: "text", data: "hi" }] },
        {
          role: "assistant",
          content: "",
          tool_calls: [{ id: "call-1", type: "function", function: { name: "clock", arguments: "{}" } }],
        },
        { role: "tool", content: "12:00", tool_call_id: "call-1" },
      ],
      tools: [{ name: "clock", description: "Tells the time", parameters: { type: "object", properties: {} } }],
      stop: ["\n\n"],
      stream: false,
    }),
  llm_structured: async ({ dify }) =>
    await dify.model.llmStructuredOutput({
      model_config: llmModel,
      prompt_messages: [{ role: "user", content: "name a colour" }],
      structured_output_schema: { type: "object", properties: { colour: { type: "string" } } },
      stream: false,
    }),
  text_embedding: async ({ dify }) =>
    await dify.model.textEmbedding({ model_config: { provider: "openai", model: "embed" }, texts: ["a", "b"] }),
  multimodal_embedding: async ({ dify }) =>
    await dify.model.multimodalEmbedding({
      model_config: { provider: "openai", model: "embed", tenant_id: "tenant-1" },
      documents: [{ content: "a", content_type: "text" }],
      input_type: "document",
    }),
  rerank: async ({ dify }) =>
    await dify.model.rerank({
      model_config: { provider: "cohere", model: "rerank", score_threshold: 0.5, top_n: 2 },
      docs: ["x", "y"],
      query: "q",
    }),
  multimodal_rerank: async ({ dify }) =>
    await dify.model.multimodalRerank({
      model_config: { provider: "cohere", model: "rerank" },
      query: { content: "q", content_type: "text" },
      docs: [{ content: "aW1n", content_type: "image" }],
    }),
  tts: async ({ dify }) => {
    const pieces = await collect(
      dify.model.tts({ model_config: { provider: "openai", model: "tts-1", voice: "alloy" }, content_text: "hello" }),
    );
    return { pieces: pieces.length, audio: Buffer.concat(pieces).toString() };
  },
  speech2text: async ({ dify }) => ({
    text: await dify.model.speech2text({
      model_config: { provider: "openai", model: "whisper" },
      file: Buffer.from("RIFF"),
    }),
  }),
  moderation: async ({ dify }) => ({
    flagged: await dify.model.moderation({ model_config: { provider: "openai", model: "mod" }, text: "bad" }),
  }),
  summary: async ({ dify }, _key, value) => ({
    summary: await dify.model.summary({ text: value, instruction: "shorten", min_summarize_length: 10 }),
  }),
  parameter_extractor: async ({ dify }) =>
    await dify.workflowNode.parameterExtractor({
      parameters: [{ name: "city", type: "string", description: "the city", required: true }],
      model: nodeModel,
      query: "weather in Paris",
    }),
  question_classifier: async ({ dify }) =>
    await dify.workflowNode.questionClassifier({
      classes: [
        { id: "1", name: "weather" },
        { id: "2", name: "other" },
      ],
      model: { ...nodeModel, mode: "completion", completion_params: { temperature: 0 } },
      query: "weather in Paris",
      instruction: "pick one",
    }),
  app_chat: async ({ dify }) => ({
    events: await collect(dify.app.chat({ app_id: "app-9", query: "hi", inputs: { x: 1 } })),
  }),
  app_chat_blocking: async ({ dify }) =>
    await dify.app.chat({
      app_id: "app-9",
      query: "hi",
      inputs: {},
      response_mode: "blocking",
      conversation_id: "conv-1",
      user: "user-1",
    }),
  app_completion: async ({ dify }) => await dify.app.completion({ app_id: "app-9", inputs: { topic: "tea" } }),
  app_workflow: async ({ dify }) => ({
    events: await collect(dify.app.workflow({ app_id: "app-9", inputs: {}, response_mode: "streaming" })),
  }),
  fetch_app: async ({ dify }) => await dify.app.fetch("app-9"),
  upload_file: async ({ dify }, _key, value) =>
    await dify.file.upload({ filename: "note.txt", content: Buffer.from(value), mimetype: "text/plain" }),
};

export function backwardsTool<C extends CredentialFields>(provider: Provider<C>) {
  return provider.defineTool({
    identity: { name: "backwards", label: localized("Backwards") },
    description: { human: localized("Calls back into Dify"), llm: "Backwards" },
    parameters: {
      op: {
        type: "select",
        required: true,
        form: "form",
        label: localized("Operation"),
        human_description: localized("What to call"),
        options: Object.keys(operations).map((value) => ({ value, label: localized(value) })),
      },
      key: {
        type: "string",
        form: "llm",
        default: "k",
        label: localized("Key"),
        human_description: localized("Storage key"),
      },
      value: {
        type: "string",
        form: "llm",
        default: "v",
        label: localized("Value"),
        human_description: localized("Storage value, text to summarize or file content"),
      },
    },
    async handler(params, context) {
      // Logged before the call leaves, so a test can see the session stream while the call is pending.
      context.logger.info(`backwards ${params.op}`);
      const result = await operations[params.op]!(context as ToolContext, params.key, params.value);
      return typeof result === "string" ? text(result) : json(result as JsonObject);
    },
  });
}
