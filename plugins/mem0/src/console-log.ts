/**
 * mem0ai reports through console.error, warn and log, and prints an Error with its stack, one daemon log line per
 * stack frame. Its console output goes to the plugin's logger instead (redacted there): one line per call, an Error
 * as its name and message only, never its stack.
 */
import { truncate, type Logger } from "@dify-ts/runtime";

/** mem0ai's lines are diagnostics beside the plugin's own report of a failure: a line is enough. */
const MAX_LINE_CHARS = 2000;

export function routeConsoleTo(logger: Logger): void {
  const warn = (...args: unknown[]) => logger.warn(`mem0ai: ${oneLine(args)}`);
  const debug = (...args: unknown[]) => logger.debug(`mem0ai: ${oneLine(args)}`);
  console.error = warn;
  console.warn = warn;
  console.log = debug;
  console.info = debug;
  console.debug = debug;
}

function oneLine(args: unknown[]): string {
  return truncate(args.map(describe).join(" ").replace(/\s+/g, " ").trim(), MAX_LINE_CHARS);
}

function describe(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return (
      JSON.stringify(value, (_key, item: unknown) =>
        item instanceof Error ? `${item.name}: ${item.message}` : item,
      ) ?? String(value)
    );
  } catch {
    return String(value);
  }
}
