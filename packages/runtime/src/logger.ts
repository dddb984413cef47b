import type { PluginEvent } from "@dify-ts/protocol";
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

/** Longer log messages are cut: a log line must stay far below the daemon's 5 MiB line limit. */
export const MAX_LOG_MESSAGE_CHARS = 64 * 1024;

export function createLogger(
  emit: (event: PluginEvent) => void,
  redactor: Redactor,
  minimum: LogLevel = "INFO",
): Logger {
  const write = (level: LogLevel, message: string) => {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[minimum]) return;
    emit({
      event: "log",
      session_id: null,
      data: { level, message: truncate(redactor.redact(message), MAX_LOG_MESSAGE_CHARS), timestamp: Date.now() / 1000 },
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

/** Cuts text to `limit` characters (not splitting a surrogate pair) and says how much was left out. */
export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = limit;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}... [${text.length - end} more characters cut]`;
}
