/**
 * Offline repackaging (after junjiem/dify-plugin-repackaging): every wheel the
 * package's requirements need, for the target platform and the daemon's
 * Python 3.12, goes into wheels/; requirements.txt (and pyproject.toml's
 * [tool.uv]) point the installer at it with no index; the result is zipped
 * with our packager. Output appears whole or not at all.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { MIB, writePackage } from "../archive.js";
import type { CommandIo } from "../commands/command.js";
import { extractPackage } from "../extract.js";
import { walkPluginDirectory } from "../ignore-rules.js";
import { VERIFICATION_FILE } from "../signature.js";
import { readZip } from "../zip/read.js";
import { RepackageError } from "./download.js";
import { DEFAULT_PLATFORM, expandPlatform } from "./platforms.js";
import { offlineRequirements, patchPyproject, unignoreWheels } from "./rewrite.js";

export interface RepackageOptions {
  /** Wheel platform (default manylinux_2_28_x86_64, what Dify's Ubuntu 24.04 images run). */
  platform?: string;
  /** The daemon always builds the venv with Python 3.12. */
  pythonVersion?: string;
  /** A package index for pip (default: pip's own configuration, e.g. PIP_INDEX_URL). */
  indexUrl?: string;
  /** The Python whose pip downloads the wheels (default python3). */
  python?: string;
  outFile?: string;
  outDir?: string;
  /** Uncompressed size limit in MiB (default 5120, as the repackaging tool passes). */
  maxSizeMiB?: number;
  io: CommandIo;
}

export interface RepackageResult {
  file: string;
  identifier: string;
  bytes: number;
  wheels: string[];
}

export async function repackageOffline(packageFile: string, options: RepackageOptions): Promise<RepackageResult> {
  const { io } = options;
  const platform = options.platform ?? DEFAULT_PLATFORM;
  const pythonVersion = options.pythonVersion ?? "3.12";
  let archive;
  try {
    archive = readZip(await readFile(packageFile));
    for (const entry of archive.entries) entry.read();
  } catch (error) {
    throw new RepackageError(`${packageFile} is not a valid .difypkg: ${(error as Error).message}`);
  }
  const manifestEntry = archive.entries.find((entry) => entry.name === "manifest.yaml");
  if (!manifestEntry) throw new RepackageError(`${packageFile} is not a Dify plugin package: manifest.yaml is missing at the archive root`);
  const manifest = parse(manifestEntry.read().toString("utf8")) as { author?: string; name?: string; version?: string };
  if (!manifest.name || !manifest.version) throw new RepackageError(`${packageFile}: manifest.yaml lacks name or version`);

  const scratch = await mkdtemp(join(tmpdir(), "dify-ts-repackage-"));
  try {
    const dir = join(scratch, "plugin");
    await extractPackage(await readFile(packageFile), dir);
    await rm(join(dir, VERIFICATION_FILE), { force: true });
    if (archive.comment) io.err("note: the package was signed; repackaging changes its content, so the signature is dropped (install with FORCE_VERIFYING_SIGNATURE=false)");
    const requirements = join(dir, "requirements.txt");
    const pyproject = join(dir, "pyproject.toml");
    if (!existsSync(requirements)) {
      if (!existsSync(pyproject)) throw new RepackageError(`${packageFile} has neither requirements.txt nor pyproject.toml: nothing to download`);
      await exportRequirements(dir, io);
    }
    const original = await readFile(requirements, "utf8");
    if (/^\s*--no-index\b/m.test(original)) throw new RepackageError(`${packageFile} is already an offline package (requirements.txt starts with --no-index)`);

    io.err(`downloading wheels for ${platform}, Python ${pythonVersion}`);
    await pipDownload(dir, { platform, pythonVersion, indexUrl: options.indexUrl, python: options.python ?? "python3", io });
    await writeFile(requirements, offlineRequirements(original));
    if (existsSync(pyproject)) await writeFile(pyproject, patchPyproject(await readFile(pyproject, "utf8")));
    for (const name of [".difyignore", ".gitignore"]) {
      const file = join(dir, name);
      if (existsSync(file)) {
        await writeFile(file, unignoreWheels(await readFile(file, "utf8")));
        break; // the CLI reads .difyignore, or .gitignore when there is none
      }
    }

    const paths = await walkPluginDirectory(dir);
    const wheels = paths.filter((path) => path.startsWith("wheels/"));
    const files = await Promise.all(paths.map(async (path) => ({ path, data: await readFile(join(dir, path)) })));
    const total = files.reduce((sum, file) => sum + file.data.length, 0);
    const maxSize = (options.maxSizeMiB ?? 5120) * MIB;
    if (total > maxSize) throw new RepackageError(`the offline package would be ${(total / MIB).toFixed(1)} MiB uncompressed, over --max-size ${maxSize / MIB} MiB`);
    const file = resolve(options.outFile ?? join(options.outDir ?? process.cwd(), `${manifest.name}-${manifest.version}-offline-${platform}.difypkg`));
    io.err(`zipping ${files.length} files (${(total / MIB).toFixed(1)} MiB, ${wheels.length} wheels)`);
    const written = await writePackage(files, file);
    if (total > 50 * MIB) io.err(`note: ${(total / MIB).toFixed(0)} MiB exceeds Dify's default 50 MiB: raise PLUGIN_MAX_PACKAGE_SIZE (and NGINX_CLIENT_MAX_BODY_SIZE) on the Dify server`);
    const identity = `${manifest.author ? `${manifest.author}/` : ""}${manifest.name}:${manifest.version}`;
    return { file, identifier: `${identity}@${written.checksum}`, bytes: written.bytes, wheels };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], cwd: string, io: CommandIo, prefix: string): Promise<{ code: number; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const forward = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of chunk.toString().split("\n")) if (line.trim()) io.err(`${prefix}${line.trimEnd()}`);
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("error", (error) => fail(new RepackageError(`cannot run ${command}: ${error.message}`)));
    child.on("close", (code) => done({ code: code ?? 1, output }));
  });
}

