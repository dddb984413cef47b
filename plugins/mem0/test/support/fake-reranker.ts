/**
 * A stand-in for the rerank APIs, written from their public docs: Cohere's
 * POST /v2/rerank and ZeroEntropy's POST /v1/models/rerank both take
 * {model, query, documents, top_n} with a Bearer key and answer
 * {results: [{index, relevance_score}]}, best first. Relevance here is the
 * share of the query's words found in the document.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeReranker {
  url: string;
  requests: { path: string; authorization: string | undefined; model: unknown; topN: unknown }[];
  /** While set, every request answers this status with an error body. */
  failWith?: number;
  close(): Promise<void>;
}

const words = (text: string) =>
  new Set(
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean),
  );

export function relevance(query: string, document: string): number {
  const wanted = words(query);
  const present = words(document);
  return wanted.size === 0 ? 0 : [...wanted].filter((word) => present.has(word)).length / wanted.size;
}

export async function startFakeReranker(): Promise<FakeReranker> {
  const fake: FakeReranker = { url: "", requests: [], close: () => Promise.resolve() };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "";
      if (request.method !== "POST" || (path !== "/v2/rerank" && path !== "/v1/models/rerank")) {
        response.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        model?: unknown;
        query: string;
        documents: string[];
        top_n?: number;
      };
      fake.requests.push({ path, authorization: request.headers.authorization, model: body.model, topN: body.top_n });
      if (fake.failWith) {
        response.writeHead(fake.failWith, { "content-type": "application/json" });
        response.end(JSON.stringify({ message: `failed for ${request.headers.authorization ?? ""}` }));
        return;
      }
      const results = body.documents
        .map((document, index) => ({ index, relevance_score: relevance(body.query, document) }))
        .sort((a, b) => b.relevance_score - a.relevance_score)
        .slice(0, body.top_n ?? body.documents.length);
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ id: "rerank-1", results }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}
