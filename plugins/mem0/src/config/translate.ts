/**
 * Turns one credential block, {"provider": ..., "config": {...}} as the Python
 * plugin documented it, into the config mem0ai's TypeScript SDK reads. The
 * TS SDK silently ignores Python's snake_case keys (api_key, openai_base_url,
 * collection_name, connection_string, embedding_model_dims, ...), so they are
 * renamed here; pgvector's discrete fields become one connection string, as the
 * Python plugin built it, so no database is created behind the user's back.
 */
import { isJsonObject } from "@dify-ts/protocol";
import { parseLenientJson } from "./lenient-json.js";
import { unsupportedProvider, type BlockKind } from "./providers.js";

export type ConfigObject = Record<string, unknown>;

export interface Block {
  provider: string;
  config: ConfigObject;
}

/** A credential that cannot be used; the message names the field and says what to change. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = "ConfigError";
  }
}

const BASE_URL_KEYS = [
  "openai_base_url",
  "base_url",
  "ollama_base_url",
  "lmstudio_base_url",
  "vllm_base_url",
  "deepseek_base_url",
  "xai_base_url",
  "together_base_url",
  "litellm_base_url",
  "minimax_base_url",
  "sarvam_base_url",
  "azure_base_url",
];

/** Dropped: Python pool settings that mem0ai's TS stores do not have. */
const IGNORED_KEYS = new Set(["minconn", "maxconn", "connection_pool", "metric_type"]);

/** OpenAI's client waits 10 minutes by default; a memory write should not hold a queue slot that long. */
const DEFAULT_LLM_TIMEOUT_MS = 60_000;

/** Parses and translates a block; `fallback` supplies config keys the user left out. */
export function readBlock(field: string, kind: BlockKind, text: string, fallback: ConfigObject = {}): Block {
  const parsed = parseLenientJson(text);
  if (!parsed.ok) throw new ConfigError(field, parsed.problem);
  return toBlock(field, kind, parsed.value, fallback);
}

function toBlock(field: string, kind: BlockKind, value: unknown, fallback: ConfigObject = {}): Block {
  if (!isJsonObject(value))
    throw new ConfigError(field, 'must be a JSON object like {"provider": "...", "config": {...}}');
  if (typeof value.provider !== "string" || value.provider.trim() === "") {
    throw new ConfigError(field, 'needs a "provider" string, for example "openai"');
  }
  const provider = value.provider.trim().toLowerCase();
  const unsupported = unsupportedProvider(kind, provider);
  if (unsupported) throw new ConfigError(field, unsupported);
  const config = value.config ?? {};
  if (!isJsonObject(config)) throw new ConfigError(field, '"config" must be a JSON object');
  return { provider, config: translate(field, kind, provider, { ...fallback, ...config }) };
}

function translate(field: string, kind: BlockKind, provider: string, config: ConfigObject): ConfigObject {
  const result: ConfigObject = {};
  for (const [key, value] of Object.entries(config)) {
    if (IGNORED_KEYS.has(key) || key === "azure_kwargs" || key === "sslmode" || key === "llm") continue;
    const name = BASE_URL_KEYS.includes(key) ? "baseURL" : camelCase(key);
    // An explicit camelCase key wins over its snake_case spelling.
    if (name !== key && name in config) continue;
    result[name] = value;
  }
  if (config.azure_kwargs !== undefined) applyAzure(field, config.azure_kwargs, result);
  if (kind === "llm" && result.timeout === undefined && provider !== "ollama") result.timeout = DEFAULT_LLM_TIMEOUT_MS;
  if (kind === "reranker" && provider === "llm_reranker" && config.llm !== undefined) {
    const nested = toBlock(`${field} (llm)`, "llm", config.llm);
    result.llm = nested;
  }
  if (kind === "vector_store" && provider === "pgvector") return pgvector(field, result, config);
  if (result.port !== undefined) result.port = toPort(field, result.port);
  return result;
}

/** Python's azure_kwargs -> the AzureOpenAI client options mem0ai reads from modelProperties. */
function applyAzure(field: string, value: unknown, result: ConfigObject): void {
  if (!isJsonObject(value)) throw new ConfigError(field, '"azure_kwargs" must be a JSON object');
  const properties: ConfigObject = isJsonObject(result.modelProperties) ? { ...result.modelProperties } : {};
  const renames: Record<string, string> = {
    azure_endpoint: "endpoint",
    azure_deployment: "deployment",
    api_version: "apiVersion",
    default_headers: "defaultHeaders",
  };
  for (const [key, item] of Object.entries(value)) {
    if (key === "api_key") result.apiKey ??= item;
    else properties[renames[key] ?? camelCase(key)] = item;
  }
  result.modelProperties = properties;
}

function pgvector(field: string, config: ConfigObject, original: ConfigObject): ConfigObject {
  const dims = Number(config.embeddingModelDims ?? config.dimension);
  if (!Number.isInteger(dims) || dims <= 0) {
    throw new ConfigError(
      field,
      'pgvector needs "embedding_model_dims", the embedder\'s vector size (for example 1536 for text-embedding-3-small)',
    );
  }
  const { user, password, host, port, dbname, ...rest } = config;
  const result: ConfigObject = { ...rest, embeddingModelDims: dims, dimension: dims, hnsw: config.hnsw ?? false };
  if (typeof config.connectionString !== "string" || config.connectionString.trim() === "") {
    const missing = (["user", "password", "host", "port"] as const).filter(
      (key) => config[key] === undefined || config[key] === "",
    );
    if (missing.length > 0) {
      throw new ConfigError(
        field,
        `pgvector needs "connection_string", or all of "user", "password", "host", "port" (missing: ${missing.join(", ")})`,
      );
    }
    const credentials = `${encodeURIComponent(String(user))}:${encodeURIComponent(String(password))}`;
    const database = encodeURIComponent(String(dbname ?? "postgres"));
    result.connectionString = `postgresql://${credentials}@${String(host)}:${toPort(field, port)}/${database}`;
  }
  const ssl = sslFromMode(field, original.sslmode);
  if (ssl !== undefined) result.ssl = ssl;
  return result;
}

/** libpq's sslmode as node-postgres options: node-postgres cannot fall back, so prefer/allow mean no TLS. */
function sslFromMode(field: string, mode: unknown): boolean | { rejectUnauthorized: false } | undefined {
  if (mode === undefined || mode === null || mode === "") return undefined;
  switch (String(mode)) {
    case "disable":
    case "allow":
    case "prefer":
      return false;
    case "require":
      return { rejectUnauthorized: false };
    case "verify-ca":
    case "verify-full":
      return true;
    default:
      throw new ConfigError(field, `"sslmode" must be one of disable, allow, prefer, require, verify-ca, verify-full`);
  }
}

function toPort(field: string, value: unknown): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new ConfigError(field, '"port" must be a number from 1 to 65535');
  return port;
}

function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}
