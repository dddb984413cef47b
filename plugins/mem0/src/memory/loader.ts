/**
 * Loads mem0ai on first use. mem0ai reads MEM0_TELEMETRY once, when its module
 * is evaluated, and otherwise sends usage events (awaited inside add/search,
 * with no timeout); a dynamic import after setting the variable is the only
 * order that holds in every bundling. MEM0_DIR (mem0ai's own id and notice
 * file) goes under the plugin's data directory instead of ~/.mem0.
 */
import { join } from "node:path";

export type Mem0Module = typeof import("mem0ai/oss");

let loading: Promise<Mem0Module> | undefined;

export function loadMem0(dataDirectory: string): Promise<Mem0Module> {
  process.env.MEM0_TELEMETRY = "false";
  process.env.MEM0_DIR ??= join(dataDirectory, "mem0-sdk");
  loading ??= import("mem0ai/oss").catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
