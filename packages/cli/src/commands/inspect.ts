/** `checksum` and `verify`: what the daemon will compute and whether it will accept a package. */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { readPackageFiles } from "../archive.js";
import { checksumOfFiles } from "../checksum.js";
import { walkPluginDirectory } from "../ignore-rules.js";
import { formatProblems } from "../validate/problems.js";
import { verifyPackage } from "../verify.js";
import { parseCommandArgs, parseNumberOption, type Command } from "./command.js";

/** The checksum of a .difypkg (every entry) or of a directory (the files `dify plugin package` would take). */
export async function checksumOf(target: string): Promise<string> {
  if ((await stat(target)).isDirectory()) {
    const paths = await walkPluginDirectory(target);
    return checksumOfFiles(
      await Promise.all(paths.map(async (path) => ({ path, data: await readFile(join(target, path)) }))),
    );
  }
  return checksumOfFiles(await readPackageFiles(target));
}

export const checksumCommand: Command = {
  name: "checksum",
  summary: "print the daemon's checksum of a .difypkg or a plugin directory",
  usage: "dify-ts checksum <package.difypkg | dir>",
  options: ["  <package.difypkg | dir>   a package, or a directory packaged as the official CLI would take it"],
  examples: ["pnpm dify-ts checksum dist/s3-0.1.0.difypkg"],
  async run(argv, io) {
    const { positionals } = parseCommandArgs(this, argv, {}, { min: 1, max: 1 });
    io.out(await checksumOf(positionals[0]!));
    return 0;
  },
};

export const verifyCommand: Command = {
  name: "verify",
  summary: "decode a .difypkg as the daemon does and list every problem",
  usage: "dify-ts verify <package.difypkg> [--max-size <MiB>]",
  options: [
    "  <package.difypkg>   the package to decode as the daemon does (exit 1 when it has problems)",
    "  --max-size <MiB>    the daemon's size limit to check against (default 50)",
  ],
  examples: ["pnpm dify-ts verify dist/s3-0.1.0.difypkg"],
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      this,
      argv,
      { "max-size": { type: "string" } },
      { min: 1, max: 1 },
    );
    const report = verifyPackage(await readFile(positionals[0]!), {
      maxSizeMiB: parseNumberOption("max-size", values["max-size"], 50),
    });
    if (report.problems.length > 0) {
      io.err(`error: ${positionals[0]}: ${report.problems.length} problem(s):\n${formatProblems(report.problems)}`);
      return 1;
    }
    io.err(
      `${positionals[0]}: ok (${report.files.length} files${report.signed ? ", signed: check with verify-signature" : ", unsigned"})`,
    );
    io.out(report.identifier!);
    return 0;
  },
};
