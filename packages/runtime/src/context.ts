/**
 * What a handler sees besides its parameters: typed credentials, the session's
 * identifiers, an AbortSignal that fires when the session times out or the
 * plugin shuts down, a logger that redacts credentials, and calls back into Dify.
 */
import type { InvokeType } from "./backwards.js";
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

export interface DifyInvocations {
  /** Any backwards invocation, streamed as the daemon answers. */
  invoke(type: InvokeType, request: JsonObject): AsyncIterable<JsonObject>;
  model: {
    llm(request: JsonObject): AsyncIterable<JsonObject>;
    textEmbedding(request: JsonObject): Promise<JsonObject>;
    rerank(request: JsonObject): Promise<JsonObject>;
  };
  tool: {
    invoke(request: {
      tool_type: "builtin" | "workflow" | "api" | "mcp";
      provider: string;
      tool: string;
      tool_parameters: JsonObject;
      credential_id?: string;
    }): AsyncIterable<JsonObject>;
  };
  app: {
    invoke(request: JsonObject): AsyncIterable<JsonObject>;
  };
  storage: {
    get(key: string): Promise<Buffer>;
    set(key: string, value: Uint8Array): Promise<void>;
    delete(key: string): Promise<void>;
    exist(key: string): Promise<boolean>;
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
