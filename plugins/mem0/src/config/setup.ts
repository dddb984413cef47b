/**
 * The provider credentials, read once into everything the plugin needs: the
 * mem0ai Memory config, the async switch, the queue's concurrency, where this
 * store keeps its files, and the secret strings to mask in anything we print.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { isJsonObject } from "@dify-ts/protocol";
import type { LogLevel } from "@dify-ts/runtime";
import { DEFAULT_LOG_LEVEL, isLogLevel, LOG_LEVELS } from "../log-level.js";
import { DEFAULT_PLATFORM_HOST, type PlatformConfig } from "../memory/platform.js";
import { ConfigError, readBlock, type Block, type ConfigObject } from "./translate.js";

/** The credentials as Dify sends them (after the runtime's type checks). */
export interface RawCredentials {
  async_mode: boolean;
  /** Required in local mode; must stay empty in hosted mode. */
  local_llm_json?: string;
  local_embedder_json?: string;
  local_vector_db_json?: string;
  local_graph_db_json?: string;
  local_reranker_json?: string;
  max_concurrent_memory_operations: string;
  /** DEBUG, INFO (default), WARNING or ERROR. */
  log_level?: string;
  /** Hosted mode: a Mem0 Platform API key, and optionally its organisation, project and host. */
  mem0_api_key?: string;
  mem0_org_id?: string;
  mem0_project_id?: string;
  mem0_host?: string;
}

const LOCAL_FIELDS = [
  "local_llm_json",
  "local_embedder_json",
  "local_vector_db_json",
  "local_graph_db_json",
  "local_reranker_json",
] as const;
const PLATFORM_FIELDS = ["mem0_org_id", "mem0_project_id", "mem0_host"] as const;

/** mem0ai's MemoryConfig, as far as this plugin fills it in. */
export interface MemoryConfigInput {
  llm: Block;
  embedder: Block;
  vectorStore: Block;
  reranker?: Block;
  /** SQLite beside the embedded store; with pgvector, tables in its database (memory/pg-history.ts replaces the placeholder). */
  historyStore:
    { provider: "sqlite"; config: { historyDbPath: string } } | { provider: "memory"; config: Record<string, never> };
  customInstructions: string;
}

export interface MemorySetup {
  /** One Memory instance per distinct credential set. */
  hash: string;
  asyncMode: boolean;
  concurrency: number;
  logLevel: LogLevel;
  /** "local": mem0ai's Memory with the local_*_json blocks; "hosted": the Mem0 Platform. */
  mode: "local" | "hosted";
  /** Local mode only. */
  config?: MemoryConfigInput;
  /** Hosted mode only. */
  platform?: PlatformConfig;
  /**
   * The store's key: its settings (database and collection; embedded, the embedder) and the workspace id kept in the
   * workspace's tenant storage (workspace.ts), so secrets can rotate. One plugin process serves every Dify workspace
   * and the daemon does not tell it which one calls: without that id (no tenant storage) the key is `secretsStore`.
   * Hosted: the host, organisation, project and API key (the Platform account holds the memories, not a directory).
   */
  store: string;
  /** The workspace id the store is keyed by, or undefined when tenant storage was unavailable (and in hosted mode). */
  workspace: string | undefined;
  /** The key of 0.1.0's workspace separation (settings and every secret of the credentials). */
  secretsStore: string;
  /** The key before 0.1.0's workspace separation (settings only). */
  legacyStore: string;
  /** Older keys of this store, newest first: their directories are adopted once (legacy-store.ts). None when hosted. */
  formerStores: string[];
  /** The embedded store's vectors (if used) and the SQLite history database (unless pgvector holds it) live here. */
  storeDirectory: string;
  /** True when no vector store was configured and the embedded SQLite store is used. */
  embedded: boolean;
  secrets: string[];
}

/** The Python plugin's CUSTOM_PROMPT asked for this; mem0ai 3.x appends it to the extraction prompt. */
const CUSTOM_INSTRUCTIONS = "Write every memory in the language the user wrote in; do not translate.";

