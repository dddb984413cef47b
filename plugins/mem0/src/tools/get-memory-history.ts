/**
 * get_memory_history: how a memory changed, oldest first. With an owner
 * scope, only the history of a memory that exists inside it (a deleted
 * memory's owner is no longer known, so its history needs no owner scope).
 */
import { localized } from "@dify-ts/runtime";
import { ownedBy } from "../scope.js";
import { toHistoryRows, type HistoryRow } from "../memory/results.js";
import { provider } from "../provider.js";
import { memoryService } from "../plugin-service.js";
import {
  boundResults,
  memoryIdParameter,
  memoryNotFound,
  ownerOf,
  ownerParameters,
  preview,
  readTimeoutMs,
  respond,
  setupFor,
  timeoutParameter,
} from "./shared.js";

const DEFAULT_TIMEOUT_SECONDS = 30;

export const getMemoryHistory = provider.defineTool({
  identity: { name: "get_memory_history", label: localized("Get Memory History", "获取记忆历史") },
  description: {
    human: localized("Lists the changes of one memory", "列出一条记忆的变更记录"),
    llm: "Lists how one memory was added, updated and deleted, oldest first; pass the user's id so only that user's memory can be read.",
  },
  parameters: { memory_id: memoryIdParameter, ...ownerParameters, timeout: timeoutParameter(DEFAULT_TIMEOUT_SECONDS) },
  async handler(params, context) {
    const checked = ownerOf(params, []);
    if ("failure" in checked) return checked.failure;
    const configured = await setupFor(context, []);
    if ("failure" in configured) return configured.failure;
    const owner = checked.owner;
    const outcome = await memoryService().read<HistoryRow[] | null>(
      configured.setup,
      "get_memory_history",
      { timeoutMs: readTimeoutMs(params.timeout, DEFAULT_TIMEOUT_SECONDS), fallback: [], signal: context.signal },
      async (memory) => {
        if (owner) {
          const item = await memory.get(params.memory_id);
          if (!item || !ownedBy(item, owner)) return null;
        }
        return toHistoryRows(await memory.history(params.memory_id));
      },
    );
    if (outcome.status !== "SUCCESS")
      return respond(outcome.status, outcome.problem, [], `${outcome.problem}; no history returned.`);
    if (!outcome.value) return memoryNotFound(params.memory_id, []);
    const { items, truncated } = boundResults(outcome.value, ["old_memory", "new_memory"]);
    const lines = items.map(
      (row, index) =>
        `${index + 1}. ${row.event}: ${row.old_memory ?? "-"} -> ${row.new_memory ?? "-"} (${row.updated_at ?? row.created_at ?? "?"})`,
    );
    return respond(
      "SUCCESS",
      { memory_id: preview(params.memory_id) },
      items,
      `History of ${preview(params.memory_id)}: ${outcome.value.length} change(s)${lines.length ? `\n${lines.join("\n")}` : ""}`,
      truncated,
    );
  },
});
