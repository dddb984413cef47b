/**
 * Failure paths through the stdio protocol: a slow embedder (reads degrade at
 * their deadline), a database restart (the plugin lives on and reconnects),
 * credentials in the Python plugin's spelling, and credential validation that
 * names the problem, never echoes a secret and never hangs.
 */
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
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
  validate,
} from "./support/plugin.js";

let fake: FakeOpenAI;
let pg: PgvectorServer;
let plugin: PluginProcess;
/** Accepts TCP connections and never answers: a database that hangs. */
let silent: Server;

beforeAll(async () => {
  if (unavailable) return;
  [fake, pg] = await Promise.all([startFakeOpenAI(), startPgvector()]);
  silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  plugin = spawnMem0({ MEM0_DATA_DIR: temporaryDirectory("resilience"), MEM0_VALIDATION_TIMEOUT_SECONDS: "2" });
  await plugin.waitForHeartbeat();
});

afterAll(async () => {
  plugin?.kill();
  silent?.close();
  await fake?.close();
  await pg?.close();
});

const pgvector = (collection: string) => ({
  provider: "pgvector",
  config: { connectionString: pg.connectionString, collectionName: collection, embeddingModelDims: 64 },
});
const memories = async (creds: JsonObject, user_id: string) =>
  ((await invoke(plugin, creds, "get_all_memories", { user_id })).results as { memory: string }[])
    .map((item) => item.memory)
    .sort();

