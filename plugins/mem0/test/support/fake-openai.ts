/**
 * The stand-in for paid model APIs: an HTTP server on 127.0.0.1 that speaks
 * OpenAI's API (/v1/...), Azure OpenAI's (/openai/deployments/<name>/...?
 * api-version=..., key in the api-key header) and Ollama's (/api/chat,
 * /api/embed, /api/tags). Embeddings are deterministic bags of hashed words
 * (similar texts get similar vectors); chat answers mem0's extraction prompt
 * with each "user:" line of its "## New Messages" section as one memory.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const EMBEDDING_DIMENSIONS = 64;

export interface FakeOpenAI {
  /** Base URL including /v1, as OpenAI clients take it. */
  url: string;
  /** Requests seen, by endpoint and API, with the credential header they carried and the model or deployment named. */
  requests: {
    endpoint: "embeddings" | "chat";
    api: "openai" | "azure" | "ollama";
    authorization: string | undefined;
    model?: string;
  }[];
  /** Milliseconds each embeddings/chat answer waits. */
  delays: { embeddings: number; chat: number };
  /** While set, chat completions wait for it (to keep writes pending). */
  chatGate?: Promise<void>;
  /** API keys answered with 401 and a body that echoes the key, as a hostile or careless API might. */
  rejectedKeys: Set<string>;
  /** Answers the next chat completions get instead of a good one, first first: a 5xx, a 429, a 200 with a malformed body. */
  chatFaults: { status: number; body: string }[];
  close(): Promise<void>;
}

export function embed(text: string): number[] {
  const vector = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
  vector[0] = 0.05; // never all zero: cosine of a zero vector is NaN
  for (const word of text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)) {
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
  const section = start < 0 ? "" : (/## New Messages\n([\s\S]*?)(?:\n\n## |$)/.exec(prompt.slice(start))?.[1] ?? "");
  return section
    .split("\n")
    .filter((line) => line.startsWith("user: "))
    .map((line) => line.slice("user: ".length).trim())
    .filter(Boolean);
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const fake: Omit<FakeOpenAI, "url" | "close"> = {
    requests: [],
    delays: { embeddings: 0, chat: 0 },
    rejectedKeys: new Set(),
    chatFaults: [],
  };
  const server: Server = createServer((request, response) => void handle(fake, request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

async function handle(
  fake: Omit<FakeOpenAI, "url" | "close">,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString() || "{}") as {
    input?: string | string[];
    messages?: { content: string }[];
    model?: string;
    encoding_format?: string;
  };
  const send = (payload: unknown) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(payload));
  };
  const path = new URL(request.url ?? "/", "http://fake").pathname;
  const deployment = /^\/openai\/deployments\/([^/]+)\//.exec(path)?.[1];
  const api = path.startsWith("/api/") ? "ollama" : deployment ? "azure" : "openai";
  const seen = (endpoint: "embeddings" | "chat") =>
    fake.requests.push({
      endpoint,
      api,
      authorization: api === "azure" ? header(request, "api-key") : request.headers.authorization,
      model: deployment ?? body.model,
    });
  const answer = async () => {
    await fake.chatGate;
    await sleep(fake.delays.chat);
    const prompt = body.messages?.at(-1)?.content ?? "";
    return JSON.stringify({
      memory: extractUserLines(prompt).map((text, index) => ({ id: String(index), text, attributed_to: "user" })),
    });
  };
  const key = (api === "azure" ? header(request, "api-key") : request.headers.authorization)?.replace(/^Bearer /, "");
  if (key !== undefined && fake.rejectedKeys.has(key)) {
    if (path.endsWith("/chat/completions")) seen("chat");
    response.writeHead(401, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        error: {
          message: `Incorrect API key provided: Bearer ${key}`,
          type: "invalid_request_error",
          code: "invalid_api_key",
        },
      }),
    );
    return;
  }
  const inputs = Array.isArray(body.input) ? body.input : [body.input ?? ""];
  if (path.endsWith("/embeddings")) {
    seen("embeddings");
    await sleep(fake.delays.embeddings);
    // The openai SDK asks for base64 (little-endian float32) unless told "float", as the real API serves it.
    const encode = (vector: number[]) =>
      body.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
    send({
      object: "list",
      model: body.model,
      data: inputs.map((input, index) => ({ object: "embedding", index, embedding: encode(embed(input)) })),
      usage: { prompt_tokens: 1, total_tokens: 1 },
    });
  } else if (path.endsWith("/chat/completions")) {
    seen("chat");
    const fault = fake.chatFaults.shift();
    if (fault) {
      response.writeHead(fault.status, { "content-type": "application/json" });
      response.end(fault.body);
      return;
    }
    const content = await answer();
    send({
      id: "chatcmpl-fake",
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
  } else if (path === "/api/tags") {
    send({ models: OLLAMA_MODELS.map((name) => ({ name, model: name, size: 1, digest: "fake", details: {} })) });
  } else if (path === "/api/embed") {
    seen("embeddings");
    await sleep(fake.delays.embeddings);
    send({ model: body.model, embeddings: inputs.map(embed) });
  } else if (path === "/api/chat") {
    seen("chat");
    send({
      model: body.model,
      created_at: new Date().toISOString(),
      message: { role: "assistant", content: await answer() },
      done: true,
    });
  } else {
    response.writeHead(404).end();
  }
}

/** The models the fake Ollama lists as pulled (mem0ai compares names exactly for chat, with ":latest" added for embeddings). */
export const OLLAMA_MODELS = ["fake-chat", "fake-embed:latest"];

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
