#!/usr/bin/env node
// `npm create dify-ts-plugin <dir> -- --author <org>` is `dify-ts init <dir> --author <org>`: one implementation,
// in @dify-ts/cli, whose version the new plugin then depends on.
import { runCli } from "@dify-ts/cli";

process.exitCode = await runCli(["init", ...process.argv.slice(2)]);
