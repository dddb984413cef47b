/** delete_memory: removes one memory (its history keeps a DELETE row); with an owner scope, only a memory inside it. */
import { localized } from "@dify-ts/runtime";
import { provider } from "../provider.js";
import { memoryService } from "../plugin-service.js";
import { memoryIdParameter, ownerOf, ownerParameters, preview, respondToWrite, setupFor } from "./shared.js";

export const deleteMemory = provider.defineTool({
  identity: { name: "delete_memory", label: localized("Delete Memory", "删除记忆") },
  description: {
    human: localized("Deletes one memory by its id", "按 ID 删除一条记忆"),
    llm: "Deletes one stored memory by its id; pass the user's id so only that user's memory can be deleted.",
  },
  parameters: { memory_id: memoryIdParameter, ...ownerParameters },
  async handler(params, context) {
    const checked = ownerOf(params, null);
    if ("failure" in checked) return checked.failure;
    const configured = await setupFor(context, null);
    if ("failure" in configured) return configured.failure;
    const outcome = await memoryService().write(context.credentials, configured.setup, {
      op: "delete",
      memory_id: params.memory_id,
      ...(checked.owner && { owner: checked.owner }),
    });
    return respondToWrite(
      outcome,
      { memory_id: preview(params.memory_id) },
      "Memory deletion has been accepted",
      params.memory_id,
    );
  },
});
