/**
 * `dify-ts package`: bundle, generate the YAML, validate everything (reporting
 * every problem at once, before anything is written), zip as the official CLI
 * does and print the daemon's unique identifier.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { stringify } from "yaml";
import { DEFAULT_MAX_SIZE_MIB, sizeProblem, writePackage } from "./archive.js";
import { buildPlugin, type PluginBuild } from "./build.js";
import { NativeAddonError } from "./bundle.js";
import type { PackageFile } from "./checksum.js";
import { loadDeclarations, type Declaration } from "./declarations.js";
import { listFiles } from "./files.js";
import { launcherFile, launchSettings } from "./launcher.js";
import { readProject, type PluginProject } from "./project.js";
import { checkManifest } from "./validate/manifest.js";
import { ValidationFailed, type Problem } from "./validate/problems.js";
import { checkEndpointGroup, checkEndpointPermission, checkEndpointRoute } from "./validate/endpoint.js";
import { checkProvider, checkTool } from "./validate/provider.js";
import { scanForSecrets, type ScannedFile } from "./validate/secrets.js";

export interface PackageOptions {
  /** The .difypkg to write. */
  outFile?: string;
  /** Directory for <name>-<version>.difypkg (default: the current directory). */
  outDir?: string;
  /** Uncompressed size limit in MiB (default 50). */
  maxSizeMiB?: number;
  minify?: boolean;
  sourcemap?: boolean;
  now?: Date;
}

export interface PackageResult {
  file: string;
  /** author/name:version@checksum, as the daemon computes it. */
  identifier: string;
  checksum: string;
  /** Size of the .difypkg on disk. */
  bytes: number;
  files: string[];
}

const README_PATTERN = /^readme\/README_[a-z]{2}_[A-Za-z]{2,}\.md$/;

export async function packagePlugin(pluginDir: string, options: PackageOptions = {}): Promise<PackageResult> {
  const project = readProject(pluginDir);
  const { files, manifest, problems } = await assemble(project, options);
  if (problems.length > 0) throw new ValidationFailed(problems, relative(process.cwd(), project.dir) || project.dir);
  const name = String(manifest.name);
  const version = String(manifest.version);
  const file = resolve(options.outFile ?? join(options.outDir ?? process.cwd(), `${name}-${version}.difypkg`));
  const written = await writePackage(files, file);
  return { ...written, identifier: `${String(manifest.author)}/${name}:${version}@${written.checksum}` };
}

interface Assembled {
  files: PackageFile[];
  manifest: Declaration;
  problems: Problem[];
}

async function assemble(project: PluginProject, options: PackageOptions): Promise<Assembled> {
  const problems: Problem[] = [];
  let build: PluginBuild | undefined;
  try {
    build = await buildPlugin(project, { minify: options.minify, sourcemap: options.sourcemap, reuse: true });
  } catch (error) {
    if (!(error instanceof NativeAddonError)) throw error;
    problems.push({ field: "bundle", message: error.message });
  }
  // Without a bundle, the declarations may still load (and be validated), unless the same addon breaks them.
  const declarations =
    build?.declarations ??
    (await loadDeclarations(project).catch(() => {
      throw new ValidationFailed(problems, relative(process.cwd(), project.dir) || project.dir);
    }));
  const { manifest } = declarations;
  const files: PackageFile[] = [];
  const add = (path: string, data: Uint8Array | string) =>
    files.push({ path, data: typeof data === "string" ? Buffer.from(data) : data });

  add("manifest.yaml", toYaml(manifest));
  for (const [path, content] of Object.entries(declarations.files)) add(path, toYaml(content));
  for (const path of await listFiles(join(project.dir, "_assets"), project.dir))
    add(path, await readFile(join(project.dir, path)));
  if (existsSync(join(project.dir, "README.md"))) add("README.md", await readFile(join(project.dir, "README.md")));
  else
    problems.push({
      field: "README.md",
      message: "is missing: Dify shows it on the plugin page (the daemon's readme endpoint fails without it)",
    });
  for (const path of await listFiles(join(project.dir, "readme"), project.dir)) {
    if (README_PATTERN.test(path)) add(path, await readFile(join(project.dir, path)));
    else
      problems.push({
        field: path,
        message: "translated READMEs must be named readme/README_<lang>.md, e.g. readme/README_zh_Hans.md",
      });
  }
  const privacy = typeof manifest.privacy === "string" ? manifest.privacy : undefined;
  if (privacy && !existsSync(join(project.dir, privacy)))
    problems.push({ field: "privacy", message: `names ${privacy}, which does not exist in the plugin directory` });
  for (const path of new Set(["PRIVACY.md", ...(privacy ? [privacy] : [])])) {
    if (existsSync(join(project.dir, path))) add(path, await readFile(join(project.dir, path)));
  }
  add("main.py", launcherFile("main.py"));
  add("requirements.txt", launcherFile("requirements.txt"));
  add(".difyignore", launcherFile("difyignore"));
  if (build) {
    add("app/main.mjs", await readFile(build.bundleFile));
    if (options.sourcemap) add("app/main.mjs.map", await readFile(`${build.bundleFile}.map`));
  }
  add(
    "app/launch.json",
    launchSettings((manifest.resource as { memory?: unknown } | undefined)?.memory, options.sourcemap ?? false),
  );

  const paths = new Set(files.map((file) => file.path));
  problems.push(...checkManifest(manifest, { files: paths, extraIcons: declarations.icons, now: options.now }));
  problems.push(...checkEndpointPermission(manifest));
  for (const [path, content] of Object.entries(declarations.files)) problems.push(...checkDeclaration(path, content));
  if (project.packageVersion !== manifest.version) {
    problems.push({
      field: "version",
      message: `package.json says ${JSON.stringify(project.packageVersion)} but the manifest says ${JSON.stringify(manifest.version)}: they must be equal (scripts/bump-version.mjs changes both)`,
    });
  }
  problems.push(...scanForSecrets(await secretScanTargets(project, files, build?.inputs ?? declarations.inputs)));
  const tooLarge = sizeProblem(files, options.maxSizeMiB ?? DEFAULT_MAX_SIZE_MIB);
  if (tooLarge) problems.push(tooLarge);
  return { files, manifest, problems };
}

/** The package's files (the bundle as third-party code) plus the plugin's own sources that went into the bundle. */
async function secretScanTargets(
  project: PluginProject,
  files: readonly PackageFile[],
  inputs: readonly string[],
): Promise<ScannedFile[]> {
  const targets: ScannedFile[] = files.map((file) => ({ ...file, thirdParty: file.path.startsWith("app/") }));
  for (const input of inputs) {
    const path = resolve(project.dir, input);
    const own = !relative(project.dir, path).startsWith("..") && !input.includes("node_modules/");
    if (own) targets.push({ path: relative(project.dir, path).split("\\").join("/"), data: await readFile(path) });
  }
  return targets;
}

/** YAML 1.1 quoting, so yes/no/on/off and timestamps stay strings for every YAML reader. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, version: "1.1" });
}

/** The rules of a declaration file, by the directory the runtime writes it to. */
function checkDeclaration(path: string, content: unknown): Problem[] {
  if (path.startsWith("provider/")) return checkProvider(path, content);
  if (path.startsWith("group/")) return checkEndpointGroup(path, content);
  if (path.startsWith("endpoints/")) return checkEndpointRoute(path, content);
  return checkTool(path, content);
}
