import { definePlugin } from "@dify-ts/runtime";
import { provider } from "./provider.js";
import { greet } from "./tools/greet.js";
import { report } from "./tools/report.js";

export default definePlugin({
  manifest: {
    author: "dify-ts",
    name: "hello",
    version: "0.2.0",
    label: { en_US: "Hello", zh_Hans: "你好" },
    description: { en_US: "Greets people; a fixture for the dify-ts CLI tests", zh_Hans: "问候；dify-ts CLI 测试用" },
    icon: "icon.svg",
    created_at: "2026-01-15T10:00:00Z",
    tags: ["utilities"],
    resource: { memory: 268435456, permission: { storage: { enabled: true, size: 1048576 } } },
    privacy: "PRIVACY.md",
  },
  provider,
  tools: [greet, report],
});
