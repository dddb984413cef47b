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
