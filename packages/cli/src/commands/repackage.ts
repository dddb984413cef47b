/** `repackage market|github|local`: an offline .difypkg with every wheel inside. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../project.js";
import { DEFAULT_TIMEOUTS, download } from "../repackage/download.js";
import { repackageOffline } from "../repackage/offline.js";
import { DEFAULT_PLATFORM } from "../repackage/platforms.js";
import { DEFAULT_GITHUB_URL, DEFAULT_MARKETPLACE_URL, githubUrl, marketplaceUrl } from "../repackage/sources.js";
import { displayPath } from "./build.js";
import { parseCommandArgs, parseNumberOption, type Command } from "./command.js";

const USAGE = [
  "dify-ts repackage market <author> <name> <version>",
  "dify-ts repackage github <owner/repo> <release tag> <asset.difypkg>",
  "dify-ts repackage local <package.difypkg>",
  `  [--platform <tag>] (default ${DEFAULT_PLATFORM}; manylinux_2_28_aarch64 for arm64)`,
  "  [-o <file> | --out-dir <dir>] [--index-url <url>] [--python <python3>] [--python-version <X.Y>] [--max-size <MiB>]",
  `  [--connect-timeout <s>] (default ${DEFAULT_TIMEOUTS.connect}) [--read-timeout <s>] (default ${DEFAULT_TIMEOUTS.read})`,
  "  [--marketplace-url <url>] (or MARKETPLACE_API_URL) [--github-url <url>] (or GITHUB_API_URL)",
].join("\n");

const ARITY: Record<string, number> = { market: 3, github: 3, local: 1 };

export const repackageCommand: Command = {
  name: "repackage",
  summary: "make an offline .difypkg: download the package and every wheel it needs into wheels/",
  usage: USAGE,
  options: [
    "  market <author> <name> <version>       download the package from the Dify marketplace",
    "  github <owner/repo> <tag> <asset>      download a release asset from GitHub",
    "  local <package.difypkg>                repackage a file you have",
    "  --platform <tag>                       the wheels' platform (default " +
      DEFAULT_PLATFORM +
      "; manylinux_2_28_aarch64 for arm64);",
    "                                         when a requirement has no wheel for it, the error lists the platforms it has",
    "  -o, --out <file> | --out-dir <dir>     where to write the offline package (default: the current directory)",
    "  --index-url <url>                      the Python package index to download wheels from (default PyPI)",
    "  --python <python3>                     the Python whose pip downloads the wheels (default python3)",
    "  --python-version <X.Y>                 the Python the wheels are for (default: the manifest's meta.runner.version, 3.12)",
    `  --connect-timeout <s>                  seconds to connect to the marketplace or GitHub (default ${DEFAULT_TIMEOUTS.connect})`,
    `  --read-timeout <s>                     seconds to wait for the first byte and between bytes (default ${DEFAULT_TIMEOUTS.read})`,
    "  --max-size <MiB>                       the size limit to check the result against (default 5120)",
    "  --marketplace-url <url>, --github-url <url>   other API endpoints (or MARKETPLACE_API_URL, GITHUB_API_URL)",
  ],
  examples: [
    "pnpm dify-ts repackage local dist/s3-0.1.0.difypkg --out-dir dist/offline",
    "pnpm dify-ts repackage market langgenius openai 0.2.1 --platform manylinux_2_28_aarch64",
  ],
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      this,
      argv,
      {
        platform: { type: "string" },
        out: { type: "string", short: "o" },
        "out-dir": { type: "string" },
        "index-url": { type: "string" },
        python: { type: "string" },
        "python-version": { type: "string" },
        "connect-timeout": { type: "string" },
        "read-timeout": { type: "string" },
        "max-size": { type: "string" },
        "marketplace-url": { type: "string" },
        "github-url": { type: "string" },
      },
      { min: 2, max: 4 },
    );
    const [mode, ...rest] = positionals as [string, ...string[]];
    if (!(mode in ARITY))
      throw new UsageError(`unknown source ${JSON.stringify(mode)}: market, github or local\nusage: ${USAGE}`);
    if (rest.length !== ARITY[mode])
      throw new UsageError(`repackage ${mode} takes ${ARITY[mode]} argument(s)\nusage: ${USAGE}`);
    if (values.out && values["out-dir"]) throw new UsageError("use either -o <file> or --out-dir <dir>, not both");
    const maxSizeMiB = parseNumberOption("max-size", values["max-size"], 5120);
    const timeouts = {
      connect: parseNumberOption("connect-timeout", values["connect-timeout"], DEFAULT_TIMEOUTS.connect),
      read: parseNumberOption("read-timeout", values["read-timeout"], DEFAULT_TIMEOUTS.read),
    };
    const pythonVersion = values["python-version"];
    if (pythonVersion !== undefined && !/^3\.\d+$/.test(pythonVersion))
      throw new UsageError(`--python-version must be 3.<minor>, e.g. 3.12; got ${JSON.stringify(pythonVersion)}`);

    const scratch = await mkdtemp(join(tmpdir(), "dify-ts-download-"));
    try {
      let file = rest[0]!;
      if (mode === "market") {
        const [author, name, version] = rest as [string, string, string];
        const url = marketplaceUrl(
          values["marketplace-url"] ?? process.env.MARKETPLACE_API_URL ?? DEFAULT_MARKETPLACE_URL,
          author,
          name,
          version,
        );
        file = join(scratch, `${author}-${name}_${version}.difypkg`);
        await download(url, file, io, `plugin ${author}/${name} ${version} from the marketplace`, timeouts);
      } else if (mode === "github") {
        const [repository, tag, asset] = rest as [string, string, string];
        const url = githubUrl(
          values["github-url"] ?? process.env.GITHUB_API_URL ?? DEFAULT_GITHUB_URL,
          repository,
          tag,
          asset,
        );
        file = join(scratch, asset);
        await download(url, file, io, `release asset ${asset} of ${repository} ${tag}`, timeouts);
      }
      const result = await repackageOffline(file, {
        platform: values.platform,
        indexUrl: values["index-url"],
        python: values.python,
        pythonVersion,
        outFile: values.out,
        outDir: values["out-dir"],
        maxSizeMiB,
        io,
      });
      io.err(
        `wrote ${displayPath(result.file)} (${(result.bytes / 1024 / 1024).toFixed(1)} MiB, ${result.wheels.length} wheels)`,
      );
      io.out(result.identifier);
      return 0;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
};
