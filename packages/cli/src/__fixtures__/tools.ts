/**
 * Lookups for the tools scripts/setup installs for the CLI's tests: the path,
 * or the reason it is missing so a test reports itself skipped with it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Lookup } from "@dify-ts/runtime/testing";
import { cliPackage } from "./copy-fixture.js";

export const repositoryRoot = join(cliPackage, "../..");
export const cacheDirectory = join(repositoryRoot, ".cache");

function installed(tool: string, path: string, setup: string): Lookup {
  const unavailable = join(cacheDirectory, `${tool}.unavailable`);
  if (existsSync(unavailable)) return { reason: readFileSync(unavailable, "utf8").trim() };
  return existsSync(path) ? { path } : { reason: `${path} is missing: run ${setup} (pnpm test does)` };
}

/** uv from PyPI (scripts/setup/uv.sh), the installer the daemon uses. */
export function uv(): Lookup {
  return installed("venvs/uv", join(cacheDirectory, "venvs", "uv", "bin", "uv"), "scripts/setup/uv.sh");
}

/** The official Go CLI, `dify` (scripts/setup/dify-cli.sh). */
export function officialCli(): Lookup {
  return installed("dify-cli", join(cacheDirectory, "dify-cli", "bin", "commandline"), "scripts/setup/dify-cli.sh");
}
