#!/usr/bin/env node
// Usage: node scripts/bump-version.mjs <plugin> <version>
//        node scripts/bump-version.mjs sdk <version>
// Sets a plugin's version in plugins/<plugin>/package.json and in its manifest
// (src/plugin.ts) together; `dify-ts package` refuses to package when they differ.
// `sdk` sets the version of every SDK package (packages/protocol, runtime, host,
// cli, create-dify-ts-plugin) together: they are released together (tag sdk@<version>), and a plugin that
// `dify-ts init` creates depends on the runtime at the CLI's own version.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sdkPackages = ["protocol", "runtime", "host", "cli", "create-dify-ts-plugin"];
const [plugin, version, ...extra] = process.argv.slice(2);
if (!plugin || !version || extra.length > 0) {
  console.error(
    "usage: node scripts/bump-version.mjs <plugin name or directory> <version>   e.g. s3 0.2.0\n" +
      "       node scripts/bump-version.mjs sdk <version>                          every SDK package, e.g. sdk 0.2.0",
  );
  process.exit(2);
}
if (plugin === "sdk") {
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    console.error(`version must be a semver MAJOR.MINOR.PATCH[-prerelease] (npm's rule), e.g. 0.2.0; got ${version}`);
    process.exit(2);
  }
  for (const name of sdkPackages) {
    const file = join(root, "packages", name, "package.json");
    const text = readFileSync(file, "utf8");
    const from = JSON.parse(text).version;
    writeFileSync(file, text.replace(/("version"\s*:\s*")[^"]*(")/, `$1${version}$2`));
    console.log(`${from} -> ${version}: packages/${name}/package.json`);
  }
  console.error(`add the release notes to each packages/<name>/CHANGELOG.md, then tag sdk@${version}`);
  process.exit(0);
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
