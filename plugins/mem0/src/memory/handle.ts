/**
 * One mem0ai Memory and the repairs it needs. mem0ai 3.3.1 has no close(),
 * keeps one pg.Client per store with no 'error' listener (mem0ai issue 7294:
 * a server restart would otherwise be an uncaught error and leave the store
 * unusable), and swallows a failed vector insert inside add() after logging it.
 * The private fields this touches are listed in MemoryInternals; the version
 * is pinned exactly in package.json for that reason.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdir } from "node:fs/promises";
import type { MemorySetup } from "../config/setup.js";
import { ModelApiError } from "./errors.js";
import type { Mem0Module } from "./loader.js";
import { HttpReranker, isHttpReranker } from "./http-reranker.js";
import { PgHistoryStore } from "./pg-history.js";
import { PlatformMemory, type MemoryApi } from "./platform.js";
import { ensurePgvectorIndexes } from "./pgvector-indexes.js";

interface ClosableClient {
  on(event: "error" | "end", listener: (error?: Error) => void): unknown;
  end(): Promise<void>;
}

interface StoreInternals {
  /** pg.Client with pgvector; Qdrant's and Pinecone's HTTP clients (nothing to close, no events) with those stores. */
  client?: ClosableClient & { query(sql: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };
  collectionName?: string;
  /** better-sqlite3 Database (the embedded store). */
  db?: { close(): unknown };
  insert(...args: unknown[]): Promise<void>;
}

/** The private fields of mem0ai 3.3.1's Memory that this module reads. */
interface MemoryInternals {
  _initPromise: Promise<void>;
  _initError?: Error;
  vectorStore?: StoreInternals;
  _entityStore?: StoreInternals;
  /** The history manager (SQLiteManager has close()); replaced by PgHistoryStore with pgvector. */
  db?: { close?(): unknown } | PgHistoryStore;
  /** Names the session whose last messages add() gives the model as context: user, agent and run only. */
  buildSessionScope(filters: Record<string, unknown>): string;
  llm?: ModelClient;
  embedder?: ModelClient;
  /** Set from the reranker config; cohere and zero_entropy are replaced by HttpReranker. */
  reranker?: ModelClient | null;
}

/** The model clients' methods, all async; mem0ai calls them as methods of these objects. */
type ModelClient = Record<string, unknown>;

/** The model clients' calls: their failures become ModelApiError, so they are not taken for the store's. */
const MODEL_CALLS = [
  ["llm", "LLM", ["generateResponse", "generateChat"]],
  ["embedder", "embedder", ["embed", "embedBatch"]],
  ["reranker", "reranker", ["rerank"]],
] as const;

/** Vector-insert errors mem0ai swallowed during the current write. */
const swallowedInsertErrors = new AsyncLocalStorage<unknown[]>();

/**
 * Runs a write and throws the first vector-insert error mem0ai caught and only
 * logged inside it, so the write counts as failed (and is retried) instead of
 * being reported as stored.
 */
export async function failOnSwallowedInsertErrors<T>(write: () => Promise<T>): Promise<T> {
  const errors: unknown[] = [];
  const result = await swallowedInsertErrors.run(errors, write);
  if (errors.length > 0) throw errors[0];
  return result;
}

export class MemoryHandle {
  /** Set when a database connection failed: the handle is replaced at the next use. */
  broken = false;
  private readonly watched = new WeakSet<object>();

  private constructor(
    readonly memory: MemoryApi,
    private readonly onBroken: (handle: MemoryHandle, cause: Error | undefined) => void,
  ) {}

