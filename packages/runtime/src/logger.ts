import type { PluginEvent } from "./protocol/wire.js";
import type { Redactor } from "./redact.js";

export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR";

/** Logging goes only through the protocol's `log` event, never to stdout directly. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, cause?: unknown): void;
}

const LEVEL_ORDER: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 };

export function createLogger(emit: (event: PluginEvent) => void, redactor: Redactor, minimum: LogLevel = "INFO"): Logger {
  const write = (level: LogLevel, message: string) => {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[minimum]) return;
    emit({
      event: "log",
      session_id: null,
      data: { level, message: redactor.redact(message), timestamp: Date.now() / 1000 },
    });
  };
  return {
    debug: (message) => write("DEBUG", message),
    info: (message) => write("INFO", message),
    warn: (message) => write("WARNING", message),
    error: (message, cause) => write("ERROR", cause === undefined ? message : `${message}: ${describeError(cause)}`),
  };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
