/**
 * Rerankers through the plugin's stdio protocol on the embedded store:
 * Cohere's and ZeroEntropy's APIs (a local stand-in), mem0ai's LLM reranker
 * (the OpenAI stand-in), a failing reranker (search degrades to similarity
 * order), and the providers this bundle cannot carry.
 */
import type { JsonObject } from "@dify-ts/runtime";
import type { PluginProcess } from "@dify-ts/host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { relevance, startFakeReranker, type FakeReranker } from "./support/fake-reranker.js";
import { credentials, invoke, spawnMem0, temporaryDirectory, unavailable, validate } from "./support/plugin.js";

let fake: FakeOpenAI;
let reranker: FakeReranker;
let plugin: PluginProcess;

beforeAll(async () => {
  if (unavailable) return;
  [fake, reranker] = await Promise.all([startFakeOpenAI(), startFakeReranker()]);
  plugin = spawnMem0({ MEM0_DATA_DIR: temporaryDirectory("rerank") });
  await plugin.waitForHeartbeat();
});

afterAll(async () => {
  plugin?.kill();
  await fake?.close();
  await reranker?.close();
});

interface Hit {
  memory: string;
  score: number;
  rerank_score?: number;
}

const MEMORIES = ["carol bakes sourdough bread", "carol likes bread and cheese", "carol runs marathons in spring"];
const QUERY = "bread and cheese";

describe.skipIf(unavailable)(
  `rerankers${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 120_000 },
  () => {
    const withReranker = (block: JsonObject | undefined): JsonObject => ({
      ...credentials({ llmUrl: fake.url, asyncMode: false }),
      ...(block && { local_reranker_json: JSON.stringify(block) }),
    });
    /** Seeded once: the store is keyed by the settings and the workspace, not the reranker or its key (README). */
    let seeded = false;
    const search = async (block: JsonObject | undefined) => {
      if (!seeded) {
        for (const user of MEMORIES)
          await invoke(plugin, withReranker(block), "add_memory", { user, user_id: "carol" });
        seeded = true;
      }
      const answer = await invoke(plugin, withReranker(block), "search_memory", {
        query: QUERY,
        user_id: "carol",
        top_k: 3,
      });
      expect(answer.status).toBe("SUCCESS");
      return answer.results as Hit[];
    };

    it("stores the memories (no reranker: similarity scores only)", async () => {
      const hits = await search(undefined);
      expect(hits).toHaveLength(3);
      for (const hit of hits) {
        expect(hit.score).toBeGreaterThanOrEqual(0);
        expect(hit).not.toHaveProperty("rerank_score");
      }
    });

    for (const [provider, path] of [
      ["cohere", "/v2"],
      ["zero_entropy", "/v1"],
    ] as const) {
      it(`${provider}: results carry score and rerank_score, ordered by rerank_score; the key goes in the Authorization header`, async () => {
        const before = reranker.requests.length;
        const hits = await search({
          provider,
          config: { api_key: `key-${provider}`, base_url: `${reranker.url}${path}`, model: `model-${provider}` },
        });
        expect(hits.map((hit) => hit.memory)).toEqual(
          [...MEMORIES].sort((a, b) => relevance(QUERY, b) - relevance(QUERY, a)),
        );
        for (const hit of hits) {
          expect(hit.rerank_score).toBeCloseTo(relevance(QUERY, hit.memory), 4);
          expect(hit.score).toBeGreaterThan(0);
          expect(hit.score).toBeLessThanOrEqual(1);
        }
        expect(reranker.requests.slice(before)).toEqual([
          {
            path: provider === "cohere" ? "/v2/rerank" : "/v1/models/rerank",
            authorization: `Bearer key-${provider}`,
            model: `model-${provider}`,
            topN: 3,
          },
        ]);
      });
    }

    it("a failing reranker degrades to similarity order without rerank_score, and its key is not printed", async () => {
      reranker.failWith = 503;
      try {
        const hits = await search({
          provider: "cohere",
          config: { api_key: "co-failing-key-4242", base_url: `${reranker.url}/v2` },
        });
        expect(hits).toHaveLength(3);
        for (const hit of hits) expect(hit).not.toHaveProperty("rerank_score");
        expect(plugin.stderr).not.toContain("co-failing-key-4242");
      } finally {
        reranker.failWith = undefined;
      }
    });

    it("llm_reranker scores each memory with the configured LLM", async () => {
      const hits = await search({
        provider: "llm_reranker",
        config: {
          llm: { provider: "openai", config: { model: "fake-chat", api_key: "sk-x", openai_base_url: fake.url } },
        },
      });
      expect(hits).toHaveLength(3);
      for (const hit of hits) expect(typeof hit.rerank_score).toBe("number");
    });

    it("providers whose SDK the bundle leaves out are named with the package at validation", async () => {
      for (const provider of ["sentence_transformer", "huggingface"]) {
        const result = await validate(plugin, withReranker({ provider, config: {} }));
        expect(result.error?.message ?? JSON.stringify(result)).toContain(
          `local_reranker_json: provider "${provider}" needs the @huggingface/transformers package`,
        );
      }
    });
  },
);
