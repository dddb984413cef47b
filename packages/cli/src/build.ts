/**
 * The expensive half of packaging, done once per source state: the bundle
 * (build/app/main.mjs) and the declarations, recorded in build/dify-ts-build.json
 * with every source file they came from. `package` reuses a build whose
 * inputs are all older than it, as make would; `bundle` always rebuilds.
 */
import { version as esbuildVersion } from "esbuild";
import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { bundlePlugin } from "./bundle.js";
import { loadDeclarations, type PluginDeclarations } from "./declarations.js";
import type { PluginProject } from "./project.js";

export interface BuildOptions {
  minify?: boolean;
  sourcemap?: boolean;
  /** Reuse build/ when nothing it was built from changed since. */
  reuse?: boolean;
}

export interface PluginBuild {
  bundleFile: string;
  bundleBytes: number;
  /** Every source file of the bundle and the declarations (relative to the plugin). */
  inputs: string[];
  declarations: PluginDeclarations;
  warnings: string[];
  reused: boolean;
}

interface BuildRecord {
  format: string;
  options: { minify: boolean; sourcemap: boolean };
  startedAt: number;
  build: Omit<PluginBuild, "reused" | "bundleFile">;
}

// A new esbuild or record layout invalidates every recorded build.
const FORMAT = `1/esbuild ${esbuildVersion}`;

export async function buildPlugin(project: PluginProject, options: BuildOptions = {}): Promise<PluginBuild> {
  const bundleFile = join(project.dir, "build", "app", "main.mjs");
  const recordFile = join(project.dir, "build", "dify-ts-build.json");
  const wanted = { minify: options.minify ?? false, sourcemap: options.sourcemap ?? false };
  if (options.reuse) {
    const record = await freshRecord(project, recordFile, wanted, bundleFile);
    if (record) return { ...record.build, bundleFile, reused: true };
  }
  const startedAt = Date.now();
  const [bundling, loading] = await Promise.allSettled([
    bundlePlugin(project.dir, { outFile: bundleFile, ...wanted }),
    loadDeclarations(project),
  ]);
  // A bundle failure (a native addon, say) explains a failed declarations load too: report it first.
  if (bundling.status === "rejected") throw bundling.reason;
  if (loading.status === "rejected") throw loading.reason;
  const [bundled, declarations] = [bundling.value, loading.value];
  const build = {
    bundleBytes: bundled.bytes,
    inputs: [...new Set([...bundled.inputs, ...declarations.inputs])].filter(
      (input) => !input.startsWith("<") && !input.includes(":"),
    ),
    declarations,
    warnings: bundled.warnings,
  };
  const record: BuildRecord = { format: FORMAT, options: wanted, startedAt, build };
  await writeFile(recordFile, JSON.stringify(record));
  return { ...build, bundleFile, reused: false };
}

async function freshRecord(
  project: PluginProject,
  recordFile: string,
  wanted: BuildRecord["options"],
  bundleFile: string,
): Promise<BuildRecord | undefined> {
  if (!existsSync(recordFile) || !existsSync(bundleFile)) return undefined;
  let record: BuildRecord;
  try {
    record = JSON.parse(await readFile(recordFile, "utf8")) as BuildRecord;
  } catch {
    return undefined;
  }
  if (
    record.format !== FORMAT ||
    record.options.minify !== wanted.minify ||
    record.options.sourcemap !== wanted.sourcemap
  )
    return undefined;
  const sources = [...record.build.inputs, "package.json", "tsconfig.json"].map((input) => resolve(project.dir, input));
  for (const source of sources) {
    const info = await stat(source).catch(() => undefined);
    if (info === undefined ? !source.endsWith("tsconfig.json") : info.mtimeMs >= record.startedAt) return undefined;
  }
  return record;
}
