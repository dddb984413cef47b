/**
 * Hosted mode: the same tools against the Mem0 Platform API (a local
 * stand-in), through the plugin's stdio protocol, in async mode (writes
 * journaled, ACCEPT) and sync mode: scoping and owner checks enforced by the
 * plugin, validation naming the mode, mixing both modes refused, and the API
 * key never printed or written (canary).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { JsonObject } from "@dify-ts/runtime";
import type { PluginProcess } from "@dify-ts/host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakePlatform, type FakePlatform } from "./support/fake-mem0-platform.js";
import { eventually, invoke, spawnMem0, temporaryDirectory, unavailable, validate } from "./support/plugin.js";

const KEY = `m0-canary-${process.pid}-7f3a9c`;
const REJECTED = `m0-rejected-${process.pid}-c0ffee`;

let platform: FakePlatform;
let plugin: PluginProcess;
let dataDirectory: string;
let clockFile: string;
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  if (unavailable) return;
  platform = await startFakePlatform([KEY]);
  dataDirectory = temporaryDirectory("platform");
  clockFile = join(temporaryDirectory("platform-clock"), "now");
  writeFileSync(clockFile, String(Date.now()));
  plugin = spawnMem0({ MEM0_DATA_DIR: dataDirectory, MEM0_TEST_CLOCK_FILE: clockFile });
  await plugin.waitForHeartbeat();
});

afterAll(async () => {
  plugin?.kill();
  await platform?.close();
});

const hosted = (asyncMode: boolean, key = KEY): JsonObject => ({
  async_mode: asyncMode,
  mem0_api_key: key,
  mem0_host: platform.url,
  mem0_org_id: "org-1",
  mem0_project_id: "proj-1",
  max_concurrent_memory_operations: "8",
});

type Item = { id: string; memory: string; score?: number };

describe.skipIf(unavailable)(
  `hosted mode${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 120_000 },
  () => {
    it("validation accepts a good key and names the mode when the Platform refuses one", async () => {
      expect((await validate(plugin, hosted(true))).error).toBeUndefined();
      const refused = await validate(plugin, hosted(true, REJECTED));
      expect(refused.error?.message).toContain("hosted mode (mem0_api_key): the Mem0 Platform answered HTTP 401");
      expect(JSON.stringify(refused)).not.toContain(REJECTED);
      const sent = platform.requests.find((request) => request.authorization === `Token ${KEY}`);
      expect(sent?.query).toMatchObject({ org_id: "org-1", project_id: "proj-1" });
    });

    it("mixing the API key with local JSON blocks is an error naming the fields", async () => {
      const mixed = { ...hosted(true), local_llm_json: '{"provider": "openai", "config": {}}' };
      const answer = await invoke(plugin, mixed, "search_memory", { query: "x", user_id: "u" });
      expect(answer.status).toBe("ERROR");
      expect(answer.messages).toContain("mem0_api_key and local_llm_json: these select two modes at once");
      const result = await validate(plugin, mixed);
      expect(result.error?.message).toContain("mem0_api_key and local_llm_json");
      const orphan = await validate(plugin, {
        async_mode: true,
        mem0_org_id: "org-1",
        max_concurrent_memory_operations: "8",
      });
      expect(orphan.error?.message).toContain("mem0_org_id: belong to the hosted Mem0 Platform mode");
    });

    for (const asyncMode of [true, false]) {
      describe(asyncMode ? "async mode" : "sync mode", () => {
        const mode = asyncMode ? "async" : "sync";
        const alice = `alice-${mode}`;
        const bob = `bob-${mode}`;
        const call = (tool: string, parameters: JsonObject) => invoke(plugin, hosted(asyncMode), tool, parameters);
        const all = async (user_id: string) => (await call("get_all_memories", { user_id })).results as Item[];
        const settled = (user_id: string, count: number) =>
          eventually(
            () => all(user_id),
            (items) => items.length === count,
          );

        it("add, search, list, get, update, history, delete and delete_all, each inside its user's scope", async () => {
          const added = await call("add_memory", { user: "alice drinks green tea", user_id: alice });
          expect(added.status).toBe("SUCCESS");
          expect((added.results as { event: string }[])[0]?.event).toBe(asyncMode ? "ACCEPT" : "ADD");
          await call("add_memory", {
            user: "alice lives in Lisbon",
            user_id: alice,
            metadata: '{"category": "place"}',
          });
          await call("add_memory", { user: "bob drinks black coffee", user_id: bob });
          await settled(alice, 2);
          await settled(bob, 1);

          const found = await call("search_memory", { query: "what does alice drink", user_id: alice, top_k: 5 });
          expect(found.status).toBe("SUCCESS");
          const hits = found.results as Item[];
          expect(hits.map((hit) => hit.memory)).not.toContain("bob drinks black coffee");
          expect(hits[0]).toMatchObject({ memory: "alice drinks green tea", score: expect.any(Number) });
          const places = await call("get_all_memories", { user_id: alice, filters: '{"category": "place"}' });
          expect((places.results as Item[]).map((item) => item.memory)).toEqual(["alice lives in Lisbon"]);

          const tea = hits[0]!.id;
          // bob cannot read, change or delete alice's memory: it is "not found" for him.
          expect(await call("get_memory", { memory_id: tea, user_id: bob })).toMatchObject({
            status: "ERROR",
            messages: `Memory not found: ${tea}`,
          });
          const stolen = await call("update_memory", { memory_id: tea, text: "owned by bob", user_id: bob });
          if (!asyncMode) expect(stolen.status).toBe("ERROR");
          await call("delete_memory", { memory_id: tea, user_id: bob });
          expect(await call("get_memory", { memory_id: tea, user_id: alice })).toMatchObject({
            status: "SUCCESS",
            results: { id: tea, memory: "alice drinks green tea" },
          });

          await call("update_memory", { memory_id: tea, text: "alice drinks jasmine tea", user_id: alice });
          await eventually(
            () => call("get_memory", { memory_id: tea, user_id: alice }),
            (answer) => (answer.results as Item | null)?.memory === "alice drinks jasmine tea",
          );
          const history = await call("get_memory_history", { memory_id: tea, user_id: alice });
          expect((history.results as { event: string }[]).map((row) => row.event)).toEqual(["ADD", "UPDATE"]);

          await call("delete_memory", { memory_id: tea, user_id: alice });
          await settled(alice, 1);
          await call("delete_all_memories", { user_id: alice });
          await settled(alice, 0);
          expect((await all(bob)).map((item) => item.memory)).toEqual(["bob drinks black coffee"]);
        });

        it("a wildcard user_id is refused before the Platform is asked", async () => {
          const before = platform.requests.length;
          const answer = await call("get_all_memories", { user_id: "*" });
          expect(answer.status).toBe("ERROR");
          expect(platform.requests.length).toBe(before);
        });
      });
    }

    it("forget_memories works on the Platform's memories: recalled ones stay, the rest go, other users untouched", async () => {
      const call = (tool: string, parameters: JsonObject) => invoke(plugin, hosted(false), tool, parameters);
      const start = Date.now();
      writeFileSync(clockFile, String(start));
      for (const user of ["erin sails on lakes", "erin collects stamps"])
        await call("add_memory", { user, user_id: "erin" });
      await call("add_memory", { user: "frank bakes pies", user_id: "frank" });
      writeFileSync(clockFile, String(start + 10 * DAY));
      const hit = await call("search_memory", { query: "sails lakes", user_id: "erin", top_k: 1 });
      expect((hit.results as Item[])[0]?.memory).toBe("erin sails on lakes");
      writeFileSync(clockFile, String(start + 20 * DAY));
      const preview = await call("forget_memories", { user_id: "erin", dry_run: true });
      expect(preview.results).toMatchObject({ scanned: 2, kept: 1, forgotten: [{ memory: "erin collects stamps" }] });
      await call("forget_memories", { user_id: "erin" });
      const left = await call("get_all_memories", { user_id: "erin" });
      expect((left.results as Item[]).map((item) => item.memory)).toEqual(["erin sails on lakes"]);
      const frank = await call("get_all_memories", { user_id: "frank" });
      expect((frank.results as Item[]).map((item) => item.memory)).toEqual(["frank bakes pies"]);
    });

    it("the API key is on no stream and in no file, also after a write it rejected failed for good", async () => {
      await invoke(plugin, hosted(true, REJECTED), "add_memory", { user: "x", user_id: "carol" });
      await invoke(plugin, hosted(true, REJECTED), "search_memory", { query: "x", user_id: "carol" });
      // The rejected write ends in the dead-letter file after its 5 attempts (about 15 s), with its reason.
      const deadLetter = join(dataDirectory, "dead-letter.jsonl");
      await eventually(
        async () => {
          try {
            return readFileSync(deadLetter, "utf8");
          } catch {
            return "";
          }
        },
        (text) => text.includes('"carol"') && text.includes("HTTP 401"),
      );
      const files = readdirSync(dataDirectory, { recursive: true, encoding: "utf8" }).map((path) =>
        join(dataDirectory, path),
      );
      const texts = [plugin.stderr, JSON.stringify(plugin.events)];
      for (const file of files) {
        try {
          texts.push(readFileSync(file, "latin1"));
        } catch {
          // A directory.
        }
      }
      for (const key of [KEY, REJECTED]) for (const text of texts) expect(text.includes(key)).toBe(false);
    });
  },
);
