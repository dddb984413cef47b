/**
 * The log_level credential, changed between calls of one running plugin
 * process: each call's level decides which log lines reach the daemon.
 */
import type { JsonObject } from "@dify-ts/runtime";
import type { PluginProcess } from "@dify-ts/host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { credentials, invoke, spawnMem0, temporaryDirectory, unavailable } from "./support/plugin.js";

let fake: FakeOpenAI;
let plugin: PluginProcess;

beforeAll(async () => {
  if (unavailable) return;
  fake = await startFakeOpenAI();
  plugin = spawnMem0({ MEM0_DATA_DIR: temporaryDirectory("log-level") });
  await plugin.waitForHeartbeat();
});

afterAll(async () => {
  plugin?.kill();
  await fake?.close();
});

/** The log lines that arrived while `work` ran (a call's log lines precede its answer on the same stream). */
async function logsDuring(work: () => Promise<unknown>): Promise<{ level: string; message: string }[]> {
  const before = plugin.events.length;
  await work();
  return plugin.events
    .slice(before)
    .filter((event) => event.event === "log")
    .map((event) => event.data as { level: string; message: string });
}

describe.skipIf(unavailable)(
  `log_level${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 120_000 },
  () => {
    const creds = (log_level?: string): JsonObject => ({
      ...credentials({ llmUrl: fake.url }),
      ...(log_level && { log_level }),
    });
    /** A search that times out: the plugin logs a WARNING. */
    const timedOutSearch = (log_level: string) => async () => {
      fake.delays.embeddings = 2000;
      try {
        const answer = await invoke(plugin, creds(log_level), "search_memory", {
          query: "anything",
          user_id: "dave",
          timeout: 0.1,
        });
        expect(answer.status).toBe("TIMEOUT");
      } finally {
        fake.delays.embeddings = 0;
      }
    };
    const search = (log_level?: string) => () =>
      invoke(plugin, creds(log_level), "search_memory", { query: "anything", user_id: "dave" });

    it("ERROR hides the warning a timed-out search logs; WARNING shows it, in the same process", async () => {
      const hidden = await logsDuring(timedOutSearch("ERROR"));
      expect(hidden.filter((line) => line.message.includes("timed out"))).toEqual([]);
      const shown = await logsDuring(timedOutSearch("WARNING"));
      expect(shown).toContainEqual(
        expect.objectContaining({ level: "WARNING", message: expect.stringContaining("search_memory timed out") }),
      );
    });

    it("DEBUG adds timing lines; the default (INFO) does not", async () => {
      const debug = await logsDuring(search("DEBUG"));
      expect(debug).toContainEqual(
        expect.objectContaining({
          level: "INFO",
          message: expect.stringMatching(/^debug: search_memory took \d+ ms$/),
        }),
      );
      const info = await logsDuring(search());
      expect(info.filter((line) => line.message.startsWith("debug: "))).toEqual([]);
    });

    it("an unknown level is refused naming the field and the choices", async () => {
      await expect(invoke(plugin, creds("VERBOSE"), "search_memory", { query: "x", user_id: "dave" })).rejects.toThrow(
        'credential "log_level" must be one of "DEBUG", "INFO", "WARNING", "ERROR"; got "VERBOSE"',
      );
    });
  },
);
