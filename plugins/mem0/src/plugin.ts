import { definePlugin } from "@dify-ts/runtime";
import { provider } from "./provider.js";
import { service } from "./service.js";
import { addMemory } from "./tools/add-memory.js";
import { deleteAllMemories } from "./tools/delete-all-memories.js";
import { deleteMemory } from "./tools/delete-memory.js";
import { getAllMemories } from "./tools/get-all-memories.js";
import { getMemoryHistory } from "./tools/get-memory-history.js";
import { getMemory } from "./tools/get-memory.js";
import { searchMemory } from "./tools/search-memory.js";
import { updateMemory } from "./tools/update-memory.js";
import { l } from "./tools/shared.js";

export default definePlugin({
  manifest: {
    author: "dify-ts",
    name: "mem0",
    version: "0.1.0",
    label: l("Mem0 Memory", "Mem0 记忆"),
    description: l(
      "Self-hosted long-term memory with Mem0: add, search, list, update and delete memories; durable background writes",
      "基于 Mem0 的自托管长期记忆：添加、搜索、列出、更新和删除记忆；后台写入可靠持久",
    ),
    icon: "icon.svg",
    created_at: "2026-11-22T00:00:00Z",
    tags: ["productivity", "agent"],
    resource: { memory: 536870912, permission: { tool: { enabled: true } } },
    privacy: "PRIVACY.md",
  },
  provider,
  tools: [addMemory, searchMemory, getAllMemories, getMemory, updateMemory, deleteMemory, deleteAllMemories, getMemoryHistory],
  onShutdown: () => service.shutdown(),
});
