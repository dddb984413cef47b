import { definePlugin } from "@dify-ts/runtime";
import { endpoints } from "./endpoints.js";
import { provider } from "./provider.js";
import { backwards } from "./tools/backwards.js";
import { blob } from "./tools/blob.js";
import { echo } from "./tools/echo.js";
import { fail } from "./tools/fail.js";
import { messages } from "./tools/messages.js";
import { parameters } from "./tools/parameters.js";
import { sleep } from "./tools/sleep.js";
import { storage } from "./tools/storage.js";
import { surface } from "./tools/surface.js";

export default definePlugin({
  manifest: {
    author: "dify-ts",
    name: "conformance_reference",
    version: "0.1.0",
    label: { en_US: "Conformance reference", zh_Hans: "一致性参考插件" },
    description: {
      en_US: "The reference plugin both SDKs implement, for protocol conformance tests and benchmarks",
      zh_Hans: "两个 SDK 都实现的参考插件，用于协议一致性测试和基准测试",
    },
    icon: "icon.svg",
    created_at: "2026-01-01T00:00:00Z",
    tags: ["utilities"],
    resource: {
      memory: 268435456,
      permission: {
        tool: { enabled: true },
        endpoint: { enabled: true },
        storage: { enabled: true, size: 1048576 },
        model: {
          enabled: true,
          llm: true,
          text_embedding: true,
          rerank: true,
          tts: true,
          speech2text: true,
          moderation: true,
        },
        node: { enabled: true },
        app: { enabled: true },
      },
    },
  },
  provider,
  tools: [echo, messages, blob, fail, sleep, parameters, storage, backwards, surface],
  endpoints,
});
