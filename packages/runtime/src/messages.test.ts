import { describe, expect, it } from "vitest";
import {
  blob,
  image,
  json,
  link,
  log,
  MessageTooLargeError,
  streamVariable,
  text,
  toWire,
  variable,
  type ToolMessage,
} from "./messages.js";
import { MAX_LINE_BYTES, serializeEvent, type JsonObject } from "@dify-ts/protocol";
import { reassemble } from "@dify-ts/host";

async function wire(message: ToolMessage): Promise<JsonObject[]> {
  const result: JsonObject[] = [];
  for await (const item of toWire(message)) result.push(item as unknown as JsonObject);
  return result;
}

/** The line the dispatcher would write for a stream message, with a daemon-style session id. */
function lineBytes(data: JsonObject): number {
  return Buffer.byteLength(
    serializeEvent({
      event: "session",
      session_id: "0f3c2a8e-5b7d-4c1e-9a6f-2d8b4e7c1a30",
      data: { type: "stream", data },
    }),
  );
}

function bytes(length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff));
}

async function* inPieces(data: Buffer, sizes: number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (const size of sizes) {
    yield data.subarray(offset, offset + size);
    offset += size;
  }
  if (offset < data.length) yield data.subarray(offset);
}

describe("toWire: blobs", () => {
  it("splits bytes into 8192-byte blob_chunk messages and an empty end chunk, as the SDK does", async () => {
    const data = bytes(20000);
    const chunks = await wire(blob(data, { mime_type: "image/png", filename: "a.png" }));
    expect(chunks).toHaveLength(4);
    const messages = chunks.map((chunk) => chunk.message as JsonObject);
    expect(messages.map((m) => m.sequence)).toEqual([0, 1, 2, 3]);
    expect(messages.map((m) => Buffer.from(String(m.blob), "base64").length)).toEqual([8192, 8192, 3616, 0]);
    expect(messages.map((m) => m.end)).toEqual([false, false, false, true]);
    expect(new Set(messages.map((m) => m.id)).size).toBe(1);
    expect(String(messages[0]!.id)).toMatch(/^[0-9a-f]{32}$/);
    expect(messages.every((m) => m.total_length === 20000)).toBe(true);
    expect(chunks.every((chunk) => chunk.type === "blob_chunk")).toBe(true);
    expect(chunks[0]!.meta).toEqual({ mime_type: "image/png", filename: "a.png" });
    expect(reassemble(chunks).blobs[0]!.data.equals(data)).toBe(true);
  });

  it("sends one full chunk for exactly 8192 bytes and only the end chunk for an empty blob", async () => {
    expect((await wire(blob(bytes(8192), { mime_type: "x/y" }))).map((c) => (c.message as JsonObject).end)).toEqual([
      false,
      true,
    ]);
    const empty = await wire(blob(new Uint8Array(0), { mime_type: "x/y" }));
    expect(empty).toHaveLength(1);
    expect(empty[0]!.message).toMatchObject({ sequence: 0, total_length: 0, blob: "", end: true });
  });

  it("re-chunks a stream of odd-sized pieces to 8192 bytes, carrying the declared size on every chunk", async () => {
    const data = bytes(50_000);
    const chunks = await wire(
      blob(inPieces(data, [1, 8191, 10_000, 3, 7000]), { mime_type: "application/pdf" }, data.length),
    );
    const sizes = chunks.map((c) => Buffer.from(String((c.message as JsonObject).blob), "base64").length);
    expect(sizes.slice(0, -2).every((size) => size === 8192)).toBe(true);
    expect(chunks.every((c) => (c.message as JsonObject).total_length === 50_000)).toBe(true);
    expect(reassemble(chunks).blobs[0]!.data.equals(data)).toBe(true);
  });

  it("marks a stream without a declared size with total_length -1", async () => {
    const chunks = await wire(blob(inPieces(bytes(9000), [4500]), { mime_type: "text/plain" }));
    expect(chunks.every((c) => (c.message as JsonObject).total_length === -1)).toBe(true);
  });

  it("fails when a stream's length differs from its declared size", async () => {
    await expect(wire(blob(inPieces(bytes(100), [50]), { mime_type: "text/plain" }, 120))).rejects.toThrow(
      "blob stream ended after 100 bytes but its declared size was 120",
    );
  });

  it("keeps every blob line far below the line limit", async () => {
    const chunks = await wire(blob(bytes(40_000), { mime_type: "x/y", filename: "f" }));
    expect(Math.max(...chunks.map(lineBytes))).toBeLessThan(12_000);
  });
});

describe("toWire: text, json and the 5 MiB line limit", () => {
  it("splits a large multibyte text into pieces under the line limit without breaking characters", async () => {
    const original = "aé中😀".repeat(1_000_000); // 10 MB of UTF-8
    const pieces = await wire(text(original));
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      expect(lineBytes(piece)).toBeLessThan(MAX_LINE_BYTES);
      const value = String((piece.message as JsonObject).text);
      // A cut surrogate pair would not survive a UTF-8 round trip.
      expect(Buffer.from(value, "utf8").toString("utf8")).toBe(value);
    }
    expect(reassemble(pieces).text).toBe(original);
  });

  it("stays under the limit even when every character needs a 6-byte JSON escape", async () => {
    const original = "\u0001".repeat(2_000_000);
    const pieces = await wire(text(original));
    for (const piece of pieces) expect(lineBytes(piece)).toBeLessThan(MAX_LINE_BYTES);
    expect(reassemble(pieces).text).toBe(original);
  });

  it("sends an empty text as one message", async () => {
    expect(await wire(text(""))).toEqual([{ type: "text", message: { text: "" }, meta: null }]);
  });

  it("refuses a json message over the limit with an error that says what to do", async () => {
    const huge = { rows: Array.from({ length: 60_000 }, (_, i) => ({ i, pad: "p".repeat(90) })) };
    const attempt = wire(json(huge));
    await expect(attempt).rejects.toBeInstanceOf(MessageTooLargeError);
    await expect(wire(json(huge))).rejects.toThrow(
      /a json message of \d+ bytes exceeds the daemon's 5242880-byte line limit; return large data as a blob/,
    );
  });

  it("splits a streamed variable but refuses a whole variable over the limit", async () => {
    const long = "v".repeat(6 * 1024 * 1024);
    const pieces = await wire(streamVariable("story", long));
    expect(pieces.length).toBeGreaterThan(1);
    expect(reassemble(pieces).variables.story).toBe(long);
    await expect(wire(variable("whole", long))).rejects.toThrow(MessageTooLargeError);
  });

  it("writes link, image, json, variable and log messages in the SDK's shapes", async () => {
    expect(await wire(link("https://x"))).toEqual([{ type: "link", message: { text: "https://x" }, meta: null }]);
    expect(await wire(image("https://x/i.png"))).toEqual([
      { type: "image", message: { text: "https://x/i.png" }, meta: null },
    ]);
    expect(await wire(json([1, 2]))).toEqual([{ type: "json", message: { json_object: [1, 2] }, meta: null }]);
    expect(await wire(variable("n", 1))).toEqual([
      { type: "variable", message: { variable_name: "n", variable_value: 1, stream: false }, meta: null },
    ]);
    const [entry] = await wire(log("step", "start", { a: 1 }, { id: "id1", parent_id: "p" }));
    expect(entry).toEqual({
      type: "log",
      message: {
        id: "id1",
        label: "step",
        parent_id: "p",
        error: null,
        status: "start",
        data: { a: 1 },
        metadata: null,
      },
      meta: null,
    });
  });
});
