/**
 * Our reference plugin as it ships: `dify-ts package` (packagePlugin) builds
 * the .difypkg, which is extracted the way the daemon extracts it. Its YAML is
 * what the declarations are compared against; its launcher (main.py, exec'ing
 * the wheel's Node on app/main.mjs) is what the benchmark starts.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { packagePlugin, readZip } from "@dify-ts/cli";
import { typeScriptReferenceDir } from "./paths.js";

export interface ShippedPlugin {
  /** The extracted package: manifest.yaml, provider/, tools/, _assets/, main.py, app/main.mjs ... */
  directory: string;
  /** The .difypkg. */
  packageFile: string;
  packageBytes: number;
  remove(): Promise<void>;
}

export async function shipOurReference(): Promise<ShippedPlugin> {
  const scratch = await mkdtemp(join(tmpdir(), "conformance-shipped-"));
  try {
    const built = await packagePlugin(typeScriptReferenceDir, { outDir: scratch });
    const directory = join(scratch, "extracted");
    for (const entry of readZip(await readFile(built.file)).entries) {
      if (entry.isDirectory) continue;
      const file = join(directory, entry.name);
      if (relative(directory, file).startsWith(`..${sep}`))
        throw new Error(`package entry ${entry.name} escapes the extraction directory`);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, entry.read(), { mode: 0o644 });
    }
    return {
      directory,
      packageFile: built.file,
      packageBytes: built.bytes,
      remove: () => rm(scratch, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
}
