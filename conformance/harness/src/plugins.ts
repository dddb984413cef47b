/**
 * Starts the two reference plugins as the daemon's local runtime does: the
 * Python one with the SDK venv's interpreter (`python -m main` in the plugin
 * directory), ours from TypeScript sources (tests) or from a bundle (bench).
 * Both are children of this process: the SDK exits when its parent is pid 1.
 */
import { PluginProcess } from "@dify-ts/runtime/testing";
import { pythonReferenceDir, tsxLoader, typeScriptReferenceDir, typeScriptReferenceEntry } from "./paths.js";

export type Side = "python" | "ours";

export type Environment = Record<string, string | undefined>;

export function spawnPythonReference(python: string, env: Environment = {}): PluginProcess {
  return PluginProcess.spawn({ command: python, args: ["-m", "main"], cwd: pythonReferenceDir, env });
}

/** Ours from its TypeScript sources on this Node (tsx), as the runtime's own tests run fixtures. */
export function spawnOurReference(env: Environment = {}): PluginProcess {
  return PluginProcess.spawn({
    command: process.execPath,
    args: ["--conditions=source", "--import", tsxLoader, typeScriptReferenceEntry],
    cwd: typeScriptReferenceDir,
    env,
  });
}

/** Ours from a bundle (build/main.js as the packager ships it) on the given Node. */
export function spawnOurBundle(node: string, bundle: string, env: Environment = {}): PluginProcess {
  return PluginProcess.spawn({ command: node, args: [bundle], cwd: typeScriptReferenceDir, env });
}

/** Stops a plugin for good: the SDK never exits on stdin EOF, so both are killed. */
export async function stopPlugin(plugin: PluginProcess): Promise<void> {
  if (plugin.child.exitCode !== null || plugin.child.signalCode !== null) return;
  plugin.kill();
  await plugin.exited;
}
