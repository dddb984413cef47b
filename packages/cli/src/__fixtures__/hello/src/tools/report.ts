import { blob, json } from "@dify-ts/runtime";
import { provider } from "../provider.js";

export const report = provider.defineTool({
  identity: { name: "report", label: { en_US: "Report", zh_Hans: "报告" } },
  description: {
    human: { en_US: "Reports the runtime and a small file", zh_Hans: "报告运行环境和一个小文件" },
    llm: "Reports the Node version",
  },
  parameters: {
    bytes: {
      type: "number",
      form: "form",
      default: 16,
      min: 0,
      max: 65536,
      label: { en_US: "Bytes", zh_Hans: "字节" },
      human_description: { en_US: "Size of the file", zh_Hans: "文件大小" },
    },
  },
  async *handler(params) {
    yield json({ node: process.version, pid: process.pid, cwd: process.cwd(), execArgv: process.execArgv });
    yield blob(Buffer.alloc(params.bytes, 0x61), { mime_type: "text/plain", filename: "a.txt" });
  },
});
