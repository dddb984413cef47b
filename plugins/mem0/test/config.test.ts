/** Reading credentials: lenient JSON, the Python plugin's key names, providers, secrets, filters, data directory, result shapes. */
import { describe, expect, it } from "vitest";
import { parseLenientJson } from "../src/config/lenient-json.js";
import { readSetup, type RawCredentials } from "../src/config/setup.js";
import { ConfigError, readBlock } from "../src/config/translate.js";
import { listFilters, parseFilters, searchFilters } from "../src/memory/filters.js";
import { toHistoryRows, toSearchItem, toStoredItem } from "../src/memory/results.js";
import { defaultDataDirectory } from "../src/settings.js";

const base: RawCredentials = {
  async_mode: true,
  local_llm_json: '{"provider": "openai", "config": {"model": "gpt-4o-mini", "api_key": "sk-llm-aaaa"}}',
  local_embedder_json:
    '{"provider": "openai", "config": {"model": "text-embedding-3-small", "api_key": "sk-emb-bbbb"}}',
  max_concurrent_memory_operations: "8",
};

const problem = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("lenient JSON", () => {
  it("reads plain JSON, fenced JSON (multi-line or flattened) and Python literals", () => {
    expect(parseLenientJson('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseLenientJson('```json\n{"a": 1}\n```')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseLenientJson('```json {"a": 1} ```')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseLenientJson("{'a': True, 'b': None, 'c': 'it\\'s', \"d\": False}")).toEqual({
      ok: true,
      value: { a: true, b: null, c: "it's", d: false },
    });
  });

  it("says where the syntax breaks without quoting the text", () => {
    const result = parseLenientJson('{\n  "api_key": "sk-secret-zzzz",\n  oops\n}');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(/^it is not valid JSON near line 3, column \d+/);
    expect(JSON.stringify(result)).not.toContain("sk-secret-zzzz");
    expect(parseLenientJson('{"a": ')).toEqual({
      ok: false,
      problem: "it ends too early (a missing } or ] or quote?)",
    });
    expect(parseLenientJson("  ")).toEqual({ ok: false, problem: "it is empty" });
  });
});

describe("credential translation", () => {
  it("renames the Python plugin's keys to mem0ai's TypeScript config", () => {
    const llm = readBlock(
      "f",
      "llm",
      '{"provider": "OpenAI", "config": {"model": "m", "api_key": "k", "openai_base_url": "http://x/v1", "max_tokens": 10, "top_p": 0.5}}',
    );
    expect(llm).toEqual({
      provider: "openai",
      config: { model: "m", apiKey: "k", baseURL: "http://x/v1", maxTokens: 10, topP: 0.5, timeout: 60_000 },
    });
    const embedder = readBlock(
      "f",
      "embedder",
      '{"provider": "ollama", "config": {"model": "nomic-embed-text", "ollama_base_url": "http://ollama:11434", "embedding_dims": 768}}',
    );
    expect(embedder.config).toEqual({ model: "nomic-embed-text", baseURL: "http://ollama:11434", embeddingDims: 768 });
    const azure = readBlock(
      "f",
      "llm",
      '{"provider": "azure_openai", "config": {"model": "gpt-4o", "azure_kwargs": {"api_key": "k", "azure_endpoint": "https://e", "azure_deployment": "d", "api_version": "2024-10-21"}}}',
    );
    expect(azure.config).toMatchObject({
      apiKey: "k",
      modelProperties: { endpoint: "https://e", deployment: "d", apiVersion: "2024-10-21" },
    });
    // An explicit camelCase key wins over the snake_case one.
    expect(
      readBlock("f", "llm", '{"provider": "openai", "config": {"api_key": "old", "apiKey": "new"}}').config.apiKey,
    ).toBe("new");
  });

  it("builds a pgvector connection string from discrete fields, with sslmode, and drops pool settings", () => {
    const store = readBlock(
      "v",
      "vector_store",
      JSON.stringify({
        provider: "pgvector",
        config: {
          user: "mem0",
          password: "p@ss word",
          host: "db",
          port: "5432",
          dbname: "memories",
          collection_name: "mem0",
          embedding_model_dims: 1536,
          sslmode: "require",
          minconn: 10,
          maxconn: 40,
        },
      }),
    );
    expect(store.config).toEqual({
      collectionName: "mem0",
      embeddingModelDims: 1536,
      dimension: 1536,
      hnsw: false,
      connectionString: "postgresql://mem0:p%40ss%20word@db:5432/memories",
      ssl: { rejectUnauthorized: false },
    });
    const direct = readBlock(
      "v",
      "vector_store",
      '{"provider": "pgvector", "config": {"connection_string": "postgresql://a:b@h/d", "embedding_model_dims": 3, "sslmode": "verify-full", "hnsw": true}}',
    );
    expect(direct.config).toMatchObject({ connectionString: "postgresql://a:b@h/d", ssl: true, hnsw: true });
    expect(
      problem(() =>
        readBlock("v", "vector_store", '{"provider": "pgvector", "config": {"host": "db", "embedding_model_dims": 3}}'),
      ),
    ).toBe(
      'v: pgvector needs "connection_string", or all of "user", "password", "host", "port" (missing: user, password, port)',
    );
    expect(
      problem(() =>
        readBlock(
          "v",
          "vector_store",
          '{"provider": "pgvector", "config": {"connection_string": "x", "embedding_model_dims": 3, "sslmode": "maybe"}}',
        ),
      ),
    ).toContain('"sslmode" must be one of');
  });

  it("rejects unknown and unbundled providers, naming the field", () => {
    expect(problem(() => readBlock("local_llm_json", "llm", '{"provider": "anthropic", "config": {}}'))).toBe(
      'local_llm_json: provider "anthropic" needs the @anthropic-ai/sdk package, which this plugin does not bundle; use one of "openai", "openai_structured", "azure_openai", "ollama", "deepseek", "xai", "together", "lmstudio", "vllm", "litellm", "minimax", "sarvam"',
    );
    expect(problem(() => readBlock("x", "vector_store", '{"provider": "faiss"}'))).toMatch(
      /^x: unknown provider "faiss"; use one of "pgvector"/,
    );
    expect(problem(() => readBlock("x", "llm", '{"config": {}}'))).toBe(
      'x: needs a "provider" string, for example "openai"',
    );
    expect(problem(() => readBlock("x", "llm", '{"provider": "openai", "config": "nope"}'))).toBe(
      'x: "config" must be a JSON object',
    );
  });
});

