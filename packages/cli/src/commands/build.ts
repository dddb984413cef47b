/** `bundle` and `package`: the build steps turbo runs for every plugin. */
import { relative } from "node:path";

/** A path as the user would type it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const path = relative(process.cwd(), file);
  return path === "" || path.startsWith("..") ? file : path;
}
import { buildPlugin } from "../build.js";
import { bundlePlugin } from "../bundle.js";
import { packagePlugin } from "../package.js";
import { readProject, UsageError } from "../project.js";
import { parseCommandArgs, parseNumberOption, type Command } from "./command.js";

export const bundleCommand: Command = {
  name: "bundle",
  summary: "bundle src/main.ts into one self-contained ESM file (build/app/main.mjs)",
  usage: "dify-ts bundle <plugin dir> [-o <file>] [--minify] [--sourcemap]",
  options: [
    "  <plugin dir>       a plugin source directory (package.json + src/main.ts)",
    "  -o, --out <file>   write only the bundle, to this file (default: the plugin's build/, with its declarations)",
    "  --minify           minify the bundle",
    "  --sourcemap        add an inline source map (stack traces point into src/)",
  ],
  examples: ["pnpm dify-ts bundle plugins/s3", "pnpm dify-ts bundle plugins/s3 -o /tmp/s3.mjs --minify"],
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      this,
      argv,
      {
        out: { type: "string", short: "o" },
        minify: { type: "boolean" },
        sourcemap: { type: "boolean" },
      },
      { min: 1, max: 1 },
    );
    if (values.out) {
      const result = await bundlePlugin(positionals[0]!, {
        outFile: values.out,
        minify: values.minify,
        sourcemap: values.sourcemap,
      });
      for (const warning of result.warnings) io.err(`warning: ${warning}`);
      io.out(`${displayPath(result.file)} (${result.bytes} bytes, ${result.inputs.length} inputs)`);
      return 0;
    }
    // The plugin's build/: the bundle plus the declarations, which package reuses while the sources are unchanged.
    const result = await buildPlugin(readProject(positionals[0]!), {
      minify: values.minify,
      sourcemap: values.sourcemap,
    });
    for (const warning of result.warnings) io.err(`warning: ${warning}`);
    io.out(`${displayPath(result.bundleFile)} (${result.bundleBytes} bytes, ${result.inputs.length} inputs)`);
    return 0;
  },
};

export const packageCommand: Command = {
  name: "package",
  summary: "validate, bundle and zip a plugin into <name>-<version>.difypkg; prints author/name:version@checksum",
  usage: "dify-ts package <plugin dir> [-o <file> | --out-dir <dir>] [--max-size <MiB>] [--minify] [--sourcemap]",
  options: [
    "  <plugin dir>         a plugin source directory (package.json + src/main.ts)",
    "  -o, --out <file>     the package file to write (default: <name>-<version>.difypkg in the current directory)",
    "  --out-dir <dir>      write <name>-<version>.difypkg into this directory instead",
    "  --max-size <MiB>     refuse a package larger than this, as the daemon does (default 50)",
    "  --minify             minify the bundle",
    "  --sourcemap          add an inline source map",
  ],
  examples: ["pnpm dify-ts package plugins/s3 --out-dir dist"],
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      this,
      argv,
      {
        out: { type: "string", short: "o" },
        "out-dir": { type: "string" },
        "max-size": { type: "string" },
        minify: { type: "boolean" },
        sourcemap: { type: "boolean" },
      },
      { min: 1, max: 1 },
    );
    if (values.out && values["out-dir"]) throw new UsageError("use either -o <file> or --out-dir <dir>, not both");
    const result = await packagePlugin(positionals[0]!, {
      outFile: values.out,
      outDir: values["out-dir"],
      maxSizeMiB: parseNumberOption("max-size", values["max-size"], 50),
      minify: values.minify,
      sourcemap: values.sourcemap,
    });
    io.err(`wrote ${displayPath(result.file)} (${result.bytes} bytes, ${result.files.length} files)`);
    io.out(result.identifier);
    return 0;
  },
};
