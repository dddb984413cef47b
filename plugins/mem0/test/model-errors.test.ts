/**
 * A model API that refuses connections is reported as the model API's failure (not as a lost database connection),
 * and mem0ai's own console output reaches the daemon's log as one line per call with no stack, never stderr.
 */
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import type { JsonObject } from "@dify-ts/runtime";
import type { PluginProcess } from "@dify-ts/host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { credentials, invoke, spawnMem0, temporaryDirectory, unavailable } from "./support/plugin.js";

let fake: FakeOpenAI;
let plugin: PluginProcess;
/** A base URL on a port nothing listens on: connections are refused. */
let refusedUrl: string;

beforeAll(async () => {
  if (unavailable) return;
  fake = await startFakeOpenAI();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  refusedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  await new Promise((resolve) => server.close(resolve));
  plugin = spawnMem0({ MEM0_DATA_DIR: temporaryDirectory("model-errors") });
  await plugin.waitForHeartbeat();
});

afterAll(async () => {
  plugin?.kill();
  await fake?.close();
});

const logLines = () =>
  plugin.events
    .filter((event) => event.event === "log")
    .map((event) => event.data as { level: string; message: string });

describe.skipIf(unavailable)(
  `model API failures${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 120_000 },
  () => {
    it("an LLM that refuses connections is named as such, with one log line per failure and no stack anywhere", async () => {
      const logsBefore = logLines().length;
      const creds = credentials({
        llmUrl: fake.url,
        asyncMode: false,
        llm: { provider: "openai", config: { model: "fake-chat", apiKey: "sk-llm-refused-4321", baseURL: refusedUrl } },
      });
      const answer = await invoke(plugin, creds, "add_memory", { user: "I like green tea", user_id: "tea" });
      expect(answer.status).toBe("ERROR");
      expect(answer.messages).toMatch(/the LLM's API could not be reached \(.*ECONNREFUSED.*\): check its base URL/);
      expect(answer.messages).not.toMatch(/database/i);

      const logs = logLines().slice(logsBefore);
      expect(logs.filter((line) => line.level === "ERROR")).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/^add for user tea failed: the LLM's API could not be reached/),
        }),
      ]);
      expect(logs.some((line) => /database connection was lost/.test(line.message))).toBe(false);
      // mem0ai's own report of the failure: one WARNING line, its error's name and message, no stack.
      const fromMem0 = logs.filter((line) => line.message.startsWith("mem0ai: "));
      expect(fromMem0.length).toBeGreaterThan(0);
      for (const line of fromMem0) {
        expect(line.level).toBe("WARNING");
        expect(line.message).not.toMatch(/\n|\s+at \S+ \(/);
      }
      expect(plugin.stderr).not.toMatch(/^\s+at /m);
      expect(plugin.stderr).not.toContain("LLM extraction failed");

      // The store was never at fault: the same store answers at once.
      const listed = await invoke(plugin, creds, "get_all_memories", { user_id: "tea" });
      expect(listed.status).toBe("SUCCESS");
    });

    it("an embedder that refuses connections fails a search as the embedder's failure, not the database's", async () => {
      const logsBefore = logLines().length;
      const embedder: JsonObject = {
        provider: "openai",
        config: { model: "fake-embed", apiKey: "sk-embed-refused-8765", baseURL: refusedUrl, embeddingDims: 64 },
      };
      const creds = credentials({ llmUrl: fake.url, asyncMode: false, embedder });
      const answer = await invoke(plugin, creds, "search_memory", { query: "tea", user_id: "tea" });
      expect(answer.status).toBe("ERROR");
      expect(answer.messages).toMatch(
        /^search_memory failed: the embedder's API could not be reached \(.*ECONNREFUSED/,
      );
      const logs = logLines().slice(logsBefore);
      expect(logs.some((line) => /database connection was lost/.test(line.message))).toBe(false);
      expect(logs.filter((line) => line.level === "ERROR")).toHaveLength(1);
      expect(plugin.stderr).not.toMatch(/^\s+at /m);
    });
  },
);
