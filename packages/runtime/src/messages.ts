/**
 * Messages a tool handler emits, and their conversion to the wire form the
 * Python SDK sends. Blobs become 8 KiB blob_chunk runs; every other kind is
 * kept under the daemon's 5 MiB line limit (text is split, the rest refused
 * with a clear error), so no line the runtime writes can exceed it.
 */
import { randomUUID } from "node:crypto";
import {
  BLOB_CHUNK_BYTES,
  MAX_LINE_BYTES,
  type JsonObject,
  type JsonValue,
  type WireToolMessage,
} from "@dify-ts/protocol";

export type BlobSource = Uint8Array | AsyncIterable<Uint8Array>;

export interface BlobMeta {
  mime_type: string;
  filename?: string;
  [key: string]: JsonValue | undefined;
}

export type LogStatus = "start" | "error" | "success";

export type ToolMessage =
  | { type: "text"; text: string }
  | { type: "json"; json: JsonObject | JsonValue[] }
  | { type: "link"; url: string }
  | { type: "image"; url: string }
  | { type: "image_link"; url: string }
  | { type: "blob"; data: BlobSource; meta: BlobMeta; size?: number }
  | { type: "variable"; name: string; value: JsonValue; stream: boolean }
  | {
      type: "log";
      id: string;
      label: string;
      status: LogStatus;
      data: JsonObject;
      parent_id?: string;
      error?: string;
      metadata?: LogMetadata;
    }
  | { type: "retriever_resources"; resources: readonly RetrieverResource[]; context: string };

/** What Dify shows with an agent log entry (the SDK's LogMetadata keys). */
export interface LogMetadata {
  started_at?: number;
  finished_at?: number;
  elapsed_time?: number;
  provider?: string;
  currency?: string;
  total_price?: number;
  total_tokens?: number;
  [key: string]: JsonValue | undefined;
}

/** A knowledge source Dify cites under the answer (the SDK's RetrieverResource); every field is optional. */
export interface RetrieverResource {
  position?: number;
  dataset_id?: string;
  dataset_name?: string;
  document_id?: string;
  document_name?: string;
  data_source_type?: string;
  segment_id?: string;
  retriever_from?: string;
  score?: number;
  hit_count?: number;
  word_count?: number;
  segment_position?: number;
  index_node_hash?: string;
  content?: string;
  page?: number;
  doc_metadata?: JsonObject;
}

const RETRIEVER_RESOURCE_FIELDS = [
  "position",
  "dataset_id",
  "dataset_name",
  "document_id",
  "document_name",
  "data_source_type",
  "segment_id",
  "retriever_from",
  "score",
  "hit_count",
  "word_count",
  "segment_position",
  "index_node_hash",
  "content",
  "page",
  "doc_metadata",
] as const satisfies readonly (keyof RetrieverResource)[];

export const text = (value: string): ToolMessage => ({ type: "text", text: value });
export const json = (value: JsonObject | JsonValue[]): ToolMessage => ({ type: "json", json: value });
export const link = (url: string): ToolMessage => ({ type: "link", url });
export const image = (url: string): ToolMessage => ({ type: "image", url });
/** An image Dify links to rather than stores (the SDK's IMAGE_LINK message type). */
export const imageLink = (url: string): ToolMessage => ({ type: "image_link", url });
/** Sources Dify lists under the answer, with the context text drawn from them (create_retriever_resource_message). */
export const retrieverResources = (resources: readonly RetrieverResource[], context: string): ToolMessage => ({
  type: "retriever_resources",
  resources,
  context,
});
/**
 * A file for Dify to store. `data` may be bytes or a stream; pass `size` with a
 * stream so every chunk can carry the total length, as the SDK's do.
 */
export const blob = (data: BlobSource, meta: BlobMeta, size?: number): ToolMessage => ({
  type: "blob",
  data,
  meta,
  size,
});
export const variable = (name: string, value: JsonValue): ToolMessage => ({
  type: "variable",
  name,
  value,
  stream: false,
});
/** One piece of a streamed string variable; Dify appends the pieces. */
export const streamVariable = (name: string, piece: string): ToolMessage => ({
  type: "variable",
  name,
  value: piece,
  stream: true,
});
export const log = (
  label: string,
  status: LogStatus,
  data: JsonObject = {},
  options: { id?: string; parent_id?: string; error?: string; metadata?: LogMetadata } = {},
): ToolMessage => ({ type: "log", id: options.id ?? randomUUID(), label, status, data, ...options });

export class MessageTooLargeError extends Error {
  readonly errorType = "MessageTooLargeError";
  constructor(kind: string, bytes: number) {
    super(
      `a ${kind} message of ${bytes} bytes exceeds the daemon's ${MAX_LINE_BYTES}-byte line limit; ` +
        `return large data as a blob (it is chunked) or split it`,
    );
    this.name = "MessageTooLargeError";
  }
}

