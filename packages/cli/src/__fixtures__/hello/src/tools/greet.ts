import { text } from "@dify-ts/runtime";
import { provider } from "../provider.js";

export const greet = provider.defineTool({
  identity: { name: "greet", label: { en_US: "Greet", zh_Hans: "问候" } },
  description: { human: { en_US: "Says hello", zh_Hans: "打招呼" }, llm: "Greets the named person" },
  parameters: {
    name: {
      type: "string",
      required: true,
      form: "llm",
      label: { en_US: "Name", zh_Hans: "名字" },
      human_description: { en_US: "Who to greet", zh_Hans: "问候谁" },
      llm_description: "The person's name",
    },
  },
  async handler(params, context) {
    const greeting = `Hello, ${params.name}!`;
    return text(context.credentials.style === "loud" ? greeting.toUpperCase() : greeting);
  },
});
