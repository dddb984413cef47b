/**
 * delete_all_memories: deletes every memory in one scope (a user, optionally
 * narrowed to an agent and run). Never the whole collection: the Python
 * plugin's mem0 version reset the table here and lost every user's memories.
 */
import { localized } from "@dify-ts/runtime";
import { scopeFields } from "../memory/filters.js";
import { provider } from "../provider.js";
import { memoryService } from "../plugin-service.js";
import { respondToWrite, scopeOf, scopeParameters, setupFor } from "./shared.js";

export const deleteAllMemories = provider.defineTool({
  identity: { name: "delete_all_memories", label: localized("Delete All Memories", "删除全部记忆") },
  description: {
    human: localized(
      "Deletes all memories of a user (or of one agent or run of that user)",
      "删除某个用户（或其某个智能体、运行）的全部记忆",
    ),
    llm: "Deletes all memories of the given user, optionally only those of one agent or run. Other users are never affected.",
  },
  parameters: { ...scopeParameters },
  async handler(params, context) {
    const scoped = scopeOf(params, null);
    if ("failure" in scoped) return scoped.failure;
    const { scope } = scoped;
    const configured = await setupFor(context, null);
    if ("failure" in configured) return configured.failure;
    const outcome = await memoryService().write(context.credentials, configured.setup, { op: "delete_all", scope });
    return respondToWrite(outcome, { filters: scopeFields(scope) }, "Batch memory deletion has been accepted");
  },
});
