export * from "./definitions.js";
export * from "./messages.js";
export * from "./errors.js";
export type { ToolContext, SecretRegistry, SessionInfo, DifyInvocations } from "./context.js";
export type { Logger, LogLevel } from "./logger.js";
export { truncate } from "./logger.js";
export type { InvokeType } from "./backwards.js";
export type * from "./invocation-types.js";
export { runPlugin, type RunOptions, type RunningPlugin } from "./run.js";
export { Dispatcher, type DispatcherOptions } from "./dispatcher.js";
export { readConfig, loadEnvironment, parseDotenv, type RuntimeConfig, type InstallMethod } from "./config.js";
export {
  manifestDeclaration,
  providerYaml,
  toolYaml,
  toolDeclaration,
  providerFile,
  toolFile,
  endpointGroupFile,
  endpointRouteFile,
  endpointGroupYaml,
  endpointRouteYaml,
  endpointDeclaration,
  RUNNER,
  ARCH,
  MANIFEST_FORMAT_VERSION,
} from "./declarations.js";
export { openDifyFile, resolveFileUrl, FileDownloadError, type OpenFileOptions, type OpenedFile } from "./files.js";
export { withDeadline, TimeoutError, type DeadlineOutcome } from "./deadline.js";
export { Redactor } from "./redact.js";
export { ConnectionLostError, type Transport, type Route } from "./transport/transport.js";
export { StdioTransport } from "./transport/stdio.js";
export { TcpTransport, registrationLines, type TcpTransportOptions } from "./transport/tcp.js";
export { HttpTransport, type HttpTransportOptions } from "./transport/http.js";
export { InMemoryTransport } from "./transport/in-memory.js";
// The wire types and framing, re-exported so a plugin needs one import; the rest of the protocol is @dify-ts/protocol's.
export {
  createLineParser,
  LineParseError,
  type LineParser,
  type JsonObject,
  type JsonValue,
  type BackwardsResponse,
  type PluginEvent,
  type SessionMessage,
  type SessionMessageType,
  type WireToolMessage,
  type WireSessionError,
  type InitializeMessage,
  type InitializeMessageType,
  MAX_LINE_BYTES,
  MAX_INPUT_LINE_BYTES,
  BLOB_CHUNK_BYTES,
  serializeEvent,
} from "@dify-ts/protocol";
// The durable work queue (journal, replay, failure classes) is its own entry point, @dify-ts/runtime/work-queue:
// only plugins that accept writes for later need it.
