/**
 * The `dify` object a handler receives: typed calls back into Dify, each a
 * backwards invocation on the session's channel, gated by the manifest's
 * permissions before anything is sent. Payloads and answers follow the SDK's
 * invocations/*.py (storage values travel hex-encoded).
 */
import { checkPermission, type BackwardsChannel, type InvokeType } from "./backwards.js";
import type { DifyInvocations, SessionInfo } from "./context.js";
import type { Permissions } from "./definitions.js";
import { PluginError } from "./errors.js";
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
  const single = async (type: InvokeType, request: JsonObject): Promise<JsonObject> => {
    const data = await first(type, request);
    if (!data) throw new PluginError("BackwardsInvocationError", `${type} invocation returned no data`);
    return data;
  };
  const storageError = (message: string) => new PluginError("StorageInvocationError", message);
  const expectOk = (data: JsonObject | undefined, missing: boolean): void => {
    if (data === undefined) {
      if (missing) throw storageError("no data found");
      return;
    }
    if (data.data !== "ok") throw storageError(`unexpected data: ${JSON.stringify(data.data)}`);
  };
  return {
    invoke,
    model: {
      llm: (request) => invoke("llm", request),
      textEmbedding: (request) => single("text_embedding", request),
      rerank: (request) => single("rerank", request),
    },
    tool: {
      invoke: ({ credential_id, ...request }) => {
        const credentialId = credential_id ?? toolCredentialId(session, request.provider);
        return invoke("tool", {
          ...request,
          ...(session.appId ? { app_id: session.appId } : {}),
          ...(credentialId ? { credential_id: credentialId } : {}),
        });
      },
    },
    app: { invoke: (request) => invoke("app", request) },
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
  };
}

/** The credential the workflow chose for a provider, from the session context (SDK: InvokeCredentials). */
function toolCredentialId(session: SessionInfo, provider: string): string | undefined {
  const credentials = (session.context?.credentials ?? null) as JsonObject | null;
  const byProvider = (credentials?.tool_credentials ?? null) as JsonObject | null;
  const id = byProvider?.[provider];
  return typeof id === "string" && id !== "" ? id : undefined;
}
