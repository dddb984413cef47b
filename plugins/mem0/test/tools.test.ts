/**
 * Every tool, in async and in sync mode, through the plugin's stdio protocol,
 * against a real pgvector (PGlite over TCP) and the local OpenAI stand-in.
 */
import { readdirSync } from "node:fs";
import { basename } from "node:path";
import type { JsonObject } from "@dify-ts/runtime";
import type { PluginProcess } from "@dify-ts/host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { startPgvector, type PgvectorServer } from "./support/pgvector.js";
import {
  credentials,
  eventually,
  invoke,
  spawnMem0,
  temporaryDirectory,
  unavailable,
  type ToolAnswer,
} from "./support/plugin.js";

let fake: FakeOpenAI;
let pg: PgvectorServer;
let plugin: PluginProcess;
let pluginDataDirectory: string;

/** Files with this name anywhere below a directory. */
function filesNamed(directory: string, name: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: "utf8" }).filter((path) => basename(path) === name);
}

beforeAll(async () => {
  if (unavailable) return;
  [fake, pg] = await Promise.all([startFakeOpenAI(), startPgvector()]);
  pluginDataDirectory = temporaryDirectory("tools");
  plugin = spawnMem0({ MEM0_DATA_DIR: pluginDataDirectory });
  await plugin.waitForHeartbeat();
});

afterAll(async () => {
  plugin?.kill();
  await fake?.close();
  await pg?.close();
});

type Item = {
  id: string;
  memory: string;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  score?: number;
};
const items = (answer: ToolAnswer) => answer.results as Item[];

