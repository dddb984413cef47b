/**
 * Reads one line the daemon wrote: a request or a backwards_response. A line
 * that cannot be served is described (what is wrong, and the session id when
 * one can be read, even from text that is not JSON) so the dispatcher can
 * answer that session or log the problem.
 */
import type { DaemonLine } from "./wire.js";

export type ParsedLine = { line: DaemonLine; problem?: undefined } | { line?: undefined; problem: string; sessionId?: string };

export function parseDaemonLine(text: string): ParsedLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { problem: `malformed line, not JSON: ${(error as Error).message}`, sessionId: sessionIdInText(text) };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { problem: "malformed line: expected a JSON object" };
  const object = parsed as Record<string, unknown>;
  const sessionId = typeof object.session_id === "string" && object.session_id !== "" ? object.session_id : undefined;
  if (!sessionId) return { problem: "malformed line: session_id must be a non-empty string" };
  if (object.event !== "request" && object.event !== "backwards_response") {
    return { problem: `unknown event ${JSON.stringify(object.event)}: expected "request" or "backwards_response"`, sessionId };
  }
  if (typeof object.data !== "object" || object.data === null || Array.isArray(object.data)) {
    return { problem: "malformed line: data must be a JSON object", sessionId };
  }
  return { line: object as unknown as DaemonLine };
}

/** The session id in the raw text of a line that did not parse (a truncated request still names its session). */
function sessionIdInText(text: string): string | undefined {
  return /"session_id"\s*:\s*"([^"\\]{1,200})"/.exec(text)?.[1];
}

/**
 * The session id of a line known only by its first bytes (a request too large
 * to read). The daemon writes `session_id` as the first key; reading only
 * there means a key of the same name inside the request's data never counts.
 */
export function sessionIdAtLineStart(head: string): string | undefined {
  return /^\{\s*"session_id"\s*:\s*"([^"\\]{1,200})"/.exec(head)?.[1];
}