async function pipDownload(dir: string, options: { platform: string; pythonVersion: string; indexUrl?: string; python: string; io: CommandIo }): Promise<void> {
  const args = ["-m", "pip", "download", "-r", "requirements.txt", "-d", "wheels", "--only-binary=:all:", "--prefer-binary", "--python-version", options.pythonVersion, "--disable-pip-version-check", "--progress-bar", "off"];
  for (const tag of expandPlatform(options.platform)) args.push("--platform", tag);
  if (options.indexUrl) args.push("--index-url", options.indexUrl);
  const { code, output } = await run(options.python, args, dir, options.io, "pip: ");
  if (code === 0) return;
  const missing = /Could not find a version that satisfies the requirement (\S+)/.exec(output)?.[1];
  if (missing) throw new RepackageError(`no wheel of ${missing} exists for ${options.platform} and Python ${options.pythonVersion} (pip found no matching distribution)`);
  const error = output.split("\n").filter((line) => line.startsWith("ERROR:")).at(-1) ?? output.trim().split("\n").at(-1);
  throw new RepackageError(`pip download failed for ${options.platform}: ${error}`);
}

/** pyproject.toml without requirements.txt: uv exports one, as the repackaging tool does. */
async function exportRequirements(dir: string, io: CommandIo): Promise<void> {
  const uv = process.env.UV_PATH ?? "uv";
  const args = ["export", "--format", "requirements-txt", "--no-hashes", "--no-header", "--no-annotate", "--no-emit-project", "--no-dev", "-o", "requirements.txt"];
  if (existsSync(join(dir, "uv.lock"))) args.push("--frozen");
  const { code, output } = await run(uv, args, dir, io, "uv: ").catch((error: Error) => {
    throw new RepackageError(`the package has pyproject.toml but no requirements.txt, and uv is needed to export one: ${error.message} (pip install uv, or set UV_PATH)`);
  });
  if (code !== 0) throw new RepackageError(`uv export failed: ${uvError(output)}`);
}

/** uv's own "error:" line (its last lines are often advice, e.g. from a pyenv shim), with the cause when it gives one. */
export function uvError(output: string): string {
  const lines = output.split("\n").map((line) => line.trim());
  const error = lines.find((line) => line.startsWith("error:"));
  if (!error) return lines.filter(Boolean).at(-1) ?? "no output";
  const cause = lines.find((line) => line.startsWith("cause:"));
  return cause ? `${error.slice("error:".length).trim()} (${cause.slice("cause:".length).trim()})` : error.slice("error:".length).trim();
}
