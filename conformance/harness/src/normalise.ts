/**
 * Turns what a plugin wrote into what must be equal between the SDK and ours:
 * heartbeats are dropped (timing), sessions are keyed by id (interleaving of
 * concurrent sessions does not matter, order within one session does), random
 * ids (blob, log and backwards request ids) become "blob-1", "log-1" by first appearance in their
 * session, log timestamps and error tracebacks are dropped, and runs of blob
 * chunks are summarised (count, exact bytes per chunk, sha256 of their bytes)
 * so a 30 MB blob stays a few lines in a vector while chunking is still
 * compared exactly. An endpoint's answer (stream messages of status, headers
 * and hex body chunks) becomes the one HTTP response the daemon assembles from
 * them, header names in lower case (Go canonicalises them), because where the
 * body is split is the handler's business. Events outside sessions are
 * compared as a sorted multiset.
 */
import { createHash, type Hash } from "node:crypto";
import type { JsonObject, JsonValue } from "@dify-ts/runtime";
import type { ReceivedEvent } from "@dify-ts/host";
import { isJsonObject } from "@dify-ts/protocol";
import { canonical, sortKeys } from "./canonical.js";

/** What one case (or start-up) produced, normalised. */
// A type alias (not an interface) so it is assignable to JsonValue.
export type Observed = {
  sessions: Record<string, JsonValue[]>;
  global: JsonValue[];
};

export function normaliseEvents(
  events: readonly ReceivedEvent[],
  ignoreSession: (sessionId: string) => boolean = () => false,
): Observed {
  const bySession = new Map<string, JsonObject[]>();
  const global: JsonValue[] = [];
  for (const event of events) {
    if (event.event === "heartbeat") continue;
    if (event.event === "session" && typeof event.session_id === "string") {
      if (ignoreSession(event.session_id)) continue;
      const list = bySession.get(event.session_id) ?? [];
      bySession.set(event.session_id, list);
      list.push(event.data as JsonObject);
      continue;
    }
    global.push(normaliseGlobal(event));
  }
  const sessions: Record<string, JsonValue[]> = {};
  for (const id of [...bySession.keys()].sort()) sessions[id] = normaliseSession(bySession.get(id)!);
  return { sessions, global: global.map(sortKeys).sort((a, b) => canonical(a).localeCompare(canonical(b))) };
}

function normaliseGlobal(event: ReceivedEvent): JsonValue {
  const data = isJsonObject(event.data) ? { ...event.data } : event.data;
  // The SDK's logger writes log events without a session_id key; the daemon decodes absent and null alike.
  const normalised: JsonObject = { event: event.event, session_id: event.session_id ?? null, data };
  if (event.event === "log" && isJsonObject(data) && "timestamp" in data) data.timestamp = "<timestamp>";
  if (event.event === "error" && isJsonObject(data)) stripTraceback(data);
  return normalised;
}

function stripTraceback(data: JsonObject): void {
  if (isJsonObject(data.args) && "traceback" in data.args) {
    const { traceback: _ignored, ...rest } = data.args;
    data.args = rest;
  }
}

interface EndpointResponse extends JsonObject {
  status: number | null;
  headers: JsonObject;
  body: string;
}

/** A stream message of an endpoint's answer: only a numeric status, headers and a hex result; no message type. */
function isEndpointChunk(data: JsonValue | undefined): data is JsonObject {
  if (!isJsonObject(data) || Object.keys(data).length === 0) return false;
  return Object.entries(data).every(
    ([key, value]) =>
      (key === "status" && typeof value === "number") ||
      (key === "headers" && isJsonObject(value)) ||
      (key === "result" && typeof value === "string"),
  );
}

interface BlobRun extends JsonObject {
  id: string;
  first_sequence: number;
  count: number;
  bytes_each: number;
  total_length: number;
  end: boolean;
  meta: JsonValue;
  sha256: string;
}

function normaliseSession(messages: readonly JsonObject[]): JsonValue[] {
  const ids = new Map<string, string>();
  const rename = (kind: string, id: JsonValue | undefined): JsonValue => {
    if (typeof id !== "string") return id ?? null;
    const key = `${kind}:${id}`;
    if (!ids.has(key)) ids.set(key, `${kind}-${[...ids.keys()].filter((k) => k.startsWith(`${kind}:`)).length + 1}`);
    return ids.get(key)!;
  };
  const out: JsonValue[] = [];
  const hashes = new Map<BlobRun, Hash>();
  let run: BlobRun | undefined;
  let response: EndpointResponse | undefined;
  for (const message of messages) {
    const data = message.data;
    if (message.type === "stream" && isEndpointChunk(data)) {
      if (!response) {
        response = { status: null, headers: {}, body: "" };
        out.push({ type: "stream", endpoint_response: response });
      }
      if (typeof data.status === "number") response.status = data.status;
      if (isJsonObject(data.headers))
        for (const [name, value] of Object.entries(data.headers)) response.headers[name.toLowerCase()] = value;
      if (typeof data.result === "string") response.body += Buffer.from(data.result, "hex").toString("utf8");
      continue;
    }
    response = undefined;
    if (message.type === "stream" && isJsonObject(data) && data.type === "blob_chunk" && isJsonObject(data.message)) {
      const chunk = data.message;
      const bytes = Buffer.from(String(chunk.blob), "base64");
      const id = rename("blob", chunk.id) as string;
      const sequence = Number(chunk.sequence);
      const continues =
        run !== undefined &&
        !run.end &&
        chunk.end === false &&
        run.id === id &&
        run.bytes_each === bytes.length &&
        run.first_sequence + run.count === sequence &&
        run.total_length === chunk.total_length &&
        canonical(run.meta) === canonical(data.meta ?? null);
      if (continues) {
        run!.count += 1;
      } else {
        run = {
          id,
          first_sequence: sequence,
          count: 1,
          bytes_each: bytes.length,
          total_length: Number(chunk.total_length),
          end: chunk.end === true,
          meta: data.meta ?? null,
          sha256: "",
        };
        hashes.set(run, createHash("sha256"));
        out.push({ type: "stream", blob_chunks: run });
      }
      hashes.get(run!)!.update(bytes);
      continue;
    }
    run = undefined;
    if (message.type === "stream" && isJsonObject(data) && data.type === "log" && isJsonObject(data.message)) {
      const log = data.message;
      out.push({
        ...message,
        data: { ...data, message: { ...log, id: rename("log", log.id), parent_id: rename("log", log.parent_id) } },
      });
    } else if (message.type === "invoke" && isJsonObject(data)) {
      out.push({ ...message, data: { ...data, backwards_request_id: rename("backwards", data.backwards_request_id) } });
    } else if (message.type === "error" && isJsonObject(data)) {
      const copy = { ...data };
      stripTraceback(copy);
      out.push({ ...message, data: copy });
    } else {
      out.push(message);
    }
  }
  for (const [blobRun, hash] of hashes) blobRun.sha256 = hash.digest("hex");
  return out.map(sortKeys);
}
