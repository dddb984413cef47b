/**
 * A vector file holds cases run in order against ONE plugin process (the SDK
 * starts slowly). Each case is a list of daemon-to-plugin lines (an object is
 * written as compact JSON, a string exactly as it is, malformed or not) and
 * the normalised events the SDK answered with.
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { JsonObject, JsonValue } from "@dify-ts/runtime";
import { sortKeys } from "./canonical.js";
import type { Observed } from "./normalise.js";
import { vectorsDir } from "./paths.js";

export type InputLine = string | JsonObject;

/** How the stand-in daemon answers a backwards invocation (an `invoke` session message) during a case. */
export interface BackwardsRule {
  /** Fields the invoke message's data must contain (a deep subset), e.g. {"type": "storage", "request": {"opt": "get"}}. */
  match: JsonObject;
  /**
   * The daemon's backwards_response events, in order; the invocation's backwards_request_id is filled in, and
   * `{signed_upload_url}` in the data becomes the URL of the runner's stand-in upload endpoint.
   */
  respond: { event: "response" | "error" | "end"; message?: string; data?: JsonObject | null }[];
}

export interface VectorCase {
  name: string;
  description: string;
  input: InputLine[];
  /** Answers to the backwards invocations the case's requests make, first matching rule wins. */
  backwards?: BackwardsRule[];
  /** Filled in by the recorder from the Python SDK. */
  expected?: Observed;
}

export interface VectorFile {
  description: string;
  /** Compare what the plugin writes on its own at start-up (one file does; the rest skip it). */
  record_startup?: boolean;
  /** The SDK the expectations come from. */
  recorded_from?: string;
  /** Events a plugin writes on its own before the first request (apart from heartbeats). */
  startup?: Observed;
  cases: VectorCase[];
}

export function renderLine(line: InputLine): string {
  return typeof line === "string" ? line : JSON.stringify(line);
}

export function listVectorFiles(): string[] {
  return readdirSync(vectorsDir)
    .filter((name) => name.endsWith(".json"))
    .sort();
}

export function readVectorFile(name: string): VectorFile {
  return JSON.parse(readFileSync(join(vectorsDir, name), "utf8")) as VectorFile;
}

export function writeVectorFile(name: string, file: VectorFile): void {
  const ordered = {
    description: file.description,
    record_startup: file.record_startup,
    recorded_from: file.recorded_from,
    startup: file.startup && sortObserved(file.startup),
    cases: file.cases.map((vectorCase) => ({
      ...vectorCase,
      expected: vectorCase.expected && sortObserved(vectorCase.expected),
    })),
  };
  writeFileSync(join(vectorsDir, name), JSON.stringify(ordered, null, 2) + "\n");
}

function sortObserved(observed: Observed): JsonValue {
  return { sessions: sortKeys(observed.sessions), global: observed.global };
}

/** The session ids a case's well-formed request lines open: each must end. */
export function requestedSessions(input: readonly InputLine[]): string[] {
  const ids: string[] = [];
  for (const line of input) {
    let parsed: unknown = line;
    if (typeof line === "string") {
      try {
        parsed = JSON.parse(line);
      } catch {
        continue;
      }
    }
    const request = parsed as { session_id?: unknown; event?: unknown; data?: unknown };
    if (
      typeof request === "object" &&
      request !== null &&
      typeof request.session_id === "string" &&
      request.event === "request" &&
      typeof request.data === "object" &&
      request.data !== null &&
      !Array.isArray(request.data)
    )
      ids.push(request.session_id);
  }
  return ids;
}
