/**
 * The `log_level` credential: which of the plugin's log lines reach the
 * daemon. Read with every call's credentials, so changing it in Dify takes
 * effect at the next call, without reinstalling or restarting the plugin.
 * The runtime's logger drops DEBUG lines (its floor is INFO), so at DEBUG
 * they are sent as INFO lines beginning with "debug: ".
 */
import type { Logger, LogLevel } from "@dify-ts/runtime";

export const LOG_LEVELS: readonly LogLevel[] = ["DEBUG", "INFO", "WARNING", "ERROR"];
export const DEFAULT_LOG_LEVEL: LogLevel = "INFO";

const ORDER: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 };

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export class LeveledLogger implements Logger {
  level: LogLevel = DEFAULT_LOG_LEVEL;

  constructor(private readonly target: Logger) {}

  debug(message: string): void {
    if (this.passes("DEBUG")) this.target.info(`debug: ${message}`);
  }

  info(message: string): void {
    if (this.passes("INFO")) this.target.info(message);
  }

  warn(message: string): void {
    if (this.passes("WARNING")) this.target.warn(message);
  }

  error(message: string, cause?: unknown): void {
    this.target.error(message, cause);
  }

  private passes(level: LogLevel): boolean {
    return ORDER[level] >= ORDER[this.level];
  }
}
