/**
 * Answers stay far below the daemon's 5 MiB line limit however large the stored memories are: each memory's text
 * is cut with a marker, the results are capped by bytes, and the answer says what it left out.
 */
import type { JsonObject } from "@dify-ts/runtime";
import type { PluginProcess } from "@dify-ts/host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_ANSWER_RESULTS_BYTES, MAX_ANSWER_TEXT_CHARS } from "../src/tools/shared.js";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { credentials, invoke, spawnMem0, temporaryDirectory, unavailable } from "./support/plugin.js";

let fake: FakeOpenAI;
let plugin: PluginProcess;

beforeAll(async () => {
  if (unavailable) return;
  fake = await startFakeOpenAI();
  plugin = spawnMem0({ MEM0_DATA_DIR: temporaryDirectory("answer-size") });
  await plugin.waitForHeartbeat();
});

afterAll(async () => {
  plugin?.kill();
  await fake?.close();
});

const DAEMON_LINE_LIMIT = 5 * 1024 * 1024;

describe.skipIf(unavailable)(
  `answer sizes${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 300_000 },
  () => {
    const call = (tool: string, parameters: JsonObject) =>
      invoke(plugin, credentials({ llmUrl: fake.url, asyncMode: false }), tool, parameters);

    it("memories of 700,000 characters come back cut with a marker, in lines far below 5 MiB", async () => {
      // Eight memories hold 5.6 MB of text: returned whole, one answer would exceed the daemon's line limit.
      for (let index = 0; index < 8; index++) {
        const added = await call("add_memory", { user: `${index} ${"x".repeat(700_000)}`, user_id: "big" });
        expect(added.status).toBe("SUCCESS");
      }
      for (const [tool, parameters] of [
        ["get_all_memories", { user_id: "big" }],
        ["search_memory", { query: "x", user_id: "big", top_k: 100 }],
      ] as const) {
        const answer = await call(tool, parameters);
        expect(answer.status).toBe("SUCCESS");
        const items = answer.results as { id: string; memory: string }[];
        expect(items).toHaveLength(8);
        for (const item of items) {
          expect(item.memory.length).toBeLessThan(MAX_ANSWER_TEXT_CHARS + 100);
          expect(item.memory).toMatch(/\.\.\. \[\d+ more characters cut\]$/);
        }
        expect((answer as unknown as { truncated: string }).truncated).toMatch(/^8 result\(s\) cut/);
        expect(answer.text).toContain("8 result(s) cut");
      }
      const one = await call("get_all_memories", { user_id: "big", limit: 1 });
      const [first] = one.results as { id: string }[];
      const single = await call("get_memory", { memory_id: first!.id });
      expect((single.results as { memory: string }).memory).toMatch(/more characters cut\]$/);
      expect(plugin.maxLineBytes).toBeLessThan(DAEMON_LINE_LIMIT);
    });

    it("more results than fit in 1 MiB are capped by bytes, and the answer says how many it left out", async () => {
      // 24 memories of 20,000 three-byte characters: 16,384 characters of each are 48 KiB, 24 of them over 1 MiB.
      for (let index = 0; index < 24; index++) {
        const added = await call("add_memory", { user: `${index} ${"记".repeat(20_000)}`, user_id: "many" });
        expect(added.status).toBe("SUCCESS");
      }
      const answer = await call("get_all_memories", { user_id: "many" });
      expect(answer.status).toBe("SUCCESS");
      const items = answer.results as { memory: string }[];
      expect(items.length).toBeGreaterThan(10);
      expect(items.length).toBeLessThan(24);
      expect(Buffer.byteLength(JSON.stringify(items))).toBeLessThanOrEqual(MAX_ANSWER_RESULTS_BYTES);
      expect((answer as unknown as { truncated: string }).truncated).toBe(
        `${items.length} result(s) cut (texts to ${MAX_ANSWER_TEXT_CHARS} characters, metadata to 16 KiB); ` +
          `${24 - items.length} more result(s) left out: an answer carries at most 1 MiB of results; narrow the scope or ask for fewer`,
      );
      expect(answer.text).toMatch(/^Found 24 memories:/);
      expect(plugin.maxLineBytes).toBeLessThan(DAEMON_LINE_LIMIT);
    });
  },
);
