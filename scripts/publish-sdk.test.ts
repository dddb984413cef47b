/**
 * scripts/publish-sdk.sh, which the release workflow runs for an sdk@<version>
 * tag, against a real npm registry (verdaccio on 127.0.0.1, storage in a
 * temporary directory) instead of npmjs.org: the SDK packages are packed and
 * published, then a plugin is scaffolded in an empty directory with `npx
 * @dify-ts/cli init`, installed, typechecked, packaged and invoked through its
 * launcher (`python -m main`, as the daemon starts it). Our packages can only
 * come from the local registry (it has no uplink for @dify-ts); third-party ones
 * come through its uplink to registry.npmjs.org.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import {
  holdingBuildLock,
  nodeWheelPython,
  repositoryRoot,
  startNpmRegistry,
  verdaccio,
  type NpmRegistry,
} from "@dify-ts/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Building and packing the SDK, npx, npm install (typescript, esbuild, tsx through the uplink), tsc and the package
 * took about 3 minutes on a quiet 2-core machine; this bound is one a loaded machine does not reach.
 */
const PUBLISH_TIMEOUT_MS = 900_000;
/** The directories under packages/ that are published, and their package names. */
const sdkDirectories = ["protocol", "runtime", "host", "cli", "create-dify-ts-plugin"];
const manifestOf = (directory: string) =>
  JSON.parse(readFileSync(join(repositoryRoot, "packages", directory, "package.json"), "utf8")) as {
    name: string;
    version: string;
  };
const sdkPackages = sdkDirectories.map((directory) => manifestOf(directory).name);
/** What a plugin depends on: the scoped libraries and the CLI. */
const libraries = sdkPackages.filter((name) => name.startsWith("@dify-ts/"));
const version = manifestOf("cli").version;
const registryTool = verdaccio();
const python = nodeWheelPython();
/** Third-party packages (typescript, esbuild, tsx…) come through the local registry's uplink to npmjs.org. */
const npmjsReason = await fetch("https://registry.npmjs.org/typescript", {
  method: "HEAD",
  signal: AbortSignal.timeout(30_000),
}).then(
  (response) =>
    response.ok ? undefined : `registry.npmjs.org answered ${response.status} (the local registry's uplink)`,
  (error: Error) => `registry.npmjs.org is unreachable (the local registry's uplink): ${error.message}`,
);
const reason = registryTool.reason ?? python.reason ?? npmjsReason;
const skipNote = reason ? ` (skipped: ${reason})` : "";

let scratch: string;
let registry: NpmRegistry | undefined;
/** The environment of every npm command: only the local registry, a fresh cache, no npm_config_* from pnpm. */
let npmEnv: NodeJS.ProcessEnv;

/** Runs a command to its end without blocking this process (vitest's worker must keep answering its runner). */
async function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = npmEnv) {
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const [status] = (await once(child, "close")) as [number | null];
  return { status, stdout, stderr, output: stdout + stderr };
}

const publish = (tag: string, out: string) => {
  const [command, ...args] = holdingBuildLock(["bash", join(repositoryRoot, "scripts/publish-sdk.sh"), tag, out]);
  return run(command, args, repositoryRoot, {
    ...npmEnv,
    // A provenance statement needs the CI's OIDC identity; the workflow publishes with it.
    PUBLISH_PROVENANCE: "false",
  });
};

/**
 * A directory with `npm` and `npx` running the npm that comes with this Node. The wheel's own bin/npm cannot run from
 * this repository: it is an extensionless CommonJS file, and the nearest package.json above .cache/ says "type":
 * "module". Another Node's npm (e.g. /usr/bin/npm) runs too, on whatever `node` is first on PATH.
 */
async function npmShims(): Promise<string> {
  const shims = join(scratch, "bin");
  await mkdir(shims);
  for (const [name, script] of [
    ["npm", "npm-cli.js"],
    ["npx", "npx-cli.js"],
  ] as const) {
    const bundled = join(dirname(process.execPath), "../lib/node_modules/npm/bin", script);
    if (!existsSync(bundled)) continue;
    await writeFile(join(shims, name), `#!/bin/sh\nexec "${process.execPath}" "${bundled}" "$@"\n`, { mode: 0o755 });
  }
  return shims;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "dify-ts-publish-test-"));
  const inherited = Object.entries(process.env).filter(([name]) => !/^npm_(config|package|lifecycle)_/i.test(name));
  npmEnv = {
    ...Object.fromEntries(inherited),
    PATH: `${await npmShims()}${delimiter}${process.env.PATH ?? ""}`,
    npm_config_cache: join(scratch, "npm-cache"),
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
  };
  if (reason) return;
  registry = await startNpmRegistry(registryTool.path!, "@dify-ts");
  const npmrc = join(scratch, "npmrc");
  await writeFile(npmrc, `registry=${registry.url}\n//${new URL(registry.url).host}/:_authToken=${registry.token}\n`, {
    mode: 0o600,
  });
  npmEnv = { ...npmEnv, npm_config_userconfig: npmrc, npm_config_registry: registry.url };
});

