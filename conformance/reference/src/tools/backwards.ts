import { json, type JsonObject, type PromptMessage, type ToolContext } from "@dify-ts/runtime";
import { provider } from "../provider.js";

const llm = { provider: "openai", model: "gpt", mode: "chat" } as const;
const nodeModel = { provider: "openai", name: "gpt" };

const conversation: PromptMessage[] = [
  { role: "system", content: "be brief" },
  {
    role: "user",
    content: [
      { type: "text", data: "what time is it?" },
      { type: "image", format: "png", mime_type: "image/png", base64_data: "aW1n" },
    ],
  },
  {
    role: "assistant",
    content: "",
    tool_calls: [{ id: "call-1", type: "function", function: { name: "clock", arguments: "{}" } }],
  },
  { role: "tool", content: "12:00", tool_call_id: "call-1" },
];
const clock = { name: "clock", description: "Tells the time", parameters: { type: "object", properties: {} } };

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** One backwards invocation per kind, with the inputs of tools/backwards.py; each answers with what it read. */
const kinds: Record<string, (dify: ToolContext["dify"]) => Promise<JsonObject>> = {
  llm: async (dify) => {
    const chunks = await collect(
      dify.model.llm({
        model_config: { ...llm, completion_params: { temperature: 0.2 } },
        prompt_messages: conversation,
        tools: [clock],
        stop: ["\n\n"],
      }),
    );
    return { text: chunks.map((chunk) => String(chunk.delta.message.content)).join(""), chunks: chunks.length };
  },
  llm_blocking: async (dify) => {
    const result = await dify.model.llm({
      model_config: llm,
      prompt_messages: [{ role: "user", content: "hi" }],
      stream: false,
    });
    const { prompt_tokens, completion_tokens, total_tokens, currency } = result.usage;
    return {
      model: result.model,
      content: result.message.content,
      tool_calls: result.message.tool_calls,
      usage: { prompt_tokens, completion_tokens, total_tokens, currency },
    };
  },
  llm_structured: async (dify) => {
    const result = await dify.model.llmStructuredOutput({
      model_config: llm,
      prompt_messages: [{ role: "user", content: "name a colour" }],
      structured_output_schema: { type: "object", properties: { colour: { type: "string" } } },
      stream: false,
    });
    return { content: result.message.content, structured_output: result.structured_output };
  },
  text_embedding: async (dify) => {
    const result = await dify.model.textEmbedding({
      model_config: { provider: "openai", model: "embed" },
      texts: ["a", "b"],
    });
    return { model: result.model, embeddings: result.embeddings, tokens: result.usage.total_tokens };
  },
  multimodal_embedding: async (dify) => {
    const result = await dify.model.multimodalEmbedding({
      model_config: { provider: "openai", model: "embed", tenant_id: "tenant-1" },
      documents: [{ content: "a", content_type: "text" }],
      input_type: "document",
    });
    return { model: result.model, embeddings: result.embeddings, tokens: result.usage.total_tokens };
  },
  rerank: async (dify) => {
    const result = await dify.model.rerank({
      model_config: { provider: "cohere", model: "rerank", score_threshold: 0.5, top_n: 2 },
      docs: ["x", "y"],
      query: "q",
    });
    return { model: result.model, docs: result.docs.map((doc) => [doc.index, doc.text, doc.score]) };
  },
  multimodal_rerank: async (dify) => {
    const result = await dify.model.multimodalRerank({
      model_config: { provider: "cohere", model: "rerank" },
      query: { content: "q", content_type: "text" },
      docs: [{ content: "aW1n", content_type: "image" }],
    });
    return { model: result.model, docs: result.docs.map((doc) => [doc.index, doc.text, doc.score]) };
  },
  tts: async (dify) => {
    const pieces = await collect(
      dify.model.tts({ model_config: { provider: "openai", model: "tts-1", voice: "alloy" }, content_text: "hello" }),
    );
    return { pieces: pieces.length, audio: Buffer.concat(pieces).toString() };
  },
  speech2text: async (dify) => ({
    text: await dify.model.speech2text({
      model_config: { provider: "openai", model: "whisper" },
      file: Buffer.from("RIFF"),
    }),
  }),
  moderation: async (dify) => ({
    flagged: await dify.model.moderation({ model_config: { provider: "openai", model: "mod" }, text: "bad" }),
  }),
  summary: async (dify) => ({
    short: await dify.model.summary({ text: "short text", instruction: "shorten", min_summarize_length: 20 }),
    long: await dify.model.summary({
      text: "a text long enough to summarize",
      instruction: "shorten",
      min_summarize_length: 20,
    }),
  }),
  parameter_extractor: async (dify) =>
    await dify.workflowNode.parameterExtractor({
      parameters: [{ name: "city", type: "string", description: "the city", required: true }],
      model: nodeModel,
      query: "weather in Paris",
    }),
  question_classifier: async (dify) =>
    await dify.workflowNode.questionClassifier({
      classes: [
        { id: "1", name: "weather" },
        { id: "2", name: "other" },
      ],
      model: { provider: "openai", name: "gpt", mode: "completion", completion_params: { temperature: 0 } },
      query: "weather in Paris",
      instruction: "pick one",
    }),
  tool: async (dify) => {
    const messages = await collect(
      dify.tool.invoke({
        tool_type: "builtin",
        provider: "time",
        tool: "current_time",
        tool_parameters: { timezone: "UTC" },
      }),
    );
    return { texts: messages.map((message) => message.message?.text ?? null) };
  },
  app_chat: async (dify) => ({
    events: await collect(
      dify.app.chat({ app_id: "app-9", query: "hi", inputs: { x: 1 }, response_mode: "streaming" }),
    ),
  }),
  app_chat_blocking: async (dify) =>
    await dify.app.chat({
      app_id: "app-9",
      query: "hi",
      inputs: {},
      response_mode: "blocking",
      conversation_id: "conv-1",
      user: "user-1",
    }),
  app_completion: async (dify) =>
    await dify.app.completion({ app_id: "app-9", inputs: { topic: "tea" }, response_mode: "blocking" }),
  app_workflow: async (dify) => ({
    events: await collect(dify.app.workflow({ app_id: "app-9", inputs: {}, response_mode: "streaming" })),
  }),
  fetch_app: async (dify) => await dify.app.fetch("app-9"),
  upload_file: async (dify) =>
    await dify.file.upload({ filename: "note.txt", content: Buffer.from("hello"), mimetype: "text/plain" }),
};

export const backwards = provider.defineTool({
  identity: { name: "backwards", label: { en_US: "Backwards", zh_Hans: "反向调用" } },
  description: {
    human: {
      en_US: "Calls back into Dify with fixed inputs (one invocation per kind) and answers with what it read",
      zh_Hans: "以固定输入反向调用 Dify（每种调用一个）并返回读取到的内容",
    },
    llm: "Calls back into Dify.",
  },
  parameters: {
    kind: {
      type: "string",
      required: true,
      form: "llm",
      label: { en_US: "Kind", zh_Hans: "种类" },
      human_description: { en_US: "Which invocation to make", zh_Hans: "要进行的调用" },
      llm_description: "The invocation kind.",
    },
  },
  async handler(params, context) {
    const kind = kinds[params.kind];
    if (!kind) throw new TypeError(`unknown kind ${params.kind}`);
    return json(await kind(context.dify));
  },
});
