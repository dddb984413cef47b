/**
 * The two endpoints of Dify's Service API that extraction reads, with the
 * app's key as a bearer token: GET /conversations (newest first, paged with
 * last_id) and GET /messages (the newest page first, older pages with
 * first_id, each page oldest first). Both filter by `user`, the end user's id
 * in that app. The key never appears in an error: bodies and causes are masked.
 */
import { Redactor } from "@dify-ts/runtime";
import { messageOf } from "../memory/errors.js";

export interface DifyConversation {
  id: string;
  /** Unix seconds, as Dify sends them. */
  created_at: number;
  updated_at: number;
}

export interface DifyMessage {
  id: string;
  query: string;
  answer: string;
  created_at: number;
}

interface Page<T> {
  data: T[];
  has_more: boolean;
}

/** transient: worth another attempt later (network, 429, 5xx); otherwise the key, the app or the request is wrong. */
export class DifyApiError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = "DifyApiError";
  }
}

/** Dify caps `limit` at 100 for both endpoints. */
const PAGE_SIZE = 100;
const ATTEMPTS = 3;

export class DifyServiceApi {
  private readonly redactor = new Redactor();

  constructor(
    /** Normalized by normalizeBaseUrl: ends with /v1, no trailing slash. */
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly requestTimeoutMs: number,
  ) {
    this.redactor.addSecret(apiKey);
  }

  /** The user's conversations updated at or after `since` (unix seconds), newest first. */
  async *conversationsSince(user: string, since: number): AsyncGenerator<DifyConversation> {
    let lastId: string | undefined;
    for (;;) {
      const page = await this.get<Page<DifyConversation>>("/conversations", {
        user,
        limit: String(PAGE_SIZE),
        sort_by: "-updated_at",
        ...(lastId && { last_id: lastId }),
      });
      for (const conversation of page.data) {
        if (conversation.updated_at < since) return;
        yield conversation;
      }
      const last = page.data.at(-1);
      if (!page.has_more || !last) return;
      lastId = last.id;
    }
  }

  /** The conversation's messages newest page first; each page is oldest first, as Dify returns it. */
  async *messagePages(user: string, conversationId: string): AsyncGenerator<DifyMessage[]> {
    let firstId: string | undefined;
    for (;;) {
      const page = await this.get<Page<DifyMessage>>("/messages", {
        user,
        conversation_id: conversationId,
        limit: String(PAGE_SIZE),
        ...(firstId && { first_id: firstId }),
      });
      if (page.data.length > 0) yield page.data;
      const first = page.data[0];
      if (!page.has_more || !first) return;
      firstId = first.id;
    }
  }

  private async get<T>(path: string, query: Record<string, string>): Promise<T> {
    const url = `${this.baseUrl}${path}?${new URLSearchParams(query)}`;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.getOnce<T>(url, path);
      } catch (error) {
        if (!(error instanceof DifyApiError) || !error.transient || attempt >= ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
      }
    }
  }

  private async getOnce<T>(url: string, path: string): Promise<T> {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${this.apiKey}`, accept: "application/json" },
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause !== undefined ? messageOf(error.cause) : messageOf(error);
      throw new DifyApiError(`GET ${path} failed: ${this.redactor.redact(cause)}`, true);
    }
    const body = await response.text().catch(() => "");
    if (!response.ok) {
      const transient = response.status === 408 || response.status === 429 || response.status >= 500;
      const hint =
        response.status === 401 || response.status === 403
          ? ": check dify_api_key (the app's API key from its API Access page)"
          : response.status === 404
            ? ": check dify_base_url (the app's Service API base URL, e.g. https://api.dify.ai/v1)"
            : "";
      throw new DifyApiError(
        `GET ${path} answered HTTP ${response.status}${hint} (${this.redactor.redact(body.slice(0, 300))})`,
        transient,
      );
    }
    try {
      const parsed = JSON.parse(body) as Page<unknown>;
      if (!Array.isArray(parsed.data)) throw new Error("no data list");
      return parsed as T;
    } catch {
      throw new DifyApiError(`GET ${path} did not answer Dify's JSON: check dify_base_url`, false);
    }
  }
}

/**
 * The Service API base URL as given (https://api.dify.ai/v1 or a self-hosted
 * http://host/v1), with /v1 added when missing. Throws naming the parameter.
 */
export function normalizeBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error("dify_base_url is not a URL; give the app's Service API base URL, e.g. https://api.dify.ai/v1");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error("dify_base_url must start with http:// or https://");
  if (url.username || url.password)
    throw new Error("dify_base_url must not hold a user name or password; put the app's key in dify_api_key");
  if (url.search || url.hash) throw new Error("dify_base_url must not hold a query (?...) or fragment (#...)");
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.origin}${path.endsWith("/v1") ? path : `${path}/v1`}`;
}
