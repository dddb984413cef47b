/**
 * Lookups for the tools scripts/setup installs for the CLI's tests: the path,
 * or the reason it is missing so a test reports itself skipped with it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Lookup } from "@dify-ts/test-support";
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

/** Runs a command to completion; a failure's error carries its stderr. */
export function runChecked(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): string {
  const result = spawnSync(command, args, { ...options, encoding: "utf8", timeout: 600_000 });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(" ")} failed (${result.status ?? result.signal}): ${result.stderr || result.error?.message}`,
    );
  return result.stdout;
}

/**
 * `uv venv .venv --python 3.12`, as the daemon creates a plugin's venv. Where
 * no Python 3.12 is installed (uv cannot download one offline), the default
 * interpreter is used instead, ignoring the package's requires-python.
 */
export function uvVenv(uvPath: string, dir: string, env: Record<string, string | undefined>): void {
  try {
    runChecked(uvPath, ["venv", ".venv", "--python", "3.12"], {
      cwd: dir,
      env: { ...env, UV_PYTHON_DOWNLOADS: "never" },
    });
  } catch {
    runChecked(uvPath, ["venv", ".venv", "--clear", "--no-project", "--python", "python3"], {
      cwd: dir,
      env: { ...env, UV_PYTHON_DOWNLOADS: "never" },
    });
  }
}

/** Whether a Python package index answers (undefined), or why not. */
export async function probeIndex(indexUrl: string): Promise<string | undefined> {
  const url = `${indexUrl.replace(/\/+$/, "")}/six/`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return response.ok ? undefined : `the package index answered ${response.status} for ${url}`;
  } catch (error) {
    return `the package index ${indexUrl} is unreachable: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`;
  }
}

/** An http:// URL on a local port that refuses connections (it was just free). */
export async function refusedUrl(path = "/"): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

/**
 * Installs an extracted package's dependencies as the daemon's local runtime
 * does (research/packaging.md, daemon-verified.md), with no index reachable:
 * `uv venv`, then with a pip mirror and requirements.txt `uv pip install -i
 * <mirror> -r requirements.txt`; else with pyproject.toml `uv sync --no-dev
 * [--frozen when uv.lock]`; else `uv pip install -r requirements.txt`. The
 * environment is the daemon's (PATH, VIRTUAL_ENV, a fresh UV_CACHE_DIR) plus
 * HTTP(S)_PROXY on a refused port, so every download, PyPI's or a lock's
 * pinned URL, fails; `mirror` is a refused URL too.
 */
export function daemonInstall(uvPath: string, dir: string, network: { refused: string; mirror?: string }): void {
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    VIRTUAL_ENV: join(dir, ".venv"),
    UV_CACHE_DIR: mkdtempSync(join(tmpdir(), "dify-ts-uv-cache-")),
    HTTP_PROXY: network.refused,
    HTTPS_PROXY: network.refused,
  };
  uvVenv(uvPath, dir, env);
  const has = (file: string) => existsSync(join(dir, file));
  let args: string[];
  if (network.mirror && has("requirements.txt"))
    args = ["pip", "install", "-i", network.mirror, "-r", "requirements.txt"];
  else if (has("pyproject.toml"))
    args = [
      "sync",
      "--no-dev",
      ...(has("uv.lock") ? ["--frozen"] : []),
      ...(network.mirror ? ["-i", network.mirror] : []),
    ];
  else args = ["pip", "install", "-r", "requirements.txt"];
  runChecked(uvPath, args, { cwd: dir, env });
}
