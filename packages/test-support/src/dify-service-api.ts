/**
 * A stand-in for the two read endpoints of Dify's Service API that conversation
 * extraction uses, written from Dify's public API reference, on 127.0.0.1:
 *
 * - GET /v1/conversations?user=&last_id=&limit=&sort_by= : the user's
 *   conversations in the app, newest first by default, paged by last_id;
 * - GET /v1/messages?conversation_id=&user=&first_id=&limit= : the newest
 *   `limit` messages first, older ones with first_id, each page oldest first.
 *
 * Each app is known by its API key (Authorization: Bearer <key>); a wrong key
 * gets Dify's 401 body. `limit` is 1-100 (default 20), as in Dify.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInMessage {
  query: string;
  answer: string;
  /** Unix seconds. */
  created_at: number;
}

export interface StandInConversation {
  id: string;
  user: string;
  name: string;
  created_at: number;
  updated_at: number;
  messages: (StandInMessage & { id: string })[];
}

export interface DifyServiceApiStandIn {
  /** Base URL including /v1, as a Dify app's API Access page shows it. */
  url: string;
  /** Adds a conversation to the app with this key; returns its id. */
  addConversation(
    apiKey: string,
    user: string,
    messages: StandInMessage[],
    options?: { updated_at?: number; name?: string },
  ): string;
  /** Requests served, by path, with the key they carried. */
  requests: { path: string; user: string | null; apiKey: string | undefined; status: number }[];
  /** Answers the next requests get instead of a good one, first first. */
  faults: { status: number; body: string }[];
  close(): Promise<void>;
}

interface App {
  conversations: StandInConversation[];
}

export async function startDifyServiceApi(): Promise<DifyServiceApiStandIn> {
  const apps = new Map<string, App>();
  const requests: DifyServiceApiStandIn["requests"] = [];
  const faults: DifyServiceApiStandIn["faults"] = [];

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://stand-in");
    const apiKey = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    const send = (status: number, body: unknown) => {
      requests.push({ path: url.pathname, user: url.searchParams.get("user"), apiKey, status });
      response.writeHead(status, { "content-type": "application/json" });
      response.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    const fault = faults.shift();
    if (fault) return send(fault.status, fault.body);
    const app = apiKey === undefined ? undefined : apps.get(apiKey);
    if (request.method !== "GET") return send(405, { code: "method_not_allowed", message: "", status: 405 });
    if (!app) return send(401, { code: "unauthorized", message: "Access token is invalid", status: 401 });
    const user = url.searchParams.get("user");
    if (!user) return send(400, { code: "invalid_param", message: "user is required", status: 400 });
    const limit = Number(url.searchParams.get("limit") ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return send(400, { code: "invalid_param", message: "limit must be between 1 and 100", status: 400 });
    if (url.pathname === "/v1/conversations") return send(200, conversationsPage(app, user, limit, url));
    if (url.pathname === "/v1/messages") {
      const page = messagesPage(app, user, limit, url);
      return page
        ? send(200, page)
        : send(404, { code: "not_found", message: "Conversation Not Exists.", status: 404 });
    }
    return send(404, { code: "not_found", message: "The requested URL was not found on the server.", status: 404 });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    faults,
    addConversation(apiKey, user, messages, options = {}) {
      let app = apps.get(apiKey);
      if (!app) apps.set(apiKey, (app = { conversations: [] }));
      const created = messages[0]?.created_at ?? Math.floor(Date.now() / 1000);
      const id = randomUUID();
      app.conversations.push({
        id,
        user,
        name: options.name ?? `conversation ${app.conversations.length + 1}`,
        created_at: created,
        updated_at: options.updated_at ?? messages.at(-1)?.created_at ?? created,
        messages: messages.map((message) => ({ ...message, id: randomUUID() })),
      });
      return id;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Dify's ConversationService.pagination_by_last_id: the user's conversations after last_id in the sort order. */
function conversationsPage(app: App, user: string, limit: number, url: URL) {
  const sortBy = url.searchParams.get("sort_by") ?? "-updated_at";
  const field = sortBy.replace(/^-/, "") === "created_at" ? "created_at" : "updated_at";
  const descending = sortBy.startsWith("-");
  const mine = app.conversations
    .filter((conversation) => conversation.user === user)
    .sort((a, b) => (descending ? b[field] - a[field] : a[field] - b[field]) || a.id.localeCompare(b.id));
  const lastId = url.searchParams.get("last_id");
  const start = lastId ? mine.findIndex((conversation) => conversation.id === lastId) + 1 : 0;
  const page = mine.slice(start, start + limit);
  return {
    limit,
    has_more: start + limit < mine.length,
    data: page.map(({ id, name, created_at, updated_at }) => ({
      id,
      name,
      inputs: {},
      status: "normal",
      introduction: "",
      created_at,
      updated_at,
    })),
  };
}

/** Dify's MessageService.pagination_by_first_id: the `limit` messages before first_id (or the newest), oldest first. */
function messagesPage(app: App, user: string, limit: number, url: URL) {
  const conversationId = url.searchParams.get("conversation_id");
  const conversation = app.conversations.find((item) => item.id === conversationId && item.user === user);
  if (!conversation) return undefined;
  const newestFirst = [...conversation.messages].reverse();
  const firstId = url.searchParams.get("first_id");
  const start = firstId ? newestFirst.findIndex((message) => message.id === firstId) + 1 : 0;
  const page = newestFirst.slice(start, start + limit);
  return {
    limit,
    has_more: start + limit < newestFirst.length,
    data: page.reverse().map(({ id, query, answer, created_at }) => ({
      id,
      conversation_id: conversation.id,
      inputs: {},
      query,
      answer,
      message_files: [],
      feedback: null,
      retriever_resources: [],
      created_at,
      agent_thoughts: [],
    })),
  };
}
