#!/usr/bin/env node
// The "dify-ts" bin. It is committed (not built) because pnpm links a workspace
// package's bins at install time, before `pnpm build` has written build/.
import { existsSync } from "node:fs";
import { unsupportedNode } from "./node-version.js";

const tooOld = unsupportedNode(process.versions.node);
if (tooOld) {
  process.stderr.write(tooOld + "\n");
  process.exit(1);
}
const cli = new URL("../build/cli.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    "error: packages/cli is not built yet: run `pnpm build` (or `pnpm --filter @dify-ts/cli build`) first\n",
  );
  process.exit(1);
}
await import(cli.href);
