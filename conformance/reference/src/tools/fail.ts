import { text } from "@dify-ts/runtime";
import { provider } from "../provider.js";

export const fail = provider.defineTool({
  identity: { name: "fail", label: { en_US: "Fail", zh_Hans: "失败" } },
  description: {
    human: { en_US: "Emits some messages, then raises an error", zh_Hans: "先输出若干消息，然后抛出错误" },
    llm: "Always fails.",
  },
  parameters: {
    before: {
      type: "number",
      default: 0,
      min: 0,
      form: "form",
      label: { en_US: "Messages before the error", zh_Hans: "错误前的消息数" },
      human_description: {
        en_US: "How many text messages to emit before failing",
        zh_Hans: "失败前输出的文本消息数量",
      },
    },
    reveal_key: {
      type: "boolean",
      default: false,
      form: "form",
      label: { en_US: "Put the API key in the error", zh_Hans: "在错误中包含 API 密钥" },
      human_description: {
        en_US: "Makes the error message contain the API key (to test redaction)",
        zh_Hans: "让错误消息包含 API 密钥（用于测试脱敏）",
      },
    },
  },
  async *handler(params, context) {
    for (let index = 0; index < params.before; index++) yield text(`message ${index}`);
    // TypeError on both sides, so the SDK's type(e).__name__ and our error name agree.
    if (params.reveal_key) {
      const key = context.credentialType === "oauth2" ? context.credentials.access_token : context.credentials.api_key;
      throw new TypeError(`deliberate failure with key ${key}`);
    }
    throw new TypeError("deliberate failure");
  },
});
