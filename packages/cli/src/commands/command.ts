/** The shape every subcommand has, and argument parsing with clear usage errors. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../project.js";

export interface Command {
  name: string;
  /** One line for `dify-ts --help`. */
  summary: string;
  usage: string;
  /** `--help`: each argument and flag, one per line ("  -o, --out <file>  what it does"). */
  options: string[];
  /** `--help`: command lines that work as written from the repository root. */
  examples: string[];
  run(argv: string[], io: CommandIo): Promise<number>;
}

export interface CommandIo {
  /** Results (identifiers, checksums, messages): one line each. */
  out(line: string): void;
  /** Progress and diagnostics. */
  err(line: string): void;
}

type Options = NonNullable<ParseArgsConfig["options"]>;
export type ParsedOptions<O extends Options> = { [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : string };

/** parseArgs with every mistake turned into a UsageError that names the command's usage. */
export function parseCommandArgs<O extends Options>(
  command: Pick<Command, "name" | "usage">,
  argv: string[],
  options: O,
  positionals: { min: number; max: number },
): { values: ParsedOptions<O>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(
      `${(error as Error).message.replace(/\. To specify a positional argument.*$/s, "")}\nusage: ${command.usage}`,
    );
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError(`missing argument(s)\nusage: ${command.usage}`);
  if (count > positionals.max)
    throw new UsageError(
      `unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])}\nusage: ${command.usage}`,
    );
  return { values: parsed.values as ParsedOptions<O>, positionals: parsed.positionals };
}

export function parseNumberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new UsageError(`--${name} must be a positive number; got ${JSON.stringify(value)}`);
  return number;
}
