/**
 * Hostile scope values (wildcards, operators, NUL, whitespace, case variants,
 * very long values) on all eight tools and both stores: no call returns or
 * changes another user's memory, refused values name their parameter; the
 * memory-id tools' owner check; filters that would widen the scope or nest
 * too deeply are refused with an error naming `filters`.
 */
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

beforeAll(async () => {
  if (unavailable) return;
  [fake, pg] = await Promise.all([startFakeOpenAI(), startPgvector()]);
  plugin = spawnMem0({ MEM0_DATA_DIR: temporaryDirectory("scope") });
  await plugin.waitForHeartbeat();
});

afterAll(async () => {
  plugin?.kill();
  await fake?.close();
  await pg?.close();
});

/** Values the scope rule refuses, each with the reason it must be refused. */
const REFUSED = [
  "*",
  "**",
  "alice*",
  "*alice",
  " alice",
  "alice ",
  "\talice",
  "alice\n",
  "ali\u0000ce",
  "alice\u0000",
  "ali\u001bce",
  "ali\u2028ce",
  "a".repeat(257),
  "a".repeat(100_000),
];
/** Literal ids that are not alice: accepted, and they must reach nothing of alice's or bob's. */
const OTHER_LITERALS = [
  "ALICE",
  "Alice",
  "alicE",
  "%",
  "alice%",
  "_lice",
  "$ne",
  '{"$ne": "x"}',
  '{"ne": "bob"}',
  '["alice", "bob"]',
  "alice' OR '1'='1",
  "null",
  "a".repeat(256),
];

type Item = { id: string; memory: string };

const stores: { name: string; vector?: () => JsonObject }[] = [
  { name: "embedded store" },
  {
    name: "pgvector",
    vector: () => ({
      provider: "pgvector",
      config: { connectionString: pg.connectionString, collectionName: "scope_fuzz", embeddingModelDims: 64 },
    }),
  },
];

