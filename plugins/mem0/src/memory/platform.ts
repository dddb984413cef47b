/**
 * The hosted Mem0 Platform behind the same calls the tools make on a mem0ai
 * Memory (search, getAll, get, add, update, delete, deleteAll, history), so
 * the journal, degradation, owner checks and result shapes stay one code
 * path. Endpoints (Mem0 Platform API docs): POST /v1/memories/, POST
 * /v2/memories/search/, POST /v2/memories/ (list with filters), GET, PUT and
 * DELETE /v1/memories/{id}/, GET /v1/memories/{id}/history/, DELETE
 * /v1/memories/?user_id=...; header `Authorization: Token <key>`. Results
 * are scoped again here: an item outside the requested user, agent or run is
 * dropped, whatever the service answered.
 */
import type { Memory, MemoryItem, SearchResult } from "mem0ai/oss";
import { ownedBy, SCOPE_KEYS, type OwnerScope } from "../scope.js";

export interface PlatformConfig {
  apiKey: string;
  /** Base URL, default https://api.mem0.ai. */
  host: string;
  orgId?: string;
  projectId?: string;
}

/** The calls of mem0ai's Memory the tools use; both the local Memory and the Platform client provide them. */
export type MemoryApi = Pick<
  Memory,
  "search" | "getAll" | "get" | "add" | "update" | "delete" | "deleteAll" | "history"
>;

export const DEFAULT_PLATFORM_HOST = "https://api.mem0.ai";

const REQUEST_TIMEOUT_MS = 60_000;
/** The list endpoint's page size; getAll pages until it has topK memories. */
const PAGE_SIZE = 100;

/** An HTTP failure; `status` lets the write queue tell transient (429, 5xx) from permanent failures. */
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "PlatformError";
  }
}

type Conditions = Record<string, unknown>;

const ENTITY_KEYS = ["user_id", "agent_id", "run_id"];

interface PlatformMemoryItem {
  id: string;
  memory?: string;
  data?: { memory?: string };
  user_id?: string | null;
  agent_id?: string | null;
  run_id?: string | null;
  metadata?: Record<string, unknown> | null;
  categories?: string[] | null;
  created_at?: string;
  updated_at?: string;
  score?: number;
  hash?: string;
}

export class PlatformMemory implements MemoryApi {
  constructor(private readonly config: PlatformConfig) {}

  async search(query: string, options?: Parameters<Memory["search"]>[1]): Promise<SearchResult> {
    const { scope, filters } = toPlatformFilters(options?.filters as Conditions | undefined);
    const found = await this.request<PlatformMemoryItem[] | { results: PlatformMemoryItem[] }>(
      "POST",
      "/v2/memories/search/",
      {
        query,
        filters,
        top_k: options?.topK ?? 20,
        ...(options?.threshold !== undefined && { threshold: options.threshold }),
      },
    );
    return {
      results: listOf(found)
        .filter((item) => ownedBy(item, scope))
        .map(toMemoryItem),
    };
  }

  async getAll(options?: Parameters<Memory["getAll"]>[0]): Promise<SearchResult> {
    const { scope, filters } = toPlatformFilters(options?.filters as Conditions | undefined);
    const limit = options?.topK ?? 20;
    const results: MemoryItem[] = [];
    for (let page = 1; results.length < limit; page++) {
      const found = await this.request<PlatformMemoryItem[] | { results: PlatformMemoryItem[]; next?: string | null }>(
        "POST",
        `/v2/memories/?page=${page}&page_size=${PAGE_SIZE}`,
        { filters },
      );
      const items = listOf(found);
      results.push(...items.filter((item) => ownedBy(item, scope)).map(toMemoryItem));
      const more = Array.isArray(found) ? items.length === PAGE_SIZE : Boolean(found.next);
      if (!more || items.length === 0) break;
    }
    return { results: results.slice(0, limit) };
  }

  async get(memoryId: string): Promise<MemoryItem | null> {
    try {
      return toMemoryItem(
        await this.request<PlatformMemoryItem>("GET", `/v1/memories/${encodeURIComponent(memoryId)}/`),
      );
    } catch (error) {
      if (error instanceof PlatformError && (error.status === 404 || error.status === 400)) return null;
      throw error;
    }
  }

  async add(messages: Parameters<Memory["add"]>[0], config: Parameters<Memory["add"]>[1]): Promise<SearchResult> {
    const added = await this.request<PlatformMemoryItem[] | { results: PlatformMemoryItem[] }>(
      "POST",
      "/v1/memories/",
      {
        messages: typeof messages === "string" ? [{ role: "user", content: messages }] : messages,
        user_id: config?.userId,
        ...(config?.agentId && { agent_id: config.agentId }),
        ...(config?.runId && { run_id: config.runId }),
        ...(config?.metadata && { metadata: config.metadata }),
        infer: config?.infer ?? true,
        // The answer lists the memories added, as the local add does, instead of queueing them on the Platform.
        async_mode: false,
        output_format: "v1.1",
      },
    );
    return {
      results: listOf(added).map((item) => ({
        ...toMemoryItem(item),
        metadata: { event: (item as { event?: string }).event ?? "ADD" },
      })),
    };
  }