const SECRET_KEY = /key|secret|password|token|credential|connection_?string/i;

/** `workspace`: the calling workspace's id from tenant storage, or undefined to key a local store by the secrets. */
export function readSetup(
  credentials: RawCredentials,
  dataDirectory: string,
  workspace: string | undefined = undefined,
): MemorySetup {
  if (credentials.local_graph_db_json?.trim()) {
    throw new ConfigError(
      "local_graph_db_json",
      "mem0's TypeScript OSS SDK (mem0ai 3.x) has no graph memory, so a graph store cannot be used; leave this field empty",
    );
  }
  const concurrency = Number(credentials.max_concurrent_memory_operations);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new ConfigError("max_concurrent_memory_operations", "must be a whole number from 1 to 64");
  }
  const logLevel = credentials.log_level?.trim().toUpperCase() || DEFAULT_LOG_LEVEL;
  if (!isLogLevel(logLevel)) throw new ConfigError("log_level", `must be one of ${LOG_LEVELS.join(", ")}`);
  const common = { hash: digest(credentials), asyncMode: credentials.async_mode, concurrency, logLevel };
  const apiKey = credentials.mem0_api_key?.trim();
  const localSet = LOCAL_FIELDS.filter((field) => credentials[field]?.trim());
  if (apiKey) {
    if (localSet.length > 0)
      throw new ConfigError(
        `mem0_api_key and ${localSet.join(", ")}`,
        "these select two modes at once: mem0_api_key the hosted Mem0 Platform, the local_*_json fields a self-hosted store; clear one side",
      );
    return hostedSetup(credentials, apiKey, common, dataDirectory);
  }
  const platformSet = PLATFORM_FIELDS.filter((field) => credentials[field]?.trim());
  if (platformSet.length > 0)
    throw new ConfigError(
      platformSet.join(", "),
      "belong to the hosted Mem0 Platform mode, which mem0_api_key selects; set mem0_api_key too, or clear them",
    );
  for (const field of ["local_llm_json", "local_embedder_json"] as const)
    if (!credentials[field]?.trim())
      throw new ConfigError(
        field,
        "is required for the self-hosted mode (or set mem0_api_key instead to use the hosted Mem0 Platform)",
      );
  const llm = readBlock("local_llm_json", "llm", credentials.local_llm_json!);
  const embedder = readBlock("local_embedder_json", "embedder", credentials.local_embedder_json!);
  const embedderDims = embedder.config.embeddingDims;
  const vectorText = credentials.local_vector_db_json?.trim();
  const vectorStore: Block = vectorText
    ? readBlock(
        "local_vector_db_json",
        "vector_store",
        vectorText,
        embedderDims === undefined ? {} : { embedding_model_dims: embedderDims },
      )
    : { provider: "memory", config: {} };
  const reranker = credentials.local_reranker_json?.trim()
    ? readBlock("local_reranker_json", "reranker", credentials.local_reranker_json)
    : undefined;

  const embedded = vectorStore.provider === "memory";
  const secrets = [...new Set(collectSecrets([llm, embedder, vectorStore, reranker]))];
  const identity = storeIdentity(vectorStore, embedded ? embedder : undefined);
  const secretsStore = digest({ identity, secrets: [...secrets].sort() }).slice(0, 16);
  const legacyStore = digest(identity).slice(0, 16);
  const store = workspace === undefined ? secretsStore : digest({ identity, workspace }).slice(0, 16);
  const storeDirectory = join(dataDirectory, "stores", store);
  if (embedded) {
    vectorStore.config = {
      collectionName: "memories",
      ...vectorStore.config,
      dbPath: vectorStore.config.dbPath ?? join(storeDirectory, "vectors.db"),
    };
    if (embedderDims !== undefined) vectorStore.config.dimension ??= embedderDims;
  }
  return {
    ...common,
    ...(workspace !== undefined && { hash: digest({ credentials, workspace }) }),
    mode: "local",
    config: {
      llm,
      embedder,
      vectorStore,
      ...(reranker ? { reranker } : {}),
      historyStore:
        vectorStore.provider === "pgvector"
          ? { provider: "memory", config: {} }
          : { provider: "sqlite", config: { historyDbPath: join(storeDirectory, "history.db") } },
      customInstructions: CUSTOM_INSTRUCTIONS,
    },
    store,
    workspace,
    secretsStore,
    legacyStore,
    formerStores: workspace === undefined ? [legacyStore] : [secretsStore, legacyStore],
    storeDirectory,
    embedded,
    secrets,
  };
}