describe("setup", () => {
  it("defaults to the embedded store in a directory keyed by the embedder, with the history beside it", () => {
    const setup = readSetup(base, "/data");
    expect(setup.embedded).toBe(true);
    expect(setup.storeDirectory).toMatch(/^\/data\/stores\/[0-9a-f]{16}$/);
    expect(setup.config!.vectorStore).toEqual({
      provider: "memory",
      config: { collectionName: "memories", dbPath: `${setup.storeDirectory}/vectors.db` },
    });
    expect(setup.config!.historyStore).toEqual({
      provider: "sqlite",
      config: { historyDbPath: `${setup.storeDirectory}/history.db` },
    });
    expect(setup.config!.customInstructions).toContain("language");
    expect(setup.concurrency).toBe(8);
    expect(setup.secrets.sort()).toEqual(["sk-emb-bbbb", "sk-llm-aaaa"]);
  });

  it("keys the store by its settings and the workspace id; secrets do not change it, but key it when there is no id", () => {
    const workspace = "0b6f9c52-3f7e-4f2a-9d55-6c1e8a4b2d10";
    const rotatedKeys = { ...base, local_llm_json: base.local_llm_json!.replace("aaaa", "cccc") };
    const inWorkspace = readSetup(base, "/data", workspace);
    expect(readSetup(rotatedKeys, "/data", workspace).store).toBe(inWorkspace.store);
    expect(readSetup(base, "/data", "5d2c7a10-8e4b-4c3a-b1f2-9a0e6d7c8b41").store).not.toBe(inWorkspace.store);
    expect(inWorkspace.storeDirectory).toBe(`/data/stores/${inWorkspace.store}`);
    const withoutWorkspace = readSetup(base, "/data");
    expect(withoutWorkspace.store).toBe(withoutWorkspace.secretsStore);
    expect(inWorkspace.secretsStore).toBe(withoutWorkspace.store);
    expect(inWorkspace.formerStores).toEqual([withoutWorkspace.secretsStore, withoutWorkspace.legacyStore]);
    expect(withoutWorkspace.formerStores).toEqual([withoutWorkspace.legacyStore]);
    expect(inWorkspace.hash).not.toBe(withoutWorkspace.hash);
  });

  it("without a workspace id, keys the store by its settings and every secret; the settings alone give the oldest key", () => {
    const vector = (password: string) =>
      JSON.stringify({
        provider: "pgvector",
        config: { connection_string: `postgresql://u:${password}@db/x`, embedding_model_dims: 8 },
      });
    const first = readSetup({ ...base, local_vector_db_json: vector("one-secret") }, "/data");
    const rotated = readSetup({ ...base, local_vector_db_json: vector("two-secret") }, "/data");
    expect(rotated.storeDirectory).not.toBe(first.storeDirectory);
    expect(rotated.legacyStore).toBe(first.legacyStore);
    expect(rotated.hash).not.toBe(first.hash);
    const otherLlmKey = readSetup(
      {
        ...base,
        local_vector_db_json: vector("one-secret"),
        local_llm_json: base.local_llm_json!.replace("aaaa", "cccc"),
      },
      "/data",
    );
    expect(otherLlmKey.store).not.toBe(first.store);
    const asyncOff = readSetup({ ...base, local_vector_db_json: vector("one-secret"), async_mode: false }, "/data");
    expect(asyncOff.store).toBe(first.store);
    // The keys stores had before workspace separation (settings only), computed by that code: their directories are adopted.
    expect(readSetup(base, "/data").legacyStore).toBe("17de26a87adc764a");
    expect(
      readSetup(
        {
          ...base,
          local_vector_db_json:
            '{"provider": "pgvector", "config": {"connection_string": "postgresql://u:p@db/x", "embedding_model_dims": 8}}',
        },
        "/data",
      ).legacyStore,
    ).toBe("669f5cde09682fdf");
    expect(first.secrets).toEqual(expect.arrayContaining(["one-secret", "postgresql://u:one-secret@db/x"]));
    expect(first.config!.vectorStore.config.embeddingModelDims).toBe(8);
  });

  it("takes pgvector's dimensions from the embedder when the store omits them", () => {
    const setup = readSetup(
      {
        ...base,
        local_embedder_json: '{"provider": "openai", "config": {"embedding_dims": 256}}',
        local_vector_db_json: '{"provider": "pgvector", "config": {"connection_string": "postgresql://u:p@db/x"}}',
      },
      "/data",
    );
    expect(setup.config!.vectorStore.config).toMatchObject({ embeddingModelDims: 256 });
  });

  it("keeps the history in the pgvector database, not in a SQLite file (mem0ai's placeholder is replaced when the store opens)", () => {
    const setup = readSetup(
      {
        ...base,
        local_vector_db_json:
          '{"provider": "pgvector", "config": {"connection_string": "postgresql://u:p@db/x", "embedding_model_dims": 8}}',
      },
      "/data",
    );
    expect(setup.config!.historyStore).toEqual({ provider: "memory", config: {} });
    const qdrant = readSetup(
      { ...base, local_vector_db_json: '{"provider": "qdrant", "config": {"url": "http://q:6333"}}' },
      "/data",
    );
    expect(qdrant.config!.historyStore).toEqual({
      provider: "sqlite",
      config: { historyDbPath: `${qdrant.storeDirectory}/history.db` },
    });
  });

  it("refuses a graph store and a bad concurrency", () => {
    expect(problem(() => readSetup({ ...base, local_graph_db_json: '{"provider": "neo4j"}' }, "/d"))).toMatch(
      /^local_graph_db_json: mem0's TypeScript OSS SDK \(mem0ai 3\.x\) has no graph memory/,
    );
    expect(problem(() => readSetup({ ...base, max_concurrent_memory_operations: "0" }, "/d"))).toBe(
      "max_concurrent_memory_operations: must be a whole number from 1 to 64",
    );
  });
});