  async update(memoryId: string, data: Parameters<Memory["update"]>[1]): Promise<{ message: string }> {
    const text = typeof data === "string" ? data : data.text;
    await this.mustExist("PUT", memoryId, { text });
    return { message: "Memory updated successfully!" };
  }

  async delete(memoryId: string): Promise<{ message: string }> {
    await this.mustExist("DELETE", memoryId);
    return { message: "Memory deleted successfully!" };
  }

  async deleteAll(config: Parameters<Memory["deleteAll"]>[0]): Promise<{ message: string }> {
    // The tools always pass a user; without one this would empty every user's memories.
    if (!config.userId) throw new Error("deleteAll needs a user_id");
    const query = new URLSearchParams({ user_id: config.userId });
    if (config.agentId) query.set("agent_id", config.agentId);
    if (config.runId) query.set("run_id", config.runId);
    await this.request("DELETE", `/v1/memories/?${query}`);
    return { message: "Memories deleted successfully!" };
  }

  async history(memoryId: string): Promise<unknown[]> {
    const rows = await this.request<Record<string, unknown>[]>(
      "GET",
      `/v1/memories/${encodeURIComponent(memoryId)}/history/`,
    );
    // The local history rows' names, which toHistoryRows reads.
    return rows.map((row) => ({
      memory_id: row.memory_id ?? memoryId,
      previous_value: row.old_memory ?? null,
      new_value: row.new_memory ?? null,
      action: row.event,
      created_at: row.created_at,
      updated_at: row.updated_at ?? row.created_at,
      is_deleted: row.event === "DELETE" ? 1 : 0,
    }));
  }

  /** PUT or DELETE of one memory; a missing id fails as mem0ai's local Memory does, so the tools answer "not found". */
  private async mustExist(method: "PUT" | "DELETE", memoryId: string, body?: unknown): Promise<void> {
    try {
      await this.request(method, `/v1/memories/${encodeURIComponent(memoryId)}/`, body);
    } catch (error) {
      if (error instanceof PlatformError && error.status === 404)
        throw new Error(`Memory with ID ${memoryId} not found`);
      throw error;
    }
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(path, `${this.config.host.replace(/\/+$/, "")}/`);
    if (this.config.orgId) url.searchParams.set("org_id", this.config.orgId);
    if (this.config.projectId) url.searchParams.set("project_id", this.config.projectId);
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Token ${this.config.apiKey}`,
        ...(body !== undefined && { "content-type": "application/json" }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!response.ok) {
      // The body is not repeated: an API may echo the key in it.
      await response.body?.cancel();
      const hint =
        response.status === 401 || response.status === 403 ? " (check mem0_api_key and the org/project ids)" : "";
      throw new PlatformError(
        `the Mem0 Platform answered HTTP ${response.status} ${response.statusText} to ${method} ${url.pathname}${hint}`,
        response.status,
      );
    }
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  }
}

/**
 * The tools' filters (scope keys plus metadata fields, as searchFilters and
 * listFilters build them) in the Platform's v2 form: {"AND": [{"user_id": ...},
 * {"metadata": {...}}]}. OR/NOT groups and operators are not translated yet:
 * they are refused with a message saying so rather than silently dropped.
 */
function toPlatformFilters(conditions: Conditions | undefined): { scope: OwnerScope; filters: Conditions } {
  const scope: OwnerScope = {};
  const and: Conditions[] = [];
  for (const [key, value] of Object.entries(conditions ?? {})) {
    if (typeof value === "object" && value !== null) {
      throw new Error(
        'filters: hosted mode (Mem0 Platform) supports plain metadata equality only, e.g. {"category": "food"}; OR, NOT and operators need the self-hosted mode',
      );
    }
    if ((SCOPE_KEYS as readonly string[]).includes(key)) scope[key as keyof OwnerScope] = value as string;
    // The Platform's entity ids; everything else (an app id included) is stored in the metadata.
    and.push(ENTITY_KEYS.includes(key) ? { [key]: value } : { metadata: { [key]: value } });
  }
  return { scope, filters: { AND: and } };
}

function listOf(found: PlatformMemoryItem[] | { results: PlatformMemoryItem[] } | null): PlatformMemoryItem[] {
  if (Array.isArray(found)) return found;
  return Array.isArray(found?.results) ? found.results : [];
}

function toMemoryItem(item: PlatformMemoryItem): MemoryItem {
  return {
    id: item.id,
    memory: item.memory ?? item.data?.memory ?? "",
    ...(item.hash && { hash: item.hash }),
    ...(item.created_at && { createdAt: item.created_at }),
    ...(item.updated_at && { updatedAt: item.updated_at }),
    ...(item.score !== undefined && { score: item.score }),
    metadata: { ...(item.metadata ?? {}), ...(item.categories && { categories: item.categories }) },
    ...(item.user_id && { user_id: item.user_id }),
    ...(item.agent_id && { agent_id: item.agent_id }),
    ...(item.run_id && { run_id: item.run_id }),
  } as MemoryItem;
}
