/**
 * Cohere's and ZeroEntropy's rerank APIs over fetch, in place of mem0ai's
 * rerankers for them: those load the cohere-ai and zeroentropy SDKs, which
 * this bundle does not carry, and cannot be pointed at another base URL (a
 * self-hosted Cohere-compatible server such as vLLM, TEI or Xinference, or
 * a test's stand-in). Both APIs take {model, query, documents, top_n} and
 * answer {results: [{index, relevance_score}]}, best first.
 */
import type { ConfigObject } from "../config/translate.js";

/** What mem0ai's Memory calls on its `reranker`. */
export interface Reranker {
  rerank(query: string, documents: string[], topK?: number): Promise<{ index: number; rerankScore: number }[]>;
}

export const HTTP_RERANKERS = {
  cohere: { baseURL: "https://api.cohere.com/v2", path: "/rerank", model: "rerank-v3.5" },
  zero_entropy: { baseURL: "https://api.zeroentropy.dev/v1", path: "/models/rerank", model: "zerank-1" },
} as const;

export type HttpRerankerProvider = keyof typeof HTTP_RERANKERS;

export const isHttpReranker = (provider: string): provider is HttpRerankerProvider => provider in HTTP_RERANKERS;

const DEFAULT_TIMEOUT_MS = 30_000;

export class HttpReranker implements Reranker {
  private readonly url: string;
  private readonly model: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly topK: number | undefined;

  constructor(
    readonly provider: HttpRerankerProvider,
    config: ConfigObject,
  ) {
    const defaults = HTTP_RERANKERS[provider];
    const base = typeof config.baseURL === "string" && config.baseURL ? config.baseURL : defaults.baseURL;
    this.url = `${base.replace(/\/+$/, "")}${defaults.path}`;
    this.model = typeof config.model === "string" && config.model ? config.model : defaults.model;
    this.apiKey = typeof config.apiKey === "string" ? config.apiKey : "";
    this.timeoutMs = typeof config.timeout === "number" ? config.timeout : DEFAULT_TIMEOUT_MS;
    this.topK = typeof config.topK === "number" ? config.topK : undefined;
  }

  async rerank(query: string, documents: string[], topK?: number): Promise<{ index: number; rerankScore: number }[]> {
    if (documents.length === 0) return [];
    const topN = Math.min(documents.length, topK ?? this.topK ?? documents.length);
    const response = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.apiKey}` },
      body: JSON.stringify({ model: this.model, query, documents, top_n: topN }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) {
      // The body is not repeated: an API may echo the key in it.
      await response.body?.cancel();
      throw new Error(`the ${this.provider} reranker answered HTTP ${response.status} ${response.statusText}`);
    }
    const body = (await response.json()) as { results?: { index?: unknown; relevance_score?: unknown }[] };
    if (!Array.isArray(body.results)) throw new Error(`the ${this.provider} reranker's answer has no "results" list`);
    return body.results
      .filter(
        (result): result is { index: number; relevance_score: number } =>
          Number.isInteger(result.index) &&
          (result.index as number) >= 0 &&
          (result.index as number) < documents.length &&
          typeof result.relevance_score === "number",
      )
      .map((result) => ({ index: result.index, rerankScore: result.relevance_score }))
      .sort((a, b) => b.rerankScore - a.rerankScore)
      .slice(0, topN);
  }
}
