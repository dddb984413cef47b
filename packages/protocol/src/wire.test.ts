import { describe, expect, it } from "vitest";
import { serializeEvent, type PluginEvent } from "./wire.js";

describe("serializeEvent", () => {
  it("writes blob chunks byte for byte as JSON.stringify would, through its fast path", () => {
    const chunkEvent = (blob: string, end: boolean): PluginEvent => ({
      event: "session",
      session_id: 'sess-"1"',
      data: {
        type: "stream",
        data: {
          type: "blob_chunk",
          message: { id: "0123abcd", sequence: 7, total_length: 123456, blob, end },
          meta: { mime_type: "text/plain", filename: 'a "quoted" 文件.txt', size: 3 },
        },
      },
    });
    for (const event of [
      chunkEvent(Buffer.from("héllo \u0000 wörld").toString("base64"), false),
      chunkEvent("", true),
    ]) {
      expect(serializeEvent(event)).toBe(JSON.stringify(event) + "\n\n");
    }
  });
});
