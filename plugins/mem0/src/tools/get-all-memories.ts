/** get_all_memories: the memories in a scope, optionally filtered by metadata. */
import { localized } from "@dify-ts/runtime";
import { listFilters, scopeFields } from "../memory/filters.js";
import { toStoredItem, type StoredItem } from "../memory/results.js";
import { provider } from "../provider.js";
import { memoryService } from "../plugin-service.js";
import {
  boundResults,
  filtersParameter,
  prepareScopedRead,
  preview,
  readTimeoutMs,
  respond,
  scopeParameters,
  timeoutParameter,
} from "./shared.js";

const DEFAULT_TIMEOUT_SECONDS = 60;

export const getAllMemories = provider.defineTool({
  identity: { name: "get_all_memories", label: localized("Get All Memories", "获取全部记忆") },
  description: {
    human: localized("Lists the memories of a user (or agent, or run)", "列出某个用户（或智能体、运行）的记忆"),
    llm: "Lists the stored memories of a user, optionally narrowed to an agent or run and filtered by metadata.",
  },
  parameters: {
    ...scopeParameters,
    limit: {
      type: "number",
      form: "llm",
      default: 100,
      min: 1,
      max: 1000,
      label: localized("Limit", "数量上限"),
      human_description: localized("At most this many memories (default 100)", "最多返回的记忆数（默认 100）"),
      llm_description: "At most this many memories (default 100).",
    },
    filters: filtersParameter,
    timeout: timeoutParameter(DEFAULT_TIMEOUT_SECONDS),
  },
  async handler(params, context) {
    const prepared = await prepareScopedRead(params, context);
    if ("failure" in prepared) return prepared.failure;
    const { setup, scope, filters } = prepared;
    const outcome = await memoryService().read<StoredItem[]>(
      setup,
      "get_all_memories",
      { timeoutMs: readTimeoutMs(params.timeout, DEFAULT_TIMEOUT_SECONDS), fallback: [], signal: context.signal },
      async (memory) =>
        (await memory.getAll({ filters: listFilters(scope, filters), topK: Math.round(params.limit) })).results.map(
          toStoredItem,
        ),
    );
    const request = {
      ...scopeFields(scope),
      limit: params.limit,
      ...(params.filters?.trim() && { filters: preview(params.filters) }),
    };
    if (outcome.status !== "SUCCESS")
      return respond(outcome.status, outcome.problem, [], `${outcome.problem}; no memories returned.`);
    const { items, truncated } = boundResults(outcome.value, ["memory"]);
    const lines = items.map((item, index) => `${index + 1}. ${item.memory}`);
    return respond(
      "SUCCESS",
      request,
      items,
      `Found ${outcome.value.length} memories${lines.length ? `:\n${lines.join("\n")}` : "."}`,
      truncated,
    );
  },
});
