/**
 * The `dify` object a handler receives: typed calls back into Dify, each a
 * backwards invocation on the session's channel, gated by the manifest's
 * permissions before anything is sent. Payloads and answers follow the SDK's
 * invocations/*.py: the same fields with the same defaults, the same messages
 * when Dify answers nothing (storage values, audio and speech travel hex-encoded).
 */
import { checkPermission, type BackwardsChannel, type InvokeType } from "./backwards.js";
import type { DifyInvocations, SessionInfo } from "./context.js";
import type { Permissions } from "./definitions.js";
import { PluginError } from "./errors.js";
import type {
  ChatAppRequest,
  CompletionAppRequest,
  LLMRequest,
  LLMResult,
  LLMResultChunk,
  LLMResultChunkWithStructuredOutput,
  LLMResultWithStructuredOutput,
  LLMStructuredOutputRequest,
  MultiModalEmbeddingResult,
  NodeResponse,
  RerankResult,
  TextEmbeddingResult,
  ToolInvokeMessage,
  UploadFileResponse,
} from "./invocation-types.js";
import {
  collectLLMResult,
  collectStructuredResult,
  withChunkDefaults,
  fileTypeOf,
  modelConfigWire,
  nodeModelWire,
  parameterConfigWire,
  parseAnswer,
  promptMessageWire,
} from "./invocation-wire.js";
import type { JsonObject } from "@dify-ts/protocol";

export interface InvocationScope {
  channel: BackwardsChannel;
  permissions: Permissions | undefined;
  session: SessionInfo;
  timeoutMs: number;
  signal: AbortSignal;
}

