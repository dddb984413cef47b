import { PluginError, imageLink, json, localized, log, retrieverResources, type JsonObject } from "@dify-ts/runtime";
import { provider } from "../provider.js";

const form = (en_US: string, zh_Hans: string, description: [string, string]) => ({
  form: "form" as const,
  label: localized(en_US, zh_Hans),
  human_description: localized(...description),
});

export const surface = provider.defineTool({
  identity: { name: "surface", label: localized("Tool surface", "工具接口") },
  description: {
    human: localized(
      "Dynamic options, the newer parameter types and message kinds, and the credential type",
      "动态选项、较新的参数类型与消息类型，以及凭据类型",
    ),
    llm: "Reports its parameters and credential type, and emits the newer message kinds.",
  },
  parameters: {
    channel: {
      type: "dynamic-select",
      required: true,
      ...form("Channel", "频道", ["Options fetched from the service", "从服务获取的选项"]),
    },
    channels: {
      type: "dynamic-select",
      multiple: true,
      ...form("Channels", "多个频道", ["Several options fetched from the service", "从服务获取的多个选项"]),
    },
    colors: {
      type: "select",
      multiple: true,
      options: [
        { value: "red", label: localized("Red", "红") },
        { value: "blue", label: localized("Blue", "蓝"), icon: "https://example.com/blue.svg" },
      ],
      ...form("Colors", "颜色", ["Any of two colors", "两种颜色中的任意几种"]),
    },
    shade: {
      type: "string",
      show_on: [{ variable: "colors", value: "blue" }],
      ...form("Shade", "色调", ["Shown only when blue is picked", "仅在选择蓝色时显示"]),
    },
    agree: { type: "checkbox", ...form("Agree", "同意", ["A checkbox", "复选框"]) },
    model: {
      type: "model-selector",
      scope: "llm",
      ...form("Model", "模型", ["A model chosen in the node", "在节点中选择的模型"]),
    },
    app: {
      type: "app-selector",
      scope: "chat",
      ...form("App", "应用", ["An app chosen in the node", "在节点中选择的应用"]),
    },
    filter: {
      type: "object",
      form: "llm",
      label: localized("Filter", "过滤条件"),
      human_description: localized("A JSON object", "一个 JSON 对象"),
      llm_description: "Fields to match.",
      input_schema: { type: "object", properties: { field: { type: "string" } } },
    },
    tags: {
      type: "array",
      form: "llm",
      label: localized("Tags", "标签"),
      human_description: localized("A JSON array", "一个 JSON 数组"),
      llm_description: "Tags to add.",
      input_schema: { type: "array", items: { type: "string" } },
    },
    anything: { type: "any", ...form("Anything", "任意值", ["Any value", "任意值"]) },
  },
  output_schema: { type: "object", properties: { credential_type: { type: "string" } } },
  async *handler(params, context) {
    yield json({
      credential_type: context.credentialType,
      credentials: Object.keys(context.credentials).sort(),
      // Dates, models and apps are plain JSON; the copy gives them the JsonObject type.
      parameters: JSON.parse(JSON.stringify(params)) as JsonObject,
    });
    yield imageLink("https://example.com/linked.png");
    yield retrieverResources(
      [{ position: 1, dataset_name: "docs", document_name: "a.md", score: 0.9, content: "alpha" }],
      "alpha",
    );
    yield log("timed", "success", { step: 1 }, { metadata: { provider: "conformance", elapsed_time: 0.5 } });
  },
  async fetchParameterOptions(parameter) {
    if (parameter === "channel")
      return [
        { value: "general", label: localized("General", "综合") },
        { value: "random", label: localized("Random"), icon: "https://example.com/r.svg" },
      ];
    throw new PluginError("ValueError", `no options for ${parameter}`);
  },
});
