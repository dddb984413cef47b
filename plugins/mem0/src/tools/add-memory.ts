/** add_memory: stores what the user (and optionally the assistant) said, as memories mem0 extracts. */
import { localized } from "@dify-ts/runtime";
import type { JsonObject } from "@dify-ts/runtime";
import { parseLenientJson } from "../config/lenient-json.js";
import { isJsonObject } from "@dify-ts/protocol";
import { provider } from "../provider.js";
import { memoryService } from "../plugin-service.js";
import { oversizedText, preview, respond, scopeOf, scopeParameters, setupFor } from "./shared.js";

export const addMemory = provider.defineTool({
  identity: { name: "add_memory", label: localized("Add Memory", "添加记忆") },
  description: {
    human: localized(
      "Extracts memories from a user message (and the assistant's reply) and stores them",
      "从用户消息（及助手回复）中提取并保存记忆",
    ),
    llm: "Stores long-term memories extracted from the user's message and, optionally, the assistant's reply. Call it with what the user said whenever it reveals facts, preferences or plans worth remembering.",
  },
  parameters: {
    user: {
      type: "string",
      required: true,
      form: "llm",
      label: localized("User message", "用户消息"),
      human_description: localized("What the user said", "用户说的话"),
      llm_description: "The user's message.",
    },
    assistant: {
      type: "string",
      form: "llm",
      label: localized("Assistant message", "助手消息"),
      human_description: localized("Optional: the assistant's reply", "可选：助手的回复"),
      llm_description: "Optional reply of the assistant.",
    },
    ...scopeParameters,
    metadata: {
      type: "string",
      form: "llm",
      label: localized("Metadata (JSON)", "元数据（JSON）"),
      human_description: localized(
        'Optional JSON object stored with the memories, e.g. {"category": "food"}',
        "可选，与记忆一起保存的 JSON 对象",
      ),
      llm_description: 'Optional JSON object of metadata stored with the memories, for example {"category": "food"}.',
    },
    output_format: {
      type: "select",
      form: "form",
      default: "v1.1",
      label: localized("Output format", "输出格式"),
      human_description: localized(
        "Kept for workflows built with the Python plugin; the output is always the v1.1 shape",
        "为兼容 Python 插件的工作流而保留；输出始终为 v1.1 格式",
      ),
      options: [
        { value: "v1.0", label: localized("v1.0", "v1.0") },
        { value: "v1.1", label: localized("v1.1", "v1.1") },
        { value: "v2", label: localized("v2", "v2") },
      ],
    },
  },
  async handler(params, context) {
    const oversized = oversizedText({ user: params.user, assistant: params.assistant, metadata: params.metadata }, []);
    if (oversized) return oversized;
    const messages: { role: "user" | "assistant"; content: string }[] = [];
    if (params.user.trim()) messages.push({ role: "user", content: params.user });
    if (params.assistant?.trim() && params.assistant !== params.user)
      messages.push({ role: "assistant", content: params.assistant });
    const scoped = scopeOf(params, []);
    if ("failure" in scoped) return scoped.failure;
    const { scope } = scoped;
    if (messages.length === 0) {
      return respond(
        "SUCCESS",
        messages,
        [{ id: "", memory: "", event: "SKIP" }],
        "Nothing to remember: the messages were empty.",
      );
    }
    let metadata: JsonObject | undefined;
    if (params.metadata?.trim()) {
      const parsed = parseLenientJson(params.metadata);
      if (!parsed.ok || !isJsonObject(parsed.value)) {
        const problem = `Invalid JSON in metadata: ${parsed.ok ? "expected a JSON object" : parsed.problem}`;
        return respond("ERROR", problem, [], problem);
      }
      metadata = parsed.value as JsonObject;
    }
    const configured = await setupFor(context, []);
    if ("failure" in configured) return configured.failure;
    const outcome = await memoryService().write(context.credentials, configured.setup, {
      op: "add",
      messages,
      scope,
      ...(metadata && { metadata }),
    });
    const echoed = messages.map((message) => ({ ...message, content: preview(message.content) }));
    switch (outcome.status) {
      case "ACCEPTED":
        return respond(
          "SUCCESS",
          echoed,
          [{ id: "", memory: "", event: "ACCEPT" }],
          "Memory addition accepted; it is stored in the background.",
        );
      case "APPLIED": {
        const added = outcome.result as { memory: string }[];
        const summary =
          added.length === 0
            ? "No new memories were extracted."
            : `Added ${added.length} memories:\n${added.map((item, index) => `${index + 1}. ${item.memory}`).join("\n")}`;
        return respond("SUCCESS", echoed, outcome.result, summary);
      }
      case "OVERLOAD":
      case "ERROR":
        return respond(outcome.status, outcome.problem, [], outcome.problem);
    }
  },
});
