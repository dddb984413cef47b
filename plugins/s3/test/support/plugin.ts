/** Drives the S3 plugin the way the daemon does: its real entry over stdio. */
import { fileURLToPath } from "node:url";
import { type PluginProcess, type SessionResult } from "@dify-ts/host";
import { spawnTypeScriptPlugin } from "@dify-ts/test-support";

// Re-exported for bench/s3, which sits outside any package and reaches dependencies through here.
export { PluginProcess, reassemble } from "@dify-ts/host";
export { wheelNode } from "@dify-ts/test-support";
import type { JsonObject } from "@dify-ts/runtime";

export const pluginRoot = fileURLToPath(new URL("../..", import.meta.url));
export const pluginEntry = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

export function startPlugin(env: Record<string, string> = {}): PluginProcess {
  return spawnTypeScriptPlugin(pluginEntry, env, pluginRoot);
}

export type Credentials = Record<string, string | boolean | undefined>;

export function invokeTool(
  plugin: PluginProcess,
  credentials: Credentials,
  tool: string,
  parameters: JsonObject = {},
): Promise<SessionResult> {
  return plugin.request({
    type: "tool",
    action: "invoke_tool",
    provider: "s3",
    tool,
    credentials: clean(credentials),
    tool_parameters: parameters,
    user_id: "u1",
  });
}

export function validateCredentials(plugin: PluginProcess, credentials: Credentials): Promise<SessionResult> {
  return plugin.request({
    type: "tool",
    action: "validate_tool_credentials",
    provider: "s3",
    credentials: clean(credentials),
  });
}

function clean(credentials: Credentials): JsonObject {
  const result: JsonObject = {};
  for (const [name, value] of Object.entries(credentials)) if (value !== undefined) result[name] = value;
  return result;
}
