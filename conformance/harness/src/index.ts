/** What bench/sdk-compare uses (it lives outside the workspace, so it imports through here). */
export { PluginProcess, difySdkPython, nodeWheelPython, wheelNode } from "@dify-ts/runtime/testing";
export { invoke } from "./cases.js";
export { spawnPythonReference, spawnShipped, spawnShippedBundle, stopPlugin, type SpawnSettings } from "./plugins.js";
export { SDK_VERSION } from "./paths.js";
export { hostileInput, runHostileInput, type RobustnessOutcome } from "./robustness.js";
export { shipOurReference, type ShippedPlugin } from "./shipped.js";