// Room for the event envelope around a message: {"event":"session","session_id":...}.
const ENVELOPE_BYTES = 4096;
const MESSAGE_BUDGET = MAX_LINE_BYTES - ENVELOPE_BYTES;
// Text is split into pieces that stay far below the line limit even when every
// character needs a \uXXXX escape (6 bytes) in JSON.
const TEXT_PIECE_CHARS = Math.floor(MESSAGE_BUDGET / 6);

/**
 * Converts one handler message into the wire messages that carry it: a blob's chunks as its source is read, every
 * other kind at once (a plain list keeps the common case free of async-generator steps).
 */
export function toWire(message: ToolMessage): Iterable<WireToolMessage> | AsyncIterable<WireToolMessage> {
  return message.type === "blob"
    ? blobChunks(message.data, stripUndefined(message.meta), message.size)
    : wireMessages(message);
}

function* wireMessages(message: Exclude<ToolMessage, { type: "blob" }>): Generator<WireToolMessage> {
  switch (message.type) {
    case "text":
      for (const piece of pieces(message.text)) yield { type: "text", message: { text: piece }, meta: null };
      return;
    case "link":
    case "image":
    case "image_link":
      yield checked(message.type, { type: message.type, message: { text: message.url }, meta: null });
      return;
    case "json":
      yield checked("json", { type: "json", message: { json_object: message.json }, meta: null });
      return;
    case "variable":
      if (message.stream && typeof message.value === "string") {
        for (const piece of pieces(message.value)) {
          yield {
            type: "variable",
            message: { variable_name: message.name, variable_value: piece, stream: true },
            meta: null,
          };
        }
        return;
      }
      yield checked("variable", {
        type: "variable",
        message: { variable_name: message.name, variable_value: message.value, stream: message.stream },
        meta: null,
      });
      return;
    case "log":
      yield checked("log", {
        type: "log",
        message: {
          id: message.id,
          label: message.label,
          parent_id: message.parent_id ?? null,
          error: message.error ?? null,
          status: message.status,
          data: message.data,
          metadata: message.metadata ? stripUndefined(message.metadata) : null,
        },
        meta: null,
      });
      return;
    case "retriever_resources":
      yield checked("retriever_resources", {
        type: "retriever_resources",
        message: { retriever_resources: message.resources.map(retrieverResourceJson), context: message.context },
        meta: null,
      });
      return;
  }
}

/** The SDK's framing: chunks of at most 8 KiB, each with id/sequence/total_length, then an empty `end` chunk. */
async function* blobChunks(
  data: BlobSource,
  meta: JsonObject,
  size: number | undefined,
): AsyncGenerator<WireToolMessage> {
  const id = randomUUID().replaceAll("-", "");
  let sequence = 0;
  let seen = 0;
  const totalLength = data instanceof Uint8Array ? data.byteLength : size;
  const chunk = (bytes: Uint8Array, end: boolean): WireToolMessage => ({
    type: "blob_chunk",
    message: {
      id,
      sequence: sequence++,
      total_length: totalLength ?? -1,
      blob: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"),
      end,
    },
    meta,
  });
  let carry: Uint8Array = new Uint8Array(0);
  for await (const piece of data instanceof Uint8Array ? [data] : data) {
    let bytes = carry.byteLength > 0 ? Buffer.concat([carry, piece]) : piece;
    seen += piece.byteLength;
    while (bytes.byteLength >= BLOB_CHUNK_BYTES) {
      yield chunk(bytes.subarray(0, BLOB_CHUNK_BYTES), false);
      bytes = bytes.subarray(BLOB_CHUNK_BYTES);
    }
    carry = bytes;
  }
  if (carry.byteLength > 0) yield chunk(carry, false);
  if (totalLength !== undefined && seen !== totalLength) {
    throw new Error(`blob stream ended after ${seen} bytes but its declared size was ${totalLength}`);
  }
  yield chunk(new Uint8Array(0), true);
}

function checked(kind: string, message: WireToolMessage): WireToolMessage {
  const bytes = Buffer.byteLength(JSON.stringify(message));
  if (bytes > MESSAGE_BUDGET) throw new MessageTooLargeError(kind, bytes);
  return message;
}

/** Splits a string into line-safe pieces without cutting a surrogate pair; "" stays one piece. */
function* pieces(value: string): Generator<string> {
  let start = 0;
  do {
    let end = Math.min(value.length, start + TEXT_PIECE_CHARS);
    const last = value.charCodeAt(end - 1);
    if (end < value.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    yield value.slice(start, end);
    start = end;
  } while (start < value.length);
}

/** Every field, absent ones as null: the SDK serialises the whole RetrieverResource model. */
function retrieverResourceJson(resource: RetrieverResource): JsonObject {
  const result: JsonObject = {};
  for (const field of RETRIEVER_RESOURCE_FIELDS) result[field] = resource[field] ?? null;
  return result;
}

function stripUndefined(meta: Record<string, JsonValue | undefined>): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(meta)) if (value !== undefined) result[key] = value;
  return result;
}
