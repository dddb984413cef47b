#!/usr/bin/env node
// Usage: node scripts/bump-version.mjs <plugin> <version>
// Sets a plugin's version in plugins/<plugin>/package.json and in its manifest
// (src/plugin.ts) together; `dify-ts package` refuses to package when they differ.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [plugin, version, ...extra] = process.argv.slice(2);
if (!plugin || !version || extra.length > 0) {
  console.error("usage: node scripts/bump-version.mjs <plugin name or directory> <version>   e.g. s3 0.2.0");
  process.exit(2);
}
const dir = existsSync(join(root, "plugins", plugin)) ? join(root, "plugins", plugin) : plugin;
try {
  // The CLI from its TypeScript sources, so no build is needed first.
  execFileSync(
    process.execPath,
    ["--conditions=source", "--import", "tsx", join(root, "packages/cli/src/cli.ts"), "bump", dir, version],
    { cwd: root, stdio: "inherit" },
  );
} catch (error) {
  process.exit(error.status ?? 1);
}
