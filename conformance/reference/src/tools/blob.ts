import { blob as blobMessage } from "@dify-ts/runtime";
import { provider } from "../provider.js";

// Byte i is (i * 31 + 7) mod 256, as in the Python twin: the pattern repeats every 256 bytes.
const PATTERN = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 31 + 7) & 0xff));

export function patternBytes(size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let offset = 0; offset < size; offset += PATTERN.length)
    PATTERN.copy(bytes, offset, 0, Math.min(PATTERN.length, size - offset));
  return bytes;
}

export const blob = provider.defineTool({
  identity: { name: "blob", label: { en_US: "Blob", zh_Hans: "二进制" } },
  description: {
    human: {
      en_US: "Returns a file of the requested size with a fixed byte pattern",
      zh_Hans: "返回指定大小、固定字节模式的文件",
    },
    llm: "Returns a binary file of the given size.",
  },
  parameters: {
    bytes: {
      type: "number",
      required: true,
      min: 0,
      form: "llm",
      label: { en_US: "Bytes", zh_Hans: "字节数" },
      human_description: { en_US: "Size of the file in bytes", zh_Hans: "文件大小（字节）" },
      llm_description: "Size of the file in bytes.",
    },
  },
  async handler(params) {
    return blobMessage(patternBytes(params.bytes), {
      mime_type: "application/octet-stream",
      filename: "conformance.bin",
    });
  },
});
