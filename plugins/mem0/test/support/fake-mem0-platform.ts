/**
 * A stand-in for the hosted Mem0 Platform API, written from its public API
 * reference, with only the endpoints the plugin uses: POST /v1/memories/
 * (add; with infer each user message becomes one memory, as the model
 * stand-in extracts them), POST /v2/memories/search/, POST /v2/memories/
 * (list, paginated with page and page_size), GET/PUT/DELETE
 * /v1/memories/{id}/, GET /v1/memories/{id}/history/, DELETE
 * /v1/memories/?user_id=... Requests need `Authorization: Token <key>`; a
 * rejected key is answered 401 with a body that echoes it, as a careless API
 * might. Filters: {"AND": [{"user_id": ...}, {"agent_id": ...}, {"metadata": {...}}]}.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

interface StoredMemory {
  id: string;
  memory: string;
  user_id: string | null;
  agent_id: string | null;
  run_id: string | null;
  metadata: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
}

interface HistoryEntry {
  id: string;
  memory_id: string;
  old_memory: string | null;
  new_memory: string | null;
  event: "ADD" | "UPDATE" | "DELETE";
  created_at: string;
  updated_at: string;
}

export interface FakePlatform {
  url: string;
  apiKeys: Set<string>;
  memories: Map<string, StoredMemory>;
  requests: { method: string; path: string; authorization: string | undefined; query: Record<string, string> }[];
  close(): Promise<void>;
}

const words = (text: string) =>
  new Set(
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean),
  );

function overlap(query: string, text: string): number {
  const wanted = words(query);
  const present = words(text);
  return wanted.size === 0 ? 0 : [...wanted].filter((word) => present.has(word)).length / wanted.size;
}

function matches(memory: StoredMemory, filters: unknown): boolean {
  const and = (filters as { AND?: Record<string, unknown>[] } | undefined)?.AND ?? [];
  return and.every((condition) =>
    Object.entries(condition).every(([key, value]) =>
      key === "metadata"
        ? Object.entries(value as Record<string, unknown>).every(
            ([field, wanted]) => memory.metadata?.[field] === wanted,
          )
        : memory[key as "user_id" | "agent_id" | "run_id"] === value,
    ),
  );
}

export async function startFakePlatform(apiKeys: string[]): Promise<FakePlatform> {
  const fake: FakePlatform = {
    url: "",
    apiKeys: new Set(apiKeys),
    memories: new Map(),
    requests: [],
    close: () => Promise.resolve(),
  };
  const history: HistoryEntry[] = [];
  const record = (
    memory_id: string,
    event: HistoryEntry["event"],
    old_memory: string | null,
    new_memory: string | null,
  ) => {
    const now = new Date().toISOString();
    history.push({ id: randomUUID(), memory_id, old_memory, new_memory, event, created_at: now, updated_at: now });
  };

  const handle = (request: IncomingMessage, body: unknown, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const send = (status: number, value: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(value));
    };
    const authorization = request.headers.authorization;
    fake.requests.push({
      method: request.method ?? "",
      path: url.pathname,
      authorization,
      query: Object.fromEntries(url.searchParams),
    });
    const key = authorization?.startsWith("Token ") ? authorization.slice("Token ".length) : "";
    if (!fake.apiKeys.has(key)) return send(401, { detail: `Invalid API key: ${key}` });
    const input = (body ?? {}) as Record<string, unknown>;
    const one = /^\/v1\/memories\/([^/]+)\/$/.exec(url.pathname);
    const ofHistory = /^\/v1\/memories\/([^/]+)\/history\/$/.exec(url.pathname);

    if (request.method === "POST" && url.pathname === "/v1/memories/") {
      const now = new Date().toISOString();
      const messages = (input.messages as { role: string; content: string }[]) ?? [];
      const added = messages
        .filter((message) => message.role === "user" && message.content.trim())
        .map((message) => {
          const memory: StoredMemory = {
            id: randomUUID(),
            memory: message.content.trim(),
            user_id: (input.user_id as string) ?? null,
            agent_id: (input.agent_id as string) ?? null,
            run_id: (input.run_id as string) ?? null,
            metadata: (input.metadata as Record<string, unknown>) ?? null,
            created_at: now,
            updated_at: now,
          };
          fake.memories.set(memory.id, memory);
          record(memory.id, "ADD", null, memory.memory);
          return { id: memory.id, memory: memory.memory, event: "ADD" };
        });
      return send(200, { results: added });
    }
    if (request.method === "POST" && url.pathname === "/v2/memories/search/") {
      const found = [...fake.memories.values()]
        .filter((memory) => matches(memory, input.filters))
        .map((memory) => ({ ...memory, score: overlap(String(input.query), memory.memory) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, Number(input.top_k ?? 10));
      return send(200, found);
    }
    if (request.method === "POST" && url.pathname === "/v2/memories/") {
      const page = Number(url.searchParams.get("page") ?? 1);
      const size = Number(url.searchParams.get("page_size") ?? 100);
      const all = [...fake.memories.values()].filter((memory) => matches(memory, input.filters));
      const results = all.slice((page - 1) * size, page * size);
      const next = page * size < all.length ? `${fake.url}/v2/memories/?page=${page + 1}&page_size=${size}` : null;
      return send(200, { count: all.length, next, previous: null, results });
    }
    if (request.method === "DELETE" && url.pathname === "/v1/memories/") {
      const scope = ["user_id", "agent_id", "run_id"].filter((field) => url.searchParams.has(field));
      if (scope.length === 0) return send(400, { detail: "At least one filter is required" });
      for (const memory of [...fake.memories.values()])
        if (scope.every((field) => memory[field as "user_id"] === url.searchParams.get(field))) {
          fake.memories.delete(memory.id);
          record(memory.id, "DELETE", memory.memory, null);
        }
      return send(200, { message: "Memories deleted successfully!" });
    }
    if (ofHistory && request.method === "GET")
      return send(
        200,
        history.filter((entry) => entry.memory_id === ofHistory[1]),
      );
    if (one) {
      const memory = fake.memories.get(decodeURIComponent(one[1]!));
      if (!memory) return send(404, { detail: "Memory not found" });
      if (request.method === "GET") return send(200, memory);
      if (request.method === "PUT") {
        const old = memory.memory;
        memory.memory = String(input.text);
        memory.updated_at = new Date().toISOString();
        record(memory.id, "UPDATE", old, memory.memory);
        return send(200, memory);
      }
      if (request.method === "DELETE") {
        fake.memories.delete(memory.id);
        record(memory.id, "DELETE", memory.memory, null);
        return send(200, { message: "Memory deleted successfully!" });
      }
    }
    return send(404, { detail: "Not found" });
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      handle(request, text ? JSON.parse(text) : undefined, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}
