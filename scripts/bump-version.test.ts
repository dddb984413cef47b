/**
 * `node scripts/bump-version.mjs sdk <version>`: every published SDK package
 * gets the version together (they are released together by the tag
 * sdk@<version>), and nothing but the version line changes. Run on a copy of the
 * script and the manifests, so the repository is never edited.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repositoryRoot } from "@dify-ts/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const sdkDirectories = ["protocol", "runtime", "host", "cli", "create-dify-ts-plugin"];
let copy: string;

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), "dify-ts-bump-sdk-"));
  await cp(join(repositoryRoot, "scripts/bump-version.mjs"), join(copy, "scripts/bump-version.mjs"));
  for (const directory of sdkDirectories) {
    const manifest = join("packages", directory, "package.json");
    await cp(join(repositoryRoot, manifest), join(copy, manifest));
  }
});

afterAll(() => rm(copy, { recursive: true, force: true }));

async function bump(...args: string[]) {
  const child = spawn(process.execPath, [join(copy, "scripts/bump-version.mjs"), ...args], { cwd: copy });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const [status] = (await once(child, "close")) as [number | null];
  return { status, stdout, stderr };
}

const manifests = () =>
  Promise.all(sdkDirectories.map((directory) => readFile(join(copy, "packages", directory, "package.json"), "utf8")));

describe("scripts/bump-version.mjs sdk", () => {
  it("sets every SDK package's version, and only that line", async () => {
    const before = await manifests();
    const from = (JSON.parse(before[0]!) as { version: string }).version;
    const result = await bump("sdk", "7.8.9-rc.1");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual(
      sdkDirectories.map((directory) => `${from} -> 7.8.9-rc.1: packages/${directory}/package.json`),
    );
    expect(result.stderr.trim()).toBe(
      "add the release notes to each packages/<name>/CHANGELOG.md, then tag sdk@7.8.9-rc.1",
    );
    const after = await manifests();
    after.forEach((text, index) =>
      expect(text).toBe(before[index]!.replace(`"version": "${from}"`, `"version": "7.8.9-rc.1"`)),
    );
  });

  it("refuses a version npm would refuse, changing nothing", async () => {
    const before = await manifests();
    const result = await bump("sdk", "1.2");
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      "version must be a semver MAJOR.MINOR.PATCH[-prerelease] (npm's rule), e.g. 0.2.0; got 1.2",
    );
    expect(await manifests()).toEqual(before);
  });
});
