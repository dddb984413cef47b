/**
 * The daemon's JSON-lines protocol, as the Python SDK (dify_plugin) speaks it:
 * what the plugin writes (`PluginEvent`), its limits, and its serialisation.
 * What the daemon writes is typed and decoded in requests.ts.
 */

import type { JsonObject, JsonValue } from "./json.js";

export type SessionMessageType = "stream" | "end" | "error" | "invoke";

/** The `data` of a `session` event. */
export interface SessionMessage {
  type: SessionMessageType;
  data: JsonObject;
}

/** One line the plugin writes to the daemon. */
export type PluginEvent =
  | { event: "heartbeat"; session_id: null; data: Record<string, never> }
  | { event: "session"; session_id: string; data: SessionMessage }
  | { event: "log"; session_id: null; data: JsonObject }
  | { event: "error"; session_id: string | null; data: JsonObject };

/** A tool message as it travels inside a `stream` session message. */
export interface WireToolMessage {
  type:
    | "text"
    | "json"
    | "link"
    | "image"
    | "image_link"
    | "blob"
    | "blob_chunk"
    | "variable"
    | "log"
    | "retriever_resources";
  message: JsonObject | null;
  meta: JsonObject | null;
}

/** What the SDK sends in a session `error` message. */
export interface WireSessionError extends JsonObject {
  error_type: string;
  message: string;
  args: JsonObject;
}

/** Remote-debug (TCP) registration messages, sent before any request. */
export type InitializeMessageType =
  "handshake" | "manifest_declaration" | "tool_declaration" | "endpoint_declaration" | "asset_chunk" | "end";

export interface InitializeMessage {
  type: InitializeMessageType;
  data: JsonObject | JsonValue[];
}

/**
 * The daemon reads stdout with a bufio.Scanner capped at 5 MiB
 * (PLUGIN_RUNTIME_MAX_BUFFER_SIZE) and kills a plugin whose line is longer.
 */
export const MAX_LINE_BYTES = 5 * 1024 * 1024;

/**
 * The largest request line the plugin reads (the daemon sends requests of any
 * size). A longer one is dropped unread and its session answered with an error.
 * It holds the largest invoke_endpoint the daemon forwards: a 10 MiB body and
 * Go's 1 MiB of headers, hex-encoded (twice the bytes), plus the envelope.
 */
export const MAX_INPUT_LINE_BYTES = 24 * 1024 * 1024;

/** The SDK splits blobs into chunks of this many bytes; Dify rejects larger ones. */
export const BLOB_CHUNK_BYTES = 8192;

/** Serialises one event the way the SDK does: compact JSON followed by a blank line. */
export function serializeEvent(event: PluginEvent | InitializeMessage): string {
  if (
    "event" in event &&
    event.event === "session" &&
    event.data.type === "stream" &&
    event.data.data.type === "blob_chunk"
  ) {
    return serializeBlobChunk(event.session_id, event.data.data as unknown as WireToolMessage);
  }
  return JSON.stringify(event) + "\n\n";
}

/**
 * A blob is thousands of chunk lines, each mostly base64, which never needs
 * escaping: building the line around it is several times cheaper than
 * JSON.stringify scanning it. Same bytes, same key order as the generic path.
 */
function serializeBlobChunk(sessionId: string, wire: WireToolMessage): string {
  const chunk = wire.message as { id: string; sequence: number; total_length: number; blob: string; end: boolean };
  return (
    `{"event":"session","session_id":${JSON.stringify(sessionId)},"data":{"type":"stream","data":{"type":"blob_chunk",` +
    `"message":{"id":${JSON.stringify(chunk.id)},"sequence":${chunk.sequence},"total_length":${chunk.total_length},` +
    `"blob":"${chunk.blob}","end":${chunk.end}},"meta":${JSON.stringify(wire.meta)}}}}\n\n`
  );
}
