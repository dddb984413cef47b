/**
 * `dify-ts verify`: decodes a .difypkg as the daemon does on upload and
 * install, and lists every problem instead of stopping at the first.
 */
import { parse } from "yaml";
import { DEFAULT_MAX_SIZE_MIB, MIB } from "./archive.js";
import { checksumOfFiles, type PackageFile } from "./checksum.js";
import { VERIFICATION_FILE } from "./signature.js";
import { checkManifest } from "./validate/manifest.js";
import { at, type Problem } from "./validate/problems.js";
import { checkEndpointGroup, checkEndpointPermission, checkEndpointRoute } from "./validate/endpoint.js";
import { checkProvider, checkTool } from "./validate/provider.js";
import { scanForSecrets } from "./validate/secrets.js";
import { readZip, type ZipArchive } from "./zip/read.js";
import { assertZipPath } from "./zip/write.js";

const IDENTITY =
  /^(?:([a-z0-9_-]{1,64})\/)?([a-z0-9_-]{1,255}):([0-9]{1,4})(\.[0-9]{1,4}){1,3}(-\w{1,16})?@[a-f0-9]{32,64}$/;

export interface VerifyReport {
  problems: Problem[];
  identifier?: string;
  checksum?: string;
  files: string[];
  /** Whether the zip comment carries a signature (checked by verify-signature). */
  signed: boolean;
}

export function verifyPackage(pkg: Buffer, options: { maxSizeMiB?: number; now?: Date } = {}): VerifyReport {
  const problems: Problem[] = [];
  let archive: ZipArchive;
  try {
    archive = readZip(pkg);
  } catch (error) {
    return {
      problems: [
        { field: "package", message: `${(error as Error).message} (the daemon answers "package decode failed")` },
      ],
      files: [],
      signed: false,
    };
  }
  const maxSize = (options.maxSizeMiB ?? DEFAULT_MAX_SIZE_MIB) * MIB;
  const total = archive.entries.reduce((sum, entry) => sum + entry.size, 0);
  if (total > maxSize)
    problems.push({
      field: "package size",
      message: `${(total / MIB).toFixed(1)} MiB uncompressed exceeds ${maxSize / MIB} MiB (MAX_PLUGIN_PACKAGE_SIZE)`,
    });

  const files: PackageFile[] = [];
  for (const entry of archive.entries) {
    if (entry.isDirectory) {
      problems.push({
        field: entry.name,
        message:
          'is a directory entry: the daemon reads every entry as a file and fails ("is a directory"); zip files only',
      });
      continue;
    }
    try {
      assertZipPath(entry.name);
      files.push({ path: entry.name, data: entry.read() });
    } catch (error) {
      problems.push({ field: entry.name, message: (error as Error).message });
    }
  }
  const byPath = new Map(files.map((file) => [file.path, file.data]));
  const yaml = (path: string, field = path): unknown => {
    const data = byPath.get(path);
    if (!data) return (problems.push({ field, message: `${path} is missing from the package` }), undefined);
    try {
      return parse(Buffer.from(data).toString("utf8")) as unknown;
    } catch (error) {
      return (
        problems.push({ field: path, message: `is not valid YAML: ${(error as Error).message.split("\n")[0]}` }),
        undefined
      );
    }
  };

  const manifest = yaml("manifest.yaml", "manifest.yaml (at the archive root)");
  const report: VerifyReport = { problems, files: files.map((file) => file.path), signed: archive.comment !== "" };
  if (manifest === undefined) return report;
  const icons: string[] = [];
  for (const providerPath of asList(at(manifest, "plugins.tools"))) {
    const provider = yaml(providerPath, `plugins.tools ${providerPath}`);
    if (provider === undefined) continue;
    problems.push(...checkProvider(providerPath, provider));
    for (const icon of [at(provider, "identity.icon"), at(provider, "identity.icon_dark")])
      if (typeof icon === "string") icons.push(icon);
    for (const toolPath of asList(at(provider, "tools"))) {
      const tool = yaml(toolPath, `${providerPath} tools ${toolPath}`);
      if (tool !== undefined) problems.push(...checkTool(toolPath, tool));
    }
  }
  for (const groupPath of asList(at(manifest, "plugins.endpoints"))) {
    const group = yaml(groupPath, `plugins.endpoints ${groupPath}`);
    if (group === undefined) continue;
    problems.push(...checkEndpointGroup(groupPath, group));
    for (const routePath of asList(at(group, "endpoints"))) {
      const route = yaml(routePath, `${groupPath} endpoints ${routePath}`);
      if (route !== undefined) problems.push(...checkEndpointRoute(routePath, route));
    }
  }
  problems.push(...checkManifest(manifest, { files: new Set(byPath.keys()), extraIcons: icons, now: options.now }));
  problems.push(...checkEndpointPermission(manifest));

  const entrypoint = at(manifest, "meta.runner.entrypoint");
  if (
    typeof entrypoint === "string" &&
    !byPath.has(`${entrypoint.replaceAll(".", "/")}.py`) &&
    !byPath.has(`${entrypoint.replaceAll(".", "/")}/__main__.py`)
  ) {
    problems.push({
      field: "meta.runner.entrypoint",
      message: `the daemon runs "python -m ${entrypoint}", but ${entrypoint}.py is not in the package`,
    });
  }
  if (!byPath.has("requirements.txt") && !byPath.has("pyproject.toml"))
    problems.push({
      field: "requirements.txt",
      message: 'is missing (the daemon fails with "neither pyproject.toml nor requirements.txt found")',
    });
  if (!byPath.has("README.md"))
    problems.push({ field: "README.md", message: "is missing: the daemon's readme endpoint fails without it" });
  const launch = byPath.get("app/launch.json");
  if (launch) {
    const bundle = (JSON.parse(Buffer.from(launch).toString("utf8")) as { bundle?: string }).bundle ?? "main.mjs";
    if (!byPath.has(`app/${bundle}`))
      problems.push({
        field: "app/launch.json",
        message: `names the bundle app/${bundle}, which is not in the package`,
      });
  }
  problems.push(
    ...scanForSecrets(
      files.filter((file) => file.path !== VERIFICATION_FILE).map((file) => ({ ...file, thirdParty: true })),
    ),
  );

  report.checksum = checksumOfFiles(files);
  const author = at(manifest, "author");
  report.identifier = `${typeof author === "string" && author ? `${author}/` : ""}${String(at(manifest, "name"))}:${String(at(manifest, "version"))}@${report.checksum}`;
  if (!IDENTITY.test(report.identifier))
    problems.push({
      field: "unique identifier",
      message: `${report.identifier} does not match the daemon's identity pattern ${IDENTITY}`,
    });
  return report;
}

function asList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}
