/**
 * Backwards invocation: a handler calls back into Dify (models, tools, apps,
 * storage) as the SDK's `session.model`, `session.tool`, `session.app` and
 * `session.storage` do. The request leaves as a session `invoke` message; the
 * daemon answers with `backwards_response` lines carrying the same
 * backwards_request_id: `response` (data), then `end`, or `error`.
 */
import { randomUUID } from "node:crypto";
import type { Permissions } from "./definitions.js";
import { PluginError } from "./errors.js";
import type { JsonObject } from "./protocol/wire.js";

export type InvokeType =
  | "tool" | "llm" | "llm_structured_output" | "text_embedding" | "multimodal_embedding" | "rerank"
  | "multimodal_rerank" | "tts" | "speech2text" | "moderation" | "node_parameter_extractor"
  | "node_question_classifier" | "app" | "storage" | "upload_file" | "system_summary" | "fetch_app";

/** The daemon's answer lines for one backwards request. */
export interface BackwardsResponse {
  backwards_request_id: string;
  event: "response" | "error" | "end";
  message?: string;
  data?: JsonObject | null;
}

/** Sends the `invoke` session message; the dispatcher supplies it per session. */
export type SendInvoke = (payload: JsonObject) => Promise<void>;

/** Correlates backwards requests with their responses, for every session of a transport. */
export class BackwardsRouter {
  private readonly pending = new Map<string, { push: (response: BackwardsResponse) => void }>();

  /** Called by the dispatcher for each `backwards_response` line. */
  deliver(response: BackwardsResponse): void {
    this.pending.get(response.backwards_request_id)?.push(response);
  }

  /** Fails every pending request: the connection to the daemon is gone. */
  closeAll(reason: string): void {
    for (const entry of this.pending.values()) entry.push({ backwards_request_id: "", event: "error", message: reason });
  }

  async *invoke(
    send: SendInvoke,
    type: InvokeType,
    request: JsonObject,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): AsyncGenerator<JsonObject> {
    const id = randomUUID().replaceAll("-", "");
    const queue: BackwardsResponse[] = [];
    let wake: (() => void) | undefined;
    this.pending.set(id, {
      push: (response) => {
        queue.push(response);
        wake?.();
      },
    });
    try {
      await send({ type, backwards_request_id: id, request });
      while (true) {
        while (queue.length === 0) {
          await waitFor((resolve) => (wake = resolve), options.timeoutMs, options.signal, type);
        }
        const response = queue.shift()!;
        if (response.event === "end") return;
        if (response.event === "error") throw new PluginError("BackwardsInvocationError", response.message ?? `${type} invocation failed`);
        if (response.data) yield response.data;
      }
    } finally {
      this.pending.delete(id);
    }
  }
}

function waitFor(register: (resolve: () => void) => void, timeoutMs: number, signal: AbortSignal | undefined, type: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new PluginError("BackwardsInvocationTimeout", `${type} invocation got no response within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new PluginError("AbortError", `${type} invocation aborted: the session ended`));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    register(() => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}

/** Which manifest permission each invocation type needs. */
export function checkPermission(type: InvokeType, permissions: Permissions | undefined): void {
  const model = permissions?.model;
  const modelFlag: Partial<Record<InvokeType, boolean | undefined>> = {
    llm: model?.llm, llm_structured_output: model?.llm, system_summary: model?.llm,
    text_embedding: model?.text_embedding, multimodal_embedding: model?.text_embedding,
    rerank: model?.rerank, multimodal_rerank: model?.rerank,
    tts: model?.tts, speech2text: model?.speech2text, moderation: model?.moderation,
  };
  let allowed: boolean;
  let needed: string;
  if (type in modelFlag) {
    allowed = Boolean(model?.enabled && modelFlag[type]);
    needed = `resource.permission.model.enabled and model.${type === "system_summary" || type === "llm_structured_output" ? "llm" : type.replace("multimodal_", "")}`;
  } else if (type === "tool") {
    allowed = Boolean(permissions?.tool?.enabled);
    needed = "resource.permission.tool.enabled";
  } else if (type === "app" || type === "fetch_app") {
    allowed = Boolean(permissions?.app?.enabled);
    needed = "resource.permission.app.enabled";
  } else if (type === "storage") {
    allowed = Boolean(permissions?.storage?.enabled);
    needed = "resource.permission.storage.enabled";
  } else if (type === "node_parameter_extractor" || type === "node_question_classifier") {
    allowed = Boolean(permissions?.node?.enabled);
    needed = "resource.permission.node.enabled";
  } else {
    allowed = true;
    needed = "";
  }
  if (!allowed) {
    throw new PluginError("PermissionDenied", `backwards invocation "${type}" is not permitted: declare ${needed} in the plugin manifest`);
  }
}
