import { CredentialValidationError, defineProvider } from "@dify-ts/runtime";

export const provider = defineProvider({
  identity: {
    name: "hello",
    label: { en_US: "Hello", zh_Hans: "你好" },
    description: { en_US: "Greeting tools", zh_Hans: "问候工具" },
    icon: "icon.svg",
    tags: ["utilities"],
  },
  credentials: {
    token: {
      type: "secret-input",
      required: true,
      label: { en_US: "Token", zh_Hans: "令牌" },
      help: { en_US: "Any value except 'wrong'", zh_Hans: "除 'wrong' 以外的任何值" },
    },
    style: {
      type: "select",
      default: "plain",
      options: [
        { value: "plain", label: { en_US: "Plain", zh_Hans: "普通" } },
        { value: "loud", label: { en_US: "Loud", zh_Hans: "大声" } },
      ],
      label: { en_US: "Style", zh_Hans: "风格" },
    },
  },
  async validateCredentials(credentials) {
    if (credentials.token === "wrong") throw new CredentialValidationError("the token was rejected");
  },
});
