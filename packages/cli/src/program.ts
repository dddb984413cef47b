/** dify-ts: the command line, as a function of argv (cli.ts runs it). Each subcommand lives in commands/. */
import { bundleCommand, packageCommand } from "./commands/build.js";
import { bumpCommand } from "./commands/bump.js";
import type { Command, CommandIo } from "./commands/command.js";
import { checksumCommand, verifyCommand } from "./commands/inspect.js";
import { initCommand } from "./commands/init.js";
import { repackageCommand } from "./commands/repackage.js";
import { devCommand, invokeCommand } from "./commands/run.js";
import { keygenCommand, signCommand, verifySignatureCommand } from "./commands/signing.js";
import { UsageError } from "./project.js";

const commands: Command[] = [
  initCommand,
  bundleCommand,
  packageCommand,
  checksumCommand,
  verifyCommand,
  keygenCommand,
  signCommand,
  verifySignatureCommand,
  repackageCommand,
  invokeCommand,
  devCommand,
  bumpCommand,
];

export const standardIo: CommandIo = {
  out: (line) => process.stdout.write(line + "\n"),
  err: (line) => process.stderr.write(line + "\n"),
};

function help(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    "usage: dify-ts <command> [options]",
    "",
    "commands:",
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    "",
    "dify-ts <command> --help explains a command's options, with examples",
  ].join("\n");
}

function commandHelp(command: Command): string {
  return [
    `usage: ${command.usage}`,
    command.summary,
    "",
    "arguments and options:",
    ...command.options,
    "",
    "examples (from the repository root):",
    ...command.examples.map((example) => `  ${example}`),
  ].join("\n");
}

/**
 * Runs one command; resolves to the exit code: 0 ok, 1 failed, 2 usage error.
 * Every error is one "error: ..." message on stderr.
 */
export async function runCli(argv: string[], io: CommandIo = standardIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    io.out(help());
    return 0;
  }
  if (!name) {
    io.err(`error: no command given\n${help()}`);
    return 2;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.err(`error: unknown command ${JSON.stringify(name)}\n${help()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(commandHelp(command));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