  /** Creates the Memory and waits for its initialisation (stores created, connections open). */
  static async build(
    mem0: Mem0Module,
    setup: MemorySetup,
    onBroken: (handle: MemoryHandle, cause: Error | undefined) => void,
    warn: (message: string) => void,
  ): Promise<MemoryHandle> {
    await mkdir(setup.storeDirectory, { recursive: true, mode: 0o700 });
    const { config } = setup;
    // Hosted mode: nothing to initialise or watch; the Platform client holds no connection.
    if (!config) return new MemoryHandle(new PlatformMemory(setup.platform!), onBroken);
    const memory = new mem0.Memory(
      structuredClone(config) as unknown as ConstructorParameters<Mem0Module["Memory"]>[0],
    );
    const handle = new MemoryHandle(memory, onBroken);
    const internals = handle.internals;
    const reranker = config.reranker;
    // Before the model calls are wrapped, so its failures are named as the reranker's too.
    if (reranker && isHttpReranker(reranker.provider))
      internals.reranker = new HttpReranker(reranker.provider, reranker.config) as unknown as ModelClient;
    for (const [field, component, methods] of MODEL_CALLS) {
      const client = internals[field];
      if (client) for (const method of methods) wrapModelCall(client, method, component);
    }
    await internals._initPromise;
    if (internals._initError) {
      await handle.close();
      throw internals._initError;
    }
    handle.watch();
    handle.keySessionsByApp();
    if (config.vectorStore.provider === "pgvector" && internals.vectorStore?.client) {
      const problem = await ensurePgvectorIndexes(internals.vectorStore);
      if (problem)
        warn(
          `could not create the search indexes on the pgvector collection (searches still work, more slowly): ${problem}`,
        );
      try {
        internals.db = await PgHistoryStore.open(
          internals.vectorStore.client,
          internals.vectorStore.collectionName ?? "memories",
        );
      } catch (error) {
        await handle.close();
        throw error;
      }
    }
    return handle;
  }

  private get internals(): MemoryInternals {
    return this.memory as unknown as MemoryInternals;
  }

  /** Attaches error listeners and the insert check to stores created so far (the entity store appears lazily). */
  watch(): void {
    for (const store of [this.internals.vectorStore, this.internals._entityStore]) {
      if (!store || this.watched.has(store)) continue;
      this.watched.add(store);
      if (store === this.internals.vectorStore) wrapInsert(store);
      const client = pgClientOf(store);
      if (client) {
        client.on("error", (error) => this.markBroken(error));
        client.on("end", () => this.markBroken(undefined));
      }
    }
  }

  /**
   * add() passes the app as filters.app_id: the session key includes it too,
   * so one app's conversation never becomes the extraction context of another
   * app's for the same user.
   */
  private keySessionsByApp(): void {
    const internals = this.internals;
    const build = internals.buildSessionScope.bind(this.memory);
    internals.buildSessionScope = (filters) => {
      const key = build(filters);
      return typeof filters.app_id === "string" ? `${key}&app_id=${encodeURIComponent(filters.app_id)}` : key;
    };
  }

  markBroken(cause: Error | undefined): void {
    if (this.broken) return;
    this.broken = true;
    this.onBroken(this, cause);
  }

  /**
   * Closes each store the way it closes: pg connections end, SQLite files
   * close, Qdrant's and Pinecone's HTTP clients hold nothing to close. Never
   * throws: a failed build reports its own error, not one from closing.
   */
  async close(): Promise<void> {
    this.broken = true;
    const internals = this.internals;
    for (const store of [internals.vectorStore, internals._entityStore]) {
      if (!store) continue;
      const client = pgClientOf(store);
      if (client) await settleWithin(client.end(), 2000);
      try {
        store.db?.close();
      } catch {
        // Already closed.
      }
    }
    try {
      internals.db?.close?.();
    } catch {
      // Already closed.
    }
  }
}

/** The store's pg.Client, if it has one (pgvector); other stores' clients have neither events nor end(). */
function pgClientOf(store: StoreInternals): StoreInternals["client"] | undefined {
  const client = store.client;
  return client &&
    typeof client.on === "function" &&
    typeof client.end === "function" &&
    typeof client.query === "function"
    ? client
    : undefined;
}

function wrapInsert(store: StoreInternals): void {
  const insert = store.insert.bind(store);
  store.insert = async (...args: unknown[]) => {
    try {
      await insert(...args);
    } catch (error) {
      swallowedInsertErrors.getStore()?.push(error);
      throw error;
    }
  };
}

function wrapModelCall(client: ModelClient, method: string, component: ModelApiError["component"]): void {
  const call = client[method];
  if (typeof call !== "function") return;
  client[method] = async (...args: unknown[]) => {
    try {
      return (await call.apply(client, args)) as unknown;
    } catch (error) {
      throw new ModelApiError(component, error);
    }
  };
}

/** Waits for a promise, but not longer than `ms`, and ignores its outcome. */
function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]).finally(() => clearTimeout(timer));
}