afterAll(async () => {
  await registry?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe("scripts/publish-sdk.sh", () => {
  it("refuses a tag that is not sdk@<the SDK packages' version>, before building anything", async () => {
    const out = join(scratch, "refused");
    const wrong = await publish("sdk@9.9.9", out);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr.trim()).toBe(
      `publish-sdk: tag sdk@9.9.9 publishes every SDK package at 9.9.9, but ${sdkDirectories.map((directory) => `packages/${directory} is at ${version}`).join(", ")}: bump them first (node scripts/bump-version.mjs sdk 9.9.9)`,
    );
    expect((await publish(`v${version}`, out)).stderr.trim()).toBe(`publish-sdk: tag v${version} is not sdk@<version>`);
    expect(existsSync(out)).toBe(false);
  });

  it.skipIf(reason)(
    `publishes the packed SDK to a local registry; a plugin scaffolded outside the monorepo installs it, typechecks, packages and answers through its launcher${skipNote}`,
    async () => {
      const out = join(scratch, "npm-packages");
      const published = await publish(`sdk@${version}`, out);
      expect(published.status, published.output + registry!.log()).toBe(0);
      const tarballs = sdkPackages.map((name) => `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`);
      expect(readdirSync(out).sort()).toEqual([...tarballs, "SHA256SUMS"].sort());
      for (const tarball of tarballs) {
        const files = (await run("tar", ["tzf", join(out, tarball)], out)).stdout.trim().split("\n");
        expect(files).toContain("package/package.json");
        if (!tarball.startsWith("create-")) expect(files).toContain("package/build/index.d.ts");
        expect(files.filter((file) => /\.test\.|__fixtures__|__golden__/.test(file))).toEqual([]);
      }

      // What the registry serves: workspace:* became the exact version, no manifest names an unpublished package of
      // ours (not even as a devDependency), the public-access publishConfig kept.
      for (const name of sdkPackages) {
        const document = (await (await fetch(`${registry!.url}${encodeURIComponent(name)}`)).json()) as {
          versions: Record<string, Record<string, unknown> & { publishConfig?: { access?: string } }>;
        };
        const manifest = document.versions[version]!;
        const ours = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"].flatMap((field) =>
          Object.entries((manifest[field] ?? {}) as Record<string, string>).filter(
            ([dependency]) => dependency.startsWith("@dify-ts/") || dependency.startsWith("create-dify-ts"),
          ),
        );
        for (const [dependency, range] of ours)
          expect([sdkPackages.includes(dependency), range]).toEqual([true, version]);
        if (name === "@dify-ts/cli")
          expect(ours.map(([dependency]) => dependency).sort()).toEqual(
            libraries.filter((other) => other !== name).sort(),
          );
        expect(manifest.publishConfig?.access).toBe("public");
      }

      // A rerun after a partial failure leaves what is already published as it is.
      const again = await publish(`sdk@${version}`, join(scratch, "again"));
      expect(again.status, again.output).toBe(0);
      for (const name of sdkPackages)
        expect(again.stdout).toContain(`publish-sdk: ${name}@${version} is already on the registry`);

      const projects = join(scratch, "projects");
      await mkdir(projects);
      const init = await run(
        "npx",
        ["--yes", `@dify-ts/cli@${version}`, "init", "weather", "--author", "acme"],
        projects,
      );
      expect(init.status, init.output).toBe(0);
      expect(init.stdout.trim()).toBe("created weather in weather: 11 files");
      const plugin = join(projects, "weather");
      // `npm create dify-ts-plugin` writes the same plugin (only the manifest's created_at may differ).
      const created = await run(
        "npm",
        ["create", `dify-ts-plugin@${version}`, "notes", "--", "--author", "acme"],
        projects,
      );
      expect(created.status, created.output).toBe(0);
      expect(created.stdout).toContain("created notes in notes: 11 files");
      expect(readFileSync(join(projects, "notes/src/tools/hello.ts"), "utf8")).toBe(
        readFileSync(join(plugin, "src/tools/hello.ts"), "utf8"),
      );
      expect(JSON.parse(readFileSync(join(projects, "notes/package.json"), "utf8"))).toMatchObject({
        name: "dify-plugin-notes",
        dependencies: { "@dify-ts/runtime": `^${version}` },
      });

      const install = await run("npm", ["install"], plugin);
      expect(install.status, install.output + registry!.log()).toBe(0);
      const lock = JSON.parse(readFileSync(join(plugin, "package-lock.json"), "utf8")) as {
        packages: Record<string, { version?: string; resolved?: string }>;
      };
      for (const name of libraries) {
        expect(lock.packages[`node_modules/${name}`]).toMatchObject({
          version,
          resolved: `${registry!.url}${name}/-/${name.split("/")[1]}-${version}.tgz`,
        });
      }

      const typecheck = await run("npm", ["run", "typecheck"], plugin);
      expect(typecheck.status, typecheck.output).toBe(0);
      // The template's own invoke script runs the tool from source (tsx), with credentials.json as its README says.
      await writeFile(join(plugin, "credentials.json"), '{"api_key":"k-123456789"}');
      const fromSource = await run("npm", ["run", "--silent", "invoke"], plugin);
      expect(fromSource.status, fromSource.output).toBe(0);
      expect(fromSource.stdout.trim()).toBe("text: Hello, Dify!");
      const packaged = await run("npm", ["run", "package"], plugin);
      expect(packaged.status, packaged.output).toBe(0);
      expect(packaged.stdout).toMatch(/^acme\/weather:0\.1\.0@[0-9a-f]{64}$/m);
      expect(readdirSync(join(plugin, "dist"))).toEqual(["weather-0.1.0.difypkg"]);

      const invoked = await run(
        "npx",
        [
          "dify-ts",
          "invoke",
          "dist/weather-0.1.0.difypkg",
          "--python",
          python.path!,
          "--tool",
          "hello",
          "--params",
          '{"name":"Ada"}',
          "--credentials",
          '{"api_key":"k-123456789"}',
        ],
        plugin,
      );
      expect(invoked.status, invoked.output).toBe(0);
      expect(invoked.stderr).toContain(`running "${python.path!} -m main"`);
      expect(invoked.stdout.trim()).toBe("text: Hello, Ada!");
    },
    PUBLISH_TIMEOUT_MS,
  );
});
