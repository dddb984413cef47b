/**
 * A tool emitting a 40 MB blob (streamed, with its size) and a 10 MB
 * multibyte text: no line on stdout reaches the daemon's 5 MiB limit, the
 * blob reassembles byte-identical and the text arrives whole. A request line
 * over the input limit is answered with an error instead of being dropped.
 */
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { MULTIBYTE_UNIT, patternBytes } from "./__fixtures__/fixture-tools.js";
import { MAX_INPUT_LINE_BYTES, MAX_LINE_BYTES, type JsonObject } from "@dify-ts/protocol";
import { reassemble, type PluginProcess } from "@dify-ts/host";
import { spawnTypeScriptPlugin } from "@dify-ts/test-support";

const entry = fileURLToPath(new URL("./__fixtures__/main.ts", import.meta.url));
let plugin: PluginProcess | undefined;

afterAll(() => plugin?.kill());

describe("large output", () => {
  it("keeps every line under 5 MiB for a 40 MB blob and a 10 MB text, and both arrive intact", async () => {
    plugin = spawnTypeScriptPlugin(entry);
    const result = await plugin.request({
      type: "tool",
      action: "invoke_tool",
      provider: "fixture",
      tool: "big",
      credentials: { api_key: "sk-large-1" },
      tool_parameters: { blob_mb: 40, text_mb: 10 },
    });
    expect(result.error).toBeUndefined();
    expect(plugin.maxLineBytes).toBeGreaterThan(1024 * 1024);
    expect(plugin.maxLineBytes).toBeLessThan(MAX_LINE_BYTES);
    expect(plugin.strayLines).toEqual([]);

    const seen = reassemble(result.stream);
    const size = 40 * 1024 * 1024;
    expect(seen.blobs).toHaveLength(1);
    expect(seen.blobs[0]!.meta).toEqual({ mime_type: "application/octet-stream", filename: "big.bin" });
    const expected = createHash("sha256");
    for (let offset = 0; offset < size; offset += 1024 * 1024) expected.update(patternBytes(offset, 1024 * 1024));
    expect(seen.blobs[0]!.data.length).toBe(size);
    expect(createHash("sha256").update(seen.blobs[0]!.data).digest("hex")).toBe(expected.digest("hex"));
    const chunks = result.stream
      .filter((message) => message.type === "blob_chunk")
      .map((message) => message.message as JsonObject);
    expect(chunks).toHaveLength(size / 8192 + 1);
    expect(chunks.every((chunk) => chunk.total_length === size)).toBe(true);

    const units = Math.floor((10 * 1024 * 1024) / Buffer.byteLength(MULTIBYTE_UNIT));
    expect(seen.texts.length).toBeGreaterThan(1);
    expect(seen.text === MULTIBYTE_UNIT.repeat(units)).toBe(true);
  });
});

describe("large input", () => {
  it("answers a request line over the input limit on its session, then serves the next request", async () => {
    const large = spawnTypeScriptPlugin(entry);
    try {
      const oversized = large.request(
        {
          type: "tool",
          action: "invoke_tool",
          provider: "fixture",
          tool: "sequence",
          credentials: { api_key: "sk-large-2" },
          tool_parameters: { tag: "x".repeat(MAX_INPUT_LINE_BYTES), count: 1 },
        },
        { sessionId: "too-large" },
      );
      const result = await oversized;
      expect(result.error?.error_type).toBe("RequestTooLargeError");
      expect(result.error?.message).toContain("input limit of 24 MiB");
      expect(result.error?.message).toContain("file parameter");
      expect(result.stream).toEqual([]);
      const next = await large.request({
        type: "tool",
        action: "invoke_tool",
        provider: "fixture",
        tool: "sequence",
        credentials: { api_key: "sk-large-2" },
        tool_parameters: { tag: "after", count: 1 },
      });
      expect(next.error).toBeUndefined();
      expect(next.stream).toHaveLength(1);
    } finally {
      large.kill();
    }
  });

  it("answers only the session named first on the line, never a session_id inside the request's data", async () => {
    const large = spawnTypeScriptPlugin(entry);
    try {
      // No session_id key first: the line names no session, so nobody is answered for it.
      const padding = "x".repeat(MAX_INPUT_LINE_BYTES);
      large.writeLine(
        JSON.stringify({ event: "request", data: { session_id: "victim", padding }, session_id: "late" }),
      );
      const next = await large.request({
        type: "tool",
        action: "invoke_tool",
        provider: "fixture",
        tool: "sequence",
        credentials: { api_key: "sk-large-3" },
        tool_parameters: { tag: "after", count: 1 },
      });
      expect(next.error).toBeUndefined();
      // Lines are read in order: the oversized line was handled before the next request was answered.
      expect(large.events.filter((event) => event.session_id === "victim" || event.session_id === "late")).toEqual([]);
      await large.waitFor((event) => event.event === "log" && JSON.stringify(event).includes("input limit of 24 MiB"));
    } finally {
      large.kill();
    }
  });
});
