/**
 * Unique canary strings in every secret field (the LLM's, embedder's and
 * reranker's API keys, a key as URL userinfo, the database password in a
 * connection string and as a field); after every error path none of them is on
 * stdout (every protocol event), on stderr or in any file of the data directory.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { JsonObject } from "@dify-ts/runtime";
import type { PluginProcess } from "@dify-ts/host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { credentials, invoke, spawnMem0, temporaryDirectory, unavailable, validate } from "./support/plugin.js";

let fake: FakeOpenAI;
let plugin: PluginProcess;
let dataDirectory: string;

const tag = randomBytes(6).toString("hex");
const canary = {
  llmKey: `sk-canary-llm-${tag}`,
  embedderKey: `sk-canary-embed-${tag}`,
  rerankerKey: `sk-canary-rerank-${tag}`,
  userinfo: `canary-userinfo-${tag}`,
  pgPassword: `canary-pg-${tag}`,
  pgFieldPassword: `canary-pgfield-${tag}`,
};

beforeAll(async () => {
  if (unavailable) return;
  fake = await startFakeOpenAI();
  for (const key of [canary.llmKey, canary.embedderKey, canary.rerankerKey]) fake.rejectedKeys.add(key);
  dataDirectory = temporaryDirectory("canary");
  plugin = spawnMem0({ MEM0_DATA_DIR: dataDirectory });
  await plugin.waitForHeartbeat();
});

afterAll(async () => {
  plugin?.kill();
  await fake?.close();
});

/** The files below `directory` with their contents; a file renamed away meanwhile (a journal compaction's temporary file) is read under its new name. */
function filesBelow(directory: string): [string, string][] {
  return readdirSync(directory, { recursive: true, encoding: "utf8" }).flatMap((name): [string, string][] => {
    const path = join(directory, name);
    try {
      return statSync(path).isFile() ? [[path, readFileSync(path).toString("latin1")]] : [];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  });
}

/** Where a canary was found, if anywhere: stdout's events, stderr, or a data file. */
function leaks(): string[] {
  const places: [string, string][] = [
    ["stdout", JSON.stringify(plugin.events) + plugin.strayLines.join("\n")],
    ["stderr", plugin.stderr],
  ];
  places.push(...filesBelow(dataDirectory));
  return places.flatMap(([place, content]) =>
    Object.values(canary)
      .filter((value) => content.includes(value))
      .map((value) => `${value} in ${place}`),
  );
}

const openai = (model: string, apiKey: string, baseURL = fake.url) => ({
  provider: "openai",
  config: { model, apiKey, baseURL },
});
const good = {
  chat: () => openai("fake-chat", "sk-good-chat-key"),
  embed: () => openai("fake-embed", "sk-good-embed-key"),
};
const unreachablePg = (): JsonObject => ({
  provider: "pgvector",
  config: {
    connection_string: `postgresql://postgres:${canary.pgPassword}@127.0.0.1:1/postgres`,
    collection_name: "canary",
    embedding_model_dims: 64,
  },
});
const unreachablePgFields = (): JsonObject => ({
  provider: "pgvector",
  config: {
    user: "postgres",
    password: canary.pgFieldPassword,
    host: "127.0.0.1",
    port: 1,
    dbname: "x",
    collection_name: "canary",
    embedding_model_dims: 64,
  },
});

describe.skipIf(unavailable)(
  `no secret on any stream or in any file${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 300_000 },
  () => {
    const paths: { name: string; creds: () => JsonObject; asyncMode?: boolean; reranker?: JsonObject }[] = [
      {
        name: "the embedder rejects its key (401 echoing it)",
        creds: () => credentials({ llmUrl: fake.url, embedder: openai("fake-embed", canary.embedderKey) }),
      },
      {
        name: "the LLM rejects its key (401 echoing it), sync",
        creds: () => credentials({ llmUrl: fake.url, asyncMode: false, llm: openai("fake-chat", canary.llmKey) }),
      },
      {
        name: "the LLM rejects its key (401 echoing it), async",
        creds: () => credentials({ llmUrl: fake.url, llm: openai("fake-chat", canary.llmKey) }),
      },
      {
        name: "the embedder's base URL carries the key as userinfo and is unreachable",
        creds: () =>
          credentials({
            llmUrl: fake.url,
            asyncMode: false,
            embedder: openai("fake-embed", "sk-good-embed-key", `http://user:${canary.userinfo}@127.0.0.1:1/v1`),
          }),
      },
      {
        name: "pgvector unreachable, password in the connection string",
        creds: () => credentials({ llmUrl: fake.url, asyncMode: false, vector: unreachablePg() }),
      },
      {
        name: "pgvector unreachable, password as a field",
        creds: () => credentials({ llmUrl: fake.url, asyncMode: false, vector: unreachablePgFields() }),
      },
      {
        name: "the reranker rejects its key (401 echoing it)",
        creds: () => ({
          ...credentials({ llmUrl: fake.url, asyncMode: false, llm: good.chat(), embedder: good.embed() }),
          local_reranker_json: JSON.stringify({
            provider: "llm_reranker",
            config: { llm: openai("fake-chat", canary.rerankerKey) },
          }),
        }),
      },
    ];

    for (const path of paths) {
      it(`${path.name}: validation, every tool, background writes`, async () => {
        const creds = path.creds();
        const validation = await validate(plugin, creds);
        expect(leaks(), "after validation").toEqual([]);
        expect(JSON.stringify(validation)).not.toContain(tag);
        // Validation calls the embedder and the store, not the LLM or the reranker.
        if (!/LLM|reranker/.test(path.name))
          expect(validation.error?.message, "validation must fail on this path").toBeDefined();
        const statuses: string[] = [];
        const errorsBefore = plugin.events.filter(
          (event) => event.event === "log" && JSON.stringify(event.data).includes("ERROR"),
        ).length;
        const calls: [string, JsonObject][] = [
          ["add_memory", { user: `canary fact ${tag}`, user_id: "canary-user" }],
          ["search_memory", { query: "canary fact", user_id: "canary-user" }],
          ["get_all_memories", { user_id: "canary-user" }],
          ["get_memory", { memory_id: "00000000-0000-4000-8000-000000000000", user_id: "canary-user" }],
          ["update_memory", { memory_id: "00000000-0000-4000-8000-000000000000", text: "x" }],
          ["delete_memory", { memory_id: "00000000-0000-4000-8000-000000000000" }],
          ["get_memory_history", { memory_id: "00000000-0000-4000-8000-000000000000" }],
          ["delete_all_memories", { user_id: "canary-user" }],
        ];
        for (const [tool, parameters] of calls) {
          const answer = await invoke(plugin, creds, tool, parameters);
          statuses.push(answer.status);
          expect(JSON.stringify(answer), tool).not.toMatch(new RegExp(Object.values(canary).join("|")));
          expect(leaks(), `after ${tool}`).toEqual([]);
        }
        if (!path.name.endsWith("async")) expect(statuses, "the error path must be reached").toContain("ERROR");
        // The async path fails in the background: wait for its ERROR line, then look again.
        if (path.name.endsWith("async")) {
          await plugin.waitFor(
            (event) => event.event === "log" && /background add .* failed/.test(JSON.stringify(event.data)),
          );
          expect(
            plugin.events.filter((event) => event.event === "log" && JSON.stringify(event.data).includes("ERROR"))
              .length,
          ).toBeGreaterThan(errorsBefore);
        }
        expect(leaks(), "after the background writes").toEqual([]);
      });
    }
  },
);
