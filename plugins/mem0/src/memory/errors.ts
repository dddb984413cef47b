/**
 * Which failures are worth another attempt: lost connections, timeouts, rate
 * limits and 5xx answers, a database that is busy, full or mid-recovery; and
 * how a background write's failure is classified for the write queue.
 */
import { TimeoutError } from "@dify-ts/runtime";
import type { FailureClass } from "@dify-ts/runtime/work-queue";
import { ConfigError } from "../config/translate.js";
import { ScopeError } from "../scope.js";
import { isNotFound } from "./writes.js";

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08003",
  "08006",
]);
/** SQLite (the embedded store, history) and Postgres states that pass: busy, locked, full, I/O, resources, conflicts. */
const DATABASE_CODES = new Set([
  "ENOSPC",
  "EROFS",
  "EIO",
  "53000",
  "53100",
  "53200",
  "53300",
  "40001",
  "40P01",
  "55P03",
]);
const DATABASE_MESSAGE =
  /database is locked|database table is locked|disk is full|no space left|no transaction is active|database or disk is full|disk I\/O error|the database system is (?:starting up|shutting down|in recovery mode)/i;
const CONNECTION_MESSAGE =
  /Connection terminated|Connection error|not queryable|Client was closed|connection (?:is )?(?:closed|ended|lost|reset)|socket hang up|fetch failed|ECONNRE(?:FUSED|SET)/i;

/**
 * A call to the LLM, the embedder or the reranker failed (handle.ts wraps them): the model API's problem, so it is
 * reported as such, and it never marks the store's database connection as lost.
 */
export class ModelApiError extends Error {
  constructor(
    readonly component: "LLM" | "embedder" | "reranker",
    cause: unknown,
  ) {
    const unreachable = isConnectionError(cause);
    super(
      unreachable
        ? `the ${component}'s API could not be reached (${rootMessage(cause)}): check its base URL and that the server runs`
        : `the ${component}'s API failed: ${messageOf(cause)}`,
      { cause },
    );
    this.name = "ModelApiError";
  }
}

/** The store's database connection failed (not a model API's): the Memory holding it must be rebuilt. */
export function isStoreConnectionError(error: unknown): boolean {
  return isConnectionError(error) && !someCause(error, (cause) => cause instanceof ModelApiError);
}

/** What a failure says to the user and the log: the model API's own message when a model call failed. */
export function explain(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    if (current instanceof ModelApiError) return current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return messageOf(error);
}

/** The innermost message of the cause chain ("connect ECONNREFUSED 127.0.0.1:1" under "Connection error."). */
function rootMessage(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (current as { cause?: unknown }).cause;
    if (typeof cause !== "object" || cause === null) break;
    current = cause;
  }
  return messageOf(current);
}

/** A database or network connection failed. */
export function isConnectionError(error: unknown): boolean {
  return someCause(error, (cause) => {
    const code = (cause as { code?: unknown }).code;
    return (typeof code === "string" && CONNECTION_CODES.has(code)) || CONNECTION_MESSAGE.test(messageOf(cause));
  });
}

/** Worth retrying later: a connection problem, a timeout, HTTP 408/409/429 or 5xx, a busy, full or recovering database. */
export function isTransientError(error: unknown): boolean {
  if (isConnectionError(error)) return true;
  return someCause(error, (cause) => {
    const name = (cause as Error).name;
    if (cause instanceof TimeoutError || name === "TimeoutError" || name === "APIConnectionTimeoutError") return true;
    const { status, code } = cause as { status?: unknown; code?: unknown };
    if (typeof code === "string" && DATABASE_CODES.has(code)) return true;
    // node:sqlite: errcode's low byte is the primary result code (BUSY 5, LOCKED 6, IOERR 10, FULL 13).
    const errcode = (cause as { errcode?: unknown }).errcode;
    if (typeof errcode === "number" && [5, 6, 10, 13].includes(errcode & 0xff)) return true;
    if (DATABASE_MESSAGE.test(messageOf(cause))) return true;
    return typeof status === "number" && (status === 408 || status === 409 || status === 429 || status >= 500);
  });
}

/**
 * How the write queue treats a background write's failure: transient ones
 * are retried and stay journaled; a write whose target or scope can never be
 * valid fails at once; anything else (401/403/400, a malformed model answer)
 * is retried, then dead-lettered.
 */
export function classifyWriteFailure(error: unknown): FailureClass {
  if (isTransientError(error)) return "transient";
  if (isNotFound(error) || error instanceof ScopeError || error instanceof ConfigError) return "invalid";
  return "permanent";
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Tests the error and its `cause` chain (mem0ai wraps LLM failures in LLMError). */
function someCause(error: unknown, test: (cause: object) => boolean): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    if (test(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
