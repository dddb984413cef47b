/**
 * Offline repackaging (after junjiem/dify-plugin-repackaging): every wheel the
 * package's requirements need, for the target platform and the daemon's
 * Python 3.12, goes into wheels/; requirements.txt points the installer at it
 * with no index; the result is zipped with our packager. Output appears whole
 * or not at all.
 *
 * The variant ships requirements.txt and neither pyproject.toml nor uv.lock:
 * with a pyproject.toml the daemon (0.5.3+, no pip mirror) runs `uv sync`,
 * which with uv.lock downloads the URLs pinned in it and without one resolves
 * for every platform; both need the index. requirements.txt alone is installed
 * with `uv pip install -r` by every daemon version, mirror or not, and its
 * `--no-index` line wins over a mirror's `-i`.
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
import { DEFAULT_PLATFORM, expandPlatform, uvPythonPlatform } from "./platforms.js";
import { requiresPythonAdmits } from "./requires-python.js";
import { offlineRequirements, unignoreWheels } from "./rewrite.js";

export interface RepackageOptions {
  /** Wheel platform (default manylinux_2_28_x86_64, what Dify's Ubuntu 24.04 images run). */
  platform?: string;
  /** The Python the wheels are for (default: the manifest's meta.runner.version, else 3.12, what the daemon's venv runs). */
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
  let archive;
  try {
    archive = readZip(await readFile(packageFile));
    for (const entry of archive.entries) entry.read();
  } catch (error) {
    throw new RepackageError(`${packageFile} is not a valid .difypkg: ${(error as Error).message}`);
  }
  const manifestEntry = archive.entries.find((entry) => entry.name === "manifest.yaml");
  if (!manifestEntry)
    throw new RepackageError(
      `${packageFile} is not a Dify plugin package: manifest.yaml is missing at the archive root`,
    );
  const manifest = parse(manifestEntry.read().toString("utf8")) as {
    author?: string;
    name?: string;
    version?: string;
    meta?: { runner?: { version?: unknown } };
  };
  if (!manifest.name || !manifest.version)
    throw new RepackageError(`${packageFile}: manifest.yaml lacks name or version`);
  const declaredPython = manifest.meta?.runner?.version;
  const pythonVersion = options.pythonVersion ?? (typeof declaredPython === "string" ? declaredPython : "3.12");

  const scratch = await mkdtemp(join(tmpdir(), "dify-ts-repackage-"));
  try {
    const dir = join(scratch, "plugin");
    await extractPackage(await readFile(packageFile), dir);
    await rm(join(dir, VERIFICATION_FILE), { force: true });
    if (archive.comment)
      io.err(
        "note: the package was signed; repackaging changes its content, so the signature is dropped (install with FORCE_VERIFYING_SIGNATURE=false)",
      );
    const requirements = join(dir, "requirements.txt");
    const pyproject = join(dir, "pyproject.toml");
    if (!existsSync(requirements)) {
      if (!existsSync(pyproject))
        throw new RepackageError(`${packageFile} has neither requirements.txt nor pyproject.toml: nothing to download`);
      await compileRequirements(dir, { platform, pythonVersion, indexUrl: options.indexUrl, io });
    }
    const original = await readFile(requirements, "utf8");
    if (/^\s*--no-index\b/m.test(original))
      throw new RepackageError(
        `${packageFile} is already an offline package (requirements.txt starts with --no-index)`,
      );

    io.err(`downloading wheels for ${platform}, Python ${pythonVersion}`);
    await pipDownload(dir, {
      platform,
      pythonVersion,
      indexUrl: options.indexUrl,
      python: options.python ?? "python3",
      io,
    });
    await writeFile(requirements, offlineRequirements(original));
    const projectFiles = ["pyproject.toml", "uv.lock"].filter((name) => existsSync(join(dir, name)));
    if (projectFiles.length > 0) {
      for (const name of projectFiles) await rm(join(dir, name));
      io.err(
        `left out ${projectFiles.join(" and ")}: the daemon then installs requirements.txt from wheels/ (uv sync would go to the index)`,
      );
    }
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
    if (total > maxSize)
      throw new RepackageError(
        `the offline package would be ${(total / MIB).toFixed(1)} MiB uncompressed, over --max-size ${maxSize / MIB} MiB`,
      );
    const file = resolve(
      options.outFile ??
        join(options.outDir ?? process.cwd(), `${manifest.name}-${manifest.version}-offline-${platform}.difypkg`),
    );
    io.err(`zipping ${files.length} files (${(total / MIB).toFixed(1)} MiB, ${wheels.length} wheels)`);
    const written = await writePackage(files, file);
    if (total > 50 * MIB)
      io.err(
        `note: ${(total / MIB).toFixed(0)} MiB exceeds Dify's default 50 MiB: raise PLUGIN_MAX_PACKAGE_SIZE (and NGINX_CLIENT_MAX_BODY_SIZE) on the Dify server`,
      );
    const identity = `${manifest.author ? `${manifest.author}/` : ""}${manifest.name}:${manifest.version}`;
    return { file, identifier: `${identity}@${written.checksum}`, bytes: written.bytes, wheels };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function run(
  command: string,
  args: string[],
  cwd: string,
  io: CommandIo,
  prefix: string,
): Promise<{ code: number; output: string }> {
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

async function pipDownload(
  dir: string,
  options: { platform: string; pythonVersion: string; indexUrl?: string; python: string; io: CommandIo },
): Promise<void> {
  const args = [
    "-m",
    "pip",
    "download",
    "-r",
    "requirements.txt",
    "-d",
    "wheels",
    "--only-binary=:all:",
    "--prefer-binary",
    "--python-version",
    options.pythonVersion,
    "--disable-pip-version-check",
    "--progress-bar",
    "off",
  ];
  for (const tag of expandPlatform(options.platform)) args.push("--platform", tag);
  if (options.indexUrl) args.push("--index-url", options.indexUrl);
  const { code, output } = await run(options.python, args, dir, options.io, "pip: ");
  if (code === 0) return;
  const missing = /Could not find a version that satisfies the requirement (\S+)/.exec(output)?.[1];
  if (missing) {
    const platforms = await wheelPlatforms(
      options.indexUrl ?? process.env.PIP_INDEX_URL ?? "https://pypi.org/simple",
      missing,
    );
    const offer = platforms?.length
      ? `; its wheels are for ${platforms.join(", ")}: pass one of those as --platform (a newer manylinux of the same architecture works too)`
      : "";
    throw new RepackageError(
      `no wheel of ${missing} exists for ${options.platform} and Python ${options.pythonVersion} (pip found no matching distribution)${offer}`,
    );
  }
  const error =
    output
      .split("\n")
      .filter((line) => line.startsWith("ERROR:"))
      .at(-1) ?? output.trim().split("\n").at(-1);
  throw new RepackageError(`pip download failed for ${options.platform}: ${error}`);
}

/**
 * The platform tags of the wheels a requirement ("name==version", or a name)
 * has on the index's simple page, or undefined when the index cannot tell.
 */
export async function wheelPlatforms(indexUrl: string, requirement: string): Promise<string[] | undefined> {
  const [, name, version] = /^([A-Za-z0-9._-]+)(?:==([^\s;,]+))?/.exec(requirement) ?? [];
  if (!name) return undefined;
  const normalized = (text: string) => text.toLowerCase().replace(/[-_.]+/g, "_");
  try {
    const response = await fetch(`${indexUrl.replace(/\/+$/, "")}/${normalized(name).replace(/_/g, "-")}/`, {
      signal: AbortSignal.timeout(20_000),
    });
    if (!response.ok) return undefined;
    const tags = new Set<string>();
    // Wheel file names: {name}-{version}(-{build})?-{python}-{abi}-{platforms}.whl; platforms joined by ".".
    for (const [, file] of (await response.text()).matchAll(/([A-Za-z0-9._+!-]+\.whl)\b/g)) {
      const parts = file!.slice(0, -".whl".length).split("-");
      if (parts.length < 5 || normalized(parts[0]!) !== normalized(name) || (version && parts[1] !== version)) continue;
      for (const tag of parts.at(-1)!.split(".")) tags.add(tag);
    }
    return [...tags].sort();
  } catch {
    return undefined;
  }
}

/**
 * pyproject.toml without requirements.txt: `uv pip compile` pins its
 * dependencies for the target platform and Python (no interpreter of that
 * version is needed, so uv never downloads one; the dev group is left out).
 */
async function compileRequirements(
  dir: string,
  options: { platform: string; pythonVersion: string; indexUrl?: string; io: CommandIo },
): Promise<void> {
  const requiresPython = /^\s*requires-python\s*=\s*["']([^"']*)["']/m.exec(
    await readFile(join(dir, "pyproject.toml"), "utf8"),
  )?.[1];
  if (requiresPython && !requiresPythonAdmits(requiresPython, options.pythonVersion)) {
    throw new RepackageError(
      `pyproject.toml requires-python "${requiresPython}" excludes Python ${options.pythonVersion}, which the package's venv runs (manifest meta.runner.version, or --python-version)`,
    );
  }
  const uvPlatform = uvPythonPlatform(options.platform);
  if (!uvPlatform)
    throw new RepackageError(
      `--platform ${options.platform}: uv cannot resolve pyproject.toml for it; use a manylinux tag for x86_64 or aarch64 (glibc 2.17 or newer), e.g. manylinux_2_28_x86_64`,
    );
  const uv = process.env.UV_PATH ?? "uv";
  const args = [
    "pip",
    "compile",
    "pyproject.toml",
    "--python-version",
    options.pythonVersion,
    "--python-platform",
    uvPlatform,
    "--no-header",
    "--no-annotate",
    "--quiet",
    "-o",
    "requirements.txt",
  ];
  const indexUrl = options.indexUrl ?? process.env.PIP_INDEX_URL;
  if (indexUrl) args.push("--index-url", indexUrl);
  const { code, output } = await run(uv, args, dir, options.io, "uv: ").catch((error: Error) => {
    throw new RepackageError(
      `the package has pyproject.toml but no requirements.txt, and uv is needed to pin its dependencies: ${error.message} (pip install uv, or set UV_PATH)`,
    );
  });
  if (code !== 0) throw new RepackageError(`uv pip compile failed: ${uvError(output)}`);
}

/** uv's own "error:" line (its last lines are often advice, e.g. from a pyenv shim), with the cause when it gives one. */
export function uvError(output: string): string {
  const lines = output.split("\n").map((line) => line.trim());
  const error = lines.find((line) => line.startsWith("error:"));
  if (!error) return lines.filter(Boolean).at(-1) ?? "no output";
  const cause = lines.find((line) => line.startsWith("cause:"));
  return cause
    ? `${error.slice("error:".length).trim()} (${cause.slice("cause:".length).trim()})`
    : error.slice("error:".length).trim();
}