describe.skipIf(unavailable)(
  `every tool, both modes${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 120_000 },
  () => {
    for (const asyncMode of [true, false]) {
      describe(asyncMode ? "async mode" : "sync mode", () => {
        const mode = asyncMode ? "async" : "sync";
        const alice = `alice-${mode}`;
        const bob = `bob-${mode}`;
        const creds = () =>
          credentials({
            llmUrl: fake.url,
            asyncMode,
            vector: {
              provider: "pgvector",
              config: {
                connectionString: pg.connectionString,
                collectionName: `tools_${mode}`,
                embeddingModelDims: 64,
              },
            },
          });
        const call = (tool: string, parameters: JsonObject) => invoke(plugin, creds(), tool, parameters);
        const all = (user_id: string, extra: JsonObject = {}) => call("get_all_memories", { user_id, ...extra });
        const settled = (user_id: string, count: number) =>
          eventually(
            () => all(user_id),
            (answer) => items(answer).length === count,
          );
        const memoryNamed = async (user_id: string, text: string) =>
          items(await all(user_id)).find((item) => item.memory === text)!;

        it("add_memory stores what the user said (ACCEPT at once in async mode, the added memories in sync mode)", async () => {
          const added = await call("add_memory", { user: "I love green tea", assistant: "Noted!", user_id: alice });
          expect(added.status).toBe("SUCCESS");
          expect(added.messages).toEqual([
            { role: "user", content: "I love green tea" },
            { role: "assistant", content: "Noted!" },
          ]);
          if (asyncMode) {
            expect(added.results).toEqual([{ id: "", memory: "", event: "ACCEPT" }]);
            expect(added.text).toContain("accepted");
          } else {
            expect(added.results).toEqual([{ id: expect.any(String), memory: "I love green tea", event: "ADD" }]);
          }
          await call("add_memory", { user: "I live in Berlin", user_id: alice, metadata: '{"category": "place"}' });
          await call("add_memory", {
            user: "I drink black coffee every morning",
            user_id: alice,
            metadata: '```json\n{"category": "drink", "rank": 3}\n```',
          });
          await call("add_memory", { user: "I play the cello", user_id: bob });
          await settled(alice, 3);
          await settled(bob, 1);
        });

        it("add_memory skips blank messages; blank user ids and bad metadata are errors", async () => {
          expect(await call("add_memory", { user: "   ", user_id: alice })).toMatchObject({
            status: "SUCCESS",
            results: [{ id: "", memory: "", event: "SKIP" }],
          });
          for (const tool of ["add_memory", "search_memory", "get_all_memories", "delete_all_memories"]) {
            expect(await call(tool, { user: "x", query: "x", user_id: "   " }), tool).toMatchObject({
              status: "ERROR",
              messages: expect.stringContaining("user_id is required"),
            });
          }
          const bad = await call("add_memory", { user: "x", user_id: alice, metadata: "{not json" });
          expect(bad.status).toBe("ERROR");
          expect(bad.messages).toMatch(/^Invalid JSON in metadata: /);
        });

        it("get_all_memories lists one scope, with the seed's fields; filters narrow it and cannot leave it", async () => {
          const listed = await all(alice);
          expect(listed.status).toBe("SUCCESS");
          expect(listed.messages).toEqual({ user_id: alice, limit: 100 });
          expect(
            items(listed)
              .map((item) => item.memory)
              .sort(),
          ).toEqual(["I drink black coffee every morning", "I live in Berlin", "I love green tea"]);
          for (const item of items(listed)) {
            expect(Object.keys(item).sort()).toEqual(["created_at", "id", "memory", "metadata", "updated_at"]);
            expect(item.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
          }
          expect(items(await all(alice, { filters: '{"category": "drink"}' })).map((item) => item.memory)).toEqual([
            "I drink black coffee every morning",
          ]);
          const either = await all(alice, { filters: '{"OR": [{"category": "drink"}, {"category": "place"}]}' });
          expect(items(either)).toHaveLength(2);
          expect(
            items(await all(alice, { filters: '{"AND": [{"category": "drink"}, {"rank": {"gte": 2}}]}' })),
          ).toHaveLength(1);
          // user_id inside the filters does not replace the scope: still only Alice's memories.
          expect(
            items(await all(alice, { filters: `{"user_id": "${bob}"}` })).map((item) => item.memory),
          ).not.toContain("I play the cello");
          expect(items(await all(alice, { limit: 2 }))).toHaveLength(2);
        });

        it("search_memory returns the nearest memories with similarity scores in [0, 1], best first", async () => {
          const found = await call("search_memory", { query: "green tea", user_id: alice, top_k: 2 });
          expect(found.status).toBe("SUCCESS");
          expect(found.messages).toBe("green tea");
          const results = items(found);
          expect(results).toHaveLength(2);
          expect(results[0]!.memory).toBe("I love green tea");
          expect(Object.keys(results[0]!).sort()).toEqual(["created_at", "id", "memory", "metadata", "score"]);
          for (const item of results) {
            expect(item.score).toBeGreaterThanOrEqual(0);
            expect(item.score).toBeLessThanOrEqual(1);
          }
          expect(results[0]!.score).toBeGreaterThan(results[1]!.score!);
          expect(found.text).toContain("1. Memory: I love green tea");
          const filtered = await call("search_memory", {
            query: "green tea",
            user_id: alice,
            filters: '{"category": "drink"}',
          });
          expect(items(filtered).map((item) => item.memory)).toEqual(["I drink black coffee every morning"]);
          expect(
            items(await call("search_memory", { query: "cello", user_id: alice })).map((item) => item.memory),
          ).not.toContain("I play the cello");
          const bad = await call("search_memory", {
            query: "x",
            user_id: alice,
            filters: '{"age": {"between": [1, 2]}}',
          });
          expect(bad).toMatchObject({ status: "ERROR", results: [] });
          expect(bad.messages).toContain('unknown operator "between"');
        });

        it("get_memory reads one memory, and says when it does not exist", async () => {
          const tea = await memoryNamed(alice, "I love green tea");
          const got = await call("get_memory", { memory_id: tea.id });
          expect(got).toMatchObject({
            status: "SUCCESS",
            messages: { memory_id: tea.id },
            results: { id: tea.id, memory: "I love green tea" },
          });
          const missing = await call("get_memory", { memory_id: "00000000-0000-4000-8000-000000000000" });
          expect(missing).toMatchObject({
            status: "ERROR",
            messages: "Memory not found: 00000000-0000-4000-8000-000000000000",
            results: null,
          });
        });

        it("update_memory replaces the text, and get_memory_history shows both versions", async () => {
          const tea = await memoryNamed(alice, "I love green tea");
          const updated = await call("update_memory", { memory_id: tea.id, text: "I love jasmine tea" });
          expect(updated.status).toBe("SUCCESS");
          expect(updated.messages).toEqual({ memory_id: tea.id, text: "I love jasmine tea" });
          expect(updated.results).toEqual({
            message: asyncMode ? "Memory update has been accepted" : "Memory updated successfully!",
          });
          await eventually(
            () => call("get_memory", { memory_id: tea.id }),
            (answer) => (answer.results as Item | null)?.memory === "I love jasmine tea",
          );
          const history = await call("get_memory_history", { memory_id: tea.id });
          expect(history.status).toBe("SUCCESS");
          expect(history.results).toEqual([
            {
              memory_id: tea.id,
              old_memory: null,
              new_memory: "I love green tea",
              event: "ADD",
              created_at: expect.any(String),
              updated_at: null,
              is_deleted: false,
            },
            {
              memory_id: tea.id,
              old_memory: "I love green tea",
              new_memory: "I love jasmine tea",
              event: "UPDATE",
              created_at: expect.any(String),
              updated_at: expect.any(String),
              is_deleted: false,
            },
          ]);
          if (!asyncMode) {
            const missing = await call("update_memory", {
              memory_id: "00000000-0000-4000-8000-000000000001",
              text: "x",
            });
            expect(missing).toMatchObject({
              status: "ERROR",
              messages: "Memory not found: 00000000-0000-4000-8000-000000000001",
            });
          }
        });

        it("delete_memory removes one memory and records it in the history", async () => {
          const place = await memoryNamed(alice, "I live in Berlin");
          const deleted = await call("delete_memory", { memory_id: place.id });
          expect(deleted).toMatchObject({ status: "SUCCESS", messages: { memory_id: place.id } });
          expect(deleted.results).toEqual({
            message: asyncMode ? "Memory deletion has been accepted" : "Memory deleted successfully!",
          });
          await settled(alice, 2);
          const history = (await call("get_memory_history", { memory_id: place.id })).results as {
            event: string;
            is_deleted: boolean;
          }[];
          expect(history.map((row) => [row.event, row.is_deleted])).toEqual([
            ["ADD", false],
            ["DELETE", true],
          ]);
        });

        it("keeps the history in Postgres: another plugin process with an empty data directory reads it, and no history.db is written", async () => {
          const cello = await memoryNamed(bob, "I play the cello");
          await call("update_memory", { memory_id: cello.id, text: "I play the viola" });
          await eventually(
            () => call("get_memory_history", { memory_id: cello.id }),
            (answer) => (answer.results as unknown[]).length === 2,
          );
          const dataDirectory = temporaryDirectory(`fresh-${mode}`);
          const replica = spawnMem0({ MEM0_DATA_DIR: dataDirectory });
          try {
            await replica.waitForHeartbeat();
            const history = (await invoke(replica, creds(), "get_memory_history", { memory_id: cello.id })).results as {
              event: string;
              new_memory: string;
            }[];
            expect(history.map((row) => [row.event, row.new_memory])).toEqual([
              ["ADD", "I play the cello"],
              ["UPDATE", "I play the viola"],
            ]);
            await call("update_memory", { memory_id: cello.id, text: "I play the cello" });
          } finally {
            replica.kill();
          }
          expect(filesNamed(dataDirectory, "history.db")).toEqual([]);
          expect(filesNamed(pluginDataDirectory, "history.db")).toEqual([]);
        });

        it("delete_all_memories empties one user's scope and leaves other users intact", async () => {
          const cleared = await call("delete_all_memories", { user_id: alice });
          expect(cleared).toMatchObject({ status: "SUCCESS", messages: { filters: { user_id: alice } } });
          expect(cleared.results).toEqual({
            message: asyncMode ? "Batch memory deletion has been accepted" : "Memories deleted successfully!",
          });
          await settled(alice, 0);
          expect(items(await all(bob)).map((item) => item.memory)).toEqual(["I play the cello"]);
        });
      });
    }

    it("adds the search indexes mem0ai's pgvector tables lack", async () => {
      const indexes = await pg.db.query<{ indexname: string }>(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'tools_async' ORDER BY indexname",
      );
      expect(indexes.rows.map((row) => row.indexname)).toEqual(
        expect.arrayContaining(["tools_async_keywords_idx", "tools_async_user_id_idx"]),
      );
    });

    it("sent no telemetry: mem0ai was loaded with MEM0_TELEMETRY=false", () => {
      // With telemetry on, mem0ai posts an "init" event for every Memory; here that fails (no internet) and is logged.
      expect(JSON.stringify(plugin.events) + plugin.stderr).not.toMatch(/telemetry|posthog/i);
    });

    it("never wrote a model API key into a tool answer or a log line", () => {
      const everything = JSON.stringify(plugin.events) + plugin.stderr;
      expect(everything).not.toContain("sk-llm-secret-1234");
      expect(everything).not.toContain("sk-embed-secret-5678");
    });
  },
);
