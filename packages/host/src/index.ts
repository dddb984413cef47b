export { PluginProcess, DEFAULT_TENANT, daemonEnvironment, eventually, type SpawnOptions } from "./plugin-process.js";
export { TenantStorage } from "./tenant-storage.js";
export { SessionCollector, type ReceivedEvent, type SessionResult } from "./sessions.js";
export { reassemble, type ReassembledMessages } from "./reassemble.js";
export { StandInDaemon, type Registration } from "./stand-in-daemon.js";
export {
  BackwardsTransactionServer,
  invokeServerless,
  type BackwardsAnswer,
  type BackwardsReply,
} from "./serverless.js";
