/** update_memory: replaces a memory's text (re-embedded; the change is recorded in its history); with an owner scope, only inside it. */
import { localized } from "@dify-ts/runtime";
import { provider } from "../provider.js";
import { memoryService } from "../plugin-service.js";
import {
  memoryIdParameter,
  oversizedText,
  ownerOf,
  ownerParameters,
  preview,
  respond,
  respondToWrite,
  setupFor,
} from "./shared.js";

export const updateMemory = provider.defineTool({
  identity: { name: "update_memory", label: localized("Update Memory", "更新记忆") },
  description: {
    human: localized("Replaces the text of one memory", "替换一条记忆的内容"),
    llm: "Replaces the text of one stored memory, for example when the user corrects it; pass the user's id so only that user's memory can change.",
  },
  parameters: {
    memory_id: memoryIdParameter,
    text: {
      type: "string",
      required: true,
      form: "llm",
      label: localized("Text", "内容"),
      human_description: localized("The new text of the memory", "记忆的新内容"),
      llm_description: "The new text of the memory.",
    },
    ...ownerParameters,
  },
  async handler(params, context) {
    const messages = { memory_id: preview(params.memory_id), text: preview(params.text) };
    if (!params.text.trim()) return respond("ERROR", "text is required", null, "text is required.");
    const oversized = oversizedText({ text: params.text }, null);
    if (oversized) return oversized;
    const checked = ownerOf(params, null);
    if ("failure" in checked) return checked.failure;
    const configured = await setupFor(context, null);
    if ("failure" in configured) return configured.failure;
    const outcome = await memoryService().write(context.credentials, configured.setup, {
      op: "update",
      memory_id: params.memory_id,
      text: params.text,
      ...(checked.owner && { owner: checked.owner }),
    });
    return respondToWrite(outcome, messages, "Memory update has been accepted", params.memory_id);
  },
});