export function createInvocations({
  channel,
  permissions,
  session,
  timeoutMs,
  signal,
}: InvocationScope): DifyInvocations {
  const invoke = (type: InvokeType, request: JsonObject): AsyncIterable<JsonObject> => {
    checkPermission(type, permissions);
    return channel(type, request, { timeoutMs, signal });
  };
  /** The first answer, or undefined when the daemon ended without one. */
  const first = async (type: InvokeType, request: JsonObject): Promise<JsonObject | undefined> => {
    for await (const data of invoke(type, request)) return data;
    return undefined;
  };
  /** The first answer; none is an error with the SDK's message for that invocation. */
  const single = async (type: InvokeType, request: JsonObject, noResponse: string): Promise<JsonObject> => {
    const data = await first(type, request);
    if (!data) throw new PluginError("BackwardsInvocationError", noResponse);
    return data;
  };
  async function* parsed<T>(
    type: InvokeType,
    request: JsonObject,
    fields: AnswerFields,
    fill: (answer: T) => T,
  ): AsyncGenerator<T> {
    for await (const data of invoke(type, request)) yield fill(parseAnswer<T>(type, data, fields));
  }
  /** Sync, so a refused permission throws at the call, before the caller iterates. */
  const stream = <T>(
    type: InvokeType,
    request: JsonObject,
    fields: AnswerFields,
    fill: (answer: T) => T = (answer) => answer,
  ): AsyncIterable<T> => {
    checkPermission(type, permissions);
    return parsed<T>(type, request, fields, fill);
  };
  const storageError = (message: string) => new PluginError("StorageInvocationError", message);
  const expectOk = (data: JsonObject | undefined, missing: boolean): void => {
    if (data === undefined) {
      if (missing) throw storageError("no data found");
      return;
    }
    if (data.data !== "ok") throw storageError(`unexpected data: ${JSON.stringify(data.data)}`);
  };

  const llmPayload = (
    helper: string,
    { model_config, prompt_messages, tools, stop, stream: streamed = true }: LLMRequest,
  ) => ({
    ...modelConfigWire(helper, model_config, "llm"),
    completion_params: model_config.completion_params ?? {},
    prompt_messages: prompt_messages.map(promptMessageWire),
    tools: tools?.length ? tools.map((tool) => ({ ...tool })) : null,
    stop: stop ?? null,
    stream: streamed,
  });
  const chunkFields: AnswerFields = { model: "string", delta: "object" };

  function llm(request: LLMRequest & { stream?: true }): AsyncIterable<LLMResultChunk>;
  function llm(request: LLMRequest & { stream: false }): Promise<LLMResult>;
  function llm(request: LLMRequest): AsyncIterable<LLMResultChunk> | Promise<LLMResult> {
    const chunks = stream<LLMResultChunk>("llm", llmPayload("llm", request), chunkFields, withChunkDefaults);
    return request.stream === false ? collectLLMResult(request.model_config.model, chunks) : chunks;
  }

  function llmStructuredOutput(
    request: LLMStructuredOutputRequest & { stream?: true },
  ): AsyncIterable<LLMResultChunkWithStructuredOutput>;
  function llmStructuredOutput(
    request: LLMStructuredOutputRequest & { stream: false },
  ): Promise<LLMResultWithStructuredOutput>;
  function llmStructuredOutput(
    request: LLMStructuredOutputRequest,
  ): AsyncIterable<LLMResultChunkWithStructuredOutput> | Promise<LLMResultWithStructuredOutput> {
    const payload = {
      ...llmPayload("llmStructuredOutput", request),
      structured_output_schema: request.structured_output_schema,
    };
    const chunks = stream<LLMResultChunkWithStructuredOutput>(
      "llm_structured_output",
      payload,
      chunkFields,
      (chunk) => ({
        ...withChunkDefaults(chunk),
        structured_output: chunk.structured_output ?? null,
      }),
    );
    return request.stream === false ? collectStructuredResult(request.model_config.model, chunks) : chunks;
  }

  /** App invocations: a stream of the app's events, or its one answer when blocking. */
  const app = (request: JsonObject, streaming: boolean, kind: string) => {
    if (streaming) return invoke("app", request);
    return single("app", request, `No response from ${kind}`);
  };
  function chat(request: ChatAppRequest & { response_mode?: "streaming" }): AsyncIterable<JsonObject>;
  function chat(request: ChatAppRequest & { response_mode: "blocking" }): Promise<JsonObject>;
  function chat(request: ChatAppRequest): AsyncIterable<JsonObject> | Promise<JsonObject> {
    const response_mode = request.response_mode ?? "streaming";
    const payload = {
      app_id: request.app_id,
      query: request.query,
      inputs: request.inputs,
      response_mode,
      conversation_id: request.conversation_id ?? null,
      user: request.user ?? null,
    };
    return app(payload, response_mode === "streaming", "chat");
  }
  /** Completion and workflow apps take the same request and default to blocking. */
  const blockingByDefault = (kind: string) => {
    function call(request: CompletionAppRequest & { response_mode?: "blocking" }): Promise<JsonObject>;
    function call(request: CompletionAppRequest & { response_mode: "streaming" }): AsyncIterable<JsonObject>;
    function call(request: CompletionAppRequest): AsyncIterable<JsonObject> | Promise<JsonObject> {
      const response_mode = request.response_mode ?? "blocking";
      const payload = { app_id: request.app_id, inputs: request.inputs, response_mode, user: request.user ?? null };
      return app(payload, response_mode === "streaming", kind);
    }
    return call;
  };

  return {
    invoke,
    model: {
      llm,
      llmStructuredOutput,
      textEmbedding: async ({ model_config, texts, input_type = "query" }) =>
        parseAnswer<TextEmbeddingResult>(
          "text_embedding",
          await single(
            "text_embedding",
            { ...modelConfigWire("textEmbedding", model_config, "text-embedding"), texts, input_type },
            "No response from text embedding",
          ),
          { model: "string", embeddings: "array", usage: "object" },
        ),
      multimodalEmbedding: async ({ model_config, documents, input_type = "query" }) =>
        parseAnswer<MultiModalEmbeddingResult>(
          "multimodal_embedding",
          await single(
            "multimodal_embedding",
            {
              ...modelConfigWire("multimodalEmbedding", model_config, "text-embedding"),
              documents: documents.map(({ content, content_type }) => ({ content, content_type })),
              input_type,
            },
            "No response from multimodal embedding",
          ),
          { model: "string", embeddings: "array", usage: "object" },
        ),
      rerank: async ({ model_config, docs, query }) =>
        parseAnswer<RerankResult>(
          "rerank",
          await single(
            "rerank",
            { ...modelConfigWire("rerank", model_config, "rerank"), docs, query },
            "No response from rerank",
          ),
          { model: "string", docs: "array" },
        ),
      multimodalRerank: async ({ model_config, query, docs }) =>
        parseAnswer<RerankResult>(
          "multimodal_rerank",
          await single(
            "multimodal_rerank",
            {
              ...modelConfigWire("multimodalRerank", model_config, "rerank"),
              score_threshold: model_config.score_threshold ?? null,
              top_n: model_config.top_n ?? null,
              query: { content: query.content, content_type: query.content_type },
              docs: docs.map(({ content, content_type }) => ({ content, content_type })),
            },
            "No response from multimodal rerank",
          ),
          { model: "string", docs: "array" },
        ),
      tts: ({ model_config, content_text }) => {
        const pieces = stream<{ result: string }>(
          "tts",
          { ...modelConfigWire("tts", model_config, "tts"), content_text },
          { result: "string" },
        );
        return (async function* () {
          for await (const piece of pieces) yield Buffer.from(piece.result, "hex");
        })();
      },
      speech2text: async ({ model_config, file }) => {
        const data = await single(
          "speech2text",
          { ...modelConfigWire("speech2text", model_config, "speech2text"), file: Buffer.from(file).toString("hex") },
          "No response from speech2text",
        );
        return parseAnswer<{ result: string }>("speech2text", data, { result: "string" }).result;
      },
      moderation: async ({ model_config, text }) => {
        const data = await single(
          "moderation",
          { ...modelConfigWire("moderation", model_config, "moderation"), text },
          "No response from moderation",
        );
        return parseAnswer<{ result: boolean }>("moderation", data, { result: "boolean" }).result;
      },
      summary: async ({ text, instruction, min_summarize_length = 1024 }) => {
        checkPermission("system_summary", permissions);
        // Python's len(): code points, not UTF-16 units.
        if ([...text].length < min_summarize_length) return text;
        const data = await single("system_summary", { text, instruction }, "No response from summary");
        return parseAnswer<{ summary: string }>("system_summary", data, { summary: "string" }).summary;
      },
    },
    tool: {
      invoke: ({ credential_id, ...request }) => {
        const credentialId = credential_id ?? toolCredentialId(session, request.provider);
        return stream<ToolInvokeMessage>(
          "tool",
          {
            ...request,
            ...(session.appId ? { app_id: session.appId } : {}),
            ...(credentialId ? { credential_id: credentialId } : {}),
          },
          { type: "string" },
        );
      },
    },
    app: {
      chat,
      completion: blockingByDefault("completion"),
      workflow: blockingByDefault("workflow"),
      fetch: (appId) => single("fetch_app", { app_id: appId }, "No response"),
    },
    workflowNode: {
      parameterExtractor: async ({ parameters, model, query, instruction = "" }) =>
        parseAnswer<NodeResponse>(
          "node_parameter_extractor",
          await single(
            "node_parameter_extractor",
            { parameters: parameters.map(parameterConfigWire), model: nodeModelWire(model), query, instruction },
            "No response from workflow node parameter extractor",
          ),
          nodeFields,
        ),
      questionClassifier: async ({ classes, model, query, instruction = "" }) =>
        parseAnswer<NodeResponse>(
          "node_question_classifier",
          await single(
            "node_question_classifier",
            { classes: classes.map(({ id, name }) => ({ id, name })), model: nodeModelWire(model), query, instruction },
            "No response from workflow node question classifier",
          ),
          nodeFields,
        ),
    },
    storage: {
      get: async (key) => {
        const data = await first("storage", { opt: "get", key });
        if (!data) throw storageError("no data found");
        return Buffer.from(String(data.data), "hex");
      },
      // As in the SDK, a set the daemon ends without an answer counts as done.
      set: async (key, value) =>
        expectOk(await first("storage", { opt: "set", key, value: Buffer.from(value).toString("hex") }), false),
      delete: async (key) => expectOk(await first("storage", { opt: "del", key }), true),
      exist: async (key) => {
        const data = await first("storage", { opt: "exist", key });
        if (!data) throw storageError("no data found");
        return data.data === true;
      },
    },
    file: {
      upload: async ({ filename, content, mimetype }) => {
        const data = await first("upload_file", { filename, mimetype });
        if (!data) throw uploadError("upload file failed, empty response from server");
        if (typeof data.url !== "string" || data.url === "")
          throw uploadError("upload file failed, could not get signed url");
        return uploadToSignedUrl(data.url, filename, content, mimetype, signal);
      },
    },
  };
}

