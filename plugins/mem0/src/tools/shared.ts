/**
 * What every tool shares: the one result shape (a JSON message
 * {status, messages, results} plus one readable text), the scope and timeout
 * parameters, and reading the credentials into a setup.
 */
import { isJsonObject } from "@dify-ts/protocol";
import {
  json,
  localized,
  text,
  truncate,
  type JsonObject,
  type JsonValue,
  type SecretRegistry,
  type ToolMessage,
} from "@dify-ts/runtime";
import type { MemorySetup, RawCredentials } from "../config/setup.js";
import { ConfigError } from "../config/translate.js";
import { FilterError, parseFilters, type NormalizedFilters } from "../memory/filters.js";
import { isNotFound } from "../memory/writes.js";
import { readOwner, readScope, ScopeError, type OwnerScope, type Scope } from "../scope.js";
import { memoryService } from "../plugin-service.js";
import type { WriteOutcome } from "../service.js";
import type { WorkspaceStorage } from "../workspace.js";

export type Status = "SUCCESS" | "ERROR" | "TIMEOUT" | "OVERLOAD";

/** `truncated`, when set, says what the answer left out of `results` (see boundResults); the summary says it too. */
export function respond(
  status: Status,
  messages: JsonValue,
  results: JsonValue,
  summary: string,
  truncated?: string,
): ToolMessage[] {
  if (truncated === undefined) return [json({ status, messages, results }), text(summary)];
  return [json({ status, messages, results, truncated }), text(`${summary}\n\n(${truncated})`)];
}

/** The longest text of one memory (or history row) an answer carries; a longer one is cut with a marker. */
export const MAX_ANSWER_TEXT_CHARS = 16 * 1024;
/** One memory's metadata over this many JSON bytes is left out of an answer, saying so in its place. */
export const MAX_ANSWER_METADATA_BYTES = 16 * 1024;
/**
 * The most JSON bytes of results one answer carries. The daemon takes lines of at most 5 MiB and the text message
 * repeats the memories: stored memories can be far larger (1 MiB per write, or written by another client).
 */
export const MAX_ANSWER_RESULTS_BYTES = 1024 * 1024;

/**
 * Results as an answer carries them: each text in `textKeys` cut to MAX_ANSWER_TEXT_CHARS, oversized metadata left
 * out, and no more items than fit in MAX_ANSWER_RESULTS_BYTES; `truncated` says what was cut, or is undefined.
 */
export function boundResults<T extends JsonObject>(
  items: readonly T[],
  textKeys: readonly (keyof T & string)[],
): { items: T[]; truncated?: string } {
  const kept: T[] = [];
  let cut = 0;
  let bytes = 2;
  for (const item of items) {
    const bounded: JsonObject = { ...item };
    let wasCut = false;
    for (const key of textKeys) {
      const value = bounded[key];
      if (typeof value === "string" && value.length > MAX_ANSWER_TEXT_CHARS) {
        bounded[key] = truncate(value, MAX_ANSWER_TEXT_CHARS);
        wasCut = true;
      }
    }
    if (isJsonObject(bounded.metadata)) {
      const size = Buffer.byteLength(JSON.stringify(bounded.metadata));
      if (size > MAX_ANSWER_METADATA_BYTES) {
        bounded.metadata = { left_out: `${size} bytes of metadata` };
        wasCut = true;
      }
    }
    const size = Buffer.byteLength(JSON.stringify(bounded)) + 1;
    if (bytes + size > MAX_ANSWER_RESULTS_BYTES) break;
    bytes += size;
    kept.push(bounded as T);
    if (wasCut) cut++;
  }
  const leftOut = items.length - kept.length;
  if (cut === 0 && leftOut === 0) return { items: kept };
  const what = [
    ...(cut > 0 ? [`${cut} result(s) cut (texts to ${MAX_ANSWER_TEXT_CHARS} characters, metadata to 16 KiB)`] : []),
    ...(leftOut > 0 ? [`${leftOut} more result(s) left out`] : []),
  ];
  return {
    items: kept,
    truncated: `${what.join("; ")}: an answer carries at most 1 MiB of results; narrow the scope or ask for fewer`,
  };
}

/**
 * The most text one write may carry, per parameter (UTF-8 bytes). A write is
 * refused over it before anything is journaled: more than this is no message
 * a model extracts memories from, and a memory this size would make every
 * answer that lists it too large for the daemon's 5 MiB lines.
 */
export const MAX_TEXT_BYTES = 1024 * 1024;

/** How much of an input an answer echoes: the answer must stay small whatever the input was. */
export const ECHO_PREVIEW_CHARS = 2000;

