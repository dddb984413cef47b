/**
 * The wire forms of backwards-invocation payloads and answers, as the SDK's
 * pydantic models produce and read them: every field with its default filled
 * in (`model_dump()`), answers checked for the fields the SDK's models require
 * ("Failed to parse response: ..."), and a streamed LLM answer collected into
 * one result the way LLMInvocation does with stream=False.
 */
import type {
  AssistantPromptMessage,
  ModelConfigBase,
  LLMResult,
  LLMResultChunk,
  LLMResultChunkWithStructuredOutput,
  LLMResultWithStructuredOutput,
  LLMUsage,
  NodeModelConfig,
  ParameterConfig,
  PromptMessage,
  PromptMessageContent,
} from "./invocation-types.js";
import { PluginError } from "./errors.js";
import type { InvokeType } from "./backwards.js";
import type { JsonObject, JsonValue } from "@dify-ts/protocol";

function contentWire(content: PromptMessageContent): JsonObject {
  if (content.type === "text") return { opaque_body: content.opaque_body ?? null, type: "text", data: content.data };
  return {
    opaque_body: content.opaque_body ?? null,
    format: content.format,
    base64_data: content.base64_data ?? "",
    url: content.url ?? "",
    mime_type: content.mime_type,
    filename: content.filename ?? "",
    type: content.type,
    ...(content.type === "image" ? { detail: content.detail ?? "low" } : {}),
  };
}

/** PromptMessage.model_dump(): role, content, name, and the role's own fields. */
export function promptMessageWire(message: PromptMessage): JsonObject {
  const content = message.content;
  const wire: JsonObject = {
    role: message.role,
    content: Array.isArray(content) ? content.map(contentWire) : (content ?? null),
    name: message.name ?? null,
  };
  if (message.role === "assistant") {
    wire.tool_calls = (message.tool_calls ?? []).map((call) => ({ ...call, function: { ...call.function } }));
    wire.opaque_body = message.opaque_body ?? null;
  }
  if (message.role === "tool") wire.tool_call_id = message.tool_call_id;
  return wire;
}

/** The config with its model_type, as the SDK's config classes dump it; a missing provider or model is refused. */
export function modelConfigWire(helper: string, config: ModelConfigBase, modelType: string): JsonObject {
  for (const field of ["provider", "model"] as const) {
    const value = (config as Partial<ModelConfigBase> | undefined)?.[field];
    if (typeof value !== "string" || value === "")
      throw new PluginError(
        "InvalidInvocationError",
        `dify.model.${helper}: model_config.${field} must be a non-empty string, e.g. { provider: "openai", model: "gpt-4o-mini" }`,
      );
  }
  return { ...(config as unknown as JsonObject), model_type: modelType };
}

export function nodeModelWire(model: NodeModelConfig): JsonObject {
  return {
    provider: model.provider,
    name: model.name,
    mode: model.mode ?? "chat",
    completion_params: model.completion_params ?? null,
  };
}

export function parameterConfigWire(parameter: ParameterConfig): JsonObject {
  return { ...parameter, options: parameter.options ?? [] };
}

type FieldKind = "string" | "number" | "boolean" | "array" | "object";

function kindOf(value: JsonValue | undefined): FieldKind | "null" | "missing" {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as FieldKind;
}

/** The answer as T once its required fields have the right kinds; otherwise the SDK's parse failure, naming the field. */
export function parseAnswer<T>(type: InvokeType, data: JsonObject, fields: Record<string, FieldKind>): T {
  for (const [field, kind] of Object.entries(fields)) {
    const found = kindOf(data[field]);
    if (found !== kind)
      throw new PluginError(
        "BackwardsInvocationError",
        `Failed to parse response: the ${type} answer's field "${field}" should be ${kind === "array" || kind === "object" ? "an" : "a"} ${kind}, got ${found}`,
      );
  }
  return data as unknown as T;
}

/** A chunk with the defaults the SDK's LLMResultChunk model fills in, so every field its type promises is there. */
export function withChunkDefaults<T extends LLMResultChunk>(chunk: T): T {
  const { delta } = chunk;
  return {
    ...chunk,
    prompt_messages: chunk.prompt_messages ?? [],
    system_fingerprint: chunk.system_fingerprint ?? null,
    delta: {
      ...delta,
      message: {
        ...delta.message,
        role: "assistant",
        content: delta.message?.content ?? null,
        name: delta.message?.name ?? null,
        tool_calls: delta.message?.tool_calls ?? [],
        opaque_body: delta.message?.opaque_body ?? null,
      },
      usage: delta.usage ?? null,
      finish_reason: delta.finish_reason ?? null,
    },
  };
}

const emptyUsage = (): LLMUsage => ({
  prompt_tokens: 0,
  prompt_unit_price: 0,
  prompt_price_unit: 0,
  prompt_price: 0,
  completion_tokens: 0,
  completion_unit_price: 0,
  completion_price_unit: 0,
  completion_price: 0,
  total_tokens: 0,
  total_price: 0,
  currency: "USD",
  latency: 0,
});

/** LLMInvocation.invoke(stream=False): text appended, the last tool calls kept, tokens summed, prices from the last usage. */
export async function collectLLMResult(model: string, chunks: AsyncIterable<LLMResultChunk>): Promise<LLMResult> {
  const message: AssistantPromptMessage = {
    role: "assistant",
    content: "",
    name: null,
    tool_calls: [],
    opaque_body: null,
  };
  const usage = emptyUsage();
  let text = "";
  for await (const chunk of chunks) {
    const delta = chunk.delta;
    if (typeof delta.message.content === "string") text += delta.message.content;
    if (delta.message.tool_calls.length) message.tool_calls = delta.message.tool_calls;
    const next = delta.usage;
    if (next) {
      usage.prompt_tokens += next.prompt_tokens;
      usage.completion_tokens += next.completion_tokens;
      usage.total_tokens += next.total_tokens;
      usage.completion_price = next.completion_price;
      usage.prompt_price = next.prompt_price;
      usage.total_price = next.total_price;
      usage.currency = next.currency;
      usage.latency = next.latency;
    }
  }
  message.content = text;
  return { model, prompt_messages: [], message, usage, system_fingerprint: null };
}

/** The same with the structured output of the last chunk that carried one. */
export async function collectStructuredResult(
  model: string,
  chunks: AsyncIterable<LLMResultChunkWithStructuredOutput>,
): Promise<LLMResultWithStructuredOutput> {
  let structured: JsonObject | null = null;
  async function* watch() {
    for await (const chunk of chunks) {
      if (chunk.structured_output) structured = chunk.structured_output;
      yield chunk;
    }
  }
  const result = await collectLLMResult(model, watch());
  return { ...result, structured_output: structured };
}

/** UploadFileResponse.Type.from_mime_type. */
export function fileTypeOf(mimeType: string): "document" | "image" | "video" | "audio" {
  for (const type of ["image", "video", "audio"] as const) if (mimeType.startsWith(`${type}/`)) return type;
  return "document";
}
