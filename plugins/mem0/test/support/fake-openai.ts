/**
 * The stand-in for paid model APIs: an OpenAI-compatible HTTP server on
 * 127.0.0.1. Embeddings are deterministic bags of hashed words (similar texts
 * get similar vectors); chat completions answer mem0's extraction prompt with
 * each "user:" line of its "## New Messages" section as one memory.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const EMBEDDING_DIMENSIONS = 64;

export interface FakeOpenAI {
  /** Base URL including /v1, as OpenAI clients take it. */
  url: string;
  /** Requests seen, by endpoint, with the Authorization header they carried. */
  requests: { endpoint: "embeddings" | "chat"; authorization: string | undefined }[];
  /** Milliseconds each embeddings/chat answer waits. */
  delays: { embeddings: number; chat: number };
  /** While set, chat completions wait for it (to keep writes pending). */
  chatGate?: Promise<void>;
  close(): Promise<void>;
}

export function embed(text: string): number[] {
  const vector = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
  vector[0] = 0.05; // never all zero: cosine of a zero vector is NaN
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean)) {
    let hash = 2166136261;
    for (let index = 0; index < word.length; index++) hash = Math.imul(hash ^ word.charCodeAt(index), 16777619);
    vector[1 + ((hash >>> 0) % (EMBEDDING_DIMENSIONS - 1))]! += 1;
  }
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

/** The "user:" lines of mem0's extraction prompt, which this server returns as the extracted memories. */
function extractUserLines(prompt: string): string[] {
  // The system prompt has examples with the same headings: read the last section.
  const start = prompt.lastIndexOf("## New Messages\n");
  const section = start < 0 ? "" : /## New Messages\n([\s\S]*?)(?:\n\n## |$)/.exec(prompt.slice(start))?.[1] ?? "";
  return section.split("\n").filter((line) => line.startsWith("user: ")).map((line) => line.slice("user: ".length).trim()).filter(Boolean);
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const fake: Omit<FakeOpenAI, "url" | "close"> = { requests: [], delays: { embeddings: 0, chat: 0 } };
  const server: Server = createServer((request, response) => void handle(fake, request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  });
}

async function handle(fake: Omit<FakeOpenAI, "url" | "close">, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString() || "{}") as { input?: string | string[]; messages?: { content: string }[]; model?: string };
  const send = (payload: unknown) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(payload));
  };
  const authorization = request.headers.authorization;
  if (request.url?.endsWith("/embeddings")) {
    fake.requests.push({ endpoint: "embeddings", authorization });
    await sleep(fake.delays.embeddings);
    const inputs = Array.isArray(body.input) ? body.input : [body.input ?? ""];
    send({ object: "list", model: body.model, data: inputs.map((input, index) => ({ object: "embedding", index, embedding: embed(input) })), usage: { prompt_tokens: 1, total_tokens: 1 } });
    return;
  }
  if (request.url?.endsWith("/chat/completions")) {
    fake.requests.push({ endpoint: "chat", authorization });
    await fake.chatGate;
    await sleep(fake.delays.chat);
    const prompt = body.messages?.at(-1)?.content ?? "";
    const memory = extractUserLines(prompt).map((text, index) => ({ id: String(index), text, attributed_to: "user" }));
    send({
      id: "chatcmpl-fake", object: "chat.completion", created: Math.floor(Date.now() / 1000), model: body.model,
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: JSON.stringify({ memory }) } }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
    return;
  }
  response.writeHead(404).end();
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
