/**
 * One plugin process serves every Dify workspace, and the daemon does not tell it which one calls (the request
 * carries no tenant id); its storage invocation is tenant-scoped, so each workspace keeps a random id there and the
 * stores are keyed by it. Two workspaces with the same settings, user "alice" in both, with their own keys, identical
 * keys or none: neither sees, changes nor deletes the other's memories; a workspace keeps its memories when it rotates
 * its keys; a journaled write replays into its own workspace's store; stores of the older keys (settings only, then
 * settings and secrets) are adopted by the first workspace that uses them; without tenant storage the stores are keyed
 * by the secrets, with one warning.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, readdirSync, readlinkSync, renameSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import type { JsonObject } from "@dify-ts/runtime";
import { reassemble, type PluginProcess } from "@dify-ts/host";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readSetup, type RawCredentials } from "../src/config/setup.js";
import { WORKSPACE_ID_KEY } from "../src/workspace.js";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { startPgvector, type PgvectorServer } from "./support/pgvector.js";
import {
  daemonStorage,
  eventually,
  invoke,
  spawnMem0,
  temporaryDirectory,
  unavailable,
  type ToolAnswer,
} from "./support/plugin.js";

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

/** How the two workspaces' credentials differ: their own API keys, identical ones, or none (Ollama). */
type Keys = "own keys" | "identical keys" | "keyless";

/** A workspace's credentials: the same settings as the other's (models, URLs, store); `keys` says which API keys. */
function workspaceCredentials(
  workspace: Workspace,
  options: { asyncMode: boolean; keys: Keys; vector?: JsonObject; rotation?: number },
): JsonObject {
  const key = (what: string) =>
    `sk-${what}-${options.keys === "own keys" ? `workspace-${workspace}` : "shared"}-${options.rotation ?? 0}`;
  const model = (name: string, what: string): JsonObject =>
    options.keys === "keyless"
      ? { provider: "ollama", config: { model: name, ollama_base_url: new URL(fake.url).origin, embedding_dims: 64 } }
      : { provider: "openai", config: { model: name, apiKey: key(what), baseURL: fake.url } };
  return {
    async_mode: options.asyncMode,
    local_llm_json: JSON.stringify(model("fake-chat", "llm")),
    local_embedder_json: JSON.stringify(model("fake-embed", "embed")),
    local_vector_db_json: options.vector ? JSON.stringify(options.vector) : "",
    max_concurrent_memory_operations: "8",
  };
}

/** The embedded store with every kind of keys; pgvector with each workspace naming its own collection. */
const variants: { name: string; keys: Keys; vector?: (collection: string) => JsonObject }[] = [
  { name: "embedded store, identical keys", keys: "identical keys" },
  { name: "embedded store, keyless (Ollama)", keys: "keyless" },
  { name: "embedded store, own keys", keys: "own keys" },
  {
    // The memories are in the database the credentials name: workspaces sharing one keep apart by their collections.
    name: "pgvector, own collections",
    keys: "own keys",
    vector: (collection) => ({
      provider: "pgvector",
      config: { connectionString: pg.connectionString, collectionName: collection, embeddingModelDims: 64 },
    }),
  },
];

const chatKeys = (since: number) =>
  fake.requests
    .slice(since)
    .filter((request) => request.endpoint === "chat")
    .map((request) => request.authorization);

const logLines = (plugin: PluginProcess) =>
  plugin.events.filter((event) => event.event === "log").map((event) => JSON.stringify(event.data));

