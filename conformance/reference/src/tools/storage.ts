import { json } from "@dify-ts/runtime";
import { provider } from "../provider.js";

export const storage = provider.defineTool({
  identity: { name: "storage", label: { en_US: "Storage", zh_Hans: "存储" } },
  description: {
    human: {
      en_US: "Reads a key from Dify's plugin storage, writes a copy and checks it exists",
      zh_Hans: "从 Dify 插件存储读取一个键，写入副本并检查其存在",
    },
    llm: "Copies a value in the plugin's storage.",
  },
  parameters: {
    key: {
      type: "string",
      required: true,
      form: "llm",
      label: { en_US: "Key", zh_Hans: "键" },
      human_description: { en_US: "The key to read", zh_Hans: "要读取的键" },
      llm_description: "The storage key to read.",
    },
  },
  async handler(params, context) {
    const value = await context.dify.storage.get(params.key);
    await context.dify.storage.set(`${params.key}-copy`, Buffer.concat([value, Buffer.from("!")]));
    const copied = await context.dify.storage.exist(`${params.key}-copy`);
    return json({ value: value.toString(), copied });
  },
});