describe.skipIf(unavailable)(`failures${unavailable ? ` (skipped: ${unavailable})` : ""}`, { timeout: 120_000 }, () => {
  it("a read degrades to an empty result with TIMEOUT at its deadline when the embedder is slow", async () => {
    const creds = credentials({ llmUrl: fake.url, vector: pgvector("slow") });
    expect((await invoke(plugin, creds, "search_memory", { query: "warm up", user_id: "slow" })).status).toBe(
      "SUCCESS",
    );
    fake.delays.embeddings = 3000;
    try {
      const started = Date.now();
      const answer = await invoke(plugin, creds, "search_memory", { query: "anything", user_id: "slow", timeout: 1 });
      const elapsed = Date.now() - started;
      expect(answer).toMatchObject({ status: "TIMEOUT", messages: "search_memory timed out after 1 s", results: [] });
      expect(answer.text).toContain("no memories returned");
      // The TIMEOUT answer itself shows the read did not wait for the embedder (3 s); it cannot come before the deadline.
      expect(elapsed).toBeGreaterThanOrEqual(1000);
      // The per-call timeout can only lower the default, and a sync-mode read waits for the answer instead.
      const blocking = await invoke(
        plugin,
        credentials({ llmUrl: fake.url, vector: pgvector("slow"), asyncMode: false }),
        "search_memory",
        { query: "anything", user_id: "slow", timeout: 1 },
      );
      expect(blocking.status).toBe("SUCCESS");
    } finally {
      fake.delays.embeddings = 0;
    }
    expect(
      plugin.events.some(
        (event) => event.event === "log" && JSON.stringify(event.data).includes("search_memory timed out after 1 s"),
      ),
    ).toBe(true);
  });

  it("a failing read degrades to an empty result with ERROR and the cause is logged", async () => {
    const creds = credentials({ llmUrl: fake.url, vector: pgvector("failing") });
    await invoke(plugin, creds, "add_memory", {
      user: "I drink oolong",
      user_id: "f",
      metadata: '{"category": "drink"}',
    });
    await eventually(
      () => memories(creds, "f"),
      (list) => list.length === 1,
    );
    // A numeric comparison on a text field fails inside Postgres.
    const answer = await invoke(plugin, creds, "search_memory", {
      query: "tea",
      user_id: "f",
      filters: '{"category": {"gt": 5}}',
    });
    expect(answer.status).toBe("ERROR");
    expect(answer.results).toEqual([]);
    expect(String(answer.messages)).toMatch(/^search_memory failed: /);
  });

  it("survives a database restart: the plugin stays up, the next calls reconnect, and writes caught mid-way are retried", async () => {
    const creds = credentials({ llmUrl: fake.url, vector: pgvector("restart") });
    await invoke(plugin, creds, "add_memory", { user: "I was stored before the restart", user_id: "r" });
    await eventually(
      () => memories(creds, "r"),
      (list) => list.length === 1,
    );

    // Three writes (separate runs, so they run concurrently) get past their similarity search
    // and wait for the LLM; the database restarts meanwhile.
    let release!: () => void;
    fake.chatGate = new Promise((resolve) => (release = resolve));
    try {
      const chatsBefore = fake.requests.filter((request) => request.endpoint === "chat").length;
      await Promise.all(
        [0, 1, 2].map((index) =>
          invoke(plugin, creds, "add_memory", {
            user: `written during the restart ${index}`,
            user_id: "r",
            run_id: `run-${index}`,
          }),
        ),
      );
      await eventually(
        async () => fake.requests.filter((request) => request.endpoint === "chat").length - chatsBefore,
        (count) => count === 3,
      );
      await pg.restart(300);
    } finally {
      fake.chatGate = undefined;
      release();
    }
    expect(plugin.child.exitCode).toBeNull();

    const found = await invoke(plugin, creds, "search_memory", { query: "stored before the restart", user_id: "r" });
    expect(found.status).toBe("SUCCESS");
    expect((found.results as { memory: string }[])[0]!.memory).toBe("I was stored before the restart");
    // mem0ai logs a failed insert and reports the add as done; the plugin notices and applies the write again.
    expect(
      await eventually(
        () => memories(creds, "r"),
        (list) => list.length === 4,
        30_000,
      ),
    ).toEqual([
      "I was stored before the restart",
      "written during the restart 0",
      "written during the restart 1",
      "written during the restart 2",
    ]);
    // mem0ai's console output reaches the log, one line per call and no stack, not stderr.
    expect(
      plugin.events.some(
        (event) => event.event === "log" && JSON.stringify(event.data).includes("mem0ai: Failed to insert memory"),
      ),
    ).toBe(true);
    expect(plugin.stderr).not.toMatch(/^\s+at /m);
    expect(
      plugin.events.some(
        (event) => event.event === "log" && JSON.stringify(event.data).includes("database connection was lost"),
      ),
    ).toBe(true);
  });

  it("accepts the Python plugin's credential JSON: snake_case keys, code fences, Python literals, pgvector fields", async () => {
    const python = {
      async_mode: "true",
      local_llm_json: `\`\`\`json\n{'provider': 'openai', 'config': {'model': 'fake-chat', 'api_key': 'sk-python-llm-0001', 'openai_base_url': '${fake.url}', 'temperature': 0.1, 'max_tokens': 2000}}\n\`\`\``,
      local_embedder_json: JSON.stringify({
        provider: "openai",
        config: { model: "fake-embed", api_key: "sk-python-emb-0002", openai_base_url: fake.url },
      }),
      local_vector_db_json: JSON.stringify({
        provider: "pgvector",
        config: {
          user: "postgres",
          password: "postgres",
          host: pg.host,
          port: String(pg.port),
          dbname: "postgres",
          collection_name: "python_style",
          embedding_model_dims: 64,
          sslmode: "disable",
          minconn: 10,
          maxconn: 40,
        },
      }),
    };
    expect((await validate(plugin, python)).stream).toEqual([{ result: true }]);
    await invoke(plugin, python, "add_memory", { user: "I prefer window seats", user_id: "py" });
    expect(
      await eventually(
        () => memories(python, "py"),
        (list) => list.length === 1,
      ),
    ).toEqual(["I prefer window seats"]);
    expect(fake.requests).toContainEqual(
      expect.objectContaining({ endpoint: "chat", api: "openai", authorization: "Bearer sk-python-llm-0001" }),
    );
    expect(fake.requests).toContainEqual(
      expect.objectContaining({ endpoint: "embeddings", api: "openai", authorization: "Bearer sk-python-emb-0002" }),
    );
    const rows = await pg.db.query<{ count: number }>("SELECT count(*)::int AS count FROM python_style");
    expect(rows.rows[0]!.count).toBe(1);
  });

  describe("credential validation", () => {
    const base = () => credentials({ llmUrl: fake.url, vector: pgvector("validation") });
    const failure = async (changes: JsonObject) => {
      const result = await validate(plugin, { ...base(), ...changes });
      expect(result.error?.error_type).toBe("ToolProviderCredentialValidationError");
      return result.error!.message;
    };

    it("passes with working credentials, after a real round trip to the embedder and the store", async () => {
      const before = fake.requests.length;
      expect((await validate(plugin, base())).stream).toEqual([{ result: true }]);
      expect(fake.requests.slice(before).some((request) => request.endpoint === "embeddings")).toBe(true);
    });

    it("names the field and the problem, and never echoes a secret", async () => {
      const broken = await failure({
        local_llm_json: '{"provider": "openai", "config": {"api_key": "sk-leak-check-9999",}}',
      });
      expect(broken).toMatch(/^local_llm_json: it is not valid JSON near line 1, column \d+/);
      expect(broken).not.toContain("sk-leak-check-9999");
      expect(await failure({ local_embedder_json: '{"provider": "word2vec"}' })).toMatch(
        /^local_embedder_json: unknown provider "word2vec"; use one of "openai"/,
      );
      expect(await failure({ local_vector_db_json: '{"provider": "chroma", "config": {}}' })).toContain(
        'provider "chroma" needs the chromadb package, which this plugin does not bundle',
      );
      expect(await failure({ local_graph_db_json: '{"provider": "neo4j", "config": {"url": "bolt://x"}}' })).toContain(
        "has no graph memory",
      );
      expect(
        await failure({
          local_vector_db_json: '{"provider": "pgvector", "config": {"connection_string": "postgresql://u:p@h/db"}}',
        }),
      ).toContain('pgvector needs "embedding_model_dims"');
      expect(await failure({ local_llm_json: "[1, 2]" })).toBe(
        'local_llm_json: must be a JSON object like {"provider": "...", "config": {...}}',
      );
      expect(await failure({ max_concurrent_memory_operations: "lots" })).toBe(
        "max_concurrent_memory_operations: must be a whole number from 1 to 64",
      );
    });

    it("reports an unreachable database quickly, without its password", async () => {
      const closedPort = await new Promise<number>((resolve) => {
        const probe = createServer();
        probe.listen(0, "127.0.0.1", () => {
          const { port } = probe.address() as AddressInfo;
          probe.close(() => resolve(port));
        });
      });
      const message = await failure({
        local_vector_db_json: JSON.stringify({
          provider: "pgvector",
          config: {
            connection_string: `postgresql://postgres:hunter2-secret@127.0.0.1:${closedPort}/postgres`,
            embedding_model_dims: 64,
          },
        }),
      });
      expect(message).toMatch(
        /^self-hosted mode \(local_\*_json\): the embedder or the vector store failed: .*ECONNREFUSED/,
      );
      expect(message).not.toContain("hunter2-secret");
    });

    it("never hangs: a database that accepts connections but never answers fails at the deadline", async () => {
      const { port } = silent.address() as AddressInfo;
      // The database never answers: an answer at all, naming the deadline, is the deadline at work.
      const message = await failure({
        local_vector_db_json: JSON.stringify({
          provider: "pgvector",
          config: {
            connection_string: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
            embedding_model_dims: 64,
          },
        }),
      });
      expect(message).toBe(
        "self-hosted mode (local_*_json): the embedder or the vector store did not answer within 2 s: check their URLs, hosts and ports",
      );
    });
  });
});
