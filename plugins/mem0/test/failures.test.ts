/**
 * How accepted background writes meet failures: transient ones (a 5xx, a 429,
 * a malformed 200 from the model API) are retried until the write is applied;
 * a write that can never succeed (a rejected key) leaves the queue only after
 * its retries, into the dead-letter file with the reason and no credentials,
 * with an ERROR log line naming that file.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PluginProcess } from "@dify-ts/host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { credentials, eventually, invoke, spawnMem0, temporaryDirectory, unavailable } from "./support/plugin.js";

let fake: FakeOpenAI;
let plugin: PluginProcess;
let dataDirectory: string;

beforeAll(async () => {
  if (unavailable) return;
  fake = await startFakeOpenAI();
  dataDirectory = temporaryDirectory("failures");
  plugin = spawnMem0({ MEM0_DATA_DIR: dataDirectory });
  await plugin.waitForHeartbeat();
});

afterAll(async () => {
  plugin?.kill();
  await fake?.close();
});

const chats = () => fake.requests.filter((request) => request.endpoint === "chat").length;
const logLines = () =>
  plugin.events
    .filter((event) => event.event === "log")
    .map((event) => String((event.data as { message?: string }).message));

describe.skipIf(unavailable)(
  `background write failures${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 180_000 },
  () => {
    it("a 500, a 429 and a malformed 200 from the model API are retried until the accepted write is applied", async () => {
      const creds = credentials({ llmUrl: fake.url });
      fake.chatFaults.push(
        { status: 500, body: '{"error": {"message": "upstream overloaded"}}' },
        { status: 429, body: '{"error": {"message": "rate limited"}}' },
        { status: 200, body: "this is not json {" },
      );
      const before = chats();
      expect(
        (await invoke(plugin, creds, "add_memory", { user: "I collect stamps", user_id: "retry-user" })).results,
      ).toEqual([{ id: "", memory: "", event: "ACCEPT" }]);
      const listed = await eventually(
        () => invoke(plugin, creds, "get_all_memories", { user_id: "retry-user" }),
        (answer) => (answer.results as unknown[]).length === 1,
      );
      expect(listed.results).toMatchObject([{ memory: "I collect stamps" }]);
      expect(chats() - before).toBe(4);
      expect(fake.chatFaults).toEqual([]);
      expect(existsSync(join(dataDirectory, "dead-letter.jsonl"))).toBe(false);
    });

    it("a rejected key fails for good only after the retries, into the dead-letter file with the reason, never the key", async () => {
      const key = "sk-rejected-key-4242";
      fake.rejectedKeys.add(key);
      const creds = credentials({
        llmUrl: fake.url,
        llm: { provider: "openai", config: { model: "fake-chat", apiKey: key, baseURL: fake.url } },
      });
      const before = chats();
      await invoke(plugin, creds, "add_memory", { user: "I fly kites", user_id: "dead-user" });
      await plugin.waitFor((event) => event.event === "log" && JSON.stringify(event.data).includes("failed for good"));
      expect(chats() - before).toBe(5);
      const lines = readFileSync(join(dataDirectory, "dead-letter.jsonl"), "utf8").trim().split("\n");
      expect(lines).toHaveLength(1);
      const entry = JSON.parse(lines[0]!) as {
        failed_at: string;
        attempts: number;
        reason: string;
        job: { operation: { op: string; scope: { user_id: string }; messages: { content: string }[] } };
      };
      expect(entry).toMatchObject({
        attempts: 5,
        job: { operation: { op: "add", scope: { user_id: "dead-user" }, messages: [{ content: "I fly kites" }] } },
      });
      expect(entry.reason).toMatch(/401|Incorrect API key/);
      expect(lines[0]).not.toContain(key);
      expect(logLines().find((line) => line.includes("failed for good"))).toContain("dead-letter.jsonl");
      // It left the journal: a restart does not run it again.
      const journal = readFileSync(join(dataDirectory, "write-journal.jsonl"), "utf8");
      const records = journal
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { a?: number; d?: number });
      const open = records.filter((record) => record.a !== undefined && !records.some((done) => done.d === record.a));
      expect(open).toEqual([]);
    });
  },
);
