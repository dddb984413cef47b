import { json, type DifyFile } from "@dify-ts/runtime";
import { provider } from "../provider.js";

const describeFile = (file: DifyFile) => ({
  url: file.url,
  filename: file.filename ?? null,
  mime_type: file.mime_type ?? null,
});
const option = (value: string, en_US: string, zh_Hans: string) => ({ value, label: { en_US, zh_Hans } });

export const parameters = provider.defineTool({
  identity: { name: "parameters", label: { en_US: "Every parameter type", zh_Hans: "全部参数类型" } },
  description: {
    human: {
      en_US: "Takes one parameter of every type and form and reports what it received",
      zh_Hans: "接收每种类型和形式的参数并报告收到的值",
    },
    llm: "Reports the parameters it received.",
  },
  parameters: {
    text: {
      type: "string",
      required: true,
      form: "llm",
      llm_description: "Any text.",
      label: { en_US: "Text", zh_Hans: "文本" },
      human_description: { en_US: "A string the model fills in", zh_Hans: "由模型填写的字符串" },
    },
    count: {
      type: "number",
      min: 1,
      max: 10,
      form: "llm",
      llm_description: "A number between 1 and 10.",
      label: { en_US: "Count", zh_Hans: "数量" },
      human_description: { en_US: "A number between 1 and 10", zh_Hans: "1 到 10 之间的数字" },
    },
    ratio: {
      type: "number",
      default: 0.5,
      precision: 2,
      form: "form",
      label: { en_US: "Ratio", zh_Hans: "比例" },
      human_description: { en_US: "A number set in the node", zh_Hans: "在节点中设置的数字" },
    },
    flag: {
      type: "boolean",
      default: false,
      form: "form",
      label: { en_US: "Flag", zh_Hans: "开关" },
      human_description: { en_US: "A boolean set in the node", zh_Hans: "在节点中设置的布尔值" },
    },
    choice: {
      type: "select",
      default: "a",
      form: "form",
      options: [option("a", "Option A", "选项 A"), option("b", "Option B", "选项 B")],
      label: { en_US: "Choice", zh_Hans: "选择" },
      human_description: { en_US: "One of two options", zh_Hans: "两个选项之一" },
    },
    secret: {
      type: "secret-input",
      form: "form",
      label: { en_US: "Secret", zh_Hans: "密文" },
      human_description: { en_US: "A secret set in the node", zh_Hans: "在节点中设置的密文" },
    },
    document: {
      type: "file",
      form: "llm",
      llm_description: "One file.",
      label: { en_US: "Document", zh_Hans: "文档" },
      human_description: { en_US: "One file", zh_Hans: "一个文件" },
    },
    attachments: {
      type: "files",
      form: "llm",
      llm_description: "Several files.",
      label: { en_US: "Attachments", zh_Hans: "附件" },
      human_description: { en_US: "Several files", zh_Hans: "多个文件" },
    },
  },
  async handler(params) {
    return json({
      text: params.text,
      count: params.count ?? null,
      ratio: params.ratio,
      flag: params.flag,
      choice: params.choice,
      secret_length: params.secret?.length ?? null,
      document: params.document ? describeFile(params.document) : null,
      attachments: (params.attachments ?? []).map(describeFile),
    });
  },
});