describe.skipIf(unavailable)(
  `two Dify workspaces on one plugin process${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 300_000 },
  () => {
    for (const variant of variants) {
      describe(variant.name, () => {
        // Each test's tenants and collections are its own: the stand-in's storage and the database outlive the test.
        let test = "";
        const tenant = (workspace: Workspace) => `${variant.name}/${test}/${workspace}`;
        const creds = (workspace: Workspace, asyncMode = false) =>
          workspaceCredentials(workspace, {
            asyncMode,
            keys: variant.keys,
            ...(variant.vector && { vector: variant.vector(`${test}_${variant.keys.replace(" ", "_")}_${workspace}`) }),
          });

        it("alice in one workspace never sees, changes or deletes alice's memories in the other", async () => {
          const dataDirectory = temporaryDirectory("workspaces");
          test = "isolation";
          const plugin = start(dataDirectory);
          const call = (workspace: Workspace, tool: string, parameters: JsonObject) =>
            invoke(plugin, creds(workspace), tool, parameters, tenant(workspace));
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
          if (!variant.vector) expect(readdirSync(join(dataDirectory, "stores"))).toHaveLength(2);
        });

        it("a journaled write survives a SIGKILL and replays into its own workspace's store, whoever calls first", async () => {
          const dataDirectory = temporaryDirectory("workspaces-replay");
          test = "replay";
          let release!: () => void;
          fake.chatGate = new Promise((resolve) => (release = resolve));
          const first = start(dataDirectory);
          const since = fake.requests.length;
          const accepted = await invoke(
            first,
            creds("a", true),
            "add_memory",
            { user: "alice planted tulips in the garden", user_id: "alice" },
            tenant("a"),
          );
          expect((accepted.results as { event: string }[])[0]!.event).toBe("ACCEPT");
          // Held at the model until the kill: the write is in the journal, not in the store.
          await eventually(
            async () => chatKeys(since).length,
            (chats) => chats > 0,
          );
          first.kill("SIGKILL");
          await first.exited;
          fake.chatGate = undefined;
          release();

          const second = start(dataDirectory);
          const replayedSince = fake.requests.length;
          const allOf = async (workspace: Workspace) =>
            (await invoke(second, creds(workspace, true), "get_all_memories", { user_id: "alice" }, tenant(workspace)))
              .results as Item[];
          // Workspace b calls first, with the same settings: the replay must not run in its store (nor with its keys).
          expect(await allOf("b")).toEqual([]);
          const inA = await eventually(
            () => allOf("a"),
            (items) => items.length > 0,
          );
          expect(inA.map((item) => item.memory)).toEqual(["alice planted tulips in the garden"]);
          if (variant.keys === "own keys")
            expect(new Set(chatKeys(replayedSince))).toEqual(new Set(["Bearer sk-llm-workspace-a-0"]));
          expect(await allOf("b")).toEqual([]);
        });
      });
    }

    it("rotating the LLM and embedder keys keeps the workspace's memories; the other workspace, with the old keys, has none", async () => {
      const dataDirectory = temporaryDirectory("workspaces-rotation");
      const plugin = start(dataDirectory);
      const credsOf = (workspace: Workspace, rotation: number) =>
        workspaceCredentials(workspace, { asyncMode: false, keys: "identical keys", rotation });
      const call = (workspace: Workspace, rotation: number, tool: string, parameters: JsonObject) =>
        invoke(plugin, credsOf(workspace, rotation), tool, parameters, `rotation/${workspace}`);

      const [kept] = (await call("a", 0, "add_memory", { user: "alice speaks Portuguese", user_id: "alice" }))
        .results as Item[];
      expect(kept?.id).toBeTruthy();
      const since = fake.requests.length;
      const afterRotation = await call("a", 1, "search_memory", { query: "which language", user_id: "alice" });
      expect((afterRotation.results as Item[]).map((item) => item.id)).toEqual([kept!.id]);
      expect(fake.requests.slice(since).map((request) => request.authorization)).toContain("Bearer sk-embed-shared-1");
      expect((await call("a", 1, "get_memory", { memory_id: kept!.id, user_id: "alice" })).status).toBe("SUCCESS");
      // Workspace b brings the keys a used before: they open no store of a's.
      expect((await call("b", 0, "get_all_memories", { user_id: "alice" })).results).toEqual([]);
      expect((await call("b", 0, "get_memory", { memory_id: kept!.id })).status).toBe("ERROR");
      expect(readdirSync(join(dataDirectory, "stores"))).toHaveLength(2);
    });

    it("costs one tenant-storage round trip per call; the workspace id is created once, by the first call", async () => {
      const plugin = start(temporaryDirectory("workspaces-cost"));
      const creds = workspaceCredentials("a", { asyncMode: false, keys: "identical keys" });
      const tenant = "cost/a";
      const counts = () => Object.fromEntries(daemonStorage.answered);
      const call = () => invoke(plugin, creds, "get_all_memories", { user_id: "alice" }, tenant);
      expect(daemonStorage.read(tenant, WORKSPACE_ID_KEY)).toBeUndefined();
      await call();
      const id = daemonStorage.read(tenant, WORKSPACE_ID_KEY)?.toString();
      expect(id).toMatch(/^[0-9a-f-]{36}$/);

      const before = counts();
      const calls = 20;
      const roundTrips: number[] = [];
      for (let index = 0; index < calls; index++) {
        const sessionStart = plugin.events.length;
        await call();
        // From the plugin's storage request to its answer's first message, as the stand-in saw them arrive.
        const arrivals = plugin.sessions.arrivals.slice(sessionStart);
        const events = plugin.events.slice(sessionStart);
        const asked = events.findIndex((event) => JSON.stringify(event.data).includes('"type":"invoke"'));
        expect(asked).toBeGreaterThanOrEqual(0);
        roundTrips.push(arrivals[asked + 1]! - arrivals[asked]!);
      }
      const after = counts();
      expect({
        get: after.get! - before.get!,
        others: (after.set ?? 0) + (after.exist ?? 0) - (before.set ?? 0) - (before.exist ?? 0),
      }).toEqual({ get: calls, others: 0 });
      expect(daemonStorage.read(tenant, WORKSPACE_ID_KEY)?.toString()).toBe(id);
      roundTrips.sort((x, y) => x - y);
      console.info(
        `tenant storage: 1 get per call; storage request to the call's first answer on the stand-in: median ` +
          `${roundTrips[calls / 2]!.toFixed(1)} ms, max ${roundTrips[calls - 1]!.toFixed(1)} ms over ${calls} calls`,
      );
    });

    it("stores of the older keys are adopted by the first workspace that uses them, with their journaled writes", async () => {
      const dataDirectory = temporaryDirectory("workspaces-legacy");
      const storesDirectory = join(dataDirectory, "stores");
      // Identical credentials in both workspaces: before workspace ids, both mapped to these stores.
      const creds = workspaceCredentials("a", { asyncMode: false, keys: "identical keys" });
      let journalId = 1_000_000;
      const journal = (store: string, text: string) =>
        appendFileSync(
          join(dataDirectory, "write-journal.jsonl"),
          JSON.stringify({
            a: journalId++,
            j: {
              store,
              ref: randomUUID(),
              operation: { op: "add", messages: [{ role: "user", content: text }], scope: { user_id: "alice" } },
              key: `legacy:${store}:alice`,
            },
          }) + "\n",
        );

      // The store as earlier versions left it: named by the settings and secrets, with a symlink under the key of
      // the settings only (its adoption before that), and a write journaled under each key.
      const before = start(dataDirectory);
      const [settingsOnlyMemory] = (
        await invoke(before, creds, "add_memory", { user: "alice reads crime novels", user_id: "alice" }, "legacy/0")
      ).results as Item[];
      expect(settingsOnlyMemory?.id).toBeTruthy();
      await before.close();
      const old = readSetup(creds as unknown as RawCredentials, dataDirectory);
      const current = readdirSync(storesDirectory)[0]!;
      renameSync(join(storesDirectory, current), join(storesDirectory, old.secretsStore));
      symlinkSync(old.secretsStore, join(storesDirectory, old.legacyStore));
      journal(old.legacyStore, "alice journaled this before workspace separation");
      journal(old.secretsStore, "alice journaled this before workspace ids");

      const after = start(dataDirectory);
      const all = async (tenant: string) =>
        ((await invoke(after, creds, "get_all_memories", { user_id: "alice" }, tenant)).results as Item[])
          .map((item) => item.memory)
          .sort();
      const inA = await eventually(
        () => all("legacy/a"),
        (memories) => memories.length >= 3,
      );
      expect(inA).toEqual([
        "alice journaled this before workspace ids",
        "alice journaled this before workspace separation",
        settingsOnlyMemory!.memory,
      ]);
      const storeOfA = readSetup(
        creds as unknown as RawCredentials,
        dataDirectory,
        daemonStorage.read("legacy/a", WORKSPACE_ID_KEY)!.toString(),
      ).store;
      expect(readlinkSync(join(storesDirectory, old.secretsStore))).toBe(storeOfA);
      expect(readlinkSync(join(storesDirectory, old.legacyStore))).toBe(old.secretsStore);
      // Workspace b, identical credentials, comes later: a store of its own, nothing of a's.
      expect(await all("legacy/b")).toEqual([]);
      expect((await invoke(after, creds, "get_memory", { memory_id: settingsOnlyMemory!.id }, "legacy/b")).status).toBe(
        "ERROR",
      );
      expect(readlinkSync(join(storesDirectory, old.secretsStore))).toBe(storeOfA);
    });

    it("without tenant storage (no daemon), stores are keyed by the secrets and one warning says why", async () => {
      const dataDirectory = temporaryDirectory("workspaces-no-storage");
      const plugin = spawnMem0({ MEM0_DATA_DIR: dataDirectory }, null);
      processes.push(plugin);
      const creds = workspaceCredentials("a", { asyncMode: false, keys: "own keys" });
      // As `dify-ts invoke` does: every backwards invocation is answered with an error.
      const call = async (tool: string, parameters: JsonObject): Promise<ToolAnswer> => {
        const sessionId = randomUUID();
        const result = await plugin.request(
          {
            type: "tool",
            action: "invoke_tool",
            provider: "mem0",
            tool,
            credentials: creds,
            tool_parameters: parameters,
            user_id: "u",
          },
          {
            sessionId,
            onInvoke: (payload) =>
              plugin.respondBackwards(sessionId, String(payload.backwards_request_id), "error", {}, "no daemon here"),
          },
        );
        expect(result.error).toBeUndefined();
        const seen = reassemble(result.stream);
        return { ...(seen.jsons[0] as { status: string; messages: unknown; results: unknown }), text: seen.text };
      };
      const [item] = (await call("add_memory", { user: "alice cycles to work", user_id: "alice" })).results as Item[];
      expect(item?.id).toBeTruthy();
      expect((await call("get_all_memories", { user_id: "alice" })).results).toEqual([
        expect.objectContaining({ id: item!.id }),
      ]);
      const setup = readSetup(creds as unknown as RawCredentials, dataDirectory);
      expect(existsSync(join(dataDirectory, "stores", setup.secretsStore))).toBe(true);
      const warnings = logLines(plugin).filter((line) => line.includes("tenant storage"));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("WARN");
      expect(warnings[0]).toContain("no daemon here");
      expect(warnings[0]).not.toContain("sk-");
    });
  },
);
