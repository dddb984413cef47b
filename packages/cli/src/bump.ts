/**
 * `dify-ts bump <plugin dir> <version>`: changes a plugin's version in
 * package.json and in the manifest (src/plugin.ts) together. A plugin whose
 * manifest reads the version from package.json (`import pkg from
 * "../package.json" with { type: "json" }`) has one source and needs only the
 * first edit.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readProject, UsageError } from "./project.js";
import { isPep440 } from "./validate/pep440.js";
import { VERSION_PATTERN } from "@dify-ts/protocol";

export interface BumpResult {
  from: string;
  to: string;
  files: string[];
}

export async function bumpVersion(pluginDir: string, version: string): Promise<BumpResult> {
  if (!VERSION_PATTERN.test(version) || !isPep440(version)) {
    throw new UsageError(
      `version must be MAJOR.MINOR.PATCH with an optional PEP 440 suffix (1.2.3, 1.2.3-rc1); got ${JSON.stringify(version)}`,
    );
  }
  const project = readProject(pluginDir);
  const from = project.packageVersion;
  const packageFile = join(project.dir, "package.json");
  const packageText = await readFile(packageFile, "utf8");
  const versionField = /("version"\s*:\s*")([^"]*)(")/;
  if (!versionField.test(packageText)) throw new UsageError(`${packageFile} has no "version" field`);
  const files = [packageFile];

  const source = await readFile(project.pluginEntry, "utf8");
  const literal = new RegExp(`(\\bversion\\s*:\\s*)(["'])${from.replaceAll(".", "\\.")}\\2`, "g");
  const matches = source.match(literal)?.length ?? 0;
  let updatedSource: string | undefined;
  if (matches === 1) {
    updatedSource = source.replace(
      literal,
      (_match, prefix: string, quote: string) => `${prefix}${quote}${version}${quote}`,
    );
    files.push(project.pluginEntry);
  } else if (matches > 1) {
    throw new UsageError(
      `${project.pluginEntry} has ${matches} "version: \\"${from}\\"" literals: leave exactly one (the manifest's)`,
    );
  } else if (!/package\.json/.test(source)) {
    throw new UsageError(
      `${project.pluginEntry} has no manifest version "${from}" (package.json's) and does not read package.json: fix the manifest version by hand first`,
    );
  }
  // Both edits are computed before either is written.
  await writeFile(packageFile, packageText.replace(versionField, `$1${version}$3`));
  if (updatedSource !== undefined) await writeFile(project.pluginEntry, updatedSource);
  return { from, to: version, files };
}
