/**
 * One plugin process serves every Dify workspace, and the daemon does not tell it which one calls (the request
 * carries no tenant id), so stores are keyed by the credentials' secrets. Two workspaces with the same store settings
 * and different keys, user "alice" in both: neither sees, changes nor deletes the other's memories, on the embedded
 * store and on pgvector; a journaled write replays with its own workspace's credentials only; a store written before
 * the separation stays readable for the workspace that uses it first, with its journaled writes.
 */
import { appendFileSync, readdirSync, readlinkSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { JsonObject } from "@dify-ts/runtime";
import type { PluginProcess } from "@dify-ts/host";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readSetup, type RawCredentials } from "../src/config/setup.js";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { startPgvector, type PgvectorServer } from "./support/pgvector.js";
import { eventually, invoke, spawnMem0, temporaryDirectory, unavailable } from "./support/plugin.js";

let fake: FakeOpenAI;
let pg: PgvectorServer;
const processes: PluginProcess[] = [];

beforeAll(async () => {
  if (unavailable) return;
  [fake, pg] = await Promise.all([startFakeOpenAI(), startPgvector()]);
});

afterEach(() => {
  fake.chatGate = undefined;
});

afterAll(async () => {
  for (const plugin of processes) plugin.kill();
  await fake?.close();
  await pg?.close();
});

function start(dataDirectory: string): PluginProcess {
  const plugin = spawnMem0({ MEM0_DATA_DIR: dataDirectory });
  processes.push(plugin);
  return plugin;
}

type Workspace = "a" | "b";
type Item = { id: string; memory: string };

/** A workspace's credentials: the same settings as the other's (models, URLs, store), its own API keys. */
function workspaceCredentials(workspace: Workspace, options: { asyncMode: boolean; vector?: JsonObject }): JsonObject {
  return {
    async_mode: options.asyncMode,
    local_llm_json: JSON.stringify({
      provider: "openai",
      config: { model: "fake-chat", apiKey: `sk-llm-workspace-${workspace}`, baseURL: fake.url },
    }),
    local_embedder_json: JSON.stringify({
      provider: "openai",
      config: { model: "fake-embed", apiKey: `sk-embed-workspace-${workspace}`, baseURL: fake.url },
    }),
    local_vector_db_json: options.vector ? JSON.stringify(options.vector) : "",
    max_concurrent_memory_operations: "8",
  };
}

const stores: { name: string; vector?: (collection: string) => JsonObject }[] = [
  { name: "embedded store" },
  {
    // A database shared by several workspaces is the operator's choice; the collection each names is its own.
    name: "pgvector",
    vector: (workspace) => ({
      provider: "pgvector",
      config: {
        connectionString: pg.connectionString,
        collectionName: `workspace_${workspace}`,
        embeddingModelDims: 64,
      },
    }),
  },
];

const chatKeys = (since: number) =>
  fake.requests
    .slice(since)
    .filter((request) => request.endpoint === "chat")
    .map((request) => request.authorization);

