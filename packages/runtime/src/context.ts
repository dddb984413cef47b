/**
 * What a handler sees besides its parameters: typed credentials, the session's
 * identifiers, an AbortSignal that fires when the session times out or the
 * plugin shuts down, a logger that redacts credentials, and calls back into Dify.
 */
import type { InvokeType } from "./backwards.js";
import type {
  ChatAppRequest,
  ClassConfig,
  CompletionAppRequest,
  EmbeddingInputType,
  LLMRequest,
  LLMResult,
  LLMResultChunk,
  LLMResultChunkWithStructuredOutput,
  LLMResultWithStructuredOutput,
  LLMStructuredOutputRequest,
  ModerationModelConfig,
  MultiModalContent,
  MultiModalEmbeddingModelConfig,
  MultiModalEmbeddingResult,
  MultiModalRerankModelConfig,
  NodeModelConfig,
  NodeResponse,
  ParameterConfig,
  RerankModelConfig,
  RerankResult,
  Speech2TextModelConfig,
  TextEmbeddingModelConfig,
  TextEmbeddingResult,
  ToolInvokeMessage,
  TTSModelConfig,
  UploadFileResponse,
  WorkflowAppRequest,
} from "./invocation-types.js";
import type { Logger } from "./logger.js";
import type { CredentialType, JsonObject } from "@dify-ts/protocol";

export interface SessionInfo {
  id: string;
  conversationId?: string | null;
  messageId?: string | null;
  appId?: string | null;
  endpointId?: string | null;
  userId?: string | null;
  /** The daemon's session context (e.g. credentials.tool_credentials: provider → credential id). */
  context?: JsonObject | null;
}

/**
 * Calls back into Dify, one helper per invocation the Python SDK's `session` offers (named after it: `model.llm`
 * is `session.model.llm`, `workflowNode` is `session.workflow_node`). Each is refused before anything is sent when
 * the manifest's `resource.permission` does not grant it; answers stream where the SDK streams them.
 */
export interface DifyInvocations {
  /** Any backwards invocation, streamed as the daemon answers (for kinds newer than these helpers). */
  invoke(type: InvokeType, request: JsonObject): AsyncIterable<JsonObject>;
  model: {
    /** Permission model.llm. Streams chunks unless `stream: false`, which returns the collected result. */
    llm(request: LLMRequest & { stream?: true }): AsyncIterable<LLMResultChunk>;
    llm(request: LLMRequest & { stream: false }): Promise<LLMResult>;
    /** Permission model.llm. */
    llmStructuredOutput(
      request: LLMStructuredOutputRequest & { stream?: true },
    ): AsyncIterable<LLMResultChunkWithStructuredOutput>;
    llmStructuredOutput(
      request: LLMStructuredOutputRequest & { stream: false },
    ): Promise<LLMResultWithStructuredOutput>;
    /** Permission model.text_embedding. */
    textEmbedding(request: {
      model_config: TextEmbeddingModelConfig;
      texts: string[];
      input_type?: EmbeddingInputType;
    }): Promise<TextEmbeddingResult>;
    /** Permission model.text_embedding (SDK: text_embedding.invoke_multimodal). */
    multimodalEmbedding(request: {
      model_config: MultiModalEmbeddingModelConfig;
      documents: MultiModalContent[];
      input_type?: EmbeddingInputType;
    }): Promise<MultiModalEmbeddingResult>;
    /** Permission model.rerank. */
    rerank(request: { model_config: RerankModelConfig; docs: string[]; query: string }): Promise<RerankResult>;
    /** Permission model.rerank (SDK: rerank.invoke_multimodal). */
    multimodalRerank(request: {
      model_config: MultiModalRerankModelConfig;
      query: MultiModalContent;
      docs: MultiModalContent[];
    }): Promise<RerankResult>;
    /** Permission model.tts. The audio, in the pieces Dify streams it. */
    tts(request: { model_config: TTSModelConfig; content_text: string }): AsyncIterable<Buffer>;
    /** Permission model.speech2text. The transcript. */
    speech2text(request: { model_config: Speech2TextModelConfig; file: Uint8Array }): Promise<string>;
    /** Permission model.moderation. true when the text is flagged. */
    moderation(request: { model_config: ModerationModelConfig; text: string }): Promise<boolean>;
    /**
     * Permission model.llm (checked even for short texts). Texts shorter than `min_summarize_length` (default 1024
     * characters) come back as they are, without a call, as in the SDK.
     */
    summary(request: { text: string; instruction: string; min_summarize_length?: number }): Promise<string>;
  };
  tool: {
    /** Permission tool. The credential is `credential_id`, else the one the workflow chose for the provider. */
    invoke(request: {
      tool_type: "builtin" | "workflow" | "api" | "mcp";
      provider: string;
      tool: string;
      tool_parameters: JsonObject;
      credential_id?: string;
    }): AsyncIterable<ToolInvokeMessage>;
  };
  app: {
    /** Permission app. Streams the app's events unless `response_mode: "blocking"`. */
    chat(request: ChatAppRequest & { response_mode?: "streaming" }): AsyncIterable<JsonObject>;
    chat(request: ChatAppRequest & { response_mode: "blocking" }): Promise<JsonObject>;
    /** Permission app. Blocking unless `response_mode: "streaming"`. */
    completion(request: CompletionAppRequest & { response_mode?: "blocking" }): Promise<JsonObject>;
    completion(request: CompletionAppRequest & { response_mode: "streaming" }): AsyncIterable<JsonObject>;
    /** Permission app. Blocking unless `response_mode: "streaming"`. */
    workflow(request: WorkflowAppRequest & { response_mode?: "blocking" }): Promise<JsonObject>;
    workflow(request: WorkflowAppRequest & { response_mode: "streaming" }): AsyncIterable<JsonObject>;
    /** Permission app. The app's settings (SDK: app.fetch_app). */
    fetch(appId: string): Promise<JsonObject>;
  };
  workflowNode: {
    /** Permission node. */
    parameterExtractor(request: {
      parameters: ParameterConfig[];
      model: NodeModelConfig;
      query: string;
      instruction?: string;
    }): Promise<NodeResponse>;
    /** Permission node. */
    questionClassifier(request: {
      classes: ClassConfig[];
      model: NodeModelConfig;
      query: string;
      instruction?: string;
    }): Promise<NodeResponse>;
  };
  /** Permission storage. */
  storage: {
    get(key: string): Promise<Buffer>;
    set(key: string, value: Uint8Array): Promise<void>;
    delete(key: string): Promise<void>;
    exist(key: string): Promise<boolean>;
  };
  file: {
    /** No permission needed. Dify signs an upload URL; the file is POSTed there (10 s), as the SDK does. */
    upload(request: { filename: string; content: Uint8Array; mimetype: string }): Promise<UploadFileResponse>;
  };
}

/** Secrets the runtime cannot see by itself, such as a key inside a JSON credential. */
export interface SecretRegistry {
  /** From now on, every log line, error message and stdout/stderr write of the process masks `value`. */
  add(value: string): void;
}

export interface ToolContext<C = Record<string, unknown>> {
  credentials: C;
  /** Where `credentials` came from: the provider's form ("api-key"), the OAuth flow ("oauth2"), or none. */
  credentialType: CredentialType;
  secrets: SecretRegistry;
  session: SessionInfo;
  signal: AbortSignal;
  logger: Logger;
  dify: DifyInvocations;
}

/** What an OAuth step sees: no tool credentials yet (its inputs carry the client settings). */
export type OAuthContext = Omit<ToolContext, "credentials" | "credentialType" | "dify">;
