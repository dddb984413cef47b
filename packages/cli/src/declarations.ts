/**
 * The YAML files of a package, generated from the plugin's own definitions by
 * the runtime it depends on (@dify-ts/runtime declarations.ts, the single
 * source). src/plugin.ts is bundled with a small entry that writes the
 * declarations as JSON, and run in a child Node so the plugin's module code
 * never shares the CLI's process or stdout.
 */
import { build } from "esbuild";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { bundleOptions } from "./bundle.js";
import type { PluginProject } from "./project.js";

export type Declaration = Record<string, unknown>;

export interface PluginDeclarations {
  /** manifest.yaml's content. */
  manifest: Declaration;
  /** path in the package (provider/<name>.yaml, tools/<tool>.yaml, group/<name>.yaml, endpoints/<route>.yaml) -> content */
  files: Record<string, Declaration>;
  /** Every icon the declarations name (manifest, provider, tools), to find under _assets/. */
  icons: string[];
  /** Source files the declarations were built from (esbuild metafile keys, relative to the plugin). */
  inputs: string[];
}

const ENTRY = `
import plugin from "./src/plugin.ts";
import * as runtime from "@dify-ts/runtime";
import { writeFileSync } from "node:fs";
const files = {};
const icons = [plugin.manifest.icon, plugin.manifest.icon_dark];
if (plugin.provider) {
  files[runtime.providerFile(plugin)] = runtime.providerYaml(plugin);
  for (const tool of plugin.tools ?? []) files[runtime.toolFile(tool)] = runtime.toolYaml(plugin, tool);
  icons.push(plugin.provider.identity.icon, plugin.provider.identity.icon_dark, ...(plugin.tools ?? []).map((tool) => tool.identity.icon));
}
if (plugin.endpoints) {
  files[runtime.endpointGroupFile(plugin)] = runtime.endpointGroupYaml(plugin.endpoints);
  for (const route of plugin.endpoints.routes) files[runtime.endpointRouteFile(route)] = runtime.endpointRouteYaml(route);
}
writeFileSync(process.argv[2], JSON.stringify({ manifest: runtime.manifestDeclaration(plugin), files, icons: icons.filter(Boolean) }));
`;
const ENTRY_NAME = "dify-ts-declarations.ts";

export async function loadDeclarations(project: PluginProject): Promise<PluginDeclarations> {
  const scratch = await mkdtemp(join(tmpdir(), "dify-ts-declarations-"));
  try {
    const script = join(scratch, "declarations.mjs");
    const result = await build({
      ...bundleOptions(project),
      stdin: { contents: ENTRY, resolveDir: project.dir, sourcefile: ENTRY_NAME, loader: "ts" },
      outfile: script,
    });
    const output = join(scratch, "declarations.json");
    try {
      await promisify(execFile)(process.execPath, [script, output], { cwd: project.dir, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? "";
      throw new Error(
        `loading ${project.pluginEntry} failed: ${stderr.trim().split("\n").slice(-8).join("\n") || (error as Error).message}`,
      );
    }
    const declarations = JSON.parse(await readFile(output, "utf8")) as Omit<PluginDeclarations, "inputs">;
    return { ...declarations, inputs: Object.keys(result.metafile.inputs).filter((input) => input !== ENTRY_NAME) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