/** An input as answers echo it: at most ECHO_PREVIEW_CHARS, saying how much was cut. */
export const preview = (value: string) => truncate(value, ECHO_PREVIEW_CHARS);

/** The ERROR result for a text parameter over MAX_TEXT_BYTES, or undefined when every one fits. */
export function oversizedText(
  texts: Record<string, string | undefined>,
  results: JsonValue,
): ToolMessage[] | undefined {
  for (const [name, value] of Object.entries(texts)) {
    // A UTF-8 byte is at least a quarter of a UTF-16 unit's worth: skip the count for short strings.
    if (value === undefined || value.length * 3 <= MAX_TEXT_BYTES) continue;
    const bytes = Buffer.byteLength(value);
    if (bytes <= MAX_TEXT_BYTES) continue;
    const problem = `${name} is ${bytes} bytes; at most ${MAX_TEXT_BYTES} bytes (1 MiB) can be stored per call: shorten it or split it into several calls`;
    return respond("ERROR", problem, results, `${problem}.`);
  }
  return undefined;
}

export const scopeParameters = {
  user_id: {
    type: "string",
    required: true,
    form: "llm",
    label: localized("User ID", "用户 ID"),
    human_description: localized("Whose memories these are", "记忆所属的用户"),
    llm_description: "The id of the user the memories belong to.",
  },
  agent_id: {
    type: "string",
    form: "llm",
    label: localized("Agent ID", "智能体 ID"),
    human_description: localized("Optional: narrows the scope to one agent", "可选：限定到某个智能体"),
    llm_description: "Optional id of the agent, to narrow the scope.",
  },
  run_id: {
    type: "string",
    form: "llm",
    label: localized("Run ID", "运行 ID"),
    human_description: localized("Optional: narrows the scope to one run or session", "可选：限定到某次运行或会话"),
    llm_description: "Optional id of the run or session, to narrow the scope.",
  },
  app_id: appIdParameter(
    localized(
      "Optional: the Dify app the memories belong to; the same user's memories in other apps stay apart",
      "可选：记忆所属的 Dify 应用；同一用户在其他应用中的记忆互不可见",
    ),
    "Optional id of the Dify app, to keep this app's memories apart from the user's memories in other apps.",
  ),
} as const;

/** app_id: memories of the same user are kept apart per Dify app (stored as metadata.app_id). */
export function appIdParameter(human_description: ReturnType<typeof localized>, llm_description: string) {
  return {
    type: "string",
    form: "llm",
    label: localized("App ID", "应用 ID"),
    human_description,
    llm_description,
  } as const;
}

export const filtersParameter = {
  type: "string",
  form: "llm",
  label: localized("Filters", "过滤条件"),
  human_description: localized(
    'Optional JSON over metadata, e.g. {"category": "food"} or {"OR": [{"category": "food"}, {"mood": {"in": ["happy", "calm"]}}]}; always combined with the user scope',
    '可选的元数据 JSON 过滤，例如 {"category": "food"}；始终与用户范围一起生效',
  ),
  llm_description:
    'Optional JSON filter over memory metadata, for example {"category": "food"}; AND/OR/NOT lists and operators eq, ne, gt, gte, lt, lte, in, nin, contains, icontains are supported.',
} as const;

export function timeoutParameter(defaultSeconds: number) {
  return {
    type: "number",
    form: "form",
    min: 0.1,
    label: localized("Timeout (seconds)", "超时（秒）"),
    human_description: localized(
      `Async mode: wait at most this long (at most ${defaultSeconds} s, the default), then return an empty result`,
      `异步模式：最多等待这么久（默认且最大 ${defaultSeconds} 秒），然后返回空结果`,
    ),
  } as const;
}

/** The deadline a read uses: the tool's default, lowered (never raised) by the `timeout` parameter. */
export function readTimeoutMs(parameter: number | undefined, defaultSeconds: number): number {
  const seconds = parameter === undefined ? defaultSeconds : Math.min(parameter, defaultSeconds);
  return Math.round(seconds * 1000);
}

/** The call's scope (user_id required), or the ERROR result naming the parameter that breaks the scope rule. */
export function scopeOf(
  params: { user_id: string; agent_id?: string; run_id?: string; app_id?: string },
  results: JsonValue,
): { scope: Scope } | { failure: ToolMessage[] } {
  return refuseBadScope(() => ({ scope: readScope(params) }), results);
}

/** The memory-id tools' optional owner check (undefined: none given), or the ERROR result. */
export function ownerOf(
  params: { user_id?: string; agent_id?: string; run_id?: string; app_id?: string },
  results: JsonValue,
): { owner?: OwnerScope } | { failure: ToolMessage[] } {
  return refuseBadScope(() => ({ owner: readOwner(params) }), results);
}

