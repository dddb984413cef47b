import { definePlugin, localized } from "@dify-ts/runtime";
import { provider } from "./provider.js";
import { routeConsoleTo } from "./console-log.js";
import { startExtractor } from "./extraction/index.js";
import { installMemoryService, stopMemoryService } from "./plugin-service.js";
import { createMemoryService } from "./service.js";
import { readSettings } from "./settings.js";
import { addMemory } from "./tools/add-memory.js";
import { checkExtractionStatus } from "./tools/check-extraction-status.js";
import { deleteAllMemories } from "./tools/delete-all-memories.js";
import { deleteMemory } from "./tools/delete-memory.js";
import { forgetMemories } from "./tools/forget-memories.js";
import { extractLongTermMemory } from "./tools/extract-long-term-memory.js";
import { getAllMemories } from "./tools/get-all-memories.js";
import { getMemoryHistory } from "./tools/get-memory-history.js";
import { getMemory } from "./tools/get-memory.js";
import { getUserCheckpoint } from "./tools/get-user-checkpoint.js";
import { searchMemory } from "./tools/search-memory.js";
import { updateMemory } from "./tools/update-memory.js";

export default definePlugin({
  manifest: {
    author: "dify-ts",
    name: "mem0",
    version: "0.1.0",
    label: localized("Mem0 Memory", "Mem0 记忆"),
    description: localized(
      "Self-hosted long-term memory with Mem0: add, search, list, update and delete memories; durable background writes",
      "基于 Mem0 的自托管长期记忆：添加、搜索、列出、更新和删除记忆；后台写入可靠持久",
    ),
    icon: "icon.svg",
    created_at: "2026-11-22T00:00:00Z",
    tags: ["productivity", "agent"],
    // Storage holds each workspace's id (workspace.ts): 36 bytes per workspace; 1 KiB leaves room.
    resource: { memory: 536870912, permission: { tool: { enabled: true }, storage: { enabled: true, size: 1024 } } },
    privacy: "PRIVACY.md",
  },
  provider,
  tools: [
    addMemory,
    searchMemory,
    getAllMemories,
    getMemory,
    updateMemory,
    deleteMemory,
    deleteAllMemories,
    getMemoryHistory,
    forgetMemories,
    extractLongTermMemory,
    checkExtractionStatus,
    getUserCheckpoint,
  ],
  // Reads the environment once, sends mem0ai's console output to the log, then replays the writes a previous
  // process accepted but did not apply and reads the extraction tasks it left.
  onStart: ({ logger }) => {
    routeConsoleTo(logger);
    const service = createMemoryService(readSettings(), logger);
    installMemoryService(service);
    return Promise.all([
      service.start().catch((error: unknown) => logger.error("the write journal could not be opened", error)),
      startExtractor(service, logger).catch((error: unknown) =>
        logger.error("the extraction tasks could not be read", error),
      ),
    ]).then(() => undefined);
  },
  onShutdown: stopMemoryService,
});
