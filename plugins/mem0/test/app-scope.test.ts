/**
 * app_id on the eight memory tools: one user's memories in two Dify apps stay
 * apart on every tool that takes app_id, on the embedded store and pgvector;
 * without app_id a call spans the user's apps; app_id follows the literal-id
 * rule as a parameter and inside filters.
 */
import type { JsonObject } from "@dify-ts/runtime";
import type { PluginProcess } from "@dify-ts/host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { startPgvector, type PgvectorServer } from "./support/pgvector.js";
import { credentials, invoke, spawnMem0, temporaryDirectory, unavailable } from "./support/plugin.js";

let fake: FakeOpenAI;
let pg: PgvectorServer;
let plugin: PluginProcess;

beforeAll(async () => {
  if (unavailable) return;
  [fake, pg] = await Promise.all([startFakeOpenAI(), startPgvector()]);
  plugin = spawnMem0({ MEM0_DATA_DIR: temporaryDirectory("app-scope") });
  await plugin.waitForHeartbeat();
});

afterAll(async () => {
  plugin?.kill();
  await Promise.all([fake?.close(), pg?.close()]);
});

const stores: [string, () => JsonObject | undefined][] = [
  ["embedded store", () => undefined],
  [
    "pgvector",
    () => ({
      provider: "pgvector",
      config: { connectionString: pg.connectionString, collectionName: "app_scope", embeddingModelDims: 64 },
    }),
  ],
];

const texts = (answer: { results: unknown }) =>
  (answer.results as { memory: string }[]).map((item) => item.memory).sort();

describe.skipIf(unavailable)(`app_id scope${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  describe.each(stores)("%s", (_storeName, vector) => {
    it("keeps one user's memories apart per app on every tool, and spans the apps without app_id", async () => {
      const creds = credentials({ llmUrl: fake.url, asyncMode: false, vector: vector() });
      const add = async (user: string, app_id: string, metadata?: JsonObject) => {
        const answer = await invoke(plugin, creds, "add_memory", {
          user,
          user_id: "carol",
          app_id,
          ...(metadata && { metadata: JSON.stringify(metadata) }),
        });
        expect(answer.status).toBe("SUCCESS");
        return (answer.results as { id: string }[])[0]!.id;
      };
      const inA = await add("carol plays the cello in app a", "app-a");
      // The parameter decides: an app_id inside metadata does not move the memory to another app.
      await add("carol bakes bread in app b", "app-b", { app_id: "app-a" });

      const listed = (app_id?: string) =>
        invoke(plugin, creds, "get_all_memories", { user_id: "carol", ...(app_id && { app_id }) });
      expect(texts(await listed("app-a"))).toEqual(["carol plays the cello in app a"]);
      expect(texts(await listed("app-b"))).toEqual(["carol bakes bread in app b"]);
      expect(texts(await listed())).toHaveLength(2);
      const searched = await invoke(plugin, creds, "search_memory", {
        query: "carol bakes bread",
        user_id: "carol",
        app_id: "app-a",
        top_k: 10,
      });
      expect(texts(searched)).toEqual(["carol plays the cello in app a"]);

      // Owner check: app-b does not see app-a's memory by id.
      const foreign = await invoke(plugin, creds, "get_memory", { memory_id: inA, user_id: "carol", app_id: "app-b" });
      expect(foreign).toMatchObject({ status: "ERROR", messages: `Memory not found: ${inA}` });
      const own = await invoke(plugin, creds, "get_memory", { memory_id: inA, user_id: "carol", app_id: "app-a" });
      expect(own.status).toBe("SUCCESS");
      const update = await invoke(plugin, creds, "update_memory", {
        memory_id: inA,
        text: "changed by app b",
        app_id: "app-b",
      });
      expect(update.status).toBe("ERROR");

      // The literal-id rule, as a parameter and inside filters.
      const wildcard = await invoke(plugin, creds, "get_all_memories", { user_id: "carol", app_id: "*" });
      expect(wildcard.status).toBe("ERROR");
      expect(String(wildcard.messages)).toContain('app_id must not contain "*"');
      const inFilters = await invoke(plugin, creds, "search_memory", {
        query: "x",
        user_id: "carol",
        filters: JSON.stringify({ app_id: { ne: "app-a" } }),
      });
      expect(inFilters.status).toBe("ERROR");
      expect(String(inFilters.messages)).toContain("filters.app_id");

      // delete_all with app_id deletes that app's memories of the user only.
      const deleted = await invoke(plugin, creds, "delete_all_memories", { user_id: "carol", app_id: "app-b" });
      expect(deleted.status).toBe("SUCCESS");
      expect(texts(await listed())).toEqual(["carol plays the cello in app a"]);
      await invoke(plugin, creds, "delete_all_memories", { user_id: "carol" });
      expect(texts(await listed())).toEqual([]);
    });
  });
});
