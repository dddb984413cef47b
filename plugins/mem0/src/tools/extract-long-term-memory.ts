/**
 * extract_long_term_memory: reads the users' recent conversations in one Dify
 * app through its Service API and extracts memories into each user's scope in
 * that app. Answers with a task id at once; check_extraction_status follows it.
 */
import { localized } from "@dify-ts/runtime";
import { parseLenientJson } from "../config/lenient-json.js";
import { normalizeBaseUrl } from "../extraction/dify-api.js";
import { extractor } from "../extraction/index.js";
import type { ExtractionRequest } from "../extraction/tasks.js";
import { provider } from "../provider.js";
import { checkScopeValue, ScopeError } from "../scope.js";
import { appIdParameter, preview, respond, setupFor } from "./shared.js";

/** More users than this go in several calls: one task's status must stay a readable answer. */
export const MAX_USERS_PER_TASK = 1000;

export const extractLongTermMemory = provider.defineTool({
  identity: { name: "extract_long_term_memory", label: localized("Extract Long-Term Memory", "提取长期记忆") },
  description: {
    human: localized(
      "Reads the users' recent conversations in a Dify app (through its Service API) and extracts memories from them in the background",
      "通过 Dify 应用的 Service API 读取用户近期的对话，并在后台从中提取记忆",
    ),
    llm: "Starts a background extraction of long-term memories from the given users' recent conversations in a Dify app. Returns a task id at once; check progress with check_extraction_status.",
  },
  parameters: {
    user_ids: {
      type: "string",
      required: true,
      form: "llm",
      label: localized("User IDs", "用户 ID 列表"),
      human_description: localized(
        'The end users whose conversations to read, comma-separated (or a JSON list): the "user" the app was called with',
        "要读取其对话的终端用户，逗号分隔（或 JSON 列表）：调用应用时的 user",
      ),
      llm_description: "Comma-separated ids of the users whose conversations to extract.",
    },
    app_id: {
      ...appIdParameter(
        localized(
          "The Dify app whose conversations are read; the memories go to this app's scope",
          "读取其对话的 Dify 应用；记忆写入该应用的范围",
        ),
        "The id of the Dify app whose conversations are read.",
      ),
      required: true,
    },
    dify_api_key: {
      type: "secret-input",
      required: true,
      form: "form",
      label: localized("App API key", "应用 API 密钥"),
      human_description: localized(
        "The app's Service API key (its API Access page); used only to read conversations, never stored or logged",
        "应用的 Service API 密钥（应用的“访问 API”页面）；只用于读取对话，不会保存或记录",
      ),
    },
    dify_base_url: {
      type: "string",
      form: "form",
      default: "https://api.dify.ai/v1",
      label: localized("Service API base URL", "Service API 基础 URL"),
      human_description: localized(
        "The app's Service API base URL, e.g. https://api.dify.ai/v1 or http://<your-dify>/v1",
        "应用的 Service API 基础 URL，例如 https://api.dify.ai/v1 或 http://<你的 Dify>/v1",
      ),
    },
    days_back: {
      type: "number",
      form: "form",
      default: 7,
      min: 1,
      max: 3650,
      label: localized("Days back", "回溯天数"),
      human_description: localized("Only conversations updated within this many days", "只读取这么多天内更新过的对话"),
    },
    conversations_limit: {
      type: "number",
      form: "form",
      default: 50,
      min: 1,
      max: 1000,
      label: localized("Conversations per user", "每个用户的对话数"),
      human_description: localized(
        "At most this many new conversations per user, newest first",
        "每个用户最多提取这么多个新对话，从最新的开始",
      ),
    },
    max_tokens_per_conversation: {
      type: "number",
      form: "form",
      default: 4000,
      min: 100,
      max: 100_000,
      label: localized("Token budget per conversation", "每个对话的 token 预算"),
      human_description: localized(
        "The newest messages of each conversation up to about this many tokens are sent to extraction",
        "每个对话中不超过约这么多 token 的最新消息会被用于提取",
      ),
    },
  },
  async handler(params, context) {
    let request: ExtractionRequest;
    try {
      request = {
        app_id: checkScopeValue("app_id", params.app_id),
        base_url: normalizeBaseUrl(params.dify_base_url ?? "https://api.dify.ai/v1"),
        user_ids: readUserIds(params.user_ids),
        days_back: Math.round(params.days_back),
        conversations_limit: Math.round(params.conversations_limit),
        max_tokens_per_conversation: Math.round(params.max_tokens_per_conversation),
      };
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      return respond("ERROR", problem, null, `${problem}.`);
    }
    if (!params.dify_api_key.trim()) {
      const problem = "dify_api_key is empty; give the app's Service API key";
      return respond("ERROR", problem, null, `${problem}.`);
    }
    const configured = await setupFor(context, null);
    if ("failure" in configured) return configured.failure;
    const started = await extractor().extract(request, {
      apiKey: params.dify_api_key.trim(),
      credentials: context.credentials,
      setup: configured.setup,
    });
    const { task } = started;
    const echoed = {
      app_id: request.app_id,
      user_ids: request.user_ids.slice(0, 20).map(preview),
      users: request.user_ids.length,
      days_back: request.days_back,
      conversations_limit: request.conversations_limit,
      max_tokens_per_conversation: request.max_tokens_per_conversation,
    };
    const results = {
      task_id: task.task_id,
      status: task.status,
      continued: started.continued,
      resumed_task_ids: started.resumed,
    };
    const how = started.continued ? "continues" : "started";
    const resumed = started.resumed.length > 0 ? `; resumed ${started.resumed.length} interrupted task(s)` : "";
    return respond(
      "SUCCESS",
      echoed,
      results,
      `Extraction task ${task.task_id} ${how} for ${request.user_ids.length} user(s)${resumed}. Check it with check_extraction_status.`,
    );
  },
});

/** "a, b", "a\nb" or ["a", "b"]: each id follows the scope rule; duplicates are dropped. */
function readUserIds(text: string): string[] {
  const trimmed = text.trim();
  let ids: unknown[];
  if (trimmed.startsWith("[")) {
    const parsed = parseLenientJson(trimmed);
    if (!parsed.ok || !Array.isArray(parsed.value))
      throw new ScopeError("user_ids", 'must be comma-separated ids or a JSON list such as ["alice", "bob"]');
    ids = parsed.value;
  } else
    ids = trimmed
      .split(/[,\n]/)
      .map((id) => id.trim())
      .filter(Boolean);
  if (ids.length === 0) throw new ScopeError("user_ids", "names no user");
  if (ids.length > MAX_USERS_PER_TASK)
    throw new ScopeError("user_ids", `names ${ids.length} users; at most ${MAX_USERS_PER_TASK} per call`);
  return [...new Set(ids.map((id, index) => checkScopeValue(`user_ids[${index}]`, id)))];
}