describe.skipIf(unavailable)(
  `hostile scope values${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 600_000 },
  () => {
    for (const store of stores) {
      describe(store.name, () => {
        const creds = (asyncMode = false) =>
          credentials({ llmUrl: fake.url, asyncMode, ...(store.vector && { vector: store.vector() }) });
        const call = (tool: string, parameters: JsonObject, asyncMode = false) =>
          invoke(plugin, creds(asyncMode), tool, parameters);
        const ownMemory = async (user_id: string) => {
          const answer = await call("get_all_memories", { user_id });
          expect(answer.status).toBe("SUCCESS");
          return answer.results as Item[];
        };

        it("no hostile user_id, agent_id or run_id on any tool (the eight, and forget_memories with a TTL of 0) reads, changes or deletes alice's or bob's memories", async () => {
          const [alice] = (
            await call("add_memory", {
              user: "alice keeps her diary in the blue drawer",
              user_id: "alice",
              agent_id: "helper",
              run_id: "r1",
            })
          ).results as Item[];
          const [bob] = (await call("add_memory", { user: "bob hides the key under the mat", user_id: "bob" }))
            .results as Item[];
          expect(alice?.id && bob?.id).toBeTruthy();
          const protectedIds = new Set([alice!.id, bob!.id]);
          const protectedTexts = [alice!.memory, bob!.memory];
          const leaks = (answer: ToolAnswer) => {
            const seen = JSON.stringify(answer.results);
            return [...protectedIds, ...protectedTexts].filter((secret) => seen.includes(secret));
          };

          for (const key of ["user_id", "agent_id", "run_id"] as const) {
            for (const value of [...REFUSED, ...OTHER_LITERALS]) {
              const refused = REFUSED.includes(value);
              // agent_id and run_id are tried next to a user that is not alice: only the hostile value could reach her.
              const scope: JsonObject = key === "user_id" ? { user_id: value } : { user_id: "mallory", [key]: value };
              const label = `${key}=${JSON.stringify(value.slice(0, 40))}${value.length > 40 ? `…(${value.length})` : ""}`;
              const answers: [string, ToolAnswer][] = [
                ["add_memory", await call("add_memory", { user: "mallory was here", ...scope })],
                ["search_memory", await call("search_memory", { query: "diary drawer key mat", top_k: 100, ...scope })],
                ["get_all_memories", await call("get_all_memories", { limit: 1000, ...scope })],
                ["delete_all_memories", await call("delete_all_memories", scope)],
                // A TTL of 0 days forgets every memory of the scope it reaches.
                ["forget_memories", await call("forget_memories", { memory_ttl_days: 0, ...scope })],
                ["get_memory", await call("get_memory", { memory_id: alice!.id, [key]: value })],
                [
                  "update_memory",
                  await call("update_memory", { memory_id: alice!.id, text: "mallory rewrote this", [key]: value }),
                ],
                ["delete_memory", await call("delete_memory", { memory_id: bob!.id, [key]: value })],
                ["get_memory_history", await call("get_memory_history", { memory_id: alice!.id, [key]: value })],
              ];
              for (const [tool, answer] of answers) {
                expect(leaks(answer), `${tool} ${label}`).toEqual([]);
                if (refused) {
                  expect(answer.status, `${tool} ${label}`).toBe("ERROR");
                  expect(answer.messages, `${tool} ${label}`).toEqual(expect.stringContaining(key));
                } else if (["get_memory", "update_memory", "delete_memory", "get_memory_history"].includes(tool)) {
                  expect(answer, `${tool} ${label}`).toMatchObject({
                    status: "ERROR",
                    messages: expect.stringContaining("Memory not found"),
                  });
                }
              }
            }
          }

          // Both memories are exactly as they were, and their owners still see them.
          expect((await ownMemory("alice")).map((item) => [item.id, item.memory])).toEqual([
            [alice!.id, alice!.memory],
          ]);
          expect((await ownMemory("bob")).map((item) => [item.id, item.memory])).toEqual([[bob!.id, bob!.memory]]);
          const history = await call("get_memory_history", { memory_id: alice!.id });
          expect((history.results as { event: string }[]).map((row) => row.event)).toEqual(["ADD"]);
        });

        it("the owner's own id passes the check; without one the seed's parameters still work", async () => {
          const [memory] = (
            await call("add_memory", { user: "carol grows tomatoes", user_id: "carol", agent_id: "gardener" })
          ).results as Item[];
          expect(
            await call("get_memory", { memory_id: memory!.id, user_id: "carol", agent_id: "gardener" }),
          ).toMatchObject({ status: "SUCCESS", results: { id: memory!.id } });
          expect(
            await call("get_memory", { memory_id: memory!.id, user_id: "carol", agent_id: "other" }),
          ).toMatchObject({ status: "ERROR" });
          expect(await call("get_memory", { memory_id: memory!.id })).toMatchObject({
            status: "SUCCESS",
            results: { id: memory!.id },
          });
          expect(
            await call("update_memory", {
              memory_id: memory!.id,
              text: "carol grows cherry tomatoes",
              user_id: "carol",
            }),
          ).toMatchObject({ status: "SUCCESS" });
          expect(await call("get_memory_history", { memory_id: memory!.id, user_id: "carol" })).toMatchObject({
            status: "SUCCESS",
            results: [{ event: "ADD" }, { event: "UPDATE" }],
          });
          expect(await call("delete_memory", { memory_id: memory!.id, user_id: "carol" })).toMatchObject({
            status: "SUCCESS",
          });
          expect(await ownMemory("carol")).toEqual([]);
        });

        it("async mode: an accepted update or delete outside the owner scope is never applied", async () => {
          await call("add_memory", { user: "dave likes jazz", user_id: "dave" }, true);
          const [memory] = await eventually(
            () => ownMemory("dave"),
            (found) => found.length === 1,
          );
          expect(
            await call("update_memory", { memory_id: memory!.id, text: "mallory was here", user_id: "mallory" }, true),
          ).toMatchObject({ status: "SUCCESS" });
          expect(await call("delete_memory", { memory_id: memory!.id, user_id: "mallory" }, true)).toMatchObject({
            status: "SUCCESS",
          });
          // Writes to one memory apply in order: once dave's own update shows, mallory's two have run (and failed).
          await call("update_memory", { memory_id: memory!.id, text: "dave likes bebop", user_id: "dave" }, true);
          await eventually(
            () => ownMemory("dave"),
            (found) => found[0]?.memory === "dave likes bebop",
          );
          const history = await call("get_memory_history", { memory_id: memory!.id, user_id: "dave" });
          expect((history.results as { new_memory: string }[]).map((row) => row.new_memory)).toEqual([
            "dave likes jazz",
            "dave likes bebop",
          ]);
        });

        it("filters cannot name another scope with a wildcard or operator, and nesting deeper than 16 levels is an ERROR naming filters", async () => {
          for (const filters of [
            '{"user_id": "*"}',
            '{"agent_id": {"ne": "x"}}',
            '{"OR": [{"run_id": "*"}]}',
            '{"user_id": " alice"}',
          ]) {
            for (const tool of ["search_memory", "get_all_memories"]) {
              const answer = await call(tool, { query: "diary", user_id: "mallory", filters });
              expect(answer, `${tool} ${filters}`).toMatchObject({
                status: "ERROR",
                messages: expect.stringContaining("filters"),
              });
            }
          }
          for (const levels of [17, 100_000]) {
            const deep = '{"AND": ['.repeat(levels) + '{"a": 1}' + "]}".repeat(levels);
            for (const tool of ["search_memory", "get_all_memories"]) {
              const answer = await call(tool, { query: "diary", user_id: "alice", filters: deep });
              expect(answer, `${tool} ${levels}`).toMatchObject({
                status: "ERROR",
                messages: expect.stringMatching(/filters.*16 levels/),
              });
            }
          }
          const fine = '{"AND": [{"OR": [{"category": "food"}, {"rank": {"gte": 3}}]}]}';
          expect(await call("search_memory", { query: "diary", user_id: "alice", filters: fine })).toMatchObject({
            status: "SUCCESS",
          });
        });
      });
    }
  },
);
