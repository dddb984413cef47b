/**
 * Errors a handler (or the runtime) throws to fail a session with a specific
 * Dify error type. Any other thrown value fails it with its own class name, as
 * the Python SDK reports `type(e).__name__`.
 */
export class PluginError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = errorType;
  }
}

/** Thrown from validateCredentials; the SDK's ToolProviderCredentialValidationError. */
export class CredentialValidationError extends PluginError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ToolProviderCredentialValidationError", message, options);
  }
}

/** A parameter or credential did not match its declaration. */
export class ValidationError extends PluginError {
  constructor(message: string) {
    super("ToolParameterValidationError", message);
  }
}

/** What a session error message says: `error_type` and `message`. */
export function errorTypeOf(error: unknown): string {
  if (error instanceof PluginError) return error.errorType;
  if (error instanceof Error) return error.name || "Error";
  return "Error";
}

const MAX_CAUSES = 8;

/**
 * What the SDK sends in a session error's `args.traceback` (Python's `traceback.format_exc()`), in the same shape:
 * the innermost cause first, each error's frames oldest first and its `Type: message` last, chained by Python's
 * "direct cause" line. The caller redacts it.
 */
export function formatTraceback(error: unknown): string {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && chain.length < MAX_CAUSES;) {
    chain.unshift(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain
    .map((item) => {
      const frames = item instanceof Error ? (item.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line)) : [];
      const message = item instanceof Error ? item.message : String(item);
      return `Traceback (most recent call last):\n${frames.reverse().join("\n")}\n${errorTypeOf(item)}: ${message}\n`;
    })
    .join("\nThe above exception was the direct cause of the following exception:\n\n");
}
