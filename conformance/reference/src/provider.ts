import { CredentialValidationError, PluginError, defineProvider } from "@dify-ts/runtime";

export const provider = defineProvider({
  identity: {
    name: "conformance",
    author: "dify-ts",
    label: { en_US: "Conformance", zh_Hans: "一致性" },
    description: {
      en_US: "Tools that exercise every part of the plugin protocol",
      zh_Hans: "覆盖插件协议各部分的工具",
    },
    icon: "icon.svg",
    tags: ["utilities"],
  },
  credentials: {
    api_key: {
      type: "secret-input",
      required: true,
      label: { en_US: "API key", zh_Hans: "API 密钥" },
      placeholder: { en_US: "Any key except bad-key", zh_Hans: "除 bad-key 以外的任意密钥" },
      help: { en_US: "The key bad-key fails validation", zh_Hans: "密钥 bad-key 会验证失败" },
      url: "https://example.com/keys",
    },
    region: { type: "text-input", default: "us-east-1", label: { en_US: "Region", zh_Hans: "区域" } },
    tier: {
      type: "select",
      default: "free",
      options: [
        { value: "free", label: { en_US: "Free", zh_Hans: "免费" } },
        { value: "pro", label: { en_US: "Pro", zh_Hans: "专业" } },
      ],
      label: { en_US: "Tier", zh_Hans: "级别" },
    },
    verbose: { type: "boolean", default: false, label: { en_US: "Verbose", zh_Hans: "详细" } },
  },
  async validateCredentials(credentials) {
    if (credentials.api_key === "bad-key") throw new CredentialValidationError("the API key was rejected");
  },
  oauth: {
    client: {
      client_id: { type: "text-input", required: true, label: { en_US: "Client ID", zh_Hans: "客户端 ID" } },
      client_secret: { type: "secret-input", required: true, label: { en_US: "Client secret", zh_Hans: "客户端密钥" } },
    },
    credentials: {
      access_token: { type: "secret-input", required: true, label: { en_US: "Access token", zh_Hans: "访问令牌" } },
    },
    getAuthorizationUrl({ redirectUri, systemCredentials }) {
      const query = new URLSearchParams({ client_id: systemCredentials.client_id, redirect_uri: redirectUri });
      return `https://auth.example.com/authorize?${query.toString()}`;
    },
    async getCredentials({ request }) {
      const code = new URL(request.url).searchParams.get("code");
      if (code === "denied") throw new PluginError("ValueError", "the authorization was denied");
      return { credentials: { access_token: `token-for-${code}` }, expires_at: 1767225600 };
    },
    async refreshCredentials({ credentials }) {
      return { credentials: { access_token: `${credentials.access_token}-refreshed` } };
    },
  },
});
