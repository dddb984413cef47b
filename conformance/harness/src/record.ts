/** Records vectors from the Python SDK: runs each definition's lines and keeps what it answered. */
import { difySdkPython, newestDifySdkPython, type Lookup } from "@dify-ts/test-support";
import { spawnPythonReference, stopPlugin } from "./plugins.js";
import { NEWEST_SDK_VERSION, SDK_VERSION } from "./paths.js";
import { runVectorFile } from "./run-vectors.js";
import type { VectorFile } from "./vectors.js";

/** The SDK a vector file is recorded from: the pinned one, or the newest for files that ask for it. */
export function sdkFor(definition: Pick<VectorFile, "sdk">): { python: Lookup; version: string } {
  return definition.sdk === "newest"
    ? { python: newestDifySdkPython(), version: NEWEST_SDK_VERSION }
    : { python: difySdkPython(), version: SDK_VERSION };
}

export async function recordFromPython(definition: VectorFile): Promise<VectorFile> {
  const { python, version } = sdkFor(definition);
  if (!python.path) throw new Error(`cannot record from ${version}: ${python.reason}`);
  const plugin = spawnPythonReference(python.path);
  try {
    const run = await runVectorFile(plugin, definition);
    return {
      description: definition.description,
      record_startup: definition.record_startup,
      sdk: definition.sdk,
      recorded_from: version,
      startup: definition.record_startup ? run.startup : undefined,
      cases: definition.cases.map((vectorCase, index) => ({ ...vectorCase, expected: run.cases[index] })),
    };
  } finally {
    await stopPlugin(plugin);
  }
}
