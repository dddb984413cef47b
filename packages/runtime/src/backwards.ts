/**
 * Backwards invocation: a handler calls back into Dify (models, tools, apps,
 * storage) as the SDK's `session.model`, `session.tool`, `session.app` and
 * `session.storage` do. The request leaves as a session `invoke` message
 * `{type, backwards_request_id, request}`; the daemon answers with
 * `backwards_response` events carrying the same backwards_request_id:
 * `response` (data) any number of times, then `end`, or `error`. Over stdio and
 * TCP the answers arrive on the same stream (BackwardsRouter); in serverless
 * mode they are the body of an HTTP call (backwards-http.ts).
 */
import { randomUUID } from "node:crypto";
import type { Permissions } from "./definitions.js";
import { PluginError } from "./errors.js";
import type { BackwardsResponse, JsonObject } from "@dify-ts/protocol";

export type InvokeType =
  | "tool"
  | "llm"
  | "llm_structured_output"
  | "text_embedding"
  | "multimodal_embedding"
  | "rerank"
  | "multimodal_rerank"
  | "tts"
  | "speech2text"
  | "moderation"
  | "node_parameter_extractor"
  | "node_question_classifier"
  | "app"
  | "storage"
  | "upload_file"
  | "system_summary"
  | "fetch_app";

export interface InvokeOptions {
  /** Longest wait for the daemon's next answer (MAX_INVOCATION_TIMEOUT, reset by every answer, as the SDK counts it). */
  timeoutMs: number;
  /** The session's signal: aborting it stops the wait. */
  signal?: AbortSignal;
}

/** How one session's backwards requests reach the daemon and come back. */
export type BackwardsChannel = (
  type: InvokeType,
  request: JsonObject,
  options: InvokeOptions,
) => AsyncGenerator<JsonObject>;

export function newBackwardsRequestId(): string {
  return randomUUID().replaceAll("-", "");
}

/** Answers queued as they arrive; `read` yields their data the way the SDK's `_line_converter_wrapper` does. */
export class ResponseQueue {
  private readonly queue: BackwardsResponse[] = [];
  private wake?: () => void;

  push(response: BackwardsResponse): void {
    this.queue.push(response);
    this.wake?.();
  }

  async *read(type: InvokeType, options: InvokeOptions): AsyncGenerator<JsonObject> {
    while (true) {
      while (this.queue.length === 0) await this.next(type, options);
      const response = this.queue.shift()!;
      if (response.event === "end") return;
      if (response.event === "error")
        throw new PluginError(
          "BackwardsInvocationError",
          `${type} invocation failed: ${response.message || "the daemon reported an error"}`,
        );
      // The SDK ends the stream at a response without data.
      if (response.data === null || response.data === undefined) return;
      yield response.data;
    }
  }

  private next(type: InvokeType, { timeoutMs, signal }: InvokeOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.wake = undefined;
      };
      const onAbort = () => {
        done();
        reject(new PluginError("AbortError", `${type} invocation aborted: the session ended`));
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new PluginError(
            "BackwardsInvocationTimeout",
            `${type} invocation got no response within ${timeoutMs / 1000} s (MAX_INVOCATION_TIMEOUT)`,
          ),
        );
      }, timeoutMs);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.wake = () => {
        done();
        resolve();
      };
    });
  }
}

/** Sends the `invoke` session message; the dispatcher supplies it per session. */
export type SendInvoke = (payload: JsonObject) => Promise<void>;

/** Correlates backwards requests with their responses on a full-duplex transport (stdio, TCP). */
export class BackwardsRouter {
  private readonly pending = new Map<string, ResponseQueue>();

  /** Called by the dispatcher for each `backwards_response` line; answers for unknown ids are dropped. */
  deliver(response: BackwardsResponse): void {
    this.pending.get(response.backwards_request_id)?.push(response);
  }

  /** Fails every pending request: the connection to the daemon is gone. */
  closeAll(reason: string): void {
    for (const [id, queue] of this.pending) queue.push({ backwards_request_id: id, event: "error", message: reason });
  }

  /** A channel for one session: its invoke messages go out through `send`. */
  channel(send: SendInvoke): BackwardsChannel {
    return (type, request, options) => this.invoke(send, type, request, options);
  }

  private async *invoke(
    send: SendInvoke,
    type: InvokeType,
    request: JsonObject,
    options: InvokeOptions,
  ): AsyncGenerator<JsonObject> {
    const id = newBackwardsRequestId();
    const queue = new ResponseQueue();
    this.pending.set(id, queue);
    try {
      await send({ type, backwards_request_id: id, request });
      yield* queue.read(type, options);
    } finally {
      this.pending.delete(id);
    }
  }
}

type ModelFlag = Exclude<keyof NonNullable<Permissions["model"]>, "enabled">;

/** The model permission flag each model invocation needs: the daemon's permissionMapping (backwards_invocation/task.go). */
const MODEL_FLAG: Partial<Record<InvokeType, ModelFlag>> = {
  llm: "llm",
  llm_structured_output: "llm",
  system_summary: "llm",
  text_embedding: "text_embedding",
  multimodal_embedding: "text_embedding",
  rerank: "rerank",
  multimodal_rerank: "rerank",
  tts: "tts",
  speech2text: "speech2text",
  moderation: "moderation",
};

/** The other invocations' permission sections; upload_file is open to every plugin, as in the daemon. */
const SECTION: Partial<Record<InvokeType, "tool" | "app" | "storage" | "node">> = {
  tool: "tool",
  app: "app",
  fetch_app: "app",
  storage: "storage",
  node_parameter_extractor: "node",
  node_question_classifier: "node",
};

/** Refuses an invocation the manifest does not permit, naming the permission to declare. */
export function checkPermission(type: InvokeType, permissions: Permissions | undefined): void {
  const flag = MODEL_FLAG[type];
  const section = SECTION[type];
  let allowed = true;
  let needed = "";
  if (flag) {
    allowed = Boolean(permissions?.model?.enabled && permissions.model[flag]);
    needed = `resource.permission.model.enabled and model.${flag}`;
  } else if (section) {
    allowed = Boolean(permissions?.[section]?.enabled);
    needed = `resource.permission.${section}.enabled`;
  }
  if (!allowed) {
    throw new PluginError(
      "PermissionDenied",
      `backwards invocation "${type}" is not permitted: declare ${needed} in the plugin manifest`,
    );
  }
}