describe.skipIf(unavailable)(
  `two Dify workspaces on one plugin process${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 300_000 },
  () => {
    for (const store of stores) {
      describe(store.name, () => {
        // Each test's collections are its own: the database outlives the test.
        let test = "";
        const creds = (workspace: Workspace, asyncMode = false) =>
          workspaceCredentials(workspace, {
            asyncMode,
            ...(store.vector && { vector: store.vector(`${test}_${workspace}`) }),
          });

        it("alice in one workspace never sees, changes or deletes alice's memories in the other", async () => {
          const dataDirectory = temporaryDirectory("workspaces");
          test = "isolation";
          const plugin = start(dataDirectory);
          const call = (workspace: Workspace, tool: string, parameters: JsonObject) =>
            invoke(plugin, creds(workspace), tool, parameters);
          const all = async (workspace: Workspace) =>
            (await call(workspace, "get_all_memories", { user_id: "alice", limit: 1000 })).results as Item[];

          const [inA] = (await call("a", "add_memory", { user: "alice drinks green tea at work", user_id: "alice" }))
            .results as Item[];
          const [inB] = (
            await call("b", "add_memory", { user: "alice keeps her passport in the safe", user_id: "alice" })
          ).results as Item[];
          expect(inA?.id && inB?.id).toBeTruthy();
          expect((await all("a")).map((item) => item.id)).toEqual([inA!.id]);
          expect((await all("b")).map((item) => item.id)).toEqual([inB!.id]);

          for (const [workspace, own, other] of [
            ["a", inA!, inB!],
            ["b", inB!, inA!],
          ] as const) {
            const found = await call(workspace, "search_memory", {
              query: "alice tea work passport safe",
              user_id: "alice",
              top_k: 100,
            });
            expect((found.results as Item[]).map((item) => item.id)).toEqual([own.id]);
            for (const owner of [{}, { user_id: "alice" }] as JsonObject[]) {
              const got = await call(workspace, "get_memory", { memory_id: other.id, ...owner });
              expect(got.status).toBe("ERROR");
              expect(got.messages).toBe(`Memory not found: ${other.id}`);
              const history = await call(workspace, "get_memory_history", { memory_id: other.id, ...owner });
              expect(JSON.stringify(history.results)).not.toContain(other.memory);
              const updated = await call(workspace, "update_memory", {
                memory_id: other.id,
                text: "overwritten from the other workspace",
                ...owner,
              });
              expect(updated.status).toBe("ERROR");
              const deleted = await call(workspace, "delete_memory", { memory_id: other.id, ...owner });
              expect(deleted.status).toBe("ERROR");
            }
          }
          expect((await call("a", "delete_all_memories", { user_id: "alice" })).status).toBe("SUCCESS");
          expect(await all("a")).toEqual([]);
          expect(await all("b")).toEqual([expect.objectContaining({ id: inB!.id, memory: inB!.memory })]);
          if (!store.vector) expect(readdirSync(join(dataDirectory, "stores"))).toHaveLength(2);
        });

        it("a journaled write replays with its own workspace's credentials, not with the first ones that call", async () => {
          const dataDirectory = temporaryDirectory("workspaces-replay");
          test = "replay";
          let release!: () => void;
          fake.chatGate = new Promise((resolve) => (release = resolve));
          const first = start(dataDirectory);
          const accepted = await invoke(first, creds("a", true), "add_memory", {
            user: "alice planted tulips in the garden",
            user_id: "alice",
          });
          expect((accepted.results as { event: string }[])[0]!.event).toBe("ACCEPT");
          // Held at the model until the kill: the write is in the journal, not in the store.
          await eventually(
            async () => chatKeys(0).length,
            (chats) => chats > 0,
          );
          first.kill("SIGKILL");
          await first.exited;
          fake.chatGate = undefined;
          release();

          const since = fake.requests.length;
          const second = start(dataDirectory);
          // Workspace b calls first, with the same settings: the replay must not run with its keys or in its store.
          const inB = await invoke(second, creds("b", true), "get_all_memories", { user_id: "alice" });
          expect(inB.results).toEqual([]);
          const inA = await eventually(
            async () =>
              (await invoke(second, creds("a", true), "get_all_memories", { user_id: "alice" })).results as Item[],
            (items) => items.length > 0,
          );
          expect(inA.map((item) => item.memory)).toEqual(["alice planted tulips in the garden"]);
          expect(new Set(chatKeys(since))).toEqual(new Set(["Bearer sk-llm-workspace-a"]));
          expect((await invoke(second, creds("b", true), "get_all_memories", { user_id: "alice" })).results).toEqual(
            [],
          );
        });
      });
    }

    it("an embedded store written before the separation is adopted by the first workspace that uses it, with its journaled writes", async () => {
      const dataDirectory = temporaryDirectory("workspaces-legacy");
      const credsOf = (workspace: Workspace) => workspaceCredentials(workspace, { asyncMode: false });
      const before = start(dataDirectory);
      const [old] = (
        await invoke(before, credsOf("a"), "add_memory", { user: "alice reads crime novels", user_id: "alice" })
      ).results as Item[];
      expect(old?.id).toBeTruthy();
      await before.close();

      // Lay the directory out as the previous version did: named by the settings only, one write still journaled.
      const setupA = readSetup(credsOf("a") as unknown as RawCredentials, dataDirectory);
      const setupB = readSetup(credsOf("b") as unknown as RawCredentials, dataDirectory);
      expect(setupB.legacyStore).toBe(setupA.legacyStore);
      const storesDirectory = join(dataDirectory, "stores");
      renameSync(setupA.storeDirectory, join(storesDirectory, setupA.legacyStore));
      const operation = {
        op: "add",
        messages: [{ role: "user", content: "alice journaled this before the upgrade" }],
        scope: { user_id: "alice" },
      };
      appendFileSync(
        join(dataDirectory, "write-journal.jsonl"),
        JSON.stringify({
          a: 1_000_000,
          j: { store: setupA.legacyStore, ref: "from-the-previous-version", operation, key: "legacy:scope:alice" },
        }) + "\n",
      );

      const since = fake.requests.length;
      const after = start(dataDirectory);
      const inA = await eventually(
        async () =>
          ((await invoke(after, credsOf("a"), "get_all_memories", { user_id: "alice" })).results as Item[])
            .map((item) => item.memory)
            .sort(),
        (memories) => memories.length >= 2,
      );
      expect(inA).toEqual(["alice journaled this before the upgrade", "alice reads crime novels"]);
      expect(new Set(chatKeys(since))).toEqual(new Set(["Bearer sk-llm-workspace-a"]));
      expect(readlinkSync(join(storesDirectory, setupA.legacyStore))).toBe(setupA.store);
      // Workspace b, same settings, other keys, comes later: a store of its own, nothing of a's.
      expect((await invoke(after, credsOf("b"), "get_all_memories", { user_id: "alice" })).results).toEqual([]);
      expect((await invoke(after, credsOf("b"), "get_memory", { memory_id: old!.id })).status).toBe("ERROR");
      expect(readlinkSync(join(storesDirectory, setupA.legacyStore))).toBe(setupA.store);
    });
  },
);
