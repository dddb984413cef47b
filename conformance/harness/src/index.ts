/** What bench/sdk-compare uses (it lives outside the workspace, so it imports through here). */
export { PluginProcess, daemonEnvironment } from "@dify-ts/host";
export { difySdkPython, nodeWheelPython, wheelNode, type Lookup } from "@dify-ts/test-support";
export { invoke } from "./cases.js";
export {
  pythonReferenceSpec,
  shippedBundleSpec,
  shippedSpec,
  spawnPythonReference,
  spawnShipped,
  spawnShippedBundle,
  spawnSpec,
  stopPlugin,
  type SpawnSettings,
  type SpawnSpec,
} from "./plugins.js";
export { SDK_VERSION, repositoryRoot } from "./paths.js";
export { hostileInput, runHostileInput, type RobustnessOutcome } from "./robustness.js";
export { shipOurReference, type ShippedPlugin } from "./shipped.js";