type AnswerFields = Parameters<typeof parseAnswer>[2];
const nodeFields: AnswerFields = { process_data: "object", inputs: "object", outputs: "object" };

const uploadError = (message: string) => new PluginError("FileUploadError", message);

/** POSTs the file as multipart form field `file`; Dify answers 201 with the file's record. The URL is signed: never shown. */
async function uploadToSignedUrl(
  url: string,
  filename: string,
  content: Uint8Array,
  mimetype: string,
  signal: AbortSignal,
): Promise<UploadFileResponse> {
  const form = new FormData();
  form.append("file", new Blob([content], { type: mimetype }), filename);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      body: form,
      signal: AbortSignal.any([signal, AbortSignal.timeout(UPLOAD_TIMEOUT_MS)]),
    });
  } catch (error) {
    const reason = (error as Error).name === "TimeoutError" ? "no answer within 10 s" : (error as Error).message;
    throw uploadError(`upload file failed: ${reason}`);
  }
  const body = await response.text();
  if (response.status !== 201)
    throw uploadError(`upload file failed, status code: ${response.status}, response: ${body.slice(0, 500)}`);
  let record: JsonObject;
  try {
    record = JSON.parse(body) as JsonObject;
  } catch {
    throw uploadError(`upload file failed, the answer is not JSON: ${body.slice(0, 200)}`);
  }
  const file = parseAnswer<UploadFileResponse>("upload_file", record, {
    id: "string",
    name: "string",
    size: "number",
    extension: "string",
    mime_type: "string",
  });
  return { ...file, type: file.type ?? fileTypeOf(file.mime_type), preview_url: file.preview_url ?? null };
}

/** The SDK's requests.post(..., timeout=10). */
const UPLOAD_TIMEOUT_MS = 10_000;

/** The credential the workflow chose for a provider, from the session context (SDK: InvokeCredentials). */
function toolCredentialId(session: SessionInfo, provider: string): string | undefined {
  const credentials = (session.context?.credentials ?? null) as JsonObject | null;
  const byProvider = (credentials?.tool_credentials ?? null) as JsonObject | null;
  const id = byProvider?.[provider];
  return typeof id === "string" && id !== "" ? id : undefined;
}
