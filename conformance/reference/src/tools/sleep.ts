import { setTimeout as delay } from "node:timers/promises";
import { text } from "@dify-ts/runtime";
import { provider } from "../provider.js";

export const sleep = provider.defineTool({
  identity: { name: "sleep", label: { en_US: "Sleep", zh_Hans: "等待" } },
  description: {
    human: { en_US: "Waits, then answers", zh_Hans: "等待后返回" },
    llm: "Waits the given number of milliseconds.",
  },
  parameters: {
    ms: {
      type: "number",
      required: true,
      min: 0,
      max: 600000,
      form: "llm",
      label: { en_US: "Milliseconds", zh_Hans: "毫秒" },
      human_description: { en_US: "How long to wait", zh_Hans: "等待时长" },
      llm_description: "Milliseconds to wait.",
    },
  },
  async handler(params, context) {
    await delay(params.ms, undefined, { signal: context.signal });
    return text(`slept ${params.ms} ms`);
  },
});
