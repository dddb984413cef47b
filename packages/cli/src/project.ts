/** A plugin project on disk (the agreed layout: package.json, src/plugin.ts, src/main.ts, _assets/). */
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

export interface PluginProject {
  dir: string;
  packageName: string;
  packageVersion: string;
  /** package.json "dify": {"alias": {...}}, values resolved to absolute paths when relative. */
  alias: Record<string, string>;
  mainEntry: string;
  pluginEntry: string;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function readProject(pluginDir: string): PluginProject {
  const dir = resolve(pluginDir);
  const packageFile = join(dir, "package.json");
  if (!existsSync(packageFile)) throw new UsageError(`${dir} is not a plugin directory: package.json is missing`);
  let manifest: { name?: unknown; version?: unknown; dify?: { alias?: Record<string, unknown> } };
  try {
    manifest = JSON.parse(readFileSync(packageFile, "utf8")) as typeof manifest;
  } catch (error) {
    throw new UsageError(`${packageFile} is not valid JSON: ${(error as Error).message}`);
  }
  const alias: Record<string, string> = {};
  for (const [name, target] of Object.entries(manifest.dify?.alias ?? {})) {
    if (typeof target !== "string")
      throw new UsageError(
        `package.json dify.alias["${name}"] must be a string (a package name or a path like ./src/shims/x.ts)`,
      );
    alias[name] = target.startsWith(".") || isAbsolute(target) ? resolve(dir, target) : target;
  }
  const mainEntry = join(dir, "src", "main.ts");
  const pluginEntry = join(dir, "src", "plugin.ts");
  for (const entry of [mainEntry, pluginEntry]) {
    if (!existsSync(entry))
      throw new UsageError(
        `${entry} is missing: a plugin has src/plugin.ts (export default definePlugin(...)) and src/main.ts (await runPlugin(plugin))`,
      );
  }
  return {
    dir,
    packageName: typeof manifest.name === "string" ? manifest.name : "",
    packageVersion: typeof manifest.version === "string" ? manifest.version : "",
    alias,
    mainEntry,
    pluginEntry,
  };
}