function hostedSetup(
  credentials: RawCredentials,
  apiKey: string,
  common: Pick<MemorySetup, "hash" | "asyncMode" | "concurrency" | "logLevel">,
  dataDirectory: string,
): MemorySetup {
  const host = credentials.mem0_host?.trim() || DEFAULT_PLATFORM_HOST;
  let parsed: URL;
  try {
    parsed = new URL(host);
  } catch {
    throw new ConfigError("mem0_host", 'must be an http(s) URL such as "https://api.mem0.ai"');
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw new ConfigError("mem0_host", 'must be an http(s) URL such as "https://api.mem0.ai"');
  if (parsed.username || parsed.password)
    throw new ConfigError("mem0_host", "must not hold a user or password; put the key in mem0_api_key");
  const orgId = credentials.mem0_org_id?.trim() || undefined;
  const projectId = credentials.mem0_project_id?.trim() || undefined;
  const platform: PlatformConfig = { apiKey, host, ...(orgId && { orgId }), ...(projectId && { projectId }) };
  const identity = { provider: "mem0_platform", host, orgId: orgId ?? null, projectId: projectId ?? null };
  const store = digest({ identity, secrets: [apiKey] }).slice(0, 16);
  return {
    ...common,
    mode: "hosted",
    platform,
    store,
    workspace: undefined,
    secretsStore: store,
    legacyStore: store,
    formerStores: [],
    storeDirectory: join(dataDirectory, "stores", store),
    embedded: false,
    secrets: [apiKey],
  };
}

/** A store's settings without secrets: database and collection; the embedded store's embedder, whose vectors it holds. */
function storeIdentity(vectorStore: Block, embedder: Block | undefined): ConfigObject {
  return {
    provider: vectorStore.provider,
    config: withoutSecrets(vectorStore.config),
    embedder: embedder && {
      provider: embedder.provider,
      model: embedder.config.model ?? null,
      baseURL: embedder.config.baseURL ?? null,
    },
  };
}

function withoutSecrets(config: ConfigObject): ConfigObject {
  const result: ConfigObject = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === "connectionString" && typeof value === "string") result[key] = stripPassword(value);
    else if (!SECRET_KEY.test(key)) result[key] = value;
  }
  return result;
}

function stripPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "";
  }
}

function* collectSecrets(blocks: (Block | undefined)[]): Generator<string> {
  const visit = function* (value: unknown, key = ""): Generator<string> {
    if (typeof value === "string") {
      if (SECRET_KEY.test(key) && value.length > 0) yield value;
      const password = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@]+)@/i.exec(value)?.[1];
      if (password) {
        yield password;
        yield decodeOrSame(password);
      }
    } else if (Array.isArray(value)) {
      for (const item of value) yield* visit(item, key);
    } else if (isJsonObject(value)) {
      for (const [name, item] of Object.entries(value)) yield* visit(item, name);
    }
  };
  for (const block of blocks) if (block) yield* visit(block.config);
}

function decodeOrSame(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** sha256 of a canonical JSON form (object keys sorted). */
export function digest(value: unknown): string {
  const canonical = JSON.stringify(value, (_key, item: unknown) =>
    isJsonObject(item) ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b))) : item,
  );
  return createHash("sha256").update(canonical).digest("hex");
}
