/** Which failures are worth another attempt: lost connections, timeouts, rate limits and 5xx answers. */
import { TimeoutError } from "@dify-ts/runtime";

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "57P01", "57P02", "57P03", "08000", "08003", "08006"]);
const CONNECTION_MESSAGE = /Connection terminated|Connection error|not queryable|Client was closed|connection (?:is )?(?:closed|ended|lost|reset)|socket hang up|fetch failed|ECONNRE(?:FUSED|SET)/i;

/** A database or network connection failed: the Memory holding it must be rebuilt. */
export function isConnectionError(error: unknown): boolean {
  return someCause(error, (cause) => {
    const code = (cause as { code?: unknown }).code;
    return (typeof code === "string" && CONNECTION_CODES.has(code)) || CONNECTION_MESSAGE.test(messageOf(cause));
  });
}

/** Worth retrying later: a connection problem, a timeout, HTTP 408/409/429 or 5xx from a model API. */
export function isTransientError(error: unknown): boolean {
  if (isConnectionError(error)) return true;
  return someCause(error, (cause) => {
    const name = (cause as Error).name;
    if (cause instanceof TimeoutError || name === "TimeoutError" || name === "APIConnectionTimeoutError") return true;
    const status = (cause as { status?: unknown }).status;
    return typeof status === "number" && (status === 408 || status === 409 || status === 429 || status >= 500);
  });
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
