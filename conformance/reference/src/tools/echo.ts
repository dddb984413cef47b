import { text } from "@dify-ts/runtime";
import { provider } from "../provider.js";

export const echo = provider.defineTool({
  identity: { name: "echo", label: { en_US: "Echo", zh_Hans: "回显" } },
  description: {
    human: { en_US: "Answers with the text it receives", zh_Hans: "返回收到的文本" },
    llm: "Returns the given text unchanged.",
  },
  parameters: {
    text: {
      type: "string",
      required: true,
      form: "llm",
      label: { en_US: "Text", zh_Hans: "文本" },
      human_description: { en_US: "The text to send back", zh_Hans: "要返回的文本" },
      llm_description: "The text to return.",
    },
  },
  async handler(params) {
    return text(params.text);
  },
});
