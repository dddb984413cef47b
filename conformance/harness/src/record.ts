/** Records vectors from the Python SDK: runs each definition's lines and keeps what it answered. */
export { difySdkPython } from "@dify-ts/test-support";
import { spawnPythonReference, stopPlugin } from "./plugins.js";
import { SDK_VERSION } from "./paths.js";
import { runVectorFile } from "./run-vectors.js";
import type { VectorFile } from "./vectors.js";

export async function recordFromPython(python: string, definition: VectorFile): Promise<VectorFile> {
  const plugin = spawnPythonReference(python);
  try {
    const run = await runVectorFile(plugin, definition);
    return {
      description: definition.description,
      record_startup: definition.record_startup,
      recorded_from: SDK_VERSION,
      startup: definition.record_startup ? run.startup : undefined,
      cases: definition.cases.map((vectorCase, index) => ({ ...vectorCase, expected: run.cases[index] })),
    };
  } finally {
    await stopPlugin(plugin);
  }
}
