/** Spawns a TypeScript plugin entry (for tests): Node with tsx, resolving workspace packages to source. */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { PluginProcess } from "@dify-ts/host";

const require = createRequire(import.meta.url);

export function spawnTypeScriptPlugin(
  entry: string,
  env: Record<string, string | undefined> = {},
  cwd = dirname(entry),
): PluginProcess {
  const tsx = require.resolve("tsx");
  return PluginProcess.spawn({
    command: process.execPath,
    args: ["--conditions=source", "--import", tsx, entry],
    cwd,
    env,
  });
}
