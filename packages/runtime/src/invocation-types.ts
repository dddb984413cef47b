/**
 * Request and answer types of the backwards invocations, named and shaped as
 * the Python SDK's entities (dify_plugin/entities/model/*, workflow_node.py,
 * invocations/file.py), so a field reads the same on both sides of the wire.
 * `model_type` is filled in by each helper, as the SDK's config classes do.
 * Answers are type aliases, not interfaces, so they can be passed on as JsonValue.
 */
import type { JsonObject, JsonValue } from "@dify-ts/protocol";

/** BaseModelConfig without model_type: which model of which provider. */
export interface ModelConfigBase {
  provider: string;
  model: string;
}

export interface LLMModelConfig extends ModelConfigBase {
  mode: "chat" | "completion";
  completion_params?: JsonObject;
}
export type TextEmbeddingModelConfig = ModelConfigBase;
export interface MultiModalEmbeddingModelConfig extends ModelConfigBase {
  tenant_id: string;
}
export interface RerankModelConfig extends ModelConfigBase {
  score_threshold: number;
  top_n: number;
}
export interface MultiModalRerankModelConfig extends ModelConfigBase {
  score_threshold?: number | null;
  top_n?: number | null;
}
export interface TTSModelConfig extends ModelConfigBase {
  voice: string;
}
export type Speech2TextModelConfig = ModelConfigBase;
export type ModerationModelConfig = ModelConfigBase;

export interface TextPromptMessageContent {
  type: "text";
  data: string;
  opaque_body?: JsonValue;
}
export interface MultiModalPromptMessageContent {
  type: "image" | "audio" | "video" | "document";
  format: string;
  mime_type: string;
  base64_data?: string;
  url?: string;
  filename?: string;
  /** Images only: "low" (the SDK's default) or "high". */
  detail?: "low" | "high";
  opaque_body?: JsonValue;
}
export type PromptMessageContent = TextPromptMessageContent | MultiModalPromptMessageContent;

export type AssistantToolCall = {
  id: string;
  type: string;
  function: { name: string; arguments: string };
};

interface PromptMessageBase {
  content?: string | PromptMessageContent[] | null;
  name?: string | null;
}
export type PromptMessage =
  | (PromptMessageBase & { role: "system" | "user" | "developer" })
  | (PromptMessageBase & { role: "assistant"; tool_calls?: AssistantToolCall[]; opaque_body?: JsonValue })
  | (PromptMessageBase & { role: "tool"; tool_call_id: string });

export interface PromptMessageTool {
  name: string;
  description: string;
  /** A JSON schema of the tool's arguments. */
  parameters: JsonObject;
}

export interface LLMRequest {
  model_config: LLMModelConfig;
  prompt_messages: PromptMessage[];
  tools?: PromptMessageTool[];
  stop?: string[];
  /** true (the default) streams LLMResultChunk; false collects them into one LLMResult, as the SDK does. */
  stream?: boolean;
}
export interface LLMStructuredOutputRequest extends LLMRequest {
  /** The JSON schema the answer must follow. */
  structured_output_schema: JsonObject;
}

export type LLMUsage = {
  prompt_tokens: number;
  prompt_unit_price: number | string;
  prompt_price_unit: number | string;
  prompt_price: number | string;
  completion_tokens: number;
  completion_unit_price: number | string;
  completion_price_unit: number | string;
  completion_price: number | string;
  total_tokens: number;
  total_price: number | string;
  currency: string;
  latency: number;
};

/** The answering message; Dify sends every field (content parts in their wire form). */
export type AssistantPromptMessage = {
  role: "assistant";
  content: string | JsonObject[] | null;
  name: string | null;
  tool_calls: AssistantToolCall[];
  opaque_body: JsonValue;
};

export type LLMResultChunk = {
  model: string;
  prompt_messages: JsonObject[];
  system_fingerprint: string | null;
  delta: {
    index: number;
    message: AssistantPromptMessage;
    usage: LLMUsage | null;
    finish_reason: string | null;
  };
};
export type LLMResultChunkWithStructuredOutput = LLMResultChunk & { structured_output: JsonObject | null };

export type LLMResult = {
  model: string;
  prompt_messages: JsonObject[];
  message: AssistantPromptMessage;
  usage: LLMUsage;
  system_fingerprint: string | null;
};
export type LLMResultWithStructuredOutput = LLMResult & { structured_output: JsonObject | null };

export type EmbeddingUsage = {
  tokens: number;
  total_tokens: number;
  unit_price: number | string;
  price_unit: number | string;
  total_price: number | string;
  currency: string;
  latency: number;
};
export type TextEmbeddingResult = {
  model: string;
  embeddings: number[][];
  usage: EmbeddingUsage;
};
export type MultiModalEmbeddingResult = TextEmbeddingResult;
export type EmbeddingInputType = "query" | "document";
export interface MultiModalContent {
  /** Plain text, or base64-encoded file data. */
  content: string;
  content_type: "text" | "image";
}

export type RerankDocument = {
  index: number;
  text: string;
  score: number;
};
export type RerankResult = {
  model: string;
  docs: RerankDocument[];
};

/** workflow_node.ModelConfig: note `name`, not `model`. */
export interface NodeModelConfig {
  provider: string;
  name: string;
  mode?: "chat" | "completion";
  completion_params?: JsonObject | null;
}
export interface ParameterConfig {
  name: string;
  type: string;
  options?: string[];
  description: string | null;
  required: boolean | null;
}
export interface ClassConfig {
  id: string;
  name: string;
}
export type NodeResponse = {
  process_data: JsonObject;
  inputs: JsonObject;
  outputs: JsonObject;
};

/** A message of an invoked tool, as Dify sends it (the SDK's ToolInvokeMessage). */
export type ToolInvokeMessage = {
  type: string;
  message: JsonObject | null;
  meta: JsonObject | null;
};

export interface ChatAppRequest {
  app_id: string;
  query: string;
  inputs: JsonObject;
  /** "streaming" (the SDK's default for chat) yields each event; "blocking" returns the one answer. */
  response_mode?: "streaming" | "blocking";
  conversation_id?: string | null;
  user?: string | null;
}
export interface CompletionAppRequest {
  app_id: string;
  inputs: JsonObject;
  /** "blocking" is the SDK's default for completion and workflow apps. */
  response_mode?: "streaming" | "blocking";
  user?: string | null;
}
export type WorkflowAppRequest = CompletionAppRequest;

export type UploadFileResponse = {
  id: string;
  name: string;
  size: number;
  extension: string;
  mime_type: string;
  /** From mime_type when Dify leaves it out, as the SDK derives it. */
  type: "document" | "image" | "video" | "audio";
  preview_url: string | null;
};
