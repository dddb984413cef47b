/**
 * What ACCEPT promises: an accepted write survives SIGKILL (journaled before
 * the answer, replayed at the next start), SIGTERM applies queued writes until
 * its deadline and journals the rest, and a full queue refuses with OVERLOAD
 * while reads go on.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { JsonObject } from "@dify-ts/runtime";
import type { PluginProcess } from "@dify-ts/host";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { startPgvector, type PgvectorServer } from "./support/pgvector.js";
import {
  credentials,
  eventually,
  invoke,
  spawnMem0,
  temporaryDirectory,
  unavailable,
  validate,
} from "./support/plugin.js";

let fake: FakeOpenAI;
let pg: PgvectorServer;
const processes: PluginProcess[] = [];

beforeAll(async () => {
  if (unavailable) return;
  [fake, pg] = await Promise.all([startFakeOpenAI(), startPgvector()]);
});

afterEach(() => {
  for (const plugin of processes.splice(0)) plugin.kill();
  fake.delays.chat = 0;
  fake.chatGate = undefined;
});

afterAll(async () => {
  await fake?.close();
  await pg?.close();
});

function start(dataDirectory: string, env: Record<string, string> = {}): PluginProcess {
  const plugin = spawnMem0({ MEM0_DATA_DIR: dataDirectory, ...env });
  processes.push(plugin);
  return plugin;
}

const vector = (collection: string) => ({
  provider: "pgvector",
  config: { connectionString: pg.connectionString, collectionName: collection, embeddingModelDims: 64 },
});
const memoriesOf = async (plugin: PluginProcess, creds: JsonObject, user_id: string) =>
  ((await invoke(plugin, creds, "get_all_memories", { user_id, limit: 1000 })).results as { memory: string }[])
    .map((item) => item.memory)
    .sort();
const liveJournalEntries = (dataDirectory: string) => {
  const lines = readFileSync(join(dataDirectory, "write-journal.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { a?: number; d?: number });
  const done = new Set(lines.filter((line) => line.d !== undefined).map((line) => line.d));
  return lines.filter((line) => line.a !== undefined && !done.has(line.a)).length;
};

// Each case starts plugin processes and waits for real work; a loaded CI machine needs the room.
describe.skipIf(unavailable)(
  `durable writes${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 180_000 },
  () => {
    it("every one of 200 writes ACCEPTed before a SIGKILL is stored after the restart, once, with no credentials on disk", async () => {
      const dataDirectory = temporaryDirectory("sigkill");
      const creds = credentials({ llmUrl: fake.url, vector: vector("sigkill") });
      fake.delays.chat = 40;
      const first = start(dataDirectory);
      const users = Array.from({ length: 10 }, (_, user) => `user-${user}`);
      const facts = (user: string) =>
        Array.from({ length: 20 }, (_, index) => `${user} remembers fact number ${index}`);
      const answers = await Promise.all(
        users.flatMap((user) =>
          facts(user).map((fact) => invoke(first, creds, "add_memory", { user: fact, user_id: user })),
        ),
      );
      first.kill("SIGKILL");
      expect(answers.map((answer) => (answer.results as { event: string }[])[0]!.event)).toEqual(
        Array(200).fill("ACCEPT"),
      );
      await first.exited;
      // The kill must have interrupted the work for this test to mean anything.
      expect(fake.requests.filter((request) => request.endpoint === "chat").length).toBeLessThan(200);
      expect(liveJournalEntries(dataDirectory)).toBeGreaterThan(0);

      // The journal never holds credentials: not the API keys, not the database URL.
      const journal = readFileSync(join(dataDirectory, "write-journal.jsonl"), "utf8");
      for (const secret of ["sk-llm-secret-1234", "sk-embed-secret-5678", pg.connectionString])
        expect(journal).not.toContain(secret);
      const left = liveJournalEntries(dataDirectory);

      fake.delays.chat = 0;
      const chats = () => fake.requests.filter((request) => request.endpoint === "chat").length;
      const chatsBeforeRestart = chats();
      const second = start(dataDirectory);
      // The journal is open and its writes queued once this line is logged; without a call they wait for credentials.
      await eventually(
        async () =>
          second.events.some(
            (event) => event.event === "log" && JSON.stringify(event.data).includes("the journal holds no credentials"),
          ),
        (logged) => logged,
      );
      expect(chats()).toBe(chatsBeforeRestart);
      expect(liveJournalEntries(dataDirectory)).toBe(left);
      // Credentials being validated are only being tried out: they do not start the replay either.
      expect((await validate(second, creds)).error).toBeUndefined();
      // An absence has no event to wait for: a replay woken by the validation would have sent its first chat
      // request within this window on any machine; a slow one only makes this check weaker, never red.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(chats()).toBe(chatsBeforeRestart);
      for (const user of users) {
        const stored = await eventually(
          () => memoriesOf(second, creds, user),
          (memories) => memories.length >= 20,
          60_000,
        );
        expect(stored).toEqual(facts(user).sort());
      }
      await eventually(
        async () => liveJournalEntries(dataDirectory),
        (live) => live === 0,
      );
    });

    it("SIGTERM applies the queued writes before exiting when they fit in the drain deadline", async () => {
      const dataDirectory = temporaryDirectory("sigterm");
      const creds = credentials({ llmUrl: fake.url, vector: vector("sigterm") });
      fake.delays.chat = 30;
      const plugin = start(dataDirectory, { MEM0_DRAIN_TIMEOUT_SECONDS: "20" });
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          invoke(plugin, creds, "add_memory", { user: `drained fact ${index}`, user_id: "drain" }),
        ),
      );
      plugin.kill("SIGTERM");
      expect((await plugin.exited).code).toBe(0);
      expect(liveJournalEntries(dataDirectory)).toBe(0);
      const next = start(dataDirectory);
      expect(await memoriesOf(next, creds, "drain")).toHaveLength(20);
    });

    it("SIGTERM exits at the drain deadline and the writes left over run at the next start", async () => {
      const dataDirectory = temporaryDirectory("deadline");
      const creds = credentials({ llmUrl: fake.url, vector: vector("deadline"), concurrency: 1 });
      // The gate holds every write inside its first LLM call, so none can finish: only the deadline ends the drain
      // (without it the process would never exit and the test would time out), and all 10 stay journaled.
      let release!: () => void;
      fake.chatGate = new Promise((resolve) => (release = resolve));
      const chats = () => fake.requests.filter((request) => request.endpoint === "chat").length;
      const chatsBefore = chats();
      const plugin = start(dataDirectory, { MEM0_DRAIN_TIMEOUT_SECONDS: "1" });
      await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          invoke(plugin, creds, "add_memory", { user: `late fact ${index}`, user_id: `late-${index}` }),
        ),
      );
      await eventually(
        async () => chats(),
        (count) => count > chatsBefore,
      );
      const stopping = performance.now();
      plugin.kill("SIGTERM");
      expect((await plugin.exited).code).toBe(0);
      expect(performance.now() - stopping).toBeGreaterThanOrEqual(1000);
      expect(liveJournalEntries(dataDirectory)).toBe(10);

      fake.chatGate = undefined;
      release();
      const next = start(dataDirectory);
      for (let index = 0; index < 10; index++) {
        expect(
          await eventually(
            () => memoriesOf(next, creds, `late-${index}`),
            (memories) => memories.length === 1,
          ),
        ).toEqual([`late fact ${index}`]);
      }
    });

    it("refuses writes with OVERLOAD when the queue is full, keeps serving reads, and accepts again once it drains", async () => {
      const dataDirectory = temporaryDirectory("overload");
      const creds = credentials({ llmUrl: fake.url, vector: vector("overload"), concurrency: 2 });
      const plugin = start(dataDirectory, { MEM0_MAX_PENDING_WRITES: "5" });
      await invoke(plugin, creds, "add_memory", { user: "I like sailing", user_id: "reader" });
      await eventually(
        () => memoriesOf(plugin, creds, "reader"),
        (memories) => memories.length === 1,
      );
      // mem0's add goes on after the memory is visible (history rows): the write stops counting as pending only
      // when its journal entry is marked done, which happens in the same step as the pending count drops.
      await eventually(
        async () => liveJournalEntries(dataDirectory),
        (live) => live === 0,
      );

      let release!: () => void;
      fake.chatGate = new Promise((resolve) => (release = resolve));
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          invoke(plugin, creds, "add_memory", { user: `queued fact ${index}`, user_id: "writer" }),
        ),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses).toEqual([
        "OVERLOAD",
        "OVERLOAD",
        "OVERLOAD",
        "SUCCESS",
        "SUCCESS",
        "SUCCESS",
        "SUCCESS",
        "SUCCESS",
      ]);
      const refused = answers.find((answer) => answer.status === "OVERLOAD")!;
      expect(refused).toMatchObject({
        results: [],
        messages: "the write queue is full (5 of 5 writes pending); try again later",
      });

      // Reads do not wait behind the stuck writes: the gate is still closed, so a read queued behind them would never answer.
      const found = await invoke(plugin, creds, "search_memory", { query: "sailing", user_id: "reader" });
      expect(found.status).toBe("SUCCESS");

      release();
      expect(
        await eventually(
          () => memoriesOf(plugin, creds, "writer"),
          (memories) => memories.length === 5,
        ),
      ).toHaveLength(5);
      expect((await invoke(plugin, creds, "add_memory", { user: "one more", user_id: "writer" })).status).toBe(
        "SUCCESS",
      );
    });
  },
);
