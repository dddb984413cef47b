export {
  actionlint,
  difySdkPython,
  holdingBuildLock,
  nodeWheelPython,
  repositoryRoot,
  verdaccio,
  versitygw,
  wheelNode,
  type Lookup,
} from "./environment.js";
export { spawnTypeScriptPlugin } from "./spawn-fixture.js";
export { mountSmallDisk, type SmallDisk } from "./tmpfs.js";
export {
  startDifyServiceApi,
  type DifyServiceApiStandIn,
  type StandInConversation,
  type StandInMessage,
} from "./dify-service-api.js";
export { startNpmRegistry, type NpmRegistry } from "./npm-registry.js";