describe("filters", () => {
  const scope = { user_id: "alice", agent_id: "helper" };

  it("always adds the scope, which wins over the same keys in the filters", () => {
    const filters = parseFilters('{"user_id": "mallory", "category": "food"}');
    expect(searchFilters(scope, filters)).toEqual({ user_id: "alice", agent_id: "helper", category: "food" });
    expect(searchFilters({ user_id: "alice" }, parseFilters(undefined))).toEqual({ user_id: "alice" });
  });

  it("flattens AND, keeps one OR and one NOT group, in mem0's and the stores' spellings", () => {
    const filters = parseFilters(
      '{"AND": [{"rank": {"gte": 2}}, {"rank": {"lte": 5}}, {"OR": [{"category": "food"}, {"$and": [{"mood": "happy"}]}]}], "$not": [{"tag": "old"}]}',
    );
    expect(searchFilters(scope, filters)).toEqual({
      rank: { gte: 2, lte: 5 },
      user_id: "alice",
      agent_id: "helper",
      OR: [{ category: "food" }, { mood: "happy" }],
      NOT: [{ tag: "old" }],
    });
    expect(listFilters(scope, filters)).toEqual({
      rank: { gte: 2, lte: 5 },
      user_id: "alice",
      agent_id: "helper",
      $or: [{ category: "food" }, { mood: "happy" }],
      $not: [{ tag: "old" }],
    });
  });

  it("explains what is wrong", () => {
    expect(() => parseFilters("{nope")).toThrow(/^Invalid filters: the filters are not JSON: /);
    expect(() => parseFilters("[1]")).toThrow('Invalid filters: expected a JSON object such as {"category": "food"}');
    expect(() => parseFilters('{"a-b": 1}')).toThrow(
      'Invalid filters: field name "a-b" may only hold letters, digits and underscores',
    );
    expect(() => parseFilters('{"OR": []}')).toThrow("Invalid filters: OR needs a non-empty list of objects");
    expect(() => parseFilters('{"OR": [{"a": 1}], "$or": [{"b": 2}]}')).toThrow(
      "Invalid filters: only one OR group is supported",
    );
    expect(() => parseFilters('{"OR": [{"NOT": [{"a": 1}]}]}')).toThrow(
      "Invalid filters: NOT inside OR or NOT is not supported",
    );
    expect(() => parseFilters('{"AND": [{"a": 1}, {"a": 2}]}')).toThrow('Invalid filters: "a" is given twice');
  });
});