function refuseBadScope<T extends object>(read: () => T, results: JsonValue): T | { failure: ToolMessage[] } {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ScopeError)) throw error;
    return { failure: respond("ERROR", error.message, results, `${error.message}.`) };
  }
}

/** What a memory outside the caller's owner scope answers: exactly what an unknown id answers. */
export const memoryNotFound = (memoryId: string, results: JsonValue) =>
  respond("ERROR", `Memory not found: ${preview(memoryId)}`, results, `Memory not found: ${preview(memoryId)}`);

/** What the tools need of their context: the credentials, where to register their secrets, the tenant storage. */
export interface CallContext {
  credentials: RawCredentials;
  secrets: SecretRegistry;
  dify: { storage: WorkspaceStorage };
}

/** The setup, or the ERROR result a tool returns when the credentials cannot be used. */
export async function setupFor(
  context: CallContext,
  results: JsonValue,
): Promise<{ setup: MemorySetup } | { failure: ToolMessage[] }> {
  try {
    return { setup: await memoryService().setup(context.credentials, context.secrets, context.dify.storage) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      failure: respond("ERROR", error.message, results, `The plugin's credentials cannot be used: ${error.message}`),
    };
  }
}

export const memoryIdParameter = {
  type: "string",
  required: true,
  form: "llm",
  label: localized("Memory ID", "记忆 ID"),
  human_description: localized("The id of the memory", "记忆的 ID"),
  llm_description: "The id of the memory.",
} as const;

/** The optional owner parameters of the memory-id tools: when given, a memory outside them is "not found". */
export const ownerParameters = {
  user_id: {
    type: "string",
    form: "llm",
    label: localized("User ID", "用户 ID"),
    human_description: localized(
      "Recommended: the memory must belong to this user, otherwise it is not found",
      "建议填写：记忆必须属于该用户，否则视为不存在",
    ),
    llm_description: "The id of the user the memory must belong to; always pass it.",
  },
  agent_id: {
    type: "string",
    form: "llm",
    label: localized("Agent ID", "智能体 ID"),
    human_description: localized("Optional: the memory must belong to this agent", "可选：记忆必须属于该智能体"),
    llm_description: "Optional id of the agent the memory must belong to.",
  },
  run_id: {
    type: "string",
    form: "llm",
    label: localized("Run ID", "运行 ID"),
    human_description: localized("Optional: the memory must belong to this run", "可选：记忆必须属于该运行"),
    llm_description: "Optional id of the run the memory must belong to.",
  },
  app_id: appIdParameter(
    localized("Optional: the memory must belong to this Dify app", "可选：记忆必须属于该 Dify 应用"),
    "Optional id of the Dify app the memory must belong to.",
  ),
} as const;

/** How update_memory, delete_memory and delete_all_memories answer a write outcome. */
export function respondToWrite(
  outcome: WriteOutcome,
  messages: JsonValue,
  accepted: string,
  notFoundId?: string,
): ToolMessage[] {
  switch (outcome.status) {
    case "ACCEPTED":
      return respond("SUCCESS", messages, { message: accepted }, `${accepted}; it is applied in the background.`);
    case "APPLIED": {
      const message = (outcome.result as { message?: string }).message ?? "Done";
      return respond("SUCCESS", messages, outcome.result, message);
    }
    case "OVERLOAD":
      return respond("OVERLOAD", outcome.problem, null, outcome.problem);
    case "ERROR":
      if (notFoundId !== undefined && isNotFound(outcome.error)) {
        return memoryNotFound(notFoundId, null);
      }
      return respond("ERROR", outcome.problem, null, outcome.problem);
  }
}

/**
 * What search and get_all check before reading: the caller's filters parse,
 * the credentials give a setup, and user_id names a scope. Otherwise the
 * ERROR result to return.
 */
export async function prepareScopedRead(
  params: { user_id: string; agent_id?: string; run_id?: string; app_id?: string; filters?: string },
  context: CallContext,
): Promise<{ setup: MemorySetup; scope: Scope; filters: NormalizedFilters } | { failure: ToolMessage[] }> {
  let filters: NormalizedFilters;
  try {
    filters = parseFilters(params.filters);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    return { failure: respond("ERROR", error.message, [], error.message) };
  }
  const scoped = scopeOf(params, []);
  if ("failure" in scoped) return scoped;
  const configured = await setupFor(context, []);
  if ("failure" in configured) return configured;
  return { setup: configured.setup, scope: scoped.scope, filters };
}
