/**
 * forget_memories through the plugin's stdio protocol, on the embedded store
 * and on pgvector (PGlite over TCP), in async mode (deletions go through the
 * journal). Months pass on the plugin's clock (MEM0_TEST_CLOCK_FILE), never
 * in the test: nothing here sleeps.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
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

const DAY = 24 * 60 * 60 * 1000;

let fake: FakeOpenAI;
let pg: PgvectorServer;
let plugin: PluginProcess;
let clockFile: string;
let dataDirectory: string;
const start = Date.now();
const setClock = (days: number) => writeFileSync(clockFile, String(start + days * DAY));

beforeAll(async () => {
  if (unavailable) return;
  [fake, pg] = await Promise.all([startFakeOpenAI(), startPgvector()]);
  dataDirectory = temporaryDirectory("forget");
  clockFile = join(dataDirectory, "..", `${dataDirectory.split("/").pop()}-clock`);
  setClock(0);
  plugin = spawnMem0({ MEM0_DATA_DIR: dataDirectory, MEM0_TEST_CLOCK_FILE: clockFile });
  await plugin.waitForHeartbeat();
});

afterAll(async () => {
  plugin?.kill();
  await fake?.close();
  await pg?.close();
});

interface Forgotten {
  id: string;
  memory: string;
  reason: string;
  retention: number;
  access_count: number;
}
interface ForgetResults {
  dry_run: boolean;
  scanned: number;
  kept: number;
  forgotten: Forgotten[];
}
const forgotten = (answer: ToolAnswer) =>
  (answer.results as ForgetResults).forgotten.map((item) => [item.memory, item.reason]).sort();

describe.skipIf(unavailable)(
  `forget_memories${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 180_000 },
  () => {
    for (const store of ["embedded", "pgvector"] as const) {
      describe(store, () => {
        const alice = `alice-${store}`;
        const bob = `bob-${store}`;
        const creds = () =>
          credentials({
            llmUrl: fake.url,
            ...(store === "pgvector" && {
              vector: {
                provider: "pgvector",
                config: { connectionString: pg.connectionString, collectionName: "forget", embeddingModelDims: 64 },
              },
            }),
          });
        const call = (tool: string, parameters: JsonObject) => invoke(plugin, creds(), tool, parameters);
        const memoriesOf = async (user_id: string) =>
          ((await call("get_all_memories", { user_id })).results as { memory: string }[])
            .map((item) => item.memory)
            .sort();
        const settled = (user_id: string, count: number) =>
          eventually(
            () => memoriesOf(user_id),
            (memories) => memories.length === count,
          );
        const recall = async (days: number, query: string, user_id = alice) => {
          setClock(days);
          const found = await call("search_memory", { query, user_id, top_k: 1 });
          expect(found.status).toBe("SUCCESS");
          return (found.results as { memory: string }[])[0]?.memory;
        };

        it("memories never searched decay and go, often searched ones stay; dry_run changes nothing; other users untouched", async () => {
          setClock(0);
          for (const user of [
            "alice drinks green tea",
            "alice plays chess on sundays",
            "alice owns a red bicycle",
            "alice visited paris in may",
          ])
            await call("add_memory", { user, user_id: alice });
          await call("add_memory", { user: "bob owns a blue boat", user_id: bob });
          await settled(alice, 4);
          await settled(bob, 1);

          for (const days of [1, 5, 10, 14]) expect(await recall(days, "green tea")).toBe("alice drinks green tea");
          expect(await recall(2, "chess on sundays")).toBe("alice plays chess on sundays");

          setClock(20);
          const preview = await call("forget_memories", { user_id: alice, dry_run: true });
          expect(preview.status).toBe("SUCCESS");
          expect(preview.results).toMatchObject({ dry_run: true, scanned: 4, kept: 2 });
          expect(forgotten(preview)).toEqual([
            ["alice owns a red bicycle", "decayed"],
            ["alice visited paris in may", "decayed"],
          ]);
          const tea = (preview.results as ForgetResults).forgotten.find((item) => item.memory.includes("tea"));
          expect(tea).toBeUndefined();
          // Nothing changed: the same preview again, and every memory still there.
          expect(forgotten(await call("forget_memories", { user_id: alice, dry_run: true }))).toEqual(
            forgotten(preview),
          );
          expect(await memoriesOf(alice)).toHaveLength(4);

          const forgetting = await call("forget_memories", { user_id: alice });
          expect(forgetting.status).toBe("SUCCESS");
          expect(forgotten(forgetting)).toEqual(forgotten(preview));
          expect(
            await eventually(
              () => memoriesOf(alice),
              (memories) => memories.length === 2,
            ),
          ).toEqual(["alice drinks green tea", "alice plays chess on sundays"]);
          // bob's memory decayed just as much, but only alice's scope was asked for.
          expect(await memoriesOf(bob)).toEqual(["bob owns a blue boat"]);
        });

        it("the recall count slows decay: the memory searched four times outlives the one searched once", async () => {
          setClock(60);
          const answer = await call("forget_memories", { user_id: alice, dry_run: true });
          // chess: 1 recall at day 2, S = 14 d, 58 d later R = 0.016; tea: 4 recalls, S = 35 d, 46 d later R = 0.27.
          expect(forgotten(answer)).toEqual([["alice plays chess on sundays", "decayed"]]);
          const chess = (answer.results as ForgetResults).forgotten[0]!;
          expect(chess.access_count).toBe(1);
          expect(chess.retention).toBeCloseTo(Math.exp(-58 / 14), 3);
        });

        it("memory_ttl_days forgets old memories however often they were recalled", async () => {
          setClock(20);
          const answer = await call("forget_memories", { user_id: alice, memory_ttl_days: 10 });
          expect(answer.status).toBe("SUCCESS");
          expect(forgotten(answer)).toEqual([
            ["alice drinks green tea", "ttl"],
            ["alice plays chess on sundays", "ttl"],
          ]);
          await settled(alice, 0);
          expect(await memoriesOf(bob)).toEqual(["bob owns a blue boat"]);
        });

        it("refuses a scope that would reach other users", async () => {
          const answer = await call("forget_memories", { user_id: "*" });
          expect(answer.status).toBe("ERROR");
          expect(answer.messages).toContain("user_id");
          expect(await memoriesOf(bob)).toEqual(["bob owns a blue boat"]);
        });
      });
    }

    it("recalls survive a SIGKILL of the plugin: the access log is on disk", async () => {
      const creds = () => credentials({ llmUrl: fake.url, asyncMode: false });
      setClock(100);
      await invoke(plugin, creds(), "add_memory", { user: "gina keeps bees", user_id: "gina" });
      await invoke(plugin, creds(), "add_memory", { user: "gina sings in a choir", user_id: "gina" });
      for (const days of [101, 102, 103]) {
        setClock(days);
        await invoke(plugin, creds(), "search_memory", { query: "bees", user_id: "gina", top_k: 1 });
      }
      plugin.kill("SIGKILL");
      await plugin.exited;
      plugin = spawnMem0({ MEM0_DATA_DIR: dataDirectory, MEM0_TEST_CLOCK_FILE: clockFile });
      await plugin.waitForHeartbeat();
      setClock(110);
      // A threshold of 1 lists every memory, with its recall count.
      const answer = await invoke(plugin, creds(), "forget_memories", {
        user_id: "gina",
        dry_run: true,
        retention_threshold: 1,
      });
      const counts = (answer.results as ForgetResults).forgotten.map((item) => [item.memory, item.access_count]).sort();
      expect(counts).toEqual([
        ["gina keeps bees", 3],
        ["gina sings in a choir", 0],
      ]);
    });
  },
);
