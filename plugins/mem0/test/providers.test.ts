/**
 * Model providers besides OpenAI, configured as users of the Python plugin
 * write them (snake_case keys, azure_kwargs), against the local stand-in's
 * Ollama and Azure OpenAI endpoints: the translation reaches the right URL,
 * model or deployment, and credential header, and memories are stored and found.
 */
import type { JsonObject } from "@dify-ts/runtime";
import type { PluginProcess } from "@dify-ts/host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDING_DIMENSIONS, startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { credentials, invoke, spawnMem0, temporaryDirectory, unavailable, validate } from "./support/plugin.js";

let fake: FakeOpenAI;
let plugin: PluginProcess;

beforeAll(async () => {
  if (unavailable) return;
  fake = await startFakeOpenAI();
  plugin = spawnMem0({ MEM0_DATA_DIR: temporaryDirectory("providers") });
  await plugin.waitForHeartbeat();
});

afterAll(async () => {
  plugin?.kill();
  await fake?.close();
});

/** Sync-mode credentials with the embedded vector store: the answer carries what was stored. */
const providerCredentials = (llm: JsonObject, embedder: JsonObject): JsonObject =>
  credentials({ llmUrl: fake.url, llm, embedder, asyncMode: false, concurrency: 2 });

async function storesAndFinds(creds: JsonObject, user: string): Promise<void> {
  const validation = await validate(plugin, creds);
  expect(validation.error, JSON.stringify(validation.error)).toBeUndefined();
  expect(validation.stream).toEqual([{ result: true }]);
  const added = await invoke(plugin, creds, "add_memory", { user: "I keep bees on the roof", user_id: user });
  expect(added).toMatchObject({ status: "SUCCESS", results: [{ memory: "I keep bees on the roof", event: "ADD" }] });
  const found = await invoke(plugin, creds, "search_memory", { query: "bees roof", user_id: user });
  expect((found.results as { memory: string }[]).map((item) => item.memory)).toEqual(["I keep bees on the roof"]);
}

describe.skipIf(unavailable)(
  `other model providers${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 60_000 },
  () => {
    it("ollama: ollama_base_url and model reach Ollama's /api/chat and /api/embed", async () => {
      const base = new URL(fake.url).origin;
      const before = fake.requests.length;
      await storesAndFinds(
        providerCredentials(
          { provider: "ollama", config: { model: "fake-chat", ollama_base_url: base, temperature: 0.1 } },
          {
            provider: "ollama",
            config: { model: "fake-embed", ollama_base_url: base, embedding_dims: EMBEDDING_DIMENSIONS },
          },
        ),
        "ollama-user",
      );
      const seen = fake.requests.slice(before);
      expect(seen.filter((request) => request.api !== "ollama")).toEqual([]);
      expect(seen).toContainEqual(expect.objectContaining({ endpoint: "chat", api: "ollama", model: "fake-chat" }));
      expect(seen).toContainEqual(
        expect.objectContaining({ endpoint: "embeddings", api: "ollama", model: "fake-embed" }),
      );
    });

    it("azure_openai: azure_kwargs give the endpoint, deployment, API version and the api-key header", async () => {
      const endpoint = new URL(fake.url).origin;
      const azure = (deployment: string, key: string) => ({
        api_key: key,
        azure_endpoint: endpoint,
        azure_deployment: deployment,
        api_version: "2024-10-21",
      });
      const before = fake.requests.length;
      await storesAndFinds(
        providerCredentials(
          {
            provider: "azure_openai",
            config: { model: "gpt-4o-mini", azure_kwargs: azure("chat-deployment", "azure-llm-key-0001") },
          },
          {
            provider: "azure_openai",
            config: {
              model: "text-embedding-3-small",
              embedding_dims: EMBEDDING_DIMENSIONS,
              azure_kwargs: azure("embed-deployment", "azure-emb-key-0002"),
            },
          },
        ),
        "azure-user",
      );
      const seen = fake.requests.slice(before);
      expect(seen.filter((request) => request.api !== "azure")).toEqual([]);
      expect(seen).toContainEqual({
        endpoint: "chat",
        api: "azure",
        authorization: "azure-llm-key-0001",
        model: "chat-deployment",
      });
      expect(seen).toContainEqual({
        endpoint: "embeddings",
        api: "azure",
        authorization: "azure-emb-key-0002",
        model: "embed-deployment",
      });
    });
  },
);

describe.skipIf(unavailable)(
  `Qdrant and Pinecone failures${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 120_000 },
  () => {
    it("an unreachable Qdrant or Pinecone answers with its own error, not one from closing the store", async () => {
      // Pinecone's control plane is reached through this variable; pointed at a closed port, as Qdrant's URL is.
      const closedPort = spawnMem0({
        MEM0_DATA_DIR: temporaryDirectory("stores"),
        PINECONE_CONTROLLER_HOST: "http://127.0.0.1:1",
      });
      try {
        await closedPort.waitForHeartbeat();
        const stores: JsonObject[] = [
          {
            provider: "qdrant",
            config: {
              url: "http://127.0.0.1:1",
              collection_name: "unreachable",
              embedding_model_dims: EMBEDDING_DIMENSIONS,
            },
          },
          {
            provider: "pinecone",
            config: {
              api_key: "pc-test-key-1234",
              collection_name: "unreachable",
              embedding_model_dims: EMBEDDING_DIMENSIONS,
            },
          },
        ];
        for (const vector of stores) {
          const creds = credentials({ llmUrl: fake.url, vector, asyncMode: false });
          const validation = await validate(closedPort, creds);
          expect(validation.error?.message, String(vector.provider)).toBeDefined();
          const search = await invoke(closedPort, creds, "search_memory", { query: "anything", user_id: "u" });
          expect(search.status).toBe("ERROR");
          for (const message of [validation.error!.message, String(search.messages)]) {
            expect(message, String(vector.provider)).not.toContain("is not a function");
            expect(message, String(vector.provider)).toMatch(/ECONNREFUSED|fetch failed|connect|Connection/i);
          }
        }
      } finally {
        closedPort.kill();
      }
    });
  },
);