describe("result shapes", () => {
  it("maps items to the seed's fields, clamping scores and reading Python-written timestamps", () => {
    const item = {
      id: "1",
      memory: "m",
      score: 1.2,
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-02T00:00:00Z",
      metadata: { category: "x" },
    };
    expect(toSearchItem(item)).toEqual({
      id: "1",
      memory: "m",
      score: 1,
      metadata: { category: "x" },
      created_at: "2026-01-01T00:00:00Z",
    });
    expect(
      toStoredItem({ id: "2", memory: "p", metadata: { created_at: "2025-05-05", updated_at: "2025-06-06", k: 1 } }),
    ).toEqual({
      id: "2",
      memory: "p",
      metadata: { k: 1 },
      created_at: "2025-05-05",
      updated_at: "2025-06-06",
    });
  });

  it("orders history oldest first with the seed's names", () => {
    const rows = [
      {
        id: 2,
        memory_id: "m",
        previous_value: "a",
        new_value: "b",
        action: "UPDATE",
        created_at: "t0",
        updated_at: "t1",
        is_deleted: 0,
      },
      {
        id: 1,
        memory_id: "m",
        previous_value: null,
        new_value: "a",
        action: "ADD",
        created_at: "t0",
        updated_at: null,
        is_deleted: 0,
      },
      {
        id: 3,
        memory_id: "m",
        previous_value: "b",
        new_value: null,
        action: "DELETE",
        created_at: null,
        updated_at: null,
        is_deleted: 1,
      },
    ];
    expect(toHistoryRows(rows)).toEqual([
      {
        memory_id: "m",
        old_memory: null,
        new_memory: "a",
        event: "ADD",
        created_at: "t0",
        updated_at: null,
        is_deleted: false,
      },
      {
        memory_id: "m",
        old_memory: "a",
        new_memory: "b",
        event: "UPDATE",
        created_at: "t0",
        updated_at: "t1",
        is_deleted: false,
      },
      {
        memory_id: "m",
        old_memory: "b",
        new_memory: null,
        event: "DELETE",
        created_at: null,
        updated_at: null,
        is_deleted: true,
      },
    ]);
  });
});

describe("data directory", () => {
  it("sits beside the daemon's versioned install directory, else under the home directory", () => {
    expect(
      defaultDataDirectory(
        "/app/storage/cwd/dify-ts/mem0-0.1.0@0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
      ),
    ).toBe("/app/storage/cwd/dify-ts/mem0.data");
    expect(defaultDataDirectory("/home/dev/projects/mem0")).toMatch(/\/\.dify-ts\/mem0$/);
  });
});
