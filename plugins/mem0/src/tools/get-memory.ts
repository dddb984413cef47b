/** get_memory: one memory by id; with an owner scope, only a memory inside it. */
import { localized } from "@dify-ts/runtime";
import { ownedBy } from "../scope.js";
import { toStoredItem, type StoredItem } from "../memory/results.js";
import { recordRecall } from "../lifecycle/recall.js";
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

export const getMemory = provider.defineTool({
  identity: { name: "get_memory", label: localized("Get Memory", "获取记忆") },
  description: {
    human: localized("Reads one memory by its id", "按 ID 读取一条记忆"),
    llm: "Reads one stored memory by its id; pass the user's id so only that user's memory can be read.",
  },
  parameters: { memory_id: memoryIdParameter, ...ownerParameters, timeout: timeoutParameter(DEFAULT_TIMEOUT_SECONDS) },
  async handler(params, context) {
    const request = { memory_id: preview(params.memory_id) };
    const checked = ownerOf(params, null);
    if ("failure" in checked) return checked.failure;
    const configured = await setupFor(context, null);
    if ("failure" in configured) return configured.failure;
    const outcome = await memoryService().read<(StoredItem & { owner?: string }) | null>(
      configured.setup,
      "get_memory",
      { timeoutMs: readTimeoutMs(params.timeout, DEFAULT_TIMEOUT_SECONDS), fallback: null, signal: context.signal },
      async (memory) => {
        const item = await memory.get(params.memory_id);
        if (!item || (checked.owner && !ownedBy(item, checked.owner))) return null;
        const owner = (item as { user_id?: unknown }).user_id;
        return { ...toStoredItem(item), ...(typeof owner === "string" && { owner }) };
      },
    );
    if (outcome.status !== "SUCCESS")
      return respond(outcome.status, outcome.problem, null, `${outcome.problem}; no memory returned.`);
    if (!outcome.value) return memoryNotFound(params.memory_id, null);
    const { owner, ...found } = outcome.value;
    if (owner !== undefined) recordRecall(configured.setup, owner, [found.id]);
    const {
      items: [item],
      truncated,
    } = boundResults([found], ["memory"]);
    return respond("SUCCESS", request, item!, `Memory ${item!.id}: ${item!.memory}`, truncated);
  },
});
